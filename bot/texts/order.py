"""order"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from bot.order_fields import FieldKind, FieldSpec, InvalidInput
from bot.panel import (
    Balance,
    PanelError,
    Service,
    ServiceType,
    classify_error,
)
from bot.texts.errors import refusal
from bot.texts.formatting import PANEL_TEXT_LIMIT, esc, money, number, short

FIELD_PROMPTS: dict[str, str] = {
    "link": "🔗 Send the <b>link</b>",
    "quantity": "🔢 How many? Send the <b>quantity</b>",
    "comments": "💬 Send the <b>comments</b>, one per line",
    "usernames": "👥 Send the <b>usernames</b>, one per line",
    "hashtags": "#️⃣ Send the <b>hashtags</b>, one per line",
    "hashtag": "#️⃣ Send the <b>hashtag</b> to take usernames from",
    "media": "🖼 Send the <b>media link</b> whose likers to mention",
    "keywords": "🔑 Send the <b>keywords</b>, one per line",
    "groups": "👥 Send the <b>groups</b>, one per line",
    "answer_number": "🗳 Which <b>answer number</b> of the poll?",
    "runs": "💧 In how many <b>runs</b>? (2 or more)",
    "interval": "⏱ <b>Interval</b> between runs, in minutes?",
    "min": "🔢 <b>Minimum</b> quantity per post?",
    "max": "🔢 <b>Maximum</b> quantity per post?",
    "posts": "🆕 How many <b>new posts</b> at most? (tap Skip for no limit)",
    "old_posts": "🗂 How many <b>existing posts</b> too? (tap Skip for none)",
    "delay": "⏱ <b>Delay</b> before each post is served, in minutes:",
    "expiry": "📅 <b>Expiry date</b> as dd/mm/yyyy (tap Skip for none)",
    "dripfeed": "💧 This service can be <b>spread over time</b> (drip-feed). Spread it?",
    "country": "🌍 Traffic <b>country</b> (code or name, e.g. US)",
    "device": "📱 Which <b>device</b>?",
    "type_of_traffic": "🚦 Which <b>type of traffic</b>?",
    "google_keyword": "🔎 The <b>Google keyword</b>",
    "referring_url": "🔗 The <b>referring URL</b>",
}


USERNAME_PROMPTS: dict[ServiceType, str] = {
    ServiceType.SUBSCRIPTIONS: "👤 Send the <b>username</b> to subscribe to",
    ServiceType.COMMENT_LIKES: "👤 <b>Username</b> of the comment's owner",
    ServiceType.COMMENT_REPLIES: "👤 <b>Username</b> of the comment's owner",
    ServiceType.MENTIONS_USER_FOLLOWERS: "👤 The <b>username</b> whose followers to mention",
}


CHOICE_LABELS: dict[str, dict[str, str]] = {
    "dripfeed": {"no": "All at once", "yes": "💧 Spread it"},
    "device": {"1": "Desktop", "2": "Android", "3": "iOS", "4": "Mixed mobile", "5": "Mixed all"},
    "type_of_traffic": {"1": "Google keyword", "2": "Custom referrer", "3": "Blank referrer"},
}


def button_skip() -> str:
    return "⏭ Skip"


def button_confirm() -> str:
    return "✅ Confirm"


def button_change() -> str:
    return "✏️ Change"


def button_order_card() -> str:
    return "📦 Open order"


def button_new_order() -> str:
    return "🛒 Another order"


def choice_label(field: str, value: str) -> str:
    return CHOICE_LABELS.get(field, {}).get(value, value)


def field_prompt(
    spec: FieldSpec,
    service: Service,
    answers: Mapping[str, str],
    *,
    with_name: bool = True,
    intervals: tuple[int, ...] | None = None,
) -> str:
    """`intervals`: the drip-feed intervals the panel accepts (None: unknown)."""
    base = FIELD_PROMPTS.get(spec.name, f"Send <b>{esc(spec.name)}</b>")
    if spec.name == "username":
        base = USERNAME_PROMPTS.get(service.type, "👤 Send the <b>username</b>")
    hint = ""
    if spec.kind is FieldKind.QUANTITY:
        hint = f" ({number(service.min)} – {number(service.max)})"
        if spec.name == "quantity" and service.dripfeed and service.type is ServiceType.DEFAULT:
            hint = f" (in total {number(service.min)} – {number(service.max)}; per run if spread)"
        if spec.name == "max" and "min" in answers:
            hint = f" ({number(int(answers['min']))} – {number(service.max)})"
    elif spec.name == "runs":
        most = service.max // max(int(answers.get("quantity", "1")), 1)
        hint = f" (at most {number(most)})"
    elif spec.counts_quantity:
        hint = f" ({number(service.min)} – {number(service.max)} lines)"
    elif spec.name == "interval":
        hint = " (tap one)" if intervals is not None else " (tap one, or type 1 – 1 440)"
    # The hint goes before the question's own closing mark ("How many? (10 – 100)").
    ending = "" if base.endswith(("?", ":")) else ":"
    question = f"{base}{hint}{ending}"
    return f"<b>{esc(service.name)}</b>\n\n{question}" if with_name else question


INVALID_INPUT: dict[str, str] = {
    "number_negative": "The number can't be negative.",
    "number_not_whole": "Please send a whole number, like 1000 or 10 000.",
    "number_positive": "Please send a number of 1 or more.",
    "number_too_big": "That number is far too big.",
    "quantity_range": "The quantity must be between {minimum} and {maximum}.",
    "link_invalid": "That's not a link. Send a full link like https://instagram.com/yourname",
    "link_wrong_platform": "This service is for {platform} — please send a {host} link.",
    "list_empty": "The list is empty. Send at least one line.",
    "list_too_long": "That's too many lines (at most {maximum}).",
    "line_too_long": "A line is too long (at most {maximum} characters).",
    "total_range": (
        "In total that's {total}; this service takes {minimum} – {maximum}. "
        "Spread it over more runs, or tap Back to change the quantity."
    ),
    "lines_range": "You sent {count} lines; this service takes {minimum} – {maximum}.",
    "pieces_range": (
        "This panel counts each comma-separated part as a comment: that's {count}; this "
        "service takes {minimum} – {maximum}."
    ),
    "text_one_line": "Please send it as one line of text.",
    "date_format": "Please send the date as dd/mm/yyyy, e.g. 31/12/2027.",
    "date_past": "The date must be in the future.",
    "choose_button": "Please choose one of the buttons.",
    "runs_range": "Runs must be between 2 and {maximum}.",
    "runs_total": "Quantity × runs can be at most {maximum} — at most {most} runs.",
    "interval_range": "The interval must be between 1 and {maximum} minutes.",
    "interval_choice": "This panel takes these intervals only: {allowed} minutes.",
    "too_long": "That message is too long.",
}


def invalid_input(error: InvalidInput) -> str:
    params = {k: number(v) if isinstance(v, int) else esc(v) for k, v in error.params.items()}
    return "⚠️ " + INVALID_INPUT[error.reason].format(**params)


def expect_text() -> str:
    return "⚠️ I need a typed answer here."


def expect_button() -> str:
    return "⚠️ Please choose with the buttons below."


def browse_expected() -> str:
    return "⚠️ Tap a category or service below, or type a name or service id to search."


def summary_expected() -> str:
    return "⚠️ Please confirm, change or cancel with the buttons below."


def in_flow_command() -> str:
    return "⚠️ You're in the middle of an order — finish this step, or /cancel first."


FIELD_LABELS: dict[str, str] = {
    "link": "🔗 Link",
    "quantity": "🔢 Quantity",
    "runs": "💧 Runs",
    "interval": "⏱ Interval (min)",
    "comments": "💬 Comments",
    "usernames": "👥 Usernames",
    "hashtags": "#️⃣ Hashtags",
    "hashtag": "#️⃣ Hashtag",
    "username": "👤 Username",
    "media": "🖼 Media",
    "keywords": "🔑 Keywords",
    "groups": "👥 Groups",
    "answer_number": "🗳 Answer number",
    "min": "🔢 Min per post",
    "max": "🔢 Max per post",
    "posts": "🆕 New posts",
    "old_posts": "🗂 Old posts",
    "delay": "⏱ Delay (min)",
    "expiry": "📅 Expiry",
    "country": "🌍 Country",
    "device": "📱 Device",
    "type_of_traffic": "🚦 Traffic",
    "google_keyword": "🔎 Keyword",
    "referring_url": "🔗 Referrer",
}


def _field_value(name: str, value: str) -> str:
    if "\n" in value:
        lines = value.split("\n")
        shown = "\n".join(f"  • {short(line, 80)}" for line in lines[:5])
        more = f"\n  … and {len(lines) - 5} more" if len(lines) > 5 else ""
        return f"{len(lines)} lines\n{shown}{more}"
    return short(choice_label(name, value), 200)


def summary(
    service: Service,
    answers: Mapping[str, str],
    quantity: int | None,
    price: Decimal,
    balance: Balance | None,
    *,
    comma_split: bool = False,
) -> str:
    """`comma_split`: the panel counts each comma-separated piece of the comments as one, and
    `quantity` and `price` are counted that way."""
    currency = balance.currency if balance else None
    lines = [f"🧾 <b>Check your order</b>\n\n<b>{esc(service.name)}</b> (ID {esc(service.id)})"]
    for name, value in answers.items():
        if name == "dripfeed" or value == "":
            continue
        lines.append(f"{FIELD_LABELS.get(name, esc(name))}: {_field_value(name, value)}")
    if quantity is not None and "runs" in answers:
        lines.append(f"📦 Total: {number(quantity)}")
    elif (
        quantity is not None
        and "quantity" not in answers
        and service.type
        not in {
            ServiceType.PACKAGE,
            ServiceType.CUSTOM_COMMENTS_PACKAGE,
        }
    ):
        lines.append(f"📦 Quantity: {number(quantity)}")
    if comma_split and quantity is not None:
        lines.append(
            f"ℹ️ This panel counts each comma-separated part as a comment: {number(quantity)}."
        )
    if service.type is ServiceType.SUBSCRIPTIONS:
        lines.append(f"\n💵 Price: up to <b>{money(price, currency)}</b> per post")
    else:
        lines.append(f"\n💵 Price: <b>{money(price, currency)}</b>")
    if balance is not None:
        lines.append(f"💰 Balance: {money(balance.amount, currency)}")
        after = balance.amount - price
        if after < 0:
            lines.append(f"⚠️ <b>Not enough balance</b>: {money(-after, currency)} short.")
        elif service.type is not ServiceType.SUBSCRIPTIONS:
            lines.append(f"💰 After: {money(after, currency)}")
    else:
        lines.append("💰 Balance: unknown (the panel did not answer)")
    return "\n".join(lines)


def placing() -> str:
    return "⏳ Placing your order…"


def already_placing() -> str:
    return "⏳ This order is already being placed — one moment."


def already_done() -> str:
    return "This order was already handled. See /orders."


def placed(
    order_id: str, service_name: str, price: Decimal, currency: str | None, *, per_post: bool
) -> str:
    cost = f"up to {money(price, currency)} per post" if per_post else money(price, currency)
    return (
        f"✅ <b>Order placed</b>\n\n🆔 Order <code>{esc(order_id)}</code>\n"
        f"📦 {esc(service_name)}\n💵 {cost}\n\n"
        "I'll message you when its status changes."
    )


def not_placed_try_again() -> str:
    return (
        "⚠️ The panel is not answering right now. Nothing was ordered — tap Confirm to try again."
    )


def rejected(reason: str | PanelError) -> str:
    """An order the panel refused: the plain reason when its kind is known (the reason may be
    the error or just its message), else the panel's own words."""
    error = reason if isinstance(reason, PanelError) else classify_error(reason)
    why = refusal(error) or f"<i>{short(error.message, PANEL_TEXT_LIMIT)}</i>"
    return (
        f"❌ <b>The panel refused the order</b>: {why}\n\n"
        "Nothing was charged. Change the order, or cancel."
    )


def outcome_unknown() -> str:
    return (
        "❓ <b>I couldn't confirm the order.</b> The panel gave no clear answer (a timeout or "
        "an error page), so it may or may not have been placed. "
        "I will <b>not</b> place it again by myself.\n\n"
        "Check /orders or your panel before ordering again."
    )


def cancelled() -> str:
    return "Okay, cancelled. /order to start again."


def flow_closed() -> str:
    return "This order was closed. /order to start again."


def timed_out() -> str:
    return "⌛ This order was left idle, so I closed it. /order to start again."
