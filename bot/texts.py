"""Every user-facing text, built in one place (HTML parse mode).

Anything that came from a user or the panel goes through `esc()` here, never in handlers.
Keeping all wording here is what lets translations slot in later.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from bot.order_fields import FieldKind, FieldSpec, InvalidInput
from bot.panel import (
    ActionUnsupported,
    ActiveOrderForLink,
    BadLink,
    BadService,
    Balance,
    DripfeedNotSupported,
    InvalidKey,
    MissingField,
    NotEnoughFunds,
    OrderNotFound,
    OrderState,
    OrderStatus,
    PanelError,
    PanelUnavailable,
    QuantityOutOfRange,
    Service,
    ServiceType,
    classify_error,
    normalize_state,
)
from storage.models import Order, PanelTask, Placement


def esc(value: object) -> str:
    return html.escape(str(value), quote=False)


def short(value: object, limit: int = 60) -> str:
    """Escaped and cut to `limit` characters, for buttons and one-line summaries."""
    text = str(value)
    return esc(text if len(text) <= limit else text[: limit - 1] + "…")


PANEL_TEXT_LIMIT = 300  # a panel's message is quoted, never allowed to swamp ours
STATUS_LIMIT = 60  # a status word from the panel, however odd


def money(amount: Decimal | None, currency: str | None = None) -> str:
    """Up to 5 decimals (panel rates are that fine), at least 2: 0.9 → "0.90"."""
    if amount is None:
        return "—"
    exact = amount.quantize(Decimal("0.00001"), rounding=ROUND_HALF_UP).normalize()
    whole, _, fraction = f"{exact:f}".partition(".")
    text = f"{whole}.{fraction.ljust(2, '0')}"
    return f"{text} {esc(currency)}" if currency else text


def number(value: int | None) -> str:
    return "—" if value is None else f"{value:,}".replace(",", " ")


# --- commands and start ------------------------------------------------------------------------

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Main menu"),
    ("order", "Place an order"),
    ("orders", "My orders"),
    ("status", "Status of order ids"),
    ("balance", "Panel balance"),
    ("refill", "Ask for a refill"),
    ("notify", "Mute or unmute status messages"),
    ("key", "Connect or change your API key"),
    ("help", "How this bot works"),
    ("cancel", "Leave the current step"),
)

BUTTON_ORDER = "🛒 New order"
BUTTON_ORDERS = "📦 My orders"
BUTTON_BALANCE = "💰 Balance"
BUTTON_KEY = "🔑 API key"
BUTTON_HELP = "❓ Help"
BUTTON_BACK = "⬅️ Back"
BUTTON_CANCEL = "✖️ Cancel"
BUTTON_PREV = "◀️"
BUTTON_NEXT = "▶️"


def welcome(first_name: str, has_key: bool) -> str:
    greeting = f"👋 Hi, {esc(first_name)}!\n\nI place orders on your SMM panel account"
    if has_key:
        return f"{greeting}. What would you like to do?"
    return (
        f"{greeting} — followers, likes, views and more, tracked until they are delivered.\n\n"
        "First, connect your panel <b>API key</b> (you find it on the panel's Account page)."
    )


def help_text() -> str:
    return (
        "<b>How it works</b>\n"
        "1. /key — connect your panel API key (the message with it is deleted at once, "
        "and the key is stored encrypted).\n"
        "2. /order — pick a category and a service, or just type a name or service id to "
        "search; answer the questions and confirm.\n"
        "3. /orders — your orders and their progress. You get a message whenever one "
        "changes.\n\n"
        "/status 123 456 — status of order ids\n"
        "/refill 123 — ask for a refill\n"
        "/balance — your balance\n"
        "/cancel — leave the current step"
    )


# --- key ---------------------------------------------------------------------------------------


def key_prompt(current_masked: str | None) -> str:
    now = f"Connected now: <code>{esc(current_masked)}</code>\n\n" if current_masked else ""
    return (
        f"🔑 {now}Send me your panel <b>API key</b> as a message.\n"
        "I delete that message straight away and keep the key encrypted.\n\n"
        "/cancel to stop."
    )


def private_only(bot_username: str) -> str:
    return (
        "🔒 I work in a private chat only — your orders, balance and API key stay between us. "
        f"Open a chat with @{esc(bot_username)} and send /start."
    )


KEY_PRIVATE_ONLY = (
    "🔒 For your safety I only take API keys in a private chat. Open a chat with me and "
    "send /key there."
)
KEY_GROUP_DELETED = (
    "⚠️ That looked like an API key, so I deleted it and did not store it. Never post your key "
    "in a group — change it on the panel if others could see it. Send /key in a private chat."
)
KEY_PANEL_DOWN = (
    "⚠️ The panel is not answering right now, so I couldn't check the key. "
    "Send it again in a minute, or /cancel."
)
KEY_PASTED = (
    "🔒 That looked like an API key, so I deleted it from the chat. To connect or change your "
    "key, use /key."
)
EDITS_IGNORED = "✏️ I don't read edited messages — please send the corrected text as a new one."
CANCELLED_KEY = "Okay, no key was changed."
KEY_CHECKING = "⏳ Checking the key with the panel…"
KEY_SHAPE = (
    "That doesn't look like an API key (one word, letters and digits, no spaces). "
    "Send it again, or /cancel."
)
KEY_REMOVED = "🗑 Your API key was deleted from the bot. Use /key to connect one again."
KEY_NONE = "You have no API key connected. Use /key to connect one."
BUTTON_KEY_REMOVE = "🗑 Disconnect key"
KEY_NOT_DELETED = "⚠️ I could not delete your message with the key — please delete it yourself."
KEY_PASTED_NOT_DELETED = (
    "⚠️ That looked like an API key, but I could not delete the message. Delete it yourself "
    "now, and change the key on the panel: anyone who saw it could spend your balance. "
    "Then connect the new key with /key in a private chat with me."
)


def key_connected(masked: str, balance: Balance) -> str:
    return (
        f"✅ Key <code>{esc(masked)}</code> connected.\n"
        f"Balance: <b>{money(balance.amount, balance.currency)}</b>\n\nReady: /order"
    )


def key_rejected(reason: str) -> str:
    error = classify_error(reason)
    why = (
        KEY_WRONG
        if isinstance(error, InvalidKey)
        else refusal(error) or f"<i>{short(reason, PANEL_TEXT_LIMIT)}</i>"
    )
    return (
        f"❌ The panel did not accept this key: {why}\n"
        "Nothing was stored. Check the key and send it again, or /cancel."
    )


def balance_text(balance: Balance) -> str:
    return f"💰 Balance: <b>{money(balance.amount, balance.currency)}</b>"


NEED_KEY = "🔑 Connect your panel API key first: /key"
STORAGE_BUSY = (
    "⏳ The bot is very busy right now and nothing was saved. Please try again in a few seconds."
)
KEY_UNREADABLE = (
    "🔑 Your saved API key can no longer be read on our side. Please connect it again: /key"
)
KEY_INVALID_NOW = "🔑 The panel no longer accepts your API key. Connect a valid one with /key."


# Shown when the panel has not answered after about a second (a tap's answer or a message).
ASKING_PANEL = "⏳ Asking the panel…"


def panel_unavailable() -> str:
    return "⚠️ The panel is not answering right now. Please try again in a minute."


# One plain sentence per kind of refusal, whatever the panel's wording (seed, SmartPanel,
# BoostedSMM: bot/panel/errors.py classifies them); the panel's own text only when unknown.
# Lower-case fragments: they follow "The panel refused the order:"; `sentence()` capitalises.
KEY_WRONG = "it says the key is wrong, disabled, or its account is blocked."
REFUSED_INVALID_KEY = "the panel no longer accepts your API key. Connect a valid one with /key."
REFUSED_NO_FUNDS = (
    "your balance on the panel is too low. Top it up on the panel's website, then try again."
)
REFUSED_BAD_SERVICE = "the panel doesn't offer this service any more. Please pick another one."
REFUSED_BAD_LINK = (
    "the panel didn't accept the link. Check it and send the full address (https://…)."
)
REFUSED_MISSING_FIELD = "a detail the panel needs is missing (usually the link)."
REFUSED_UNSUPPORTED = "this panel doesn't offer that through its API."
REFUSED_NO_DRIPFEED = "this service can't be drip-fed. Order it all at once."
REFUSED_ACTIVE_LINK = "there is already an active order for this link. Wait until it finishes."
REFUSED_UNKNOWN_ORDER = "the panel doesn't know this order."


def quantity_refused(bound: str | None, limit: int | None) -> str:
    """Below the minimum / above the maximum, with the number when the panel stated it."""
    if bound == "min":
        of = f" of {number(limit)}" if limit is not None else ""
        return f"the quantity is below this service's minimum{of}."
    if bound == "max":
        of = f" of {number(limit)}" if limit is not None else ""
        return f"the quantity is above this service's maximum{of}."
    return "the quantity is outside what this service allows."


def refusal(error: PanelError) -> str | None:
    """The plain fragment for a known kind of refusal; None when the kind is unknown."""
    if isinstance(error, QuantityOutOfRange):
        return quantity_refused(error.bound, error.limit)
    kinds: tuple[tuple[type[PanelError], str], ...] = (
        (InvalidKey, REFUSED_INVALID_KEY),
        (NotEnoughFunds, REFUSED_NO_FUNDS),
        (BadService, REFUSED_BAD_SERVICE),
        (MissingField, REFUSED_MISSING_FIELD),  # before BadLink, its parent
        (BadLink, REFUSED_BAD_LINK),
        (ActionUnsupported, REFUSED_UNSUPPORTED),
        (DripfeedNotSupported, REFUSED_NO_DRIPFEED),
        (ActiveOrderForLink, REFUSED_ACTIVE_LINK),
        (OrderNotFound, REFUSED_UNKNOWN_ORDER),
    )
    for kind, text in kinds:
        if isinstance(error, kind):
            return text
    return None


def sentence(fragment: str) -> str:
    return fragment[:1].upper() + fragment[1:]


def panel_said(message: str) -> str:
    """A panel's message: its plain sentence when the kind is known, else quoted."""
    known = refusal(classify_error(message))
    if known is not None:
        return f"⚠️ {sentence(known)}"
    return f"⚠️ The panel said: <i>{short(message, PANEL_TEXT_LIMIT)}</i>"


