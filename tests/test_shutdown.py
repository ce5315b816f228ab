"""SIGTERM, as Docker, systemd or a platform stops `python -m bot` (polling mode): the update
being handled is finished and answered, the status poller stops between keys, and the process
exits 0 within seconds."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

from tests.conftest import TOKEN, USER
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import FakeTelegram
from tests.stored import customers_with_an_order, key_of
from tests.test_main import BotProcess, bot_process, reply, say

SLOW_PANEL_SECONDS = 2.0
# Beyond the slow call itself: the rest of the shutdown (the stand-ins answer at once).
STOP_SECONDS = 5.0


def variables(tmp_path: Path, telegram: FakeTelegram, panel: FakePanel) -> dict[str, str]:
    return {
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": telegram.base_url,
        "SMM_API_URL": panel.url,
        "DATA_DIR": str(tmp_path / "data"),
    }


def terminate(bot: BotProcess) -> float:
    """SIGTERM; the seconds the process took to exit (killed, and the test failed, past 15)."""
    sent = time.monotonic()
    bot.process.send_signal(signal.SIGTERM)
    try:
        bot.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        bot.process.kill()
        raise AssertionError(f"python -m bot ignored SIGTERM\n{bot.log()}") from None
    return time.monotonic() - sent


async def test_sigterm_finishes_the_update_waiting_on_the_panel(
    tmp_path: Path, telegram: FakeTelegram, panel: FakePanel
) -> None:
    await customers_with_an_order(tmp_path / "data", panel, [USER])
    with bot_process(
        tmp_path, tmp_path / "bot.log", **variables(tmp_path, telegram, panel)
    ) as bot:
        bot.wait_for(telegram, lambda: telegram.commands, "setMyCommands")
        panel.delays["balance"] = SLOW_PANEL_SECONDS
        mark = say(telegram, "/balance")
        bot.wait_for(telegram, lambda: panel.count("balance") >= 1, "the balance call")
        seconds = terminate(bot)

    assert bot.process.returncode == 0, bot.log()
    assert seconds < SLOW_PANEL_SECONDS + STOP_SECONDS, bot.log()
    # The customer got their answer, although the bot was told to stop while it waited.
    balance = f"{panel.balance_of(key_of(USER)):.2f} USD"
    assert balance in reply(telegram, USER, "Balance", mark)(), telegram.messages(USER)
    assert "Traceback" not in bot.log()
    # The database was closed: SQLite folds its write-ahead log back in at the last close.
    assert (tmp_path / "data" / "bot.db").exists()
    assert not (tmp_path / "data" / "bot.db-wal").exists()


async def test_sigterm_stops_the_status_poller_between_keys(
    tmp_path: Path, telegram: FakeTelegram, panel: FakePanel
) -> None:
    users = [USER, USER + 1, USER + 2]
    orders = await customers_with_an_order(tmp_path / "data", panel, users)
    for order_id in orders.values():
        panel.set_order(order_id, status="In progress")
    panel.delays["status"] = SLOW_PANEL_SECONDS
    env = variables(tmp_path, telegram, panel)
    # One panel call at a time: one key is at the panel, the other two wait for their turn.
    env.update(STATUS_POLL_SECONDS="0.5", PANEL_CONCURRENCY="1")
    with bot_process(tmp_path, tmp_path / "bot.log", **env) as bot:
        bot.wait_for(telegram, lambda: panel.count("status") >= 1, "the first key's poll")
        seconds = terminate(bot)

    assert bot.process.returncode == 0, bot.log()
    assert seconds < SLOW_PANEL_SECONDS + STOP_SECONDS, bot.log()
    # The key in progress finished: its answer stored and its customer told.
    [(_, fields)] = [request for request in panel.requests if request[0] == "status"]
    [polled] = [user for user in users if fields["key"] == key_of(user)]
    told = [m.text for m in telegram.messages(polled) if orders[polled] in m.text]
    assert any("In progress" in text for text in told), telegram.messages(polled)
    # No other key was started: the others are asked after the restart.
    for user in users:
        if user != polled:
            assert telegram.messages(user) == []
