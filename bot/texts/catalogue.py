"""catalogue"""

from __future__ import annotations

from bot.i18n import N_, _, n_
from bot.panel import (
    Service,
    ServiceType,
)
from bot.texts.formatting import compact, esc, money, number, short


def catalogue_empty() -> str:
    return _("The panel has no services to offer right now.")


def categories_title(page: int, pages: int) -> str:
    # TRANSLATORS: {page} of {pages} pages of categories.
    return _(
        "🛒 <b>Choose a category</b> (page {page}/{pages})\n"
        "…or type a service name or id to search.",
        page=page + 1,
        pages=pages,
    )


def services_title(category: str, page: int, pages: int) -> str:
    # TRANSLATORS: {category} is the panel's category name; {page} of {pages} pages. The last
    # line explains the marks on the service buttons.
    return _(
        "📂 <b>{category}</b> (page {page}/{pages})\n"
        "Choose a service, or type to search.\n"
        "♻️ refill · ✖️ cancel · 💧 drip-feed",
        category=esc(category),
        page=page + 1,
        pages=pages,
    )


def search_title(query: str, found: int, page: int, pages: int) -> str:
    # TRANSLATORS: {query} is what the user typed; {page} of {pages} pages of results.
    return n_(
        "🔎 <b>{count}</b> service matches “{query}” (page {page}/{pages})",
        "🔎 <b>{count}</b> services match “{query}” (page {page}/{pages})",
        found,
        count=number(found),
        query=short(query, 40),
        page=page + 1,
        pages=pages,
    )


def search_none(query: str) -> str:
    # TRANSLATORS: {query} is what the user typed.
    return _(
        "🔎 Nothing matches “{query}”. Try another word, or pick a category.",
        query=short(query, 40),
    )


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
    # TRANSLATORS: a service's button (plain text, keep it short): the panel's service name,
    # the price per 1000 ("1k"), the smallest and largest quantity, marks (♻️ ✖️ 💧).
    label = _(
        "{name} · {price}/1k · {min}–{max} {marks}",
        name=name,
        price=money(service.rate),
        min=compact(service.min),
        max=compact(service.max),
        marks=service_marks(service),
    )
    return label.strip()


def service_card(service: Service, currency: str | None) -> str:
    lines = [
        f"<b>{esc(service.name)}</b>",
        # TRANSLATORS: the service's id on the panel and the panel's category name.
        _("ID {id} · {category}", id=esc(service.id), category=esc(service.category)),
        # TRANSLATORS: {price} is the price with the panel's currency code.
        _("💵 {price} per 1000", price=money(service.rate, currency)),
        f"📏 {number(service.min)} – {number(service.max)}",
    ]
    features = []
    if service.refill:
        # TRANSLATORS: a feature of a service (one can ask for a refill).
        features.append(_("♻️ refill"))
    if service.cancel:
        # TRANSLATORS: a feature of a service (one can ask to cancel it).
        features.append(_("✖️ cancel"))
    if service.dripfeed:
        # TRANSLATORS: a feature of a service (it can be delivered in runs over time).
        features.append(_("💧 drip-feed"))
    if features:
        lines.append(" · ".join(features))
    if service.description:
        lines.append("\n" + short(service.description, 600))
    return "\n".join(lines)


def service_unsupported(service: Service) -> str:
    # TRANSLATORS: {name} is the panel's service name; {type} the panel's name of its type.
    return _(
        "🚫 “{name}” is a <i>{type}</i> service, which can't be ordered from the bot. "
        "Please choose another service.",
        name=esc(service.name),
        type=esc(service.type_raw),
    )


# "This panel can't take … through the bot", per type the panel cannot create through its API
# (one whole sentence each); other types get `_PANEL_CANNOT_TAKE_TYPE` with the type's code.
PANEL_TYPE_NAMES: dict[ServiceType, str] = {
    # TRANSLATORS: {service} is the panel's service name.
    ServiceType.SUBSCRIPTIONS: N_(
        "🚫 This panel can't take subscriptions through the bot; order “{service}” on the "
        "panel's website. Please choose another service here."
    ),
}
# TRANSLATORS: {type} is the service type's code on the panel ("custom comments"); {service}
# the panel's service name.
_PANEL_CANNOT_TAKE_TYPE = N_(
    "🚫 This panel can't take “{type}” orders through the bot; order “{service}” on the "
    "panel's website. Please choose another service here."
)


def panel_cannot_take(service_type: ServiceType, service_name: str) -> str:
    """A type the panel cannot create through its API (SmartPanel's subscriptions)."""
    message = PANEL_TYPE_NAMES.get(service_type, _PANEL_CANNOT_TAKE_TYPE)
    return _(
        message,
        type=esc(service_type.value.replace("_", " ")),
        service=esc(service_name),
    )


def service_gone() -> str:
    return _("This service is no longer in the panel's list. Please choose another one.")


def service_not_offered() -> str:
    """A service the operators hid (Order again, or a button of an older list)."""
    return _("This service is no longer offered here. Please choose another one.")
