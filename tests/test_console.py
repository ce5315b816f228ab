"""The console's door: only ADMIN_IDS get in; anyone else learns nothing of it."""

from __future__ import annotations

from typing import Any

from bot import callback, texts
from bot.context import app_services
from tests.conftest import OPERATOR, USER
from tests.console import operator
from tests.customer import Customer
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import FakeTelegram


async def test_an_operator_opens_the_console_with_admin(
    console_app: Any, telegram: FakeTelegram
) -> None:
    home = await operator(telegram).say("/admin", "Operator console")
    labels = [label for row in home.buttons for label, _ in row]
    assert any("Stats" in label for label in labels)
    assert any("Broadcast" in label for label in labels)


async def test_a_customer_sending_admin_gets_the_unknown_command_reply(
    console_app: Any, telegram: FakeTelegram
) -> None:
    answer = await Customer(telegram).say("/admin")
    assert answer.text == texts.common.unknown_command()
    assert "console" not in telegram.all_text().lower()


async def test_a_console_button_forged_by_a_customer_reveals_nothing(
    console_app: Any, telegram: FakeTelegram
) -> None:
    customer = Customer(telegram, USER)
    menu = await customer.say("/help")
    before = len(telegram.messages(USER))
    for data in (callback.CONSOLE_HOME.data(), callback.CONSOLE_STATS.data()):
        answer = await customer.press(menu, data)
        assert answer.get("text") == texts.common.expired()
    assert not any("console" in m.text.lower() for m in telegram.messages(USER)[before:])
    assert telegram.messages(OPERATOR) == []


async def test_a_console_prompt_takes_the_answer_even_after_an_open_key_prompt(
    console_app: Any, telegram: FakeTelegram
) -> None:
    """/key left waiting, then a console prompt: the typed contact answers the console."""
    ann = operator(telegram)
    await ann.say("/admin", "Operator console")
    await ann.say("/key", "Send me your panel")
    await ann.tap("⚙️ Settings", "Settings</b>")  # on the console's message further up
    await ann.tap("💬 Support", "Support contact")
    await ann.say("@help_desk", "Saved")
    console = app_services(console_app).console
    console.forget()
    assert (await console.current()).support_contact == "@help_desk"
    assert (await app_services(console_app).repository.get_api_key(OPERATOR)) is None


async def test_a_button_outside_the_console_leaves_its_prompt(
    console_app: Any, panel: FakePanel, telegram: FakeTelegram
) -> None:
    """The operator leaves a prompt for the main menu: the next text is not the prompt's."""
    ann = operator(telegram)
    await ann.connect()
    await ann.say("/start", "What would you like to do")  # the main menu, further up
    await ann.say("/admin", "Operator console")
    await ann.tap("⚙️ Settings", "Settings</b>")
    await ann.tap("💬 Support", "Support contact")
    await ann.tap("New order", "Choose a category")
    answer = await ann.say("followers")
    assert "services match" in answer.text  # the catalogue searched, not the prompt answered
    console = app_services(console_app).console
    console.forget()
    assert (await console.current()).support_contact is None
