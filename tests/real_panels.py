"""Real panels' recorded answers (tests/data/real-panels-raw/, copied from
../shared/real-panels-raw/) served through `httpx.MockTransport` for narrow client tests.

Each file holds `### REQUEST: …`, the raw HTTP answer and a `### HTTP <code> … bytes=N` line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl

import httpx

RAW = Path(__file__).parent / "data" / "real-panels-raw"


@dataclass(frozen=True)
class RawAnswer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def response(self) -> httpx.Response:
        return httpx.Response(self.status, headers=self.headers, content=self.body)


def raw_answer(dialect: str, name: str) -> RawAnswer:
    """The first HTTP answer recorded in `<dialect>/<name>.txt`."""
    data = (RAW / dialect / f"{name}.txt").read_bytes()
    if data.startswith(b"###"):
        data = data.split(b"\n", 1)[1]
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    status = int(lines[0].split()[1])
    headers = []
    for line in lines[1:]:
        name_, _, value = line.partition(":")
        if name_.lower() not in {"connection", "content-length"}:
            headers.append((name_.strip(), value.strip()))
    trailer = re.search(rb"\n### HTTP \d+[^\n]*?(?:bytes=(\d+))?\s*\n?$", rest)
    end = trailer.start() if trailer else len(rest)
    if trailer and trailer.group(1):
        end = int(trailer.group(1))
    body = rest[:end]
    return RawAnswer(status, headers, body)


@dataclass
class RawPanel:
    """Answers each request with a recorded answer chosen by `routes`: keys are
    "action field=value", "action field" or "action" (most specific first); "*" answers any
    other action. Requests are kept as (action, form) pairs."""

    dialect: str
    routes: dict[str, str]
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def handler(self, request: httpx.Request) -> httpx.Response:
        form = dict(parse_qsl(request.content.decode(), keep_blank_values=True))
        action = form.get("action", "")
        self.requests.append((action, form))
        candidates = [
            f"{action} {name}={value}" for name, value in form.items() if name != "key"
        ] + [f"{action} {name}" for name in form if name not in {"key", "action"}]
        candidates += [action, "*"]
        for candidate in candidates:
            if candidate in self.routes:
                return raw_answer(self.dialect, self.routes[candidate]).response()
        raise AssertionError(f"no recorded answer for {form}")

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)

    def actions(self) -> list[str]:
        return [
            " ".join([action, *sorted(k for k in form if k not in {"key", "action"})])
            for action, form in self.requests
        ]


SMARTPANEL_ROUTES = {
    "services": "01-services",
    "balance": "02-balance",
    "add": "06-add-dripfeed-bad-interval",
    "status order=1": "24-status-single",
    "status order": "26-status-single-unknown",
    "status orders": "28-status-multi",
    "refill": "33-refill-single",
    "refill_status": "35-refill_status-single",
    "cancel": "37-cancel-multi",
    "cancel_status": "39-cancel_status",
    "*": "40-unknown-action",
}
BOOSTEDSMM_ROUTES = {
    "services": "01-services",
    "balance": "02-balance",
    "status order=501": "19-status-single",
    "status order": "22-status-single-unknown",
    "status orders": "23-status-multi",
    "refill": "24-refill-single",
    "refill_status": "28-refill_status-multi",
    "cancel": "29-cancel-multi",
    "*": "30-unknown-action",
}
