"""The order form: questions, answers checked, the summary, and what became of the order."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import format_decimal

from bot.i18n import N_, _, isolate, n_
from bot.order_fields import (
    DRIPFEED_MAX_INTERVAL,
    MAX_LINES,
    FieldKind,
    FieldSpec,
    InvalidInput,
)
from bot.panel import (
    Balance,
    PanelError,
    Service,
    ServiceType,
    classify_error,
)
from bot.texts.errors import refusal
from bot.texts.formatting import PANEL_TEXT_LIMIT, cut, esc, locale, money, number, short

# The questions, one per field the panel takes (translated where shown). A hint in brackets
# and a colon may follow ("🔢 How many? Send the quantity (10 – 1,000):").
FIELD_PROMPTS: dict[str, str] = {
    "link": N_("🔗 Send the <b>link</b>"),
    "quantity": N_("🔢 How many? Send the <b>quantity</b>"),
    "comments": N_("💬 Send the <b>comments</b>, one per line"),
    "usernames": N_("👥 Send the <b>usernames</b>, one per line"),
    "hashtags": N_("#️⃣ Send the <b>hashtags</b>, one per line"),
    # TRANSLATORS: the panel mentions the users who posted with this hashtag.
    "hashtag": N_("#️⃣ Send the <b>hashtag</b> to take usernames from"),
    # TRANSLATORS: a link to a post; the panel mentions the users who liked it.
    "media": N_("🖼 Send the <b>media link</b> whose likers to mention"),
    "keywords": N_("🔑 Send the <b>keywords</b>, one per line"),
    "groups": N_("👥 Send the <b>groups</b>, one per line"),
    "answer_number": N_("🗳 Which <b>answer number</b> of the poll?"),
    # TRANSLATORS: drip-feed: the order is delivered in several runs, some minutes apart.
    "runs": N_("💧 In how many <b>runs</b>? (2 or more)"),
    "interval": N_("⏱ <b>Interval</b> between runs, in minutes?"),
    # TRANSLATORS: a subscription: each new post of the account gets between min and max.
    "min": N_("🔢 <b>Minimum</b> quantity per post?"),
    "max": N_("🔢 <b>Maximum</b> quantity per post?"),
    # TRANSLATORS: "Skip" is the button labelled "⏭ Skip".
    "posts": N_("🆕 How many <b>new posts</b> at most? (tap Skip for no limit)"),
    "old_posts": N_("🗂 How many <b>existing posts</b> too? (tap Skip for none)"),
    "delay": N_("⏱ <b>Delay</b> before each post is served, in minutes:"),
    # TRANSLATORS: dd/mm/yyyy is the format the user types (day/month/year); it may be
    # written with the letters of your language, in the same order.
    "expiry": N_("📅 <b>Expiry date</b> as dd/mm/yyyy (tap Skip for none)"),
    "dripfeed": N_("💧 This service can be <b>spread over time</b> (drip-feed). Spread it?"),
    # TRANSLATORS: web traffic: the country the visits come from.
    "country": N_("🌍 Traffic <b>country</b> (code or name, e.g. US)"),
    "device": N_("📱 Which <b>device</b>?"),
    "type_of_traffic": N_("🚦 Which <b>type of traffic</b>?"),
    "google_keyword": N_("🔎 The <b>Google keyword</b>"),
    "referring_url": N_("🔗 The <b>referring URL</b>"),
}


USERNAME_PROMPTS: dict[ServiceType, str] = {
    ServiceType.SUBSCRIPTIONS: N_("👤 Send the <b>username</b> to subscribe to"),
    ServiceType.COMMENT_LIKES: N_("👤 <b>Username</b> of the comment's owner"),
    ServiceType.COMMENT_REPLIES: N_("👤 <b>Username</b> of the comment's owner"),
    ServiceType.MENTIONS_USER_FOLLOWERS: N_("👤 The <b>username</b> whose followers to mention"),
}


# Button labels (≤ ~30 characters); typing a label also answers the question.
CHOICE_LABELS: dict[str, dict[str, str]] = {
    "dripfeed": {
        # TRANSLATORS: button: deliver the whole order at once (not drip-fed).
        "no": N_("All at once"),
        # TRANSLATORS: button: deliver the order in several runs (drip-feed).
        "yes": N_("💧 Spread it"),
    },
    "device": {
        # TRANSLATORS: button: web traffic from desktop computers.
        "1": N_("Desktop"),
        "2": N_("Android"),
        "3": N_("iOS"),
        # TRANSLATORS: button: web traffic from phones of every kind.
        "4": N_("Mixed mobile"),
        # TRANSLATORS: button: web traffic from computers and phones.
        "5": N_("Mixed all"),
    },
    "type_of_traffic": {
        # TRANSLATORS: button: the visits seem to come from a Google search for a keyword.
        "1": N_("Google keyword"),
        # TRANSLATORS: button: the visits seem to come from a page the user names.
        "2": N_("Custom referrer"),
        # TRANSLATORS: button: the visits come with no referring page.
        "3": N_("Blank referrer"),
    },
}


def _frame(message: str, /, **parts: str) -> str:
    """A message that only arranges already-built parts (a question and its hint, a label and
    its value): translated, filled without isolating the parts (a translated sentence is not an
    embedded value; isolate embedded values yourself)."""
    translated = _(message)
    try:
        return translated.format(**parts)
    except (KeyError, IndexError, ValueError):
        return message.format(**parts)


def button_skip() -> str:
    # TRANSLATORS: button (≤ ~30 characters): leave an optional question unanswered.
    return _("⏭ Skip")


def button_confirm() -> str:
    # TRANSLATORS: button (≤ ~30 characters): place the order shown in the summary.
    return _("✅ Confirm")


def button_change() -> str:
    # TRANSLATORS: button (≤ ~30 characters): go back and change the order's answers.
    return _("✏️ Change")


def button_order_card() -> str:
    # TRANSLATORS: button (≤ ~30 characters) under the receipt: shows the order just placed.
    return _("📦 Open order")


def button_new_order() -> str:
    # TRANSLATORS: button (≤ ~30 characters): start a new order.
    return _("🛒 Another order")


def choice_label(field: str, value: str) -> str:
    label = CHOICE_LABELS.get(field, {}).get(value)
    return value if label is None else _(label)


_QUESTION_MARKS = ("?", ":", "؟", "：", "？")


def field_prompt(
    spec: FieldSpec,
    service: Service,
    answers: Mapping[str, str],
    *,
    with_name: bool = True,
    intervals: tuple[int, ...] | None = None,
) -> str:
    """`intervals`: the drip-feed intervals the panel accepts (None: unknown)."""
    if spec.name == "username":
        default = N_("👤 Send the <b>username</b>")
        base = _(USERNAME_PROMPTS.get(service.type, default))
    elif spec.name in FIELD_PROMPTS:
        base = _(FIELD_PROMPTS[spec.name])
    else:
        # TRANSLATORS: asks for a field the bot has no question for; {name} is the panel's
        # name of the field (e.g. "answer_number").
        base = _("Send <b>{name}</b>", name=esc(spec.name))
    hint = _hint(spec, service, answers, intervals)
    if hint and base.endswith(_QUESTION_MARKS):
        # TRANSLATORS: a question that ends with its own mark, and a hint after it:
        # "How many? (10 – 1,000)".
        question = _frame(N_("{question} ({hint})"), question=base, hint=hint)
    elif hint:
        # TRANSLATORS: a request and a hint, before the answer is typed:
        # "Send the link (10 – 1,000):".
        question = _frame(N_("{question} ({hint}):"), question=base, hint=hint)
    elif not base.endswith(_QUESTION_MARKS):
        # TRANSLATORS: a request, before the answer is typed: "Send the link:".
        question = _frame(N_("{question}:"), question=base)
    else:
        question = base
    if spec.kind is FieldKind.LIST:
        question = f"{question}\n{list_how()}"
    return f"<b>{esc(service.name)}</b>\n\n{question}" if with_name else question


def list_how() -> str:
    # TRANSLATORS: under a question for a list (comments, usernames); "Done" is the button
    # labelled "✅ Done".
    return _("📎 Send it in one or several messages, or as a .txt file, then tap Done.")


def button_done() -> str:
    # TRANSLATORS: button (≤ ~30 characters): the list sent in several messages is complete.
    return _("✅ Done")


def list_so_far(count: int, maximum: int) -> str:
    """The acknowledgement of a list's parts (edited in place as more come)."""
    # TRANSLATORS: after each part of a list; "Done" is the button labelled "✅ Done".
    text = n_(
        "📥 Got {count} line so far. Send more, or tap Done.",
        "📥 Got {count} lines so far. Send more, or tap Done.",
        count,
        count=number(count),
    )
    if count > maximum:
        # TRANSLATORS: the list already has more lines than the service takes.
        more = n_(
            "⚠️ That's more than this service takes (at most {maximum} line).",
            "⚠️ That's more than this service takes (at most {maximum} lines).",
            maximum,
            maximum=number(maximum),
        )
        text = f"{text}\n{more}"
    return text


