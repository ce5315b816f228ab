"""The reader's language and time zone, over real HTTP: first contact, /language, /settings,
the command menu per language, pushes in the recipient's language, the key wait."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot import time_zones
from bot.context import app_services
from bot.i18n import LANGUAGES
from bot.notifier import notifier_of
from storage.repository import ReaderSettings
from tests.conftest import USER, USER_KEY
from tests.customer import Customer
from tests.fakes.panel import SERVICE_IDS, FakePanel
from tests.fakes.telegram import BotMessage, FakeTelegram
from tests.orders import placed_order

DEFAULT = SERVICE_IDS["Default"]


@pytest.fixture
def customer(app: Any, telegram: FakeTelegram) -> Customer:
    return Customer(telegram)


async def stored_reader(app: Any, user: int = USER) -> ReaderSettings | None:
    return await app_services(app).repository.reader_settings(user)


async def open_card(telegram: FakeTelegram, on: BotMessage, row: int) -> BotMessage:
    mark = telegram.mark()
    telegram.press(USER, on.message_id, f"c:open:{row}")
    return await telegram.wait_for_message(USER, "Placed:", after=mark)


# --- first contact ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("telegram_code", "stored"),
    [("ru", "ru"), ("pt-br", "pt_BR"), ("pt", "pt_BR"), ("xx-garbage", "en"), (None, "en")],
)
async def test_first_contact_stores_the_language_of_the_telegram_app(
    app: Any, telegram: FakeTelegram, telegram_code: str | None, stored: str
) -> None:
    telegram.set_language(USER, telegram_code)
    await Customer(telegram).say("/start", "User1001")
    assert await stored_reader(app) == ReaderSettings(stored, None)


async def test_a_stored_choice_outlives_the_telegram_app_language(
    app: Any, telegram: FakeTelegram
) -> None:
    telegram.set_language(USER, "es")
    customer = Customer(telegram)
    await customer.say("/language", "Elige tu idioma")
    await customer.tap("Русский", "Русский")
    telegram.set_language(USER, "tr")
    menu = await customer.say("/language", "Выберите язык")
    assert "✅ Русский" in customer.labels(menu)
    assert await stored_reader(app) == ReaderSettings("ru", None)


# --- /language ---------------------------------------------------------------------------------


async def test_language_menu_switches_and_persists(app: Any, customer: Customer) -> None:
    await customer.connect()
    menu = await customer.say("/language", "Choose your language")
    labels = customer.labels(menu)
    assert "✅ English" in labels
    assert all(any(name in label for label in labels) for name in LANGUAGES.values())

    chosen = await customer.tap("Русский", "Русский")
    assert chosen.message_id == menu.message_id  # answered in place, at once
    assert "✅ Русский" in customer.labels(chosen)
    assert "English" in customer.labels(chosen)  # no longer marked
    assert await stored_reader(app) == ReaderSettings("ru", None)

    # A later message reads the stored language: a Russian reader's decimal comma.
    balance = await customer.say("/balance", "100")
    assert "100,00 USD" in balance.text


async def test_removed_language_button_means_english(app: Any, customer: Customer) -> None:
    await customer.say("/language", "Choose your language")
    await customer.tap("Türkçe", "Türkçe")
    menu = customer.last()
    answer = await customer.press(menu, "s:lang:xx")  # a language no longer offered
    assert "English" in str(answer.get("text"))
    assert await stored_reader(app) == ReaderSettings("en", None)
    assert "✅ English" in customer.labels(customer.last())


async def test_forged_language_button_is_stale(app: Any, customer: Customer) -> None:
    menu = await customer.say("/language", "Choose your language")
    answer = await customer.press(menu, "s:lang:../../etc")
    assert "expired" in str(answer.get("text"))
    answer = await customer.press(menu, "s:tz:Mars/Olympus_Mons")
    assert "expired" in str(answer.get("text"))
    assert await stored_reader(app) == ReaderSettings("en", None)


async def test_language_mid_order_keeps_the_order_open(customer: Customer) -> None:
    await customer.connect()
    await customer.open_service(DEFAULT, "link")
    await customer.say("/language", "Choose your language")
    await customer.tap("Español", "Español")
    # The order's question still takes the answer.
    await customer.say("https://instagram.com/p/abc", "cantidad")


# --- time zone ---------------------------------------------------------------------------------


async def test_time_zone_from_the_list_shows_dates_in_it(
    app: Any, customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    await customer.connect()
    row, _ = await placed_order(app, panel, link="https://instagram.com/p/language")
    screen = await customer.say("/settings", "Settings")
    assert "Time zone: UTC" in screen.plain
    card = await open_card(telegram, screen, row)
    assert "UTC+3" not in card.text

    await customer.say("/settings", "Settings")
    await customer.tap("Time zone", "Your time zone is")
    chosen = await customer.tap("Moscow", "Time zone:")
    assert "Moscow (UTC+3)" in chosen.text
    assert await stored_reader(app) == ReaderSettings("en", "Europe/Moscow")

    card = await open_card(telegram, chosen, row)
    placed = card.plain.split("Placed:")[1].splitlines()[0]
    assert placed.strip().endswith("UTC+3")
    order = await app_services(app).repository.get_order(row, USER)
    assert order is not None
    assert order.placed_at is not None
    moment = order.placed_at.replace(tzinfo=order.placed_at.tzinfo or UTC)
    assert moment.astimezone(ZoneInfo("Europe/Moscow")).strftime("%-I:%M") in placed


async def test_time_zone_typed_bad_then_good_and_cancel(app: Any, customer: Customer) -> None:
    await customer.say("/settings", "Settings")
    await customer.tap("Time zone", "Your time zone is")
    bad = await customer.say("Mars/Olympus", "don't know the time zone")
    assert "Mars/Olympus" in bad.plain
    assert await stored_reader(app) == ReaderSettings("en", None)
    done = await customer.say("asia/tashkent", "Time zone:")
    assert "Tashkent (UTC+5)" in done.text
    assert await stored_reader(app) == ReaderSettings("en", "Asia/Tashkent")
    # The wait is over: a later text is not a time zone (a search: a key is needed for it).
    await customer.say("+3", "Connect your panel API key first")

    await customer.tap("Time zone", "Your time zone is")
    offset = await customer.say("UTC+5:30", "Time zone:")
    assert "UTC+5:30" in offset.text
    await customer.tap("Time zone", "Your time zone is")
    await customer.say("/cancel", "stays")
    await customer.say("-03:00", "Connect your panel API key first")
    assert await stored_reader(app) == ReaderSettings("en", "Asia/Kolkata")


async def test_back_to_utc_clears_the_zone(app: Any, customer: Customer) -> None:
    await customer.say("/settings", "Settings")
    await customer.tap("Time zone", "Your time zone is")
    await customer.say("-3", "UTC−3")
    assert await stored_reader(app) == ReaderSettings("en", "Etc/GMT+3")
    await customer.tap("Time zone", "Your time zone is")
    await customer.tap("UTC", "Time zone: <b>UTC</b>")
    assert await stored_reader(app) == ReaderSettings("en", None)


# --- command menu, pushes, the key wait -------------------------------------------------------


async def test_command_menu_registered_per_language(app: Any, telegram: FakeTelegram) -> None:
    calls = telegram.calls_of("setMyCommands")
    codes = sorted(str(call.get("language_code", "")) for call in calls)
    assert codes == sorted(["", "ru", "es", "pt", "tr", "id", "ar", "hi"])
    for call in calls:
        commands = {command["command"] for command in call["commands"]}
        assert {"start", "order", "language", "settings", "cancel"} <= commands


async def test_push_in_the_recipients_language(
    app: Any, customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    await customer.connect()  # the Telegram app in English; Russian chosen in the bot
    await customer.say("/language", "Choose your language")
    await customer.tap("Русский", "Русский")
    _, panel_order_id = await placed_order(app, panel, link="https://instagram.com/p/language")
    panel.set_order(panel_order_id, status="In progress", remains=60, charge="1.5")
    assert await notifier_of(app).run_cycle(app)
    push = await telegram.wait_for_message(USER, "1,50 USD")
    assert "Выполняется" in push.text
    assert panel_order_id in push.text


async def test_words_typed_while_a_key_is_awaited_are_not_a_key(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    await customer.say("/key", "Send me your panel")
    for words in ("привет", "hola amigo", "Merhaba, nasılsın?", "obrigado", "Terimakasih"):
        message_id, _answer = await customer.send(words, "doesn't look like an API key")
        assert (USER, message_id) not in telegram.deleted
    assert panel.count("balance") == 0
    # Still waiting: the key is taken and deleted.
    message_id, _ = await customer.send(USER_KEY, "connected")
    assert (USER, message_id) in telegram.deleted


async def test_key_glued_to_words_while_awaited_is_deleted(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    await customer.say("/key", "Send me your panel")
    message_id, _ = await customer.send(f"my key {USER_KEY}", "doesn't look like an API key")
    assert (USER, message_id) in telegram.deleted
    assert USER_KEY not in telegram.all_text()


# --- pure: typed time zones ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("+3", "Etc/GMT-3"),  # Etc/GMT signs are inverted
        ("UTC+5", "Etc/GMT-5"),
        ("-03:00", "Etc/GMT+3"),
        ("GMT−3", "Etc/GMT+3"),
        ("UTC+5:30", "Asia/Kolkata"),
        ("+0545", "Asia/Kathmandu"),
        ("utc", "UTC"),
        ("+0", "UTC"),
        ("Asia/Tashkent", "Asia/Tashkent"),
        ("america/new york", "America/New_York"),
        ("Tashkent", "Asia/Tashkent"),
        ("+15", None),
        ("+5:20", None),
        ("hola", None),
        ("", None),
    ],
)
def test_typed_time_zones(typed: str, zone: str | None) -> None:
    assert time_zones.parse_time_zone(typed) == zone


def test_fractional_offsets_hold_all_year() -> None:
    for minutes in (330, 345, 270, -570):
        sign = "+" if minutes > 0 else "-"
        hours, rest = divmod(abs(minutes), 60)
        zone = time_zones.parse_time_zone(f"{sign}{hours}:{rest:02d}")
        assert zone is not None
        for month in (1, 7):
            offset = datetime(2026, month, 1, tzinfo=ZoneInfo(zone)).utcoffset()
            assert offset is not None
            assert offset.total_seconds() == minutes * 60


def test_common_zones_are_known_and_named() -> None:
    for zone in time_zones.COMMON_ZONES:
        assert time_zones.parse_time_zone(zone) == zone


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Istanbul", "Istanbul"),  # two tz names keep the same time: either will do
        ("İstanbul", "Istanbul"),  # Turkish capital İ
        ("Москва", "Europe/Moscow"),  # a common zone's city in an offered language
        ("sao paulo", "America/Sao_Paulo"),  # without the accent
    ],
)
def test_a_city_is_found_as_its_people_write_it(typed: str, zone: str) -> None:
    found = time_zones.parse_time_zone(typed)
    assert found is not None
    assert found.endswith(zone)
