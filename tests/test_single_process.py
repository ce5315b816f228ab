"""SQLite is for one process: a second `python -m bot` on the same database file is refused
with one line, and once the first dies (even kill -9) a new one starts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import TOKEN, USER
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import FakeTelegram
from tests.test_main import (
    CONFIG_TIMEOUT,
    assert_one_line_error,
    bot_env,
    bot_process,
    reply,
    run_bot,
    say,
)

REFUSAL = (
    "error: another bot process is using the SQLite database {database}; SQLite is for one "
    "process — use PostgreSQL (DATABASE_URL) to run several"
)


def test_a_second_process_on_one_sqlite_database_is_refused_until_the_first_dies(
    tmp_path: Path, telegram: FakeTelegram, panel: FakePanel
) -> None:
    data_dir = tmp_path / "data"
    variables = {
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": telegram.base_url,
        "SMM_API_URL": panel.url,
        "DATA_DIR": str(data_dir),
    }
    with bot_process(tmp_path, tmp_path / "first.log", **variables) as first:
        mark = say(telegram, "/start")
        first.wait_for(telegram, reply(telegram, USER, "Hi", mark), "the first one's greeting")

        second, _ = run_bot(tmp_path, **variables)
        line = assert_one_line_error(second)
        assert line == REFUSAL.format(database=data_dir / "bot.db")
        assert second.returncode == 2
        # Re-encrypting every key beside a running bot is refused the same way.
        reencrypt = subprocess.run(
            [sys.executable, "-m", "bot", "reencrypt"],
            cwd=tmp_path,
            env=bot_env(**variables),
            capture_output=True,
            text=True,
            timeout=CONFIG_TIMEOUT,
            check=False,
        )
        assert assert_one_line_error(reencrypt) == line

        # The first one still serves: the refused ones touched nothing.
        mark = say(telegram, "/help")
        first.wait_for(telegram, reply(telegram, USER, "/order", mark), "the first one's help")
        first.process.kill()  # no clean shutdown: the kernel drops the lock
        first.process.wait()

    with bot_process(tmp_path, tmp_path / "third.log", **variables) as third:
        mark = say(telegram, "/start")
        third.wait_for(telegram, reply(telegram, USER, "Hi", mark), "the new one's greeting")
        assert third.stop() == 0, third.log()
    assert "another bot process" not in third.log()
