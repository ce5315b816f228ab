"""What customers see of the operators' settings (issue 10, "Customers then see: …"), over real
HTTP against the stand-ins: the welcome on /start, /help's addition and support contact, the
support line under money and order errors, the "💳 Top up" button, hidden categories and
services, display names, the default language and time zone. Settings are saved the way the
console saves them (the console service), its screens being tested elsewhere."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from bot import callback, texts
from bot.context import app_services
from bot.i18n import reading_as
from bot.services import console
from tests.conftest import OPERATOR, OTHER_USER, USER, USER_KEY
from tests.customer import Customer
from tests.fakes.panel import SERVICE_IDS, FakePanel
from tests.fakes.telegram import BotMessage, FakeTelegram

THIRD_USER = 3003
LINK_Q = "Send the <b>link</b>"
SUMMARY = "Check your order"
SUPPORT = "@acme_help"
SUPPORT_LINE = "💬 Need help? Write to @acme_help."
TOP_UP = "💳 Top up"
PLAIN = 102  # "Instagram Followers [Server 1]": link and quantity, no drip-feed question
NO_REFILL = 101  # "Instagram Followers [No Refill]"
POLL = SERVICE_IDS["Poll"]  # in the "Telegram" category


async def setting(app: Any, name: str, value: Any) -> None:
    await app_services(app).console.save(OPERATOR, name, value)


def link_of(message: BotMessage, label: str) -> str | None:
    """The URL (or callback data) of the message's button whose label contains `label`."""
    return next((data for row in message.buttons for text, data in row if label in text), None)


def default_top_up(panel: FakePanel) -> str:
    """PANEL_WEB_URL is unset in the tests: the panel API's origin, then /addfunds."""
    parts = urlsplit(panel.url)
    return f"{parts.scheme}://{parts.netloc}/addfunds"


async def reach_summary(customer: Customer, service_id: int = PLAIN) -> BotMessage:
    await customer.open_service(service_id, LINK_Q)
    await customer.say("https://instagram.com/someone", "quantity")
    return await customer.say("100", SUMMARY)


# --- welcome and help ----------------------------------------------------------------------------


async def test_the_welcome_is_the_operators_in_the_readers_language(
    app: Any, telegram: FakeTelegram
) -> None:
    await setting(app, console.WELCOME, {"en": "<b>Welcome to Acme!</b>", "ru": "<b>Привет!</b>"})
    english = await Customer(telegram, USER).say("/start")
    assert english.text.startswith("<b>Welcome to Acme!</b>")
    telegram.set_language(THIRD_USER, "ru")
    russian = await Customer(telegram, THIRD_USER).say("/start")
    assert russian.text.startswith("<b>Привет!</b>")
    assert "Acme" not in russian.text


async def test_a_language_without_an_operators_welcome_gets_the_built_in_one(
    app: Any, telegram: FakeTelegram
) -> None:
    await setting(app, console.WELCOME, {"en": "<b>Welcome to Acme!</b>"})
    telegram.set_language(OTHER_USER, "es")
    spanish = await Customer(telegram, OTHER_USER).say("/start")
    with reading_as("es"):
        built_in = texts.common.welcome(f"User{OTHER_USER}", False)
    assert spanish.text == built_in
    assert "Acme" not in spanish.text


async def test_without_a_welcome_set_start_greets_as_before(
    app: Any, telegram: FakeTelegram
) -> None:
    greeting = await Customer(telegram).say("/start")
    assert greeting.text == texts.common.welcome(f"User{USER}", False)


async def test_the_operators_welcome_keeps_the_menu_for_a_connected_customer(
    app: Any, customer: Customer
) -> None:
    await setting(app, console.WELCOME, {"en": "<b>Welcome back to Acme!</b>"})
    greeting = await customer.say("/start")
    assert greeting.text == "<b>Welcome back to Acme!</b>"
    assert texts.common.button_order() in customer.labels(greeting)


async def test_help_shows_the_addition_and_the_support_contact(
    app: Any, telegram: FakeTelegram
) -> None:
    await setting(app, console.HELP_ADDITION, "<i>Prices are in USD.</i>")
    await setting(app, console.SUPPORT_CONTACT, SUPPORT)
    shown = await Customer(telegram).say("/help")
    assert shown.text.startswith(texts.common.help_text())
    assert "<i>Prices are in USD.</i>" in shown.text
    assert shown.text.endswith(SUPPORT_LINE)


