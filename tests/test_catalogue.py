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


def test_search_lists_the_name_as_typed_first_then_every_word_then_the_category() -> None:
    def service(number: int, name: str, category: str) -> dict[str, object]:
        return {
            "service": number,
            "name": name,
            "type": "Default",
            "rate": "1",
            "min": "1",
            "max": "100",
            "category": category,
        }

    catalogue = Catalogue(
        tuple(
            parse_services(
                [
                    service(1, "Likes Refill", "Instagram Followers"),  # "followers": category
                    service(2, "Followers  REFILL  Fast", "Instagram"),  # as typed (spaces aside)
                    service(3, "Refill of Followers", "Instagram"),  # every word, not as typed
                    service(4, "Followers", "Instagram Refill"),  # "refill": category
                    service(5, "Views", "Instagram"),  # not every word
                    service(6, "Followers Refill", "TikTok"),  # as typed
                ]
            )
        )
    )
    found = catalogue.search("  followers refill ")
    # Each group in the catalogue's order; a word typed twice counts once.
    assert [s.id for s in found] == ["2", "6", "3", "1", "4"]
    assert [s.id for s in catalogue.search("refill followers refill")] == ["2", "3", "6", "1", "4"]
    assert [s.id for s in catalogue.search("instagram refill")] == ["1", "2", "3", "4"]
    assert catalogue.search("   ") == ()


def test_search_matches_every_word_in_name_or_category() -> None:
    catalogue = Catalogue(tuple(parse_services(default_catalogue())))
    # Every word must match: the poll service is in the Telegram category, not Instagram.
    assert catalogue.search("instagram poll") == ()
    assert [s.category for s in catalogue.search("telegram poll")] == ["Telegram"]
    assert {s.name for s in catalogue.search("POLL")} == {
        s.name for s in catalogue.services if "poll" in s.name.lower()
    }
