"""Fast checks that the fake SMM panel (tests/fakes/panel.py) behaves like a PP panel."""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import httpx
import pytest

from tests.conftest import OTHER_KEY, USER_KEY
from tests.fakes.panel import (
    PLAIN_SERVICE_ID,
    SERVICE_IDS,
    UNKNOWN_TYPE,
    Dialect,
    FakePanel,
    default_catalogue,
    real_catalogue,
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


# ---- dialects: the stand-in against the raw answers of two real panels --------------------

RAW = Path(__file__).parent / "data" / "real-panels-raw"
RAW_KEYS = {  # the accounts of the raw files' installs: a rich one and a poor one
    "smartpanel": {"TESTKEY0123456789abcdefTESTKEY01": "1000",
                   "POORKEY0123456789abcdefPOORKEY03": "1"},
    "boostedsmm": {"BOOSTKEY0123456789abcdefBOOSTK01": "1000",
                   "BOOSTPOOR0123456789abcdefBOOST02": "1"},
}  # fmt: skip
_ANSWER = re.compile(
    rb"HTTP/1\.[01] (\d{3})[^\r]*\r\n(.*?)\r\n\r\n(.*?)\n### HTTP \d{3}(?: [^\n]*bytes=(\d+))?",
    re.S,
)


@dataclass(frozen=True)
class RawAnswer:
    status: int
    headers: bytes
    body: bytes


def raw_file(dialect: str, name: str) -> tuple[str | None, list[RawAnswer]]:
    """The curl arguments of a raw file (None if it has none) and its answers in order."""
    data = (RAW / dialect / name).read_bytes()
    request = None
    if data.startswith(b"### REQUEST: "):
        head, _, data = data.partition(b"\nHTTP/")
        request, data = head.decode()[len("### REQUEST: ") :], b"HTTP/" + data
    if not data.startswith(b"HTTP/"):
        return request, [RawAnswer(200, b"", data)]  # a body alone (S50-S53)
    answers = []
    for match in _ANSWER.finditer(data + (b"" if b"\n### HTTP" in data else b"\n### HTTP 200")):
        status, headers, body, size = match.groups()
        assert size is None or int(size) == len(body), name
        answers.append(RawAnswer(int(status), headers, body))
    return request, answers


def curl_request(args: str) -> tuple[dict[str, str], bytes]:
    """Headers and body curl sends for ``-d``, ``--data-urlencode``, ``-H`` and ``--data``."""
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    parts: list[str] = []
    for option, value in re.findall(
        r"(-d|--data-urlencode|--data|-H|-X) (.*?)(?= (?:-d|--data-urlencode|--data|-H|-X) |$)",
        args,
        re.S,
    ):
        if option == "-H":
            name, _, header = value.partition(": ")
            headers[name] = header
        elif option == "--data-urlencode":
            name, _, content = value.partition("=")
            parts.append(f"{name}={quote_plus(content)}")
        elif option in {"-d", "--data"}:
            parts.append(value)
    return headers, "&".join(parts).encode()


def dialect_file_names(dialect: str) -> list[str]:
    return sorted(path.name for path in (RAW / dialect).glob("*.txt"))


@pytest.mark.parametrize("dialect", ["smartpanel", "boostedsmm"])
def test_replays_the_real_sessions_byte_for_byte(dialect: Dialect, client: httpx.Client) -> None:
    """Every raw file with a request, replayed in order on a stand-in holding the same
    catalogue and accounts, gets the same status, Content-Type and body."""
    mismatches = []
    with FakePanel(real_catalogue(dialect), dialect=dialect) as fake:  # type: ignore[arg-type]
        for key, balance in RAW_KEYS[dialect].items():
            fake.add_key(key, balance=balance)
        base = fake.url.rsplit("/api/", 1)[0]
        replayed = 0
        for name in dialect_file_names(dialect):
            args, answers = raw_file(dialect, name)
            if args is None:
                continue
            headers, body = curl_request(args)
            urls = [fake.url, *re.findall(r"-X POST http://[^/]+(/\S*)", args)]
            for url, answer in zip(urls, answers, strict=True):
                got = client.post(url if url.startswith("http") else base + url,
                                  content=body, headers=headers)  # fmt: skip
                if (got.status_code, got.content) != (answer.status, answer.body):
                    mismatches.append((name, got.status_code, got.content, answer.body))
                assert got.headers["content-type"] == "text/html; charset=UTF-8", name
                replayed += 1
        assert fake.handler_errors == []
    assert mismatches == []
    assert replayed >= 31


def test_smartpanel_get_query_json_body_and_api_v2_path(client: httpx.Client) -> None:
    [get_answer] = raw_file("smartpanel", "42-get-query.txt")[1]
    [v2_answer] = raw_file("smartpanel", "43-api-v2-path.txt")[1]
    with FakePanel(dialect="smartpanel") as fake:
        fake.add_key("k1", balance="992.632")
        assert fake.url.endswith("/api/v1")
        got = client.get(fake.url, params={"key": "k1", "action": "balance"})
        assert got.content == get_answer.body
        assert got.json()["balance"] == "992.6320"
        wrong = client.post(fake.url.replace("/api/v1", "/api/v2"), data={"key": "k1"})
        assert (wrong.status_code, wrong.content) == (403, v2_answer.body)
        assert "text/html" in wrong.headers["content-type"]


def test_smartpanel_subscription_negative_remains_and_empty_catalogue(
    client: httpx.Client,
) -> None:
    """S50-S53: the shapes of a subscription's status, a delivered-over order, no services."""
    sub_body = raw_file("smartpanel", "51-status-subscription.txt")[1][0].body
    multi_body = raw_file("smartpanel", "52-status-multi-sub-negative.txt")[1][0].body
    with FakePanel(dialect="smartpanel") as fake:
        fake.add_key("k1", balance="100")
        sub = call_raw(client, fake, action="add", service=str(SERVICE_IDS["Subscriptions"]),
                       link="https://ig.test/u", quantity="100", posts="10",
                       expiry="31/12/2099")  # fmt: skip
        assert sub.content == raw_file("smartpanel", "50-add-sub.txt")[1][0].body.replace(
            b"109", sub.json()["order"].__str__().encode()
        )
        sub_id = str(sub.json()["order"])
        fake.set_order(sub_id, status="Active")
        assert call_raw(client, fake, action="status", order=sub_id).content == sub_body
        done = fake.create_order("k1", 1, quantity=500)
        fake.set_order(done, status="Completed", start_count=1000, remains=-5, charge="0.6")
        got = call_raw(client, fake, action="status", orders=f"{sub_id},{done}")
        expected = multi_body.replace(b"109", sub_id.encode()).replace(b"102", done.encode())
        assert got.content == expected
        fake.services.clear()
        empty = raw_file("smartpanel", "53-services-empty.txt")[1][0].body
        assert call_raw(client, fake, action="services").content == empty


def call_raw(client: httpx.Client, panel: FakePanel, key: str = "k1", **fields: str) -> Any:
    response = client.post(panel.url, data={"key": key, **fields})
    assert response.status_code == 200
    return response


def body_json(response: httpx.Response) -> Any:
    """The JSON a dialect frames (``"\\n"`` + pretty or ``"  "`` + compact, as text/html)."""
    return json.loads(response.content)


def post(client: httpx.Client, panel: FakePanel, key: str = USER_KEY, **fields: str) -> Any:
    response = client.post(panel.url, data={"key": key, **fields})
    assert response.status_code == 200
    return body_json(response)


def test_dialect_panel_fixture_and_catalogues(
    dialect_panel: FakePanel, client: httpx.Client
) -> None:
    """Every dialect holds the seed's ids (BoostedSMM only its five types) in its own shapes."""
    panel = dialect_panel
    assert panel.url.endswith({"smartpanel": "/api/v1"}.get(panel.dialect, "/api/v2"))
    response = client.post(panel.url, data={"key": USER_KEY, "action": "services"})
    framing = {"seed": b"[", "smartpanel": b"\n[\n    {\n", "boostedsmm": b'  [{"rate":'}
    assert response.content.startswith(framing[panel.dialect])
    services = {str(s["service"]): s for s in body_json(response)}
    package = services[str(SERVICE_IDS["Package"])]
    if panel.dialect == "seed":
        assert package["type"] == "Package"
    elif panel.dialect == "smartpanel":
        assert len(services) == len(default_catalogue())
        assert package == {
            "service": "13", "name": "Telegram Channel Starter [Package]", "category": "Telegram",
            "rate": "12.5000", "min": "1", "max": "1", "type": "package", "desc": "",
            "dripfeed": "0",
        }  # fmt: skip
        assert services["1"]["dripfeed"] == "1"
        assert services[str(SERVICE_IDS["Mentions with Hashtags"])]["type"] == (
            "mentions_with_hashtags"
        )
    else:
        assert {s["type"] for s in services.values()} == {
            "Default", "Package", "Custom Comments", "Custom Comments Package", "Subscriptions",
        }  # fmt: skip
        assert package == {
            "rate": "12.50", "service": 13, "category": "Telegram",
            "name": "Telegram Channel Starter [Package]", "type": "Package", "min": 1, "max": 1,
            "desc": "", "refill": "false",
        }  # fmt: skip
        assert services["1"]["refill"] == "true"
    assert post(client, panel, action="balance")["balance"] == {
        "seed": "100.00000", "smartpanel": "100.0000", "boostedsmm": "100.0000000"
    }[panel.dialect]  # fmt: skip


@pytest.mark.parametrize("interval", ["0", "5", "10", "15", "30", "60", "90"])
def test_smartpanel_accepts_its_intervals(client: httpx.Client, interval: str) -> None:
    with FakePanel(dialect="smartpanel") as fake:
        fake.add_key(USER_KEY)
        added = post(client, fake, action="add", service="1", link="x", quantity="100",
                     runs="3", interval=interval)  # fmt: skip
        order = fake.orders[str(added["order"])]
        assert (order.quantity, order.charge, order.runs) == (300, Decimal("0.27"), 3)
        assert post(client, fake, action="status", order=order.id) == {
            "status": "In progress", "runs": "3", "orders": []
        }  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "answer"),
    [
        ({"interval": "7"}, b'\n{"status":"error","message":"Invalid Interval in minutes"}'),
        ({"interval": "1440"}, b'\n{"status":"error","message":"Invalid Interval in minutes"}'),
        ({"interval": "10", "quantity": "4000"},  # 3 runs x 4000 > max 10000
         b'\n{\n    "error": "Quantity must to be less than or equal to maximum amount 10000"\n}'),
        ({"service": str(PLAIN_SERVICE_ID)},
         b'\n{\n    "error": "This services does not support Dripfeed feature!"\n}'),
        ({"interval": "10", "quantity": ""}, b'\n{\n    "error": "Quantity is required"\n}'),
    ],
)  # fmt: skip
def test_smartpanel_refuses_other_drip_feeds(
    client: httpx.Client, fields: dict[str, str], answer: bytes
) -> None:
    with FakePanel(dialect="smartpanel") as fake:
        fake.add_key(USER_KEY)
        request = {"service": "1", "link": "x", "quantity": "100", "runs": "3", "interval": "10"}
        got = client.post(fake.url, data={"key": USER_KEY, "action": "add", **request, **fields})
        assert got.content == answer
        assert fake.orders == {}


