"""Webhook mode: the stand-in Bot API posts updates to the bot's port (and redelivers), the
secret header is enforced, /healthz tells a balancer whether the process can serve, and
`python -m bot` starts, stops on SIGTERM and refuses bad set-ups with one line."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import shutil
import signal
import socket
import sqlite3
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from bot.app import build_application
from bot.config import Settings
from bot.context import app_services
from bot.notifier import notifier_of
from bot.webhook import (
    DRAIN_SECONDS,
    SECRET_HEADER,
    SECRET_STATE,
    WebhookRunner,
    webhook_secret,
)
from storage.crypto import Keyring
from storage.db import build_engine, prepare_database
from storage.persistence import USER_LOCK_NAMESPACE, user_lock_key
from storage.repository import Repository
from tests.conftest import OTHER_USER, TOKEN, USER, USER_KEY, make_settings, running
from tests.customer import Customer
from tests.fakes.panel import SERVICE_IDS, FakePanel
from tests.fakes.telegram import FakeTelegram
from tests.postgres import postgres_bin, postgres_server
from tests.test_main import (
    ROOT,
    TOKEN_SECRET,
    BotProcess,
    assert_one_line_error,
    bot_process,
    reply,
    run_bot,
)

HOOK = "/tg"
SECRET = "test-webhook-secret_123"
GREETING = "Hi, User"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    """The stand-in, accepting an http:// webhook (the bot listens on 127.0.0.1)."""
    with FakeTelegram(token=TOKEN, allow_http_webhook=True) as fake:
        yield fake


@pytest.fixture
def port() -> int:
    return free_port()


def hook_settings(
    tmp_path: Path,
    panel: FakePanel,
    telegram: FakeTelegram,
    fernet_key: str,
    port: int,
    **extra: Any,
) -> Settings:
    return make_settings(
        tmp_path,
        panel,
        telegram,
        fernet_key,
        webhook_url=f"http://127.0.0.1:{port}{HOOK}",
        webhook_allow_http=True,
        listen_host="127.0.0.1",
        port=port,
        **extra,
    )


@pytest.fixture
def settings(
    tmp_path: Path, panel: FakePanel, telegram: FakeTelegram, fernet_key: str, port: int
) -> Settings:
    return hook_settings(tmp_path, panel, telegram, fernet_key, port, webhook_secret=SECRET)


@contextlib.asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[WebhookRunner]:
    """The real application in webhook mode, as `python -m bot` runs it (without signals)."""
    runner = WebhookRunner(build_application(settings), settings)
    try:
        await runner.start()
        yield runner
    finally:
        await runner.stop()


@pytest.fixture
async def hooked(settings: Settings) -> AsyncIterator[WebhookRunner]:
    async with serving(settings) as runner:
        yield runner


def users_stored(settings: Settings) -> int:
    with sqlite3.connect(f"file:{settings.data_dir / 'bot.db'}?mode=ro", uri=True) as db:
        return int(db.execute("SELECT count(*) FROM users").fetchone()[0])


def order_stored(settings: Settings, order_id: str) -> bool:
    with sqlite3.connect(f"file:{settings.data_dir / 'bot.db'}?mode=ro", uri=True) as db:
        found = db.execute(
            "SELECT placement FROM orders WHERE panel_order_id = ?", (order_id,)
        ).fetchone()
    return found is not None and found[0] == "placed"


# --- in-process: the whole customer journey over webhook deliveries ------------------------------


