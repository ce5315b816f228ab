"""The console's door: only ADMIN_IDS get in; anyone else learns nothing of it."""

from __future__ import annotations

from typing import Any

from bot import callback, texts
from tests.conftest import OPERATOR, USER
from tests.console import operator
from tests.customer import Customer
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
