"""What each service type asks for, how a user's answer is checked, and what an order costs.

Pure logic: no Telegram, no I/O. The ordering conversation walks `fields_for(service)` in order.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from urllib.parse import urlsplit

from bot.panel import Service, ServiceType, normalize_service_type
from bot.panel.capabilities import BOOSTEDSMM, SMARTPANEL, Capabilities

MAX_TEXT = 4000
MAX_LINE = 500
MAX_LINES = 10_000
MAX_DIGITS = 15
# fmt: off
SUBSCRIPTION_DELAYS = (0, 5, 10, 15, 30, 60, 90, 120, 150, 180, 210, 240, 270, 300, 360, 420,
                       480, 540, 600)
# fmt: on
DRIPFEED_MAX_RUNS = 1000
DRIPFEED_MAX_INTERVAL = 1440
# Offered as buttons when the panel's accepted intervals are unknown (typing still works).
COMMON_INTERVALS = (5, 10, 15, 30, 60)
UNKNOWN = Capabilities()  # every fact unknown: the seed protocol's behaviour


class FieldKind(StrEnum):
    LINK = "link"
    QUANTITY = "quantity"
    LIST = "list"
    TEXT = "text"
    NUMBER = "number"
    CHOICE = "choice"
    DATE = "date"


@dataclass(frozen=True)
class FieldSpec:
    name: str  # the panel's parameter name
    kind: FieldKind
    optional: bool = False
    choices: tuple[str, ...] = ()
    counts_quantity: bool = False  # a list whose line count is the order's quantity
    # Asked only when this returns True for the answers so far (drip-feed, web traffic).
    when: Callable[[Mapping[str, str]], bool] | None = None

    def applies(self, answers: Mapping[str, str]) -> bool:
        return self.when is None or self.when(answers)


class InvalidInput(Exception):
    """The user's answer does not fit; `reason` names a text in bot.texts, `params` fill it."""

    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = params


def _dripfeed_chosen(answers: Mapping[str, str]) -> bool:
    return answers.get("dripfeed") == "yes"


LINK = FieldSpec("link", FieldKind.LINK)
QUANTITY = FieldSpec("quantity", FieldKind.QUANTITY)

FIELDS: dict[ServiceType, tuple[FieldSpec, ...]] = {
    ServiceType.DEFAULT: (
        LINK,
        QUANTITY,
        FieldSpec("dripfeed", FieldKind.CHOICE, choices=("no", "yes")),
        FieldSpec("runs", FieldKind.NUMBER, when=_dripfeed_chosen),
        FieldSpec("interval", FieldKind.NUMBER, when=_dripfeed_chosen),
    ),
    ServiceType.SEO: (LINK, QUANTITY, FieldSpec("keywords", FieldKind.LIST)),
    ServiceType.CUSTOM_COMMENTS: (
        LINK,
        FieldSpec("comments", FieldKind.LIST, counts_quantity=True),
    ),
    ServiceType.CUSTOM_COMMENTS_PACKAGE: (LINK, FieldSpec("comments", FieldKind.LIST)),
    ServiceType.PACKAGE: (LINK,),
    ServiceType.MENTIONS_WITH_HASHTAGS: (
        LINK,
        QUANTITY,
        FieldSpec("usernames", FieldKind.LIST),
        FieldSpec("hashtags", FieldKind.LIST),
    ),
    ServiceType.MENTIONS_CUSTOM_LIST: (
        LINK,
        FieldSpec("usernames", FieldKind.LIST, counts_quantity=True),
    ),
    ServiceType.MENTIONS_HASHTAG: (LINK, QUANTITY, FieldSpec("hashtag", FieldKind.TEXT)),
    ServiceType.MENTIONS_USER_FOLLOWERS: (LINK, QUANTITY, FieldSpec("username", FieldKind.TEXT)),
    ServiceType.MENTIONS_MEDIA_LIKERS: (LINK, QUANTITY, FieldSpec("media", FieldKind.LINK)),
    ServiceType.MENTIONS: (LINK, QUANTITY, FieldSpec("usernames", FieldKind.LIST)),
    ServiceType.COMMENT_LIKES: (LINK, QUANTITY, FieldSpec("username", FieldKind.TEXT)),
    ServiceType.COMMENT_REPLIES: (
        LINK,
        FieldSpec("username", FieldKind.TEXT),
        FieldSpec("comments", FieldKind.LIST, counts_quantity=True),
    ),
    ServiceType.POLL: (LINK, QUANTITY, FieldSpec("answer_number", FieldKind.NUMBER)),
    ServiceType.INVITES_FROM_GROUPS: (LINK, QUANTITY, FieldSpec("groups", FieldKind.LIST)),
    ServiceType.WEB_TRAFFIC: (
        LINK,
        QUANTITY,
        FieldSpec("country", FieldKind.TEXT),
        FieldSpec("device", FieldKind.CHOICE, choices=("1", "2", "3", "4", "5")),
        FieldSpec("type_of_traffic", FieldKind.CHOICE, choices=("1", "2", "3")),
        FieldSpec(
            "google_keyword", FieldKind.TEXT, when=lambda a: a.get("type_of_traffic") == "1"
        ),
        FieldSpec("referring_url", FieldKind.LINK, when=lambda a: a.get("type_of_traffic") == "2"),
    ),
    ServiceType.SUBSCRIPTIONS: (
        FieldSpec("username", FieldKind.TEXT),
        FieldSpec("min", FieldKind.QUANTITY),
        FieldSpec("max", FieldKind.QUANTITY),
        FieldSpec("posts", FieldKind.NUMBER, optional=True),
        FieldSpec("old_posts", FieldKind.NUMBER, optional=True),
        FieldSpec("delay", FieldKind.CHOICE, choices=tuple(str(d) for d in SUBSCRIPTION_DELAYS)),
        FieldSpec("expiry", FieldKind.DATE, optional=True),
    ),
}