def list_received(count: int) -> str:
    """The acknowledgement once the list is complete (Done, or the pause after its last part)."""
    # TRANSLATORS: a list sent in parts is complete.
    return n_("📥 Got {count} line.", "📥 Got {count} lines.", count, count=number(count))


def list_file_guessed(file_name: str, encoding: str) -> str:
    # TRANSLATORS: {encoding} is an encoding's name, e.g. Windows-1251; UTF-8 stays as it is.
    return _(
        "ℹ️ {file} is not in UTF-8: I read it as {encoding}. If the lines below look wrong, "
        "save the file as UTF-8 and send it again.",
        file=esc(short(file_name, 60)),
        encoding=esc(encoding),
    )


def list_not_text() -> str:
    return _("⚠️ Please send the list as text, or as a .txt file.")


def list_nothing_yet() -> str:
    # TRANSLATORS: short popup (≤ ~200 characters) after tapping Done before sending a list.
    return _("Send the list first: as text, or as a .txt file.")


def button_back_to_summary() -> str:
    # TRANSLATORS: button (≤ ~30 characters): back to the order's summary, nothing changed.
    return _("↩️ Back to the summary")


def edit_fields_title() -> str:
    return _("✏️ <b>What would you like to change?</b>\nThe rest of the order stays as it is.")


