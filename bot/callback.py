"""The one codec for inline-button data: `prefix:action[:arg…]`, at most 64 bytes.

Data carries ids only (never in-memory objects), so buttons on pushed messages keep working
after a restart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BYTES = 64
SEPARATOR = ":"


@dataclass(frozen=True)
class CallbackData:
    prefix: str
    action: str
    args: tuple[str, ...] = ()

    def arg(self, index: int, default: str = "") -> str:
        return self.args[index] if index < len(self.args) else default

    def int_arg(self, index: int, default: int = 0) -> int:
        value = self.arg(index)
        return int(value) if value.lstrip("-").isdigit() else default


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


def pattern(prefix: str, *actions: str) -> re.Pattern[str]:
    """Anchored pattern for a handler: `^prefix:(a|b)(:|$)`."""
    choice = "|".join(re.escape(action) for action in actions) if actions else r"[^:]+"
    return re.compile(rf"^{re.escape(prefix)}:({choice})(:|$)")
