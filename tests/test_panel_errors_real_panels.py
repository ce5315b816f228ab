"""Every recorded answer of the two real panel scripts, through the real parsers.

tests/data/real-panels-raw/ is a copy of the raw HTTP answers that ../shared/real-panels.md cites
(S01… SmartPanel, B01… BoostedSMM). Each file maps to the value the bot reads from it, or to the
error it stands for, so a change in decoding, error classification or parsing that would
misread a real panel fails here. A few of them are also replayed through the PanelClient.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.panel import (
    ActionUnsupported,
    BadLink,
    BadService,
    Balance,
    DripfeedNotSupported,
    InvalidKey,
    ItemError,
    MissingField,
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
    Service,
    classify_reply,
)
from bot.panel.client import decode_body
from bot.panel.models import (
    parse_balance,
    parse_cancels_created,
    parse_multi_status,
    parse_order_created,
    parse_refills_created,
    parse_services,
    parse_single_status,
    parse_task_statuses,
)

RAW = Path(__file__).parent / "data" / "real-panels-raw"
KEY = "TESTKEY0123456789abcdefTESTKEY01"

# --------------------------------------------------------------------------------------------
# Reading the recorded files: optional "### REQUEST" line, status line and headers (CRLF), the
# body, then "### HTTP <code> ... bytes=<n>" (the body's exact length). Files 50-53 hold only
# a body. One file (B31) holds two answers.

_STATUS_LINE = re.compile(rb"^HTTP/1\.[01] (\d{3})[^\r\n]*\r\n", re.MULTILINE)
_TRAILER = re.compile(rb"\n### HTTP (\d{3})(?:[^\n]*bytes=(\d+))?\n?$")


@dataclass(frozen=True)
class Recorded:
    http: int
    headers: str
    body: str


def recorded(name: str) -> list[Recorded]:
    data = (RAW / name).read_bytes()
    starts = list(_STATUS_LINE.finditer(data))
    if not starts:
        return [Recorded(200, "", data.decode())]
    answers = []
    for index, start in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(data)
        head, _, body = data[start.start() : end].partition(b"\r\n\r\n")
        trailer = _TRAILER.search(body)
        if trailer is not None:
            body = body[: trailer.start()]
            if trailer.group(2) is not None:
                assert len(body) == int(trailer.group(2)), name
        answers.append(Recorded(int(start.group(1)), head.decode(), body.decode()))
    return answers


# --------------------------------------------------------------------------------------------
# What was asked, and what the bot reads


@dataclass(frozen=True)
class Ask:
    action: str
    ids: tuple[str, ...] = ()
    several: bool = False  # the ids went as a list (`orders=`, `refills=`, `cancels=`)


def one(action: str, item_id: str | None = None) -> Ask:
    return Ask(action, (item_id,) if item_id is not None else ())


def many(action: str, *ids: str) -> Ask:
    return Ask(action, ids, several=True)


@dataclass(frozen=True)
class NoAnswer:
    """The body holds no JSON: the client's transport rules decide (see client._interpret)."""

    http: int


@dataclass(frozen=True)
class Refused:
    cls: type[PanelError]
    message: str
    code: str | None = None


def understand(answer: Recorded, ask: Ask) -> object:
    """The bot's reading of one answer: decode, classify, parse."""
    try:
        payload = decode_body(answer.body)
    except PanelError as error:
        return error
    except ValueError:
        return NoAnswer(answer.http)
    error = classify_reply(payload, action=ask.action, several=ask.several)
    if error is not None:
        return error
    parse: dict[str, Callable[[Any], object]] = {
        "services": parse_services,
        "balance": parse_balance,
        "add": parse_order_created,
        "refill": lambda p: parse_refills_created(p, ask.ids),
        "refill_status": lambda p: parse_task_statuses(p, ask.ids, "refill"),
        "cancel": lambda p: parse_cancels_created(p, ask.ids),
        "cancel_status": lambda p: parse_task_statuses(p, ask.ids, "cancel"),
    }
    if ask.action == "status":
        if ask.several:
            return parse_multi_status(payload, ask.ids)
        return parse_single_status(ask.ids[0], payload)
    return parse[ask.action](payload)