def edit_field_button(name: str, value: str | None) -> str:
    """A field on the list of Change: its label and its answer (short)."""
    label = _(FIELD_LABELS[name]) if name in FIELD_LABELS else name
    if value is None:  # an optional question left unanswered
        shown = "—"
    elif "\n" in value:
        count = len(value.split("\n"))
        shown = n_("{count} line", "{count} lines", count, count=number(count))
    else:
        shown = choice_label(name, value)
    # TRANSLATORS: a button (≤ ~40 characters): a field's label and its answer, shortened.
    return cut(_frame(N_("{label}: {value}"), label=label, value=shown), 40)


def edit_current(name: str, value: str | None) -> str:
    """Above the question of a field being changed: its answer so far."""
    if value is None:
        # TRANSLATORS: the question being changed was skipped before.
        return _("✏️ Now: not set.")
    if "\n" in value:
        count = len(value.split("\n"))
        # TRANSLATORS: a list being changed: what is sent now replaces it whole.
        return n_(
            "✏️ Now: {count} line. What you send replaces it.",
            "✏️ Now: {count} lines. What you send replaces it.",
            count,
            count=number(count),
        )
    return _("✏️ Now: {value}", value=isolate(short(choice_label(name, value), 200)))


def _hint(
    spec: FieldSpec,
    service: Service,
    answers: Mapping[str, str],
    intervals: tuple[int, ...] | None,
) -> str:
    """What the answer may be, shown in brackets after the question ("" for nothing)."""
    if spec.kind is FieldKind.QUANTITY:
        low = int(answers["min"]) if spec.name == "max" and "min" in answers else service.min
        # TRANSLATORS: hint: the smallest and largest quantity the service takes.
        return _("{minimum} – {maximum}", minimum=number(low), maximum=number(service.max))
    if spec.name == "runs":
        most = service.max // max(int(answers.get("quantity", "1")), 1)
        # TRANSLATORS: hint: the most runs (deliveries) this quantity allows.
        return _("at most {most}", most=number(most))
    if spec.counts_quantity:
        # TRANSLATORS: hint: how many lines (one comment or username per line) to send.
        return n_(
            "{minimum} – {maximum} line",
            "{minimum} – {maximum} lines",
            service.max,
            minimum=number(service.min),
            maximum=number(service.max),
        )
    if spec.kind is FieldKind.LIST:
        # TRANSLATORS: hint: the most lines (keywords, hashtags, usernames) a list may have.
        return n_(
            "at most {maximum} line",
            "at most {maximum} lines",
            MAX_LINES,
            maximum=number(MAX_LINES),
        )
    if spec.name == "interval":
        if intervals is not None:
            # TRANSLATORS: hint: tap one of the buttons below.
            return _("tap one")
        # TRANSLATORS: hint: tap a button below, or type a number of minutes in this range.
        return _(
            "tap one, or type {minimum} – {maximum}",
            minimum=number(1),
            maximum=number(DRIPFEED_MAX_INTERVAL),
        )
    return ""


