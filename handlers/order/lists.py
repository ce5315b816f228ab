"""The catalogue's lists as the flow shows them: each a text and its keyboard (pure).

A big catalogue (more categories than one page holds, over several platforms) starts with its
platforms (bot.platforms), then a platform's categories, then a category's services; a small
one starts with its categories. Every list jumps to any of its pages in one tap (page numbers),
and every price is shown as the panel charges it (bot.services.storefront.price_of).
"""

from __future__ import annotations

from typing import Any

from bot import callback, keyboards, texts
from bot.catalogue import Catalogue
from bot.keyboards import order as order_keyboards
from bot.keyboards.order import (
    CATEGORIES_PER_PAGE,
    PLATFORM_CATEGORIES_PER_PAGE,
    PLATFORM_LEVEL_FROM,
    SERVICES_PER_PAGE,
)
from bot.order_fields import UNKNOWN, fields_for
from bot.panel import Service, ServiceType
from bot.panel.capabilities import Capabilities
from bot.services.storefront import price_of
from handlers.order.state import OrderFlow


def offered(services: tuple[Service, ...], refused: frozenset[ServiceType]) -> tuple[Service, ...]:
    """A list without the services of types the panel cannot take (most panels: all of it)."""
    if not refused:
        return services
    return tuple(service for service in services if service.type not in refused)


def _categories(catalogue: Catalogue, refused: frozenset[ServiceType]) -> list[int]:
    """The categories offered (a category of refused services only is not)."""
    indexes = range(len(catalogue.categories))
    if not refused:
        return list(indexes)
    return [i for i in indexes if offered(catalogue.in_category(i), refused)]


def _by_platform(
    catalogue: Catalogue, refused: frozenset[ServiceType]
) -> list[tuple[int, list[int]]]:
    """(platform index, its offered categories) of the platforms offering any."""
    shown = set(_categories(catalogue, refused))
    grouped = [
        (p, [c for c in catalogue.platform_categories(p) if c in shown])
        for p in range(len(catalogue.platforms))
    ]
    return [(p, cats) for p, cats in grouped if cats]


def by_platform(catalogue: Catalogue, refused: frozenset[ServiceType] = frozenset()) -> bool:
    """Whether the catalogue starts with its platforms: more categories than a page holds,
    over at least two platforms."""
    groups = _by_platform(catalogue, refused)
    return len(groups) >= 2 and sum(len(c) for _, c in groups) >= PLATFORM_LEVEL_FROM


def categories_view(
    catalogue: Catalogue, page: int, refused: frozenset[ServiceType] = frozenset()
) -> tuple[str, Any]:
    """The catalogue's top: its platforms (a big catalogue) or its categories."""
    if by_platform(catalogue, refused):
        entries = [
            (
                p,
                texts.catalogue.platform_button(
                    catalogue.platforms[p],
                    sum(len(offered(catalogue.in_category(c), refused)) for c in cats),
                ),
            )
            for p, cats in _by_platform(catalogue, refused)
        ]
        return texts.catalogue.platforms_title(), order_keyboards.platforms(entries)
    indexes = _categories(catalogue, refused)
    page = keyboards.clamp_page(page, len(indexes), CATEGORIES_PER_PAGE)
    labels = [(i, texts.catalogue.category_label(catalogue.categories[i], False)) for i in indexes]
    markup = order_keyboards.categories(labels, page)
    pages = keyboards.pages(len(indexes), CATEGORIES_PER_PAGE)
    return texts.catalogue.categories_title(page, pages), markup


def platform_view(
    catalogue: Catalogue, index: int, page: int, refused: frozenset[ServiceType] = frozenset()
) -> tuple[str, Any]:
    """A page of one platform's categories (named without the platform)."""
    cats = dict(_by_platform(catalogue, refused)).get(index)
    if not cats:
        return categories_view(catalogue, 0, refused)
    page = keyboards.clamp_page(page, len(cats), PLATFORM_CATEGORIES_PER_PAGE)
    labels = [(c, texts.catalogue.category_label(catalogue.categories[c], True)) for c in cats]
    markup = order_keyboards.platform(index, labels, page)
    pages = keyboards.pages(len(cats), PLATFORM_CATEGORIES_PER_PAGE)
    return texts.catalogue.platform_title(catalogue.platforms[index], page, pages), markup


