"""`python -m bot` as an operator runs it: a real process against the two stand-in servers."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest

from bot.config import Settings
from bot.panel.capabilities import Capabilities
from storage.crypto import KEY_FILE_NAME, Keyring, load_or_create_keys
from storage.db import build_engine, prepare_database
from storage.repository import Repository
from tests.conftest import TOKEN, USER, USER_KEY
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import FakeTelegram

ROOT = Path(__file__).resolve().parents[1]
TOKEN_SECRET = TOKEN.split(":", 1)[1]
PANEL_KEY = "5e1f0c2d3b4a59687f8e9d0c1b2a3948"
# Nothing listens there: a test that fails to stop early never reaches the real Telegram.
NOWHERE = "http://127.0.0.1:9"
CONFIG_TIMEOUT = 10
STOP_TIMEOUT = 10

T = TypeVar("T")


def bot_env(**variables: str) -> dict[str, str]:
    """The current environment without any of the bot's settings, plus `variables`."""
    setting_names = {name.upper() for name in Settings.model_fields}
    env = {name: value for name, value in os.environ.items() if name.upper() not in setting_names}
    env.pop("PTB_TIMEDELTA", None)
    env["PYTHONPATH"] = str(ROOT)
    env.update(variables)
    return env


def run_bot(cwd: Path, **variables: str) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run `python -m bot` to its end (it must end by itself); returns it and its runtime."""
    started = time.monotonic()
    result = subprocess.run(  # kills the child itself if the timeout expires
        [sys.executable, "-m", "bot"],
        cwd=cwd,
        env=bot_env(**variables),
        capture_output=True,
        text=True,
        timeout=CONFIG_TIMEOUT,
        check=False,
    )
    return result, time.monotonic() - started


def assert_one_line_error(result: subprocess.CompletedProcess[str], *must_contain: str) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for text in must_contain:
        assert text in lines[0]
    return lines[0]


# --- configuration problems --------------------------------------------------------------------


def test_missing_bot_token(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    result, seconds = run_bot(tmp_path, TELEGRAM_API_URL=NOWHERE)
    line = assert_one_line_error(result, "BOT_TOKEN")
    assert "not set" in line
    assert seconds < 8


def test_malformed_bot_token(tmp_path: Path) -> None:
    result, _ = run_bot(tmp_path, BOT_TOKEN="just-some-words", TELEGRAM_API_URL=NOWHERE)
    line = assert_one_line_error(result, "BOT_TOKEN")
    assert "just-some-words" not in line


def test_malformed_encryption_key(tmp_path: Path) -> None:
    bad = "not-a-key"
    result, _ = run_bot(
        tmp_path,
        BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=NOWHERE,
        DATA_DIR=str(tmp_path / "data"),
        ENCRYPTION_KEY=bad,
    )
    assert_one_line_error(result, "ENCRYPTION_KEY")
    assert bad not in result.stderr
    assert bad not in result.stdout
    assert TOKEN_SECRET not in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ADMIN_IDS", "12,abc"),
        ("STATUS_POLL_SECONDS", "abc"),
        ("STATUS_POLL_SECONDS", "0"),
        ("SMM_API_URL", "smmsend.com/api/v2"),
    ],
)
def test_malformed_setting_is_one_line_naming_it(
    tmp_path: Path, variable: str, value: str
) -> None:
    result, _ = run_bot(
        tmp_path,
        BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=NOWHERE,
        DATA_DIR=str(tmp_path / "data"),
        **{variable: value},
    )
    line = assert_one_line_error(result, variable)
    assert TOKEN_SECRET not in result.stderr
    assert line.startswith("error: ")


def test_env_file_in_the_working_folder_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"BOT_TOKEN={TOKEN}\nSTATUS_POLL_SECONDS=abc\n")
    result, _ = run_bot(tmp_path, TELEGRAM_API_URL=NOWHERE)
    # BOT_TOKEN came from .env (it is not reported missing); the .env's bad value is.
    assert_one_line_error(result, "STATUS_POLL_SECONDS")


def test_token_rejected_by_telegram(tmp_path: Path, telegram: FakeTelegram) -> None:
    wrong = "123456:WRONG-secret-the-stand-in-refuses"
    result, seconds = run_bot(
        tmp_path,
        BOT_TOKEN=wrong,
        TELEGRAM_API_URL=telegram.base_url,
        DATA_DIR=str(tmp_path / "data"),
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == "error: BOT_TOKEN was rejected by Telegram"
    assert "WRONG-secret" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    assert seconds < 8


def test_telegram_unreachable(tmp_path: Path) -> None:
    result, _ = run_bot(
        tmp_path, BOT_TOKEN=TOKEN, DATA_DIR=str(tmp_path / "data"), TELEGRAM_API_URL=NOWHERE
    )
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"error: cannot reach Telegram at {NOWHERE}")
    assert TOKEN_SECRET not in result.stderr
    assert "Traceback" not in result.stderr


# --- a real run --------------------------------------------------------------------------------


class BotProcess:
    """`python -m bot` running in the background, its stderr going to a file."""

    def __init__(self, cwd: Path, log_file: Path, **variables: str) -> None:
        self.log_file = log_file
        self._log = log_file.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot"],
            cwd=cwd,
            env=bot_env(**variables),
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def log(self) -> str:
        return self.log_file.read_text(errors="replace")

    def stop(self) -> int:
        """SIGTERM, as a service manager stops it; killed if it hangs."""
        try:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(timeout=STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
                    raise AssertionError(
                        f"python -m bot ignored SIGTERM for {STOP_TIMEOUT}s\n{self.log()}"
                    ) from None
            return self.process.returncode
        finally:
            self.close_log()

    def close_log(self) -> None:
        self._log.close()

    def wait_for(self, telegram: FakeTelegram, predicate: Callable[[], T | None], what: str) -> T:
        """Wait on the stand-in; fail at once (with the bot's log) if the process died."""

        def check() -> T | bool | None:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"python -m bot exited ({self.process.returncode}) while waiting for {what}"
                )
            return predicate()

        try:
            return telegram.wait_for_sync(check, timeout=10, what=what)  # type: ignore[return-value]
        except AssertionError as error:
            raise AssertionError(f"{error}\n--- bot log ---\n{self.log()}") from None