@dataclass(frozen=True)
class Counted:
    """A message with plural forms: `count` names the parameter that chooses the form, `text`
    builds it from that count and the shown parameters (n_ with both English forms)."""

    count: str
    text: Callable[[int, dict[str, str]], str]


# Why a typed answer was refused: `InvalidInput.reason` → its message, filled with the error's
# parameters (counts shown the reader's way, text escaped).
INVALID_INPUT: dict[str, str | Counted] = {
    "number_negative": N_("The number can't be negative."),
    # TRANSLATORS: {plain} is 1000 and {grouped} 10000, written the reader's way.
    "number_not_whole": N_("Please send a whole number, like {plain} or {grouped}."),
    "number_positive": N_("Please send a number of 1 or more."),
    "number_too_big": N_("That number is far too big."),
    "quantity_range": N_("The quantity must be between {minimum} and {maximum}."),
    # TRANSLATORS: {example} is a link's start for the service's platform (https://tiktok.com/…).
    "link_invalid": N_("That's not a link. Send a full link like {example}"),
    # TRANSLATORS: {platform} is a platform's name (Instagram), {host} its site (instagram.com).
    "link_wrong_platform": N_("This service is for {platform} — please send a {host} link."),
    "list_empty": N_("The list is empty. Send at least one line."),
    "list_too_long": N_("That's too many lines (at most {maximum})."),
    "line_too_long": Counted(
        "maximum",
        lambda n, p: n_(
            "A line is too long (at most {maximum} character).",
            "A line is too long (at most {maximum} characters).",
            n,
            **p,
        ),
    ),
    # TRANSLATORS: drip-feed: {total} is the quantity per run × the runs; "Back" is a button.
    "total_range": N_(
        "In total that's {total}; this service takes {minimum} – {maximum}. "
        "Spread it over more runs, or tap Back to change the quantity."
    ),
    "lines_range": Counted(
        "count",
        lambda n, p: n_(
            "You sent {count} line; this service takes {minimum} – {maximum}.",
            "You sent {count} lines; this service takes {minimum} – {maximum}.",
            n,
            **p,
        ),
    ),
    "pieces_range": Counted(
        "count",
        # TRANSLATORS: the panel splits the comments at commas and counts each part.
        lambda n, p: n_(
            "This panel counts each comma-separated part as a comment: that's {count} "
            "comment; this service takes {minimum} – {maximum}.",
            "This panel counts each comma-separated part as a comment: that's {count} "
            "comments; this service takes {minimum} – {maximum}.",
            n,
            **p,
        ),
    ),
    "text_one_line": N_("Please send it as one line of text."),
    # TRANSLATORS: dd/mm/yyyy is the format to type (day/month/year), as in the question.
    "date_format": N_("Please send the date as dd/mm/yyyy, e.g. 31/12/2027."),
    "date_past": N_("The date must be in the future."),
    "choose_button": N_("Please choose one of the buttons."),
    "runs_range": N_("Runs must be between 2 and {maximum}."),
    "runs_total": Counted(
        "most",
        # TRANSLATORS: drip-feed: {maximum} is the service's largest total quantity.
        lambda n, p: n_(
            "Quantity × runs can be at most {maximum} — at most {most} run.",
            "Quantity × runs can be at most {maximum} — at most {most} runs.",
            n,
            **p,
        ),
    ),
    "interval_range": Counted(
        "maximum",
        lambda n, p: n_(
            "The interval must be between 1 and {maximum} minute.",
            "The interval must be between 1 and {maximum} minutes.",
            n,
            **p,
        ),
    ),
    # TRANSLATORS: {allowed} is a list of numbers: "0, 5, 10, 15".
    "interval_choice": N_("This panel takes these intervals only: {allowed} minutes."),
    "too_long": N_("That message is too long."),
    # TRANSLATORS: {maximum} is a number of megabytes.
    "file_too_big": N_(
        "That file is too big (at most {maximum} MB). Split it, or send it as text."
    ),
    "file_empty": N_("That file is empty."),
    "file_unreadable": N_("I couldn't download that file. Please send it again."),
    "file_not_text": N_("That doesn't look like a text file. Please send a .txt file."),
}