async def test_a_support_web_address_is_a_link_under_help(
    app: Any, telegram: FakeTelegram
) -> None:
    await setting(app, console.SUPPORT_CONTACT, "https://acme.example/support?a=1&b=2")
    shown = await Customer(telegram).say("/help")
    assert '<a href="https://acme.example/support?a=1&amp;b=2">Contact support</a>.' in shown.text


async def test_help_without_settings_is_the_built_in_help(
    app: Any, telegram: FakeTelegram
) -> None:
    shown = await Customer(telegram).say("/help")
    assert shown.text == texts.common.help_text()


# --- money: top up and support ---------------------------------------------------------------


async def test_balance_has_a_top_up_button_to_the_panels_addfunds_page(
    app: Any, customer: Customer, panel: FakePanel
) -> None:
    shown = await customer.say("/balance", "Balance")
    assert link_of(shown, TOP_UP) == default_top_up(panel)


async def test_the_operators_top_up_page_replaces_the_default(
    app: Any, customer: Customer
) -> None:
    await setting(app, console.TOP_UP_URL, "https://acme.example/pay")
    await customer.say("/start")
    shown = await customer.tap(texts.common.button_balance(), "Balance")
    assert link_of(shown, TOP_UP) == "https://acme.example/pay"


async def test_a_top_up_address_telegram_would_refuse_leaves_the_button_out(
    app: Any, customer: Customer
) -> None:
    # The console checks addresses before saving; one stored otherwise (by hand, an older
    # version) must not cost the customer their balance: Telegram refuses a message with it.
    await setting(app, console.TOP_UP_URL, "javascript:alert(1)")
    shown = await customer.say("/balance", "Balance")
    assert "100" in shown.text
    assert link_of(shown, TOP_UP) is None


async def test_a_short_balance_gets_top_up_and_support_at_the_summary_and_confirm(
    app: Any, customer: Customer, panel: FakePanel
) -> None:
    await setting(app, console.SUPPORT_CONTACT, SUPPORT)
    panel.set_balance(USER_KEY, "0.01")
    summary = await reach_summary(customer)
    assert "Not enough balance" in summary.text
    assert link_of(summary, TOP_UP) == default_top_up(panel)
    refused = await customer.tap("Confirm", "refused")
    assert "your balance on the panel is too low" in refused.text
    assert refused.text.endswith(SUPPORT_LINE)
    assert link_of(refused, TOP_UP) == default_top_up(panel)
    assert not panel.orders


async def test_an_unclear_order_outcome_names_the_support_contact(
    app: Any, customer: Customer, panel: FakePanel
) -> None:
    await setting(app, console.SUPPORT_CONTACT, SUPPORT)
    await reach_summary(customer)
    panel.fault = "html502"  # the order may or may not exist
    panel.fault_actions = {"add"}
    unclear = await customer.tap("Confirm", "couldn't confirm the order")
    assert unclear.text.endswith(SUPPORT_LINE)


async def test_a_cancel_the_panel_refuses_names_the_support_contact(
    app: Any, customer: Customer, panel: FakePanel
) -> None:
    await setting(app, console.SUPPORT_CONTACT, SUPPORT)
    await customer.open_service(1, LINK_Q)  # a service that can be cancelled
    await customer.say("https://instagram.com/someone", "quantity")
    await customer.say("100", "Spread it")
    await customer.tap("All at once", SUMMARY)
    await customer.tap("Confirm", "Order placed")
    await customer.tap(texts.order.button_order_card(), "Order")
    panel.complete(next(iter(panel.orders)))  # the card still says Pending: Cancel is offered
    await customer.tap(texts.orders.button_cancel_order(), "Cancel order")
    refused = await customer.tap(texts.orders.button_cancel_yes(), "Need help")
    assert refused.text.endswith(SUPPORT_LINE)
    assert not panel.cancels


async def test_no_support_line_when_none_is_set(
    app: Any, customer: Customer, panel: FakePanel
) -> None:
    panel.set_balance(USER_KEY, "0.01")
    await reach_summary(customer)
    refused = await customer.tap("Confirm", "refused")
    assert "Need help" not in refused.text


# --- hidden categories and services ----------------------------------------------------------


async def test_a_hidden_category_is_not_listed_searched_or_opened_by_id(
    app: Any, customer: Customer
) -> None:
    await setting(app, console.HIDDEN_CATEGORIES, ["Telegram"])
    menu = await customer.say("/order", "Choose a category")
    assert "Telegram" not in customer.labels(menu)
    assert "Instagram Followers" in customer.labels(menu)
    found = await customer.say("Telegram Poll")
    assert found.text == texts.catalogue.search_none("Telegram Poll")
    typed = await customer.say(str(POLL))
    assert "Poll Votes" not in typed.text
    assert LINK_Q not in typed.text


