"""Unit tests of the panel reply parsers and of shapes the stand-in panel cannot produce.

Every quirk of panel-api-notes.md §6 has a test here or in test_panel_client.py (over HTTP).
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest

from bot.panel import (
    FINAL_STATES,
    ActiveOrderForLink,
    BadLink,
    BadService,
    CancelCreated,
    DripfeedNotSupported,
    InvalidKey,
    ItemError,
    NotEnoughFunds,
    OrderNotFound,
    OrderState,
    OrderStatus,
    OutcomeUnknown,
    PanelClient,
    PanelError,
    PanelRejected,
    PanelUnavailable,
    QuantityOutOfRange,
    RefillCreated,
    ServiceType,
    TaskStatus,
    classify_error,
    normalize_service_type,
    normalize_state,
)
from bot.panel.client import USER_AGENT, decode_body
from bot.panel.errors import is_invalid_request
from bot.panel.models import (
    ReplyShapeError,
    parse_balance,
    parse_bool,
    parse_cancels_created,
    parse_decimal,
    parse_id,
    parse_int,
    parse_multi_status,
    parse_order_created,
    parse_refills_created,
    parse_remains,
    parse_services,
    parse_single_status,
    parse_task_statuses,
    reply_error,
)

KEY = "SECRET-api-key-7f3a9c"
URL = "https://panel.test/api/v2"

# --------------------------------------------------------------------------------------------
# Service types (§6.3)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Default", ServiceType.DEFAULT),
        ("default", ServiceType.DEFAULT),
        ("DEFAULT", ServiceType.DEFAULT),
        ("SEO", ServiceType.SEO),
        ("Custom Comments", ServiceType.CUSTOM_COMMENTS),
        ("custom_comments", ServiceType.CUSTOM_COMMENTS),
        ("custom-comments", ServiceType.CUSTOM_COMMENTS),
        ("Mentions with Hashtags", ServiceType.MENTIONS_WITH_HASHTAGS),
        ("mentions_with_hashtags", ServiceType.MENTIONS_WITH_HASHTAGS),
        ("Mentions Custom List", ServiceType.MENTIONS_CUSTOM_LIST),
        ("Mentions Hashtag", ServiceType.MENTIONS_HASHTAG),
        ("mentions hastag", ServiceType.MENTIONS_HASHTAG),
        ("Mentions User Followers", ServiceType.MENTIONS_USER_FOLLOWERS),
        ("Mentions Users Followers", ServiceType.MENTIONS_USER_FOLLOWERS),
        ("Mentions Media Likers", ServiceType.MENTIONS_MEDIA_LIKERS),
        ("Mentions", ServiceType.MENTIONS),
        ("Package", ServiceType.PACKAGE),
        ("Custom Comments Package", ServiceType.CUSTOM_COMMENTS_PACKAGE),
        ("Comment Likes", ServiceType.COMMENT_LIKES),
        ("Poll", ServiceType.POLL),
        ("Invites from Groups", ServiceType.INVITES_FROM_GROUPS),
        ("Invites From Groups", ServiceType.INVITES_FROM_GROUPS),
        ("Subscriptions", ServiceType.SUBSCRIPTIONS),
        ("Subscription", ServiceType.SUBSCRIPTIONS),
        ("subscriptions", ServiceType.SUBSCRIPTIONS),
        ("Web Traffic", ServiceType.WEB_TRAFFIC),
        ("Comment Replies", ServiceType.COMMENT_REPLIES),
        ("  Comment   Replies ", ServiceType.COMMENT_REPLIES),
        ("Weird New Type", ServiceType.UNKNOWN),
        ("", ServiceType.UNKNOWN),
    ],
)
def test_normalize_service_type(raw: str, expected: ServiceType) -> None:
    assert normalize_service_type(raw) is expected


def test_every_service_type_round_trips_from_its_value() -> None:
    for member in ServiceType:
        assert normalize_service_type(member.value) is member


# --------------------------------------------------------------------------------------------
# Status words (§6.9)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Pending", OrderState.PENDING),
        ("In progress", OrderState.IN_PROGRESS),
        ("in progress", OrderState.IN_PROGRESS),
        ("In Progress", OrderState.IN_PROGRESS),
        ("inprogress", OrderState.IN_PROGRESS),
        ("in_progress", OrderState.IN_PROGRESS),
        ("Processing", OrderState.PROCESSING),
        ("processing", OrderState.PROCESSING),
        ("Active", OrderState.ACTIVE),
        ("Paused", OrderState.PAUSED),
        ("Completed", OrderState.COMPLETED),
        ("Partial", OrderState.PARTIAL),
        ("Canceled", OrderState.CANCELED),
        ("Cancelled", OrderState.CANCELED),
        ("canceled", OrderState.CANCELED),
        ("Refunded", OrderState.REFUNDED),
        ("Fail", OrderState.FAILED),
        ("Error", OrderState.FAILED),
        ("failed", OrderState.FAILED),
        ("Expired", OrderState.EXPIRED),
        ("Rejected", OrderState.REJECTED),
        ("Awaiting", OrderState.PENDING),
        ("Teleported", OrderState.UNKNOWN),
        ("", OrderState.UNKNOWN),
        (None, OrderState.UNKNOWN),
    ],
)
def test_normalize_state(raw: str | None, expected: OrderState) -> None:
    assert normalize_state(raw) is expected


def test_final_states() -> None:
    assert {OrderState.COMPLETED, OrderState.PARTIAL, OrderState.CANCELED} <= FINAL_STATES
    assert OrderState.IN_PROGRESS not in FINAL_STATES
    assert OrderState.UNKNOWN not in FINAL_STATES
    assert OrderState.IN_PROGRESS.value == "in_progress"
    done = OrderStatus("1", OrderState.REFUNDED, "Refunded", None, None, None, None)
    running = OrderStatus("1", OrderState.ACTIVE, "Active", None, None, None, None)
    assert done.is_final
    assert not running.is_final


# --------------------------------------------------------------------------------------------
# Scalars (§6.1, §6.2, §6.10)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0.90", Decimal("0.90")),
        (0.9, Decimal("0.9")),
        (3.5, Decimal("3.5")),
        (10000, Decimal(10000)),
        ("100.84292", Decimal("100.84292")),
        (0.08011655652, Decimal("0.08011655652")),
        ("$0.50", Decimal("0.50")),
        ("10,000", Decimal(10000)),
        ("1,234.50", Decimal("1234.50")),
        ("0,50", Decimal("0.50")),
        (" 12 USD", Decimal(12)),
        ("-5", Decimal(-5)),
        ("Unknown", None),
        ("", None),
        (None, None),
        (True, None),
        ("NaN", None),
        ({"a": 1}, None),
    ],
)
def test_parse_decimal(raw: object, expected: Decimal | None) -> None:
    assert parse_decimal(raw) == expected


def test_parse_int_and_remains() -> None:
    assert parse_int("157") == 157
    assert parse_int(157) == 157
    assert parse_int("10,000") == 10000
    assert parse_int(None) is None
    assert parse_int("Unknown") is None
    # Over-delivery: negative from PP; SmartPanel re-serves it as "+N".
    assert parse_remains("-5") == -5
    assert parse_remains(-5) == -5
    assert parse_remains("+5") == -5
    assert parse_remains("0") == 0
    assert parse_remains("Unknown") is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (True, True),
        (False, False),
        (1, True),
        (0, False),
        ("1", True),
        ("0", False),
        ("true", True),
        ("false", False),
        ("TRUE", True),
        (None, None),
        ("maybe", None),
    ],
)
def test_parse_bool(raw: object, expected: bool | None) -> None:
    assert parse_bool(raw) is expected


def test_parse_id_keeps_ids_opaque() -> None:
    assert parse_id(23501) == "23501"
    assert parse_id("23501") == "23501"
    assert parse_id(" 12 ") == "12"
    assert parse_id(2**60) == str(2**60)
    assert parse_id("1234567890123456789012") == "1234567890123456789012"
    assert parse_id("Your order will be refill asap") is None
    assert parse_id(None) is None
    assert parse_id(True) is None
    assert parse_id({"error": "x"}) is None


# --------------------------------------------------------------------------------------------
# Error texts (§3.2, §6.4)


@pytest.mark.parametrize(
    ("text", "cls"),
    [
        ("Invalid API key", InvalidKey),
        ("Incorrect API key", InvalidKey),
        ("invalid api key", InvalidKey),
        ("API is Disable for this user or User Not Found! Contact the Support", InvalidKey),
        ("Not enough funds on balance", NotEnoughFunds),
        ("neworder.error.not_enough_funds", NotEnoughFunds),
        ("Incorrect service ID", BadService),
        ("Service ID does not exists", BadService),
        ("error.incorrect_service_id", BadService),
        ("neworder.error.service_not_found", BadService),
        ("error.invalid_service", BadService),
        ("Quantity less than minimal 200", QuantityOutOfRange),
        ("Quantity more than maximum 10000", QuantityOutOfRange),
        ("Quantity more than maximal 10000", QuantityOutOfRange),
        ("neworder.error.min_quantity", QuantityOutOfRange),
        ("neworder.error.max_quantity", QuantityOutOfRange),
        (
            "Total quantity must to be greater than or equal to minimum amount 50",
            QuantityOutOfRange,
        ),
        ("Quantity must to be less than or equal to maximum amount 500", QuantityOutOfRange),
        ("Bad link", BadLink),
        ("Bad Link", BadLink),
        ("Incorrect link", BadLink),
        ("neworder.error.invalid_link", BadLink),
        (
            "You have active order with this link. Please wait until order being completed.",
            ActiveOrderForLink,
        ),
        ("neworder.error.link_duplicate", ActiveOrderForLink),
        ("Incorrect order ID", OrderNotFound),
        ("This services does not support Dripfeed feature!", DripfeedNotSupported),
        ("This service does not support drip-feed", DripfeedNotSupported),
        ("Incorrect request", PanelRejected),
        ("Order not eligible for refill.", PanelRejected),
        ("Quantity is required", PanelRejected),
        ("Something odd happened", PanelRejected),
    ],
)
def test_classify_error(text: str, cls: type[PanelError]) -> None:
    error = classify_error(text)
    assert type(error) is cls
    assert error.message == text
    assert str(error) == text


def test_invalid_request_texts() -> None:
    for text in ("Incorrect request", "Invalid Request", "This action is Invalid"):
        assert is_invalid_request(text)
    assert is_invalid_request("The selected action is invalid.")
    assert not is_invalid_request("Incorrect order ID")


def test_outcome_unknown_is_not_unavailable() -> None:
    assert issubclass(OutcomeUnknown, PanelError)
    assert not issubclass(OutcomeUnknown, PanelUnavailable)


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"error": "Incorrect order ID"}, "Incorrect order ID"),
        (
            {"error": {"action": ["The selected action is invalid."]}},
            "The selected action is invalid.",
        ),
        (
            {"status": "error", "message": "Invalid Interval in minutes"},
            "Invalid Interval in minutes",
        ),
        ({"status": "fail", "message": "Incorrect request"}, "Incorrect request"),
        ({"success": False, "msg": "IP not allowed"}, "IP not allowed"),
        ({"message": "Unauthenticated."}, "Unauthenticated."),
        ({"error": True, "message": "Blocked"}, "Blocked"),
        # Not errors:
        ({"order": 1}, None),
        ({"status": "success", "message": "Your order successfully added for refill"}, None),
        ({"status": "Error", "charge": "0", "remains": "5"}, None),  # an order in state Error
        ({"status": "Fail"}, None),
        ([{"error": "x"}], None),
    ],
)
def test_reply_error(payload: Any, expected: str | None) -> None:
    assert reply_error(payload) == expected


# --------------------------------------------------------------------------------------------
# Body decoding (§6.6)


def test_decode_body_tolerates_bom_and_php_notice() -> None:
    notice = "<br />\n<b>Notice</b>:  Undefined index: x in <b>/a.php</b> on line <b>1</b><br />\n"
    assert decode_body('\ufeff{"order": 1}') == {"order": 1}
    assert decode_body(notice + '{"order": 1}') == {"order": 1}
    assert decode_body("\ufeff" + notice + '[{"service": 1}]') == [{"service": 1}]
    # The notice itself may contain brackets.
    assert decode_body("Warning: [x] {y} in file\n" + '{"a": [1]}') == {"a": [1]}


@pytest.mark.parametrize(
    "body",
    [
        "",
        "   ",
        '{"balance": "10',
        "<html><head><title>Just a moment...</title></head><body></body></html>",
        '<html><script>var a = {"k": 1};</script><body>Maintenance</body></html>',
    ],
)
def test_decode_body_rejects_non_json(body: str) -> None:
    with pytest.raises(ValueError, match="body"):
        decode_body(body)


# --------------------------------------------------------------------------------------------
# services (§2.1)

PP_SERVICES = [
    {
        "service": 1,
        "name": "Followers",
        "type": "Default",
        "rate": "0.90",
        "min": "50",
        "max": "10000",
        "dripfeed": True,
        "refill": True,
        "cancel": False,
        "category": "First Category",
    },
    {
        "service": 2,
        "name": "Comments",
        "type": "Custom Comments",
        "rate": "8",
        "min": "10",
        "max": "15000",
        "dripfeed": False,
        "refill": False,
        "cancel": True,
        "category": "Second Category",
    },
]


def test_parse_services_seed_example() -> None:
    followers, comments = parse_services(PP_SERVICES)
    assert followers.id == "1"
    assert followers.type is ServiceType.DEFAULT
    assert followers.type_raw == "Default"
    assert followers.rate == Decimal("0.90")
    assert (followers.min, followers.max) == (50, 10000)
    assert (followers.dripfeed, followers.refill, followers.cancel) == (True, True, False)
    assert followers.category == "First Category"
    assert followers.description is None
    assert comments.type is ServiceType.CUSTOM_COMMENTS
    assert comments.rate == Decimal(8)


def test_parse_services_loose_values() -> None:
    (service,) = parse_services(
        [
            {
                "service": "3331",
                "name": "Likes",
                "type": "custom_comments",
                "rate": "$0.50",
                "min": 10,
                "max": "10,000",
                "dripfeed": "0",
                "refill": "true",
                "desc": "Fast start",
                "category": "Likes",
            }
        ]
    )
    assert service.id == "3331"
    assert service.type is ServiceType.CUSTOM_COMMENTS
    assert service.rate == Decimal("0.50")
    assert service.max == 10000
    assert service.dripfeed is False
    assert service.refill is True
    assert service.cancel is None  # missing means unknown, not false
    assert service.description == "Fast start"


def test_parse_services_alternative_shapes() -> None:
    assert [s.id for s in parse_services({"status": "success", "data": PP_SERVICES})] == ["1", "2"]
    assert parse_services({"status": "success", "data": "Empty Data"}) == []
    assert parse_services([]) == []
    keyed = {"7": {k: v for k, v in PP_SERVICES[0].items() if k != "service"}}
    (service,) = parse_services(keyed)
    assert service.id == "7"


def test_parse_services_missing_type_is_default_and_bad_entries_are_skipped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    items: list[Any] = [
        {"service": 1, "name": "Plain", "rate": 1, "min": 1, "max": 2},
        {"service": 2, "name": "No rate", "type": "Default", "min": 1, "max": 2},
        "garbage",
    ]
    with caplog.at_level(logging.WARNING):
        (service,) = parse_services(items)
    assert service.type is ServiceType.DEFAULT
    assert service.type_raw == ""
    assert "skipped 2" in caplog.text
    with pytest.raises(ReplyShapeError):
        parse_services("nope")


# --------------------------------------------------------------------------------------------
# balance, add, single status (§2.2, §2.3, §2.7)


def test_parse_balance_variants() -> None:
    assert parse_balance({"balance": "100.84292", "currency": "USD"}).amount == Decimal(
        "100.84292"
    )
    numeric = parse_balance({"status": "success", "balance": 12.3, "currency": "BRL"})
    assert numeric.amount == Decimal("12.3")
    assert numeric.currency == "BRL"
    assert parse_balance({"balance": 10000}).currency == ""
    with pytest.raises(ReplyShapeError):
        parse_balance({"status": "success"})


def test_parse_order_created_variants() -> None:
    assert parse_order_created({"order": 23501}) == "23501"
    assert parse_order_created({"order": "23501"}) == "23501"
    assert parse_order_created({"status": "success", "order": 151}) == "151"
    assert parse_order_created({"order": 9, "type": "order"}) == "9"
    assert parse_order_created({"order": "1234567890123456789012"}) == "1234567890123456789012"
    with pytest.raises(ReplyShapeError):
        parse_order_created({"status": "success"})


def test_parse_single_status_variants() -> None:
    status = parse_single_status(
        "1",
        {
            "charge": "0.27819",
            "start_count": "3572",
            "status": "Partial",
            "remains": "157",
            "currency": "USD",
        },
    )
    assert status == OrderStatus(
        "1", OrderState.PARTIAL, "Partial", Decimal("0.27819"), 3572, 157, "USD"
    )
    loose = parse_single_status(
        "2",
        {
            "order": 2,
            "charge": 0.08011655652,
            "start_count": None,
            "status": "processing",
            "remains": "Unknown",
        },
    )
    assert loose.charge == Decimal("0.08011655652")
    assert loose.start_count is None
    assert loose.remains is None
    assert loose.currency is None
    assert loose.state is OrderState.PROCESSING
    over = parse_single_status("3", {"status": "Completed", "remains": "+5", "charge": "1"})
    assert over.remains == -5
    # Drip-feed parent and subscription objects have no charge/remains.
    drip = parse_single_status("4", {"status": "In progress", "runs": "3", "orders": [5, 6]})
    assert (drip.state, drip.charge, drip.remains) == (OrderState.IN_PROGRESS, None, None)
    sub = parse_single_status("5", {"status": "Active", "expiry": True, "posts": "5"})
    assert sub.state is OrderState.ACTIVE
    odd = parse_single_status("6", {"status": "Teleported", "charge": "1"})
    assert (odd.state, odd.status_raw) == (OrderState.UNKNOWN, "Teleported")


# --------------------------------------------------------------------------------------------
# Multi replies (§6.7, §6.8)

SEED_MULTI_STATUS = {
    "1": {
        "charge": "0.27819",
        "start_count": "3572",
        "status": "Partial",
        "remains": "157",
        "currency": "USD",
    },
    "10": {"error": "Incorrect order ID"},
    "100": {
        "charge": "1.44219",
        "start_count": "234",
        "status": "In progress",
        "remains": "10",
        "currency": "USD",
    },
}


def test_parse_multi_status_seed_example() -> None:
    result = parse_multi_status(SEED_MULTI_STATUS, ["1", "10", "100"])
    assert list(result) == ["1", "10", "100"]
    first = result["1"]
    assert isinstance(first, OrderStatus)
    assert first.state is OrderState.PARTIAL
    assert result["10"] == ItemError("10", "Incorrect order ID")
    last = result["100"]
    assert isinstance(last, OrderStatus)
    assert last.state is OrderState.IN_PROGRESS
    assert last.remains == 10


def test_parse_multi_status_smartpanel_keys_with_spaces_and_bare_strings() -> None:
    payload = {"1": {"status": "Pending", "remains": "5"}, " 2": "Incorrect order ID"}
    result = parse_multi_status(payload, ["1", "2"])
    assert isinstance(result["1"], OrderStatus)
    assert result["2"] == ItemError("2", "Incorrect order ID")


def test_parse_multi_status_array_by_order_field_then_position() -> None:
    payload = [
        {"order": 3, "status": "Completed", "remains": 0},
        {"error": "Incorrect order ID"},  # no id: matched by position (index 1 -> "2")
        {"order": "1", "status": "Pending"},
    ]
    result = parse_multi_status(payload, ["1", "2", "3"])
    one, three = result["1"], result["3"]
    assert isinstance(one, OrderStatus)
    assert one.state is OrderState.PENDING
    assert isinstance(three, OrderStatus)
    assert three.state is OrderState.COMPLETED
    assert result["2"] == ItemError("2", "Incorrect order ID")


def test_parse_multi_status_missing_ids_and_single_shape() -> None:
    result = parse_multi_status({"1": {"status": "Pending"}}, ["1", "2"])
    assert isinstance(result["2"], ItemError)
    # A panel that answers `orders=5` with the single-order shape.
    single = parse_multi_status({"status": "Completed", "charge": "1"}, ["5"])
    assert isinstance(single["5"], OrderStatus)
    assert parse_multi_status([], ["1"])["1"] == ItemError(
        "1", "No entry for this id in the panel reply"
    )
    with pytest.raises(ReplyShapeError):
        parse_multi_status({"a": 1}, ["1", "2"])


def test_parse_multi_status_nested_item_error() -> None:
    result = parse_multi_status({"1": {"status": {"error": "Incorrect order ID"}}}, ["1"])
    assert result["1"] == ItemError("1", "Incorrect order ID")


def test_parse_refills_created_seed_and_variants() -> None:
    seed = [
        {"order": 1, "refill": 1},
        {"order": 2, "refill": 2},
        {"order": 3, "refill": {"error": "Incorrect order ID"}},
    ]
    result = parse_refills_created(seed, ["1", "2", "3"])
    assert result["1"] == RefillCreated("1", "1")
    assert result["2"] == RefillCreated("2", "2")
    assert result["3"] == ItemError("3", "Incorrect order ID")
    # Single-order shapes (one id requested).
    assert parse_refills_created({"refill": "7"}, ["9"]) == {"9": RefillCreated("9", "7")}
    with_text = {"success": "Your order will be refill asap. Thank you for patience", "refill": 1}
    assert parse_refills_created(with_text, ["9"]) == {"9": RefillCreated("9", "1")}
    # Accepted with a success message and no id.
    no_id = {"success": "Your order will be refill asap. Thank you for patience."}
    assert parse_refills_created(no_id, ["8", "9"]) == {
        "8": RefillCreated("8", None),
        "9": RefillCreated("9", None),
    }
    message = {"status": "success", "message": "Your order successfully added for refill"}
    assert parse_refills_created(message, ["9"]) == {"9": RefillCreated("9", None)}
    # An item whose refill is a bare error text.
    text = parse_refills_created([{"order": 4, "refill": "Order not eligible for refill."}], ["4"])
    assert text["4"] == ItemError("4", "Order not eligible for refill.")


EARLIER = "Cancellation request was sent earlier"


def test_parse_cancels_created_seed_and_variants() -> None:
    seed = [
        {"order": 1, "type": "order", "cancel": 100},
        {"order": 10, "type": "dripfeed", "cancel": 200},
        {"order": 1000, "type": "subscription", "cancel": {"error": EARLIER}},
    ]
    result = parse_cancels_created(seed, ["1", "10", "1000"])
    assert result["1"] == CancelCreated("1", "100")
    assert result["10"] == CancelCreated("10", "200")
    assert result["1000"] == ItemError("1000", EARLIER)
    assert parse_cancels_created({"cancel": "1"}, ["5"]) == {"5": CancelCreated("5", "1")}
    asap = {"success": "Your order will be cancel asap. Thank you for patience."}
    assert parse_cancels_created(asap, ["5"]) == {"5": CancelCreated("5", None)}


def test_parse_task_statuses_seed_examples() -> None:
    refills = [
        {"refill": 1, "status": "Completed"},
        {"refill": 2, "type": "Rejected"},  # sic, in the seed document
        {"refill": 3, "status": {"error": "Refill not found"}},
    ]
    result = parse_task_statuses(refills, ["1", "2", "3"], "refill")
    assert result["1"] == TaskStatus("1", OrderState.COMPLETED, "Completed")
    assert result["2"] == TaskStatus("2", OrderState.REJECTED, "Rejected")
    assert result["3"] == ItemError("3", "Refill not found")
    cancels = [
        {"cancel": 1, "status": "Completed"},
        {"cancel": 2, "status": "Cancelled"},
        {"cancel": 3, "status": {"error": "Cancel not found"}},
    ]
    result = parse_task_statuses(cancels, ["1", "2", "3"], "cancel")
    assert result["2"] == TaskStatus("2", OrderState.CANCELED, "Cancelled")
    assert result["3"] == ItemError("3", "Cancel not found")
    # Single form and keyed forms.
    assert parse_task_statuses({"status": "Pending"}, ["4"], "refill")["4"] == TaskStatus(
        "4", OrderState.PENDING, "Pending"
    )
    keyed = parse_task_statuses(
        {"4": "In progress", "5": "Refill not found"}, ["4", "5"], "refill"
    )
    assert keyed["4"] == TaskStatus("4", OrderState.IN_PROGRESS, "In progress")
    assert keyed["5"] == ItemError("5", "Refill not found")


# --------------------------------------------------------------------------------------------
# The client over an injected MockTransport: shapes the stand-in panel cannot produce

Handler = Callable[[httpx.Request], httpx.Response]


def form_of(request: httpx.Request) -> dict[str, str]:
    return dict(httpx.QueryParams(request.content.decode()))


MakeClient = Callable[..., PanelClient]


@pytest.fixture
async def make_client() -> AsyncIterator[MakeClient]:
    """PanelClient factory over a MockTransport; the AsyncClients are closed afterwards."""
    opened: list[httpx.AsyncClient] = []

    def factory(handler: Handler, **kwargs: Any) -> PanelClient:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        opened.append(http)
        kwargs.setdefault("backoff_seconds", 0)
        return PanelClient(URL, http=http, **kwargs)

    yield factory
    for http in opened:
        await http.aclose()


def json_response(payload: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(payload).encode())


async def test_request_is_a_browser_like_form_post_to_the_exact_url(
    make_client: MakeClient,
) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return json_response({"order": 77})

    client = make_client(handler)
    fields = {
        "link": "https://x.test/a b",
        "quantity": 100,
        "runs": Decimal("3"),
        "interval": Decimal("1E+1"),
        "comments": "good pic\ngreat photo",
    }
    assert await client.add(KEY, "12", fields) == "77"
    (request,) = seen
    assert request.method == "POST"
    assert str(request.url) == URL
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("Mozilla/5.0")
    assert form_of(request) == {
        "key": KEY,
        "action": "add",
        "service": "12",
        "link": "https://x.test/a b",
        "quantity": "100",
        "runs": "3",
        "interval": "10",
        "comments": "good pic\ngreat photo",
    }


async def test_add_rejects_reserved_field_names(make_client: MakeClient) -> None:
    client = make_client(lambda request: json_response({"order": 1}))
    with pytest.raises(ValueError, match="reserved"):
        await client.add(KEY, "1", {"key": "other", "link": "x"})


@pytest.mark.parametrize(
    ("payload", "status", "cls"),
    [
        ({"status": "error", "message": "Invalid Interval in minutes"}, 200, PanelRejected),
        ({"error": {"quantity": ["Quantity less than minimal 100"]}}, 422, QuantityOutOfRange),
        ({"error": "Invalid API key"}, 403, InvalidKey),
        ({"error": "neworder.error.link_duplicate"}, 200, ActiveOrderForLink),
        ({"error": "neworder.error.not_enough_funds"}, 200, NotEnoughFunds),
        ({"status": "fail", "message": "Incorrect request"}, 200, PanelRejected),
        ({"success": False, "msg": "IP not allowed"}, 200, PanelRejected),
        ({"message": "Unauthenticated."}, 401, PanelRejected),
        # A 5xx carrying a known panel error is trusted: that order was not placed.
        ({"error": "Not enough funds on balance"}, 500, NotEnoughFunds),
    ],
)
async def test_add_alternative_error_shapes(
    make_client: MakeClient, payload: Any, status: int, cls: type[PanelError]
) -> None:
    client = make_client(lambda request: json_response(payload, status))
    with pytest.raises(cls) as caught:
        await client.add(KEY, "1", {"link": "https://x.test/a", "quantity": 100})
    assert type(caught.value) is cls


async def test_add_alternative_success_shapes(make_client: MakeClient) -> None:
    replies = iter(
        [
            json_response({"status": "success", "order": 151}),
            json_response({"order": "1234567890123456789012", "type": "order"}, 201),
        ]
    )
    client = make_client(lambda request: next(replies))
    assert await client.add(KEY, "1", {"link": "l", "quantity": 1}) == "151"
    assert await client.add(KEY, "1", {"link": "l", "quantity": 1}) == "1234567890123456789012"


async def test_add_reply_without_order_id_is_outcome_unknown(make_client: MakeClient) -> None:
    client = make_client(lambda request: json_response({"status": "success"}))
    with pytest.raises(OutcomeUnknown):
        await client.add(KEY, "1", {"link": "l", "quantity": 1})


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ReadTimeout("timed out"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        httpx.ReadError("connection reset"),
        httpx.WriteTimeout("timed out"),
    ],
)
async def test_writes_after_sending_are_outcome_unknown_and_not_retried(
    make_client: MakeClient,
    exc: httpx.TransportError,
) -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(form_of(request)["action"])
        raise exc

    client = make_client(handler)
    with pytest.raises(OutcomeUnknown):
        await client.add(KEY, "1", {"link": "l", "quantity": 1})
    with pytest.raises(OutcomeUnknown):
        await client.refill(KEY, ["1"])
    with pytest.raises(OutcomeUnknown):
        await client.cancel(KEY, ["1"])
    assert calls == ["add", "refill", "cancel"]


@pytest.mark.parametrize("exc", [httpx.ConnectError("refused"), httpx.ConnectTimeout("timed out")])
async def test_writes_that_never_connected_are_unavailable(
    make_client: MakeClient, exc: httpx.TransportError
) -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append("x")
        raise exc

    client = make_client(handler)
    with pytest.raises(PanelUnavailable):
        await client.add(KEY, "1", {"link": "l", "quantity": 1})
    assert len(calls) == 1


async def test_reads_retry_with_backoff_then_succeed(
    make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    sleeps: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    monkeypatch.setattr("bot.panel.client.asyncio.sleep", fake_sleep)
    replies = iter(
        [
            httpx.Response(502, text="<html>502</html>"),
            httpx.Response(200, text=""),
            json_response({"balance": "1.5", "currency": "USD"}),
        ]
    )
    client = make_client(lambda request: next(replies), read_retries=2, backoff_seconds=0.5)
    balance = await client.balance(KEY)
    assert balance.amount == Decimal("1.5")
    assert sleeps == [0.5, 1.0]


async def test_read_retries_exhausted(make_client: MakeClient) -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        raise httpx.ReadTimeout("timed out")

    client = make_client(handler, read_retries=3)
    with pytest.raises(PanelUnavailable, match="timed out"):
        await client.services(KEY)
    assert len(calls) == 4


async def test_logical_errors_on_reads_are_not_retried(make_client: MakeClient) -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return json_response({"error": "Invalid API key"})

    client = make_client(handler)
    with pytest.raises(InvalidKey):
        await client.balance(KEY)
    assert len(calls) == 1


@pytest.mark.parametrize("code", [301, 302, 307, 308])
async def test_redirect_is_unavailable_and_never_followed(
    make_client: MakeClient, code: int
) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(code, headers={"Location": "https://www.panel.test/api/v2"})

    client = make_client(handler, read_retries=0)
    with pytest.raises(PanelUnavailable, match="exact API URL") as caught:
        await client.balance(KEY)
    assert "www.panel.test" in caught.value.message
    with pytest.raises(PanelUnavailable):
        await client.add(KEY, "1", {"link": "l", "quantity": 1})
    assert [r.method for r in seen] == ["POST", "POST"]


async def test_rate_limit_is_unavailable_with_retry_after(make_client: MakeClient) -> None:
    client = make_client(
        lambda request: httpx.Response(429, headers={"Retry-After": "7"}, text="slow down"),
        read_retries=0,
    )
    with pytest.raises(PanelUnavailable) as caught:
        await client.status(KEY, "1")
    assert caught.value.retry_after == 7
    with pytest.raises(PanelUnavailable):  # 429 on add: refused, so not OutcomeUnknown
        await client.add(KEY, "1", {"link": "l", "quantity": 1})


async def test_cloudflare_403_on_add_is_unavailable(make_client: MakeClient) -> None:
    html = "<html><head><title>Just a moment...</title></head></html>"
    client = make_client(lambda request: httpx.Response(403, text=html))
    with pytest.raises(PanelUnavailable):
        await client.add(KEY, "1", {"link": "l", "quantity": 1})


async def test_services_alternative_shapes_through_the_client(make_client: MakeClient) -> None:
    replies = iter(
        [
            json_response({"status": "success", "data": PP_SERVICES}),
            httpx.Response(
                200,
                text='{"status":"success","data":"Empty Data"}',
                headers={"Content-Type": "text/html"},
            ),
        ]
    )
    client = make_client(lambda request: next(replies))
    assert len(await client.services(KEY)) == 2
    assert await client.services(KEY) == []


async def test_unreadable_read_reply_is_unavailable(make_client: MakeClient) -> None:
    client = make_client(lambda request: json_response({"foo": "bar"}), read_retries=0)
    with pytest.raises(PanelUnavailable, match="unreadable"):
        await client.balance(KEY)


async def test_unreadable_refill_reply_is_outcome_unknown(make_client: MakeClient) -> None:
    client = make_client(lambda request: json_response("ok"))
    with pytest.raises(OutcomeUnknown):
        await client.refill(KEY, ["1"])


async def test_whole_reply_not_found_on_multi_calls_becomes_item_errors(
    make_client: MakeClient,
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        action = form_of(request)["action"]
        text = {"status": "Incorrect order ID", "refill_status": "Refill Request Not found"}
        return json_response({"error": text.get(action, "Order not eligible for refill.")})

    client = make_client(handler)
    assert await client.statuses(KEY, ["1", "2"]) == {
        "1": ItemError("1", "Incorrect order ID"),
        "2": ItemError("2", "Incorrect order ID"),
    }
    assert await client.refill_statuses(KEY, ["5"]) == {
        "5": ItemError("5", "Refill Request Not found")
    }
    assert await client.refill(KEY, ["3"]) == {
        "3": ItemError("3", "Order not eligible for refill.")
    }


async def test_multi_status_keyed_by_spaced_ids_through_the_client(
    make_client: MakeClient,
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return json_response({"1": {"status": "Completed"}, " 2": "Incorrect order ID"})

    client = make_client(handler)
    result = await client.statuses(KEY, ["1", " 2 ", "1"])  # cleaned and de-duplicated
    assert list(result) == ["1", "2"]
    assert result["2"] == ItemError("2", "Incorrect order ID")


async def test_refill_success_message_without_id_through_the_client(
    make_client: MakeClient,
) -> None:
    reply = {"success": "Your order will be refill asap. Thank you for patience."}
    client = make_client(lambda request: json_response(reply))
    assert await client.refill(KEY, ["1"]) == {"1": RefillCreated("1", None)}


async def test_empty_id_lists_make_no_request(make_client: MakeClient) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request expected")

    client = make_client(handler)
    assert await client.statuses(KEY, []) == {}
    assert await client.refill(KEY, [" "]) == {}
    assert await client.cancel_statuses(KEY, []) == {}


async def test_key_never_leaks_into_errors_reprs_or_logs(
    make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    replies = iter(
        [
            json_response({"error": f"Invalid API key {KEY}"}),
            httpx.Response(302, headers={"Location": f"https://panel.test/login?key={KEY}"}),
            httpx.Response(500, text=f"<b>Fatal</b> key={KEY}"),
            json_response({"status": "error", "message": f"bad key {KEY}"}),
        ]
    )

    def handler(request: httpx.Request) -> httpx.Response:
        reply = next(replies)
        if reply.status_code == 500:
            raise httpx.ReadTimeout(f"timed out {reply.status_code}")
        return reply

    client = make_client(handler, read_retries=0)
    errors: list[PanelError] = []
    with caplog.at_level(logging.DEBUG, logger="bot.panel"):
        for call in (
            client.balance(KEY),
            client.status(KEY, "1"),
            client.add(KEY, "1", {"link": "l", "quantity": 1}),
            client.services(KEY),
        ):
            with pytest.raises(PanelError) as caught:
                await call
            errors.append(caught.value)
    assert [type(e) for e in errors] == [
        InvalidKey,
        PanelUnavailable,
        OutcomeUnknown,
        PanelRejected,
    ]
    for error in errors:
        assert KEY not in str(error)
        assert KEY not in repr(error)
        assert KEY not in error.message
    assert KEY not in caplog.text
    assert KEY not in repr(client)
    await client.aclose()


async def test_aclose_leaves_an_injected_client_open() -> None:
    http = httpx.AsyncClient(transport=httpx.MockTransport(lambda r: json_response({})))
    client = PanelClient(URL, http=http)
    await client.aclose()
    assert not http.is_closed
    await http.aclose()
    async with PanelClient(URL) as owned:
        pass
    assert owned._http.is_closed
