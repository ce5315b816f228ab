"""catalogue"""

from __future__ import annotations

from bot.panel import (
    Service,
    ServiceType,
)
from bot.texts.formatting import compact, esc, money, number, short


def catalogue_empty() -> str:
    return "The panel has no services to offer right now."


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


def service_gone() -> str:
    return "This service is no longer in the panel's list. Please choose another one."