def panel_error(error: PanelError) -> str:
    """What to tell a user about a panel call that failed."""
    if isinstance(error, InvalidKey):
        return KEY_INVALID_NOW
    if isinstance(error, PanelUnavailable):
        return panel_unavailable()
    known = refusal(error)
    if known is not None:
        return f"⚠️ {sentence(known)}"
    return panel_said(error.message)


# Status shown for a refill or cancel the bot cannot follow (no id from the panel).
UNCLEAR = "Unclear (no answer from the panel)"
REQUESTED = "Requested"
REFILL_UNCLEAR = (
    "❓ The panel gave no clear answer, so the refill may or may not have been requested. "
    "I won't send it again by myself — check the order card in a while."
)
CANCEL_UNCLEAR = (
    "❓ The panel gave no clear answer, so the cancellation may or may not have been "
    "requested. I won't send it again by myself — check the order card in a while."
)


# --- catalogue ---------------------------------------------------------------------------------

CATALOGUE_EMPTY = "The panel has no services to offer right now."


def categories_title(page: int, pages: int) -> str:
    return (
        f"🛒 <b>Choose a category</b> (page {page + 1}/{pages})\n"
        "…or type a service name or id to search."
    )


def services_title(category: str, page: int, pages: int) -> str:
    return (
        f"📂 <b>{esc(category)}</b> (page {page + 1}/{pages})\n"
        "Choose a service, or type to search.\n"
        "♻️ refill · ✖️ cancel · 💧 drip-feed"
    )