def invalid_input(error: InvalidInput) -> str:
    params = {k: number(v) if isinstance(v, int) else esc(v) for k, v in error.params.items()}
    if error.reason == "number_not_whole":
        params["plain"] = format_decimal(1000, format="#0", locale=locale())
        params["grouped"] = number(10_000)
    entry = INVALID_INPUT[error.reason]
    if isinstance(entry, Counted):
        count = error.params[entry.count]
        text = entry.text(count if isinstance(count, int) else 0, params)
    else:
        text = _(entry, **params)
    return "⚠️ " + text


def expect_text() -> str:
    return _("⚠️ I need a typed answer here.")


def expect_button() -> str:
    return _("⚠️ Please choose with the buttons below.")


def browse_expected() -> str:
    return _("⚠️ Tap a category or service below, or type a name or service id to search.")


def summary_expected() -> str:
    return _("⚠️ Please confirm, change or cancel with the buttons below.")


def in_flow_command() -> str:
    return _("⚠️ You're in the middle of an order — finish this step, or /cancel first.")


# The order summary's line labels, one per field (short: "🔗 Link: https://…").
FIELD_LABELS: dict[str, str] = {
    "link": N_("🔗 Link"),
    "quantity": N_("🔢 Quantity"),
    # TRANSLATORS: drip-feed: the number of deliveries.
    "runs": N_("💧 Runs"),
    # TRANSLATORS: drip-feed: minutes between deliveries.
    "interval": N_("⏱ Interval (min)"),
    "comments": N_("💬 Comments"),
    "usernames": N_("👥 Usernames"),
    "hashtags": N_("#️⃣ Hashtags"),
    "hashtag": N_("#️⃣ Hashtag"),
    "username": N_("👤 Username"),
    "media": N_("🖼 Media"),
    "keywords": N_("🔑 Keywords"),
    "groups": N_("👥 Groups"),
    "answer_number": N_("🗳 Answer number"),
    "min": N_("🔢 Min per post"),
    "max": N_("🔢 Max per post"),
    "posts": N_("🆕 New posts"),
    "old_posts": N_("🗂 Old posts"),
    # TRANSLATORS: a subscription: minutes before each new post is served.
    "delay": N_("⏱ Delay (min)"),
    # TRANSLATORS: a subscription's end date.
    "expiry": N_("📅 Expiry"),
    # TRANSLATORS: drip-feed: whether the order is delivered in several runs.
    "dripfeed": N_("💧 Drip-feed"),
    "country": N_("🌍 Country"),
    "device": N_("📱 Device"),
    "type_of_traffic": N_("🚦 Traffic"),
    "google_keyword": N_("🔎 Keyword"),
    "referring_url": N_("🔗 Referrer"),
}


SHOWN_LINES = 5


def _field_value(name: str, value: str) -> str:
    if "\n" in value:
        lines = value.split("\n")
        # TRANSLATORS: the summary's count of the lines (comments, usernames) sent.
        shown = [n_("{count} line", "{count} lines", len(lines), count=number(len(lines)))]
        shown += [f"  • {isolate(short(line, 80))}" for line in lines[:SHOWN_LINES]]
        if len(lines) > SHOWN_LINES:
            rest = len(lines) - SHOWN_LINES
            # TRANSLATORS: after the first lines of a list: how many more are not shown.
            more = n_("… and {count} more", "… and {count} more", rest, count=number(rest))
            shown.append(f"  {more}")
        return "\n".join(shown)
    if name in COUNTED_FIELDS and value.isascii() and value.isdigit():
        return number(int(value))  # grouped like on the card: 1,000
    return isolate(short(choice_label(name, value), 200))