FLAT_PRICE_TYPES = frozenset({ServiceType.PACKAGE, ServiceType.CUSTOM_COMMENTS_PACKAGE})


def fields_for(service: Service) -> tuple[FieldSpec, ...] | None:
    """The fields to ask, or None when the bot cannot order this type."""
    fields = FIELDS.get(service.type)
    if fields is None:
        return None
    if service.type is ServiceType.DEFAULT and not service.dripfeed:
        return tuple(f for f in fields if f.name not in {"dripfeed", "runs", "interval"})
    return fields


def refused_types(capabilities: Capabilities = UNKNOWN) -> frozenset[ServiceType]:
    """Types this panel cannot create through its API: those it refused (remembered in its
    capabilities), and SmartPanel's subscriptions, whose form it reads as a Default order's
    (it wants a link and a quantity, S11/S12)."""
    refused = frozenset(normalize_service_type(name) for name in capabilities.refused_types)
    if capabilities.dialect == SMARTPANEL:
        return refused | {ServiceType.SUBSCRIPTIONS}
    return refused


def field_choices(spec: FieldSpec, capabilities: Capabilities = UNKNOWN) -> tuple[str, ...]:
    """The values offered as buttons: a choice's values, or for the drip-feed interval the
    values the panel accepts (a few common ones while unknown, typing still works)."""
    if spec.name == "interval":
        intervals = capabilities.dripfeed_intervals
        return tuple(str(value) for value in (intervals or COMMON_INTERVALS))
    return spec.choices


def next_field(
    fields: tuple[FieldSpec, ...],
    answers: Mapping[str, str],
    skipped: frozenset[str] = frozenset(),
) -> FieldSpec | None:
    for spec in fields:
        if spec.name in answers or spec.name in skipped or not spec.applies(answers):
            continue
        return spec
    return None


# --- parsing one answer ------------------------------------------------------------------------

