"""The catalogue's lists as the flow shows them: each a text and its keyboard (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot import keyboards, texts
from bot.catalogue import Catalogue
from bot.keyboards import order as order_keyboards
from bot.keyboards.order import CATEGORIES_PER_PAGE, SERVICES_PER_PAGE
from bot.panel import Service, ServiceType
from handlers.order.state import OrderFlow


def offered(services: tuple[Service, ...], refused: frozenset[ServiceType]) -> tuple[Service, ...]:
    """A list without the services of types the panel cannot take (most panels: all of it)."""
    if not refused:
        return services
    return tuple(service for service in services if service.type not in refused)


def categories_view(
    catalogue: Catalogue, page: int, refused: frozenset[ServiceType] = frozenset()
) -> tuple[str, Any]:
    indexes: Sequence[int] = range(len(catalogue.categories))
    if refused:  # a category of refused services only is not offered either
        indexes = [i for i in indexes if offered(catalogue.in_category(i), refused)]
    page = keyboards.clamp_page(page, len(indexes), CATEGORIES_PER_PAGE)
    markup = order_keyboards.categories(catalogue.categories, indexes, page)
    pages = keyboards.pages(len(indexes), CATEGORIES_PER_PAGE)
    return texts.catalogue.categories_title(page, pages), markup


def category_view(
    catalogue: Catalogue, index: int, page: int, refused: frozenset[ServiceType]
) -> tuple[str, Any]:
    services = offered(catalogue.in_category(index), refused)
    page = keyboards.clamp_page(page, len(services), SERVICES_PER_PAGE)
    markup = order_keyboards.category(services, index, page)
    pages = keyboards.pages(len(services), SERVICES_PER_PAGE)
    return texts.catalogue.services_title(catalogue.categories[index], page, pages), markup


def search_view(
    catalogue: Catalogue, query: str, page: int, refused: frozenset[ServiceType]
) -> tuple[str, Any]:
    found = offered(catalogue.search(query), refused)
    if not found:
        _, markup = categories_view(catalogue, 0, refused)
        return texts.catalogue.search_none(query), markup
    page = keyboards.clamp_page(page, len(found), SERVICES_PER_PAGE)
    markup = order_keyboards.search(found, page)
    pages = keyboards.pages(len(found), SERVICES_PER_PAGE)
    return texts.catalogue.search_title(query, len(found), page, pages), markup


def view(
    catalogue: Catalogue, current: OrderFlow, refused: frozenset[ServiceType] = frozenset()
) -> tuple[str, Any]:
    """The list last shown (Back from a service returns to it)."""
    kind, index, page = current.view
    if kind == "cat" and 0 <= index < len(catalogue.categories):
        return category_view(catalogue, index, page, refused)
    if kind == "search":
        return search_view(catalogue, current.query, page, refused)
    return categories_view(catalogue, page if kind == "cats" else 0, refused)