def search_title(query: str, found: int, page: int, pages: int) -> str:
    return f"🔎 <b>{found}</b> services match “{short(query, 40)}” (page {page + 1}/{pages})"


def search_none(query: str) -> str:
    return f"🔎 Nothing matches “{short(query, 40)}”. Try another word, or pick a category."


def service_marks(service: Service) -> str:
    marks = ""
    if service.refill:
        marks += "♻️"
    if service.cancel:
        marks += "✖️"
    if service.dripfeed:
        marks += "💧"
    return marks


def compact(value: int) -> str:
    """10000 → 10k, 1500000 → 1.5M: min–max on a button must be short."""
    for size, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k")):
        if abs(value) >= size:
            return f"{value / size:.1f}".removesuffix(".0") + suffix
    return str(value)


def service_button(service: Service) -> str:
    """Name, price per 1000, min–max and marks. Labels are plain text: no escaping."""
    name = service.name if len(service.name) <= 40 else service.name[:39] + "…"
    limits = f"{compact(service.min)}–{compact(service.max)}"
    return f"{name} · {money(service.rate)}/1k · {limits} {service_marks(service)}".strip()


def service_card(service: Service, currency: str | None) -> str:
    lines = [
        f"<b>{esc(service.name)}</b>",
        f"ID {esc(service.id)} · {esc(service.category)}",
        f"💵 {money(service.rate, currency)} per 1000",
        f"📏 {number(service.min)} – {number(service.max)}",
    ]
    features = []
    if service.refill:
        features.append("♻️ refill")
    if service.cancel:
        features.append("✖️ cancel")
    if service.dripfeed:
        features.append("💧 drip-feed")
    if features:
        lines.append(" · ".join(features))
    if service.description:
        lines.append("\n" + short(service.description, 600))
    return "\n".join(lines)


