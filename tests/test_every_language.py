"""A customer of each language walks /start → key → order → receipt → status push, over real
HTTP, and reads every message in their language: each screen is the catalogue's text (never
the English fallback, which would log a warning), in the language's own script."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from bot import i18n, texts
from bot.context import app_services
from bot.i18n import LANGUAGES, SOURCE_LANGUAGE, _, reading_as
from bot.notifier import JOB_NAME, notifier_of
from bot.panel import Balance
from storage.models import Placement
from tests.conftest import USER, USER_KEY
from tests.customer import Customer
from tests.fakes.panel import SERVICE_IDS, FakePanel
from tests.fakes.telegram import FakeTelegram

DEFAULT = SERVICE_IDS["Default"]
# What a user's Telegram app sends as language_code for each of our languages.
TELEGRAM_CODES = {code: code.replace("_", "-").lower() for code in LANGUAGES}
# Letters a text in the language is written in (Latin-script languages: checked by
# difference from the English instead).
SCRIPTS = {"ru": r"[а-яА-Я]", "ar": r"[\u0600-\u06ff]", "hi": r"[\u0900-\u097f]"}


def in_language(language: str, build: Callable[..., str], *args: Any, **kwargs: Any) -> str:
    with reading_as(language):
        return build(*args, **kwargs)


def plain(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


async def recorded_as_placed(app: Any, order_id: str, timeout: float = 30.0) -> None:
    """The receipt is told before the order is recorded (bot.services.placement: what may
    have reached the panel is announced first); a status poll sees the order once it is."""
    repository = app_services(app).repository
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        order = await repository.find_order(USER, order_id)
        if order is not None and order.placement == Placement.PLACED:
            return
        assert loop.time() < deadline, f"order {order_id} not recorded as placed"
        await asyncio.sleep(0.01)


@pytest.fixture(autouse=True)
def fresh_catalogues(monkeypatch: pytest.MonkeyPatch) -> None:
    """Compiled anew, so a missing translation warns here even if another test in this
    process already met it (one warning per message and process)."""
    monkeypatch.setattr(i18n, "_catalogues", {})


@pytest.mark.parametrize("language", list(LANGUAGES))
async def test_start_order_receipt_and_push_in_the_customers_language(
    app: Any,
    telegram: FakeTelegram,
    panel: FakePanel,
    language: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Only the test's own poll cycle (below) may find the status change: the scheduled one
    # (first run 10 s after start) would otherwise race it.
    assert app.job_queue is not None
    for job in app.job_queue.get_jobs_by_name(JOB_NAME):
        job.schedule_removal()
    telegram.set_language(USER, TELEGRAM_CODES[language])
    customer = Customer(telegram)

    def read(build: Callable[..., str], *args: Any, **kwargs: Any) -> str:
        return in_language(language, build, *args, **kwargs)

    def question(field: str) -> str:
        return read(lambda: _(texts.order.FIELD_PROMPTS[field]))

    with caplog.at_level(logging.WARNING, logger="bot.i18n"):
        prompt = read(texts.key.key_prompt, None)
        await customer.say("/start", prompt)
        welcome = read(texts.common.welcome, f"User{USER}", False)
        assert welcome in [message.text for message in telegram.messages(USER)]

        connected = read(texts.key.key_connected, "MASK", Balance(Decimal("100"), "USD"))
        await customer.say(USER_KEY, connected.split("MASK")[-1].strip()[:30])

        await customer.say("/order", read(texts.catalogue.categories_title, 0, 1)[:12])
        await customer.say(str(DEFAULT), question("link"))
        await customer.say("https://instagram.com/someone", question("quantity"))
        await customer.say("2500", question("dripfeed"))
        price = read(texts.formatting.money, Decimal("2.25"), "USD")
        summary = await customer.tap(read(texts.order.choice_label, "dripfeed", "no"), price)
        assert read(texts.order.button_confirm) in customer.labels(summary)

        service_name = next(s["name"] for s in panel.services if s["service"] == DEFAULT)

        def receipt_of(order_id: str, language: str = language) -> str:
            return in_language(
                language,
                texts.order.placed,
                order_id,
                service_name,
                price_paid,
                "USD",
                per_post=False,
            )

        price_paid = Decimal("2.25")
        opening = receipt_of("\x00").split("\x00")[0]
        receipt = await customer.tap(read(texts.order.button_confirm), opening)
        [order_id] = panel.orders
        assert receipt.text == receipt_of(order_id)

        await recorded_as_placed(app, order_id)
        panel.complete(order_id)
        mark = telegram.mark()
        # The cycle returns once its pushes are sent: the message is there (the generous
        # timeout only spares a loaded machine a false failure).
        assert await notifier_of(app).run_cycle(app)
        completed = read(texts.orders.status_word, "completed", "Completed")
        push = await telegram.wait_for_message(USER, f"<b>{completed}</b>", after=mark, timeout=30)
        assert order_id in push.text

    untranslated = [r.getMessage() for r in caplog.records if "translation" in r.getMessage()]
    assert untranslated == []
    shown = [plain(message.text) for message in telegram.messages(USER)]
    if language != SOURCE_LANGUAGE:
        english = in_language(SOURCE_LANGUAGE, texts.key.key_prompt, None)
        assert prompt != english
        assert receipt.text != receipt_of(order_id, SOURCE_LANGUAGE)
    if language in SCRIPTS:
        assert all(re.search(SCRIPTS[language], text) for text in shown), shown
