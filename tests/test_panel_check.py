"""The panel check (bot/panel/check.py): harmless calls only, one line per capability."""

from __future__ import annotations

import httpx

from bot.i18n import FSI, PDI, reading_as
from bot.panel import PanelClient
from bot.panel.capabilities import BOOSTEDSMM, SEED, SMARTPANEL, Capabilities
from bot.panel.check import CapabilityLine, PanelReport, check_panel, render
from tests.conftest import USER_KEY
from tests.fakes.panel import FakePanel
from tests.real_panels import BOOSTEDSMM_ROUTES, SMARTPANEL_ROUTES, RawPanel

KEY = "check-key-5f3a9c1e"
HARMLESS = {"balance", "services", "status", "refill_status", "cancel", "cancel_status"}


def lines_by_label(lines: list[str]) -> dict[str, str]:
    return dict(line.split(": ", 1) for line in lines)


async def test_seed_panel_supports_everything_it_is_asked() -> None:
    saved: list[Capabilities] = []

    async def save(capabilities: Capabilities) -> None:
        saved.append(capabilities)

    with FakePanel() as panel:
        panel.add_key(KEY, balance="42.5")
        async with PanelClient(panel.url, on_learn=save) as client:
            report = await check_panel(client, KEY)
        sent = [(action, form) for action, form in panel.requests]
    assert report.answered
    assert report.dialect == SEED
    shown = lines_by_label(render(report))
    assert shown["Dialect"].startswith("PerfectPanel-style")
    assert shown["Balance"] == "42.50000 USD"
    assert shown["Catalogue"].startswith(f"{report.service_count} services: Default (")
    assert shown["status of several orders in one call"].startswith("yes (")
    assert shown["refill"].startswith("yes (its catalogue offers refills")
    assert shown["cancel status"].startswith("yes (")
    assert shown["drip-feed limited to a few intervals"].startswith("unknown (")
    # Harmless only: never add, never a refill or cancel of an order.
    for action, form in sent:
        assert action in HARMLESS or action.startswith("no_such_action")
        assert action != "cancel" or "cancels" in form  # the seed's cancel-status form
    assert saved[-1] == report.capabilities
    assert report.capabilities.checked_at is not None
    assert all(KEY not in line for line in render(report))


async def test_smartpanel_report() -> None:
    raw = RawPanel("smartpanel", SMARTPANEL_ROUTES)
    transport = httpx.AsyncClient(transport=raw.transport())
    async with PanelClient("https://sp.test/api/v1", http=transport, read_retries=0) as client:
        report = await check_panel(client, KEY)
    assert report.dialect == SMARTPANEL
    shown = lines_by_label(render(report))
    assert shown["Dialect"] == "SmartPanel"
    assert shown["refill"].startswith("no (")
    assert shown["cancel status"] == "no (its catalogue reads like SmartPanel's)"
    assert shown["drip-feed limited to a few intervals"].startswith("yes (0, 5, 10, 15, 30")
    assert shown["comments split on commas"].startswith("yes (")
    assert "add" not in [action for action, _ in raw.requests]


async def test_boostedsmm_report() -> None:
    raw = RawPanel("boostedsmm", BOOSTEDSMM_ROUTES)
    transport = httpx.AsyncClient(transport=raw.transport())
    async with PanelClient("https://b.test/api/v2", http=transport, read_retries=0) as client:
        report = await check_panel(client, KEY)
    assert report.dialect == BOOSTEDSMM
    shown = lines_by_label(render(report))
    assert shown["status of several orders in one call"].startswith("no (")
    assert shown["cancel"].startswith("no (")
    assert shown["refill status"].startswith("yes (")
    assert shown["refill"].startswith("yes (")  # its catalogue flags refills (HTTP 500 = now)
    assert shown["packages need quantity=1"].startswith("yes (")
    assert {action for action, _ in raw.requests} <= HARMLESS | {"no_such_action_panel_check"}


async def test_smartpanel_api_v2_path_hints_api_v1() -> None:
    raw = RawPanel("smartpanel", {"*": "43-api-v2-path"})
    transport = httpx.AsyncClient(transport=raw.transport())
    async with PanelClient("https://sp.test/api/v2", http=transport, read_retries=0) as client:
        report = await check_panel(client, KEY)
    assert not report.answered
    [line] = render(report)
    assert "HTTP 403" in line
    assert "try SMM_API_URL=https://sp.test/api/v1" in line


async def test_boostedsmm_api_v1_redirect_hints_api_v2() -> None:
    raw = RawPanel("boostedsmm", {"*": "31-api-v1-path"})
    first = raw.handler

    def redirect(request: httpx.Request) -> httpx.Response:
        first(request)
        return httpx.Response(302, headers={"Location": "https://boostedsmm.com/"})

    transport = httpx.AsyncClient(transport=httpx.MockTransport(redirect))
    async with PanelClient("https://b.test/api/v1", http=transport, read_retries=0) as client:
        report = await check_panel(client, KEY)
    [line] = render(report)
    assert "try SMM_API_URL=https://b.test/api/v2" in line


async def test_a_refused_key_is_said_plainly() -> None:
    with FakePanel() as panel:
        url = panel.url
        async with PanelClient(url) as client:
            report = await check_panel(client, "wrong")
    [line] = render(report)
    assert line == f"The panel at {url} did not answer: the panel refused the key"


EXPECTED = {
    # dialect: (several-orders status, refill, cancel)
    "seed": ("yes", "yes", "yes"),
    "smartpanel": ("yes", "no", "no"),
    "boostedsmm": ("no", "yes", "no"),
}


async def test_check_on_every_dialect_of_the_stand_in(dialect_panel: FakePanel) -> None:
    async with PanelClient(dialect_panel.url, read_retries=0) as client:
        report = await check_panel(client, USER_KEY)
    assert report.answered
    assert report.dialect == dialect_panel.dialect
    shown = {line.name: line.value for line in report.lines}
    assert (shown["multi_status"], shown["refill"], shown["cancel"]) == EXPECTED[report.dialect]
    assert dialect_panel.count("add") == 0


def test_the_report_counts_in_plural_forms_and_words_each_capability() -> None:
    report = PanelReport(
        "https://p.test/api/v2",
        answered=True,
        service_count=1,
        service_types=(("Default", 1),),
        lines=(
            CapabilityLine("refill", "refill", "no", "remembered"),
            CapabilityLine("cancel", "cancel", "unknown", "no answer has shown it yet"),
        ),
    )
    assert render(report) == [
        "Panel: https://p.test/api/v2",
        "Dialect: not recognised",
        "Catalogue: 1 service: Default (1)",
        "refill: no (remembered)",
        "cancel: unknown (no answer has shown it yet)",
    ]
    empty = PanelReport("https://p.test/api/v2", answered=True)
    assert "Catalogue: 0 services" in render(empty)
    with reading_as("ar"):
        [line] = render(PanelReport("https://p.test", answered=False, problem="HTTP 500"))
    assert f"{FSI}https://p.test{PDI}" in line
