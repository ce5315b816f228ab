"""The one codec for inline-button data: `prefix:action[:arg…]`, at most 64 bytes.

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
from dataclasses import dataclass

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