async def test_order_and_status_push_over_the_webhook(
    hooked: WebhookRunner, telegram: FakeTelegram, panel: FakePanel, settings: Settings
) -> None:
    webhook = telegram.webhook
    assert webhook is not None
    assert webhook.url == f"http://127.0.0.1:{hooked.port}{HOOK}"
    assert webhook.secret_token == SECRET
    assert webhook.allowed_updates is not None
    assert "callback_query" in webhook.allowed_updates

    customer = Customer(telegram)
    await customer.say("/start", GREETING)
    await customer.connect()
    await customer.open_service(SERVICE_IDS["Default"], "Send the <b>link</b>")
    await customer.say("https://instagram.com/someone", "quantity")
    await customer.say("2500", "Spread it")
    await customer.tap("All at once", "Check your order")
    await customer.tap("Confirm", "Order placed")
    [order_id] = panel.orders
    # The confirmation goes out before the placement's row is final: wait for the row.
    await telegram.wait_for(lambda: order_stored(settings, order_id), what="the stored order")

    panel.set_order(order_id, status="In progress", remains=1000, start_count=10)
    application = hooked.application
    assert await notifier_of(application).run_cycle(application)
    push = await telegram.wait_for_message(USER, f"Order {order_id}</b>", timeout=5)
    assert "In progress" in push.text

    # Every update came through the webhook, each answered once; nobody polled.
    assert telegram.calls_of("getUpdates") == []
    assert telegram.deliveries
    assert all(d.status == 200 for d in telegram.deliveries)
    delivered = [d.update_id for d in telegram.deliveries]
    assert len(delivered) == len(set(delivered)) == telegram.last_update_id
    assert telegram.pending_updates == 0


