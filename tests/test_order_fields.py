"""The order form's pure rules as a panel's known abilities change them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.order_fields import (
    FIELDS,
    InvalidInput,
    order_price,
    order_quantity,
    panel_fields,
    parse_answer,
    quantity_problem,
    refused_types,
)
from bot.panel import Service, ServiceType
from bot.panel.capabilities import BOOSTEDSMM, SMARTPANEL, Capabilities

UNKNOWN = Capabilities()
INTERVAL = next(spec for spec in FIELDS[ServiceType.DEFAULT] if spec.name == "interval")


def service(kind: ServiceType, rate: str = "8", low: int = 1, high: int = 1000) -> Service:
    return Service(
        id="1",
        name="S",
        type=kind,
        type_raw=kind.value,
        category="C",
        rate=Decimal(rate),
        min=low,
        max=high,
        refill=None,
        cancel=None,
        dripfeed=True,
        description=None,
    )


@pytest.mark.parametrize("kind", [ServiceType.PACKAGE, ServiceType.CUSTOM_COMMENTS_PACKAGE])
def test_packages_send_quantity_one_unless_known_unneeded(kind: ServiceType) -> None:
    answers = {"link": "https://t.me/x"}
    assert panel_fields(service(kind), answers)["quantity"] == "1"
    needed = Capabilities(package_needs_quantity=True)
    assert panel_fields(service(kind), answers, needed)["quantity"] == "1"
    unneeded = Capabilities(package_needs_quantity=False)
    assert "quantity" not in panel_fields(service(kind), answers, unneeded)


def test_lists_send_their_count_unless_known_unneeded() -> None:
    names = {"link": "https://instagram.com/p", "usernames": "a\nb\nc"}
    mentions = service(ServiceType.MENTIONS_CUSTOM_LIST)
    assert panel_fields(mentions, names)["quantity"] == "3"
    assert "quantity" not in panel_fields(mentions, names, Capabilities(list_needs_quantity=False))
    comments = {"link": "https://instagram.com/p", "comments": "a\nb"}
    custom = service(ServiceType.CUSTOM_COMMENTS)
    assert panel_fields(custom, comments, Capabilities(comments_need_quantity=True)) == {
        **comments,
        "quantity": "2",
    }
    assert panel_fields(custom, comments, Capabilities(comments_need_quantity=False)) == comments


def test_comma_splitting_panel_counts_pieces() -> None:
    custom = service(ServiceType.CUSTOM_COMMENTS)
    answers = {"link": "https://instagram.com/p", "comments": "Nice pic!\nGreat, love it\nWow"}
    splitting = Capabilities(comments_split_on_commas=True)
    assert order_quantity(custom, answers) == 3
    assert order_quantity(custom, answers, splitting) == 4
    assert order_price(custom, answers, splitting) == Decimal("0.032")
    assert panel_fields(custom, answers, splitting)["quantity"] == "4"
    few = service(ServiceType.CUSTOM_COMMENTS, low=4)
    assert quantity_problem(few, {"comments": "a, b\nc"}) is not None
    problem = quantity_problem(few, {"comments": "a, b\nc"}, splitting)
    assert problem is not None
    assert problem.reason == "pieces_range"
    assert problem.params["count"] == 3


def test_interval_outside_a_known_list_names_the_allowed_values() -> None:
    default = service(ServiceType.DEFAULT)
    answers = {"link": "https://instagram.com/p", "quantity": "100", "runs": "3"}
    smartpanel = Capabilities(dripfeed_intervals=(0, 5, 10, 15, 30, 60, 90))
    assert parse_answer(INTERVAL, "0", default, answers, smartpanel) == "0"
    with pytest.raises(InvalidInput) as refused:
        parse_answer(INTERVAL, "20", default, answers, smartpanel)
    assert refused.value.reason == "interval_choice"
    assert refused.value.params == {"allowed": "0, 5, 10, 15, 30, 60, 90"}
    assert parse_answer(INTERVAL, "7", default, answers, UNKNOWN) == "7"  # any 1 – 1440
    with pytest.raises(InvalidInput):
        parse_answer(INTERVAL, "0", default, answers, UNKNOWN)


def test_smartpanel_cannot_take_subscriptions() -> None:
    assert refused_types(Capabilities(dialect=SMARTPANEL)) == {ServiceType.SUBSCRIPTIONS}
    assert refused_types(Capabilities(dialect=BOOSTEDSMM)) == frozenset()
    # A type the panel refused is remembered in its capabilities (saved with them).
    assert refused_types(Capabilities(refused_types=("poll",))) == {ServiceType.POLL}
    stored = Capabilities.from_json(Capabilities(refused_types=("poll",)).to_json())
    assert refused_types(stored) == {ServiceType.POLL}
