"""Every user-facing text, one module per feature, read as `texts.<feature>.<text>()`.

HTML parse mode. Anything that came from a user or the panel is escaped here
(`formatting.esc`), never in handlers.
"""

from bot.texts import (
    access,
    alerts,
    broadcast,
    catalogue,
    common,
    console,
    console_settings,
    errors,
    favourites,
    formatting,
    key,
    mass,
    order,
    orders,
    pushes,
    settings,
    stats,
)

__all__ = [
    "access",
    "alerts",
    "broadcast",
    "catalogue",
    "common",
    "console",
    "console_settings",
    "errors",
    "favourites",
    "formatting",
    "key",
    "mass",
    "order",
    "orders",
    "pushes",
    "settings",
    "stats",
]