# Fields holding a count: shown grouped in the reader's way.
COUNTED_FIELDS = frozenset({"quantity", "runs", "min", "max", "posts", "old_posts"})


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
    lines = [
        # TRANSLATORS: the summary's title; {service} is the service's name, {id} its id.
        _(
            "🧾 <b>Check your order</b>\n\n<b>{service}</b> (ID {id})",
            service=esc(service.name),
            id=esc(service.id),
        )
    ]
    for name, value in answers.items():
        if name == "dripfeed" or value == "":
            continue
        label = _(FIELD_LABELS[name]) if name in FIELD_LABELS else esc(name)
        # TRANSLATORS: a line of the summary: a field's label and the user's answer.
        lines.append(_frame(N_("{label}: {value}"), label=label, value=_field_value(name, value)))
    if quantity is not None and "runs" in answers:
        # TRANSLATORS: drip-feed: the quantity of all runs together.
        lines.append(_("📦 Total: {quantity}", quantity=number(quantity)))
    elif (
        quantity is not None
        and "quantity" not in answers
        and service.type
        not in {
            ServiceType.PACKAGE,
            ServiceType.CUSTOM_COMMENTS_PACKAGE,
        }
    ):
        lines.append(_("📦 Quantity: {quantity}", quantity=number(quantity)))
    if comma_split and quantity is not None:
        lines.append(
            # TRANSLATORS: the panel splits the comments at commas and counts each part.
            n_(
                "ℹ️ This panel counts each comma-separated part as a comment: {count} comment.",
                "ℹ️ This panel counts each comma-separated part as a comment: {count} comments.",
                quantity,
                count=number(quantity),
            )
        )
    if service.type is ServiceType.SUBSCRIPTIONS:
        price_line = subscription_price(price, answers.get("posts", ""), currency)
    elif "runs" in answers and answers["runs"].isdigit() and int(answers["runs"]) > 1:
        price_line = dripfeed_price(price, int(answers["runs"]), currency)
    else:
        price_line = _("💵 Price: <b>{price}</b>", price=money(price, currency))
    lines.append(f"\n{price_line}")
    if balance is not None:
        lines.append(
            _("💰 Balance: {amount}", amount=money(balance.amount, currency, spendable=True))
        )
        after = balance.amount - price
        if after < 0:
            # TRANSLATORS: {amount} is how much money is missing.
            lines.append(
                _("⚠️ <b>Not enough balance</b>: {amount} short.", amount=money(-after, currency))
            )
        elif service.type is not ServiceType.SUBSCRIPTIONS:
            # TRANSLATORS: the balance left after this order.
            lines.append(_("💰 After: {amount}", amount=money(after, currency, spendable=True)))
    else:
        lines.append(_("💰 Balance: unknown (the panel did not answer)"))
    return "\n".join(lines)


def subscription_price(per_post: Decimal, posts: str, currency: str | None) -> str:
    """A subscription's price: the most per post and, when the posts are limited, the most
    in all (max × posts)."""
    if posts.isdigit() and int(posts) > 0:
        count = int(posts)
        # TRANSLATORS: a subscription is charged for each new post: at most {price} per post,
        # so at most {total} for all {count} posts.
        return n_(
            "💵 Price: up to <b>{price}</b> per post, up to <b>{total}</b> in all ({count} post)",
            "💵 Price: up to <b>{price}</b> per post, up to <b>{total}</b> in all ({count} posts)",
            count,
            price=money(per_post, currency),
            total=money(per_post * count, currency),
            count=number(count),
        )
    # TRANSLATORS: a subscription is charged for each new post, at most this much; the posts
    # are not limited, so there is no total.
    return _(
        "💵 Price: up to <b>{price}</b> per post (no limit on posts)",
        price=money(per_post, currency),
    )


def dripfeed_price(total: Decimal, runs: int, currency: str | None) -> str:
    """A drip-feed order's price: the total of all its runs, and each run's share."""
    # TRANSLATORS: drip-feed: {total} for all {runs} runs together, {each} per run.
    return n_(
        "💵 Price: <b>{total}</b> in all ({runs} run × {each})",
        "💵 Price: <b>{total}</b> in all ({runs} runs × {each})",
        runs,
        total=money(total, currency),
        runs=number(runs),
        each=money(total / runs, currency),
    )