# What people type between digit groups: spaces (also the no-break and thin ones phones and
# Russian keyboards insert), apostrophes, underscores, the Arabic thousands sign and Arabic
# comma, and "," or "." (10,000 in English, 10.000 in Spanish, Portuguese, Turkish, Indonesian).
# A number in exact groups of three is thousands in every language: "10.5" or "1,5" is never
# read as a whole number, and a typed quantity is shown back on the summary before Confirm.
_GROUP_SIGNS = " \u00a0\u202f\u2009'\u2019_,.\u066c\u060c"
_DIGIT_GROUPS = re.compile(
    rf"\d{{1,3}}(?P<sign>[{_GROUP_SIGNS}])\d{{3}}(?:(?P=sign)\d{{3}})*"
    # Indian grouping (Hindi, and English in India): 1,00,000 and 12,34,567.
    rf"|\d{{1,2}}(?P<indian>[{_GROUP_SIGNS}])(?:\d{{2}}(?P=indian))*\d{{3}}"
)
_SPACES = re.compile(r"[ \u00a0\u202f\u2009]")
# Direction marks an Arabic or Hebrew keyboard (or a copied RTL text) puts around numbers.
_BIDI_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u061c\u2066\u2067\u2068\u2069"))
_MINUS_SIGNS = ("-", "\u2212")


def ascii_digits(text: str) -> str:
    """Digits of any script (Arabic-Indic ١٢٣, Persian ۱۲۳, Devanagari १२३, full-width) as
    0-9, direction marks dropped; everything else kept."""
    text = text.translate(_BIDI_MARKS)
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


# Services whose name or category names a platform take links of that platform only.
PLATFORM_HOSTS: dict[str, tuple[str, ...]] = {
    "instagram": ("instagram.com", "instagr.am"),
    "tiktok": ("tiktok.com",),
    "youtube": ("youtube.com", "youtu.be"),
    "facebook": ("facebook.com", "fb.com", "fb.watch"),
    "twitter": ("twitter.com", "x.com"),
    "telegram": ("t.me", "telegram.me", "telegram.org"),
    "spotify": ("spotify.com",),
    "twitch": ("twitch.tv",),
    "linkedin": ("linkedin.com",),
    "threads": ("threads.net", "threads.com"),
}


def parse_whole_number(text: str) -> int:
    """Digits of any script, optionally grouped in thousands the way the reader writes them
    ("10 000", "10,000", "10.000", "10٬000", "١٠٠٠٠"); nothing else."""
    cleaned = ascii_digits(text.strip()).strip()
    if cleaned.startswith(_MINUS_SIGNS):
        raise InvalidInput("number_negative")
    if sum(c.isdigit() for c in cleaned) > MAX_DIGITS:  # also keeps int() off huge strings
        raise InvalidInput("number_too_big")
    if cleaned.isdigit() and cleaned.isascii():
        return int(cleaned)
    # One kind of sign throughout: "1,000.000" is not a whole number; spaces count as one kind.
    if _DIGIT_GROUPS.fullmatch(_SPACES.sub(" ", cleaned)):
        return int(re.sub(r"\D", "", cleaned))
    raise InvalidInput("number_not_whole")


def parse_quantity(text: str, minimum: int, maximum: int) -> int:
    value = parse_whole_number(text)
    if not minimum <= value <= maximum:
        raise InvalidInput("quantity_range", minimum=minimum, maximum=maximum)
    return value


def parse_link(text: str, service: Service | None = None) -> str:
    # A link copied from a right-to-left message may carry invisible direction marks.
    link = text.translate(_BIDI_MARKS).strip()
    platform = service_platform(service) if service is not None else None
    # The example is the service's own platform's (an Instagram one only for Instagram).
    example = f"https://{PLATFORM_HOSTS[platform][0]}/…" if platform else "https://example.com/…"
    if not link or len(link) > 2000 or any(c.isspace() for c in link):
        raise InvalidInput("link_invalid", example=example)
    if "://" not in link:
        link = "https://" + link
    parts = urlsplit(link)
    host = (parts.hostname or "").lower()
    if parts.scheme not in {"http", "https"} or "." not in host or host.endswith("."):
        raise InvalidInput("link_invalid", example=example)
    if platform is not None:
        hosts = PLATFORM_HOSTS[platform]
        if not any(host == h or host.endswith("." + h) for h in hosts):
            raise InvalidInput("link_wrong_platform", platform=platform.title(), host=hosts[0])
    return link