def test_smartpanel_orders_of_every_kind(client: httpx.Client) -> None:
    """Comments split on commas and charged per piece; list and package types need quantity;
    a package costs its rate; subscriptions need a link and are then plain orders."""
    with FakePanel(dialect="smartpanel") as fake:
        fake.add_key(USER_KEY)

        def add(service: str, **fields: str) -> Any:
            return post(client, fake, action="add", service=service, link="https://ig.test/p",
                        **fields)  # fmt: skip

        ids = SERVICE_IDS
        comments = add(str(ids["Custom Comments"]), comments="a, b\nc\nd\ne\nf", quantity="5")
        order = fake.orders[str(comments["order"])]
        assert (order.quantity, order.charge) == (6, Decimal("0.048"))
        for type_ in ("Package", "Custom Comments Package", "Mentions Custom List"):
            assert add(str(ids[type_]), comments="x", usernames="u") == {
                "error": "Quantity is required"
            }
        package = add(str(ids["Package"]), quantity="1")
        assert fake.orders[str(package["order"])].charge == Decimal("12.5")
        assert add(str(ids["Custom Comments Package"]), quantity="2") == {
            "error": "Quantity must to be less than or equal to maximum amount 1"
        }
        no_link = post(client, fake, action="add", service=str(ids["Subscriptions"]),
                       username="bob", min="50", max="100", delay="30")  # fmt: skip
        assert no_link == {"error": "Bad Link"}
        sub = add(str(ids["Subscriptions"]), quantity="100")
        assert post(client, fake, action="status", order=str(sub["order"])) == {
            "status": "Pending", "expiry": False, "posts": None, "orders": []
        }  # fmt: skip
        assert add(str(ids["Package"]), quantity="1") == {"status": "success", "order": 4}


