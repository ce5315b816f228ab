"""What customers see of the panel's catalogue: the operators' hidden categories and services
left out, their display names in place of the panel's.

Applied in one place (handlers.order.state.catalogue), so every list, search, typed id, card,
summary and receipt reads the same view. A view is built once per catalogue and rules (kept on
the catalogue, see `Catalogue.derived`): a step over thousands of services still looks up.

Display names replace `Service.name` in the view, so the draft and the order row keep the name
the customer ordered under (cards, receipts and status messages all read that row).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from enum import Enum

from bot.catalogue import OTHER_CATEGORY, Catalogue
from bot.order_fields import FLAT_PRICE_TYPES, UNKNOWN, order_price
from bot.panel import Service, ServiceType
from bot.panel.capabilities import Capabilities
from bot.services.console import ConsoleSettings


@dataclass(frozen=True)
class ShopRules:
    """The settings a storefront depends on (hashable: a view's key)."""

    hidden_categories: frozenset[str] = frozenset()
    hidden_services: frozenset[str] = frozenset()
    display_names: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, console: ConsoleSettings) -> ShopRules:
        """As stored: categories by the names the catalogue gives them (the console lists
        those), services by the panel's id."""
        return cls(
            console.hidden_categories,
            console.hidden_services,
            tuple(sorted(console.display_names.items())),
        )

    def changes_anything(self) -> bool:
        return bool(self.hidden_categories or self.hidden_services or self.display_names)


def storefront(catalogue: Catalogue, rules: ShopRules) -> Catalogue:
    """The catalogue as customers see it (the same object when the operators changed nothing)."""
    if not rules.changes_anything():
        return catalogue
    return catalogue.derived(rules, lambda: _build(catalogue, rules))


def _build(catalogue: Catalogue, rules: ShopRules) -> Catalogue:
    names = dict(rules.display_names)
    shown = []
    withheld = set()
    for service in catalogue.services:
        category = service.category or OTHER_CATEGORY  # as Catalogue groups them
        if service.id in rules.hidden_services or category in rules.hidden_categories:
            withheld.add(service.id)
            continue
        name = names.get(service.id)
        shown.append(replace(service, name=name) if name else service)
    return Catalogue(tuple(shown), withheld=frozenset(withheld), currency=catalogue.currency)


class Basis(Enum):
    """What a service's price is for, as the panel charges it."""

    PER_1000 = "per_1000"  # the rate, for every 1000 units ordered
    FLAT = "flat"  # the whole order (packages)
    PER_POST = "per_post"  # a subscription: at most this for each new post (at its maximum)


@dataclass(frozen=True)
class Price:
    amount: Decimal
    basis: Basis
    currency: str | None  # the account's, None when unknown
    rate: Decimal  # the panel's rate (per 1000 units), for the card's detail


def price_of(
    service: Service, currency: str | None, capabilities: Capabilities = UNKNOWN
) -> Price:
    """The price as the panel charges it (bot.order_fields.order_price is the one rule): a
    package's flat charge, a subscription's most per post, else the rate per 1000."""
    if service.type in FLAT_PRICE_TYPES:
        return Price(order_price(service, {}, capabilities), Basis.FLAT, currency, service.rate)
    if service.type is ServiceType.SUBSCRIPTIONS:
        per_post = order_price(service, {}, capabilities)
        return Price(per_post, Basis.PER_POST, currency, service.rate)
    return Price(service.rate, Basis.PER_1000, currency, service.rate)
