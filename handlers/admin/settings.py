"""Console → Settings: what customers see, changed by the operators from a phone.

One screen lists every setting with its value; each opens its own screen. Typed values
(texts, links, ids, names) arrive through the console's input routing (`INPUTS`) and are
checked by bot.services.settings_input before anything is saved; a refused value gets the
reason and the same prompt again. Every save goes through `console.save` (audited with the
value before) and is followed by a preview of what customers will see and an Undo button
carrying that change's audit id; the other operators get a one-line notice, so when two
operators edit at once the last save wins and both see it.

Lists of the panel's catalogue (hidden categories, hidden services, display names) read it
with the operator's own connected key.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import replace
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update, User
from telegram.error import BadRequest, TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import callback, texts, time_zones
from bot.catalogue import Catalogue
from bot.config import Settings
from bot.context import get_services
from bot.html_check import operator_html
from bot.i18n import LANGUAGES, reading_as
from bot.keyboards import Button, clamp_page
from bot.keyboards import console_settings as keyboards
from bot.panel import PanelError
from bot.services import console as names
from bot.services import settings_input as check
from bot.services.console import TOP_UP_PATH, UNCHANGED, ChangedSince, ConsoleSettings
from bot.services.settings_input import InvalidSetting
from bot.texts import console_settings as words
from bot.texts.settings import language_name
from handlers.admin.common import (
    Handler,
    answer,
    expect_input,
    expected_input,
    operator_only,
    show,
    stop_expecting,
)
from handlers.common import Context, current_key, edit, reply
from storage.console import SettingChange

logger = logging.getLogger(__name__)

# Settings typed as one value (a button opens their prompt), with their input kind.
TYPED_KINDS: dict[str, str] = {
    names.HELP_ADDITION: "set:help",
    names.SUPPORT_CONTACT: "set:support",
    names.PANEL_WEB_URL: "set:web",
    names.TOP_UP_URL: "set:topup",
}
# Settings holding an operator's text (HTML customers get): previewed before they are saved.
PREVIEWED_FIRST = frozenset({names.HELP_ADDITION, names.WELCOME})
# Settings one button puts back to their default.
RESETTABLE = frozenset({*TYPED_KINDS, names.DEFAULT_LANGUAGE, names.DEFAULT_TIME_ZONE})

# --- reading ---------------------------------------------------------------------------------


async def _settings(context: Context) -> ConsoleSettings:
    return await get_services(context).console.current()


Modify = Callable[[ConsoleSettings], Any]


async def _modify(
    context: Context, operator_id: int, name: str, modify: Modify
) -> SettingChange | None:
    """Change one part of a setting made of parts (a welcome per language, a list) as stored
    now; two operators' changes at once are both kept. None when `modify` answers UNCHANGED."""
    return await get_services(context).console.modify(operator_id, name, modify)


def _default_web(context: Context) -> str:
    return get_services(context).settings.effective_panel_web_url


def _default_top_up(settings: ConsoleSettings) -> str:
    return settings.panel_web_url.rstrip("/") + TOP_UP_PATH


def _is_set(context: Context, name: str, settings: ConsoleSettings) -> bool:
    if name == names.HELP_ADDITION:
        return settings.help_addition is not None
    if name == names.SUPPORT_CONTACT:
        return settings.support_contact is not None
    if name == names.PANEL_WEB_URL:
        return settings.panel_web_url != _default_web(context)
    if name == names.TOP_UP_URL:
        return settings.top_up_url != _default_top_up(settings)
    return False


def _operator(update: Update) -> User:
    user = update.effective_user
    assert user is not None
    return user


def typed_text(message: Message | None, formatted: bool) -> str | None:
    """The operator's text: with `formatted`, as bot.html_check.operator_html reads it (the
    formatting applied in the app kept); else exactly as typed. None for a photo, a file."""
    if message is None or message.text is None:
        return None
    return operator_html(message) if formatted else message.text


