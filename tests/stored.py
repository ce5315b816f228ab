"""Customers written into a data folder before `python -m bot` starts on it: each with a key
connected and one order placed at the stand-in panel, stored the way the bot stores them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from storage.crypto import Keyring, load_or_create_keys
from storage.db import build_engine, prepare_database
from storage.repository import Repository
from tests.fakes.panel import FakePanel
from tests.orders import store_placed_order


def key_of(user: int) -> str:
    """A panel key of its own for each stored customer."""
    return f"{user:016d}{user * 7919:016d}"[-32:]


async def customers_with_an_order(
    data_dir: Path, panel: FakePanel, users: Sequence[int]
) -> dict[int, str]:
    """Each of `users` with a key (added to the panel) and one order still running; returns
    each user's panel order id. The encryption key is generated into `data_dir`, where the
    bot finds it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{data_dir / 'bot.db'}"
    prepare_database(url)
    engine = build_engine(url)
    repository = Repository(engine, Keyring(load_or_create_keys([], data_dir)))
    orders = {}
    try:
        for user in users:
            key = key_of(user)
            panel.add_key(key)
            await repository.touch_user(user, "en")
            await repository.set_api_key(user, key)
            _, panel_order_id = await store_placed_order(
                repository, panel, user, key, f"https://instagram.com/p{user}"
            )
            orders[user] = panel_order_id
    finally:
        await engine.dispose()
    return orders