async def test_a_hidden_service_is_not_listed_searched_or_opened_by_id(
    app: Any, customer: Customer
) -> None:
    await setting(app, console.HIDDEN_SERVICES, [str(NO_REFILL)])
    await customer.say("/order", "Choose a category")
    page = await customer.tap("Instagram Followers", "Instagram Followers")
    hidden = callback.ORDER_SERVICE.data(str(NO_REFILL))
    assert all(data != hidden for row in page.buttons for _, data in row)
    assert "No Refill" not in " ".join(customer.labels(page))
    found = await customer.say("No Refill")
    assert found.text == texts.catalogue.search_none("No Refill")
    typed = await customer.say(str(NO_REFILL))
    assert typed.text == texts.catalogue.search_none(str(NO_REFILL))  # as an unknown id
    shown = await customer.say(str(PLAIN), LINK_Q)  # the others open as before
    assert "Server 1" in shown.text


async def test_a_button_of_a_service_hidden_since_says_it_is_no_longer_offered(
    app: Any, customer: Customer, telegram: FakeTelegram
) -> None:
    await customer.say("/order", "Choose a category")
    page = await customer.tap("Instagram Followers", "Instagram Followers")
    await setting(app, console.HIDDEN_SERVICES, [str(NO_REFILL)])
    await customer.press(page, callback.ORDER_SERVICE.data(str(NO_REFILL)))
    after = await telegram.wait_for_message(USER, "no longer offered")
    assert after.message_id == page.message_id  # the list, edited in place
    assert "Choose a category" in after.text


async def test_order_again_of_a_service_hidden_since_says_so(
    app: Any, customer: Customer, panel: FakePanel
) -> None:
    await reach_summary(customer)
    await customer.tap("Confirm", "Order placed")
    await customer.tap(texts.order.button_order_card(), "Order")
    await setting(app, console.HIDDEN_SERVICES, [str(PLAIN)])
    again = await customer.tap(texts.orders.button_order_again())
    assert texts.catalogue.service_not_offered() in again.text
    assert len(panel.orders) == 1


# --- display names ---------------------------------------------------------------------------


async def test_a_display_name_shows_in_lists_search_card_summary_and_receipt(
    app: Any, customer: Customer, panel: FakePanel
) -> None:
    await setting(app, console.DISPLAY_NAMES, {str(PLAIN): "⭐ Premium followers"})
    await customer.say("/order", "Choose a category")
    page = await customer.tap("Instagram Followers", "Instagram Followers")
    # Price first, then the operators' name for the service.
    assert any(" · ⭐ Premium followers" in label for label in customer.labels(page))
    assert not any("Server 1 " in label for label in customer.labels(page))
    found = await customer.say("premium")
    assert "1</b> service matches" in found.text
    question = await customer.say(str(PLAIN), LINK_Q)
    assert "<b>⭐ Premium followers</b>" in question.text
    await customer.say("https://instagram.com/someone", "quantity")
    summary = await customer.say("100", SUMMARY)
    assert "<b>⭐ Premium followers</b> (ID 102)" in summary.text
    receipt = await customer.tap("Confirm", "Order placed")
    assert "📦 ⭐ Premium followers" in receipt.text
    order = panel.orders[next(iter(panel.orders))]
    assert str(order.service) == str(PLAIN)  # the panel got its own service id


# --- default language and time zone ----------------------------------------------------------


async def test_an_unknown_telegram_language_reads_the_default_language(
    app: Any, telegram: FakeTelegram
) -> None:
    await setting(app, console.DEFAULT_LANGUAGE, "ru")
    telegram.set_language(USER, "xx")
    greeting = await Customer(telegram).say("/start")
    with reading_as("ru"):
        built_in = texts.common.welcome(f"User{USER}", False)
    assert greeting.text == built_in
    stored = await app_services(app).repository.reader_settings(USER)
    assert stored is not None
    assert stored.language == "ru"


async def test_times_read_in_the_default_time_zone(
    app: Any, customer: Customer, panel: FakePanel
) -> None:
    await setting(app, console.DEFAULT_TIME_ZONE, "Europe/Moscow")
    await reach_summary(customer)
    await customer.tap("Confirm", "Order placed")
    card = await customer.tap(texts.order.button_order_card(), "Placed:")
    placed = card.plain.split("Placed:")[1].splitlines()[0]
    assert placed.strip().endswith("UTC+3")
