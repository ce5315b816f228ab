"""`python -m bot` as a real process: a customer orders, and a push survives `kill -9`."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

from tests.conftest import TOKEN, USER
from tests.fakes.panel import SERVICE_IDS, FakePanel
from tests.fakes.telegram import FakeTelegram
from tests.test_main import TOKEN_SECRET, BotProcess, bot_process, reply, say

PANEL_KEY = "0d1c2b3a495867768594a3b2c1d0e0f1"


def variables(tmp_path: Path, telegram: FakeTelegram, panel: FakePanel) -> dict[str, str]:
    return {
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": telegram.base_url,
        "SMM_API_URL": panel.url,
        "DATA_DIR": str(tmp_path / "data"),
        "STATUS_POLL_SECONDS": "1",
        "LOG_LEVEL": "DEBUG",
    }


def converse(bot: BotProcess, telegram: FakeTelegram, text: str, expect: str) -> str:
    mark = say(telegram, text)
    return bot.wait_for(
        telegram, reply(telegram, USER, expect, mark), f"{expect!r} after {text!r}"
    )


def tap(bot: BotProcess, telegram: FakeTelegram, label: str, expect: str) -> str:
    mark = telegram.mark()
    telegram.press_button(USER, label)
    return bot.wait_for(telegram, reply(telegram, USER, expect, mark), f"{expect!r} after {label}")


def place_order(bot: BotProcess, telegram: FakeTelegram) -> None:
    converse(bot, telegram, "/start", "API key")
    converse(bot, telegram, PANEL_KEY, "connected")
    converse(bot, telegram, "/order", "Choose a category")
    converse(bot, telegram, str(SERVICE_IDS["Default"]), "Send the <b>link</b>")
    converse(bot, telegram, "https://instagram.com/someone", "quantity")
    converse(bot, telegram, "2500", "Spread it")
    tap(bot, telegram, "All at once", "Check your order")
    tap(bot, telegram, "Confirm", "Order placed")


def stored_status(database: Path, order_id: str) -> str | None:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        row = connection.execute(
            "SELECT status_raw FROM orders WHERE panel_order_id = ?", (order_id,)
        ).fetchone()
    return row[0] if row else None


def test_key_order_confirm_without_leaking_the_key(
    tmp_path: Path, telegram: FakeTelegram, panel: FakePanel
) -> None:
    panel.add_key(PANEL_KEY, balance="10")
    with bot_process(
        tmp_path, tmp_path / "bot.log", **variables(tmp_path, telegram, panel)
    ) as bot:
        place_order(bot, telegram)
        assert bot.stop() == 0
        log = bot.log()
    [order] = panel.orders.values()
    assert order.fields == {
        "service": str(SERVICE_IDS["Default"]),
        "link": "https://instagram.com/someone",
        "quantity": "2500",
    }
    assert panel.balance_of(PANEL_KEY) == Decimal("7.75")  # 10 − 2500 × 0.90 / 1000
    assert PANEL_KEY not in log
    assert TOKEN_SECRET not in log
    assert PANEL_KEY not in telegram.all_text()
    for path in (tmp_path / "data").iterdir():
        assert PANEL_KEY.encode() not in path.read_bytes(), path.name


def test_change_found_before_kill_9_is_announced_once_after_restart(
    tmp_path: Path, telegram: FakeTelegram, panel: FakePanel
) -> None:
    panel.add_key(PANEL_KEY, balance="10")
    settings = variables(tmp_path, telegram, panel)
    database = tmp_path / "data" / "bot.db"
    with bot_process(tmp_path, tmp_path / "first.log", **settings) as bot:
        place_order(bot, telegram)
        [order_id] = panel.orders
        # Telegram fails every send from now on, so the change is stored but not announced.
        telegram.fail_method("sendMessage", times=1_000_000, code=500, description="Internal")
        panel.set_order(order_id, status="In progress", remains=1000, start_count=10)
        bot.wait_for(
            telegram, lambda: stored_status(database, order_id) == "In progress", "stored"
        )
        bot.process.kill()  # SIGKILL: no shutdown code runs
        bot.process.wait()
    telegram.clear_failures("sendMessage")

    def pushes() -> list[str]:
        return [m.text for m in telegram.messages(USER) if f"Order {order_id}</b>" in m.text]

    with bot_process(tmp_path, tmp_path / "second.log", **settings) as bot:
        [push] = bot.wait_for(telegram, pushes, "the push after the restart")
        assert "Pending → 🔄 <b>In progress</b>" in push
        assert "60%" in push  # 1500 of 2500 delivered
        polls = panel.count("status")
        bot.wait_for(telegram, lambda: panel.count("status") >= polls + 2, "two more cycles")
        assert len(pushes()) == 1
        assert bot.stop() == 0