def service_platform(service: Service) -> str | None:
    words = re.findall(r"[a-z]+", f"{service.name} {service.category}".lower())
    found = [platform for platform in PLATFORM_HOSTS if platform in words]
    return found[0] if len(found) == 1 else None


# Usernames may come as "@alice, @bob, carol": split on commas and whitespace as well.
_USERNAME_SEPARATORS = re.compile(r"[\s,;\u060c\uff0c]+")
LIST_FILE_MAX_BYTES = 1024 * 1024  # a .txt list file: at most 1 MB


def list_part(name: str, text: str) -> list[str]:
    """The items of one part of a list answer (a message or a file), blanks left out: one per
    line; usernames also split at commas and spaces, without their "@"."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    if name == "usernames":
        pieces = (piece for line in lines for piece in _USERNAME_SEPARATORS.split(line))
        lines = [piece.lstrip("@") for piece in pieces]
    return [line for line in lines if line]


def check_list(lines: list[str], maximum: int = MAX_LINES) -> str:
    """A collected list, checked as a whole: the value sent to the panel (one per line)."""
    if not lines:
        raise InvalidInput("list_empty")
    if len(lines) > maximum:
        raise InvalidInput("list_too_long", maximum=maximum)
    if any(len(line) > MAX_LINE for line in lines):
        raise InvalidInput("line_too_long", maximum=MAX_LINE)
    return "\n".join(lines)


def list_maximum(spec: FieldSpec, service: Service) -> int:
    """The most items a list answer may have: the service's maximum where the lines are the
    quantity, else the bot's own limit."""
    return min(service.max, MAX_LINES) if spec.counts_quantity else MAX_LINES