@contextmanager
def bot_process(cwd: Path, log_file: Path, **variables: str) -> Iterator[BotProcess]:
    bot = BotProcess(cwd, log_file, **variables)
    try:
        yield bot
    finally:
        if bot.process.poll() is None:
            bot.process.kill()
            bot.process.wait()
        bot.close_log()


def reply(telegram: FakeTelegram, chat_id: int, contains: str, after: int) -> Callable[[], str]:
    def find() -> str:
        for message in reversed(telegram.messages(chat_id)):
            if message.changed_at > after and contains in message.text:
                return message.text
        return ""

    return find


def say(telegram: FakeTelegram, text: str) -> int:
    mark = telegram.mark()
    telegram.send_text(USER, text)
    return mark


def test_run_connect_a_key_stop_and_restart(
    tmp_path: Path, telegram: FakeTelegram, panel: FakePanel
) -> None:
    panel.add_key(PANEL_KEY, balance="321.5")
    data_dir = tmp_path / "data"
    log_file = tmp_path / "bot.log"
    variables = {
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": telegram.base_url,
        "SMM_API_URL": panel.url,
        "DATA_DIR": str(data_dir),
        "LOG_LEVEL": "INFO",
    }

    with bot_process(tmp_path, log_file, **variables) as bot:
        commands = bot.wait_for(telegram, lambda: telegram.commands, "setMyCommands")
        names = {command["command"] for command in commands}
        assert {"start", "order", "key", "balance"} <= names

        mark = say(telegram, "/start")
        bot.wait_for(telegram, reply(telegram, USER, "Hi, User1001", mark), "the greeting")

        mark = say(telegram, "/key")
        bot.wait_for(telegram, reply(telegram, USER, "Send me your panel", mark), "key prompt")
        mark = say(telegram, PANEL_KEY)
        connected = bot.wait_for(telegram, reply(telegram, USER, "connected", mark), "connected")
        assert "321.50 USD" in connected
        assert PANEL_KEY[-4:] in connected

        assert bot.stop() == 0, bot.log()

    log = bot.log()
    key_file = data_dir / KEY_FILE_NAME
    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert str(key_file) in log  # the operator is told where the key to back up is
    encryption_key = key_file.read_text().strip()
    assert "Bot @" in log  # it logs at INFO, so there was a chance to leak
    for secret in (TOKEN_SECRET, PANEL_KEY, encryption_key):
        assert secret not in log
    assert "Traceback" not in log
    for path in data_dir.iterdir():
        assert PANEL_KEY.encode() not in path.read_bytes(), path.name
    assert PANEL_KEY not in telegram.all_text()

    # Restarted with the same data folder (and the generated key), it still knows the key.
    with bot_process(tmp_path, tmp_path / "bot2.log", **variables) as again:
        mark = say(telegram, "/balance")
        balance = again.wait_for(telegram, reply(telegram, USER, "Balance", mark), "balance")
        assert "321.50 USD" in balance
        assert again.stop() == 0, again.log()
    assert "Generated" not in again.log()
    assert key_file.read_text().strip() == encryption_key


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("nonsense", "DATABASE_URL is invalid"),
        ("mysql://user@localhost/db", "needs the Python module"),
        ("postgresql+psycopg://user:hunter2secret@127.0.0.1:9/db", "cannot open the database"),
        ("postgresql+psycopg://user:hunter2secret@host:abc/db", "DATABASE_URL is invalid"),
        (
            "postgresql+psycopg://user:hunter2secret@127.0.0.1:9/db?connect_timeout=abc",
            "cannot open the database",
        ),
    ],
)
def test_bad_database_url_is_one_line_without_the_password(
    tmp_path: Path, url: str, expected: str
) -> None:
    result, _ = run_bot(
        tmp_path,
        BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=NOWHERE,
        DATA_DIR=str(tmp_path / "data"),
        DATABASE_URL=url,
    )
    line = assert_one_line_error(result, expected)
    assert "hunter2secret" not in result.stderr + result.stdout
    assert "DATABASE_URL" in line


