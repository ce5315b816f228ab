"""Fast checks that the fake SMM panel (tests/fakes/panel.py) behaves like a PP panel."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.fakes.panel import (
    PLAIN_SERVICE_ID,
    SERVICE_IDS,
    UNKNOWN_TYPE,
    FakePanel,
    default_catalogue,
)

PP_KEYS = ["service", "name", "type", "rate", "min", "max", "dripfeed", "refill", "cancel"]


@pytest.fixture
def panel() -> Iterator[FakePanel]:
    with FakePanel() as running:
        running.add_key("k1", balance="10")
        running.add_key("k2")
        yield running
    assert running.handler_errors == []


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    """Shared: creating an httpx client costs ~40 ms (SSL context)."""
    with httpx.Client(timeout=5) as http:
        yield http


def call(client: httpx.Client, panel: FakePanel, key: str = "k1", **fields: Any) -> Any:
    response = client.post(panel.url, data={"key": key, **fields})
    assert response.status_code == 200
    return response.json()


def test_catalogue_shape(panel: FakePanel, client: httpx.Client) -> None:
    services = call(client, panel, action="services")
    assert services == default_catalogue()
    assert {s["type"] for s in services} == set(SERVICE_IDS) | {UNKNOWN_TYPE}
    by_id = {s["service"]: s for s in services}
    assert all(by_id[sid]["type"] == type_ for type_, sid in SERVICE_IDS.items())
    assert all(list(s)[: len(PP_KEYS)] == PP_KEYS for s in services)
    assert max(Counter(s["category"] for s in services).values()) >= 20
    assert by_id[1] | {"name": ""} == {
        "service": 1, "name": "", "type": "Default", "rate": "0.90", "min": "10",
        "max": "10000", "dripfeed": True, "refill": True, "cancel": True,
        "category": by_id[1]["category"],
    }  # fmt: skip


def test_keys_actions_paths_and_get(panel: FakePanel, client: httpx.Client) -> None:
    assert call(client, panel, key="nope", action="balance") == {"error": "Invalid API key"}
    assert client.post(panel.url, data={"action": "balance"}).json() == {
        "error": "Invalid API key"
    }
    assert call(client, panel, action="add-order") == {"error": "Incorrect request"}
    assert call(client, panel, action="balance") == {"balance": "10.00000", "currency": "USD"}
    got = client.get(panel.url, params={"key": "k1", "action": "balance"})
    assert got.json()["balance"] == "10.00000"
    missing = client.post(panel.url.replace("/api/v2", "/api/v1"), data={"key": "k1"})
    assert missing.status_code == 404
    assert "text/html" in missing.headers["content-type"]
    assert panel.count("balance") == 4
    panel.reset_counts()
    assert panel.count("balance") == 0


def test_add_default_charges_and_reports_status(panel: FakePanel, client: httpx.Client) -> None:
    added = call(
        client, panel, action="add", service="1", link="https://ig.test/a", quantity="1000"
    )
    order_id = str(added["order"])
    assert isinstance(added["order"], int)
    assert panel.balance_of("k1") == Decimal("9.10")
    order = panel.orders[order_id]
    assert order.fields == {"service": "1", "link": "https://ig.test/a", "quantity": "1000"}
    assert (order.status, order.remains, order.charge) == ("Pending", 1000, Decimal("0.9"))
    assert call(client, panel, action="status", order=order_id) == {
        "charge": "0.90000",
        "start_count": "0",
        "status": "Pending",
        "remains": "1000",
        "currency": "USD",
    }
    assert call(client, panel, key="k2", action="status", order=order_id) == {
        "error": "Incorrect order ID"
    }


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"service": "999", "link": "https://a.test", "quantity": "100"}, "Incorrect service ID"),
        ({"service": "1", "link": "ig.test/a", "quantity": "100"}, "Bad link"),
        ({"service": "1", "link": "https://a.test"}, "Incorrect request"),
        ({"service": "1", "link": "https://a.test", "quantity": "9"},
         "Quantity less than minimal 10"),
        ({"service": "1", "link": "https://a.test", "quantity": "10001"},
         "Quantity more than maximum 10000"),
        ({"service": "1", "link": "https://a.test", "quantity": "5000", "runs": "3",
          "interval": "10"}, "Quantity more than maximum 10000"),
        ({"service": str(PLAIN_SERVICE_ID), "link": "https://a.test", "quantity": "100",
          "runs": "2", "interval": "5"}, "This service does not support drip-feed"),
        ({"service": "13", "link": "https://a.test"}, "Not enough funds on balance"),
        ({"service": "2", "link": "https://a.test", "comments": "a\nb"},
         "Quantity less than minimal 5"),
        ({"service": "3", "username": "bob", "min": "50", "max": "100", "delay": "7"},
         "Incorrect request"),
        ({"service": "5", "link": "https://t.test/p", "quantity": "10"}, "Incorrect request"),
    ],
)  # fmt: skip
def test_add_validation_errors(
    panel: FakePanel, client: httpx.Client, fields: dict[str, str], error: str
) -> None:
    assert call(client, panel, action="add", **fields) == {"error": error}
    assert panel.orders == {}
    assert panel.balance_of("k1") == Decimal("10")


def test_add_per_type_quantities_and_duplicates(panel: FakePanel, client: httpx.Client) -> None:
    def add(**fields: str) -> Any:
        return call(client, panel, action="add", **fields)

    comments = add(service="2", link="https://ig.test/c", comments="a\r\nb\n\n c\nd\r\ne\n")
    assert panel.orders[str(comments["order"])].charge == Decimal("0.04")  # 5 lines * 8 / 1000
    package = add(service=str(SERVICE_IDS["Custom Comments Package"]), link="https://ig.test/p",
                  comments="one\ntwo")  # fmt: skip
    assert panel.orders[str(package["order"])].charge == Decimal("3.00")  # flat rate
    drip = add(service="1", link="https://ig.test/d", quantity="100", runs="3", interval="10")
    assert panel.orders[str(drip["order"])].quantity == 300
    sub = add(service="3", username="bob", min="50", max="100", delay="30", expiry="31/12/2030")
    assert panel.orders[str(sub["order"])].charge == 0
    assert add(service="1", link="https://ig.test/d", quantity="100") == {
        "error": "You have active order with this link. Please wait until order being completed."
    }
    panel.complete(drip["order"])
    assert "order" in add(service="1", link="https://ig.test/d", quantity="100")
    # Same link, other key: allowed; ids stay unique across keys.
    other = call(client, panel, key="k2", action="add", service="1", link="https://ig.test/c",
                 quantity="10")  # fmt: skip
    assert other["order"] not in {comments["order"], package["order"], drip["order"]}


@pytest.mark.parametrize(
    ("dialect", "expected"),
    [
        ("pp", {"1001": {"status": "Pending"}, "7": {"error": "Incorrect order ID"}}),
        ("smartpanel", {"1001": {"status": "Pending"}, " 7": "Incorrect order ID"}),
        ("array", [{"order": 1001, "status": "Pending"}, {"error": "Incorrect order ID"}]),
    ],
)
def test_multi_status_dialects(
    panel: FakePanel, client: httpx.Client, dialect: str, expected: Any
) -> None:
    assert panel.create_order("k1", 1, quantity=10) == "1001"
    panel.multi_status_dialect = dialect  # type: ignore[assignment]
    got = call(client, panel, action="status", orders="1001, 7,1001")

    def shrink(item: Any) -> Any:
        return {"status": item["status"], **({"order": item["order"]} if "order" in item else {})}

    if isinstance(got, dict):
        got = {k: v if isinstance(v, str) or "error" in v else shrink(v) for k, v in got.items()}
    else:
        got = [v if "error" in v else shrink(v) for v in got]
    assert got == expected
    too_many = ",".join(str(n) for n in range(101))
    assert call(client, panel, action="status", orders=too_many) == {"error": "Incorrect request"}


def test_refill_lifecycle(panel: FakePanel, client: httpx.Client) -> None:
    done = panel.create_order("k1", 1, quantity=100, link="https://ig.test/r")
    plain = panel.create_order("k1", PLAIN_SERVICE_ID, quantity=100, link="https://ig.test/n")
    assert call(client, panel, action="refill", order=done) == {
        "error": "Order not eligible for refill."
    }
    panel.complete(done)
    panel.complete(plain)
    refill = call(client, panel, action="refill", order=done)
    assert refill == {"refill": "5001"}
    assert call(client, panel, action="refill", orders=f"{done},{plain},42") == [
        {"order": int(done), "refill": {"error": "Order not eligible for refill."}},
        {"order": int(plain), "refill": {"error": "Order not eligible for refill."}},
        {"order": 42, "refill": {"error": "Incorrect order ID"}},
    ]
    panel.set_refill("5001", "Completed")
    assert call(client, panel, action="refill_status", refill="5001") == {"status": "Completed"}
    assert call(client, panel, action="refill_status", refills="5001,3") == [
        {"refill": 5001, "status": "Completed"},
        {"refill": 3, "status": {"error": "Refill not found"}},
    ]
    assert call(client, panel, action="refill", orders=done) == [
        {"order": int(done), "refill": 5002}
    ]


def test_cancel_and_both_cancel_status_forms(panel: FakePanel, client: httpx.Client) -> None:
    order = panel.create_order("k1", 1, quantity=100)
    done = panel.create_order("k1", 1, quantity=100, link="https://x.test/q", status="Completed")
    assert call(client, panel, action="cancel", orders=f"{order},{done},9") == [
        {"order": int(order), "cancel": 9001},
        {"order": int(done), "cancel": {"error": "Order can not be canceled"}},
        {"order": 9, "cancel": {"error": "Incorrect order ID"}},
    ]
    assert call(client, panel, action="cancel", orders=order) == [
        {"order": int(order), "cancel": {"error": "Cancellation request was sent earlier"}}
    ]
    panel.set_cancel(9001, "Completed")
    expected = [
        {"cancel": 9001, "status": "Completed"},
        {"cancel": 3, "status": {"error": "Cancel not found"}},
    ]
    assert call(client, panel, action="cancel", cancels="9001,3") == expected
    assert call(client, panel, action="cancel_status", cancels="9001") == {
        "error": "Incorrect request"
    }
    panel.cancel_status_form = "cancel_status"
    assert call(client, panel, action="cancel", cancels="9001") == {"error": "Incorrect request"}
    assert call(client, panel, action="cancel_status", cancels="9001,3") == expected


def test_numbers_as_numbers_and_spelling(panel: FakePanel, client: httpx.Client) -> None:
    order = panel.create_order("k1", 1, quantity=100)
    panel.set_order(order, status="Canceled", remains=-5, start_count=12, refund=True)
    assert panel.balance_of("k1") == Decimal("10")
    panel.numbers_as_numbers = True
    panel.status_spelling = {"Canceled": "Cancelled"}
    assert call(client, panel, action="status", order=order) == {
        "charge": 0.0, "start_count": 12, "status": "Cancelled", "remains": -5, "currency": "USD",
    }  # fmt: skip
    assert call(client, panel, action="balance") == {"balance": 10.0, "currency": "USD"}
    first = call(client, panel, action="services")[0]
    assert (first["rate"], first["min"], first["dripfeed"]) == (0.9, 10, 1)


@pytest.mark.parametrize(
    ("fault", "status", "marker"),
    [
        ("html502", 502, b"Bad Gateway"),
        ("cloudflare", 503, b"<title>Just a moment...</title>"),
        ("maintenance", 200, b"maintenance"),
        ("invalid_json", 200, b'{"balance": "10'),
        ("empty", 200, b""),
        ("http500_json", 500, b'{"error":"Internal error"}'),
        ("bom_notice", 200, b"\xef\xbb\xbf<br />\n<b>Notice</b>"),
    ],
)
def test_body_faults(
    panel: FakePanel, client: httpx.Client, fault: str, status: int, marker: bytes
) -> None:
    panel.fault, panel.fault_actions, panel.fault_times = fault, {"balance"}, 1
    assert call(client, panel, action="services")  # not a faulted action
    response = client.post(panel.url, data={"key": "k1", "action": "balance"})
    assert response.status_code == status
    assert marker in response.content
    assert response.content or fault == "empty"
    assert int(response.headers["content-length"]) == len(response.content)
    if fault == "bom_notice":
        assert response.content.endswith(b'{"balance":"10.00000","currency":"USD"}')
    assert panel.fault is None  # fault_times used up
    assert call(client, panel, action="balance")["balance"] == "10.00000"


def test_timeouts_and_prompt_stop(panel: FakePanel) -> None:
    panel.timeout_seconds = 0.5
    panel.fault = "timeout_after_processing"
    fields = {"key": "k1", "action": "add", "service": "1", "link": "https://a.test/t"}
    with httpx.Client(timeout=0.2) as quick:
        with pytest.raises(httpx.ReadTimeout):
            quick.post(panel.url, data={**fields, "quantity": "100"})
        assert len(panel.orders) == 1  # placed and charged although the client gave up
        panel.fault, panel.timeout_seconds = "timeout", 30
        with pytest.raises(httpx.ReadTimeout):
            quick.post(panel.url, data={**fields, "action": "balance"})
    assert panel.count("add") == 1
    started = time.monotonic()
    panel.stop()  # a handler is still sleeping in the 30 s timeout
    assert time.monotonic() - started < 1.5


def test_one_key_slow_or_hung_while_others_answer_at_once(panel: FakePanel) -> None:
    panel.delay = 0.05
    panel.key_delays["k1"] = 0.6
    with httpx.Client(timeout=0.3) as quick:
        with pytest.raises(httpx.ReadTimeout):
            quick.post(panel.url, data={"key": "k1", "action": "balance"})
        assert call(quick, panel, key="k2", action="balance")["balance"] == "100.00000"
        del panel.key_delays["k1"]
        panel.hung_keys.add("k2")
        with pytest.raises(httpx.ReadTimeout):
            quick.post(panel.url, data={"key": "k2", "action": "balance"})
        assert call(quick, panel, key="k1", action="balance")["balance"] == "10.00000"
        panel.hung_keys.clear()
        assert call(quick, panel, key="k2", action="balance")["balance"] == "100.00000"
    assert panel.count("balance") == 5  # held requests are recorded too
    panel.hung_keys.add("k1")
    with httpx.Client(timeout=5) as patient:
        stopper = threading.Timer(0.2, panel.stop)  # stop() releases a hung request
        stopper.start()
        with pytest.raises(httpx.HTTPError) as dropped:
            patient.post(panel.url, data={"key": "k1", "action": "balance"})
        stopper.join()
    assert not isinstance(dropped.value, httpx.TimeoutException)  # dropped, not waited out
