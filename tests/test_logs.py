"""The log as an operator's platform reads it: `python -m bot` writes one line per event (a
traceback folded into its line), never a secret, JSON lines with LOG_FORMAT=json, and nothing
per poll cycle at the default level."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.fernet import Fernet

from bot.config import load_settings
from bot.logs import JsonFormatter, secrets_of
from tests.conftest import TOKEN, USER
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import FakeTelegram
from tests.stored import customers_with_an_order, key_of
from tests.test_main import TOKEN_SECRET, bot_process, reply, say

REQUIRED = {"time", "level", "logger", "message"}
WEBHOOK_SECRET = "operators-own-webhook-secret_42"
# A handler's reply refused with a message that quotes a secret and spans two lines: the error
# handler logs it with its traceback.
REFUSAL = f"Bad Request: chat {TOKEN_SECRET} is odd\nsecond line of the answer"


def run_variables(tmp_path: Path, telegram: FakeTelegram, panel: FakePanel) -> dict[str, str]:
    return {
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": telegram.base_url,
        "SMM_API_URL": panel.url,
        "DATA_DIR": str(tmp_path / "data"),
        "WEBHOOK_SECRET": WEBHOOK_SECRET,
        "ENCRYPTION_KEY": Fernet.generate_key().decode(),
    }


def provoke_a_traceback(bot: object, telegram: FakeTelegram) -> None:
    """/start whose reply Telegram refuses, then /help answered: the error was handled."""
    telegram.fail_method("sendMessage", times=1, description=REFUSAL)
    say(telegram, "/start")
    mark = say(telegram, "/help")
    bot.wait_for(telegram, reply(telegram, USER, "/order", mark), "the help")  # type: ignore[attr-defined]


def test_json_lines_hold_every_event_and_no_secret(
    tmp_path: Path, telegram: FakeTelegram, panel: FakePanel
) -> None:
    variables = run_variables(tmp_path, telegram, panel)
    with bot_process(tmp_path, tmp_path / "bot.log", LOG_FORMAT="json", **variables) as bot:
        bot.wait_for(telegram, lambda: telegram.commands, "setMyCommands")
        provoke_a_traceback(bot, telegram)
        assert bot.stop() == 0, bot.log()

    lines = bot.log().splitlines()
    events = [json.loads(line) for line in lines]  # every line is one JSON object
    assert len(events) >= 3
    for event in events:
        assert REQUIRED <= set(event) <= {*REQUIRED, "exc"}
        moment = datetime.fromisoformat(event["time"])
        assert moment.utcoffset() == timedelta(0)
        assert abs(datetime.now(UTC) - moment) < timedelta(minutes=5)
    messages = [event["message"] for event in events]
    assert any(message.startswith("Bot @") and message.endswith(" is up") for message in messages)
    [failure] = [event for event in events if "exc" in event]
    assert failure["level"] == "ERROR"
    assert failure["exc"].startswith("Traceback (most recent call last):")
    assert "is odd" in failure["exc"]
    log = bot.log()
    for secret in (TOKEN_SECRET, WEBHOOK_SECRET, variables["ENCRYPTION_KEY"]):
        assert secret not in log
    assert "<redacted>" in failure["exc"]


def test_text_log_folds_a_traceback_into_one_line(
    tmp_path: Path, telegram: FakeTelegram, panel: FakePanel
) -> None:
    variables = run_variables(tmp_path, telegram, panel)
    with bot_process(tmp_path, tmp_path / "bot.log", **variables) as bot:
        bot.wait_for(telegram, lambda: telegram.commands, "setMyCommands")
        provoke_a_traceback(bot, telegram)
        assert bot.stop() == 0, bot.log()

    lines = bot.log().splitlines()
    [failure] = [line for line in lines if "Traceback" in line]
    assert " ERROR handlers.errors: Unhandled error while handling an update" in failure
    assert "Traceback (most recent call last):\\n  File " in failure
    assert "is odd\\nsecond line of the answer" in failure
    assert not any(line.startswith(("  File ", "Traceback", "second line")) for line in lines)
    # Every line is an event: it starts with its date.
    assert all(line[:4].isdigit() and line[4] == "-" for line in lines), lines
    for secret in (TOKEN_SECRET, WEBHOOK_SECRET, variables["ENCRYPTION_KEY"]):
        assert secret not in bot.log()


async def test_poll_cycles_print_nothing_at_the_default_level(
    tmp_path: Path, telegram: FakeTelegram, panel: FakePanel
) -> None:
    await customers_with_an_order(tmp_path / "data", panel, [USER])
    variables = run_variables(tmp_path, telegram, panel)
    del variables["ENCRYPTION_KEY"]  # the stored customer's key is under the generated one
    variables["STATUS_POLL_SECONDS"] = "0.3"
    with bot_process(tmp_path, tmp_path / "bot.log", **variables) as bot:
        bot.wait_for(telegram, lambda: panel.count("status") >= 2, "two poll cycles")
        before = bot.log()
        bot.wait_for(telegram, lambda: panel.count("status") >= 6, "four more poll cycles")
        during = bot.log()
        assert bot.stop() == 0, bot.log()

    assert during == before  # four cycles, each asking the panel, and not a line about them
    assert "Bot @" in before  # logging at INFO does work
    assert key_of(USER) not in bot.log()


def test_the_database_password_is_redacted_as_given_and_as_in_a_url() -> None:
    settings = load_settings(
        bot_token=TOKEN,
        database_url="postgresql+psycopg://bot:s3cret%2Fpass@db:5432/bot",
        log_format="json",
    )
    formatter = JsonFormatter(secrets_of(settings))
    url, password = "postgresql+psycopg://bot:s3cret%2Fpass@db:5432/bot", "s3cret/pass"
    record = logging.LogRecord(
        "storage.db", logging.ERROR, __file__, 1, "%s refused %s", (url, password), None
    )
    event = json.loads(formatter.format(record))
    assert event["message"] == (
        "postgresql+psycopg://bot:<redacted>@db:5432/bot refused <redacted>"
    )
