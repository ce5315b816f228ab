"""The database misbehaving: locked by another process, written with a lost ENCRYPTION_KEY,
unwritable at start. Each time other users are served, and the user concerned is told."""

from __future__ import annotations

import logging
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

from bot.config import Settings
from bot.context import app_services
from bot.notifier import notifier_of
from storage.models import Placement
from storage.repository import DraftOrder
from tests.conftest import OTHER_KEY, OTHER_USER, USER, USER_KEY, make_settings, running
from tests.customer import Customer
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import FakeTelegram
from tests.test_main import assert_one_line_error, run_bot

BUSY = "try again in a few seconds"
UNREADABLE = "can no longer be read"


def database_file(settings: Settings) -> Path:
    return Path(settings.effective_database_url.removeprefix("sqlite:///"))


async def test_a_locked_database_delays_only_the_user_who_writes(
    app: Any, settings: Settings, telegram: FakeTelegram
) -> None:
    alice, bob = Customer(telegram, USER), Customer(telegram, OTHER_USER)
    await alice.connect()
    await bob.connect(OTHER_KEY)
    # Another process holds the write lock, far longer than the bot waits for it.
    shown = await alice.say("/notify", "<b>on</b>")
    mute = next(data for row in shown.buttons for _, data in row if data)
    holder = sqlite3.connect(database_file(settings), isolation_level=None, timeout=1)
    holder.execute("BEGIN IMMEDIATE")
    try:
        mark = telegram.mark()
        telegram.press(USER, shown.message_id, mute)  # a write: waits for the lock, gives up
        await bob.say("/balance", "Balance")  # only reads: served meanwhile
        assert not [m for m in telegram.messages(USER) if m.changed_at > mark], (
            "bob was answered only after alice's write gave up"
        )
        busy = await telegram.wait_for_message(USER, BUSY, after=mark, timeout=20)
        assert "nothing was saved" in busy.text
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    # Nothing half-done: the mute she asked for was not kept, and now it works.
    user = await app_services(app).repository.get_user(USER)
    assert user is not None
    assert user.notify is True
    await alice.tap("Mute", "muted")


async def place_tracked_order(app: Any, user_id: int, panel: FakePanel, key: str) -> str:
    repository = app_services(app).repository
    panel_id = panel.create_order(key, 1, 100, "https://instagram.com/x", "Pending")
    draft_id = await repository.create_draft(
        DraftOrder(
            user_id=user_id,
            service_id="1",
            service_name="Followers",
            service_type="Default",
            link="https://instagram.com/x",
            quantity=100,
            fields={},
            price=Decimal("0.9"),
            currency="USD",
            can_refill=True,
            can_cancel=True,
        )
    )
    assert await repository.claim_draft(draft_id, user_id) is not None
    await repository.finish_placement(draft_id, Placement.PLACED, panel_order_id=panel_id)
    return panel_id


async def test_keys_stored_under_a_lost_encryption_key(
    tmp_path: Path,
    telegram: FakeTelegram,
    panel: FakePanel,
    fernet_key: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    before = make_settings(tmp_path, panel, telegram, fernet_key)
    async with running(before) as app:
        alice, bob = Customer(telegram, USER), Customer(telegram, OTHER_USER)
        await alice.connect()
        await bob.connect(OTHER_KEY)
        order_id = await place_tracked_order(app, USER, panel, USER_KEY)
    # The operator lost ENCRYPTION_KEY and set a new one: both stored keys are unreadable.
    after = make_settings(tmp_path, panel, telegram, Fernet.generate_key().decode())
    with caplog.at_level(logging.WARNING):
        async with running(after) as app:
            warnings = [
                r.getMessage() for r in caplog.records if "cannot be decrypted" in r.message
            ]
            assert warnings == [
                "2 stored API key(s) cannot be decrypted with ENCRYPTION_KEY; "
                "their users are asked to connect their key again"
            ]
            # Asked to connect again, wherever a key is needed.
            await alice.say("/balance", UNREADABLE)
            # The poller tells her once and stops asking the panel for her.
            panel.set_order(order_id, status="In progress")
            await notifier_of(app).run_cycle(app)
            await telegram.wait_for_message(USER, UNREADABLE)
            told = [m for m in telegram.messages(USER) if UNREADABLE in m.text]
            panel.reset_counts()
            await notifier_of(app).run_cycle(app)
            assert panel.count("status") == 0
            assert len([m for m in telegram.messages(USER) if UNREADABLE in m.text]) == len(told)
            # /key replaces it and everything works again, pushes included.
            prompt = await alice.say("/key", "Send me your panel")
            assert "••••" not in prompt.text  # nothing shown of a key we cannot read
            await alice.say(USER_KEY, "connected")
            await alice.say("/balance", "Balance")
            await notifier_of(app).run_cycle(app)
            await telegram.wait_for_message(USER, "In progress")
            # /disconnect removes an unreadable key too.
            await bob.say("/disconnect", "Delete your API key from the bot?")
            await bob.tap("Yes, delete it", "deleted from the bot")
            await bob.say("/balance", "Connect your panel API key first")
    assert "Traceback" not in caplog.text


def test_an_unwritable_data_folder_stops_the_bot_in_one_line(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "data"
    not_a_folder.write_text("a file where the data folder should be")
    result, _ = run_bot(
        tmp_path,
        BOT_TOKEN="123456:abc",
        TELEGRAM_API_URL="http://127.0.0.1:9",
        DATA_DIR=str(not_a_folder / "inner"),
        ENCRYPTION_KEY=Fernet.generate_key().decode(),
    )
    line = assert_one_line_error(result, "cannot write the database file")
    assert "inner" in line


def test_a_read_only_database_file_stops_the_bot_in_one_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    database = data / "bot.db"
    sqlite3.connect(database).close()
    # Read-only even for root: SQLite is told to open the file read-only through the URL.
    result, _ = run_bot(
        tmp_path,
        BOT_TOKEN="123456:abc",
        TELEGRAM_API_URL="http://127.0.0.1:9",
        DATABASE_URL=f"sqlite:///file:{database}?mode=ro&uri=true",
        ENCRYPTION_KEY=Fernet.generate_key().decode(),
    )
    assert_one_line_error(result, "database")


async def test_a_locked_database_after_a_tap_is_still_told(
    app: Any, settings: Settings, telegram: FakeTelegram, panel: FakePanel
) -> None:
    alice = Customer(telegram, USER)
    await alice.connect()
    await place_tracked_order(app, USER, panel, USER_KEY)
    await alice.say("/orders", "Your orders")
    await alice.tap("Followers", "Remains")
    holder = sqlite3.connect(database_file(settings), isolation_level=None, timeout=1)
    holder.execute("BEGIN IMMEDIATE")
    try:
        # Refresh answers the tap itself, then fails to store what the panel said.
        busy = await alice.tap("Refresh", BUSY, timeout=20)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "nothing was saved" in busy.text
