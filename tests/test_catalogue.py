"""The service list cache: one fetch per key at a time, refreshed after its TTL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.catalogue import Catalogue, CatalogueCache
from bot.panel import PanelClient, PanelUnavailable
from bot.panel.models import parse_services
from tests.conftest import OTHER_KEY, USER_KEY
from tests.fakes.panel import FakePanel, default_catalogue


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def client(panel: FakePanel) -> AsyncIterator[PanelClient]:
    async with PanelClient(panel.url) as client:
        yield client


async def test_concurrent_requests_for_one_key_share_one_fetch(
    panel: FakePanel, client: PanelClient
) -> None:
    cache = CatalogueCache(client, ttl_seconds=600)
    panel.delays["services"] = 0.3
    results = await asyncio.gather(*(cache.get(USER_KEY) for _ in range(5)))
    assert panel.count("services") == 1
    assert all(result is results[0] for result in results)
    assert "Instagram Followers" in results[0].categories


async def test_each_key_has_its_own_entry_and_the_ttl_expires(
    panel: FakePanel, client: PanelClient
) -> None:
    clock = Clock()
    cache = CatalogueCache(client, ttl_seconds=600, clock=clock)
    await cache.get(USER_KEY)
    await cache.get(USER_KEY)
    await cache.get(OTHER_KEY)
    assert panel.count("services") == 2
    clock.now += 601
    await cache.get(USER_KEY)
    assert panel.count("services") == 3


async def test_a_failed_fetch_is_not_cached(panel: FakePanel, client: PanelClient) -> None:
    cache = CatalogueCache(client, ttl_seconds=600)
    panel.fault = "html502"
    with pytest.raises(PanelUnavailable):
        await cache.get(USER_KEY)
    panel.fault = None
    catalogue = await cache.get(USER_KEY)
    assert catalogue.find("1") is not None


def test_search_matches_every_word_in_name_or_category() -> None:
    catalogue = Catalogue(tuple(parse_services(default_catalogue())))
    # Every word must match: the poll service is in the Telegram category, not Instagram.
    assert catalogue.search("instagram poll") == ()
    assert [s.category for s in catalogue.search("telegram poll")] == ["Telegram"]
    assert {s.name for s in catalogue.search("POLL")} == {
        s.name for s in catalogue.services if "poll" in s.name.lower()
    }