def placing() -> str:
    return _("⏳ Placing your order…")


def already_placing() -> str:
    return _("⏳ This order is already being placed — one moment.")


def already_done() -> str:
    return _("This order was already handled. See /orders.")


def placed(
    order_id: str, service_name: str, price: Decimal, currency: str | None, *, per_post: bool
) -> str:
    if per_post:
        # TRANSLATORS: the receipt of a subscription: {order_id} is the panel's order id,
        # {service} the service's name, {price} the most it costs per post.
        return _(
            "✅ <b>Order placed</b>\n\n🆔 Order <code>{order_id}</code>\n📦 {service}\n"
            "💵 up to {price} per post\n\nI'll message you when its status changes.",
            order_id=esc(order_id),
            service=esc(service_name),
            price=money(price, currency),
        )
    # TRANSLATORS: the receipt: {order_id} is the panel's order id, {service} the service's
    # name, {price} what it cost.
    return _(
        "✅ <b>Order placed</b>\n\n🆔 Order <code>{order_id}</code>\n📦 {service}\n"
        "💵 {price}\n\nI'll message you when its status changes.",
        order_id=esc(order_id),
        service=esc(service_name),
        price=money(price, currency),
    )


def not_placed_try_again() -> str:
    return _(
        "⚠️ The panel is not answering right now. Nothing was ordered — tap Confirm to try again."
    )


def rejected(reason: str | PanelError) -> str:
    """An order the panel refused: the plain reason when its kind is known (the reason may be
    the error or just its message), else the panel's own words."""
    error = reason if isinstance(reason, PanelError) else classify_error(reason)
    why = refusal(error) or f"<i>{short(error.message, PANEL_TEXT_LIMIT)}</i>"
    # TRANSLATORS: {why} is the reason: a sentence, or the panel's own words in italics.
    return _(
        "❌ <b>The panel refused the order</b>: {why}\n\n"
        "Nothing was charged. Change the order, or cancel.",
        why=why,
    )


def outcome_unknown() -> str:
    return _(
        "❓ <b>I couldn't confirm the order.</b> The panel gave no clear answer (a timeout or "
        "an error page), so it may or may not have been placed. "
        "I will <b>not</b> place it again by myself.\n\n"
        "Check /orders or your panel before ordering again."
    )


def outcome_unknown_attach() -> str:
    """Under outcome_unknown: how an order found on the panel takes the unconfirmed one's place."""
    # TRANSLATORS: keep the command /status as it is; 123 stands for an order id.
    return _(
        "If you find it in the panel's orders, send <code>/status 123</code> with its id: "
        "I'll put it in place of the unconfirmed one and follow it."
    )


def button_panel_orders() -> str:
    # TRANSLATORS: a button opening the customer's order list on the panel's website (at most
    # about 30 characters).
    return _("🔎 My orders on the panel")


def cancelled() -> str:
    return _("Okay, cancelled. /order to start again.")


def flow_closed() -> str:
    return _("This order was closed. /order to start again.")


def timed_out() -> str:
    return _("⌛ This order was left idle, so I closed it. /order to start again.")


# --- /start or /order with an order half filled in, and commands mid-order ----------------------


def drop_question(service_name: str) -> str:
    # TRANSLATORS: /start or /order typed while an order is half filled in; {service} is the
    # service chosen. Yes / No buttons follow.
    return _(
        "📝 Drop the order you are filling in (<b>{service}</b>)?",
        service=short(service_name, 80),
    )


def button_drop_yes() -> str:
    # TRANSLATORS: button under "Drop the order you are filling in?" (≤ 30 characters).
    return _("🗑 Yes, drop it")


def button_drop_no() -> str:
    # TRANSLATORS: button under "Drop the order you are filling in?": back to the question
    # (≤ 30 characters).
    return _("↩️ No, carry on")


def draft_dropped() -> str:
    return _("🗑 The order you were filling in was dropped.")


def still_open() -> str:
    # TRANSLATORS: after /balance, /orders, /status or /help typed mid-order, above the order's
    # current question shown again. Keep /cancel as it is.
    return _("📝 Your order is still open — carry on here, or /cancel.")
