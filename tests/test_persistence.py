"""Conversations and user data survive restarts (even kill -9) and move between processes
(bot.persistence), on SQLite and on PostgreSQL (`database_url`: tests/conftest.py)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update
from telegram.ext import Application

from bot.app import build_application
from bot.config import Settings
from bot.context import app_services
from bot.persistence import SWEEP_JOB
from storage.crypto import KEY_FILE_NAME, Keyring
from storage.models import UserState
from tests.conftest import TOKEN, USER, USER_KEY, make_settings, running
from tests.customer import Customer
from tests.fakes.panel import SERVICE_IDS, FakePanel
from tests.fakes.telegram import FakeTelegram

DEFAULT = SERVICE_IDS["Default"]  # 0.90 USD per 1000: 500 cost 0.45 USD
ROOT = Path(__file__).resolve().parents[1]
AnyApp = Application[Any, Any, Any, Any, Any, Any]


@pytest.fixture
def settings_on(
    tmp_path: Path, panel: FakePanel, telegram: FakeTelegram, fernet_key: str, database_url: str
) -> Callable[..., Settings]:
    def build(**extra: Any) -> Settings:
        return make_settings(
            tmp_path, panel, telegram, fernet_key, database_url=database_url, **extra
        )

    return build


async def to_the_quantity(customer: Customer) -> None:
    """A service chosen and its link given: the bot asks for the quantity."""
    await customer.connect()
    await customer.open_service(DEFAULT, "Send the <b>link</b>")
    await customer.say("https://instagram.com/a", "quantity")


async def settled(app: AnyApp) -> None:
    """The updates answered so far are done with (their state is written just after the
    answer)."""
    processor = app.update_processor
    deadline = time.monotonic() + 10
    while processor.current_concurrent_updates:
        assert time.monotonic() < deadline, "updates still being handled"
        await asyncio.sleep(0.01)


async def age_conversations(app: AnyApp, seconds: float) -> None:
    """Move the stored conversations' last activity into the past, as if time had passed."""
    await settled(app)
    async with AsyncSession(app_services(app).engine) as session:
        for row in (await session.exec(select(UserState))).all():
            if row.conversations is None:
                continue
            stored = json.loads(row.conversations)
            for rows in stored.values():
                for entry in rows:
                    entry[2] -= seconds
            row.conversations = json.dumps(stored)
            row.idle_since = (row.idle_since or time.time()) - seconds
            row.version += 1  # as any write does: other processes read it again
            session.add(row)
        await session.commit()


# --- restarts -----------------------------------------------------------------------------------


async def test_a_half_filled_order_continues_after_a_restart(
    telegram: FakeTelegram, panel: FakePanel, settings_on: Callable[..., Settings]
) -> None:
    customer = Customer(telegram)
    async with running(settings_on()):
        await to_the_quantity(customer)
    async with running(settings_on()):
        # The quantity is taken as the answer it was asked for (not a catalogue search).
        await customer.say("500", "Spread it")
        summary = await customer.tap("All at once", "Check your order")
        assert "Price: 0.45 USD" in summary.plain
        assert "Quantity: 500" in summary.plain
        await customer.tap("Confirm", "Order placed")
    assert panel.count("add") == 1
    [placed] = panel.orders.values()
    assert placed.quantity == 500
    assert placed.fields["link"] == "https://instagram.com/a"