def status(
    order_id: str,
    raw: str,
    state: OrderState,
    charge: str | None = None,
    start_count: int | None = None,
    remains: int | None = None,
    currency: str | None = "USD",
) -> OrderStatus:
    return OrderStatus(
        order_id=order_id,
        state=state,
        status_raw=raw,
        charge=None if charge is None else Decimal(charge),
        start_count=start_count,
        remains=remains,
        currency=currency,
    )


def catalogue(services: list[Service]) -> list[tuple[object, ...]]:
    return [
        (s.id, s.type.value, s.rate, s.min, s.max, s.dripfeed, s.refill, s.cancel)
        for s in services
    ]


D = Decimal
SMART_PENDING_1 = status("1", "Pending", OrderState.PENDING, "0.6000", None, 0)
SMART_PENDING_3 = status("3", "Pending", OrderState.PENDING, "0.0480", None, 0)
# A drip-feed parent and a subscription carry a status word only.
SMART_DRIP_2 = status("2", "In progress", OrderState.IN_PROGRESS, currency=None)
SMART_SUB_109 = status("109", "Active", OrderState.ACTIVE, currency=None)
UNSUPPORTED_SMART = Refused(ActionUnsupported, "This action is Invalid")
UNSUPPORTED_NULL = Refused(
    ActionUnsupported, "This action is not supported by the panel (it answered null)"
)
BELOW_MIN_BOOSTED = Refused(QuantityOutOfRange, "Enter a value above the minimum number.", "108")
QUANTITY_REQUIRED = Refused(PanelRejected, "Quantity is required")