async def _catalogue(update: Update, context: Context, quiet: bool = False) -> Catalogue | None:
    """The panel's catalogue read with the operator's own key; None after saying why not
    (no key, the panel failed), or silently with `quiet`."""
    stored = await current_key(context, _operator(update).id)
    if stored is None:
        if not quiet:
            await show(update, words.need_key(), keyboards.back())
        return None
    try:
        return await get_services(context).catalogue.get(stored.key)
    except PanelError as error:
        if not quiet:
            await show(update, texts.errors.panel_error(error), keyboards.back())
        return None


# --- showing ---------------------------------------------------------------------------------


def _preview(
    name: str, settings: ConsoleSettings, language: str | None = None, service: str = ""
) -> tuple[str, tuple[str, str] | None]:
    """What customers will see of a setting now (and a URL button to show as they will)."""
    support_url = settings.support_url()
    if name == names.WELCOME and language is not None:
        return words.preview_welcome(settings.welcome.get(language), language), None
    if name == names.HELP_ADDITION:
        body = words.preview_help(settings.help_addition, settings.support_contact, support_url)
        return body, None
    if name == names.SUPPORT_CONTACT:
        return words.preview_support(settings.support_contact, support_url), None
    if name == names.PANEL_WEB_URL:
        return words.preview_website(settings.panel_web_url, settings.top_up_url), None
    if name == names.TOP_UP_URL:
        button = (words.button_top_up_preview(), settings.top_up_url)
        return words.preview_top_up(settings.top_up_url), button
    if name == names.DEFAULT_LANGUAGE:
        return words.preview_language(settings.default_language), None
    if name == names.DEFAULT_TIME_ZONE:
        return words.preview_zone(settings.default_time_zone), None
    if name == names.HIDDEN_CATEGORIES:
        return words.preview_categories(sorted(settings.hidden_categories)), None
    if name == names.HIDDEN_SERVICES:
        return words.preview_services(check.ordered_ids(settings.hidden_services)), None
    if name == names.DISPLAY_NAMES and service:
        return words.preview_name(service, settings.display_names.get(service), None), None
    return words.summary(name, settings), None


async def _present(
    update: Update, text: str, markup: InlineKeyboardMarkup, plain: InlineKeyboardMarkup
) -> None:
    """A saved setting's preview; should Telegram refuse the preview's URL button (an
    address it does not take in buttons), the same without it."""
    try:
        await show(update, text, markup)
    except BadRequest as error:
        if markup is plain:
            raise
        logger.info("Preview with a URL button refused: %s", error.message)
        await show(update, text, plain, answered=True)


async def _after_save(
    update: Update,
    context: Context,
    headline: str,
    name: str,
    audit_id: int,
    *,
    language: str | None = None,
    service: str = "",
    back: Button | None = None,
) -> None:
    """The preview with Undo, then the notice to the other operators."""
    settings = await _settings(context)
    body, url_button = _preview(name, settings, language, service)
    text = words.preview(headline, body)
    plain = keyboards.saved(audit_id, back)
    markup = keyboards.saved(audit_id, back, url_button) if url_button else plain
    await _present(update, text, markup, plain)
    await _tell_others(context, _operator(update), name, settings)


async def _save(
    update: Update,
    context: Context,
    name: str,
    value: Any = None,
    *,
    modify: Modify | None = None,
    detail: str | None = None,
    language: str | None = None,
    service: str = "",
    back: Button | None = None,
) -> None:
    """Save and show the preview with Undo. An operator's typed text (HTML customers will
    get) is previewed first and saved only if Telegram took the preview; if not, nothing is
    saved and InvalidSetting("refused") is raised for the caller to ask again."""
    operator_id = _operator(update).id
    first: Message | None = None
    if name in PREVIEWED_FIRST and update.callback_query is None:
        first = await _preview_first(update, context, name, value, modify, language)
    stop_expecting(context)
    if modify is not None:
        change = await _modify(context, operator_id, name, modify)
        assert change is not None
    else:
        change = await get_services(context).console.save(operator_id, name, value)
    headline = words.saved(name, detail)
    if first is None:
        await _after_save(
            update,
            context,
            headline,
            name,
            change.audit_id,
            language=language,
            service=service,
            back=back,
        )
        return
    settings = await _settings(context)
    body, _url = _preview(name, settings, language, service)
    await edit(first, words.preview(headline, body), keyboards.saved(change.audit_id, back))
    await _tell_others(context, _operator(update), name, settings)


