"""Every user-facing text, one module per feature, read as `texts.<feature>.<text>()`.

HTML parse mode. Anything that came from a user or the panel is escaped here
(`formatting.esc`), never in handlers.
"""

from bot.texts import (
    catalogue,
    common,
    errors,
    formatting,
    key,
    order,
    orders,
    pushes,
    settings,
)

__all__ = [
    "catalogue",
    "common",
    "errors",
    "formatting",
    "key",
    "order",
    "orders",
    "pushes",
    "settings",
]
