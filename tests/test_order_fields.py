"""The order form's pure rules as a panel's known abilities change them."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from bot import texts
from bot.i18n import LANGUAGES, reading_as
from bot.order_fields import (
    FIELDS,
    InvalidInput,
    decode_list_file,
    list_part,
    order_price,
    order_quantity,
    panel_fields,
    parse_answer,
    parse_expiry,
    parse_link,
    parse_whole_number,
    quantity_problem,
    recheck,
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


# --- numbers and dates typed the reader's way ------------------------------------------------


@pytest.mark.parametrize(
    ("language", "typed"),
    [
        ("en", "10000"),
        ("en", "10,000"),
        ("en", "10 000"),
        ("ru", "10\u00a0000"),  # no-break space, as Russian keyboards and Babel group
        ("ru", "10\u202f000"),  # narrow no-break space
        ("ru", "10 000"),
        ("es", "10.000"),
        ("pt_BR", "10.000"),
        ("tr", "10.000"),
        ("id", "10.000"),
        ("ar", "10٬000"),  # the Arabic thousands sign
        ("ar", "١٠٠٠٠"),  # Arabic-Indic digits
        ("ar", "١٠٬٠٠٠"),
        ("ar", "\u200f١٠٠٠٠\u200f"),  # right-to-left marks a keyboard put around it
        ("hi", "१०,०००"),  # Devanagari digits
        ("hi", "१००००"),
    ],
)
def test_whole_numbers_typed_the_readers_way(language: str, typed: str) -> None:
    with reading_as(language):
        assert parse_whole_number(typed) == 10_000


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_a_number_as_the_bot_shows_it_is_accepted_back(language: str) -> None:
    with reading_as(language):
        shown = texts.formatting.number(1_234_567)  # grouped, isolated in right-to-left
        assert parse_whole_number(shown) == 1_234_567


@pytest.mark.parametrize(
    ("language", "typed"),
    [
        ("en", "10.5"),
        ("en", "10,5"),
        ("es", "10,5"),
        ("en", "1,000.000"),  # one kind of group sign throughout
        ("en", "1.00"),
        ("en", "10 00"),
        ("en", "1,0,000"),
        ("en", "10,00,00"),
        ("ar", "١٠٫٥"),  # the Arabic decimal sign
        ("en", "ten"),
        ("en", "²"),
    ],
)
def test_not_a_whole_number(language: str, typed: str) -> None:
    with reading_as(language), pytest.raises(InvalidInput) as refused:
        parse_whole_number(typed)
    assert refused.value.reason == "number_not_whole"


@pytest.mark.parametrize("typed", ["-5", "\u22125", "-١٠"])
def test_negative_numbers_are_named(typed: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_whole_number(typed)
    assert refused.value.reason == "number_negative"


TODAY = date(2026, 6, 1)


@pytest.mark.parametrize(
    "typed",
    ["31/12/2027", "31.12.2027", "31-12-2027", " 31/12/2027 ", "٣١/١٢/٢٠٢٧"],
)
def test_expiry_dates_typed_in_common_ways(typed: str) -> None:
    assert parse_expiry(typed, today=TODAY) == "31/12/2027"


def test_single_digit_day_and_month() -> None:
    assert parse_expiry("1.2.2027", today=TODAY) == "01/02/2027"


@pytest.mark.parametrize(
    "typed",
    ["31/12.2027", "12/31/2027", "32/12/2027", "31/12/27", "tomorrow", "2027/12/31", "2027-12-31"],
)
def test_expiry_dates_that_are_not_dates(typed: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_expiry(typed, today=TODAY)
    assert refused.value.reason == "date_format"


def test_expiry_dates_in_the_past() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_expiry("01.06.2026", today=TODAY)
    assert refused.value.reason == "date_past"


@pytest.mark.parametrize(("typed", "value"), [("1,00,000", 100_000), ("12,34,567", 1_234_567)])
def test_indian_grouping(typed: str, value: int) -> None:
    with reading_as("hi"):
        assert parse_whole_number(typed) == value


def test_a_list_part_splits_usernames_at_commas_and_spaces_only() -> None:
    assert list_part("usernames", "@alice, @bob, carol\n dave ;eve\r\n") == [
        "alice",
        "bob",
        "carol",
        "dave",
        "eve",
    ]
    assert list_part("comments", "Nice, really\r\n\n  Wow  \rok") == ["Nice, really", "Wow", "ok"]


@pytest.mark.parametrize(
    ("data", "text", "guessed"),
    [
        ("\ufeffПривет\nmir".encode(), "Привет\nmir", None),
        ("Привет\nmir".encode("utf-16"), "Привет\nmir", None),
        ("Привет".encode("cp1251"), "Привет", "Windows-1251"),
        (b"caf\xe9 \x98", "café \x98", "Latin-1"),  # 0x98 is no cp1251 character
    ],
)
def test_a_list_file_is_decoded_in_its_likely_encoding(
    data: bytes, text: str, guessed: str | None
) -> None:
    assert decode_list_file(data) == (text, guessed)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "file_empty"),
        (b" \r\n\t", "file_empty"),
        (b"\x00\x01binary", "file_not_text"),
        (b"x" * (1024 * 1024 + 1), "file_too_big"),
    ],
)
def test_a_list_file_that_is_no_list_is_refused(data: bytes, reason: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        decode_list_file(data)
    assert refused.value.reason == reason


def test_recheck_drops_the_answers_a_change_makes_wrong_or_moot() -> None:
    drip = replace(service(ServiceType.DEFAULT, low=10, high=10_000), dripfeed=True)
    answers = {"link": "https://x.com/a", "quantity": "3000", "dripfeed": "yes", "runs": "5"}
    kept, problem = recheck(drip, {**answers, "interval": "30"})
    without_runs = {k: v for k, v in answers.items() if k != "runs"}
    assert kept == {**without_runs, "interval": "30"}  # 5 runs of 3,000 exceed 10,000
    assert problem is not None
    assert problem.reason == "runs_total"
    kept, problem = recheck(drip, {**answers, "dripfeed": "no", "interval": "30"})
    assert kept == {"link": "https://x.com/a", "quantity": "3000", "dripfeed": "no"}
    assert problem is None


@pytest.mark.parametrize(
    ("name", "example"),
    [
        ("TikTok Views", "https://tiktok.com/…"),
        ("YouTube Likes", "https://youtube.com/…"),
        ("Website Traffic", "https://example.com/…"),
    ],
)
def test_a_bad_link_gets_an_example_of_the_services_own_platform(name: str, example: str) -> None:
    """Not always an Instagram example: the one of the platform the service is for."""
    tiktok = replace(service(ServiceType.DEFAULT), name=name)
    with pytest.raises(InvalidInput) as refused:
        parse_link("not a link", tiktok)
    message = texts.order.invalid_input(refused.value)
    assert example in message
    assert "instagram" not in message
