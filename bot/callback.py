"""The one codec for inline-button data: `prefix:action[:arg…]`, at most 64 bytes, and the one
register of every button the bot draws.

Each prefix is declared once here (`Prefix`, owned by one feature), and each button once under
it (`Button`: its action and the shapes of its arguments). Handlers and keyboards use these
objects only: `CARD_OPEN.data(17)` builds the data (refusing arguments its own pattern would
refuse), `CARD_OPEN.pattern()` is the handler's pattern, `CARD_OPEN.parse(data)` reads it. No
bare prefix string appears anywhere else, so a flow's stale-button fallback is derived from the
register (`leftover_of(ORDER)`: this flow's own buttons and data of no known prefix).

Data carries ids only (never in-memory objects), so buttons on pushed messages keep working
after a restart.

Button data comes from the client and can be forged (any string up to 64 bytes). A handler
declares the shape of its arguments when it is registered (`pattern(…, args=(ROW_ID,))`);
data that does not fit — 25 nines, 2^63, a negative number, letters, a Unicode digit — matches
no handler and reaches the catch-all that answers "this menu has expired". The typed accessor
`int_arg` checks the same ranges, so a handler never sees a number the database cannot hold.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

MAX_BYTES = 64
SEPARATOR = ":"

MAX_ROW_ID = 2**63 - 1  # a database id (BIGINT on PostgreSQL, INTEGER on SQLite)
MAX_PAGE = 10_000
MAX_INDEX = 10_000

_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")  # str.isdigit() would accept "²" and "٣"


class InvalidCallbackData(ValueError):
    """Button data that no button of ours carries (forged, or from an older version)."""


@dataclass(frozen=True)
class IntArg:
    """A whole number in [low, high], written in ASCII digits."""

    low: int
    high: int

    def parse(self, raw: str) -> int | None:
        if not _ASCII_DIGITS.fullmatch(raw):
            return None
        value = int(raw)
        return value if self.low <= value <= self.high else None

    def accepts(self, raw: str) -> bool:
        return self.parse(raw) is not None


@dataclass(frozen=True)
class TextArg:
    """A string of a given shape (matched whole)."""

    shape: str

    def accepts(self, raw: str) -> bool:
        return re.fullmatch(self.shape, raw) is not None


Arg = IntArg | TextArg

ROW_ID = IntArg(1, MAX_ROW_ID)
PAGE = IntArg(0, MAX_PAGE)
INDEX = IntArg(0, MAX_INDEX)
PANEL_ORDER_ID = TextArg(r"[0-9]{1,40}")  # opaque, but always digits on the panels we know
ANY = TextArg(r".+")


@dataclass(frozen=True)
class CallbackData:
    prefix: str
    action: str
    args: tuple[str, ...] = ()

    def arg(self, index: int, default: str = "") -> str:
        return self.args[index] if index < len(self.args) else default

    def int_arg(self, index: int, spec: IntArg = ROW_ID, default: int | None = None) -> int:
        """The argument as a number within `spec`; `default` when it is absent (if given).
        Anything else raises InvalidCallbackData (the handler's pattern refuses it first)."""
        if index >= len(self.args):
            if default is None:
                raise InvalidCallbackData(f"argument {index} missing")
            return default
        value = spec.parse(self.args[index])
        if value is None:
            raise InvalidCallbackData(f"argument {index} out of range")
        return value


def build(prefix: str, action: str, *args: object) -> str:
    parts = [prefix, action, *(str(arg) for arg in args)]
    if any(SEPARATOR in part for part in parts[:2]):
        raise ValueError("prefix and action must not contain ':'")
    data = SEPARATOR.join(parts)
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data longer than {MAX_BYTES} bytes: {data!r}")
    return data


def parse(data: str | None) -> CallbackData | None:
    if not data:
        return None
    prefix, _, rest = data.partition(SEPARATOR)
    action, _, tail = rest.partition(SEPARATOR)
    if not prefix or not action:
        return None
    return CallbackData(prefix, action, tuple(tail.split(SEPARATOR)) if tail else ())


def fits(data: CallbackData, args: Sequence[Arg], required: int | None = None) -> bool:
    """Between `required` (default: all) and len(args) arguments, each of its declared shape."""
    required = len(args) if required is None else required
    if not required <= len(data.args) <= len(args):
        return False
    return all(spec.accepts(raw) for spec, raw in zip(args, data.args, strict=False))


def pattern(
    prefix: str, *actions: str, args: Sequence[Arg] | None = None, required: int | None = None
) -> Callable[[object], bool]:
    """A handler's pattern: `prefix:(a|b)` and, when `args` is given, arguments of those shapes
    (see `fits`). Without `args` the arguments are not looked at."""
    choice = "|".join(re.escape(action) for action in actions) if actions else r"[^:]+"
    head = re.compile(rf"^{re.escape(prefix)}:({choice})(:|$)")
    shapes = tuple(args) if args is not None else None

    def matches(data: object) -> bool:
        if not isinstance(data, str) or not head.match(data):
            return False
        if shapes is None:
            return True
        parsed = parse(data)
        return parsed is not None and fits(parsed, shapes, required)

    return matches


def any_of(*patterns: Callable[[object], bool]) -> Callable[[object], bool]:
    """One handler for several buttons."""

    def matches(data: object) -> bool:
        return any(pattern(data) for pattern in patterns)

    return matches


# --- the register ------------------------------------------------------------------------------

_PREFIXES: dict[str, Prefix] = {}
_BUTTONS: dict[tuple[str, str], Button] = {}


@dataclass(frozen=True)
class Prefix:
    """A feature's first field of button data. Declared once, through `register_prefix`."""

    code: str
    owner: str  # the feature (handler module) that answers these buttons

    def __str__(self) -> str:
        return self.code

    def owns(self, data: object) -> bool:
        """Whether button data is one of this feature's (any action, any arguments)."""
        return isinstance(data, str) and data.partition(SEPARATOR)[0] == self.code

    def button(self, action: str, *args: Arg, required: int | None = None) -> Button:
        """Declare one of this feature's buttons (each action once per prefix)."""
        key = (self.code, action)
        if key in _BUTTONS:
            raise ValueError(f"button {self.code}:{action} declared twice")
        declared = Button(self, action, tuple(args), required)
        _BUTTONS[key] = declared
        return declared


@dataclass(frozen=True)
class Button:
    """One kind of button: `prefix:action` and the shapes of its arguments (the first
    `required` of them must be there; all by default)."""

    prefix: Prefix
    action: str
    args: tuple[Arg, ...] = ()
    required: int | None = None
    _pattern: Callable[[object], bool] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if SEPARATOR in self.action or not self.action:
            raise ValueError(f"bad action {self.action!r}")
        matches = pattern(self.prefix.code, self.action, args=self.args, required=self.required)
        object.__setattr__(self, "_pattern", matches)

    def data(self, *args: int | str) -> str:
        """The button's data; arguments its own pattern would refuse raise ValueError (a bug
        of ours, never the user's), as does data over 64 bytes."""
        built = build(self.prefix.code, self.action, *args)
        if not self._pattern(built):
            raise ValueError(f"arguments {args!r} do not fit {self.prefix.code}:{self.action}")
        return built

    def pattern(self) -> Callable[[object], bool]:
        """For the handler: this button's data, arguments of the declared shapes only."""
        return self._pattern

    def parse(self, data: object) -> CallbackData | None:
        """The data if it is this button's (shapes checked), else None."""
        if not isinstance(data, str) or not self._pattern(data):
            return None
        return parse(data)


def register_prefix(code: str, owner: str) -> Prefix:
    if not code or SEPARATOR in code:
        raise ValueError(f"bad prefix {code!r}")
    if code in _PREFIXES:
        raise ValueError(f"prefix {code!r} already belongs to {_PREFIXES[code].owner}")
    prefix = _PREFIXES[code] = Prefix(code, owner)
    return prefix


def prefixes() -> tuple[Prefix, ...]:
    return tuple(_PREFIXES.values())


def buttons() -> tuple[Button, ...]:
    return tuple(_BUTTONS.values())


def leftover_of(owner: Prefix) -> Callable[[object], bool]:
    """A flow's stale-button fallback: data of `owner` (a button of an earlier step) or of no
    registered prefix (forged, or from an older version). Every other feature's buttons are
    left to their own handlers, so they keep working while the flow is open."""
    others = frozenset(code for code in _PREFIXES if code != owner.code)

    def matches(data: object) -> bool:
        if not isinstance(data, str):
            return False
        return data.partition(SEPARATOR)[0] not in others

    return matches


LIST_MARK = "l"  # the card was opened from the list (it replaces the list)
FROM_LIST = TextArg(LIST_MARK)
FIELD_NAME = TextArg(r"[a-z0-9_]{1,40}")
VALUE = ANY

# Every prefix, once.
MENU = register_prefix("m", "the main menu (answered by the flow each item opens)")
ORDERS = register_prefix("c", "orders and the order card (handlers/orders.py)")
KEY = register_prefix("k", "the API key (handlers/key.py)")
ORDER = register_prefix("o", "the ordering conversation (handlers/order/)")
SETTINGS = register_prefix("s", "language and time zone (handlers/settings.py)")
CONSOLE = register_prefix("a", "the operators' console (handlers/admin/)")
MASS = register_prefix("ms", "mass orders (handlers/mass.py)")

MENU_ORDER = MENU.button("order")
MENU_ORDERS = MENU.button("orders")
MENU_BALANCE = MENU.button("balance")
MENU_KEY = MENU.button("key")
MENU_HELP = MENU.button("help")

KEY_REMOVE = KEY.button("remove")  # asks first (below)
KEY_REMOVE_YES = KEY.button("rmyes")
KEY_REMOVE_NO = KEY.button("rmno")

LANGUAGE_CODE = TextArg(r"[A-Za-z]{2,3}(?:_[A-Za-z0-9]{2,8})?")
ZONE_NAME = TextArg(r"[A-Za-z][A-Za-z0-9_+\-/]{0,58}")
SETTINGS_HOME = SETTINGS.button("home")
SETTINGS_LANGUAGES = SETTINGS.button("langs")
SETTINGS_ZONES = SETTINGS.button("zones")
SETTINGS_LANGUAGE = SETTINGS.button("lang", LANGUAGE_CODE)  # a code, maybe no longer offered
SETTINGS_ZONE = SETTINGS.button("tz", ZONE_NAME)  # an IANA name

# /orders: a page, of all orders or only the running or the finished ones.
ORDERS_SHOWN = TextArg("all|active|done")
ORDERS_PAGE = ORDERS.button("list", PAGE, ORDERS_SHOWN, required=1)
# From the list the card carries the list's page, so its Back returns there.
CARD_OPEN = ORDERS.button("open", ROW_ID, FROM_LIST, PAGE, required=1)
CARD_REFRESH = ORDERS.button("ref", ROW_ID)
CARD_REFILL = ORDERS.button("rf", ROW_ID)
CARD_CANCEL = ORDERS.button("cx", ROW_ID)  # asks first (below)
CARD_CANCEL_YES = ORDERS.button("cxyes", ROW_ID)
CARD_CANCEL_NO = ORDERS.button("cxno", ROW_ID)
CARD_AGAIN = ORDERS.button("again", ROW_ID)  # answered by the ordering conversation
CARD_TRACK = ORDERS.button("track", PANEL_ORDER_ID)  # on /status answers of older versions
CARD_UNTRACK = ORDERS.button("untrack", ROW_ID)
# An order found by /status (its new row) takes an unknown outcome's place (that row).
CARD_ATTACH = ORDERS.button("at", ROW_ID, ROW_ID)
NOTIFY_SWITCH = TextArg("on|off")
NOTIFY_SET = ORDERS.button("notify", NOTIFY_SWITCH)  # /notify: status messages on or off

ORDER_CATEGORIES = ORDER.button("cats", PAGE)  # the catalogue's top: platforms or categories
ORDER_PLATFORM = ORDER.button("pf", INDEX, PAGE)  # a page of one platform's categories
ORDER_CATEGORY = ORDER.button("c", INDEX, PAGE)  # a page of one category's services
ORDER_MORE = ORDER.button("more", ANY)  # the card's whole description, by the service's id
ORDER_SEARCH = ORDER.button("sr", PAGE)  # a page of search results
ORDER_SERVICE = ORDER.button("s", ANY)  # a service, by the panel's id
ORDER_CHOICE = ORDER.button("ch", FIELD_NAME, VALUE)  # a choice, naming its question
ORDER_SKIP = ORDER.button("skip", FIELD_NAME)  # Skip, naming its question
ORDER_BACK = ORDER.button("back")
ORDER_CONFIRM = ORDER.button("ok", ROW_ID)  # the draft row
ORDER_CHANGE = ORDER.button("edit")  # the summary's Change: the fields to pick from
ORDER_EDIT_FIELD = ORDER.button("ef", FIELD_NAME)  # change this one field
ORDER_SUMMARY = ORDER.button("sum")  # back to the summary, nothing changed
ORDER_DONE = ORDER.button("done", FIELD_NAME)  # a list sent in parts is complete
ORDER_CANCEL = ORDER.button("x")
# /start or /order with an order half filled in: Yes drops it and does that command; No keeps it.
DROP_THEN = TextArg("start|order")
ORDER_DROP = ORDER.button("drop", DROP_THEN)
ORDER_KEEP = ORDER.button("keep")
# Favourites and quick repeats: the star on a service's card (toggles), the favourites list
# (first in /order), removing one that can no longer be ordered, a quick quantity (naming its
# question; checked again against the catalogue when tapped), a recent link (by the order row
# it was ordered for).
AMOUNT = IntArg(1, 10**15 - 1)
ORDER_STAR = ORDER.button("star", ANY)  # the service, by the panel's id
ORDER_FAVOURITES = ORDER.button("favs")
ORDER_UNSTAR = ORDER.button("unstar", ANY)
ORDER_AMOUNT = ORDER.button("n", FIELD_NAME, AMOUNT)
ORDER_RECENT_LINK = ORDER.button("ln", ROW_ID)

MASS_CONFIRM = MASS.button("ok", ROW_ID)  # the mass order's row
MASS_CANCEL = MASS.button("x", ROW_ID)

# The operators' console: each section's entry, then each section's own buttons.
CONSOLE_HOME = CONSOLE.button("home")
CONSOLE_STATS = CONSOLE.button("stats")
CONSOLE_BROADCAST = CONSOLE.button("bc")
CONSOLE_SETTINGS = CONSOLE.button("set")
CONSOLE_MAINTENANCE = CONSOLE.button("mnt")
CONSOLE_ACCESS = CONSOLE.button("acc")
CONSOLE_PANEL_CHECK = CONSOLE.button("pc")
CONSOLE_AUDIT = CONSOLE.button("log")
CONSOLE_CANCEL_INPUT = CONSOLE.button("nox")  # under a prompt for typed input

# Console → stats (handlers/admin/stats.py)
CONSOLE_STATS_REFRESH = CONSOLE.button("stref")

# Console → broadcast (handlers/admin/broadcast.py): each names the broadcast's row.
CONSOLE_BROADCAST_SEND = CONSOLE.button("bcgo", ROW_ID)
CONSOLE_BROADCAST_DISCARD = CONSOLE.button("bcx", ROW_ID)
CONSOLE_BROADCAST_STOP = CONSOLE.button("bcstop", ROW_ID)

# Console → settings (handlers/admin/settings.py)
# A setting the console puts back to its default with one button.
SETTING_NAME = TextArg(r"[a-z_]{1,20}")
SERVICE_ID = TextArg(r"[A-Za-z0-9_.\-]{1,40}")  # a panel's service id (digits on most panels)
CONSOLE_SET_UNDO = CONSOLE.button("sundo", ROW_ID)  # the audit id of the change undone
CONSOLE_SET_RESET = CONSOLE.button("sreset", SETTING_NAME)  # back to the default
CONSOLE_SET_EDIT = CONSOLE.button("sedit", SETTING_NAME)  # prompt for a typed value
CONSOLE_SET_WELCOMES = CONSOLE.button("swel")  # the languages
CONSOLE_SET_WELCOME = CONSOLE.button("swl", LANGUAGE_CODE)  # one language's welcome
CONSOLE_SET_WELCOME_RESET = CONSOLE.button("swx", LANGUAGE_CODE)  # back to the built-in one
CONSOLE_SET_LANGUAGES = CONSOLE.button("slang")
CONSOLE_SET_LANGUAGE = CONSOLE.button("sl", LANGUAGE_CODE)
CONSOLE_SET_ZONES = CONSOLE.button("szones")
CONSOLE_SET_ZONE = CONSOLE.button("sz", ZONE_NAME)
CONSOLE_SET_CATEGORIES = CONSOLE.button("scats", PAGE)
CONSOLE_SET_CATEGORY = CONSOLE.button("sc", INDEX, PAGE)  # toggle, by catalogue index
CONSOLE_SET_HIDDEN = CONSOLE.button("shid", PAGE)  # hidden services
CONSOLE_SET_UNHIDE = CONSOLE.button("sun", SERVICE_ID)
CONSOLE_SET_NAMES = CONSOLE.button("snames", PAGE)  # display names
CONSOLE_SET_NAME = CONSOLE.button("sn", SERVICE_ID)  # type a new name for this service
CONSOLE_SET_NAME_REMOVE = CONSOLE.button("snx", SERVICE_ID)

# Console → maintenance and access (handlers/admin/access.py)
INVITE_USES = IntArg(0, 1000)  # how many people may use an invite (0: any number)
INVITE_DAYS = IntArg(0, 365)  # how long an invite is valid (0: never expires)
INVITE_CODE = TextArg(r"[A-Za-z0-9_\-]{1,32}")  # secrets.token_urlsafe, deep-link safe
TELEGRAM_ID = ROW_ID
CONSOLE_MAINTENANCE_ON = CONSOLE.button("mnon")
CONSOLE_MAINTENANCE_OFF = CONSOLE.button("mnoff")
CONSOLE_MAINTENANCE_MESSAGE = CONSOLE.button("mnmsg")  # prompts for the text
CONSOLE_MAINTENANCE_CLEAR = CONSOLE.button("mnclr")  # back to the built-in message
CONSOLE_ACCESS_OPEN = CONSOLE.button("acopen")
CONSOLE_ACCESS_INVITE_ONLY = CONSOLE.button("acinv")
CONSOLE_INVITES = CONSOLE.button("acil", PAGE)
CONSOLE_INVITE_NEW = CONSOLE.button("acnew")  # asks how many uses
CONSOLE_INVITE_USES = CONSOLE.button("acnu", INVITE_USES)  # asks how long
CONSOLE_INVITE_MAKE = CONSOLE.button("acmk", INVITE_USES, INVITE_DAYS)
CONSOLE_INVITE_REVOKE = CONSOLE.button("acrv", INVITE_CODE, PAGE)  # then that list page
CONSOLE_USERS = CONSOLE.button("acul", PAGE)
CONSOLE_USER = CONSOLE.button("acus", TELEGRAM_ID)  # the user's card
CONSOLE_USER_BY_ID = CONSOLE.button("acuid")  # prompts for an id
CONSOLE_USER_BLOCK = CONSOLE.button("acbk", TELEGRAM_ID)
CONSOLE_USER_UNBLOCK = CONSOLE.button("acub", TELEGRAM_ID)

# Console → audit log and panel check (handlers/admin/audit.py)
CONSOLE_AUDIT_PAGE = CONSOLE.button("logp", PAGE)  # older entries, page 0 the newest