async def test_a_mass_order_and_a_time_zone_prompt_survive_a_restart(
    tmp_path: Path, telegram: FakeTelegram, panel: FakePanel, fernet_key: str
) -> None:
    settings = make_settings(tmp_path, panel, telegram, fernet_key)
    customer = Customer(telegram)
    async with running(settings):
        await customer.connect()
        await customer.say("/mass", "Mass order")
        first = await customer.say("1 | https://instagram.com/a | 100", "Check your mass order")
    async with running(make_settings(tmp_path, panel, telegram, fernet_key)):
        # A corrected list replaces the summary on screen: the mass draft was kept. (Sent a
        # while later: lines within two seconds of the last ones are read as one paste.)
        mark = telegram.mark()
        lines = "1 | https://instagram.com/b | 200\n1 | https://instagram.com/c | 100"
        telegram.send_text(USER, lines, date=int(time.time()) + 10)
        second = await telegram.wait_for(
            lambda: next(
                (
                    m
                    for m in telegram.messages(USER)
                    if m.changed_at > mark
                    and m.message_id != first.message_id
                    and "Check your mass order" in m.text
                ),
                None,
            )
        )
        assert "2 lines" in second.plain  # the new list alone (not joined to the old one)
        old = next(m for m in telegram.messages(USER) if m.message_id == first.message_id)
        assert not old.buttons
        await customer.tap("Place 2 orders", "2 of 2 orders placed")
        # The /settings time zone question, asked before a restart, is answered after it.
        await customer.say("/settings", "Settings")
        await customer.tap("Time zone", "Your time zone is")
    async with running(make_settings(tmp_path, panel, telegram, fernet_key)):
        chosen = await customer.say("asia/tashkent", "Time zone:")
        assert "Tashkent (UTC+5)" in chosen.plain
    assert panel.count("add") == 2
    assert sorted(o.fields["link"] for o in panel.orders.values()) == [
        "https://instagram.com/b",
        "https://instagram.com/c",
    ]


async def test_an_order_left_idle_while_the_bot_was_down_times_out_at_the_next_message(
    telegram: FakeTelegram, panel: FakePanel, settings_on: Callable[..., Settings]
) -> None:
    customer = Customer(telegram)
    async with running(settings_on()) as app:
        await to_the_quantity(customer)
        question = customer.last()
        await age_conversations(app, 3600)  # an hour idle: far past the 15 minutes
    async with running(settings_on()):
        mark = telegram.mark()
        telegram.send_text(USER, "500")
        # Then the text is handled as if no order were open (a search), never as the quantity.
        searched = await telegram.wait_for_message(USER, "Nothing matches “500”", after=mark)
        told = await telegram.wait_for_message(USER, "left idle", after=mark)
        assert told.message_id < searched.message_id
        assert not any("Spread it" in m.text for m in telegram.messages(USER))
        asked = next(m for m in telegram.messages(USER) if m.message_id == question.message_id)
        assert not asked.buttons  # the question's buttons are gone
        await customer.say("/order", "Choose a category")  # and a new order starts afresh
    assert panel.count("add") == 0


async def test_the_sweep_tells_an_idle_customer_once(
    telegram: FakeTelegram, panel: FakePanel, settings_on: Callable[..., Settings]
) -> None:
    customer = Customer(telegram)
    async with running(settings_on()) as app:
        await to_the_quantity(customer)
        await age_conversations(app, 3600)
    # Two processes' sweeps at once on PostgreSQL (one on SQLite, twice): one message.
    shared = app_services(app).repository.shared_database
    async with AsyncExitStack() as stack:
        first = await stack.enter_async_context(running(settings_on()))
        second = await stack.enter_async_context(serving(settings_on())) if shared else first
        sweeps = [first, second]
        mark = telegram.mark()
        await asyncio.gather(*(sweep(app) for app in sweeps))
        await telegram.wait_for_message(USER, "left idle", after=mark)
        await asyncio.gather(*(sweep(app) for app in sweeps))
        told = [m for m in telegram.messages(USER) if "left idle" in m.text]
        assert len(told) == 1
        answer = await customer.say("500")  # no longer the quantity
        assert "Spread it" not in answer.text
    assert panel.count("add") == 0


async def sweep(app: AnyApp) -> None:
    assert app.job_queue is not None
    [job] = app.job_queue.get_jobs_by_name(SWEEP_JOB)
    await job.run(app)


