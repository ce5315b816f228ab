"""The panel check: what the configured panel supports, found with harmless calls only.

`python -m bot panel-check` prints `render(await check_panel(client, key))`; the operator
console can show the same lines in Telegram. The key is never part of the report.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .capabilities import DIALECT_NAMES, Capabilities
from .client import PanelClient
from .errors import InvalidKey, PanelError
from .models import Balance

# (fact, what it means for the operator), in the order they are printed.
FACTS = (
    ("multi_status", "status of several orders in one call"),
    ("refill", "refill"),
    ("refill_status", "refill status"),
    ("cancel", "cancel"),
    ("cancel_status", "cancel status"),
    ("dripfeed_intervals", "drip-feed limited to a few intervals"),
    ("package_needs_quantity", "packages need quantity=1"),
    ("list_needs_quantity", "custom lists need quantity"),
    ("comments_need_quantity", "custom comments need quantity"),
    ("comments_split_on_commas", "comments split on commas"),
)
_HTTP_CODE = re.compile(r"HTTP (\d{3})")
_WRONG_URL_CODES = frozenset({"301", "302", "303", "307", "308", "403", "404", "405"})


@dataclass(frozen=True)
class CapabilityLine:
    name: str  # the Capabilities field
    label: str
    value: str  # "yes", "no" or "unknown"
    reason: str


@dataclass(frozen=True)
class PanelReport:
    api_url: str
    answered: bool
    problem: str | None = None  # why the panel did not answer (one line)
    hints: tuple[str, ...] = ()
    balance: Balance | None = None
    service_count: int = 0
    service_types: tuple[tuple[str, int], ...] = ()  # (type as the panel names it, count)
    capabilities: Capabilities = field(default_factory=Capabilities)
    lines: tuple[CapabilityLine, ...] = ()

    @property
    def dialect(self) -> str:
        return self.capabilities.dialect


def url_hints(api_url: str, problem: str) -> tuple[str, ...]:
    """Where the API probably lives when the answer was a page, not the API."""
    code = _HTTP_CODE.search(problem)
    looks_wrong = (code is not None and code.group(1) in _WRONG_URL_CODES) or (
        "non-JSON" in problem or "redirect" in problem
    )
    if not looks_wrong:
        return ()
    base = api_url.rstrip("/")
    for current, other in (("/api/v2", "/api/v1"), ("/api/v1", "/api/v2")):
        if base.endswith(current):
            return (f"try SMM_API_URL={base.removesuffix(current)}{other}",)
    return (f"try SMM_API_URL={base}/api/v2 (SmartPanel: {base}/api/v1)",)


def _line(name: str, label: str, caps: Capabilities, reasons: dict[str, str]) -> CapabilityLine:
    value = getattr(caps, name)
    reason = reasons.get(name, "")
    if name == "dripfeed_intervals":
        if value is None:
            return CapabilityLine(name, label, "unknown", reason or "no interval refused yet")
        listed = ", ".join(str(minutes) for minutes in value)
        return CapabilityLine(name, label, "yes", f"{listed} minutes; {reason}".rstrip("; "))
    if value is None:
        return CapabilityLine(name, label, "unknown", reason or "no answer has shown it yet")
    return CapabilityLine(name, label, "yes" if value else "no", reason or "remembered")


async def check_panel(client: PanelClient, key: str) -> PanelReport:
    """Probe the panel with `key` (harmless calls only) and report what it supports. The
    client learns (and, through its saver, stores) what the probe finds."""
    try:
        probe = await client.probe(key)
    except InvalidKey:
        return PanelReport(client.api_url, answered=False, problem="the panel refused the key")
    except PanelError as exc:
        return PanelReport(
            client.api_url,
            answered=False,
            problem=exc.message,
            hints=url_hints(client.api_url, exc.message),
        )
    caps = client.capabilities
    reasons = client.reasons
    types = Counter(service.type_raw or "Default" for service in probe.services)
    return PanelReport(
        client.api_url,
        answered=True,
        balance=probe.balance,
        service_count=len(probe.services),
        service_types=tuple(sorted(types.items(), key=lambda item: (-item[1], item[0]))),
        capabilities=caps,
        lines=tuple(_line(name, label, caps, reasons) for name, label in FACTS),
    )


def render(report: PanelReport) -> list[str]:
    """Plain lines (no markup): the caller escapes them for Telegram."""
    if not report.answered:
        line = f"The panel at {report.api_url} did not answer: {report.problem}"
        return ["; ".join([line, *report.hints])]
    balance = report.balance
    lines = [f"Panel: {report.api_url}"]
    lines.append(f"Dialect: {DIALECT_NAMES.get(report.dialect, report.dialect)}")
    if balance is not None:
        lines.append(f"Balance: {balance.amount} {balance.currency}".rstrip())
    kinds = ", ".join(f"{name} ({count})" for name, count in report.service_types)
    lines.append(f"Catalogue: {report.service_count} services" + (f": {kinds}" if kinds else ""))
    lines += [f"{line.label}: {line.value} ({line.reason})" for line in report.lines]
    return lines