def decode_list_file(data: bytes) -> tuple[str, str | None]:
    """A .txt list file's text, and the encoding it was guessed to be in (None for UTF-8 or
    a marked UTF-16, which need no note): UTF-8 (with or without its mark), UTF-16 with its
    mark, else Windows-1251 (Cyrillic), else Latin-1."""
    if len(data) > LIST_FILE_MAX_BYTES:
        raise InvalidInput("file_too_big", maximum=LIST_FILE_MAX_BYTES // (1024 * 1024))
    guessed: str | None = None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise InvalidInput("file_not_text") from None
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text, guessed = data.decode("cp1251"), "Windows-1251"
            except UnicodeDecodeError:
                text, guessed = data.decode("latin-1"), "Latin-1"
    if "\x00" in text:  # a binary file named .txt, or UTF-16 without its mark
        raise InvalidInput("file_not_text")
    if not text.strip():
        raise InvalidInput("file_empty")
    return text, guessed


def parse_text(text: str) -> str:
    value = text.strip()
    if not value or "\n" in value:
        raise InvalidInput("text_one_line")
    if len(value) > MAX_LINE:
        raise InvalidInput("line_too_long", maximum=MAX_LINE)
    return value


# dd/mm/yyyy, dd.mm.yyyy or dd-mm-yyyy (one separator): day first, as the question asks.
_DAY_FIRST = re.compile(
    r"(?P<day>\d{1,2})(?P<sign>[/.-])(?P<month>\d{1,2})(?P=sign)(?P<year>\d{4})"
)


def parse_expiry(text: str, today: date | None = None) -> str:
    """A future date typed day first (31/12/2027, 31.12.2027, 31-12-2027, in any script's
    digits); the panel is sent dd/mm/yyyy."""
    typed = ascii_digits(text.strip()).strip()
    found = _DAY_FIRST.fullmatch(typed)
    if found is None:
        raise InvalidInput("date_format")
    try:
        when = date(int(found["year"]), int(found["month"]), int(found["day"]))
    except ValueError:
        raise InvalidInput("date_format") from None
    if when <= (today or date.today()):
        raise InvalidInput("date_past")
    return when.strftime("%d/%m/%Y")


def parse_answer(
    spec: FieldSpec,
    text: str,
    service: Service,
    answers: Mapping[str, str],
    capabilities: Capabilities = UNKNOWN,
) -> str:
    """Check one typed answer; returns the value to send to the panel (lists joined by \\n)."""
    if len(text) > MAX_TEXT * 3:
        raise InvalidInput("too_long")
    if spec.kind is FieldKind.LINK:
        # `media` and `referring_url` are links to other pages, not the service's platform.
        return parse_link(text, service if spec.name == "link" else None)
    if spec.kind is FieldKind.LIST:
        return check_list(list_part(spec.name, text))
    if spec.kind is FieldKind.TEXT:
        value = parse_text(text)
        return value.lstrip("@") if spec.name == "username" else value
    if spec.kind is FieldKind.DATE:
        return parse_expiry(text)
    if spec.kind is FieldKind.CHOICE:
        value = text.strip()
        if value not in spec.choices:
            raise InvalidInput("choose_button")
        return value
    if spec.kind is FieldKind.QUANTITY:
        if service.type is ServiceType.SUBSCRIPTIONS and spec.name == "max":
            low = int(answers.get("min", service.min))
            return str(parse_quantity(text, low, service.max))
        if offers_dripfeed(service):
            # Per run: the total (quantity × runs) is what must fit min–max.
            return str(parse_quantity(text, 1, service.max))
        return str(parse_quantity(text, service.min, service.max))
    return str(_parse_number_field(spec.name, text, service, answers, capabilities))


def offers_dripfeed(service: Service) -> bool:
    return service.type is ServiceType.DEFAULT and bool(service.dripfeed)


def _parse_number_field(
    name: str,
    text: str,
    service: Service,
    answers: Mapping[str, str],
    capabilities: Capabilities = UNKNOWN,
) -> int:
    value = parse_whole_number(text)
    if name == "runs":
        quantity = int(answers["quantity"])
        if value < 2 or value > DRIPFEED_MAX_RUNS:
            raise InvalidInput("runs_range", maximum=DRIPFEED_MAX_RUNS)
        if quantity * value > service.max:
            raise InvalidInput("runs_total", maximum=service.max, most=service.max // quantity)
    elif name == "interval":
        allowed = capabilities.dripfeed_intervals
        if allowed is not None:
            if value not in allowed:
                listed = ", ".join(str(v) for v in allowed)
                raise InvalidInput("interval_choice", allowed=listed)
        elif not 1 <= value <= DRIPFEED_MAX_INTERVAL:
            raise InvalidInput("interval_range", maximum=DRIPFEED_MAX_INTERVAL)
    elif name == "answer_number" and value < 1:
        raise InvalidInput("number_positive")
    return value


# --- what the order is ------------------------------------------------------------------------

# The list fields whose count is the order's quantity, and the fact saying the panel needs that
# count sent as `quantity` (None: unknown; it is sent then, which seed panels ignore).
_COUNT_FACTS: dict[ServiceType, str] = {
    ServiceType.CUSTOM_COMMENTS: "comments_need_quantity",
    ServiceType.COMMENT_REPLIES: "comments_need_quantity",
    ServiceType.MENTIONS_CUSTOM_LIST: "list_needs_quantity",
}


def list_items(name: str, value: str, capabilities: Capabilities = UNKNOWN) -> list[str]:
    """The items the panel will count in a list answer: its lines, and for comments on a
    comma-splitting panel (SmartPanel, S07) each comma-separated piece of them."""
    lines = value.split("\n")
    if name != "comments" or not capabilities.comments_split_on_commas:
        return lines
    return [piece.strip() for line in lines for piece in line.split(",") if piece.strip()]


def splits_comments(
    service: Service, answers: Mapping[str, str], capabilities: Capabilities = UNKNOWN
) -> bool:
    """True when the panel will count these comments differently from their lines."""
    value = answers.get("comments")
    if value is None or not any(spec.counts_quantity for spec in fields_for(service) or ()):
        return False
    return len(list_items("comments", value, capabilities)) != len(value.split("\n"))


def order_quantity(
    service: Service, answers: Mapping[str, str], capabilities: Capabilities = UNKNOWN
) -> int | None:
    """Units the panel will deliver (drip-feed: per run × runs); None for subscriptions."""
    for spec in fields_for(service) or ():
        if spec.counts_quantity and spec.name in answers:
            return len(list_items(spec.name, answers[spec.name], capabilities))
    if "quantity" in answers:
        return int(answers["quantity"]) * int(answers.get("runs", "1"))
    if service.type in FLAT_PRICE_TYPES:
        return 1
    return None


def order_price(
    service: Service, answers: Mapping[str, str], capabilities: Capabilities = UNKNOWN
) -> Decimal:
    """Rate is per 1000 units; packages cost their flat rate (BoostedSMM charges packages like
    any order, rate × quantity / 1000, and the bot sends quantity 1: B09, B31); subscriptions:
    per post, at max."""
    if service.type in FLAT_PRICE_TYPES and capabilities.dialect == BOOSTEDSMM:
        return service.rate / 1000
    if service.type in FLAT_PRICE_TYPES:
        return service.rate
    if service.type is ServiceType.SUBSCRIPTIONS:
        return service.rate * int(answers.get("max", service.max)) / 1000
    quantity = order_quantity(service, answers, capabilities) or 0
    return service.rate * quantity / 1000


def panel_fields(
    service: Service, answers: Mapping[str, str], capabilities: Capabilities = UNKNOWN
) -> dict[str, str]:
    """The `add` parameters: answers minus our own choices, optional blanks left out, and
    `quantity` where the panel needs it (SmartPanel and BoostedSMM refuse packages and lists
    without it, S08–S10, S14, B06–B09): 1 for a package, the count for a list. Seed panels
    ignore it, so it is sent unless the panel is known not to need it."""
    fields = {k: v for k, v in answers.items() if k != "dripfeed" and v != ""}
    if service.type in FLAT_PRICE_TYPES:
        if capabilities.package_needs_quantity is not False:
            fields["quantity"] = "1"
    elif service.type in _COUNT_FACTS:
        needed = getattr(capabilities, _COUNT_FACTS[service.type])
        quantity = order_quantity(service, answers, capabilities)
        if needed is not False and quantity is not None:
            fields["quantity"] = str(quantity)
    return fields


def quantity_problem(
    service: Service, answers: Mapping[str, str], capabilities: Capabilities = UNKNOWN
) -> InvalidInput | None:
    """Totals checked against min–max once they are known: line-counted quantities when the
    list is in, drip-feed totals once the user chose to spread it (or not)."""
    decided = answers.get("dripfeed") == "no" or "runs" in answers
    if offers_dripfeed(service) and "quantity" in answers and decided:
        total = int(answers["quantity"]) * int(answers.get("runs", "1"))
        if not service.min <= total <= service.max:
            return InvalidInput(
                "total_range", total=total, minimum=service.min, maximum=service.max
            )
    for spec in fields_for(service) or ():
        if spec.counts_quantity and spec.name in answers:
            count = len(list_items(spec.name, answers[spec.name], capabilities))
            if not service.min <= count <= service.max:
                split = count != len(answers[spec.name].split("\n"))
                return InvalidInput(
                    "pieces_range" if split else "lines_range",
                    count=count,
                    minimum=service.min,
                    maximum=service.max,
                )
    return None


def recheck(
    service: Service, answers: Mapping[str, str], capabilities: Capabilities = UNKNOWN
) -> tuple[dict[str, str], InvalidInput | None]:
    """After one answer changed (an edit from the summary): the answers that still hold, in
    the form's order, and why the first dropped one no longer fits. An answer is dropped when
    its question no longer applies (drip-feed turned off: runs, interval) or no longer accepts
    it (runs for a larger quantity, a maximum under a new minimum): that question is asked
    again. Lists and choices depend on no other answer and are kept as they are."""
    kept: dict[str, str] = {}
    problem: InvalidInput | None = None
    for spec in fields_for(service) or ():
        if spec.name not in answers or not spec.applies(kept):
            continue
        value = answers[spec.name]
        if spec.kind not in {FieldKind.LIST, FieldKind.CHOICE}:
            try:
                value = parse_answer(spec, value, service, kept, capabilities)
            except InvalidInput as error:
                problem = problem or error
                continue
        kept[spec.name] = value
    return kept, problem