def start_update(update_id: int, user: int, first_name: str) -> dict[str, Any]:
    """A /start message as Telegram posts it, written by hand (not through the stand-in)."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": user, "type": "private", "first_name": first_name},
            "from": {"id": user, "is_bot": False, "first_name": first_name},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


async def test_a_request_without_the_secret_has_no_effect(
    hooked: WebhookRunner,
    telegram: FakeTelegram,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bot.webhook")
    update = start_update(1, USER, "Mallory")
    url = f"http://127.0.0.1:{hooked.port}{HOOK}"
    async with httpx.AsyncClient() as client:
        missing = await client.post(url, json=update)
        wrong = await client.post(url, json=update, headers={SECRET_HEADER: SECRET + "x"})
        near = await client.post(url, json=update, headers={SECRET_HEADER: SECRET[:-1]})
        garbage = await client.post(url, content=b"{not json", headers={SECRET_HEADER: SECRET})
        elsewhere = await client.post(
            f"http://127.0.0.1:{hooked.port}/other", json=update, headers={SECRET_HEADER: SECRET}
        )
        fetched = await client.get(url)
    assert (missing.status_code, wrong.status_code, near.status_code) == (403, 403, 403)
    assert garbage.status_code == 400
    assert (elsewhere.status_code, fetched.status_code) == (404, 404)
    assert telegram.messages(USER) == []
    assert telegram.calls_of("sendMessage") == []
    assert users_stored(settings) == 0
    # Anyone can post there: one line a minute at most, whatever they send.
    refused = [r for r in caplog.records if "refused: missing or wrong secret" in r.message]
    assert len(refused) == 1
    assert refused[0].levelno == logging.WARNING
    assert SECRET not in caplog.text

    # With the secret, the same update is handled.
    async with httpx.AsyncClient() as client:
        accepted = await client.post(url, json=update, headers={SECRET_HEADER: SECRET})
    assert accepted.status_code == 200
    # Answered after the update was handled: the greeting is already out.
    assert any("Hi, Mallory" in m.text for m in telegram.messages(USER))
    assert users_stored(settings) == 1


async def test_while_stopping_the_update_in_progress_finishes_and_new_ones_get_503(
    settings: Settings, telegram: FakeTelegram, panel: FakePanel
) -> None:
    runner = WebhookRunner(build_application(settings), settings)
    await runner.start()
    try:
        customer = Customer(telegram)
        await customer.connect()
        panel.hung_keys.add(USER_KEY)  # the panel holds the next balance call
        balances = panel.count("balance")
        mark = telegram.mark()
        telegram.send_text(USER, "/balance")
        await telegram.wait_for(lambda: panel.count("balance") > balances, what="balance call")
        async with httpx.AsyncClient() as client:
            base = f"http://127.0.0.1:{runner.port}"
            assert (await client.get(f"{base}/healthz")).status_code == 200  # a kept-alive line
            stopping = asyncio.create_task(runner.stop())
            await telegram.wait_for(lambda: runner.closing, what="the stop under way")
            late = await client.post(
                f"{base}{HOOK}",
                json=start_update(10_000, OTHER_USER, "Late"),
                headers={SECRET_HEADER: SECRET},
            )
            assert late.status_code == 503  # Telegram delivers it again, elsewhere or later
            assert not stopping.done()  # the /balance in progress holds the stop
            panel.hung_keys.discard(USER_KEY)
            await telegram.wait_for_message(USER, "Balance", after=mark)
            await asyncio.wait_for(stopping, 10)
    finally:
        panel.hung_keys.clear()
        if not runner.closing:
            await runner.stop()
    assert telegram.messages(OTHER_USER) == []
    assert not runner.application.running


async def test_healthz_reports_the_database_and_the_poller(
    hooked: WebhookRunner, settings: Settings
) -> None:
    url = f"http://127.0.0.1:{hooked.port}/healthz"
    async with httpx.AsyncClient() as client:
        before = await client.get(url)
        assert before.status_code == 200
        assert (await client.head(url)).status_code == 200
        assert before.json() == {
            "status": "ok",
            "database": "ok",
            "last_poll_cycle_age_seconds": None,
            "poller": "not yet",
        }
        application = hooked.application
        assert await notifier_of(application).run_cycle(application)
        after = (await client.get(url)).json()
        assert after["poller"] == "ok"
        assert 0 <= after["last_poll_cycle_age_seconds"] < 30

        # The last cycle ended longer ago than 3 intervals and a minute (3 h 1 min here).
        long_ago = datetime.now(UTC) - timedelta(seconds=3 * settings.status_poll_seconds + 90)
        with sqlite3.connect(settings.data_dir / "bot.db") as db:
            db.execute(
                "UPDATE runtime_state SET updated_at = ? WHERE name = 'poll_cycle'",
                (long_ago.replace(tzinfo=None).isoformat(sep=" "),),
            )
        late = (await client.get(url)).json()
        assert late["poller"] == "late"
        assert late["last_poll_cycle_age_seconds"] > 3 * settings.status_poll_seconds + 60


@pytest.mark.skipif(postgres_bin() is None, reason="PostgreSQL is not installed")
async def test_healthz_is_503_when_the_database_is_gone(
    tmp_path: Path, panel: FakePanel, telegram: FakeTelegram, fernet_key: str, port: int
) -> None:
    # Its own folder under /tmp: pytest's tmp_path is not readable by the "postgres" user.
    base = Path(tempfile.mkdtemp(prefix="smm-bot-pg-"))
    with contextlib.ExitStack() as database:
        database.callback(shutil.rmtree, base, ignore_errors=True)
        url = database.enter_context(postgres_server(base))
        settings = hook_settings(
            tmp_path, panel, telegram, fernet_key, port, database_url=url, webhook_secret=SECRET
        )
        async with serving(settings) as runner, httpx.AsyncClient() as client:
            health = f"http://127.0.0.1:{runner.port}/healthz"
            up = await client.get(health)
            assert up.status_code == 200
            assert up.json()["database"] == "ok"

            database.close()  # the PostgreSQL server stops
            started = time.monotonic()
            down = await client.get(health, timeout=10)
            assert time.monotonic() - started < 5
            assert down.status_code == 503
            assert down.json() == {"status": "unavailable", "database": "unreachable"}


async def test_a_redelivered_update_runs_once_and_lower_ids_still_run(
    tmp_path: Path,
    panel: FakePanel,
    telegram: FakeTelegram,
    fernet_key: str,
    port: int,
    database_url: str,
) -> None:
    settings = hook_settings(
        tmp_path,
        panel,
        telegram,
        fernet_key,
        port,
        webhook_secret=SECRET,
        database_url=database_url,
    )
    hook = f"http://127.0.0.1:{port}{HOOK}"
    headers = {SECRET_HEADER: SECRET}
    async with serving(settings), httpx.AsyncClient() as client:
        first = start_update(5000, USER, "Ann")
        for _ in range(2):  # Telegram posts it again when our answer was late
            assert (await client.post(hook, json=first, headers=headers)).status_code == 200
        # Ids that restart lower (a week of silence, a new token) are new updates all the same.
        lower = start_update(7, USER, "Bob")
        assert (await client.post(hook, json=lower, headers=headers)).status_code == 200
    assert len([m for m in telegram.messages(USER) if "Hi, Ann" in m.text]) == 1
    assert len([m for m in telegram.messages(USER) if "Hi, Bob" in m.text]) == 1


async def test_an_update_whose_user_is_held_elsewhere_fails_and_runs_once_redelivered(
    tmp_path: Path,
    panel: FakePanel,
    telegram: FakeTelegram,
    fernet_key: str,
    port: int,
    postgres_url: str,
) -> None:
    settings = hook_settings(
        tmp_path,
        panel,
        telegram,
        fernet_key,
        port,
        webhook_secret=SECRET,
        database_url=postgres_url,
    )
    plain = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    async with serving(settings) as runner:
        app_services(runner.application).repository.lock_wait_seconds = 1
        # Another process's turn for the user that does not end (hung, or a slow panel).
        with psycopg.connect(plain, autocommit=True) as other:
            other.execute(
                "SELECT pg_advisory_lock(%s, %s)", (USER_LOCK_NAMESPACE, user_lock_key(USER))
            )
            telegram.send_text(USER, "/start")
            update_id = telegram.last_update_id
            await telegram.wait_for(
                lambda: any(d.status == 500 for d in telegram.deliveries_of(update_id)),
                what="a delivery answered 500",
            )
            # Never handled without the user's lock.
            assert not any(GREETING in m.text for m in telegram.messages(USER))
        # That process is gone, its lock with it: the next delivery is handled, once.
        await telegram.wait_for_message(USER, GREETING)
        await telegram.wait_for(lambda: telegram.pending_updates == 0, what="nothing pending")
    assert len([m for m in telegram.messages(USER) if GREETING in m.text]) == 1


def test_sigterm_drain_ends_before_service_managers_kill() -> None:
    """compose's stop_grace_period, systemd's TimeoutStopSec and Heroku's 30 s: the drain, and
    the stop after it, end before the SIGKILL."""
    compose = (ROOT / "compose.yaml").read_text()
    unit = (ROOT / "deploy" / "smm-bot.service").read_text()
    grace = re.search(r"stop_grace_period:\s*(\d+)s", compose)
    timeout = re.search(r"^TimeoutStopSec=(\d+)$", unit, re.MULTILINE)
    assert grace is not None
    assert timeout is not None
    heroku = 30
    assert min(int(grace[1]), int(timeout[1]), heroku) >= DRAIN_SECONDS + 5


async def test_an_update_posted_while_the_bot_is_down_is_answered_once_after_it_starts(
    settings: Settings, telegram: FakeTelegram
) -> None:
    async with serving(settings):
        pass  # registered the webhook, then stopped (a deploy, a crash)
    assert telegram.webhook is not None  # a stop leaves it: Telegram keeps the updates

    telegram.send_text(USER, "/start")
    update_id = telegram.last_update_id
    await telegram.wait_for(
        lambda: len(telegram.deliveries_of(update_id)) >= 2, what="two refused deliveries"
    )
    assert all(d.error == "Connection refused" for d in telegram.deliveries_of(update_id))

    async with serving(settings):
        await telegram.wait_for_message(USER, GREETING)
        await telegram.wait_for(lambda: telegram.pending_updates == 0, what="nothing pending")
    attempts = telegram.deliveries_of(update_id)
    assert [d.status for d in attempts if d.status is not None] == [200]
    assert attempts[-1].status == 200
    assert len([m for m in telegram.messages(USER) if GREETING in m.text]) == 1


async def test_polling_after_webhook_mode_deletes_the_webhook(
    tmp_path: Path,
    settings: Settings,
    panel: FakePanel,
    telegram: FakeTelegram,
    fernet_key: str,
) -> None:
    async with serving(settings):
        pass
    assert telegram.webhook is not None
    polling = make_settings(tmp_path, panel, telegram, fernet_key)
    async with running(polling):
        await Customer(telegram).say("/start", GREETING)
    assert telegram.webhook is None
    assert telegram.deliveries == []


# --- python -m bot in webhook mode ---------------------------------------------------------------


def process_variables(
    tmp_path: Path, telegram: FakeTelegram, panel: FakePanel, port: int, **extra: str
) -> dict[str, str]:
    return {
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": telegram.base_url,
        "SMM_API_URL": panel.url,
        "DATA_DIR": str(tmp_path / "data"),
        "WEBHOOK_URL": f"http://127.0.0.1:{port}{HOOK}",
        "WEBHOOK_ALLOW_HTTP": "1",
        "LISTEN_HOST": "127.0.0.1",
        "PORT": str(port),
        "LOG_LEVEL": "DEBUG",
        **extra,
    }


def greet(bot: BotProcess, telegram: FakeTelegram, user: int) -> str:
    mark = telegram.mark()
    telegram.send_text(user, "/start")
    return bot.wait_for(telegram, reply(telegram, user, GREETING, mark), f"{user}'s greeting")


def test_python_m_bot_in_webhook_mode_with_a_generated_secret(
    tmp_path: Path, telegram: FakeTelegram, panel: FakePanel, port: int
) -> None:
    variables = process_variables(tmp_path, telegram, panel, port)
    with bot_process(tmp_path, tmp_path / "first.log", **variables) as bot:
        webhook = bot.wait_for(telegram, lambda: telegram.webhook, "setWebhook")
        greet(bot, telegram, USER)
        assert bot.stop() == 0, bot.log()
        first_log = bot.log()
    assert webhook.url == variables["WEBHOOK_URL"]
    secret = webhook.secret_token
    assert secret is not None
    assert re.fullmatch(r"[A-Za-z0-9_-]{32,256}", secret)
    assert telegram.calls_of("getUpdates") == []

    # Stored encrypted: not in the database's bytes, nor in any log line.
    database = tmp_path / "data" / "bot.db"
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        [stored] = db.execute(
            "SELECT value_json FROM runtime_state WHERE name = ?", (SECRET_STATE,)
        ).fetchone()
    assert "ciphertext" in stored
    for path in (tmp_path / "data").iterdir():
        assert secret.encode() not in path.read_bytes(), path.name

    # A restart registers the same secret; the next update is answered.
    with bot_process(tmp_path, tmp_path / "second.log", **variables) as again:
        again.wait_for(
            telegram, lambda: len(telegram.calls_of("setWebhook")) == 2, "second setWebhook"
        )
        assert telegram.webhook is not None
        assert telegram.webhook.secret_token == secret
        greet(again, telegram, OTHER_USER)
        assert again.stop() == 0, again.log()
        second_log = again.log()
    for log in (first_log, second_log):
        assert "Webhook mode: listening on 127.0.0.1" in log
        assert secret not in log
        assert TOKEN_SECRET not in log
        assert "Traceback" not in log


def test_sigterm_finishes_the_update_in_progress_and_leaves_new_ones_to_the_next_process(
    tmp_path: Path, telegram: FakeTelegram, panel: FakePanel, port: int
) -> None:
    variables = process_variables(tmp_path, telegram, panel, port, WEBHOOK_SECRET=SECRET)
    with bot_process(tmp_path, tmp_path / "first.log", **variables) as bot:
        bot.wait_for(telegram, lambda: telegram.webhook, "setWebhook")
        mark = telegram.mark()
        telegram.send_text(USER, "/key")
        bot.wait_for(telegram, reply(telegram, USER, "Send me your panel", mark), "key prompt")
        mark = telegram.mark()
        telegram.send_text(USER, USER_KEY)
        bot.wait_for(telegram, reply(telegram, USER, "connected", mark), "connected")

        panel.hung_keys.add(USER_KEY)  # the panel holds the balance call
        balances = panel.count("balance")
        mark = telegram.mark()
        telegram.send_text(USER, "/balance")
        bot.wait_for(telegram, lambda: panel.count("balance") > balances, "the balance call")
        bot.process.send_signal(signal.SIGTERM)
        bot.wait_for(telegram, lambda: "update(s) in progress" in bot.log(), "the drain")

        # Posted after SIGTERM: this process takes no new update.
        telegram.send_text(OTHER_USER, "/start")
        late = telegram.last_update_id
        bot.wait_for(telegram, lambda: telegram.deliveries_of(late), "an attempt")
        assert not telegram.deliveries_of(late)[0].ok

        panel.hung_keys.discard(USER_KEY)
        bot.wait_for(telegram, reply(telegram, USER, "Balance", mark), "the balance")
        assert bot.process.wait(timeout=10) == 0, bot.log()
        log = bot.log()
    assert "Traceback" not in log
    assert not any(GREETING in m.text for m in telegram.messages(OTHER_USER))

    with bot_process(tmp_path, tmp_path / "second.log", **variables) as again:
        again.wait_for(telegram, reply(telegram, OTHER_USER, GREETING, 0), "the redelivery")
        assert again.stop() == 0, again.log()
    attempts = telegram.deliveries_of(late)
    assert [d.ok for d in attempts].count(True) == 1
    assert attempts[-1].ok
    assert len([m for m in telegram.messages(OTHER_USER) if GREETING in m.text]) == 1


def test_http_webhook_url_without_allowing_it_is_one_line(tmp_path: Path) -> None:
    result, _ = run_bot(
        tmp_path,
        BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL="http://127.0.0.1:9",
        DATA_DIR=str(tmp_path / "data"),
        WEBHOOK_URL="http://bot.example.com/tg",
    )
    assert result.returncode == 2
    line = assert_one_line_error(result, "WEBHOOK_URL", "https://", "WEBHOOK_ALLOW_HTTP=1")
    assert line.startswith("error: ")


def test_a_port_in_use_is_one_line_before_telegram_is_told(
    tmp_path: Path, telegram: FakeTelegram, panel: FakePanel, fernet_key: str
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        variables = process_variables(
            tmp_path, telegram, panel, port, ENCRYPTION_KEY=fernet_key, LOG_LEVEL="INFO"
        )
        result, _ = run_bot(tmp_path, **variables)
    assert result.returncode != 0
    assert_one_line_error(result, f"error: cannot listen on 127.0.0.1:{port}", "already in use")
    assert telegram.calls_of("setWebhook") == []


def test_telegram_refusing_the_webhook_is_one_line_naming_it(
    tmp_path: Path, panel: FakePanel, port: int
) -> None:
    # Real Telegram posts only to https: a stand-in that refuses http:// as it does.
    with FakeTelegram(token=TOKEN) as strict:
        variables = process_variables(
            tmp_path, strict, panel, port, WEBHOOK_SECRET=SECRET, LOG_LEVEL="WARNING"
        )
        result, _ = run_bot(tmp_path, **variables)
    assert result.returncode == 2
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"error: Telegram refused WEBHOOK_URL {variables['WEBHOOK_URL']}")
    assert "https url must be provided" in last.lower()
    assert SECRET not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


# --- the stand-in's deliveries (what the tests above and the two-process tests rely on) ----------


class Receiver:
    """A webhook endpoint for the stand-in to post to: records each request; ``hold`` makes
    the requests of one user wait until released; ``fail_first`` answers that many with 500."""

    def __init__(self) -> None:
        self.received: list[tuple[int, int, str | None]] = []  # (update_id, user, secret)
        self.held_user: int | None = None
        self.release = threading.Event()
        self.fail_first = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                update = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                user = update["message"]["from"]["id"]
                receiver.received.append(
                    (update["update_id"], user, self.headers.get(SECRET_HEADER))
                )
                if user == receiver.held_user:
                    receiver.release.wait(10)
                status = 200
                if receiver.fail_first:
                    receiver.fail_first -= 1
                    status = 500
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    endpoint = Receiver()
    yield endpoint
    endpoint.close()


def bot_api(telegram: FakeTelegram, method: str, **params: Any) -> httpx.Response:
    return httpx.post(f"{telegram.base_url}/bot{TOKEN}/{method}", json=params)


async def test_stand_in_delivers_one_users_updates_in_order_and_others_meanwhile(
    telegram: FakeTelegram, receiver: Receiver
) -> None:
    assert bot_api(telegram, "setWebhook", url=receiver.url, secret_token=SECRET).json()["ok"]
    conflict = bot_api(telegram, "getUpdates")
    assert conflict.status_code == 409
    assert "webhook is active" in conflict.json()["description"]

    receiver.held_user = USER
    telegram.send_text(USER, "first")
    first = telegram.last_update_id
    telegram.send_text(USER, "second")
    second = telegram.last_update_id
    telegram.send_text(OTHER_USER, "meanwhile")
    other = telegram.last_update_id
    # The other user's update goes while USER's first waits for its answer; USER's second not.
    await telegram.wait_for(lambda: telegram.deliveries_of(other), what="the other user's")
    # Two users' deliveries run in parallel threads: either may reach the receiver first.
    assert sorted(update_id for update_id, _, _ in receiver.received) == sorted([first, other])
    assert bot_api(telegram, "getWebhookInfo").json()["result"]["pending_update_count"] == 2

    receiver.held_user = None
    receiver.release.set()
    await telegram.wait_for(lambda: telegram.pending_updates == 0, what="all delivered")
    received = [update_id for update_id, _, _ in receiver.received]
    assert sorted(received[:2]) == sorted([first, other])
    assert received[2:] == [second]
    assert {secret for _, _, secret in receiver.received} == {SECRET}


async def test_stand_in_redelivers_after_an_error_answer_and_can_deliver_elsewhere(
    telegram: FakeTelegram, receiver: Receiver
) -> None:
    assert bot_api(
        telegram, "setWebhook", url="http://127.0.0.1:9/registered", secret_token=SECRET
    ).json()["ok"]
    telegram.deliver_to(receiver.url)  # a balancer in front of the bots, say
    receiver.fail_first = 2
    telegram.send_text(USER, "hello")
    update_id = telegram.last_update_id
    await telegram.wait_for(lambda: telegram.pending_updates == 0, what="delivered")
    assert [d.status for d in telegram.deliveries_of(update_id)] == [500, 500, 200]
    assert {d.url for d in telegram.deliveries_of(update_id)} == {receiver.url}
    info = bot_api(telegram, "getWebhookInfo").json()["result"]
    assert info["url"] == "http://127.0.0.1:9/registered"
    assert info["last_error_message"] == "Wrong response from the webhook: 500"

    refused = bot_api(telegram, "setWebhook", url="ftp://example.com/hook")
    assert refused.status_code == 400
    bad_secret = bot_api(telegram, "setWebhook", url=receiver.url, secret_token="no spaces")
    assert bad_secret.status_code == 400
    assert bot_api(telegram, "deleteWebhook").json()["ok"]
    assert telegram.webhook is None
    telegram.send_text(USER, "polled again")
    polled = bot_api(telegram, "getUpdates").json()["result"]
    assert [u["message"]["text"] for u in polled] == ["polled again"]


# --- the generated secret: one for every process ------------------------------------------------


async def claim_at_once(database_url: str, fernet_key: str, processes: int = 4) -> set[str]:
    """As `processes` processes starting together would: each its own engine and pool."""
    prepare_database(database_url)
    engines = [build_engine(database_url) for _ in range(processes)]
    try:
        settings = Settings(_env_file=None, bot_token=TOKEN)  # type: ignore[call-arg]
        secrets = await asyncio.gather(
            *(
                webhook_secret(settings, Repository(engine, Keyring([fernet_key])))
                for engine in engines
            )
        )
        return set(secrets)
    finally:
        for engine in engines:
            await engine.dispose()


async def test_processes_starting_together_share_one_generated_secret(
    tmp_path: Path, fernet_key: str
) -> None:
    found = await claim_at_once(f"sqlite:///{tmp_path / 'bot.db'}", fernet_key)
    assert len(found) == 1
    # Later starts read it back.
    assert await claim_at_once(f"sqlite:///{tmp_path / 'bot.db'}", fernet_key, 1) == found


@pytest.mark.skipif(postgres_bin() is None, reason="PostgreSQL is not installed")
async def test_processes_starting_together_share_one_generated_secret_on_postgresql(
    fernet_key: str,
) -> None:
    base = Path(tempfile.mkdtemp(prefix="smm-bot-pg-"))
    try:
        with postgres_server(base) as url:
            found = await claim_at_once(url, fernet_key, 6)
            assert len(found) == 1
            assert await claim_at_once(url, fernet_key, 1) == found
    finally:
        shutil.rmtree(base, ignore_errors=True)
