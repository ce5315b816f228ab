"""Two real `python -m bot` processes in webhook mode on one PostgreSQL database, behind a
round-robin balancer the stand-in Bot API posts every update to: a customer's order started
on one continues on the other, exactly one process polls, one status change is one push, and a
customer's quick succession of messages is answered in order."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TypeVar

import pytest

from storage.crypto import Keyring
from storage.db import build_engine, prepare_database
from storage.repository import Repository
from tests.conftest import TOKEN, USER
from tests.fakes.balancer import Balancer
from tests.fakes.panel import SERVICE_IDS, FakePanel
from tests.fakes.telegram import FakeTelegram
from tests.orders import store_placed_order
from tests.test_main import BotProcess, bot_process, reply, say

T = TypeVar("T")

PANEL_KEY = "0d1c2b3a495867768594a3b2c1d0e0f1"
HOOK = "/tg"
SECRET = "two-processes-secret_1"
POLLER_LINE = "Status poller runs in this process"
DEFAULT = SERVICE_IDS["Default"]
LINK = "https://instagram.com/two-processes"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Pair:
    """Both processes: a wait fails at once (with both logs) if either died."""

    def __init__(self, bots: list[BotProcess], telegram: FakeTelegram) -> None:
        self.bots = bots
        self.telegram = telegram

    def wait_for(self, predicate: Callable[[], T | None], what: str) -> T:
        def check() -> T | bool | None:
            for bot in self.bots:
                if bot.process.poll() is not None:
                    raise AssertionError(f"a bot process exited while waiting for {what}")
            return predicate()

        try:
            return self.telegram.wait_for_sync(check, timeout=15, what=what)  # type: ignore[return-value]
        except AssertionError as error:
            logs = "\n".join(f"--- {bot.log_file.name} ---\n{bot.log()}" for bot in self.bots)
            raise AssertionError(f"{error}\n{logs}") from None

    def converse(self, text: str, expect: str) -> str:
        mark = say(self.telegram, text)
        return self.wait_for(reply(self.telegram, USER, expect, mark), f"{expect!r} ← {text!r}")

    def tap(self, label: str, expect: str) -> str:
        mark = self.telegram.mark()
        self.telegram.press_button(USER, label)
        return self.wait_for(reply(self.telegram, USER, expect, mark), f"{expect!r} ← {label}")


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    """The stand-in, accepting an http:// webhook (the balancer listens on 127.0.0.1)."""
    with FakeTelegram(token=TOKEN, allow_http_webhook=True) as fake:
        yield fake


@contextmanager
def running_pair(
    tmp_path: Path,
    telegram: FakeTelegram,
    panel: FakePanel,
    postgres_url: str,
    fernet_key: str,
) -> Iterator[tuple[Pair, Balancer]]:
    """Two `python -m bot` in webhook mode on one database, the stand-in posting to the
    balancer in front of them; both stopped with SIGTERM at the end (exit 0)."""
    ports = [free_port(), free_port()]
    with Balancer(ports) as balancer, ExitStack() as stack:
        common = {
            "BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": telegram.base_url,
            "SMM_API_URL": panel.url,
            "DATABASE_URL": postgres_url,
            "ENCRYPTION_KEY": fernet_key,  # one key for every process
            "WEBHOOK_URL": f"{balancer.url}{HOOK}",
            "WEBHOOK_ALLOW_HTTP": "1",
            "WEBHOOK_SECRET": SECRET,
            "LISTEN_HOST": "127.0.0.1",
            "STATUS_POLL_SECONDS": "1",
            "LOG_LEVEL": "INFO",
        }
        bots = []
        for name, port in zip("ab", ports, strict=True):
            folder = tmp_path / name
            folder.mkdir()
            bots.append(
                stack.enter_context(
                    bot_process(
                        folder,
                        folder / "bot.log",
                        PORT=str(port),
                        DATA_DIR=str(folder / "data"),
                        **common,
                    )
                )
            )
        both = Pair(bots, telegram)
        both.wait_for(lambda: len(telegram.calls_of("setWebhook")) >= 2, "both registered")
        yield both, balancer
        for bot in bots:
            assert bot.stop() == 0, bot.log()


