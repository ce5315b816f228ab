"""Connecting a key, /balance and /start, against both stand-ins over real HTTP."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from bot.secrets import contains_api_key
from tests.conftest import OTHER_KEY, USER, USER_KEY
from tests.customer import Customer
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import FakeTelegram


@pytest.fixture
def customer(app: Any, telegram: FakeTelegram) -> Customer:
    return Customer(telegram)


async def test_start_without_key_leads_into_connecting_one(
    customer: Customer, telegram: FakeTelegram
) -> None:
    await customer.say("/start", "Hi, User1001")
    await telegram.wait_for_message(USER, "API key")
    message_id, done = await customer.send(USER_KEY, "connected")
    assert "••••" + USER_KEY[-4:] in done.text
    assert "100.00 USD" in done.text
    assert (USER, message_id) in telegram.deleted
    assert USER_KEY not in telegram.all_text()


async def test_start_with_payload_and_key_shows_menu(customer: Customer) -> None:
    await customer.connect()
    menu = await customer.say("/start invite-abc123", "What would you like to do")
    assert any("New order" in label for label in customer.labels(menu))


async def test_wrong_key_is_rejected_and_not_stored(
    customer: Customer, telegram: FakeTelegram
) -> None:
    await customer.say("/key", "Send me your panel")
    message_id, answer = await customer.send("0123456789abcdef0123456789abcdef", "did not accept")
    assert "it says the key is wrong" in answer.text
    assert (USER, message_id) in telegram.deleted
    await customer.say("/balance", "Connect your panel API key first")


async def test_key_replaced_and_disconnected(customer: Customer) -> None:
    await customer.connect()
    await customer.connect(OTHER_KEY)
    balance = await customer.say("/balance", "Balance")
    assert "50.00 USD" in balance.text
    await customer.say("/key", "Connected now")
    await customer.tap("Disconnect", "Delete your API key")
    await customer.tap("Yes, delete it", "deleted from the bot")
    await customer.say("/balance", "first")


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
    customer: Customer, settings: Any
) -> None:
    await customer.connect()
    for path in Path(settings.data_dir).iterdir():  # the db and its WAL file
        assert USER_KEY.encode() not in path.read_bytes(), path.name


async def test_panel_down_while_checking_key(customer: Customer, panel: FakePanel) -> None:
    panel.fault = "html502"
    await customer.say("/key", "Send me your panel")
    await customer.say(USER_KEY, "not answering")
    panel.fault = None
    await customer.say(USER_KEY, "connected")


async def test_key_sent_in_the_middle_of_an_order_is_taken_as_the_key(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    await customer.connect()
    await customer.say("/order", "Choose a category")
    await customer.tap("API key", "Send me your panel")  # on the older "connected" message
    message_id, _ = await customer.send(OTHER_KEY, "connected")
    assert (USER, message_id) in telegram.deleted
    assert OTHER_KEY not in telegram.all_text()
    assert panel.count("add") == 0


async def test_a_command_ends_the_wait_for_a_key(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    await customer.connect()
    await customer.say("/key", "Connected now")
    await customer.say("/cancel", "no key was changed")
    assert panel.count("balance") == 1  # only the first connection checked a key
    message_id, _ = await customer.send("just some text", "Nothing matches “just some text”")
    assert (USER, message_id) not in telegram.deleted


async def test_a_key_pasted_while_ordering_is_deleted_not_echoed(
    customer: Customer, telegram: FakeTelegram
) -> None:
    await customer.connect()
    await customer.say("/order", "Choose a category")
    message_id, _ = await customer.send(OTHER_KEY, "looked like an API key")  # by mistake
    assert (USER, message_id) in telegram.deleted
    assert OTHER_KEY not in telegram.all_text()


async def test_an_edited_message_is_not_taken_as_an_answer(
    customer: Customer, telegram: FakeTelegram
) -> None:
    await customer.connect()
    await customer.say("/order", "Choose a category")
    typed, _ = await customer.send("Poll", "service matches")
    mark = telegram.mark()
    telegram.edit_text(USER, typed, "Followers")
    await telegram.wait_for_message(USER, "edited messages", after=mark)
    assert not any("Followers" in m.text and "match" in m.text for m in telegram.messages(USER))


# --- a key is never shown back ------------------------------------------------------------------

LARAVEL_KEY = "uX3kP9qL2mZ8vB4nR7tW1yC6dF0gH5jK8sA2eQ4i"  # 40 mixed-case letters and digits
SHA1_KEY = "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"


@pytest.mark.parametrize("command", ["/status", "/refill"])
async def test_a_key_after_a_command_is_deleted_never_echoed(
    customer: Customer,
    telegram: FakeTelegram,
    panel: FakePanel,
    caplog: pytest.LogCaptureFixture,
    command: str,
) -> None:
    caplog.set_level(logging.INFO)
    await customer.connect()
    message_id, _ = await customer.send(f"{command} {LARAVEL_KEY}", "looked like an API key")
    assert (USER, message_id) in telegram.deleted
    assert LARAVEL_KEY not in telegram.all_text()
    assert LARAVEL_KEY not in caplog.text
    assert panel.count("status") == 0
    assert panel.count("refill") == 0


async def test_a_key_typed_as_a_search_is_deleted_and_the_flow_goes_on(
    customer: Customer, telegram: FakeTelegram
) -> None:
    await customer.connect()
    await customer.say("/order", "Choose a category")
    message_id, _ = await customer.send(SHA1_KEY, "looked like an API key")
    assert (USER, message_id) in telegram.deleted
    assert SHA1_KEY not in telegram.all_text()
    await customer.say("Followers", "match")  # still browsing: the search works as before


async def test_the_users_own_key_is_recognised_whatever_its_shape(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    own_key = "myPanelKey.2024"  # no key shape at all, but it is this user's key
    assert not contains_api_key(own_key)
    panel.add_key(own_key, balance="10")
    await customer.connect(own_key)
    message_id, _ = await customer.send(f"/status {own_key}", "looked like an API key")
    assert (USER, message_id) in telegram.deleted
    await customer.say("/order", "Choose a category")
    message_id, _ = await customer.send(f"is it {own_key}?", "looked like an API key")
    assert (USER, message_id) in telegram.deleted
    assert own_key not in telegram.all_text()
    message_id, _ = await customer.send("myPanelKey.2025", "match")  # not the key: a search
    assert (USER, message_id) not in telegram.deleted


async def test_a_key_put_into_an_edited_message_is_deleted(
    customer: Customer, telegram: FakeTelegram
) -> None:
    await customer.connect()
    typed, _ = await customer.send("hello", "Nothing matches “hello”")  # a search
    mark = telegram.mark()
    telegram.edit_text(USER, typed, f"oops {LARAVEL_KEY}")
    await telegram.wait_for_message(USER, "looked like an API key", after=mark)
    assert (USER, typed) in telegram.deleted


async def test_in_a_group_where_the_bot_cannot_delete_it_says_so(
    app: Any, telegram: FakeTelegram
) -> None:
    group = -100600
    telegram.fail_method("deleteMessage", description="Bad Request: message can't be deleted")
    message_id = telegram.send_text(USER, LARAVEL_KEY, chat_id=group, chat_type="supergroup")
    warning = await telegram.wait_for_message(group, "could not delete")
    assert "change the key on the panel" in warning.text
    assert "deleted it" not in warning.text
    assert (group, message_id) not in telegram.deleted
    assert LARAVEL_KEY not in telegram.all_text()


async def test_in_a_private_chat_a_key_that_cannot_be_deleted_is_not_claimed_deleted(
    customer: Customer, telegram: FakeTelegram
) -> None:
    await customer.connect()
    telegram.fail_method("deleteMessage", description="Bad Request: message can't be deleted")
    await customer.say(f"/status {SHA1_KEY}", "Delete it yourself")
    assert not any("deleted it from the chat" in m.text for m in telegram.messages(USER))