async def _preview_first(
    update: Update,
    context: Context,
    name: str,
    value: Any,
    modify: Modify | None,
    language: str | None,
) -> Message:
    """The preview of a text not saved yet, as customers would get it, sent to the operator;
    a text Telegram refuses (HTML it cannot parse) raises InvalidSetting("refused")."""
    settings = await _settings(context)
    new = modify(settings) if modify is not None else value
    if name == names.WELCOME:
        prospective = replace(settings, welcome=new or {})
    else:
        prospective = replace(settings, help_addition=new)
    body, _url = _preview(name, prospective, language)
    try:
        return await reply(update, words.preview(words.saving(), body))
    except BadRequest as error:
        raise InvalidSetting("refused", problem=error.message) from None


async def _tell_others(
    context: Context, operator: User, name: str, settings: ConsoleSettings
) -> None:
    """One line to every other operator, in their language: who changed what, the value now."""
    services = get_services(context)
    for admin_id in services.settings.admin_ids:
        if admin_id == operator.id:
            continue
        try:
            stored = await services.repository.reader_settings(admin_id)
        except Exception:  # the notice in English rather than none
            logger.debug("Operator %s: language not read for the notice", admin_id)
            stored = None
        language = stored.language if stored else None
        with reading_as(language, stored.time_zone if stored else None):
            text = words.notice(operator.full_name, name, words.summary(name, settings))
            markup = keyboards.notice()
        try:
            await context.bot.send_message(admin_id, text, reply_markup=markup)
        except TelegramError as error:  # never started the bot, blocked it
            logger.info("Operator %s not told of a settings change: %s", admin_id, error)


# --- the settings screen -------------------------------------------------------------------


async def _home_text(context: Context) -> str:
    settings = await _settings(context)
    return words.screen(settings, _default_web(context), _default_top_up(settings))


@operator_only
async def home(update: Update, context: Context) -> None:
    stop_expecting(context)
    await show(update, await _home_text(context), keyboards.home())


# --- one typed value: help addition, support contact, website, top-up page -----------------


def _prompt(context: Context, name: str, settings: ConsoleSettings) -> str:
    if name == names.HELP_ADDITION:
        return words.help_prompt(settings.help_addition)
    if name == names.SUPPORT_CONTACT:
        return words.support_prompt(settings.support_contact)
    if name == names.PANEL_WEB_URL:
        web = settings.panel_web_url
        return words.website_prompt(web, web == _default_web(context))
    top_up = settings.top_up_url
    return words.top_up_prompt(top_up, top_up == _default_top_up(settings))


def _prompt_markup(context: Context, name: str, settings: ConsoleSettings) -> InlineKeyboardMarkup:
    return keyboards.prompt(name if _is_set(context, name, settings) else None)