def seed(database_url: str, fernet_key: str, panel: FakePanel) -> str:
    """A customer with a key and an order at the panel, stored as the bot stores them (before
    the processes start); the panel's order id."""
    panel.add_key(PANEL_KEY, balance="10")
    prepare_database(database_url)

    async def store() -> str:
        engine = build_engine(database_url)
        try:
            repository = Repository(engine, Keyring([fernet_key]))
            await repository.touch_user(USER)
            await repository.set_api_key(USER, PANEL_KEY)
            _, order_id = await store_placed_order(repository, panel, USER, PANEL_KEY, LINK)
            return order_id
        finally:
            await engine.dispose()

    return asyncio.run(store())


def test_one_poller_one_push_and_answers_in_order_across_two_webhook_processes(
    tmp_path: Path,
    telegram: FakeTelegram,
    panel: FakePanel,
    postgres_url: str,
    fernet_key: str,
) -> None:
    order_id = seed(postgres_url, fernet_key, panel)
    with running_pair(tmp_path, telegram, panel, postgres_url, fernet_key) as (both, balancer):
        # Exactly one process polls (the log says which); the other one never does.
        both.wait_for(lambda: panel.count("status") >= 3, "three status polls")
        assert [POLLER_LINE in bot.log() for bot in both.bots].count(True) == 1

        # One change, one push, however many cycles later.
        def pushes() -> list[str]:
            return [m.text for m in telegram.messages(USER) if f"Order {order_id}</b>" in m.text]

        panel.set_order(order_id, status="In progress", remains=40, start_count=10)
        both.wait_for(pushes, "the push")
        polls = panel.count("status")
        both.wait_for(lambda: panel.count("status") >= polls + 3, "three more polls")
        assert len(pushes()) == 1

        # A quick succession of messages, answered in the order sent, though the balancer
        # hands them to one process and the other in turn.
        served = dict(balancer.served)
        mark = telegram.mark()
        for text in ("/balance", "/help", "/notify", "/orders"):
            telegram.send_text(USER, text)
        both.wait_for(lambda: len(replies_after(telegram, mark)) >= 4, "four answers")
        answers = replies_after(telegram, mark)[:4]
        expected = ["Balance", "/order", "Status messages", "Your orders"]
        assert [
            next(i for i, answer in enumerate(answers) if word in answer) for word in expected
        ] == [0, 1, 2, 3], answers
        assert all(balancer.count(port) > served.get(port, 0) for port in balancer.backends)
        # Still one poller all along. (Not after the exit: the holder stops first and releases
        # its lease, and the other process, still running, rightly takes it over.)
        assert [POLLER_LINE in bot.log() for bot in both.bots].count(True) == 1


def test_an_order_started_on_one_process_continues_on_the_other(
    tmp_path: Path,
    telegram: FakeTelegram,
    panel: FakePanel,
    postgres_url: str,
    fernet_key: str,
) -> None:
    pytest.importorskip("bot.persistence", reason="conversations kept in the database")
    panel.add_key(PANEL_KEY, balance="10")
    with running_pair(tmp_path, telegram, panel, postgres_url, fernet_key) as (both, balancer):
        # One step per update, the updates going to one process and the other in turn.
        both.converse("/start", "API key")
        both.converse(PANEL_KEY, "connected")
        both.converse("/order", "Choose a category")
        both.converse(str(DEFAULT), "Send the <b>link</b>")
        both.converse("https://instagram.com/someone", "quantity")
        both.converse("2500", "Spread it")
        both.tap("All at once", "Check your order")
        both.tap("Confirm", "Order placed")
        assert all(balancer.count(port) >= 3 for port in balancer.backends), balancer.served
    assert panel.count("add") == 1


def replies_after(telegram: FakeTelegram, mark: int) -> list[str]:
    return [m.text for m in telegram.messages(USER) if m.changed_at > mark]
