"""PanelClient against the stand-in panel (tests/fakes/panel.py) over real HTTP."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from urllib.parse import parse_qsl

import httpx
import pytest

from bot.panel import (
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
)
from bot.panel.capabilities import (
    BOOSTEDSMM,
    SEED,
    SMARTPANEL,
    SMARTPANEL_INTERVALS,
    Capabilities,
)
from bot.panel.errors import ActionUnsupported
from tests.fakes.panel import PLAIN_SERVICE_ID, SERVICE_IDS, FakePanel, default_catalogue
from tests.real_panels import BOOSTEDSMM_ROUTES, SMARTPANEL_ROUTES, RawPanel

KEY = "k1-9d2f0c7e5b"
READ_RETRIES = 2


@pytest.fixture
def panel() -> Iterator[FakePanel]:
    with FakePanel() as fake:
        fake.add_key(KEY, balance="1000")
        fake.timeout_seconds = 1
        yield fake
        assert not fake.handler_errors, fake.handler_errors


@pytest.fixture
async def client(panel: FakePanel) -> AsyncIterator[PanelClient]:
    async with PanelClient(
        panel.url,
        connect_timeout=1,
        read_timeout=0.3,
        read_retries=READ_RETRIES,
        backoff_seconds=0.01,
    ) as panel_client:
        yield panel_client


def sid(type_name: str) -> str:
    return str(SERVICE_IDS[type_name])


def forms(panel: FakePanel, action: str) -> list[dict[str, str]]:
    return [form for received, form in panel.requests if received == action]


# --------------------------------------------------------------------------------------------
# services, balance


async def test_services(panel: FakePanel, client: PanelClient) -> None:
    services = {s.id: s for s in await client.services(KEY)}
    assert len(services) == len(default_catalogue())
    for type_name, service_id in SERVICE_IDS.items():
        service = services[str(service_id)]
        assert service.type_raw == type_name
        if type_name == "Weird New Type":
            assert service.type is ServiceType.UNKNOWN
        else:
            assert service.type is not ServiceType.UNKNOWN
            assert service.type.value == type_name.lower().replace(" ", "_")
    default = services["1"]
    assert default.rate == Decimal("0.90")
    assert (default.min, default.max) == (10, 10000)
    assert (default.dripfeed, default.refill, default.cancel) == (True, True, True)
    assert default.category == "Instagram Followers"
    plain = services[str(PLAIN_SERVICE_ID)]
    assert (plain.dripfeed, plain.refill, plain.cancel) == (False, False, False)
    assert forms(panel, "services") == [{"key": KEY, "action": "services"}]


async def test_balance(panel: FakePanel, client: PanelClient) -> None:
    panel.add_key("brl", balance="12.3", currency="BRL")
    balance = await client.balance("brl")
    assert balance.amount == Decimal("12.3")
    assert balance.currency == "BRL"


async def test_invalid_key(client: PanelClient) -> None:
    with pytest.raises(InvalidKey) as caught:
        await client.balance("nope")
    assert caught.value.message == "Invalid API key"


# --------------------------------------------------------------------------------------------
# add, one case per service type with that type's own fields

LINK = "https://instagram.com/p/abc"
ADD_CASES: list[tuple[str, dict[str, str | int | Decimal]]] = [
    ("Default", {"link": LINK, "quantity": 100}),
    ("Default", {"link": LINK, "quantity": 100, "runs": 3, "interval": 30}),
    ("SEO", {"link": "https://site.test", "quantity": 100, "keywords": "buy likes\nsmm panel"}),
    ("Custom Comments", {"link": LINK, "comments": "good pic\ngreat photo\n:)\n;)\nwow"}),
    (
        "Mentions with Hashtags",
        {"link": LINK, "quantity": 100, "usernames": "alice\nbob", "hashtags": "#fun\n#sun"},
    ),
    ("Mentions Custom List", {"link": LINK, "usernames": "a1\na2\na3\na4\na5\na6"}),
    ("Mentions Hashtag", {"link": LINK, "quantity": 100, "hashtag": "travel"}),
    (
        "Mentions User Followers",
        {"link": LINK, "quantity": 100, "username": "https://instagram.com/someone"},
    ),
    ("Mentions Media Likers", {"link": LINK, "quantity": 100, "media": LINK + "/media"}),
    ("Mentions", {"link": LINK, "quantity": 100, "usernames": "alice\nbob\ncarol"}),
    ("Package", {"link": "https://t.me/channel"}),
    ("Custom Comments Package", {"link": LINK, "comments": "one\ntwo"}),
    ("Comment Likes", {"link": LINK, "quantity": 20, "username": "commenter"}),
    ("Poll", {"link": "https://t.me/channel/5", "quantity": 100, "answer_number": 2}),
    ("Invites from Groups", {"link": "https://t.me/mygroup", "quantity": 100, "groups": "g1\ng2"}),
    (
        "Subscriptions",
        {
            "username": "someone",
            "min": 50,
            "max": 100,
            "delay": 30,
            "posts": 10,
            "old_posts": 2,
            "expiry": "31/12/2030",
        },
    ),
    (
        "Web Traffic",
        {
            "link": "https://site.test",
            "quantity": 1000,
            "country": "US",
            "device": 5,
            "type_of_traffic": 1,
            "google_keyword": "buy followers",
        },
    ),
    (
        "Comment Replies",
        {"link": LINK, "username": "commenter", "comments": "r1\nr2\nr3\nr4\nr5"},
    ),
    ("Weird New Type", {"link": LINK, "quantity": 10, "rate_hint": Decimal("1.50")}),
]


@pytest.mark.parametrize(
    ("type_name", "fields"), ADD_CASES, ids=[f"{t}-{i}" for i, (t, _) in enumerate(ADD_CASES)]
)
async def test_add_sends_each_type_its_own_fields(
    panel: FakePanel,
    client: PanelClient,
    type_name: str,
    fields: dict[str, str | int | Decimal],
) -> None:
    order_id = await client.add(KEY, sid(type_name), fields)
    expected = {"service": sid(type_name), **{name: str(v) for name, v in fields.items()}}
    assert panel.orders[order_id].fields == expected
    assert forms(panel, "add") == [{"key": KEY, "action": "add", **expected}]
    status = await client.status(KEY, order_id)
    assert status.state is OrderState.PENDING
    assert status.charge == panel.orders[order_id].charge


@pytest.mark.parametrize(
    ("service_id", "fields", "cls", "message"),
    [
        ("999", {"link": LINK, "quantity": 100}, BadService, "Incorrect service ID"),
        ("1", {"link": "not a link", "quantity": 100}, BadLink, "Bad link"),
        ("1", {"link": LINK, "quantity": 5}, QuantityOutOfRange, "Quantity less than minimal 10"),
        (
            "1",
            {"link": LINK, "quantity": 20000},
            QuantityOutOfRange,
            "Quantity more than maximum 10000",
        ),
        (
            str(PLAIN_SERVICE_ID),
            {"link": LINK, "quantity": 100, "runs": 2, "interval": 10},
            DripfeedNotSupported,
            None,
        ),
        ("1", {"link": LINK}, PanelRejected, "Incorrect request"),
    ],
)
async def test_add_logical_errors(
    panel: FakePanel,
    client: PanelClient,
    service_id: str,
    fields: dict[str, str | int | Decimal],
    cls: type[PanelError],
    message: str | None,
) -> None:
    with pytest.raises(cls) as caught:
        await client.add(KEY, service_id, fields)
    assert type(caught.value) is cls
    if message is not None:
        assert caught.value.message == message
    assert panel.orders == {}
    assert panel.count("add") == 1


async def test_add_not_enough_funds(panel: FakePanel, client: PanelClient) -> None:
    panel.set_balance(KEY, "0.01")
    with pytest.raises(NotEnoughFunds):
        await client.add(KEY, "1", {"link": LINK, "quantity": 1000})
    assert panel.orders == {}


async def test_add_duplicate_active_link(panel: FakePanel, client: PanelClient) -> None:
    await client.add(KEY, "1", {"link": LINK, "quantity": 100})
    with pytest.raises(ActiveOrderForLink):
        await client.add(KEY, "1", {"link": LINK, "quantity": 100})
    assert len(panel.orders) == 1


# --------------------------------------------------------------------------------------------
# status


async def test_status_single(panel: FakePanel, client: PanelClient) -> None:
    order_id = panel.create_order(KEY, 1, quantity=1000)
    panel.set_order(order_id, status="In progress", start_count=3572, remains=157)
    status = await client.status(KEY, order_id)
    assert status == OrderStatus(
        order_id=order_id,
        state=OrderState.IN_PROGRESS,
        status_raw="In progress",
        charge=Decimal("0.90000"),
        start_count=3572,
        remains=157,
        currency="USD",
    )
    assert not status.is_final
    assert forms(panel, "status") == [{"key": KEY, "action": "status", "order": order_id}]


async def test_status_unknown_order(panel: FakePanel, client: PanelClient) -> None:
    panel.add_key("other")
    foreign = panel.create_order("other", 1)
    for order_id in ("424242", foreign):
        with pytest.raises(OrderNotFound):
            await client.status(KEY, order_id)


async def test_status_negative_and_unknown_remains(panel: FakePanel, client: PanelClient) -> None:
    over = panel.create_order(KEY, 1)
    panel.set_order(over, status="Completed", remains=-5)
    unknown = panel.create_order(KEY, 1, link="https://x.test/2")
    panel.set_order(unknown, status="Processing", remains="Unknown")
    assert (await client.status(KEY, over)).remains == -5
    assert (await client.status(KEY, over)).is_final
    assert (await client.status(KEY, unknown)).remains is None


async def test_cancelled_spelling(panel: FakePanel, client: PanelClient) -> None:
    panel.status_spelling = {"Canceled": "Cancelled"}
    order_id = panel.create_order(KEY, 1)
    panel.set_order(order_id, status="Canceled", refund=True)
    status = await client.status(KEY, order_id)
    assert (status.state, status.status_raw) == (OrderState.CANCELED, "Cancelled")
    assert status.is_final
    many = await client.statuses(KEY, [order_id])
    assert many[order_id] == status


async def test_statuses_250_ids_make_exactly_3_calls(
    panel: FakePanel, client: PanelClient
) -> None:
    real = [panel.create_order(KEY, 1, link=f"https://x.test/{n}") for n in range(5)]
    ids = real + [str(900000 + n) for n in range(245)]
    result = await client.statuses(KEY, ids)
    assert panel.count("status") == 3
    sizes = [len(form["orders"].split(",")) for form in forms(panel, "status")]
    assert sizes == [100, 100, 50]
    assert list(result) == ids
    assert all(isinstance(result[i], OrderStatus) for i in real)
    assert all(isinstance(result[i], ItemError) for i in ids[5:])


@pytest.mark.parametrize("dialect", ["pp", "smartpanel", "array"])
async def test_statuses_mixed_good_and_error_entries(
    panel: FakePanel, client: PanelClient, dialect: str
) -> None:
    panel.multi_status_dialect = dialect  # type: ignore[assignment]
    done = panel.create_order(KEY, 1, quantity=500, link="https://x.test/a")
    panel.set_order(done, status="Partial", start_count=10, remains=157)
    running = panel.create_order(KEY, 1, link="https://x.test/b", status="In progress")
    ids = ["777777", done, "888888", running]
    result = await client.statuses(KEY, ids)
    assert panel.count("status") == 1
    assert list(result) == ids
    assert result["777777"] == ItemError("777777", "Incorrect order ID")
    assert result["888888"] == ItemError("888888", "Incorrect order ID")
    partial = result[done]
    assert isinstance(partial, OrderStatus)
    assert (partial.state, partial.start_count, partial.remains) == (OrderState.PARTIAL, 10, 157)
    assert partial.charge == Decimal("0.45000")
    progress = result[running]
    assert isinstance(progress, OrderStatus)
    assert progress.state is OrderState.IN_PROGRESS


async def test_statuses_all_unknown(panel: FakePanel, client: PanelClient) -> None:
    result = await client.statuses(KEY, ["1", "2"])
    assert result == {
        "1": ItemError("1", "Incorrect order ID"),
        "2": ItemError("2", "Incorrect order ID"),
    }


# --------------------------------------------------------------------------------------------
# refill, refill_status


async def test_refill_and_refill_statuses(panel: FakePanel, client: PanelClient) -> None:
    done = panel.create_order(KEY, 1)
    panel.complete(done)
    running = panel.create_order(KEY, 1, link="https://x.test/r", status="In progress")
    result = await client.refill(KEY, [done, running, "31337"])
    assert forms(panel, "refill") == [
        {"key": KEY, "action": "refill", "orders": f"{done},{running},31337"}
    ]
    created = result[done]
    assert isinstance(created, RefillCreated)
    assert created.refill_id is not None
    assert created.refill_id in panel.refills
    assert result[running] == ItemError(running, "Order not eligible for refill.")
    assert result["31337"] == ItemError("31337", "Incorrect order ID")

    refill_id = created.refill_id
    statuses = await client.refill_statuses(KEY, [refill_id, "4040"])
    assert statuses[refill_id] == TaskStatus(refill_id, OrderState.PENDING, "Pending")
    assert statuses["4040"] == ItemError("4040", "Refill not found")
    assert forms(panel, "refill_status")[-1]["refills"] == f"{refill_id},4040"

    panel.set_refill(refill_id, "Rejected")
    assert (await client.refill_statuses(KEY, [refill_id]))[refill_id] == TaskStatus(
        refill_id, OrderState.REJECTED, "Rejected"
    )
    panel.status_spelling = {"Canceled": "Cancelled"}
    panel.set_refill(refill_id, "Canceled")
    cancelled = (await client.refill_statuses(KEY, [refill_id]))[refill_id]
    assert isinstance(cancelled, TaskStatus)
    assert (cancelled.state, cancelled.status_raw) == (OrderState.CANCELED, "Cancelled")


async def test_refill_150_orders_make_two_calls(panel: FakePanel, client: PanelClient) -> None:
    result = await client.refill(KEY, [str(n) for n in range(1, 151)])
    assert panel.count("refill") == 2
    assert len(result) == 150
    assert all(isinstance(item, ItemError) for item in result.values())


# --------------------------------------------------------------------------------------------
# cancel, cancel status


async def test_cancel_and_cancel_statuses_seed_form(panel: FakePanel, client: PanelClient) -> None:
    pending = panel.create_order(KEY, 1)
    done = panel.create_order(KEY, 1, link="https://x.test/c")
    panel.complete(done)
    result = await client.cancel(KEY, [pending, done, "31337"])
    assert panel.count("cancel") == 1
    created = result[pending]
    assert isinstance(created, CancelCreated)
    assert created.cancel_id in panel.cancels
    assert isinstance(result[done], ItemError)
    assert result["31337"] == ItemError("31337", "Incorrect order ID")

    cancel_id = created.cancel_id
    assert cancel_id is not None
    panel.reset_counts()
    statuses = await client.cancel_statuses(KEY, [cancel_id, "4040"])
    assert forms(panel, "cancel") == [
        {"key": KEY, "action": "cancel", "cancels": f"{cancel_id},4040"}
    ]
    assert panel.count("cancel_status") == 0
    assert statuses[cancel_id] == TaskStatus(cancel_id, OrderState.PENDING, "Pending")
    assert statuses["4040"] == ItemError("4040", "Cancel not found")

    panel.set_cancel(cancel_id, "Completed")
    again = await client.cancel_statuses(KEY, [cancel_id])
    assert again[cancel_id] == TaskStatus(cancel_id, OrderState.COMPLETED, "Completed")


async def test_cancel_status_fallback_is_remembered(panel: FakePanel, client: PanelClient) -> None:
    panel.cancel_status_form = "cancel_status"
    order_id = panel.create_order(KEY, 1)
    created = (await client.cancel(KEY, [order_id]))[order_id]
    assert isinstance(created, CancelCreated)
    assert created.cancel_id is not None
    panel.reset_counts()

    first = await client.cancel_statuses(KEY, [created.cancel_id])
    assert [action for action, _ in panel.requests] == ["cancel", "cancel_status"]
    assert first[created.cancel_id] == TaskStatus(created.cancel_id, OrderState.PENDING, "Pending")

    panel.reset_counts()
    panel.set_cancel(created.cancel_id, "Rejected")
    second = await client.cancel_statuses(KEY, [created.cancel_id])
    assert [action for action, _ in panel.requests] == ["cancel_status"]
    assert second[created.cancel_id] == TaskStatus(
        created.cancel_id, OrderState.REJECTED, "Rejected"
    )


# --------------------------------------------------------------------------------------------
# numbers as JSON numbers


async def test_numbers_as_numbers(panel: FakePanel, client: PanelClient) -> None:
    panel.numbers_as_numbers = True
    services = {s.id: s for s in await client.services(KEY)}
    default = services["1"]
    assert (default.rate, default.min, default.max) == (Decimal("0.9"), 10, 10000)
    assert (default.dripfeed, default.refill, default.cancel) == (True, True, True)
    plain = services[str(PLAIN_SERVICE_ID)]
    assert (plain.dripfeed, plain.refill, plain.cancel) == (False, False, False)
    assert (await client.balance(KEY)).amount == Decimal(1000)

    order_id = await client.add(KEY, "1", {"link": LINK, "quantity": 100})
    assert order_id in panel.orders
    panel.set_order(order_id, status="In progress", start_count=12, remains=88)
    status = await client.status(KEY, order_id)
    assert (status.charge, status.start_count, status.remains) == (Decimal("0.09"), 12, 88)
    many = await client.statuses(KEY, [order_id, "5"])
    assert many[order_id] == status
    panel.complete(order_id)
    refill = (await client.refill(KEY, [order_id]))[order_id]
    assert isinstance(refill, RefillCreated)
    assert refill.refill_id in panel.refills


# --------------------------------------------------------------------------------------------
# Transport faults

NON_ANSWER_FAULTS = [
    "html502",
    "cloudflare",
    "maintenance",
    "invalid_json",
    "empty",
    "http500_json",
]


@pytest.mark.parametrize("fault", [*NON_ANSWER_FAULTS, "timeout"])
async def test_read_faults_are_retried_then_unavailable(
    panel: FakePanel, client: PanelClient, fault: str
) -> None:
    panel.fault = fault
    with pytest.raises(PanelUnavailable):
        await client.balance(KEY)
    assert panel.count("balance") == 1 + READ_RETRIES


@pytest.mark.parametrize("fault", NON_ANSWER_FAULTS)
async def test_read_fault_recovers_on_retry(
    panel: FakePanel, client: PanelClient, fault: str
) -> None:
    order_id = panel.create_order(KEY, 1)
    panel.fault = fault
    panel.fault_times = 1
    result = await client.statuses(KEY, [order_id])
    assert isinstance(result[order_id], OrderStatus)
    assert panel.count("status") == 2


async def test_every_read_action_retries(panel: FakePanel, client: PanelClient) -> None:
    panel.fault = "html502"
    calls = [
        client.services(KEY),
        client.balance(KEY),
        client.status(KEY, "1"),
        client.statuses(KEY, ["1"]),
        client.refill_statuses(KEY, ["1"]),
        client.cancel_statuses(KEY, ["1"]),
    ]
    for call in calls:
        with pytest.raises(PanelUnavailable):
            await call
    per_action = {a: panel.count(a) for a in ("services", "balance", "refill_status", "cancel")}
    assert per_action == dict.fromkeys(per_action, 1 + READ_RETRIES)
    assert panel.count("status") == 2 * (1 + READ_RETRIES)


@pytest.mark.parametrize("fault", [*NON_ANSWER_FAULTS, "timeout"])
async def test_add_faults_are_outcome_unknown_and_never_retried(
    panel: FakePanel, client: PanelClient, fault: str
) -> None:
    panel.fault = fault
    with pytest.raises(OutcomeUnknown):
        await client.add(KEY, "1", {"link": LINK, "quantity": 100})
    assert panel.count("add") == 1


async def test_add_timeout_after_processing(panel: FakePanel, client: PanelClient) -> None:
    panel.fault = "timeout_after_processing"
    with pytest.raises(OutcomeUnknown) as caught:
        await client.add(KEY, "1", {"link": LINK, "quantity": 100})
    assert not isinstance(caught.value, PanelUnavailable)
    assert panel.count("add") == 1
    (order,) = panel.orders.values()  # the order exists at the panel
    assert order.fields["link"] == LINK
    assert panel.balance_of(KEY) == Decimal("1000") - order.charge


@pytest.mark.parametrize("action", ["refill", "cancel"])
async def test_refill_and_cancel_timeouts_are_outcome_unknown(
    panel: FakePanel, client: PanelClient, action: str
) -> None:
    order_id = panel.create_order(KEY, 1)
    if action == "refill":
        panel.complete(order_id)
    panel.fault = "timeout_after_processing"
    with pytest.raises(OutcomeUnknown):
        await getattr(client, action)(KEY, [order_id])
    assert panel.count(action) == 1
    assert len(panel.refills if action == "refill" else panel.cancels) == 1


async def test_refill_and_cancel_html_errors_are_outcome_unknown(
    panel: FakePanel, client: PanelClient
) -> None:
    panel.fault = "html502"
    with pytest.raises(OutcomeUnknown):
        await client.refill(KEY, ["1"])
    with pytest.raises(OutcomeUnknown):
        await client.cancel(KEY, ["1"])
    assert (panel.count("refill"), panel.count("cancel")) == (1, 1)


async def test_bom_and_php_notice_are_tolerated(panel: FakePanel, client: PanelClient) -> None:
    panel.fault = "bom_notice"
    assert len(await client.services(KEY)) == len(default_catalogue())
    assert (await client.balance(KEY)).amount == Decimal(1000)
    order_id = await client.add(KEY, "1", {"link": LINK, "quantity": 100})
    assert (await client.status(KEY, order_id)).state is OrderState.PENDING
    assert isinstance((await client.statuses(KEY, [order_id]))[order_id], OrderStatus)
    with pytest.raises(OrderNotFound):
        await client.status(KEY, "5")


async def test_slow_reply_within_the_timeout(panel: FakePanel, client: PanelClient) -> None:
    panel.delays["balance"] = 0.1
    assert (await client.balance(KEY)).amount == Decimal(1000)
    assert panel.count("balance") == 1


async def test_connection_refused(panel: FakePanel) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with PanelClient(
        f"http://127.0.0.1:{port}/api/v2", connect_timeout=0.5, read_retries=1, backoff_seconds=0
    ) as dead:
        with pytest.raises(PanelUnavailable):
            await dead.balance(KEY)
        # Nothing was sent, so this is not OutcomeUnknown.
        with pytest.raises(PanelUnavailable):
            await dead.add(KEY, "1", {"link": LINK, "quantity": 100})


async def test_wrong_path_is_unavailable(panel: FakePanel) -> None:
    async with PanelClient(panel.url + "/oops", read_retries=0) as wrong:
        with pytest.raises(PanelUnavailable, match="404"):
            await wrong.balance(KEY)


async def test_key_not_in_logs(
    panel: FakePanel, client: PanelClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        order_id = await client.add(KEY, "1", {"link": LINK, "quantity": 100})
        await client.statuses(KEY, [order_id, "9"])
        panel.fault = "html502"
        with pytest.raises(PanelUnavailable):
            await client.balance(KEY)
    assert caplog.records
    assert KEY not in caplog.text


# --- a budget: calls a customer waits on ------------------------------------------------------


@pytest.fixture
async def patient(panel: FakePanel) -> AsyncIterator[PanelClient]:
    """A client whose single attempts would wait long enough for the slow stand-in to answer."""
    async with PanelClient(
        panel.url, connect_timeout=1, read_timeout=5, read_retries=3, backoff_seconds=0.01
    ) as panel_client:
        yield panel_client


async def test_a_budget_ends_a_read_the_patient_client_would_wait_for(
    panel: FakePanel, patient: PanelClient
) -> None:
    panel.delays["balance"] = 1.5
    with pytest.raises(PanelUnavailable):
        await patient.with_budget(0.5).balance(KEY)
    assert panel.count("balance") == 1  # no time left for a retry within the budget
    # The client itself (the poller's) still waits for the slow answer.
    assert (await patient.balance(KEY)).amount == Decimal("1000")


async def test_a_budget_covers_every_chunk_of_a_multi_call(
    panel: FakePanel, patient: PanelClient
) -> None:
    ids = [panel.create_order(KEY, 1) for _ in range(250)]
    panel.delays["status"] = 0.8
    with pytest.raises(PanelUnavailable):
        await patient.with_budget(1.2).statuses(KEY, ids)
    assert panel.count("status") == 2  # the third chunk was never sent
    assert len(await patient.with_budget(5).statuses(KEY, ids)) == 250


async def test_reads_still_retry_within_a_budget(panel: FakePanel, patient: PanelClient) -> None:
    panel.fault = "html502"
    panel.fault_times = 1
    assert (await patient.with_budget(5).balance(KEY)).amount == Decimal("1000")
    assert panel.count("balance") == 2


async def test_add_past_its_budget_is_outcome_unknown_and_sent_once(
    panel: FakePanel, patient: PanelClient
) -> None:
    panel.delays["add"] = 1.5
    with pytest.raises(OutcomeUnknown):
        await patient.with_budget(0.5).add(KEY, "1", {"link": LINK, "quantity": 100})
    assert panel.count("add") == 1


async def test_a_budget_view_shares_what_was_learnt(
    panel: FakePanel, patient: PanelClient
) -> None:
    panel.cancel_status_form = "cancel_status"
    assert await patient.cancel_statuses(KEY, ["1"])  # learns the form: 2 requests
    panel.reset_counts()
    await patient.with_budget(5).cancel_statuses(KEY, ["1"])
    assert [action for action, _ in panel.requests] == ["cancel_status"]


# --------------------------------------------------------------------------------------------
# What the panel supports, learned from answers (real panels' recorded answers)


class Saved:
    """The injected saver: what the bot would write to the database."""

    def __init__(self) -> None:
        self.versions: list[Capabilities] = []

    async def __call__(self, capabilities: Capabilities) -> None:
        self.versions.append(capabilities)


def raw_client(
    raw: RawPanel, saved: Saved | None = None, slots: asyncio.Semaphore | None = None
) -> PanelClient:
    return PanelClient(
        "https://panel.test/api/v2",
        http=httpx.AsyncClient(transport=raw.transport()),
        read_retries=0,
        slots=slots,
        on_learn=saved,
    )


def capability_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and "capabilities" in r.getMessage()
    ]


async def test_one_order_status_panel_learned_on_first_refusal_and_no_poll_lost(
    caplog: pytest.LogCaptureFixture,
) -> None:
    raw = RawPanel("boostedsmm", BOOSTEDSMM_ROUTES)
    saved = Saved()
    async with raw_client(raw, saved) as client:
        first = await client.statuses(KEY, ["501", "777"])
        status = first["501"]
        assert isinstance(status, OrderStatus)
        assert status.state is OrderState.PENDING
        assert isinstance(first["777"], ItemError)
        assert client.capabilities.multi_status is False
        assert raw.actions() == ["status orders", "status order", "status order"]

        raw.requests.clear()
        again = await client.statuses(KEY, ["501"])
        assert isinstance(again["501"], OrderStatus)
        assert raw.actions() == ["status order"]  # the refused form is not asked again
    assert [v.multi_status for v in saved.versions] == [False]
    assert len(capability_warnings(caplog)) == 1


async def test_a_refused_multi_status_with_no_order_found_learns_nothing() -> None:
    raw = RawPanel("boostedsmm", BOOSTEDSMM_ROUTES)
    async with raw_client(raw) as client:
        results = await client.statuses(KEY, ["777"])
        assert isinstance(results["777"], ItemError)
        assert client.capabilities.multi_status is None  # all unknown: cannot tell


async def test_per_order_status_calls_stay_within_the_given_slots() -> None:
    in_flight = 0
    most = 0
    release = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, most
        form = dict(parse_qsl(request.content.decode()))
        if "orders" in form:
            return httpx.Response(200, text='  {"error":"Order not found.","status":"104"}')
        in_flight += 1
        most = max(most, in_flight)
        if in_flight == 2:
            release.set()
        await release.wait()
        in_flight -= 1
        return httpx.Response(200, json={"status": "In progress", "remains": 5, "charge": 1})

    client = PanelClient(
        "https://panel.test/api/v2",
        http=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        slots=asyncio.Semaphore(2),
    )
    async with client:
        results = await client.statuses(KEY, [str(i) for i in range(1, 8)])
    assert all(isinstance(r, OrderStatus) for r in results.values())
    assert len(results) == 7
    assert most == 2
    assert client.capabilities.multi_status is False


async def test_smartpanel_catalogue_teaches_dialect_and_no_refill() -> None:
    raw = RawPanel("smartpanel", SMARTPANEL_ROUTES)
    saved = Saved()
    async with raw_client(raw, saved) as client:
        services = await client.services(KEY)
        assert services
        caps = client.capabilities
        assert caps.dialect == SMARTPANEL
        assert (caps.refill, caps.cancel) == (False, False)
        assert caps.dripfeed_intervals == SMARTPANEL_INTERVALS
        assert caps.comments_split_on_commas is True
        await client.services(KEY)  # the same answer again: nothing new, nothing saved
    assert len(saved.versions) == 1


async def test_boostedsmm_catalogue_teaches_one_order_status() -> None:
    raw = RawPanel("boostedsmm", BOOSTEDSMM_ROUTES)
    async with raw_client(raw) as client:
        await client.services(KEY)
        caps = client.capabilities
        assert (caps.dialect, caps.multi_status, caps.cancel) == (BOOSTEDSMM, False, False)
        assert caps.refill is None  # its catalogue flags refills; the action decides
        assert caps.comments_need_quantity is True


async def test_seed_catalogue_is_recognised(client: PanelClient) -> None:
    await client.services(KEY)
    assert client.capabilities.dialect == SEED
    assert client.capabilities.multi_status is None  # the seed's dialect assumes nothing


async def test_smartpanel_refill_is_unsupported_not_the_panels_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    raw = RawPanel("smartpanel", SMARTPANEL_ROUTES)
    saved = Saved()
    async with raw_client(raw, saved) as client:
        with pytest.raises(ActionUnsupported):
            await client.refill(KEY, ["1"])
        with pytest.raises(ActionUnsupported):
            await client.refill(KEY, ["1"])
        with pytest.raises(ActionUnsupported):
            await client.refill_statuses(KEY, ["1"])
        with pytest.raises(ActionUnsupported):
            await client.cancel(KEY, ["1"])
        with pytest.raises(ActionUnsupported):
            await client.cancel_statuses(KEY, ["1"])
        caps = client.capabilities
    assert (caps.refill, caps.refill_status, caps.cancel, caps.cancel_status) == (
        False,
        False,
        False,
        False,
    )
    assert len(capability_warnings(caplog)) == 4  # one per fact, not per call
    assert saved.versions[-1] == caps


async def test_boostedsmm_refill_500_is_not_available_now_and_not_learned() -> None:
    raw = RawPanel("boostedsmm", BOOSTEDSMM_ROUTES)
    async with raw_client(raw) as client:
        with pytest.raises(PanelUnavailable) as caught:
            await client.refill(KEY, ["501"])
        assert not isinstance(caught.value, OutcomeUnknown)
        assert client.capabilities.refill is None
        assert raw.actions() == ["refill orders"]  # never retried


async def test_boostedsmm_null_cancel_is_unsupported() -> None:
    raw = RawPanel("boostedsmm", BOOSTEDSMM_ROUTES)
    async with raw_client(raw) as client:
        with pytest.raises(ActionUnsupported):
            await client.cancel(KEY, ["501"])
        with pytest.raises(ActionUnsupported):
            await client.cancel_statuses(KEY, ["1"])
        assert raw.actions() == ["cancel orders", "cancel cancels", "cancel_status cancels"]
        results = await client.refill_statuses(KEY, ["1"])  # "Refill not found": it exists
        assert isinstance(results["1"], ItemError)
        caps = client.capabilities
    assert (caps.cancel, caps.cancel_status, caps.refill_status) == (False, False, True)


async def test_smartpanel_interval_refusal_teaches_its_intervals() -> None:
    raw = RawPanel("smartpanel", SMARTPANEL_ROUTES)
    async with raw_client(raw) as client:
        with pytest.raises(PanelRejected):
            await client.add(KEY, "1", {"link": LINK, "quantity": 100, "runs": 3, "interval": 20})
        assert client.capabilities.dripfeed_intervals == SMARTPANEL_INTERVALS
        assert raw.actions() == ["add interval link quantity runs service"]


async def test_seed_panel_confirms_what_it_supports(panel: FakePanel, client: PanelClient) -> None:
    order_id = panel.create_order(KEY, 1, quantity=100)
    panel.complete(order_id)
    await client.statuses(KEY, [order_id])
    await client.refill(KEY, [order_id])
    caps = client.capabilities
    assert (caps.multi_status, caps.refill) == (True, True)


async def test_a_failing_saver_never_fails_the_call(caplog: pytest.LogCaptureFixture) -> None:
    async def broken(capabilities: Capabilities) -> None:
        raise RuntimeError("database is locked")

    raw = RawPanel("boostedsmm", BOOSTEDSMM_ROUTES)
    client = PanelClient(
        "https://panel.test/api/v2",
        http=httpx.AsyncClient(transport=raw.transport()),
        on_learn=broken,
    )
    async with client:
        results = await client.statuses(KEY, ["501"])
    assert isinstance(results["501"], OrderStatus)
    assert "could not save the panel's capabilities" in caplog.text


# --------------------------------------------------------------------------------------------
# The stand-in's dialects


async def test_status_on_a_one_order_panel_falls_back_and_remembers() -> None:
    with FakePanel(dialect="boostedsmm") as panel:
        panel.add_key(KEY)
        first, second = panel.create_order(KEY, 1), panel.create_order(KEY, 1)
        panel.complete(second)
        async with PanelClient(panel.url, read_retries=0) as client:
            results = await client.statuses(KEY, [first, second])
            states = {i: r.state for i, r in results.items() if isinstance(r, OrderStatus)}
            assert states == {first: OrderState.PENDING, second: OrderState.COMPLETED}
            assert client.capabilities.multi_status is False
            panel.reset_counts()
            await client.statuses(KEY, [first])
        assert [sorted(form) for _, form in panel.requests] == [["action", "key", "order"]]


async def test_refill_where_the_panel_has_none() -> None:
    with FakePanel(dialect="smartpanel") as panel:
        panel.add_key(KEY)
        order_id = panel.create_order(KEY, 1)
        panel.complete(order_id)
        async with PanelClient(panel.url, read_retries=0) as client:
            with pytest.raises(ActionUnsupported):
                await client.refill(KEY, [order_id])
            assert client.capabilities.refill is False


async def test_boostedsmm_stand_in_refill_is_not_available_now() -> None:
    with FakePanel(dialect="boostedsmm") as panel:
        panel.add_key(KEY)
        order_id = panel.create_order(KEY, 1)
        panel.complete(order_id)
        async with PanelClient(panel.url, read_retries=0) as client:
            with pytest.raises(PanelUnavailable) as caught:
                await client.refill(KEY, [order_id])
            assert not isinstance(caught.value, OutcomeUnknown)
            assert client.capabilities.refill is None
            with pytest.raises(ActionUnsupported):
                await client.cancel(KEY, [order_id])
            assert client.capabilities.cancel is False