def service_unsupported(service: Service) -> str:
    return (
        f"🚫 “{esc(service.name)}” is a <i>{esc(service.type_raw)}</i> service, which can't be "
        "ordered from the bot. Please choose another service."
    )


# A type's name in "This panel can't take … through the bot".
PANEL_TYPE_NAMES: dict[ServiceType, str] = {ServiceType.SUBSCRIPTIONS: "subscriptions"}


def panel_cannot_take(service_type: ServiceType, service_name: str) -> str:
    """A type the panel cannot create through its API (SmartPanel's subscriptions)."""
    kind = PANEL_TYPE_NAMES.get(service_type, f"“{service_type.value.replace('_', ' ')}” orders")
    return (
        f"🚫 This panel can't take {kind} through the bot; order “{esc(service_name)}” on the "
        "panel's website. Please choose another service here."
    )


SERVICE_GONE = "This service is no longer in the panel's list. Please choose another one."

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
BUTTON_SKIP = "⏭ Skip"
BUTTON_CONFIRM = "✅ Confirm"
BUTTON_CHANGE = "✏️ Change"
BUTTON_ORDER_CARD = "📦 Open order"
BUTTON_NEW_ORDER = "🛒 Another order"


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


EXPECT_TEXT = "⚠️ I need a typed answer here."
EXPECT_BUTTON = "⚠️ Please choose with the buttons below."
BROWSE_EXPECTED = "⚠️ Tap a category or service below, or type a name or service id to search."
SUMMARY_EXPECTED = "⚠️ Please confirm, change or cancel with the buttons below."
IN_FLOW_COMMAND = "⚠️ You're in the middle of an order — finish this step, or /cancel first."


# --- summary and result ------------------------------------------------------------------------

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


PLACING = "⏳ Placing your order…"
ALREADY_PLACING = "⏳ This order is already being placed — one moment."
ALREADY_DONE = "This order was already handled. See /orders."