def _back_to(catalogue: Catalogue, index: int, refused: frozenset[ServiceType]) -> str:
    """Back from a category: the page of the list holding it."""
    if by_platform(catalogue, refused):
        platform = catalogue.platform_index(index)
        cats = dict(_by_platform(catalogue, refused)).get(platform, [])
        position = cats.index(index) if index in cats else 0
        return callback.ORDER_PLATFORM.data(platform, position // PLATFORM_CATEGORIES_PER_PAGE)
    indexes = _categories(catalogue, refused)
    position = indexes.index(index) if index in indexes else 0
    return callback.ORDER_CATEGORIES.data(position // CATEGORIES_PER_PAGE)


def _labels(
    services: tuple[Service, ...],
    page: int,
    catalogue: Catalogue,
    capabilities: Capabilities,
    *,
    in_platform: bool,
) -> list[tuple[str, str]]:
    """This page's service buttons (label, id): built for the page only."""
    shown = services[page * SERVICES_PER_PAGE : (page + 1) * SERVICES_PER_PAGE]
    return [
        (
            texts.catalogue.service_button(
                service,
                price_of(service, catalogue.currency, capabilities),
                in_platform=in_platform,
            ),
            service.id,
        )
        for service in shown
    ]


def _marks(services: tuple[Service, ...], page: int) -> str:
    """The marks whose legend the page shows: the first page's only (the legend is read
    once, not on every page; a card spells its features out in words anyway)."""
    if page != 0:
        return ""
    shown = services[:SERVICES_PER_PAGE]
    return "".join(texts.catalogue.service_marks(service) for service in shown)


def category_view(
    catalogue: Catalogue,
    index: int,
    page: int,
    refused: frozenset[ServiceType],
    capabilities: Capabilities = UNKNOWN,
) -> tuple[str, Any]:
    services = offered(catalogue.in_category(index), refused)
    page = keyboards.clamp_page(page, len(services), SERVICES_PER_PAGE)
    in_platform = by_platform(catalogue, refused)
    labels = _labels(services, page, catalogue, capabilities, in_platform=in_platform)
    back = _back_to(catalogue, index, refused)
    markup = order_keyboards.category(labels, index, page, len(services), back)
    pages = keyboards.pages(len(services), SERVICES_PER_PAGE)
    title = texts.catalogue.services_title(
        catalogue.categories[index], page, pages, _marks(services, page)
    )
    return title, markup


def search_view(
    catalogue: Catalogue,
    query: str,
    page: int,
    refused: frozenset[ServiceType],
    capabilities: Capabilities = UNKNOWN,
) -> tuple[str, Any]:
    found = offered(catalogue.search(query), refused)
    if not found:
        _, markup = categories_view(catalogue, 0, refused)
        return texts.catalogue.search_none(query), markup
    page = keyboards.clamp_page(page, len(found), SERVICES_PER_PAGE)
    labels = _labels(found, page, catalogue, capabilities, in_platform=False)
    markup = order_keyboards.search(labels, page, len(found))
    pages = keyboards.pages(len(found), SERVICES_PER_PAGE)
    title = texts.catalogue.search_title(query, len(found), page, pages)
    legend = texts.catalogue.marks_legend(_marks(found, page))
    return (f"{title}\n{legend}" if legend else title), markup


def view(
    catalogue: Catalogue,
    current: OrderFlow,
    refused: frozenset[ServiceType] = frozenset(),
    capabilities: Capabilities = UNKNOWN,
) -> tuple[str, Any]:
    """The list last shown (Back from a service returns to it)."""
    kind, index, page = current.view
    if kind == "cat" and 0 <= index < len(catalogue.categories):
        return category_view(catalogue, index, page, refused, capabilities)
    if kind == "search":
        return search_view(catalogue, current.query, page, refused, capabilities)
    if kind == "platform" and 0 <= index < len(catalogue.platforms):
        return platform_view(catalogue, index, page, refused)
    if kind == "favs" and current.favourites:
        return favourites_view(catalogue, current, refused, capabilities)
    text, markup = categories_view(catalogue, page if kind == "cats" else 0, refused)
    if current.favourites and (kind != "cats" or page == 0):  # favourites first
        top = order_keyboards.favourites_entry(len(current.favourites))
        markup = order_keyboards.with_rows(markup, top=top)
    return text, markup


def favourites_view(
    catalogue: Catalogue,
    current: OrderFlow,
    refused: frozenset[ServiceType],
    capabilities: Capabilities = UNKNOWN,
) -> tuple[str, Any]:
    """The starred services that can be ordered here, then those that can't (removed from
    the catalogue, hidden by the operators, or of a type the panel cannot take)."""
    available: list[tuple[str, str]] = []
    unavailable: list[tuple[str, str]] = []
    for starred in current.favourites:
        service = catalogue.find(starred.service_id)
        if service is not None and offered((service,), refused) and fields_for(service):
            price = price_of(service, catalogue.currency, capabilities)
            available.append((texts.catalogue.service_button(service, price), service.id))
        else:
            unavailable.append(
                (starred.service_id, service.name if service else starred.service_name)
            )
    text = texts.favourites.favourites_title()
    if unavailable:
        text = f"{text}\n\n{texts.favourites.unavailable_note()}"
    return text, order_keyboards.favourites(available, unavailable)