async def test_a_state_row_that_no_longer_reads_gets_the_expired_answer(
    tmp_path: Path,
    telegram: FakeTelegram,
    panel: FakePanel,
    fernet_key: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    customer = Customer(telegram)
    async with running(make_settings(tmp_path, panel, telegram, fernet_key)) as app:
        await to_the_quantity(customer)
        question = customer.last()
        await settled(app)
        async with AsyncSession(app_services(app).engine) as session:
            # As after an upgrade that renamed a class the state holds.
            await session.exec(
                update(UserState)
                .where(col(UserState.user_id) == USER)
                .values(data=b"\x80\x05not a pickle any more", version=UserState.version + 1)
            )
            await session.commit()
    caplog.set_level(logging.WARNING, logger="bot.persistence")
    async with running(make_settings(tmp_path, panel, telegram, fernet_key)):
        quick = next(data for row in question.buttons for label, data in row if label == "500")
        answer = await customer.press(question, quick)
        assert "expired" in str(answer.get("text"))
        await customer.say("/start", "What would you like to do")  # the bot goes on
        await customer.say("/order", "Choose a category")
    dropped = [r for r in caplog.records if "stored conversation state dropped" in r.message]
    assert len(dropped) == 1
    assert dropped[0].levelno == logging.WARNING
    assert panel.count("add") == 0


# --- kill -9 ------------------------------------------------------------------------------------


def test_a_half_filled_order_continues_after_kill_9(
    tmp_path: Path, telegram: FakeTelegram, panel: FakePanel
) -> None:
    variables = {
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": telegram.base_url,
        "SMM_API_URL": panel.url,
        "DATA_DIR": str(tmp_path / "data"),
    }
    player = SyncPlayer(telegram)
    with bot_process(tmp_path, tmp_path / "first.log", variables) as bot:
        player.step(bot, "/key", "Send me your panel")
        player.step(bot, USER_KEY, "connected")
        player.step(bot, "/order", "Choose a category")
        player.step(bot, str(DEFAULT), "Send the <b>link</b>")
        player.step(bot, "https://instagram.com/a", "quantity")
        # The step the customer saw is in the database (written right after the reply).
        bot.wait_for(telegram, lambda: b"https://instagram.com/a" in stored_data(tmp_path), "")
        bot.process.send_signal(signal.SIGKILL)
        bot.process.wait()
    with bot_process(tmp_path, tmp_path / "second.log", variables) as bot:
        player.step(bot, "500", "Spread it")
        player.tap(bot, "All at once", "Check your order")
        assert "Price: <b>0.45 USD</b>" in player.last
        player.tap(bot, "Confirm", "Order placed")
        bot.process.send_signal(signal.SIGTERM)
        assert bot.process.wait(timeout=10) == 0, bot.log()
    assert panel.count("add") == 1


def stored_data(cwd: Path) -> bytes:
    """The user's stored user_data, decrypted with the bot's generated key (at rest it is
    ciphertext only: the link is not in the file)."""
    path = cwd / "data" / "bot.db"
    with sqlite3.connect(path, timeout=5) as connection:
        try:
            row = connection.execute("SELECT data FROM user_state WHERE user_id = ?", (USER,))
            found = row.fetchone()
        except sqlite3.OperationalError:  # not created yet
            return b""
    if not found or not found[0]:
        return b""
    sealed = bytes(found[0])
    assert b"instagram.com" not in sealed
    key = (cwd / "data" / KEY_FILE_NAME).read_text().strip()
    return Keyring([key]).open(sealed)


class BotProcess:
    def __init__(self, cwd: Path, log_file: Path, variables: dict[str, str]) -> None:
        self.log_file = log_file
        self._log = log_file.open("ab")
        settings = {name.upper() for name in Settings.model_fields}
        env = {k: v for k, v in os.environ.items() if k.upper() not in settings}
        env.pop("PTB_TIMEDELTA", None)
        env.update(PYTHONPATH=str(ROOT), **variables)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot"], cwd=cwd, env=env, stdout=self._log, stderr=self._log
        )

    def log(self) -> str:
        return self.log_file.read_text(errors="replace")

    def wait_for(self, telegram: FakeTelegram, predicate: Callable[[], object], what: str) -> Any:
        def check() -> object:
            if self.process.poll() is not None:
                raise AssertionError(f"python -m bot exited while waiting for {what}")
            return predicate()

        try:
            return telegram.wait_for_sync(check, timeout=15, what=what)
        except AssertionError as error:
            raise AssertionError(f"{error}\n--- bot log ---\n{self.log()}") from None


@contextmanager
def bot_process(cwd: Path, log_file: Path, variables: dict[str, str]) -> Iterator[BotProcess]:
    bot = BotProcess(cwd, log_file, variables)
    try:
        yield bot
    finally:
        if bot.process.poll() is None:
            bot.process.kill()
            bot.process.wait()
        bot._log.close()