@operator_only
async def ask_value(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    data = callback.CONSOLE_SET_EDIT.parse(query.data)
    name = data.arg(0) if data else ""
    if name not in TYPED_KINDS:
        await answer(update, texts.common.expired())
        return
    settings = await _settings(context)
    expect_input(context, TYPED_KINDS[name])
    await show(update, _prompt(context, name, settings), _prompt_markup(context, name, settings))


def _typed_value(name: str) -> Handler:
    """The input handler of one typed setting: checked, then saved, else asked again."""
    checks = {
        names.HELP_ADDITION: check.customer_text,
        names.SUPPORT_CONTACT: check.support_contact,
        names.PANEL_WEB_URL: check.web_url,
        names.TOP_UP_URL: check.web_url,
    }

    async def typed(update: Update, context: Context) -> None:
        text = typed_text(update.effective_message, formatted=name == names.HELP_ADDITION)
        try:
            if text is None:
                raise InvalidSetting("not_text")
            await _save(update, context, name, checks[name](text))
        except InvalidSetting as error:
            settings = await _settings(context)
            again = f"{words.invalid(error)}\n\n{_prompt(context, name, settings)}"
            await reply(update, again, _prompt_markup(context, name, settings))

    return typed


@operator_only
async def reset(update: Update, context: Context) -> None:
    """Back to the default (unset)."""
    query = update.callback_query
    assert query is not None
    data = callback.CONSOLE_SET_RESET.parse(query.data)
    name = data.arg(0) if data else ""
    if name not in RESETTABLE:
        await answer(update, texts.common.expired())
        return
    await _save(update, context, name, None)


# --- undo ----------------------------------------------------------------------------------


@operator_only
async def undo(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    data = callback.CONSOLE_SET_UNDO.parse(query.data)
    if data is None:
        await answer(update, texts.common.expired())
        return
    try:
        change = await get_services(context).console.undo(_operator(update).id, data.int_arg(0))
    except ChangedSince as since:
        await answer(update, words.undo_changed_since(since.setting), alert=True)
        return
    if change is None:
        await answer(update, words.undo_unknown(), alert=True)
        return
    stop_expecting(context)
    await _after_save(update, context, words.undone(change.name), change.name, change.audit_id)


# --- welcome text, per language ------------------------------------------------------------


@operator_only
async def welcomes(update: Update, context: Context) -> None:
    stop_expecting(context)
    settings = await _settings(context)
    await show(update, words.welcome_languages(), keyboards.welcome_languages(settings.welcome))


def _language_of(update: Update, button: callback.Button) -> str | None:
    query = update.callback_query
    data = button.parse(query.data) if query is not None else None
    code = data.arg(0) if data else ""
    return code if code in LANGUAGES else None


@operator_only
async def ask_welcome(update: Update, context: Context) -> None:
    code = _language_of(update, callback.CONSOLE_SET_WELCOME)
    if code is None:  # a language no longer offered, or forged
        await answer(update, texts.common.expired())
        return
    current = (await _settings(context)).welcome.get(code)
    expect_input(context, "set:welcome", language=code)
    await show(
        update, words.welcome_prompt(code, current), keyboards.welcome_prompt(code, bool(current))
    )


async def typed_welcome(update: Update, context: Context) -> None:
    waiting = expected_input(context) or {}
    code = str(waiting.get("language", ""))
    if code not in LANGUAGES:
        stop_expecting(context)
        await reply(update, texts.console.input_cancelled(), keyboards.back())
        return
    text = typed_text(update.effective_message, formatted=True)
    try:
        if text is None:
            raise InvalidSetting("not_text")
        value = check.customer_text(text)

        def with_it(settings: ConsoleSettings) -> dict[str, str]:
            return {**settings.welcome, code: value}

        await _save_welcome(update, context, with_it, code)
    except InvalidSetting as error:
        current = (await _settings(context)).welcome.get(code)
        again = f"{words.invalid(error)}\n\n{words.welcome_prompt(code, current)}"
        await reply(update, again, keyboards.welcome_prompt(code, bool(current)))


@operator_only
async def reset_welcome(update: Update, context: Context) -> None:
    code = _language_of(update, callback.CONSOLE_SET_WELCOME_RESET)
    if code is None:
        await answer(update, texts.common.expired())
        return

    def without_it(settings: ConsoleSettings) -> dict[str, str] | None:
        return {lang: text for lang, text in settings.welcome.items() if lang != code} or None

    await _save_welcome(update, context, without_it, code)


async def _save_welcome(update: Update, context: Context, modify: Modify, code: str) -> None:
    await _save(
        update,
        context,
        names.WELCOME,
        modify=modify,
        detail=language_name(code),
        language=code,
        back=(texts.console.button_back(), callback.CONSOLE_SET_WELCOMES.data()),
    )


# --- default language and time zone --------------------------------------------------------


@operator_only
async def languages(update: Update, context: Context) -> None:
    stop_expecting(context)
    current = (await _settings(context)).default_language
    await show(update, words.languages_screen(current), keyboards.languages(current))


@operator_only
async def choose_language(update: Update, context: Context) -> None:
    code = _language_of(update, callback.CONSOLE_SET_LANGUAGE)
    if code is None:
        await answer(update, texts.common.expired())
        return
    await _save(update, context, names.DEFAULT_LANGUAGE, code)


@operator_only
async def zones(update: Update, context: Context) -> None:
    current = (await _settings(context)).default_time_zone
    expect_input(context, "set:zone")  # a zone may be typed too
    await show(update, words.zones_screen(current), keyboards.zones(current))


@operator_only
async def choose_zone(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    data = callback.CONSOLE_SET_ZONE.parse(query.data)
    zone = time_zones.parse_time_zone(data.arg(0)) if data else None
    if zone is None:
        await answer(update, texts.common.expired())
        return
    await _save(update, context, names.DEFAULT_TIME_ZONE, zone)


async def typed_zone(update: Update, context: Context) -> None:
    message = update.effective_message
    typed = (message.text or "").strip() if message is not None else ""
    zone = time_zones.parse_time_zone(typed)
    if zone is None:
        current = (await _settings(context)).default_time_zone
        again = f"{words.zone_unknown(typed)}\n\n{words.zones_screen(current)}"
        await reply(update, again, keyboards.zones(current))
        return
    await _save(update, context, names.DEFAULT_TIME_ZONE, zone)


# --- hidden categories ---------------------------------------------------------------------


async def _show_categories(
    update: Update,
    context: Context,
    catalogue: Catalogue,
    page: int,
    undo_id: int | None = None,
    toast: str | None = None,
) -> None:
    hidden = (await _settings(context)).hidden_categories
    categories = catalogue.categories
    page = clamp_page(page, len(categories), keyboards.CATEGORIES_PER_PAGE)
    shown = sum(1 for name in categories if name not in hidden)
    missing = len(hidden - set(categories))
    text = words.categories_screen(shown, len(categories), missing)
    markup = keyboards.categories(categories, hidden, page, undo_id)
    await show(update, text, markup, toast)


@operator_only
async def categories(update: Update, context: Context) -> None:
    stop_expecting(context)
    query = update.callback_query
    assert query is not None
    data = callback.CONSOLE_SET_CATEGORIES.parse(query.data)
    catalogue = await _catalogue(update, context)
    if catalogue is None or data is None:
        return
    await _show_categories(update, context, catalogue, data.int_arg(0, callback.PAGE))


@operator_only
async def toggle_category(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    data = callback.CONSOLE_SET_CATEGORY.parse(query.data)
    if data is None:
        await answer(update, texts.common.expired())
        return
    catalogue = await _catalogue(update, context)
    if catalogue is None:
        return
    index = data.int_arg(0, callback.INDEX)
    if index >= len(catalogue.categories):  # the catalogue changed since the list was drawn
        await answer(update, texts.common.expired())
        return
    name = catalogue.categories[index]

    def toggled(settings: ConsoleSettings) -> list[str] | None:
        return sorted(settings.hidden_categories ^ {name}) or None

    operator = _operator(update)
    change = await _modify(context, operator.id, names.HIDDEN_CATEGORIES, toggled)
    assert change is not None
    now_hidden = name in (change.after or ())
    await _show_categories(
        update,
        context,
        catalogue,
        data.int_arg(1, callback.PAGE),
        undo_id=change.audit_id,
        toast=words.category_toggled(name, now_hidden),
    )
    await _tell_others(context, operator, names.HIDDEN_CATEGORIES, await _settings(context))


# --- hidden services -----------------------------------------------------------------------


async def _hidden_screen(
    update: Update, context: Context, page: int, undo_id: int | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    hidden = check.ordered_ids((await _settings(context)).hidden_services)
    page = clamp_page(page, len(hidden), keyboards.SERVICES_PER_PAGE)
    on_page = hidden[page * keyboards.SERVICES_PER_PAGE : (page + 1) * keyboards.SERVICES_PER_PAGE]
    catalogue = await _catalogue(update, context, quiet=True) if on_page else None
    rows = [(sid, _panel_name(catalogue, sid)) for sid in on_page]
    text = words.hidden_services_screen(rows, len(hidden))
    return text, keyboards.hidden_services(on_page, page, len(hidden), undo_id)


def _panel_name(catalogue: Catalogue | None, service_id: str) -> str | None:
    found = catalogue.find(service_id) if catalogue is not None else None
    return found.name if found is not None else None


@operator_only
async def hidden_services(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    data = callback.CONSOLE_SET_HIDDEN.parse(query.data)
    if data is None:
        await answer(update, texts.common.expired())
        return
    expect_input(context, "set:hide")
    text, markup = await _hidden_screen(update, context, data.int_arg(0, callback.PAGE))
    await show(update, text, markup)


async def typed_hidden(update: Update, context: Context) -> None:
    message = update.effective_message
    text = message.text if message is not None else None
    catalogue = await _catalogue(update, context)
    if catalogue is None:
        return
    try:
        if text is None:
            raise InvalidSetting("not_text")
        ids = check.service_ids(text, lambda sid: catalogue.find(sid) is not None)
    except InvalidSetting as error:
        screen, markup = await _hidden_screen(update, context, 0)
        await reply(update, f"{words.invalid(error)}\n\n{screen}", markup)
        return

    def with_them(settings: ConsoleSettings) -> list[str]:
        return check.ordered_ids(settings.hidden_services | set(ids))

    back = (texts.console.button_back(), callback.CONSOLE_SET_HIDDEN.data(0))
    await _save(update, context, names.HIDDEN_SERVICES, modify=with_them, back=back)


@operator_only
async def unhide(update: Update, context: Context) -> None:
    async def screen(undo_id: int) -> tuple[str, InlineKeyboardMarkup]:
        return await _hidden_screen(update, context, 0, undo_id)

    await _drop_service(
        update,
        context,
        callback.CONSOLE_SET_UNHIDE,
        names.HIDDEN_SERVICES,
        lambda settings: settings.hidden_services,
        screen,
        words.service_shown,
    )


async def _drop_service(
    update: Update,
    context: Context,
    button: callback.Button,
    name: str,
    parts: Callable[[ConsoleSettings], Collection[str]],
    screen: Callable[[int], Awaitable[tuple[str, InlineKeyboardMarkup]]],
    toast: Callable[[str], str],
) -> None:
    """A service's part of a list setting (hidden services, display names) dropped by its
    button: the list again with Undo, a popup, the other operators told. Gone already
    (another operator): the expired answer."""
    query = update.callback_query
    assert query is not None
    data = button.parse(query.data)
    if data is None:
        await answer(update, texts.common.expired())
        return
    service = data.arg(0)

    def without_it(settings: ConsoleSettings) -> object:
        current = parts(settings)
        if service not in current:
            return UNCHANGED
        if isinstance(current, Mapping):
            return {sid: value for sid, value in current.items() if sid != service} or None
        return check.ordered_ids(set(current) - {service}) or None

    operator = _operator(update)
    change = await _modify(context, operator.id, name, without_it)
    if change is None:
        await answer(update, texts.common.expired())
        return
    text, markup = await screen(change.audit_id)
    await show(update, text, markup, toast(service))
    await _tell_others(context, operator, name, await _settings(context))


# --- display names -------------------------------------------------------------------------


async def _names_screen(
    context: Context, page: int, undo_id: int | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    named = (await _settings(context)).display_names
    ids = check.ordered_ids(named)
    page = clamp_page(page, len(ids), keyboards.SERVICES_PER_PAGE)
    on_page = [
        (sid, named[sid])
        for sid in ids[
            page * keyboards.SERVICES_PER_PAGE : (page + 1) * keyboards.SERVICES_PER_PAGE
        ]
    ]
    text = words.names_screen(on_page, len(ids))
    return text, keyboards.display_names(on_page, page, len(ids), undo_id)


@operator_only
async def display_names(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    data = callback.CONSOLE_SET_NAMES.parse(query.data)
    if data is None:
        await answer(update, texts.common.expired())
        return
    expect_input(context, "set:name")
    text, markup = await _names_screen(context, data.int_arg(0, callback.PAGE))
    await show(update, text, markup)


@operator_only
async def ask_name(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    data = callback.CONSOLE_SET_NAME.parse(query.data)
    if data is None:
        await answer(update, texts.common.expired())
        return
    service = data.arg(0)
    catalogue = await _catalogue(update, context, quiet=True)
    current = (await _settings(context)).display_names.get(service)
    expect_input(context, "set:name", service=service)
    await show(
        update,
        words.name_prompt(service, _panel_name(catalogue, service), current),
        keyboards.prompt(),
    )


async def typed_name(update: Update, context: Context) -> None:
    waiting = expected_input(context) or {}
    picked = str(waiting.get("service") or "")
    message = update.effective_message
    text = message.text if message is not None else None
    catalogue = await _catalogue(update, context)
    if catalogue is None:
        return
    try:
        if text is None:
            raise InvalidSetting("not_text")
        service, name = (picked, check.display_name(text)) if picked else check.id_and_name(text)
        if catalogue.find(service) is None:
            raise InvalidSetting("unknown_ids", ids=[service])
    except InvalidSetting as error:
        if picked:
            current = (await _settings(context)).display_names.get(picked)
            prompt = words.name_prompt(picked, _panel_name(catalogue, picked), current)
            await reply(update, f"{words.invalid(error)}\n\n{prompt}", keyboards.prompt())
        else:
            screen, markup = await _names_screen(context, 0)
            await reply(update, f"{words.invalid(error)}\n\n{screen}", markup)
        return

    def with_it(settings: ConsoleSettings) -> dict[str, str]:
        return {**settings.display_names, service: name}

    back = (texts.console.button_back(), callback.CONSOLE_SET_NAMES.data(0))
    await _save(update, context, names.DISPLAY_NAMES, modify=with_it, service=service, back=back)


@operator_only
async def remove_name(update: Update, context: Context) -> None:
    async def screen(undo_id: int) -> tuple[str, InlineKeyboardMarkup]:
        return await _names_screen(context, 0, undo_id)

    await _drop_service(
        update,
        context,
        callback.CONSOLE_SET_NAME_REMOVE,
        names.DISPLAY_NAMES,
        lambda settings: settings.display_names,
        screen,
        words.name_removed,
    )


# --- registration --------------------------------------------------------------------------

# Typed input this section waits for, by kind (see handlers.admin.common.expect_input).
INPUTS: dict[str, Handler] = {
    **{kind: _typed_value(name) for name, kind in TYPED_KINDS.items()},
    "set:welcome": typed_welcome,
    "set:zone": typed_zone,
    "set:hide": typed_hidden,
    "set:name": typed_name,
}


def build_handlers(config: Settings) -> list[BaseHandler[Update, Context, Any]]:
    """Each button's own shapes: forged data matches none and gets the expired answer."""
    answered: list[tuple[callback.Button, Handler]] = [
        (callback.CONSOLE_SETTINGS, home),
        (callback.CONSOLE_SET_EDIT, ask_value),
        (callback.CONSOLE_SET_RESET, reset),
        (callback.CONSOLE_SET_UNDO, undo),
        (callback.CONSOLE_SET_WELCOMES, welcomes),
        (callback.CONSOLE_SET_WELCOME, ask_welcome),
        (callback.CONSOLE_SET_WELCOME_RESET, reset_welcome),
        (callback.CONSOLE_SET_LANGUAGES, languages),
        (callback.CONSOLE_SET_LANGUAGE, choose_language),
        (callback.CONSOLE_SET_ZONES, zones),
        (callback.CONSOLE_SET_ZONE, choose_zone),
        (callback.CONSOLE_SET_CATEGORIES, categories),
        (callback.CONSOLE_SET_CATEGORY, toggle_category),
        (callback.CONSOLE_SET_HIDDEN, hidden_services),
        (callback.CONSOLE_SET_UNHIDE, unhide),
        (callback.CONSOLE_SET_NAMES, display_names),
        (callback.CONSOLE_SET_NAME, ask_name),
        (callback.CONSOLE_SET_NAME_REMOVE, remove_name),
    ]
    return [
        CallbackQueryHandler(handler, pattern=button.pattern()) for button, handler in answered
    ]