CASES: dict[str, tuple[Ask, object]] = {
    # -- SmartPanel (/api/v1): "\n" + pretty JSON, text/html, every value a string
    "smartpanel/01-services.txt": (
        one("services"),
        [
            ("1", "default", D("0.9000"), 50, 10000, True, None, None),
            ("2", "default", D("1.2000"), 100, 5000, False, None, None),
            ("4", "custom_comments_package", D("3.5000"), 1, 1, False, None, None),
            ("3", "custom_comments", D("8.0000"), 5, 1000, False, None, None),
            ("13", "poll", D("1.0000"), 10, 1000, False, None, None),
            ("5", "subscriptions", D("2.0000"), 100, 5000, False, None, None),
            ("9", "comment_likes", D("3.0000"), 20, 1000, False, None, None),
            ("10", "mentions_user_followers", D("3.0000"), 100, 1000, False, None, None),
            ("11", "mentions_hashtag", D("3.0000"), 100, 1000, False, None, None),
            ("12", "mentions_media_likers", D("3.0000"), 100, 1000, False, None, None),
            ("7", "mentions_with_hashtags", D("4.0000"), 100, 1000, False, None, None),
            ("8", "mentions_custom_list", D("4.0000"), 1, 1000, False, None, None),
            ("6", "package", D("5.0000"), 1, 1, False, None, None),
        ],
    ),
    "smartpanel/02-balance.txt": (one("balance"), Balance(D("1000.0000"), "USD")),
    "smartpanel/03-add-default.txt": (one("add"), "1"),
    "smartpanel/04-add-dripfeed.txt": (one("add"), "2"),
    "smartpanel/05-add-dripfeed-on-nondrip.txt": (
        one("add"),
        Refused(DripfeedNotSupported, "This services does not support Dripfeed feature!"),
    ),
    "smartpanel/06-add-dripfeed-bad-interval.txt": (
        one("add"),
        Refused(PanelRejected, "Invalid Interval in minutes"),
    ),
    "smartpanel/07-add-custom-comments.txt": (one("add"), "3"),
    "smartpanel/08-add-custom-comments-package.txt": (one("add"), QUANTITY_REQUIRED),
    "smartpanel/09-add-package-no-qty.txt": (one("add"), QUANTITY_REQUIRED),
    "smartpanel/10-add-package-qty1.txt": (one("add"), "4"),
    "smartpanel/11-add-subscriptions.txt": (one("add"), Refused(BadLink, "Bad Link")),
    "smartpanel/12-add-subscriptions-with-link.txt": (one("add"), "5"),
    "smartpanel/13-add-mentions-with-hashtags.txt": (one("add"), "6"),
    "smartpanel/14-add-mentions-custom-list.txt": (one("add"), QUANTITY_REQUIRED),
    "smartpanel/15-add-comment-likes.txt": (one("add"), "7"),
    "smartpanel/16-add-poll.txt": (one("add"), "8"),
    "smartpanel/17-add-below-min.txt": (
        one("add"),
        Refused(
            QuantityOutOfRange, "Quantity must to be greater than or equal to minimum amount 100"
        ),
    ),
    "smartpanel/18-add-above-max.txt": (
        one("add"),
        Refused(
            QuantityOutOfRange, "Quantity must to be less than or equal to maximum amount 5000"
        ),
    ),
    "smartpanel/19-add-bad-service.txt": (
        one("add"),
        Refused(BadService, "Service ID does not exists"),
    ),
    "smartpanel/20-add-missing-link.txt": (one("add"), Refused(BadLink, "Bad Link")),
    "smartpanel/21-add-no-funds.txt": (
        one("add"),
        Refused(NotEnoughFunds, "Not enough funds on balance"),
    ),
    "smartpanel/22-add-duplicate-link.txt": (one("add"), "9"),
    "smartpanel/23-bad-key.txt": (
        one("balance"),
        Refused(InvalidKey, "API is Disable for this user or User Not Found! Contact the Support"),
    ),
    "smartpanel/24-status-single.txt": (one("status", "1"), SMART_PENDING_1),
    "smartpanel/25-status-single-dripfeed.txt": (one("status", "2"), SMART_DRIP_2),
    "smartpanel/26-status-single-unknown.txt": (
        one("status", "999999"),
        Refused(OrderNotFound, "Incorrect order ID"),
    ),
    "smartpanel/27-status-single-nonnumeric.txt": (
        one("status", "abc"),
        Refused(OrderNotFound, "Incorrect order ID"),
    ),
    "smartpanel/28-status-multi.txt": (
        many("status", "1", "2", "3", "999999"),
        {
            "1": SMART_PENDING_1,
            "2": SMART_DRIP_2,
            "3": SMART_PENDING_3,
            "999999": ItemError("999999", "Incorrect order ID"),
        },
    ),
    # Asked as "1, 3 ,999999": the bot sends clean ids, the panel keys by the raw pieces.
    "smartpanel/29-status-multi-spaces.txt": (
        many("status", "1", "3", "999999"),
        {
            "1": SMART_PENDING_1,
            "3": SMART_PENDING_3,
            "999999": ItemError("999999", "Incorrect order ID"),
        },
    ),
    "smartpanel/30-status-multi-all-unknown.txt": (
        many("status", "888888", "999999"),
        {
            "888888": ItemError("888888", "Incorrect order ID"),
            "999999": ItemError("999999", "Incorrect order ID"),
        },
    ),
    "smartpanel/31-status-multi-one.txt": (many("status", "1"), {"1": SMART_PENDING_1}),
    # Asked with no id (the bot never does): a body of one newline.
    "smartpanel/32-status-no-id.txt": (one("status", ""), NoAnswer(200)),
    "smartpanel/33-refill-single.txt": (one("refill", "1"), UNSUPPORTED_SMART),
    "smartpanel/34-refill-multi.txt": (many("refill", "1", "3"), UNSUPPORTED_SMART),
    "smartpanel/35-refill_status-single.txt": (one("refill_status", "1"), UNSUPPORTED_SMART),
    "smartpanel/36-refill_status-multi.txt": (
        many("refill_status", "1", "2"),
        UNSUPPORTED_SMART,
    ),
    "smartpanel/37-cancel-multi.txt": (many("cancel", "1", "3"), UNSUPPORTED_SMART),
    "smartpanel/38-cancel-single.txt": (one("cancel", "1"), UNSUPPORTED_SMART),
    "smartpanel/39-cancel_status.txt": (one("cancel_status", "1"), UNSUPPORTED_SMART),
    "smartpanel/40-unknown-action.txt": (one("foo"), UNSUPPORTED_SMART),
    # A JSON body is not read: the key seems missing.
    "smartpanel/41-json-body.txt": (
        one("balance"),
        Refused(InvalidKey, "API is Disable for this user or User Not Found! Contact the Support"),
    ),
    "smartpanel/42-get-query.txt": (one("balance"), Balance(D("992.6320"), "USD")),
    "smartpanel/43-api-v2-path.txt": (one("balance"), NoAnswer(403)),
    "smartpanel/50-add-sub.txt": (one("add"), "109"),
    "smartpanel/51-status-subscription.txt": (one("status", "109"), SMART_SUB_109),
    "smartpanel/52-status-multi-sub-negative.txt": (
        many("status", "109", "102"),
        {
            "109": SMART_SUB_109,
            "102": status("102", "Completed", OrderState.COMPLETED, "0.6000", 1000, -5),
        },
    ),
    "smartpanel/53-services-empty.txt": (one("services"), []),
    # -- BoostedSMM (/api/v2): "  " + compact JSON, numbers as numbers, errors with a code
    "boostedsmm/01-services.txt": (
        one("services"),
        [
            ("1", "default", D("0.90"), 50, 10000, None, True, None),
            ("2", "default", D("1.20"), 100, 5000, None, False, None),
            ("3", "custom_comments", D("8"), 5, 1000, None, False, None),
            ("4", "custom_comments_package", D("3.5"), 1, 1, None, False, None),
            ("5", "package", D("5"), 1, 1, None, False, None),
            ("6", "subscriptions", D("2"), 100, 5000, None, False, None),
        ],
    ),
    "boostedsmm/02-balance.txt": (one("balance"), Balance(D("1000.0000000"), "USD")),
    "boostedsmm/03-add-default.txt": (one("add"), "501"),
    "boostedsmm/04-add-dripfeed.txt": (one("add"), "502"),
    "boostedsmm/05-add-dripfeed-on-nondrip.txt": (one("add"), "503"),
    "boostedsmm/06-add-custom-comments.txt": (one("add"), BELOW_MIN_BOOSTED),
    "boostedsmm/07-add-custom-comments-package.txt": (one("add"), BELOW_MIN_BOOSTED),
    "boostedsmm/08-add-package-no-qty.txt": (one("add"), BELOW_MIN_BOOSTED),
    "boostedsmm/09-add-package-qty1.txt": (one("add"), "504"),
    "boostedsmm/10-add-subscriptions.txt": (
        one("add"),
        Refused(PanelRejected, "There was an error while creating your order.", "114"),
    ),
    "boostedsmm/11-add-subscriptions-no-posts.txt": (
        one("add"),
        Refused(MissingField, "You must fill in the required fields.", "107"),
    ),
    "boostedsmm/12-add-below-min.txt": (one("add"), BELOW_MIN_BOOSTED),
    "boostedsmm/13-add-above-max.txt": (
        one("add"),
        Refused(QuantityOutOfRange, "Maximum number exceed.", "109"),
    ),
    "boostedsmm/14-add-bad-service.txt": (
        one("add"),
        Refused(BadService, "Service not found or inactive", "105"),
    ),
    "boostedsmm/15-add-missing-link.txt": (
        one("add"),
        Refused(MissingField, "You must fill in the required fields.", "107"),
    ),
    "boostedsmm/16-add-no-funds.txt": (
        one("add"),
        Refused(NotEnoughFunds, "Your balance is insufficient.", "113"),
    ),
    "boostedsmm/17-add-duplicate-link.txt": (one("add"), "505"),
    "boostedsmm/18-bad-key.txt": (one("balance"), Refused(InvalidKey, "API key invalid", "102")),
    "boostedsmm/19-status-single.txt": (
        one("status", "501"),
        status("501", "Pending", OrderState.PENDING, "0.6", 0, 0),
    ),
    "boostedsmm/20-status-single-dripfeed.txt": (
        one("status", "502"),
        status("502", "Pending", OrderState.PENDING, "0.27", 0, 0),
    ),
    "boostedsmm/21-status-single-comments.txt": (
        one("status", "503"),
        status("503", "Pending", OrderState.PENDING, "1.2", 0, 0),
    ),
    "boostedsmm/22-status-single-unknown.txt": (
        one("status", "999999"),
        Refused(OrderNotFound, "Order not found.", "104"),
    ),
    # The same words for any list of ids, known or not: the list form is not offered.
    "boostedsmm/23-status-multi.txt": (
        many("status", "501", "502", "999999"),
        Refused(ActionUnsupported, "Order not found.", "104"),
    ),
    "boostedsmm/24-refill-single.txt": (one("refill", "501"), NoAnswer(500)),
    "boostedsmm/25-refill-multi.txt": (many("refill", "501", "503"), NoAnswer(500)),
    "boostedsmm/26-refill_status-single.txt": (
        one("refill_status", "1"),
        Refused(PanelRejected, "Refill not found"),
    ),
    "boostedsmm/27-refill_status-single-0.txt": (
        one("refill_status", "0"),
        Refused(PanelRejected, "Refill not found"),
    ),
    "boostedsmm/28-refill_status-multi.txt": (
        many("refill_status", "1", "2"),
        Refused(PanelRejected, "Refill not found"),
    ),
    "boostedsmm/29-cancel-multi.txt": (many("cancel", "501"), UNSUPPORTED_NULL),
    "boostedsmm/30-unknown-action.txt": (one("foo"), UNSUPPORTED_NULL),
    "boostedsmm/31-api-v1-path.txt": (one("balance"), Balance(D("997.3250000"), "USD")),
    "boostedsmm/31-api-v1-path.txt#2": (one("balance"), NoAnswer(302)),
}


