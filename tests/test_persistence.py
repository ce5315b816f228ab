"""Conversations and user data survive restarts (even kill -9) and move between processes
(bot.persistence), on SQLite and on PostgreSQL (`database_url`: tests/conftest.py)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import pickle
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
import psycopg
import pytest
from cryptography.fernet import Fernet
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
from storage.db import build_engine, prepare_database
from storage.models import UserState
from storage.persistence import USER_LOCK_NAMESPACE, user_lock_key
from storage.repository import Repository
from tests.conftest import (
    OTHER_KEY,
    OTHER_USER,
    TOKEN,
    USER,
    USER_KEY,
    make_settings,
    running,
)
from tests.customer import Customer
from tests.fakes.panel import SERVICE_IDS, FakePanel
from tests.fakes.telegram import FakeTelegram
from tests.test_main import bot_env

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


# --- review of #12: what a state row may and may not do ------------------------------------------


class _RunsCode:
    """What someone with write access to the database could put in a row: a pickle that
    creates a file when loaded."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.touch, (self.marker,))


async def test_a_state_row_written_by_someone_else_is_never_unpickled(
    tmp_path: Path,
    telegram: FakeTelegram,
    panel: FakePanel,
    fernet_key: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    customer = Customer(telegram)
    marker = tmp_path / "code-ran"
    async with running(make_settings(tmp_path, panel, telegram, fernet_key)) as app:
        await to_the_quantity(customer)
        question = customer.last()
        await settled(app)
        async with AsyncSession(app_services(app).engine) as session:
            await session.exec(
                update(UserState)
                .where(col(UserState.user_id) == USER)
                .values(data=pickle.dumps({"x": _RunsCode(marker)}), version=UserState.version + 1)
            )
            await session.commit()
    caplog.set_level(logging.WARNING, logger="bot.persistence")
    async with running(make_settings(tmp_path, panel, telegram, fernet_key)):
        quick = next(data for row in question.buttons for label, data in row if label == "500")
        answer = await customer.press(question, quick)
        assert "expired" in str(answer.get("text"))
        await customer.say("/order", "Choose a category")
    assert not marker.exists()
    dropped = [r for r in caplog.records if "stored conversation state dropped" in r.message]
    assert len(dropped) == 1
    assert "ENCRYPTION_KEY" in dropped[0].message


async def test_a_rotated_key_keeps_the_half_filled_order(
    tmp_path: Path, telegram: FakeTelegram, panel: FakePanel, fernet_key: str, postgres_url: str
) -> None:
    # PostgreSQL: `reencrypt` is another process, and this one holds any SQLite file it used.
    def settings(key: str) -> Settings:
        return make_settings(tmp_path, panel, telegram, key, database_url=postgres_url)

    customer = Customer(telegram)
    async with running(settings(fernet_key)):
        await to_the_quantity(customer)
    new = Fernet.generate_key().decode()
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", "reencrypt"],
        cwd=tmp_path,
        env=bot_env(DATABASE_URL=postgres_url, ENCRYPTION_KEY=f"{new},{fernet_key}"),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "1 conversation state(s)" in done.stdout
    # The old key dropped: the order goes on.
    async with running(settings(new)):
        await customer.say("500", "Spread it")


async def test_user_data_that_does_not_pickle_still_keeps_the_conversation(
    tmp_path: Path,
    telegram: FakeTelegram,
    panel: FakePanel,
    fernet_key: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.persistence")
    customer = Customer(telegram)
    async with running(make_settings(tmp_path, panel, telegram, fernet_key)) as app:
        await customer.connect()
        app.user_data[USER]["callback"] = lambda: None  # a handler kept something unpicklable
        await customer.open_service(DEFAULT, "Send the <b>link</b>")
        await customer.say("https://instagram.com/a", "quantity")
        await age_conversations(app, 3600)
    not_stored = [r for r in caplog.records if "user data not stored" in r.message]
    assert len(not_stored) >= 3  # each update after it
    assert [r.levelno for r in not_stored].count(logging.WARNING) == 1  # one warning an hour
    # The open order was stored all the same: after a restart it times out with its message.
    async with running(make_settings(tmp_path, panel, telegram, fernet_key)) as app:
        mark = telegram.mark()
        await sweep(app)
        await telegram.wait_for_message(USER, "left idle", after=mark)


async def test_a_state_changed_elsewhere_meanwhile_is_not_overwritten(
    tmp_path: Path,
    telegram: FakeTelegram,
    panel: FakePanel,
    fernet_key: str,
    postgres_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.persistence")
    settings = make_settings(tmp_path, panel, telegram, fernet_key, database_url=postgres_url)
    customer = Customer(telegram)
    async with running(settings) as app:
        await to_the_quantity(customer)
        await customer.say("500", "Spread it")
        await settled(app)
        panel.hung_keys.add(USER_KEY)  # the summary's balance call waits
        try:
            balances = panel.count("balance")
            mark = telegram.mark()
            telegram.press_button(USER, "All at once")
            await telegram.wait_for(lambda: panel.count("balance") > balances, what="balance")
            # Meanwhile another process ends the order and writes its state.
            async with AsyncSession(app_services(app).engine) as session:
                await session.exec(
                    update(UserState)
                    .where(col(UserState.user_id) == USER)
                    .values(
                        data=None,
                        conversations=None,
                        idle_since=None,
                        version=UserState.version + 1,
                    )
                )
                await session.commit()
        finally:
            panel.hung_keys.discard(USER_KEY)
        await telegram.wait_for_message(USER, "Check your order", after=mark)
        await settled(app)
        async with AsyncSession(app_services(app).engine) as session:
            row = await session.get(UserState, USER)
            assert row is not None
            assert row.conversations is None  # theirs kept, not this process's older one
        # The next update reads theirs: no order open any more.
        helped = await customer.say("/help")
        assert "still open" not in helped.text
    assert any("changed elsewhere meanwhile" in r.message for r in caplog.records)


async def test_a_user_held_by_another_process_is_asked_to_try_again(
    tmp_path: Path, telegram: FakeTelegram, panel: FakePanel, fernet_key: str, postgres_url: str
) -> None:
    settings = make_settings(tmp_path, panel, telegram, fernet_key, database_url=postgres_url)
    customer = Customer(telegram)
    plain = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    async with running(settings) as app:
        app_services(app).repository.lock_wait_seconds = 1
        with psycopg.connect(plain, autocommit=True) as other:  # a hung turn elsewhere
            other.execute(
                "SELECT pg_advisory_lock(%s, %s)", (USER_LOCK_NAMESPACE, user_lock_key(USER))
            )
            await customer.say("/start", "try again in a few seconds")
            assert not any("Hi, User" in m.text for m in telegram.messages(USER))
        await customer.say("/start", "Hi, User")


async def test_a_turn_cancelled_while_unlocking_leaves_the_user_free(
    postgres_url: str, fernet_key: str
) -> None:
    prepare_database(postgres_url)
    engine = build_engine(postgres_url)
    repository = Repository(engine, Keyring([fernet_key]))
    plain = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    lock = (USER_LOCK_NAMESPACE, user_lock_key(USER))

    async def turn() -> None:
        async with repository.user_turn(USER):
            task = asyncio.current_task()
            assert task is not None
            task.cancel()  # delivered at the next await: inside the unlock

    try:
        with pytest.raises(asyncio.CancelledError):
            await asyncio.create_task(turn())
        # Another process can take the user's turn: no pooled connection kept the lock.
        with psycopg.connect(plain, autocommit=True) as other:
            deadline = time.monotonic() + 5
            while not other.execute("SELECT pg_try_advisory_lock(%s, %s)", lock).fetchone()[0]:
                assert time.monotonic() < deadline, "the user's lock is still held"
                await asyncio.sleep(0.05)
            held = other.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid <> "
                "pg_backend_pid()"
            ).fetchone()[0]
            assert held == 0
    finally:
        await repository.close_user_locks()
        await engine.dispose()


async def test_one_user_whose_turn_waits_does_not_hold_up_the_others_expiry(
    tmp_path: Path, telegram: FakeTelegram, panel: FakePanel, fernet_key: str
) -> None:
    first, second = Customer(telegram), Customer(telegram, OTHER_USER)
    async with running(make_settings(tmp_path, panel, telegram, fernet_key)) as app:
        await to_the_quantity(first)
        await second.connect(OTHER_KEY)
        await second.open_service(DEFAULT, "Send the <b>link</b>")
        await second.say("https://instagram.com/b", "quantity")
        await age_conversations(app, 3600)
    # The first user's panel call is still hanging after the wait below.
    slow = {"panel_timeout_seconds": 30, "panel_interactive_seconds": 30}
    async with running(make_settings(tmp_path, panel, telegram, fernet_key, **slow)) as app:
        # The first user (the longest idle) is in the middle of a slow panel call.
        panel.hung_keys.add(USER_KEY)
        try:
            balances = panel.count("balance")
            telegram.send_text(USER, "/balance")
            await telegram.wait_for(lambda: panel.count("balance") > balances, what="balance")
            mark = telegram.mark()
            sweeping = asyncio.create_task(sweep(app))
            await telegram.wait_for_message(OTHER_USER, "left idle", after=mark)
        finally:
            panel.hung_keys.discard(USER_KEY)
        await asyncio.wait_for(sweeping, 20)
    assert len([m for m in telegram.messages(USER) if "left idle" in m.text]) == 1


async def test_a_state_write_that_failed_does_not_bring_back_the_step_before(
    tmp_path: Path, telegram: FakeTelegram, panel: FakePanel, fernet_key: str, postgres_url: str
) -> None:
    """The customer was shown the next step but its state could not be written (the row
    locked past the wait): their next answer still goes to that step, not to the stored one
    a step behind."""
    settings = make_settings(tmp_path, panel, telegram, fernet_key, database_url=postgres_url)
    customer = Customer(telegram)
    async with running(settings) as app:
        await to_the_quantity(customer)
        await settled(app)
        plain = postgres_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain) as holder:
            holder.execute("SELECT 1 FROM user_state WHERE user_id = %s FOR UPDATE", (USER,))
            await customer.say("500", "Spread it")  # answered; its write waits, then fails
            await settled(app)
        # The row is free again and still one step behind; the next answer is the summary's.
        await customer.tap("All at once", "Check your order")
        await settled(app)
    assert panel.count("add") == 0
