"""Console → Settings: the keyboards of its screens (pure: the handler decides what to draw)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callback, time_zones
from bot.i18n import LANGUAGES
from bot.keyboards import Button, markup, page_nav
from bot.keyboards.console import home_button
from bot.texts import console as console_texts
from bot.texts import console_settings as texts
from bot.texts.settings import language_name, zone_name

PER_ROW = 2
CATEGORIES_PER_PAGE = 8
SERVICES_PER_PAGE = 10


def _rows(buttons: Sequence[Button], per_row: int = PER_ROW) -> list[list[Button]]:
    return [list(buttons[start : start + per_row]) for start in range(0, len(buttons), per_row)]


def settings_button() -> Button:
    return (texts.button_settings(), callback.CONSOLE_SETTINGS.data())


def home() -> InlineKeyboardMarkup:
    """Every setting, two a row, then back to the console."""
    edit = callback.CONSOLE_SET_EDIT.data
    buttons: list[Button] = [
        (texts.button_welcome(), callback.CONSOLE_SET_WELCOMES.data()),
        (texts.button_help(), edit("help_addition")),
        (texts.button_support(), edit("support_contact")),
        (texts.button_website(), edit("panel_web_url")),
        (texts.button_top_up(), edit("top_up_url")),
        (texts.button_language(), callback.CONSOLE_SET_LANGUAGES.data()),
        (texts.button_zone(), callback.CONSOLE_SET_ZONES.data()),
        (texts.button_categories(), callback.CONSOLE_SET_CATEGORIES.data(0)),
        (texts.button_services(), callback.CONSOLE_SET_HIDDEN.data(0)),
        (texts.button_names(), callback.CONSOLE_SET_NAMES.data(0)),
    ]
    return markup([*_rows(buttons), [home_button()]])


def back() -> InlineKeyboardMarkup:
    return markup([[settings_button()]])


def prompt(reset: str | None = None) -> InlineKeyboardMarkup:
    """Under a prompt for a typed value: back to the default (when set), Cancel."""
    rows: list[list[Button]] = []
    if reset is not None:
        rows.append([(texts.button_reset(), callback.CONSOLE_SET_RESET.data(reset))])
    rows.append(
        [
            (console_texts.button_cancel_input(), callback.CONSOLE_CANCEL_INPUT.data()),
            settings_button(),
        ]
    )
    return markup(rows)


def welcome_prompt(code: str, has_own: bool) -> InlineKeyboardMarkup:
    rows: list[list[Button]] = []
    if has_own:
        rows.append(
            [(texts.button_welcome_reset(), callback.CONSOLE_SET_WELCOME_RESET.data(code))]
        )
    rows.append(
        [
            (console_texts.button_cancel_input(), callback.CONSOLE_CANCEL_INPUT.data()),
            (console_texts.button_back(), callback.CONSOLE_SET_WELCOMES.data()),
        ]
    )
    return markup(rows)


def saved(
    audit_id: int, back: Button | None = None, url_preview: tuple[str, str] | None = None
) -> InlineKeyboardMarkup:
    """Under a saved setting's preview: the customers' URL button as they will see it (if
    the preview is one), Undo, and back."""
    rows: list[list[InlineKeyboardButton]] = []
    if url_preview is not None:
        label, url = url_preview
        rows.append([InlineKeyboardButton(label, url=url)])
    row = [
        InlineKeyboardButton(
            texts.button_undo(), callback_data=callback.CONSOLE_SET_UNDO.data(audit_id)
        )
    ]
    for label, data in (back or settings_button(),):
        row.append(InlineKeyboardButton(label, callback_data=data))
    rows.append(row)
    return InlineKeyboardMarkup(rows)


def notice() -> InlineKeyboardMarkup:
    return markup([[settings_button()]])


def welcome_languages(own: Iterable[str]) -> InlineKeyboardMarkup:
    with_text = set(own)
    buttons = [
        (
            texts.button_welcome_language(code, code in with_text),
            callback.CONSOLE_SET_WELCOME.data(code),
        )
        for code in LANGUAGES
    ]
    return markup([*_rows(buttons), [settings_button()]])


def languages(current: str | None) -> InlineKeyboardMarkup:
    buttons = [
        (
            texts.button_chosen(language_name(code), code == current),
            callback.CONSOLE_SET_LANGUAGE.data(code),
        )
        for code in LANGUAGES
    ]
    rows = _rows(buttons)
    if current is not None:
        rows.append(
            [
                (
                    texts.button_language_default(),
                    callback.CONSOLE_SET_RESET.data("default_language"),
                )
            ]
        )
    rows.append([settings_button()])
    return markup(rows)


def zones(current: str | None) -> InlineKeyboardMarkup:
    buttons = [
        (
            texts.button_chosen(zone_name(zone), zone == current),
            callback.CONSOLE_SET_ZONE.data(zone),
        )
        for zone in time_zones.COMMON_ZONES
    ]
    rows = _rows(buttons)
    if current is not None:
        rows.append([(texts.button_reset(), callback.CONSOLE_SET_RESET.data("default_time_zone"))])
    rows.append(
        [
            (console_texts.button_cancel_input(), callback.CONSOLE_CANCEL_INPUT.data()),
            settings_button(),
        ]
    )
    return markup(rows)


def categories(
    categories: Sequence[str], hidden: frozenset[str], page: int, undo_id: int | None = None
) -> InlineKeyboardMarkup:
    """A page of the catalogue's categories, one a row, each a toggle (by its index in the
    catalogue); Undo of the last toggle under them."""
    start = page * CATEGORIES_PER_PAGE
    rows: list[list[Button]] = [
        [
            (
                texts.button_category(name, name in hidden),
                callback.CONSOLE_SET_CATEGORY.data(index, page),
            )
        ]
        for index, name in enumerate(categories[start : start + CATEGORIES_PER_PAGE], start=start)
        if index <= callback.MAX_INDEX
    ]
    nav = page_nav(
        page, len(categories), CATEGORIES_PER_PAGE, callback.CONSOLE_SET_CATEGORIES.data
    )
    if nav:
        rows.append(nav)
    return markup([*rows, *_undo_row(undo_id), [settings_button()]])


def _fits(service_id: str) -> bool:
    """Ids from the catalogue fit button data; one that would not is listed in the text."""
    return callback.SERVICE_ID.accepts(service_id)


def _undo_row(undo_id: int | None) -> list[list[Button]]:
    """After a toggle in a list: Undo of that change, above the list's own buttons."""
    if undo_id is None:
        return []
    return [[(texts.button_undo(), callback.CONSOLE_SET_UNDO.data(undo_id))]]