def _answers() -> list[tuple[str, Recorded]]:
    found = []
    for path in sorted(RAW.glob("*/*.txt")):
        name = f"{path.parent.name}/{path.name}"
        for index, answer in enumerate(recorded(name)):
            found.append((name if index == 0 else f"{name}#{index + 1}", answer))
    return found


ANSWERS = _answers()


def test_every_recorded_answer_has_an_expectation() -> None:
    assert len(ANSWERS) == 47 + 31 + 1  # SmartPanel, BoostedSMM, B31's second answer
    assert sorted(name for name, _ in ANSWERS) == sorted(CASES)


@pytest.mark.parametrize(("name", "answer"), ANSWERS, ids=[name for name, _ in ANSWERS])
def test_recorded_answer_is_read_as_expected(name: str, answer: Recorded) -> None:
    ask, expected = CASES[name]
    result = understand(answer, ask)
    if isinstance(expected, Refused):
        assert isinstance(result, PanelError), result
        assert (type(result), result.message, result.code) == (
            expected.cls,
            expected.message,
            expected.code,
        )
    elif ask.action == "services":
        assert isinstance(result, list)
        assert catalogue(result) == expected
    else:
        assert result == expected


def test_both_panels_send_html_content_type_and_the_bot_reads_the_body_anyway() -> None:
    content_types = {
        header.split(":", 1)[1].strip().lower()
        for _, answer in ANSWERS
        for header in answer.headers.splitlines()
        if header.lower().startswith("content-type:")
    }
    assert content_types == {"text/html; charset=utf-8"}


