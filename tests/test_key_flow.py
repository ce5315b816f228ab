"""Connecting a key, /balance and /start, against both stand-ins over real HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import OTHER_KEY, USER, USER_KEY
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import FakeTelegram


async def connect_key(telegram: FakeTelegram, user: int = USER, key: str = USER_KEY) -> None:
    telegram.send_text(user, "/key")
    await telegram.wait_for_message(user, "Send me your panel")
    mark = telegram.mark()
    telegram.send_text(user, key)
    await telegram.wait_for_message(user, "connected", after=mark)


async def test_start_without_key_leads_into_connecting_one(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    telegram.send_text(USER, "/start")
    await telegram.wait_for_message(USER, "Hi, User1001")
    await telegram.wait_for_message(USER, "API key")
    message_id = telegram.send_text(USER, USER_KEY)
    done = await telegram.wait_for_message(USER, "connected")
    assert "••••" + USER_KEY[-4:] in done.text
    assert "100.00 USD" in done.text
    assert (USER, message_id) in telegram.deleted
    assert USER_KEY not in telegram.all_text()


async def test_start_with_payload_and_key_shows_menu(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    await connect_key(telegram)
    mark = telegram.mark()
    telegram.send_text(USER, "/start invite-abc123")
    menu = await telegram.wait_for_message(USER, "What would you like to do", after=mark)
    labels = [label for row in menu.buttons for label, _ in row]
    assert any("New order" in label for label in labels)


async def test_wrong_key_is_rejected_and_not_stored(
    app: Any, telegram: FakeTelegram, panel: FakePanel, settings: Any
) -> None:
    telegram.send_text(USER, "/key")
    await telegram.wait_for_message(USER, "Send me your panel")
    wrong = "0123456789abcdef0123456789abcdef"
    message_id = telegram.send_text(USER, wrong)
    answer = await telegram.wait_for_message(USER, "did not accept")
    assert "Invalid API key" in answer.text
    assert (USER, message_id) in telegram.deleted
    mark = telegram.mark()
    telegram.send_text(USER, "/balance")
    await telegram.wait_for_message(USER, "Connect your panel API key first", after=mark)


async def test_key_replaced_and_disconnected(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    await connect_key(telegram)
    await connect_key(telegram, key=OTHER_KEY)
    mark = telegram.mark()
    telegram.send_text(USER, "/balance")
    balance = await telegram.wait_for_message(USER, "Balance", after=mark)
    assert "50.00 USD" in balance.text
    telegram.send_text(USER, "/key")
    await telegram.wait_for_message(USER, "Connected now")
    telegram.press_button(USER, "Disconnect")
    await telegram.wait_for_message(USER, "deleted from the bot")
    mark = telegram.mark()
    telegram.send_text(USER, "/balance")
    await telegram.wait_for_message(USER, "first", after=mark)


async def test_key_is_refused_in_groups_and_never_stored(
    app: Any, telegram: FakeTelegram, panel: FakePanel, settings: Any
) -> None:
    group = -100500
    telegram.send_text(USER, "/key", chat_id=group, chat_type="supergroup")
    await telegram.wait_for_message(group, "private chat")
    message_id = telegram.send_text(USER, USER_KEY, chat_id=group, chat_type="supergroup")
    await telegram.wait_for_message(group, "did not store it")
    assert (group, message_id) in telegram.deleted
    telegram.send_text(USER, "/order", chat_id=group, chat_type="supergroup")
    guard = await telegram.wait_for_message(group, "private chat only")
    assert "@test_smm_bot" in guard.text
    assert panel.count("balance") == 0
    assert panel.count("services") == 0
    database = Path(settings.data_dir) / "bot.db"
    assert USER_KEY.encode() not in database.read_bytes()


async def test_database_never_holds_the_key_in_plaintext(
    app: Any, telegram: FakeTelegram, panel: FakePanel, settings: Any
) -> None:
    await connect_key(telegram)
    data_dir = Path(settings.data_dir)
    for path in data_dir.iterdir():  # the db and its WAL file
        assert USER_KEY.encode() not in path.read_bytes(), path.name


async def test_panel_down_while_checking_key(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    panel.fault = "html502"
    telegram.send_text(USER, "/key")
    await telegram.wait_for_message(USER, "Send me your panel")
    telegram.send_text(USER, USER_KEY)
    await telegram.wait_for_message(USER, "not answering")
    panel.fault = None
    mark = telegram.mark()
    telegram.send_text(USER, USER_KEY)
    await telegram.wait_for_message(USER, "connected", after=mark)


async def test_key_sent_in_the_middle_of_an_order_is_taken_as_the_key(
    app: Any, telegram: FakeTelegram, panel: FakePanel, settings: Any
) -> None:
    await connect_key(telegram)
    mark = telegram.mark()
    telegram.send_text(USER, "/order")
    await telegram.wait_for_message(USER, "Choose a category", after=mark)
    mark = telegram.mark()
    telegram.press_button(USER, "API key")  # on the older "connected" message's menu
    await telegram.wait_for_message(USER, "Send me your panel", after=mark)
    mark = telegram.mark()
    message_id = telegram.send_text(USER, OTHER_KEY)
    await telegram.wait_for_message(USER, "connected", after=mark)
    assert (USER, message_id) in telegram.deleted
    assert OTHER_KEY not in telegram.all_text()
    assert panel.count("add") == 0


async def test_a_command_ends_the_wait_for_a_key(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    await connect_key(telegram)
    telegram.send_text(USER, "/key")
    await telegram.wait_for_message(USER, "Connected now")
    mark = telegram.mark()
    telegram.send_text(USER, "/cancel")
    await telegram.wait_for_message(USER, "no key was changed", after=mark)
    mark = telegram.mark()
    message_id = telegram.send_text(USER, "just some text")
    await telegram.wait_for_message(USER, "didn't understand", after=mark)
    assert (USER, message_id) not in telegram.deleted
    assert panel.count("balance") == 1  # only the first connection checked a key


async def test_a_key_pasted_while_ordering_is_deleted_not_echoed(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    await connect_key(telegram)
    mark = telegram.mark()
    telegram.send_text(USER, "/order")
    await telegram.wait_for_message(USER, "Choose a category", after=mark)
    mark = telegram.mark()
    message_id = telegram.send_text(USER, OTHER_KEY)  # pasted into the search by mistake
    await telegram.wait_for_message(USER, "looked like an API key", after=mark)
    assert (USER, message_id) in telegram.deleted
    assert OTHER_KEY not in telegram.all_text()


async def test_an_edited_message_is_not_taken_as_an_answer(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    await connect_key(telegram)
    mark = telegram.mark()
    telegram.send_text(USER, "/order")
    await telegram.wait_for_message(USER, "Choose a category", after=mark)
    mark = telegram.mark()
    typed = telegram.send_text(USER, "Poll")
    await telegram.wait_for_message(USER, "services match", after=mark)
    mark = telegram.mark()
    telegram.edit_text(USER, typed, "Followers")
    await telegram.wait_for_message(USER, "edited messages", after=mark)
    assert not any("Followers" in m.text and "match" in m.text for m in telegram.messages(USER))