def _grid(
    rows: list[list[Button]],
    page: int,
    total: int,
    page_data: Callable[[int], str],
    undo_id: int | None,
) -> InlineKeyboardMarkup:
    nav = page_nav(page, total, SERVICES_PER_PAGE, page_data)
    if nav:
        rows.append(nav)
    return markup([*rows, *_undo_row(undo_id), [settings_button()]])


def hidden_services(
    page_ids: Sequence[str], page: int, total: int, undo_id: int | None = None
) -> InlineKeyboardMarkup:
    """Show-again buttons for a page of the hidden services, two a row."""
    buttons = [
        (texts.button_unhide(sid), callback.CONSOLE_SET_UNHIDE.data(sid))
        for sid in page_ids
        if _fits(sid)
    ]
    return _grid(_rows(buttons), page, total, callback.CONSOLE_SET_HIDDEN.data, undo_id)


def display_names(
    page_names: Sequence[tuple[str, str]], page: int, total: int, undo_id: int | None = None
) -> InlineKeyboardMarkup:
    """Per named service of the page: rename, remove."""
    rows = [
        [
            (texts.button_rename(sid, name), callback.CONSOLE_SET_NAME.data(sid)),
            (texts.button_remove_name(sid), callback.CONSOLE_SET_NAME_REMOVE.data(sid)),
        ]
        for sid, name in page_names
        if _fits(sid)
    ]
    return _grid(rows, page, total, callback.CONSOLE_SET_NAMES.data, undo_id)