# --------------------------------------------------------------------------------------------
# Replayed through the client: what callers of PanelClient see


@pytest.fixture
async def replay() -> AsyncIterator[Callable[[str], PanelClient]]:
    """A PanelClient whose every request gets the recorded answer of one file."""
    opened: list[httpx.AsyncClient] = []

    def factory(name: str) -> PanelClient:
        (answer,) = recorded(name)

        def handler(request: httpx.Request) -> httpx.Response:
            return httpx.Response(
                answer.http,
                content=answer.body.encode(),
                headers={"Content-Type": "text/html; charset=UTF-8"},
            )

        http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        opened.append(http)
        return PanelClient("http://panel.test/api/v2", http=http, read_retries=0)

    yield factory
    for http in opened:
        await http.aclose()


async def test_boostedsmm_order_id_as_a_string_with_a_numeric_status(
    replay: Callable[[str], PanelClient],
) -> None:
    assert await replay("boostedsmm/03-add-default.txt").add(KEY, "2", {"link": "l"}) == "501"


async def test_smartpanel_refill_is_an_unsupported_action_not_a_missing_order(
    replay: Callable[[str], PanelClient],
) -> None:
    with pytest.raises(ActionUnsupported) as caught:
        await replay("smartpanel/34-refill-multi.txt").refill(KEY, ["1", "3"])
    assert caught.value.message == "This action is Invalid"
    assert not isinstance(caught.value, OrderNotFound)