class SyncPlayer:
    """The customer, for a bot in another process."""

    def __init__(self, telegram: FakeTelegram) -> None:
        self.telegram = telegram
        self.last = ""

    def _answer(self, bot: BotProcess, mark: int, expect: str) -> None:
        def found() -> str:
            for message in reversed(self.telegram.messages(USER)):
                if message.changed_at > mark and expect in message.text:
                    return message.text
            return ""

        self.last = bot.wait_for(self.telegram, found, expect)

    def step(self, bot: BotProcess, text: str, expect: str) -> None:
        mark = self.telegram.mark()
        self.telegram.send_text(USER, text)
        self._answer(bot, mark, expect)

    def tap(self, bot: BotProcess, label: str, expect: str) -> None:
        mark = self.telegram.mark()
        self.telegram.press_button(USER, label)
        self._answer(bot, mark, expect)


# --- two processes on one PostgreSQL database ---------------------------------------------------


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[AnyApp]:
    """The application running but not polling: updates are delivered to it (as a load
    balancer delivers webhook posts) through its update queue."""
    application = build_application(settings)
    await application.initialize()
    assert application.post_init is not None
    await application.post_init(application)
    await application.start()
    try:
        yield application
    finally:
        await application.stop()
        assert application.post_stop is not None
        await application.post_stop(application)
        await application.shutdown()
        assert application.post_shutdown is not None
        await application.post_shutdown(application)


class Balancer:
    """Takes the customer's updates from the stand-in Bot API and hands each to the given
    processes (one, or several for a redelivery)."""

    def __init__(self, telegram: FakeTelegram) -> None:
        self.telegram = telegram
        self.offset = 0

    async def deliver(self, *apps: AnyApp) -> None:
        url = f"{self.telegram.base_url}/bot{TOKEN}/getUpdates"
        async with httpx.AsyncClient() as client:
            answer = await client.post(url, json={"offset": self.offset, "timeout": 0})
        updates = answer.json()["result"]
        assert updates, "no update to deliver"
        self.offset = updates[-1]["update_id"] + 1
        for raw in updates:
            for app in apps:
                await app.update_queue.put(Update.de_json(raw, app.bot))

    async def say(self, text: str, expect: str, *apps: AnyApp) -> str:
        mark = self.telegram.mark()
        self.telegram.send_text(USER, text)
        await self.deliver(*apps)
        return (await self.telegram.wait_for_message(USER, expect, after=mark)).text

    async def tap(self, label: str, expect: str, *apps: AnyApp) -> str:
        mark = self.telegram.mark()
        self.telegram.press_button(USER, label)
        await self.deliver(*apps)
        return (await self.telegram.wait_for_message(USER, expect, after=mark)).text


async def test_two_processes_continue_one_conversation_and_run_an_update_once(
    tmp_path: Path, telegram: FakeTelegram, panel: FakePanel, fernet_key: str, postgres_url: str
) -> None:
    url = postgres_url
    balancer = Balancer(telegram)

    def settings(folder: str) -> Settings:
        # Two processes: their own data folders, one database (and one encryption key).
        return make_settings(tmp_path / folder, panel, telegram, fernet_key, database_url=url)

    async with serving(settings("a")) as a, serving(settings("b")) as b:
        await balancer.say("/key", "Send me your panel", a)
        await balancer.say(USER_KEY, "connected", b)
        await balancer.say("/order", "Choose a category", a)
        await balancer.say(str(DEFAULT), "Send the <b>link</b>", b)
        await balancer.say("https://instagram.com/a", "quantity", a)
        # Delivered to both processes at once: handled once, by whichever took the turn.
        mark = telegram.mark()
        await balancer.say("500", "Spread it", a, b)
        await balancer.say("/help", "still open", b)  # both are done with the quantity
        asked = [
            m
            for m in telegram.messages(USER)
            if m.changed_at > mark and "Spread" in m.text and "still open" not in m.text
        ]
        assert len(asked) == 1
        await balancer.tap("All at once", "Check your order", b)
        placed = await balancer.tap("Confirm", "Order placed", a)
        assert "0.45 USD" in placed
    assert panel.count("add") == 1