def placed(
    order_id: str, service_name: str, price: Decimal, currency: str | None, *, per_post: bool
) -> str:
    cost = f"up to {money(price, currency)} per post" if per_post else money(price, currency)
    return (
        f"✅ <b>Order placed</b>\n\n🆔 Order <code>{esc(order_id)}</code>\n"
        f"📦 {esc(service_name)}\n💵 {cost}\n\n"
        "I'll message you when its status changes."
    )


NOT_PLACED_TRY_AGAIN = (
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


CANCELLED = "Okay, cancelled. /order to start again."
NOTHING_TO_CANCEL = "There is nothing to cancel. /start shows the menu."
FLOW_CLOSED = "This order was closed. /order to start again."
TIMED_OUT = "⌛ This order was left idle, so I closed it. /order to start again."
EXPIRED = "This menu has expired."
EXPIRED_MESSAGE = "⌛ This menu has expired. Send /order to start again, or /start for the menu."
UNKNOWN_COMMAND = "I don't know that command. /help lists what I can do."
NOT_UNDERSTOOD = "I didn't understand that. /help lists what I can do, or tap a button."
ERROR_GENERIC = "⚠️ Something went wrong on my side. Please try again; your data is safe."


def operator_error_report(kind: str, trace: str, suppressed: int, window_minutes: int) -> str:
    """For the operators: one report per kind of error per window, with the count of the
    ones of that kind that were not reported since the previous report."""
    repeats = (
        f"\n{suppressed} more of this kind since the previous report (at most one report "
        f"per kind every {window_minutes} min)."
        if suppressed
        else ""
    )
    return f"⚠️ <b>Error</b> <code>{esc(kind)}</code>{repeats}\n<pre>{esc(trace[-3500:])}</pre>"


# --- order card (shared with the status push) -------------------------------------------------

STATE_EMOJI: dict[OrderState, str] = {
    OrderState.PENDING: "🕓",
    OrderState.IN_PROGRESS: "🔄",
    OrderState.PROCESSING: "🔄",
    OrderState.ACTIVE: "🔄",
    OrderState.PAUSED: "⏸",
    OrderState.COMPLETED: "✅",
    OrderState.PARTIAL: "🟡",
    OrderState.CANCELED: "🚫",
    OrderState.REFUNDED: "↩️",
    OrderState.FAILED: "❌",
    OrderState.EXPIRED: "⌛",
    OrderState.REJECTED: "❌",
    OrderState.UNKNOWN: "❔",
}


def state_emoji(state: str | None) -> str:
    try:
        return STATE_EMOJI[OrderState(state or "unknown")]
    except ValueError:
        return "❔"


def _bar(share: float, width: int) -> str:
    filled = round(share * width)
    return f"{'▓' * filled}{'░' * (width - filled)} {round(share * 100)}%"


def progress_bar(quantity: int | None, remains: int | None, width: int = 10) -> str:
    """From `remains` alone (what is left of `quantity`); over-delivery reads as 100%."""
    if not quantity or remains is None:
        return ""
    delivered = max(min(quantity - remains, quantity), 0) if remains >= 0 else quantity
    return _bar(delivered / quantity, width)


# States whose order will deliver nothing more: no bar (a "100%" would read as delivered).
_NO_BAR = frozenset(
    {
        OrderState.CANCELED,
        OrderState.REFUNDED,
        OrderState.FAILED,
        OrderState.REJECTED,
        OrderState.EXPIRED,
    }
)


def progress(state: str | None, quantity: int | None, remains: int | None, width: int = 10) -> str:
    """The bar as the status means it: Pending 0% (panels report `remains` 0 or the full
    quantity before they start), In progress from `remains`, Partial with what was delivered
    and what was not, Completed 100%, nothing for Canceled, Refunded and other dead ends."""
    try:
        known = OrderState(state or "unknown")
    except ValueError:
        known = OrderState.UNKNOWN
    if known in _NO_BAR:
        return ""
    if known is OrderState.PENDING:
        return _bar(0, width)
    if known is OrderState.COMPLETED:
        return _bar(1, width)
    bar = progress_bar(quantity, remains, width)
    if known is OrderState.PARTIAL and bar and quantity and remains is not None and remains > 0:
        missing = min(remains, quantity)
        return (
            f"{bar} · {number(quantity - missing)} of {number(quantity)} delivered, "
            f"{number(missing)} not"
        )
    return bar


def when(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    # A database in another time zone hands back aware datetimes in its zone.
    moment = moment.astimezone(UTC) if moment.tzinfo else moment
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _nameless(order: Order) -> str:
    return "📌 website order" if order.placement == Placement.TRACKED else "order"


def _orders_line(order: Order) -> str:
    if order.panel_order_id is None and order.placement == Placement.PLACING:
        return f"⏳ <i>being placed</i> {short(order.service_name or 'order', 28)}"
    if order.panel_order_id is None:  # the panel never confirmed it
        return (
            f"❓ <i>unconfirmed</i> {short(order.service_name or 'order', 28)} · "
            f"{when(order.created_at)} — check your panel"
        )
    bar = progress(order.status, order.quantity, order.remains, width=5)
    name = short(order.service_name or _nameless(order), 28)
    return (
        f"{state_emoji(order.status)} <code>{esc(order.panel_order_id)}</code> {name} · "
        f"{short(order.status_raw or '—', STATUS_LIMIT)}{' ' + bar if bar else ''}"
    )


def orders_list(orders: list[Order], page: int, pages: int) -> str:
    if not orders:
        return "📦 You have no orders yet. /order to place one."
    lines = [f"📦 <b>Your orders</b> (page {page + 1}/{pages})", ""]
    lines += [_orders_line(order) for order in orders]
    lines.append("\nTap an order to open it.")
    return "\n".join(lines)


def order_button(order: Order) -> str:
    name = order.service_name or _nameless(order)
    name = name if len(name) <= 30 else name[:29] + "…"
    return f"{state_emoji(order.status)} {order.panel_order_id} · {name}"


def remains_text(remains: int | None) -> str:
    if remains is None:
        return "unknown"
    if remains < 0:
        return f"{number(-remains)} over-delivered"
    return number(remains)


def order_card(order: Order, tasks: list[PanelTask]) -> str:
    lines = [
        f"{state_emoji(order.status)} <b>Order {esc(order.panel_order_id)}</b>",
        f"📦 {esc(order.service_name or 'Placed on the panel website')}",
    ]
    if order.link:
        lines.append(f"🔗 {short(order.link, 120)}")
    if order.quantity is not None:
        lines.append(f"🔢 Quantity: {number(order.quantity)}")
    lines.append(f"💵 Charge: {money(order.charge, order.currency)}")
    lines.append(f"▶️ Start count: {number(order.start_count)}")
    lines.append(f"⏳ Remains: {remains_text(order.remains)}")
    bar = progress(order.status, order.quantity, order.remains)
    if bar:
        lines.append(bar)
    lines.append(f"📍 Status: <b>{short(order.status_raw or '—', STATUS_LIMIT)}</b>")
    for task in tasks:
        label = "♻️ Refill" if task.kind == "refill" else "✖️ Cancel request"
        ident = f" {esc(task.panel_task_id)}" if task.panel_task_id else ""
        lines.append(f"{label}{ident}: {short(task.status_raw or '—', STATUS_LIMIT)}")
    lines.append(f"🕓 Placed: {when(order.placed_at)}")
    lines.append(f"🔄 Checked: {when(order.checked_at)}")
    return "\n".join(lines)


BUTTON_REFRESH = "🔄 Refresh"
BUTTON_REFILL = "♻️ Refill"
BUTTON_CANCEL_ORDER = "✖️ Cancel order"
BUTTON_ORDER_AGAIN = "🔁 Order again"
BUTTON_TRACK = "📌 Track"
BUTTON_UNTRACK = "📌 Stop tracking"
ORDER_NOT_FOUND = "This order is not in your list."
PANEL_FORGOT_ORDER = "The panel no longer knows this order (it answers “Incorrect order ID”)."
REFILL_UNDER_WAY = "A refill of this order is already under way."
REFILL_NOT_ALLOWED = "This order can't be refilled (the service or its status doesn't allow it)."
CANCEL_NOT_ALLOWED = "This order can't be cancelled (the service or its status doesn't allow it)."
REFILL_UNSUPPORTED = "This panel doesn't offer refills."
CANCEL_UNSUPPORTED = "This panel doesn't offer cancellations."
REFILL_NOT_NOW = (
    "♻️ Refills are not available right now. Nothing was requested — please try again later."
)
CANCEL_NOT_NOW = (
    "✖️ Cancelling is not available right now. Nothing was requested — please try again later."
)
CANCEL_ALREADY = "A cancellation was already requested for this order."
STATUS_USAGE = (
    "Send order ids after the command, e.g. <code>/status 123 456</code> (up to 1000, "
    "spaces or commas). Your orders among them are tracked: you get a message when their "
    "status changes."
)
REFILL_USAGE = "Send order ids after the command, e.g. <code>/refill 123</code> (up to 100)."


def too_many_ids(limit: int) -> str:
    return f"That's more than {limit} ids — please send at most {limit} at once."


TOO_MANY_IDS = too_many_ids(100)
NOT_AN_ID = "not an order id"
NOT_FOUND = "not found"


# Telegram's limit is 4096 characters; leave room for a title and a closing line.
MESSAGE_BUDGET = 3500


def id_report(title: str, lines: list[tuple[str, str]]) -> list[str]:
    """A per-id report, (id, already escaped text) per line, split into messages that fit."""
    rendered = [f"<code>{esc(order_id)}</code> — {text}" for order_id, text in lines]
    messages: list[str] = []
    current: list[str] = []
    for line in rendered:
        if current and len("\n".join(current)) + len(line) > MESSAGE_BUDGET:
            messages.append("\n".join(current))
            current = []
        current.append(line)
    messages.append("\n".join(current))
    if len(messages) == 1:
        return [f"{title}\n\n{messages[0]}"]
    count = len(messages)
    return [f"{title} ({i}/{count})\n\n{body}" for i, body in enumerate(messages, start=1)]


STATUS_TITLE = "📋 <b>Order status</b>"
REFILL_TITLE = "♻️ <b>Refill</b>"


def status_line(status: OrderStatus, known: Order | None) -> str:
    quantity = known.quantity if known else None
    bar = progress(status.state.value, quantity, status.remains, width=5)
    name = f"{short(known.service_name, 24)} · " if known and known.service_name else ""
    remains = f", remains {remains_text(status.remains)}" if status.remains is not None else ""
    tail = f" {bar}" if bar else ""
    word = short(status.status_raw, STATUS_LIMIT)
    return f"{state_emoji(status.state)} {name}<b>{word}</b>{remains}{tail}"


def item_error_line(message: str) -> str:
    """One id's problem in a list: the plain sentence when its kind is known."""
    known = refusal(classify_error(message))
    return f"⚠️ {sentence(known) if known is not None else short(message, 120)}"


def now_tracking(count: int) -> str:
    """Under a /status report: orders placed on the panel's website, tracked from now on."""
    them = "it" if count == 1 else "them"
    orders = "1 order" if count == 1 else f"{number(count)} orders"
    return (
        f"📌 Now tracking {orders} placed on the panel's website: you'll get a message when "
        f"{'its' if count == 1 else 'their'} status changes. See {them} in /orders "
        "(the order card has “Stop tracking”)."
    )


def status_groups(
    title: str, results: list[tuple[str, OrderStatus | None]], footer: str = ""
) -> list[str]:
    """A long /status answer: the ids grouped by status (None: not found), in as few messages
    as fit, instead of a line per id."""
    groups: dict[tuple[str, str], list[str]] = {}
    for order_id, status in results:
        head = (
            (state_emoji(status.state), f"<b>{short(status.status_raw, STATUS_LIMIT)}</b>")
            if status is not None
            else ("⚠️", NOT_FOUND)
        )
        groups.setdefault(head, []).append(esc(order_id))
    lines = [f"{title} · {number(len(results))} ids", ""]
    for (emoji, word), ids in groups.items():
        lines.append(f"{emoji} {word} ({number(len(ids))}):")
        row: list[str] = []
        for order_id in ids:
            if row and len(", ".join(row)) + len(order_id) > ID_ROW_CHARS:
                lines.append(", ".join(row) + ",")
                row = []
            row.append(order_id)
        lines.append(", ".join(row))
    if footer:
        lines += ["", footer]
    return pack_lines(lines)


ID_ROW_CHARS = 200


def pack_lines(lines: list[str], budget: int = MESSAGE_BUDGET) -> list[str]:
    """Lines joined into as few messages as fit Telegram's limit."""
    messages: list[str] = []
    current: list[str] = []
    for line in lines:
        if current and len("\n".join(current)) + len(line) + 1 > budget:
            messages.append("\n".join(current))
            current = []
        current.append(line)
    messages.append("\n".join(current))
    return messages


TRACKED = "📌 Tracking it: you'll get a message when its status changes."


def untracked(order_id: str | None) -> str:
    return (
        f"📌 Stopped tracking order <code>{esc(order_id)}</code>: no more messages about it. "
        f"<code>/status {esc(order_id)}</code> tracks it again."
    )


def refill_requested(refill_id: str | None) -> str:
    return f"requested (refill {esc(refill_id)})" if refill_id else "requested"


def cancel_requested(cancel_id: str | None) -> str:
    ident = f" (cancel {esc(cancel_id)})" if cancel_id else ""
    return f"✖️ Cancellation requested{ident}. I'll tell you when the panel answers."


PUSH_MARK = "🔔 "


def order_push(order: Order, old_status: str | None) -> str:
    before = (
        f"{state_emoji(normalize_state(old_status))} {short(old_status, STATUS_LIMIT)} → "
        if old_status
        else ""
    )
    lines = [
        f"{PUSH_MARK}<b>Order {esc(order.panel_order_id)}</b> · "
        f"{short(order.service_name or '—', 50)}",
        f"{before}{state_emoji(order.status)} <b>{short(order.status_raw, STATUS_LIMIT)}</b>",
    ]
    bar = progress(order.status, order.quantity, order.remains)
    if bar:
        lines.append(bar)
    if order.charge is not None:
        lines.append(f"💵 {money(order.charge, order.currency)}")
    return "\n".join(lines)


def task_push(task: PanelTask, old_status: str | None) -> str:
    label = "♻️ Refill" if task.kind == "refill" else "✖️ Cancel request"
    ident = f" {esc(task.panel_task_id)}" if task.panel_task_id else ""
    before = f"{short(old_status, STATUS_LIMIT)} → " if old_status else ""
    return (
        f"{PUSH_MARK}<b>{label}{ident}</b> for order <code>{esc(task.panel_order_id)}</code>\n"
        f"{before}<b>{short(task.status_raw, STATUS_LIMIT)}</b>"
    )


def push_digest(pushes: list[str], part: int = 1, parts: int = 1) -> str:
    """Several order_push/task_push texts of one user as one message (part `part` of `parts`)."""
    count = len(pushes)
    title = f"{PUSH_MARK}<b>{count} status update{'' if count == 1 else 's'}</b>"
    if parts > 1:
        title += f" ({part}/{parts})"
    return "\n\n".join([title, *(push.removeprefix(PUSH_MARK) for push in pushes)])


def push_card_button(panel_order_id: str | None) -> str:
    """A digest's button opening one order's card (plain text: buttons are not HTML)."""
    ident = panel_order_id or "?"
    return f"📋 #{ident if len(ident) <= 20 else ident[:19] + '…'}"


def notify_state(enabled: bool) -> str:
    if enabled:
        return "🔔 Status messages are <b>on</b>. /notify to mute them."
    return (
        "🔕 Status messages are <b>muted</b>. Changes are still recorded in /orders. "
        "/notify to turn them back on."
    )