async def test_boostedsmm_null_cancel_is_an_unsupported_action(
    replay: Callable[[str], PanelClient],
) -> None:
    with pytest.raises(ActionUnsupported):
        await replay("boostedsmm/29-cancel-multi.txt").cancel(KEY, ["501"])


async def test_boostedsmm_refill_500_with_a_blank_body_is_not_available_now(
    replay: Callable[[str], PanelClient],
) -> None:
    """Issue 8 item 5: a 500 with a blank body on `refill` is "not available now" (asked again
    only when the customer asks again; a refill asked twice is refused, never charged twice),
    neither an unknown outcome that never clears nor ActionUnsupported."""
    with pytest.raises(PanelUnavailable) as caught:
        await replay("boostedsmm/25-refill-multi.txt").refill(KEY, ["501", "503"])
    assert not isinstance(caught.value, ActionUnsupported | OutcomeUnknown)


async def test_smartpanel_v2_path_is_unavailable(replay: Callable[[str], PanelClient]) -> None:
    with pytest.raises(PanelUnavailable, match="HTTP 403"):
        await replay("smartpanel/43-api-v2-path.txt").balance(KEY)


async def test_smartpanel_status_with_null_start_count(
    replay: Callable[[str], PanelClient],
) -> None:
    assert await replay("smartpanel/24-status-single.txt").status(KEY, "1") == SMART_PENDING_1


async def test_boostedsmm_numbers_as_numbers_and_unknown_order(
    replay: Callable[[str], PanelClient],
) -> None:
    got = await replay("boostedsmm/19-status-single.txt").status(KEY, "501")
    assert got == status("501", "Pending", OrderState.PENDING, "0.6", 0, 0)
    with pytest.raises(OrderNotFound):
        await replay("boostedsmm/22-status-single-unknown.txt").status(KEY, "999999")


def test_boostedsmm_in_progress_is_printed_inprogress() -> None:
    """Source, not a recording: BoostedSMM upper-cases the first letter of its `inprogress`
    column; the recorded B19 answer with that word is read as in progress."""
    (answer,) = recorded("boostedsmm/19-status-single.txt")
    body = answer.body.replace('"Pending"', '"Inprogress"').replace('"remains":0', '"remains":40')
    result = understand(Recorded(200, "", body), one("status", "501"))
    assert result == status("501", "Inprogress", OrderState.IN_PROGRESS, "0.6", 0, 40)
