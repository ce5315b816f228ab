"""The console's maintenance and access screens (buttons only; what to draw is the caller's)."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardMarkup

from bot import callback, texts
from bot.keyboards import Button, markup, page_nav
from bot.keyboards.console import home_button

# Offered when creating an invite (0: any number of people / never expires).
USES_CHOICES = (1, 5, 25, 0)
DAYS_CHOICES = (1, 7, 30, 0)


def maintenance(on: bool, has_message: bool) -> InlineKeyboardMarkup:
    switch = (
        (texts.access.button_maintenance_off(), callback.CONSOLE_MAINTENANCE_OFF.data())
        if on
        else (texts.access.button_maintenance_on(), callback.CONSOLE_MAINTENANCE_ON.data())
    )
    message_row: list[Button] = [
        (texts.access.button_set_message(), callback.CONSOLE_MAINTENANCE_MESSAGE.data())
    ]
    if has_message:
        message_row.append(
            (texts.access.button_clear_message(), callback.CONSOLE_MAINTENANCE_CLEAR.data())
        )
    return markup([[switch], message_row, [home_button()]])


def access(invite_only: bool) -> InlineKeyboardMarkup:
    switch = (
        (texts.access.button_open(), callback.CONSOLE_ACCESS_OPEN.data())
        if invite_only
        else (texts.access.button_invite_only(), callback.CONSOLE_ACCESS_INVITE_ONLY.data())
    )
    return markup(
        [
            [switch],
            [
                (texts.access.button_invites(), callback.CONSOLE_INVITES.data(0)),
                (texts.access.button_new_invite(), callback.CONSOLE_INVITE_NEW.data()),
            ],
            [
                (texts.access.button_users(), callback.CONSOLE_USERS.data(0)),
                (texts.access.button_user_by_id(), callback.CONSOLE_USER_BY_ID.data()),
            ],
            [home_button()],
        ]
    )


def back_to_access() -> Button:
    return (texts.console.button_back(), callback.CONSOLE_ACCESS.data())


def invite_uses() -> InlineKeyboardMarkup:
    choices = [
        (texts.access.button_uses(uses), callback.CONSOLE_INVITE_USES.data(uses))
        for uses in USES_CHOICES
    ]
    return markup([choices[:2], choices[2:], [back_to_access()]])


def invite_days(uses: int) -> InlineKeyboardMarkup:
    choices = [
        (texts.access.button_days(days), callback.CONSOLE_INVITE_MAKE.data(uses, days))
        for days in DAYS_CHOICES
    ]
    return markup([choices[:2], choices[2:], [back_to_access()]])


def invite_created() -> InlineKeyboardMarkup:
    return markup(
        [
            [
                (texts.access.button_invites(), callback.CONSOLE_INVITES.data(0)),
                (texts.access.button_new_invite(), callback.CONSOLE_INVITE_NEW.data()),
            ],
            [back_to_access()],
        ]
    )


def invites(
    revocable: Sequence[tuple[str, str]], page: int, total: int, per_page: int
) -> InlineKeyboardMarkup:
    """`revocable`: (code, short code) of the page's active invites, one Revoke button each."""
    rows: list[list[Button]] = [
        [(texts.access.button_revoke(short), callback.CONSOLE_INVITE_REVOKE.data(code, page))]
        for code, short in revocable
    ]
    nav = page_nav(page, total, per_page, callback.CONSOLE_INVITES.data)
    if nav:
        rows.append(nav)
    rows.append([(texts.access.button_new_invite(), callback.CONSOLE_INVITE_NEW.data())])
    rows.append([back_to_access()])
    return markup(rows)


def users(
    items: Sequence[tuple[str, int]], page: int, total: int, per_page: int
) -> InlineKeyboardMarkup:
    """`items`: (label, telegram id) of the page's users; a tap opens the user's card."""
    rows: list[list[Button]] = [
        [(label, callback.CONSOLE_USER.data(user_id))] for label, user_id in items
    ]
    nav = page_nav(page, total, per_page, callback.CONSOLE_USERS.data)
    if nav:
        rows.append(nav)
    rows.append([(texts.access.button_user_by_id(), callback.CONSOLE_USER_BY_ID.data())])
    rows.append([back_to_access()])
    return markup(rows)


def user_card(user_id: int, blocked: bool, can_block: bool) -> InlineKeyboardMarkup:
    rows: list[list[Button]] = []
    if blocked:
        rows.append([(texts.access.button_unblock(), callback.CONSOLE_USER_UNBLOCK.data(user_id))])
    elif can_block:
        rows.append([(texts.access.button_block(), callback.CONSOLE_USER_BLOCK.data(user_id))])
    rows.append(
        [(texts.access.button_user_list(), callback.CONSOLE_USERS.data(0)), back_to_access()]
    )
    return markup(rows)


def to_users() -> InlineKeyboardMarkup:
    return markup([[(texts.access.button_user_list(), callback.CONSOLE_USERS.data(0))]])