# --- python -m bot panel-check ------------------------------------------------------------------


def run_panel_check(cwd: Path, key: str, **variables: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot panel-check` with the key on standard input (never in argv)."""
    return subprocess.run(
        [sys.executable, "-m", "bot", "panel-check"],
        cwd=cwd,
        env=bot_env(DATA_DIR=str(cwd / "data"), **variables),
        input=f"{key}\n",
        capture_output=True,
        text=True,
        timeout=CONFIG_TIMEOUT * 3,
        check=False,
    )


async def stored_profile(cwd: Path, api_url: str) -> str | None:
    database = f"sqlite:///{cwd / 'data' / 'bot.db'}"
    engine = build_engine(database)
    try:
        keyring = Keyring(load_or_create_keys([], cwd / "data"))
        return await Repository(engine, keyring).panel_profile(api_url)
    finally:
        await engine.dispose()


async def test_panel_check_reports_the_panel_and_stores_what_it_learned(
    tmp_path: Path, panel: FakePanel
) -> None:
    result = run_panel_check(tmp_path, USER_KEY, SMM_API_URL=panel.url)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert f"Panel: {panel.url}" in lines
    assert "Dialect: PerfectPanel-style (the seed's API v2)" in lines
    assert any(line.startswith("Catalogue: ") and "Default (" in line for line in lines)
    assert any(line.startswith("refill: yes (") for line in lines)
    assert any(line.startswith("status of several orders in one call: yes (") for line in lines)
    assert USER_KEY not in result.stdout + result.stderr
    assert panel.count("add") == 0
    stored = Capabilities.from_json(await stored_profile(tmp_path, panel.url))
    assert stored.multi_status is True
    assert stored.checked_at is not None


def test_panel_check_on_a_wrong_url_is_one_line_with_a_hint(
    tmp_path: Path, panel: FakePanel
) -> None:
    wrong = panel.url.replace("/api/v2", "/api/v1")
    result = run_panel_check(tmp_path, USER_KEY, SMM_API_URL=wrong)
    assert result.returncode != 0
    line = assert_one_line_error(result, "HTTP 404")
    assert f"try SMM_API_URL={panel.url}" in line
    assert USER_KEY not in result.stdout + result.stderr


def test_panel_check_with_a_refused_key(tmp_path: Path, panel: FakePanel) -> None:
    result = run_panel_check(tmp_path, "not-a-key-of-this-panel", SMM_API_URL=panel.url)
    assert_one_line_error(result, "refused the key")
    assert "not-a-key-of-this-panel" not in result.stderr


def test_panel_check_without_a_key(tmp_path: Path, panel: FakePanel) -> None:
    result = run_panel_check(tmp_path, "", SMM_API_URL=panel.url)
    assert_one_line_error(result, "no API key")
    assert panel.requests == []


def test_an_unexpected_error_at_start_is_one_line_without_a_traceback(
    tmp_path: Path, telegram: FakeTelegram
) -> None:
    """The database refuses the generated webhook secret (StorageUnavailable from deep inside
    start-up): one log line and one `error:` line, never a traceback, a non-zero exit."""
    url = f"sqlite:///{tmp_path / 'data' / 'bot.db'}"
    prepare_database(url)
    with sqlite3.connect(tmp_path / "data" / "bot.db") as connection:
        connection.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON runtime_state "
            "WHEN NEW.name = 'webhook_secret' BEGIN SELECT RAISE(ABORT, 'refused'); END"
        )
    connection.close()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result, _ = run_bot(
        tmp_path,
        BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=telegram.base_url,
        DATA_DIR=str(tmp_path / "data"),
        WEBHOOK_URL=f"http://127.0.0.1:{port}/tg",
        WEBHOOK_ALLOW_HTTP="1",
        LISTEN_HOST="127.0.0.1",
        PORT=str(port),
    )
    assert result.returncode not in (0, 2)  # not a configuration error: systemd restarts it
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("error: StorageUnavailable: "), result.stderr
    logged = [line for line in lines if "Stopped by an unexpected error" in line]
    assert len(logged) == 1
    assert " ERROR " in logged[0]
    assert TOKEN_SECRET not in result.stderr + result.stdout
