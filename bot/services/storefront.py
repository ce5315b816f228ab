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

from bot.catalogue import OTHER_CATEGORY, Catalogue
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
    return Catalogue(tuple(shown), withheld=frozenset(withheld))
