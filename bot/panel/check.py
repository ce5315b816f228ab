"""The panel check: what the configured panel supports, found with harmless calls only.

`python -m bot panel-check` prints `render(await check_panel(client, key))`; the operator
console can show the same lines in Telegram. The key is never part of the report.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from bot.i18n import N_, _, n_

from .capabilities import DIALECT_NAMES, Capabilities
from .client import PanelClient
from .errors import InvalidKey, PanelError
from .models import Balance

# (fact, what it means for the operator), in the order they are printed.
FACTS = (
    # TRANSLATORS: panel-check report, for the operator: what the panel supports.
    ("multi_status", N_("status of several orders in one call")),
    # TRANSLATORS: panel-check report: the panel takes refill requests.
    ("refill", N_("refill")),
    # TRANSLATORS: panel-check report: the panel tells a refill's status.
    ("refill_status", N_("refill status")),
    # TRANSLATORS: panel-check report: the panel takes cancel requests.
    ("cancel", N_("cancel")),
    # TRANSLATORS: panel-check report: the panel tells a cancel's status.
    ("cancel_status", N_("cancel status")),
    # TRANSLATORS: panel-check report: drip-feed runs only at the panel's few intervals.
    ("dripfeed_intervals", N_("drip-feed limited to a few intervals")),
    # TRANSLATORS: panel-check report; "quantity=1" is the API field, keep it.
    ("package_needs_quantity", N_("packages need quantity=1")),
    # TRANSLATORS: panel-check report; "quantity" is the API field.
    ("list_needs_quantity", N_("custom lists need quantity")),
    # TRANSLATORS: panel-check report; "quantity" is the API field.
    ("comments_need_quantity", N_("custom comments need quantity")),
    # TRANSLATORS: panel-check report: the panel counts a comma as a new comment.
    ("comments_split_on_commas", N_("comments split on commas")),
)
# A capability's value as the report shows it.
VALUES = {
    # TRANSLATORS: panel-check report: the panel supports it.
    "yes": N_("yes"),
    # TRANSLATORS: panel-check report: the panel does not support it.
    "no": N_("no"),
    # TRANSLATORS: panel-check report: not known yet whether the panel supports it.
    "unknown": N_("unknown"),
}
_HTTP_CODE = re.compile(r"HTTP (\d{3})")
_WRONG_URL_CODES = frozenset({"301", "302", "303", "307", "308", "403", "404", "405"})


@dataclass(frozen=True)
class CapabilityLine:
    name: str  # the Capabilities field
    label: str  # English, as in FACTS: `render` translates it
    value: str  # "yes", "no" or "unknown" (`render` words it)
    reason: str  # in the reader's language at check time


@dataclass(frozen=True)
class PanelReport:
    api_url: str
    answered: bool
    problem: str | None = None  # why the panel did not answer (one line; ours or the panel's)
    hints: tuple[str, ...] = ()  # in the reader's language at check time
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
            url = base.removesuffix(current) + other
            # TRANSLATORS: panel-check hint; SMM_API_URL is a setting's name, keep it.
            return (_("try SMM_API_URL={url}", url=url),)
    v2, v1 = base + "/api/v2", base + "/api/v1"
    # TRANSLATORS: panel-check hint; SMM_API_URL is a setting's name, keep it.
    return (_("try SMM_API_URL={url} (SmartPanel: {smartpanel_url})", url=v2, smartpanel_url=v1),)


def _line(name: str, label: str, caps: Capabilities, reasons: dict[str, str]) -> CapabilityLine:
    value = getattr(caps, name)
    reason = reasons.get(name, "")
    if name == "dripfeed_intervals":
        if value is None:
            # TRANSLATORS: panel-check report: why drip-feed intervals are not known yet.
            why = reason or _("no interval refused yet")
            return CapabilityLine(name, label, "unknown", why)
        listed = ", ".join(str(minutes) for minutes in value)
        # TRANSLATORS: panel-check report: {intervals} lists the drip-feed intervals the panel
        # takes ("0, 5, 10"); {reason} is how that was learned.
        minutes = n_(
            "{intervals} minute",
            "{intervals} minutes",
            value[-1] if value else 0,
            intervals=listed,
        )
        return CapabilityLine(name, label, "yes", f"{minutes}; {reason}".rstrip("; "))
    if value is None:
        # TRANSLATORS: panel-check report: why it is not known yet.
        return CapabilityLine(name, label, "unknown", reason or _("no answer has shown it yet"))
    # TRANSLATORS: panel-check report: known from an earlier check, stored in the database.
    return CapabilityLine(name, label, "yes" if value else "no", reason or _("remembered"))


async def check_panel(client: PanelClient, key: str) -> PanelReport:
    """Probe the panel with `key` (harmless calls only) and report what it supports. The
    client learns (and, through its saver, stores) what the probe finds."""
    try:
        probe = await client.probe(key)
    except InvalidKey:
        # TRANSLATORS: panel-check report, after "The panel at {url} did not answer:".
        problem = _("the panel refused the key")
        return PanelReport(client.api_url, answered=False, problem=problem)
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
    """Plain lines (no markup) in the reader's language: the caller escapes them for
    Telegram."""
    if not report.answered:
        # TRANSLATORS: panel-check report; {problem} is why (ours or the panel's words).
        line = _(
            "The panel at {url} did not answer: {problem}",
            url=report.api_url,
            problem=report.problem,
        )
        return ["; ".join([line, *report.hints])]
    balance = report.balance
    # TRANSLATORS: panel-check report: the panel's API address.
    lines = [_("Panel: {url}", url=report.api_url)]
    # TRANSLATORS: panel-check report: which panel script the answers look like.
    lines.append(
        _("Dialect: {dialect}", dialect=DIALECT_NAMES.get(report.dialect, report.dialect))
    )
    if balance is not None:
        amount = f"{balance.amount} {balance.currency}".rstrip()
        # TRANSLATORS: panel-check report: the balance of the key's account.
        lines.append(_("Balance: {amount}", amount=amount))
    kinds = ", ".join(f"{name} ({count})" for name, count in report.service_types)
    count = report.service_count
    if kinds:
        # TRANSLATORS: panel-check report; {types} lists the panel's service types with their
        # counts: "Default (120), Package (4)".
        catalogue = n_(
            "Catalogue: {count} service: {types}",
            "Catalogue: {count} services: {types}",
            count,
            count=count,
            types=kinds,
        )
    else:
        # TRANSLATORS: panel-check report: the number of services the panel offers.
        catalogue = n_(
            "Catalogue: {count} service", "Catalogue: {count} services", count, count=count
        )
    lines.append(catalogue)
    lines += [
        # TRANSLATORS: panel-check report: "{capability}: yes (how that was learned)".
        _(
            "{capability}: {value} ({reason})",
            capability=_(line.label),
            value=_(VALUES.get(line.value, line.value)),
            reason=line.reason,
        )
        for line in report.lines
    ]
    return lines
