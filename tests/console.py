"""What console tests share: an operator driving the console through the stand-in Bot API
(the `console_settings` / `console_app` fixtures are in conftest)."""

from __future__ import annotations

from tests.conftest import OPERATOR
from tests.customer import Customer
from tests.fakes.telegram import FakeTelegram


def operator(telegram: FakeTelegram, user_id: int = OPERATOR) -> Customer:
    """An operator is a person on a phone too: the same helper, another id."""
    return Customer(telegram, user_id)