def test_smartpanel_status_forms(client: httpx.Client) -> None:
    with FakePanel(dialect="smartpanel") as fake:
        fake.add_key(USER_KEY)
        fake.add_key(OTHER_KEY)
        order = fake.create_order(USER_KEY, 1, quantity=1000)
        assert post(client, fake, action="status", order=order) == {
            "order": order, "status": "Pending", "charge": "0.9000", "start_count": None,
            "remains": "0", "currency": "USD",
        }  # fmt: skip
        fake.set_order(order, status="In progress", start_count=120, remains=400)
        assert post(client, fake, action="status", orders=f" {order},x,{order}") == {
            f" {order}": {
                "order": order, "status": "In progress", "charge": "0.9000",
                "start_count": "120", "remains": "400", "currency": "USD",
            },
            "x": "Incorrect order ID",
            order: post(client, fake, action="status", order=order),
        }  # fmt: skip
        assert post(client, fake, key=OTHER_KEY, action="status", orders=order) == {
            order: "Incorrect order ID"
        }
        for action in ("refill", "refill_status", "cancel", "cancel_status"):
            assert post(client, fake, action=action, order=order, orders=order) == {
                "error": "This action is Invalid"
            }
        assert fake.refills == {}
        assert fake.cancels == {}


def test_boostedsmm_orders_status_and_missing_actions(client: httpx.Client) -> None:
    with FakePanel(dialect="boostedsmm") as fake:
        fake.add_key(USER_KEY)

        def add(service: int, **fields: str) -> Any:
            return post(client, fake, action="add", service=str(service),
                        link="https://ig.test/p", **fields)  # fmt: skip

        below = {"error": "Enter a value above the minimum number.", "status": 108}
        assert add(SERVICE_IDS["Package"]) == below
        assert add(SERVICE_IDS["Custom Comments"], comments="a\nb\nc\nd\ne") == below
        package = add(SERVICE_IDS["Package"], quantity="1")
        assert package == {"status": 100, "order": "501"}
        assert fake.orders["501"].charge == Decimal("0.0125")  # 12.50 x 1 / 1000
        comments = add(SERVICE_IDS["Custom Comments"], comments="a\nb\nc\nd\ne", quantity="6")
        assert fake.orders[comments["order"]].quantity == 5  # the lines; charged for 6
        assert fake.orders[comments["order"]].charge == Decimal("0.048")
        drip = add(PLAIN_SERVICE_ID, quantity="100", runs="4", interval="7")
        assert fake.orders[drip["order"]].charge == Decimal("0.2")  # 4 x 100 x 0.50 / 1000
        sub = {"service": str(SERVICE_IDS["Subscriptions"]), "username": "bob", "min": "50",
               "max": "100", "delay": "30"}  # fmt: skip
        assert post(client, fake, action="add", **sub) == {
            "error": "You must fill in the required fields.", "status": 107
        }  # fmt: skip
        assert post(client, fake, action="add", **sub, posts="10") == {
            "error": "There was an error while creating your order.", "status": 114
        }  # fmt: skip
        assert add(SERVICE_IDS["Poll"], quantity="100") == {
            "error": "Service not found or inactive", "status": "105"
        }  # fmt: skip

        fake.set_order("501", status="In progress", start_count=7, remains=-3)
        assert post(client, fake, action="status", order="501") == {
            "charge": 0.0125, "start_count": 7, "status": "Inprogress", "remains": -3,
            "currency": "USD",
        }  # fmt: skip
        not_found = {"error": "Order not found.", "status": "104"}
        assert post(client, fake, action="status", orders="501") == not_found
        assert post(client, fake, action="status") == not_found
        assert post(client, fake, action="refill_status", refill="1") == {
            "error": "Refill not found"
        }
        assert post(client, fake, action="cancel", orders="501") is None
        assert post(client, fake, action="cancel_status", cancels="1") is None
        refill = client.post(fake.url, data={"key": USER_KEY, "action": "refill", "order": "501"})
        assert (refill.status_code, refill.content, refill.http_version) == (
            500, b"  ", "HTTP/1.0"
        )  # fmt: skip
        assert fake.refills == {}
        assert post(client, fake, key="", action="balance") == {
            "error": "Missing data", "status": "101"
        }  # fmt: skip
        as_json = client.post(fake.url, json={"key": USER_KEY, "action": "balance"})
        assert body_json(as_json) == {"error": "Missing data", "status": "101"}
        by_query = client.post(fake.url, params={"key": USER_KEY, "action": "status"},
                               data={"order": "501"})  # fmt: skip
        assert body_json(by_query)["status"] == "Inprogress"
        wrong = client.post(fake.url.replace("/api/v2", "/api/v1"), data={"key": USER_KEY})
        assert (wrong.status_code, wrong.headers["location"]) == (302, "https://boostedsmm.com/")


