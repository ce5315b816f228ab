"""What console tests share: an operator driving the console through the stand-in Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from bot.config import Settings
from tests.conftest import make_settings, running
from tests.customer import Customer
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import FakeTelegram

OPERATOR = 7001
SECOND_OPERATOR = 7002


@pytest.fixture
def console_settings(
    tmp_path: Path, panel: FakePanel, telegram: FakeTelegram, fernet_key: str
) -> Settings:
    return make_settings(
        tmp_path, panel, telegram, fernet_key, admin_ids=[OPERATOR, SECOND_OPERATOR]
    )


@pytest.fixture
async def console_app(
    console_settings: Settings,
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    async with running(console_settings) as application:
        yield application


def operator(telegram: FakeTelegram, user_id: int = OPERATOR) -> Customer:
    """An operator is a person on a phone too: the same helper, another id."""
    return Customer(telegram, user_id)
