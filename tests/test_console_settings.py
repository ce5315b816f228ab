"""Console → Settings, played by operators on their phones against the running bot: each
setting saved with a preview and an Undo, bad values refused before anything is saved, the
other operator told, and nobody else able to touch them."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Message

from bot import callback, texts
from bot.context import app_services
from bot.keyboards import console_settings as keyboards
from bot.services import settings_input as check
from bot.services.console import ChangedSince, ConsoleSettings, reversed_change
from bot.texts.formatting import cut, short
from handlers.admin.settings import typed_text
from tests.conftest import OPERATOR, SECOND_OPERATOR, USER, USER_KEY
from tests.console import operator
from tests.customer import Customer
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import BotMessage, FakeTelegram


async def current(app: Any) -> ConsoleSettings:
    """What is stored now (not the process's few-seconds cache)."""
    console = app_services(app).console
    console.forget()
    return await console.current()


async def open_settings(person: Customer) -> BotMessage:
    await person.say("/admin", "Operator console")
    return await person.tap("⚙️ Settings", "Settings</b>")


async def open_setting(person: Customer, button: str, expect: str) -> BotMessage:
    await open_settings(person)
    return await person.tap(button, expect)


async def tap_on(person: Customer, message: BotMessage, label: str, expect: str) -> BotMessage:
    """Press a button of that very message (an older one, like an Undo further up)."""
    mark = person.telegram.mark()
    person.telegram.press_button(person.user_id, label, message_id=message.message_id)
    return await person.telegram.wait_for_message(person.user_id, expect, after=mark)


async def set_support(person: Customer, value: str) -> BotMessage:
    await open_setting(person, "💬 Support", "Support contact")
    return await person.say(value, "Saved")


# --- saving, previews, undo ------------------------------------------------------------------


async def test_support_contact_is_saved_shown_previewed_and_undone(
    console_app: Any, telegram: FakeTelegram
) -> None:
    ann = operator(telegram)
    await set_support(ann, "@first_desk")
    saved = await set_support(ann, "@help_desk")
    assert "Customers will see" in saved.plain
    assert "Need help? Write to @help_desk" in saved.plain
    assert (await current(console_app)).support_contact == "@help_desk"
    assert "Support: @help_desk" in (await open_settings(ann)).plain

    undone = await tap_on(ann, saved, "Undo", "Undone")
    assert "Need help? Write to @first_desk" in undone.plain
    assert (await current(console_app)).support_contact == "@first_desk"
    assert "Support: @first_desk" in (await open_settings(ann)).plain


async def test_a_support_link_is_accepted_and_previewed_as_a_link(
    console_app: Any, telegram: FakeTelegram
) -> None:
    saved = await set_support(operator(telegram), "https://example.com/support")
    assert 'href="https://example.com/support"' in saved.text
    assert (await current(console_app)).support_contact == "https://example.com/support"


async def test_the_top_up_page_preview_is_the_customers_button(
    console_app: Any, telegram: FakeTelegram
) -> None:
    ann = operator(telegram)
    await open_setting(ann, "💳 Top-up page", "Top-up page")
    saved = await ann.say("https://shop.example.com/pay", "Saved")
    assert ("💳 Top up", "https://shop.example.com/pay") in saved.buttons[0]
    assert (await current(console_app)).top_up_url == "https://shop.example.com/pay"

    reset = await ann.tap("↩️ Undo", "Undone")
    default = f"{app_services(console_app).settings.effective_panel_web_url}/addfunds"
    assert (await current(console_app)).top_up_url == default
    assert default in reset.plain


async def test_help_addition_preview_is_the_help_with_it_under(
    console_app: Any, telegram: FakeTelegram
) -> None:
    ann = operator(telegram)
    await open_setting(ann, "❓ Help text", "Help text addition")
    saved = await ann.say("Refunds within <b>24 h</b>.", "Saved")
    assert "How it works" in saved.plain
    assert "Refunds within 24 h." in saved.plain
    assert (await current(console_app)).help_addition == "Refunds within <b>24 h</b>."


async def test_a_stale_undo_of_an_unknown_change_is_answered(
    console_app: Any, telegram: FakeTelegram
) -> None:
    ann = operator(telegram)
    screen = await open_settings(ann)
    answer = await ann.press(screen, callback.CONSOLE_SET_UNDO.data(987654))
    assert answer.get("text") == texts.console_settings.undo_unknown()
    assert (await current(console_app)).support_contact is None


def undo_data(message: BotMessage) -> str:
    return next(data for row in message.buttons for label, data in row if "Undo" in label)


async def say_welcome(person: Customer, language: str, text: str) -> BotMessage:
    await open_setting(person, "👋 Welcome", "Welcome text")
    await person.tap(language, f"Welcome text in {language}")
    return await person.say(text, "Saved")


async def test_undoing_an_older_welcome_keeps_a_later_one_in_another_language(
    console_app: Any, telegram: FakeTelegram
) -> None:
    ann, bob = operator(telegram), operator(telegram, SECOND_OPERATOR)
    first = await say_welcome(ann, "Español", "¡Hola!")
    await say_welcome(bob, "Türkçe", "Merhaba!")
    undone = await tap_on(ann, first, "Undo", "Undone")
    assert "own in Türkçe" in undone.plain  # the welcomes now: only the later one
    assert (await current(console_app)).welcome == {"tr": "Merhaba!"}


async def test_undoing_an_older_hide_keeps_services_hidden_later(
    console_app: Any, telegram: FakeTelegram
) -> None:
    ann = operator(telegram)
    await ann.connect(USER_KEY)
    await open_setting(ann, "🙈 Services", "Hidden services")
    first = await ann.say("5", "Saved")
    await open_setting(ann, "🙈 Services", "Hidden services")
    await ann.say("13", "Saved")
    await tap_on(ann, first, "Undo", "Undone")
    assert (await current(console_app)).hidden_services == {"13"}


async def test_an_undo_of_a_value_changed_since_is_refused_and_the_later_value_stays(
    console_app: Any, telegram: FakeTelegram
) -> None:
    ann, bob = operator(telegram), operator(telegram, SECOND_OPERATOR)
    first = await set_support(ann, "@ann_desk")
    await set_support(bob, "@bob_desk")
    answer = await ann.press(first, undo_data(first))
    assert answer.get("text") == texts.console_settings.undo_changed_since("support_contact")
    assert "changed again since" in str(answer.get("text"))
    assert answer.get("show_alert") is True
    assert (await current(console_app)).support_contact == "@bob_desk"


async def test_the_same_welcome_changed_again_cannot_be_undone_from_the_older_change(
    console_app: Any, telegram: FakeTelegram
) -> None:
    ann = operator(telegram)
    first = await say_welcome(ann, "Español", "¡Hola!")
    await say_welcome(ann, "Español", "¡Buenas!")
    answer = await ann.press(first, undo_data(first))
    assert "changed again since" in str(answer.get("text"))
    assert (await current(console_app)).welcome == {"es": "¡Buenas!"}


def test_reversing_one_change_touches_only_its_parts() -> None:
    assert reversed_change("w", {"en": "B", "tr": "C"}, None, {"en": "B"}) == {"tr": "C"}
    assert reversed_change("w", {"en": "B"}, {"en": "A"}, {"en": "B"}) == {"en": "A"}
    assert reversed_change("h", ["13", "5"], None, ["5"]) == ["13"]
    assert reversed_change("h", ["13"], ["5", "13"], ["13"]) == ["5", "13"]
    assert reversed_change("s", "@b", "@a", "@b") == "@a"
    for now, before, after in (
        ("@c", "@a", "@b"),
        ({"en": "C"}, None, {"en": "B"}),
        (["13"], None, ["5"]),
        (["5"], ["5"], None),
        (None, None, True),
    ):
        with pytest.raises(ChangedSince):
            reversed_change("x", now, before, after)


# --- bad input: a clear message, nothing saved, the prompt kept -----------------------------


GOOD = {
    "💬 Support": "@good_desk",
    "💳 Top-up page": "https://good.example.com/pay",
    "🌐 Website": "https://good.example.com",
    "❓ Help text": "A fine text",
}


@pytest.mark.parametrize(
    ("button", "opens", "typed", "says"),
    [
        ("💬 Support", "Support contact", "@abc", "not a Telegram username"),
        ("💬 Support", "Support contact", "@1abcdef", "not a Telegram username"),
        ("💬 Support", "Support contact", "@" + "a" * 33, "not a Telegram username"),
        ("💬 Support", "Support contact", "@help-desk", "not a Telegram username"),
        ("💬 Support", "Support contact", "support.example.com", "Send a @username or a link"),
        ("💬 Support", "Support contact", "https://nohost", "not a web address"),
        ("💳 Top-up page", "Top-up page", "ftp://example.com/pay", "not a web address"),
        ("💳 Top-up page", "Top-up page", "https://", "not a web address"),
        ("🌐 Website", "Panel website", "example.com", "not a web address"),
        ("🌐 Website", "Panel website", "https://exa mple.com", "not a web address"),
        ("❓ Help text", "Help text addition", "   ", "That is empty"),
        ("❓ Help text", "Help text addition", "x" * 1001, "1,001 characters long"),
        ("❓ Help text", "Help text addition", "<b>bold", "<b> is not closed"),
        ("❓ Help text", "Help text addition", "Tom & Jerry", "a bare &"),
        ("❓ Help text", "Help text addition", "<div>x</div>", "unsupported tag <div>"),
    ],
)
async def test_a_bad_value_is_refused_with_the_reason_and_nothing_is_saved(
    console_app: Any, telegram: FakeTelegram, button: str, opens: str, typed: str, says: str
) -> None:
    ann = operator(telegram)
    before = await current(console_app)
    await open_setting(ann, button, opens)
    refused = await ann.say(typed, "Nothing was saved")
    assert says in refused.plain
    assert opens in refused.plain  # the prompt again, with its Cancel
    assert any("Cancel" in label for label in ann.labels(refused))
    assert await current(console_app) == before
    # The prompt is still waiting: a good value now is taken.
    await ann.say(GOOD[button], "Saved")
    assert await current(console_app) != before


REFUSAL = "Bad Request: can't parse entities: unsupported start tag"


@pytest.mark.parametrize(
    ("opens", "prompt"),
    [(("❓ Help text", "Help text addition"), None), (("👋 Welcome", "Welcome text"), "Español")],
)
async def test_a_text_telegram_refuses_to_preview_is_not_saved_and_the_prompt_stays(
    console_app: Any, telegram: FakeTelegram, opens: tuple[str, str], prompt: str | None
) -> None:
    ann = operator(telegram)
    await open_setting(ann, *opens)
    if prompt is not None:
        await ann.tap(prompt, f"Welcome text in {prompt}")
    telegram.fail_method("sendMessage", times=1, description=REFUSAL)
    refused = await ann.say("Hello <b>there</b>", "Nothing was saved")
    assert (
        "Telegram refused this text: Can't parse entities: unsupported start tag" in refused.plain
    )
    stored = await current(console_app)
    assert (stored.help_addition, dict(stored.welcome)) == (None, {})
    saved = await ann.say("Hello <b>there</b>", "Saved")  # the prompt still waits
    assert "Hello there" in saved.plain
    assert any("Undo" in label for label in ann.labels(saved))
    stored = await current(console_app)
    assert "Hello <b>there</b>" in (stored.help_addition, stored.welcome.get("es"))


async def test_an_over_long_welcome_is_refused_and_the_welcome_stays(
    console_app: Any, telegram: FakeTelegram
) -> None:
    ann = operator(telegram)
    await open_setting(ann, "👋 Welcome", "Welcome text")
    await ann.tap("Español", "Welcome text in Español")
    refused = await ann.say("¡Hola! " * 200, "Nothing was saved")
    assert "the limit is 1,000" in refused.plain
    assert (await current(console_app)).welcome == {}


async def test_a_photo_for_a_text_is_refused(console_app: Any, telegram: FakeTelegram) -> None:
    ann = operator(telegram)
    await open_setting(ann, "❓ Help text", "Help text addition")
    refused = await ann.send_photo("Nothing was saved")
    assert "Send it as a text message" in refused.plain
    assert (await current(console_app)).help_addition is None


# --- welcome, language, time zone ------------------------------------------------------------


async def test_a_welcome_is_saved_for_its_language_only(
    console_app: Any, telegram: FakeTelegram
) -> None:
    ann = operator(telegram)
    await open_setting(ann, "👋 Welcome", "Welcome text")
    await ann.tap("Русский", "Welcome text in Русский")
    saved = await ann.say("<b>Привет!</b> Добро пожаловать.", "Saved")
    assert "Привет! Добро пожаловать." in saved.plain  # as customers will read it
    assert (await current(console_app)).welcome == {"ru": "<b>Привет!</b> Добро пожаловать."}

    languages = await open_setting(ann, "👋 Welcome", "Welcome text")
    assert "✏️ Русский" in ann.labels(languages)
    assert "English" in ann.labels(languages)  # not marked: the built-in welcome

    await ann.tap("English", "Welcome text in English")
    await ann.say("Hello there!", "Saved")
    assert (await current(console_app)).welcome == {
        "ru": "<b>Привет!</b> Добро пожаловать.",
        "en": "Hello there!",
    }
    await open_setting(ann, "👋 Welcome", "Welcome text")
    await ann.tap("✏️ Русский", "Welcome text in Русский")
    await ann.tap("built-in welcome", "Saved")
    assert (await current(console_app)).welcome == {"en": "Hello there!"}


async def test_the_default_language_is_chosen_by_button_and_reset(
    console_app: Any, telegram: FakeTelegram
) -> None:
    ann = operator(telegram)
    await open_setting(ann, "🗣 Language", "Default language")
    saved = await ann.tap("Español", "Saved")
    assert "read the bot in Español" in saved.plain
    assert (await current(console_app)).default_language == "es"
    screen = await open_setting(ann, "🗣 Language", "Default language")
    assert "✅ Español" in ann.labels(screen)
    await ann.tap("English (default)", "Saved")
    assert (await current(console_app)).default_language is None


async def test_the_default_time_zone_by_button_or_typed(
    console_app: Any, telegram: FakeTelegram
) -> None:
    ann = operator(telegram)
    await open_setting(ann, "🕓 Time zone", "Default time zone")
    await ann.tap("Moscow", "Saved")
    assert (await current(console_app)).default_time_zone == "Europe/Moscow"
    await open_setting(ann, "🕓 Time zone", "Default time zone")
    refused = await ann.say("Atlantis", "Nothing was saved")
    assert "Atlantis" in refused.plain
    assert (await current(console_app)).default_time_zone == "Europe/Moscow"
    saved = await ann.say("Tashkent", "Saved")
    assert "UTC+5" in saved.plain  # the time now, as customers will see it
    assert (await current(console_app)).default_time_zone == "Asia/Tashkent"


# --- the panel's catalogue: hidden categories and services, display names -----------------


async def test_catalogue_settings_need_the_operators_own_key(
    console_app: Any, telegram: FakeTelegram
) -> None:
    ann = operator(telegram)
    answer = await open_setting(ann, "🙈 Categories", "/key")
    assert "connect your panel key with /key first" in answer.plain


async def test_a_hidden_category_toggle_is_stored(
    console_app: Any, telegram: FakeTelegram
) -> None:
    ann = operator(telegram)
    await ann.connect(USER_KEY)
    screen = await open_setting(ann, "🙈 Categories", "Hidden categories")
    assert "✅ Telegram" in ann.labels(screen)
    toggled = await ann.tap("✅ Telegram", "see 6 of 7")
    assert "🚫 Telegram" in ann.labels(toggled)
    assert (await current(console_app)).hidden_categories == {"Telegram"}
    assert any("Undo" in label for label in ann.labels(toggled))
    await ann.tap("🚫 Telegram", "see 7 of 7")
    assert (await current(console_app)).hidden_categories == frozenset()
    await ann.tap("Undo", "Undone")
    assert (await current(console_app)).hidden_categories == {"Telegram"}


async def test_services_are_hidden_by_typed_ids_and_shown_again(
    console_app: Any, telegram: FakeTelegram
) -> None:
    ann = operator(telegram)
    await ann.connect(USER_KEY)
    await open_setting(ann, "🙈 Services", "Hidden services")
    refused = await ann.say("5, 99999", "Nothing was saved")
    assert "99999" in refused.plain
    assert (await current(console_app)).hidden_services == frozenset()
    await ann.say("5, 13", "Saved")
    assert (await current(console_app)).hidden_services == {"5", "13"}
    await open_setting(ann, "🙈 Services", "Hidden services")
    await ann.tap("👁 Show 13", "Hidden services")
    assert (await current(console_app)).hidden_services == {"5"}


async def test_a_display_name_is_saved_then_removed(
    console_app: Any, telegram: FakeTelegram
) -> None:
    ann = operator(telegram)
    await ann.connect(USER_KEY)
    await open_setting(ann, "🏷 Names", "Display names")
    refused = await ann.say("99999 = Ghost", "Nothing was saved")
    assert "no service 99999" in refused.plain
    await ann.say("no equals sign", "Nothing was saved")
    saved = await ann.say("5 = Telegram poll ⚡", "Saved")
    assert "Service 5: Telegram poll ⚡" in saved.plain
    assert (await current(console_app)).display_names == {"5": "Telegram poll ⚡"}

    screen = await open_setting(ann, "🏷 Names", "Display names")
    assert "5 → Telegram poll ⚡" in screen.plain
    await ann.tap("✏️ 5", "Display name of service 5")
    await ann.say("Poll votes", "Saved")
    assert (await current(console_app)).display_names == {"5": "Poll votes"}
    await open_setting(ann, "🏷 Names", "Display names")
    await ann.tap("🗑 5", "No service has a display name")
    assert (await current(console_app)).display_names == {}


def add_service(panel: FakePanel, service_id: str, category: str) -> None:
    """One more service in the panel's catalogue (before the operator's key reads it)."""
    panel.services.append(
        {**panel.services[-1], "service": service_id, "name": "Odd one", "category": category}
    )


@pytest.mark.parametrize("typed", ["x/1", "5 x/1", "x/1 = Nice name"])
async def test_a_catalogue_id_no_button_can_carry_is_refused_when_typed(
    console_app: Any, telegram: FakeTelegram, panel: FakePanel, typed: str
) -> None:
    add_service(panel, "x/1", "Telegram")
    ann = operator(telegram)
    await ann.connect(USER_KEY)
    button, screen = ("🏷 Names", "Display names") if "=" in typed else ("🙈 Services", "Hidden")
    await open_setting(ann, button, screen)
    refused = await ann.say(typed, "Nothing was saved")
    assert "cannot handle service id x/1" in refused.plain
    assert screen in refused.plain  # the screen again, still waiting
    stored = await current(console_app)
    assert stored.hidden_services == frozenset()
    assert stored.display_names == {}


def test_a_stored_id_no_button_can_carry_is_listed_without_buttons() -> None:
    hidden = keyboards.hidden_services(["x/1", "5", "a" * 41], 0, 3)
    named = keyboards.display_names([("x/1", "Odd"), ("5", "Five")], 0, 2)
    labels = [label for row in hidden.inline_keyboard for label in (b.text for b in row)]
    assert "👁 Show 5" in labels
    assert not any("x/1" in label or "aaaa" in label for label in labels)
    assert sum("x/1" in b.text for row in named.inline_keyboard for b in row) == 0
    assert sum("5" in b.text for row in named.inline_keyboard for b in row) == 2


async def test_a_category_with_an_ampersand_reads_plainly_on_its_button_and_popup(
    console_app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    add_service(panel, "777", "Likes & Views")
    ann = operator(telegram)
    await ann.connect(USER_KEY)
    screen = await open_setting(ann, "🙈 Categories", "Hidden categories")
    while "✅ Likes & Views" not in ann.labels(screen):  # on a later page
        screen = await ann.tap("▶", "Hidden categories")
    mark = telegram.mark()
    query = telegram.press_button(OPERATOR, "✅ Likes & Views")
    toggled = await telegram.wait_for_message(OPERATOR, "Hidden categories", after=mark)
    assert "🚫 Likes & Views" in ann.labels(toggled)
    assert telegram.callback_answers[query].get("text") == "🚫 Hidden: Likes & Views"
    assert (await current(console_app)).hidden_categories == {"Likes & Views"}


def test_a_plain_cut_does_not_escape() -> None:
    assert cut("Likes & <Views>", 60) == "Likes & <Views>"
    assert cut("abcdef", 4) == "abc…"
    assert short("Likes & <Views>", 60) == "Likes &amp; &lt;Views&gt;"


async def test_a_button_on_a_message_too_old_to_edit_gets_its_screen_as_a_new_message(
    console_app: Any, telegram: FakeTelegram
) -> None:
    ann = operator(telegram)
    await set_support(ann, "@ann_desk")
    old = await ann.say("/admin", "Operator console")
    for data, expect in (
        (callback.CONSOLE_SETTINGS.data(), "Support: @ann_desk"),
        (callback.CONSOLE_SET_EDIT.data("support_contact"), "Support contact"),
    ):
        mark = telegram.mark()
        query = telegram.press(OPERATOR, old.message_id, data, inaccessible=True)
        screen = await telegram.wait_for_message(OPERATOR, expect, after=mark)
        assert screen.message_id != old.message_id  # sent anew, the old one left as it was
        assert query in telegram.callback_answers
    assert (
        "Operator console"
        in next(m for m in telegram.messages(OPERATOR) if m.message_id == old.message_id).plain
    )


async def test_a_service_shown_again_from_a_message_too_old_to_edit(
    console_app: Any, telegram: FakeTelegram
) -> None:
    ann = operator(telegram)
    await ann.connect(USER_KEY)
    await open_setting(ann, "🙈 Services", "Hidden services")
    await ann.say("5, 13", "Saved")
    screen = await open_setting(ann, "🙈 Services", "Hidden services")
    mark = telegram.mark()
    query = telegram.press(
        OPERATOR, screen.message_id, callback.CONSOLE_SET_UNHIDE.data("13"), inaccessible=True
    )
    again = await telegram.wait_for_message(OPERATOR, "Hidden services", after=mark)
    assert again.message_id != screen.message_id
    assert telegram.callback_answers[query].get("text") == "👁 Service 13 is shown again."
    assert (await current(console_app)).hidden_services == {"5"}


# --- two operators, and everyone else ------------------------------------------------------


async def test_the_other_operator_is_told_and_the_last_save_wins(
    console_app: Any, telegram: FakeTelegram
) -> None:
    ann, bob = operator(telegram), operator(telegram, SECOND_OPERATOR)
    await bob.say("/admin", "Operator console")  # both have the console open
    await set_support(ann, "@ann_desk")
    notice = await telegram.wait_for_message(SECOND_OPERATOR, "changed support contact")
    assert notice.plain == f"⚙️ User{OPERATOR} changed support contact: @ann_desk"

    await set_support(bob, "@bob_desk")
    told = await telegram.wait_for_message(OPERATOR, "@bob_desk")
    assert f"User{SECOND_OPERATOR} changed support contact" in told.plain
    assert (await current(console_app)).support_contact == "@bob_desk"
    for person in (ann, bob):
        assert "Support: @bob_desk" in (await open_settings(person)).plain


async def test_a_customer_pressing_settings_data_gets_the_expired_answer(
    console_app: Any, telegram: FakeTelegram
) -> None:
    ann = operator(telegram)
    saved = await set_support(ann, "@ann_desk")
    undo_data = next(data for row in saved.buttons for label, data in row if "Undo" in label)
    customer = Customer(telegram, USER)
    menu = await customer.say("/help")
    before = await current(console_app)
    for data in (
        callback.CONSOLE_SETTINGS.data(),
        callback.CONSOLE_SET_LANGUAGE.data("es"),
        callback.CONSOLE_SET_RESET.data("support_contact"),
        callback.CONSOLE_SET_EDIT.data("support_contact"),
        callback.CONSOLE_SET_CATEGORY.data(0, 0),
        callback.CONSOLE_SET_UNHIDE.data("5"),
        undo_data,
    ):
        answer = await customer.press(menu, data)
        assert answer.get("text") == texts.common.expired()
    assert await current(console_app) == before
    assert not any("Settings" in m.text for m in telegram.messages(USER))


async def test_forged_settings_data_of_an_operator_is_answered_as_expired(
    console_app: Any, telegram: FakeTelegram
) -> None:
    ann = operator(telegram)
    screen = await open_settings(ann)
    for data in ("a:sreset:maintenance", "a:sl:xx", "a:sz:Mars/Base", "a:sundo:abc"):
        answer = await ann.press(screen, data)
        assert answer.get("text") == texts.common.expired()
    assert (await current(console_app)).default_language is None


async def test_two_operators_editing_welcomes_at_once_both_are_kept(
    console_app: Any, telegram: FakeTelegram
) -> None:
    ann, bob = operator(telegram), operator(telegram, SECOND_OPERATOR)
    await open_setting(ann, "👋 Welcome", "Welcome text")
    await ann.tap("Türkçe", "Welcome text in Türkçe")
    await open_setting(bob, "👋 Welcome", "Welcome text")
    await bob.tap("Español", "Welcome text in Español")
    mark = telegram.mark()
    telegram.send_text(OPERATOR, "Merhaba!")
    telegram.send_text(SECOND_OPERATOR, "¡Hola!")
    for person in (OPERATOR, SECOND_OPERATOR):
        await telegram.wait_for_message(person, "Saved", after=mark)
    assert (await current(console_app)).welcome == {"tr": "Merhaba!", "es": "¡Hola!"}


# --- what the operator typed -----------------------------------------------------------------


def _message(text: str, entities: list[dict[str, Any]]) -> Message:
    return Message.de_json(
        {
            "message_id": 1,
            "date": 0,
            "chat": {"id": OPERATOR, "type": "private"},
            "text": text,
            "entities": entities,
        },
        None,
    )


def test_formatting_from_the_telegram_app_is_kept_as_html() -> None:
    bold = _message("Hi there & welcome", [{"type": "bold", "offset": 0, "length": 2}])
    assert typed_text(bold, formatted=True) == "<b>Hi</b> there &amp; welcome"


def test_typed_html_is_taken_as_typed() -> None:
    typed = _message("<b>Hi</b> https://x.example", [{"type": "url", "offset": 10, "length": 17}])
    assert typed_text(typed, formatted=True) == "<b>Hi</b> https://x.example"
    assert typed_text(_message("@desk", []), formatted=False) == "@desk"


@pytest.mark.parametrize(
    "contact", ["@abcde", "@a" + "b" * 31, "@Help_Desk_2", "https://t.me/help", "http://x.co"]
)
def test_a_valid_support_contact_is_taken(contact: str) -> None:
    assert check.support_contact(f"  {contact} ") == contact


@pytest.mark.parametrize(
    "url",
    ["https://пример.рф/оплата", "https://shop.example.com:8443/pay?x=1", "http://10.0.0.1/add"],
)
def test_a_web_address_with_a_host_is_taken(url: str) -> None:
    assert check.web_url(url) == url


@pytest.mark.parametrize(
    "url", ["https://example.com:port/", "https://-bad-.com", "javascript:alert(1)", "https:///x"]
)
def test_a_malformed_web_address_is_refused(url: str) -> None:
    with pytest.raises(check.InvalidSetting):
        check.web_url(url)


def test_text_length_counts_what_customers_read() -> None:
    tagged = "<b>" + "x" * 1000 + "</b>"
    assert check.customer_text(tagged) == tagged
    with pytest.raises(check.InvalidSetting, match="too_long"):
        check.customer_text("&amp;" * 1001)


def test_text_length_counts_as_telegram_does() -> None:
    assert check.customer_text("😀" * 500) == "😀" * 500
    with pytest.raises(check.InvalidSetting, match="too_long") as refused:
        check.customer_text("😀" * 501)
    assert refused.value.params["length"] == 1002


def test_categories_are_paged_with_their_catalogue_indexes() -> None:
    names = [f"Category {n}" for n in range(20)]
    second = keyboards.categories(names, frozenset({"Category 9"}), 1, undo_id=42)
    rows = [[(b.text, b.callback_data) for b in row] for row in second.inline_keyboard]
    assert rows[0] == [("✅ Category 8", callback.CONSOLE_SET_CATEGORY.data(8, 1))]
    assert rows[1] == [("🚫 Category 9", callback.CONSOLE_SET_CATEGORY.data(9, 1))]
    assert [label for label, _ in rows[8]] == ["◀️", "2/3", "▶️"]
    assert rows[9] == [("↩️ Undo", callback.CONSOLE_SET_UNDO.data(42))]
