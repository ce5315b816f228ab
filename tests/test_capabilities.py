"""What a panel supports, as stored: round trips, and tolerance of rows from other versions."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from cryptography.fernet import Fernet

from bot.config import Settings
from bot.context import app_services
from bot.panel import OrderStatus
from bot.panel.capabilities import BOOSTEDSMM, SEED, SMARTPANEL, Capabilities, detect_dialect
from bot.panel.client import decode_body
from storage.crypto import Keyring
from storage.db import build_engine, prepare_database
from storage.repository import Repository
from tests.conftest import USER_KEY, running
from tests.fakes.panel import FakePanel, default_catalogue
from tests.real_panels import raw_answer


def test_capabilities_round_trip_through_json() -> None:
    learned = Capabilities().learned(
        dialect=BOOSTEDSMM,
        multi_status=False,
        refill=False,
        dripfeed_intervals=(0, 5, 10),
        package_needs_quantity=True,
        checked_at=datetime(2026, 12, 4, 12, 0, tzinfo=UTC),
    )
    assert Capabilities.from_json(learned.to_json()) == learned
    assert Capabilities().multi_status is None  # unknown until learned


def test_unknown_or_broken_stored_facts_read_as_unknown() -> None:
    assert Capabilities.from_json(None) == Capabilities()
    assert Capabilities.from_json("not json") == Capabilities()
    assert Capabilities.from_json("[1, 2]") == Capabilities()
    stored = '{"refill": true, "future_fact": 3, "cancel": "yes", "dripfeed_intervals": ["5"]}'
    assert Capabilities.from_json(stored) == Capabilities(refill=True)


async def test_a_panel_profile_is_kept_per_api_url(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    prepare_database(url)
    engine = build_engine(url)
    try:
        repository = Repository(engine, Keyring([Fernet.generate_key().decode()]))
        assert await repository.panel_profile("https://a.test/api/v2") is None
        facts = Capabilities(multi_status=False).to_json()
        await repository.save_panel_profile("https://a.test/api/v2", facts)
        await repository.save_panel_profile("https://a.test/api/v2", facts)  # replaced, not added
        assert await repository.panel_profile("https://a.test/api/v2") == facts
        assert await repository.panel_profile("https://b.test/api/v1") is None
    finally:
        await engine.dispose()


def test_the_catalogue_tells_the_dialect() -> None:
    def catalogue(dialect: str) -> object:
        return decode_body(raw_answer(dialect, "01-services").body.decode())

    assert detect_dialect(catalogue("smartpanel")) == SMARTPANEL
    assert detect_dialect(catalogue("boostedsmm")) == BOOSTEDSMM
    assert detect_dialect(default_catalogue()) == SEED
    assert detect_dialect({"status": "success", "data": "Empty Data"}) == SMARTPANEL
    assert detect_dialect([]) is None
    assert detect_dialect([{"service": 1, "rate": "1", "min": 1, "max": 2}]) is None


async def test_the_bot_remembers_what_it_learned_across_a_restart(
    settings: Settings, panel: FakePanel
) -> None:
    async with running(settings) as app:
        services = app_services(app)
        await services.interactive.services(USER_KEY)  # a customer opens the catalogue
        stored = Capabilities.from_json(await services.repository.panel_profile(panel.url))
        assert stored.dialect == SEED
        # As if the panel had refused the several-orders form before the restart.
        await services.repository.save_panel_profile(
            panel.url, stored.learned(multi_status=False).to_json()
        )
    order_id = panel.create_order(USER_KEY, 1)
    panel.requests.clear()
    async with running(settings) as app:
        services = app_services(app)
        assert services.interactive.capabilities.multi_status is False
        results = await services.panel.statuses(USER_KEY, [order_id])
        assert isinstance(results[order_id], OrderStatus)
    assert [form.get("order") for _, form in panel.requests] == [order_id]