@pytest.mark.parametrize("fault", ["html502", "invalid_json", "empty", "bom_notice"])
def test_faults_in_every_dialect(
    dialect_panel: FakePanel, client: httpx.Client, fault: str
) -> None:
    panel = dialect_panel
    healthy = client.post(panel.url, data={"key": USER_KEY, "action": "balance"}).content
    panel.fault, panel.fault_actions, panel.fault_times = fault, {"balance"}, 1
    assert post(client, panel, action="services")
    faulted = client.post(panel.url, data={"key": USER_KEY, "action": "balance"})
    if fault == "bom_notice":
        assert faulted.content.startswith(b"\xef\xbb\xbf<br />")
        assert faulted.content.endswith(healthy)
    else:
        assert faulted.content != healthy
    assert client.post(panel.url, data={"key": USER_KEY, "action": "balance"}).content == healthy


def test_timeout_after_processing_places_the_order_in_every_dialect(
    dialect_panel: FakePanel,
) -> None:
    panel = dialect_panel
    panel.timeout_seconds, panel.fault = 0.5, "timeout_after_processing"
    fields = {"key": USER_KEY, "action": "add", "service": "1", "link": "https://a.test/t",
              "quantity": "100"}  # fmt: skip
    with httpx.Client(timeout=0.2) as quick, pytest.raises(httpx.ReadTimeout):
        quick.post(panel.url, data=fields)
    assert len(panel.orders) == 1
