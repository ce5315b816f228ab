"""Console → maintenance and access: maintenance on/off and its message; open or invite-only;
invites (create, list, revoke); users (list, by id, block, unblock).

Settings go through the console settings service (audited, undoable); invites and blocks
through the access store (audited in the same unit of work). Every switch button carries the
state it sets (on/off, not "toggle"): two operators tapping at once both get what they asked.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import callback, texts
from bot.config import Settings
from bot.context import get_services
from bot.html_check import operator_html, telegram_html_problem, visible_length, visible_text
from bot.keyboards import console as console_keyboards
from bot.keyboards import console_access as keyboards
from bot.services.console import INVITE_ONLY, MAINTENANCE, MAINTENANCE_MESSAGE
from handlers.admin.common import (
    Handler,
    expect_input,
    operator_only,
    show,
    stop_expecting,
)
from handlers.common import Context, reply

MESSAGE_LIMIT = 1000
INVITES_PER_PAGE = 8
USERS_PER_PAGE = 8
SHORT_CODE = 6  # characters of an invite code shown in lists and on buttons

# Typed-input kinds (handlers.admin.INPUTS).
MAINTENANCE_TEXT = "access.maintenance_message"
USER_ID = "access.user_id"


def _operator_id(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


def _data(update: Update, button: callback.Button) -> callback.CallbackData:
    query = update.callback_query
    assert query is not None
    parsed = button.parse(query.data)
    assert parsed is not None  # the handler's pattern checked the shapes
    return parsed


# --- maintenance -------------------------------------------------------------------------------


async def _maintenance_screen(update: Update, context: Context) -> None:
    console = await get_services(context).console.current()
    await show(
        update,
        texts.access.maintenance_screen(console.maintenance, console.maintenance_message),
        keyboards.maintenance(console.maintenance, console.maintenance_message is not None),
    )


@operator_only
async def maintenance(update: Update, context: Context) -> None:
    stop_expecting(context)
    await _maintenance_screen(update, context)


@operator_only
async def maintenance_switch(update: Update, context: Context) -> None:
    on = update.callback_query is not None and callback.CONSOLE_MAINTENANCE_ON.pattern()(
        update.callback_query.data
    )
    await get_services(context).console.save(_operator_id(update), MAINTENANCE, on)
    await _maintenance_screen(update, context)


@operator_only
async def maintenance_message_prompt(update: Update, context: Context) -> None:
    expect_input(context, MAINTENANCE_TEXT)
    await show(
        update,
        texts.access.maintenance_message_prompt(MESSAGE_LIMIT),
        console_keyboards.cancel_input(),
    )


@operator_only
async def maintenance_message_clear(update: Update, context: Context) -> None:
    await get_services(context).console.save(_operator_id(update), MAINTENANCE_MESSAGE, None)
    await _maintenance_screen(update, context)


async def maintenance_message_input(update: Update, context: Context) -> None:
    """The typed maintenance message: checked (not empty, not too long, Telegram HTML) and
    previewed before it is saved; a bad one, or one Telegram refuses, is explained and the
    prompt keeps waiting."""
    message = update.effective_message
    assert message is not None
    if message.text is None:
        await reply(update, texts.access.message_not_text(), console_keyboards.cancel_input())
        return
    text = operator_html(message).strip()  # formatting applied in the app kept
    problem: str | None = None
    if not visible_text(text).strip():
        problem = texts.access.message_empty()
    elif (length := visible_length(text)) > MESSAGE_LIMIT:
        problem = texts.access.message_too_long(length, MESSAGE_LIMIT)
    elif (html_problem := telegram_html_problem(text)) is not None:
        problem = texts.access.message_bad_html(html_problem)
    if problem is None:  # previewed first, as customers will get it: saved only if it went
        try:
            await reply(update, texts.access.maintenance(text))
        except BadRequest as error:
            problem = texts.access.message_refused(error.message)
    if problem is not None:
        await reply(update, problem, console_keyboards.cancel_input())
        return
    stop_expecting(context)
    await get_services(context).console.save(_operator_id(update), MAINTENANCE_MESSAGE, text)
    await _maintenance_screen(update, context)


# --- access ------------------------------------------------------------------------------------


async def _access_screen(update: Update, context: Context) -> None:
    services = get_services(context)
    console = await services.console.current()
    blocked = await services.repository.blocked_count()
    await show(
        update,
        texts.access.access_screen(console.invite_only, blocked),
        keyboards.access(console.invite_only),
    )


@operator_only
async def access(update: Update, context: Context) -> None:
    stop_expecting(context)
    await _access_screen(update, context)


@operator_only
async def access_switch(update: Update, context: Context) -> None:
    invite_only = (
        update.callback_query is not None
        and callback.CONSOLE_ACCESS_INVITE_ONLY.pattern()(update.callback_query.data)
    )
    await get_services(context).console.save(_operator_id(update), INVITE_ONLY, invite_only)
    await _access_screen(update, context)


# --- invites -----------------------------------------------------------------------------------


@operator_only
async def invite_new(update: Update, context: Context) -> None:
    await show(update, texts.access.invite_uses_question(), keyboards.invite_uses())


@operator_only
async def invite_uses(update: Update, context: Context) -> None:
    uses = _data(update, callback.CONSOLE_INVITE_USES).int_arg(0, callback.INVITE_USES)
    await show(update, texts.access.invite_expiry_question(uses), keyboards.invite_days(uses))


@operator_only
async def invite_make(update: Update, context: Context) -> None:
    data = _data(update, callback.CONSOLE_INVITE_MAKE)
    uses = data.int_arg(0, callback.INVITE_USES)
    days = data.int_arg(1, callback.INVITE_DAYS)
    invite = await get_services(context).repository.create_invite(
        _operator_id(update),
        max_uses=uses or None,
        valid_for=timedelta(days=days) if days else None,
    )
    link = f"https://t.me/{context.bot.username}?start={invite.code}"
    await show(
        update,
        texts.access.invite_created(link, uses, invite.expires_at),
        keyboards.invite_created(),
    )


async def _invites_screen(
    update: Update, context: Context, page: int, toast: str | None = None
) -> None:
    repository = get_services(context).repository
    found, total = await repository.invites(page * INVITES_PER_PAGE, INVITES_PER_PAGE)
    if not found and page > 0:  # the page emptied (revoked away): the first one
        page = 0
        found, total = await repository.invites(0, INVITES_PER_PAGE)
    if not found:
        await show(update, texts.access.invites_empty(), keyboards.invites([], 0, 0, 1), toast)
        return
    lines = [texts.access.invites_title(total)]
    revocable: list[tuple[str, str]] = []
    for invite in found:
        short = invite.code[:SHORT_CODE] + "…"
        lines.append(
            texts.access.invite_line(
                short, invite.uses, invite.max_uses, invite.expires_at, invite.state
            )
        )
        if invite.state == "active":
            revocable.append((invite.code, short))
    await show(
        update,
        "\n".join(lines),
        keyboards.invites(revocable, page, total, INVITES_PER_PAGE),
        toast,
    )


@operator_only
async def invites(update: Update, context: Context) -> None:
    page = _data(update, callback.CONSOLE_INVITES).int_arg(0, callback.PAGE)
    await _invites_screen(update, context, page)


@operator_only
async def invite_revoke(update: Update, context: Context) -> None:
    data = _data(update, callback.CONSOLE_INVITE_REVOKE)
    code = data.arg(0)
    page = data.int_arg(1, callback.PAGE)
    revoked = await get_services(context).repository.revoke_invite(_operator_id(update), code)
    toast = texts.access.invite_revoked() if revoked else texts.access.invite_already_revoked()
    await _invites_screen(update, context, page, toast)


# --- users -------------------------------------------------------------------------------------


@operator_only
async def users(update: Update, context: Context) -> None:
    page = _data(update, callback.CONSOLE_USERS).int_arg(0, callback.PAGE)
    repository = get_services(context).repository
    rows, total = await repository.user_rows(page * USERS_PER_PAGE, USERS_PER_PAGE)
    if not rows and page > 0:
        page = 0
        rows, total = await repository.user_rows(0, USERS_PER_PAGE)
    items = [
        (
            texts.access.user_button(row.telegram_id, row.created_at, row.has_key, row.blocked),
            row.telegram_id,
        )
        for row in rows
    ]
    await show(
        update,
        texts.access.users_title(total),
        keyboards.users(items, page, total, USERS_PER_PAGE),
    )


async def _user_card(
    update: Update, context: Context, user_id: int, toast: str | None = None
) -> None:
    services = get_services(context)
    row = await services.repository.user_row(user_id)
    if row is None:
        await show(update, texts.access.user_unknown(user_id), keyboards.to_users(), toast)
        return
    await show(
        update,
        texts.access.user_card(
            row.telegram_id, row.created_at, row.has_key, row.blocked, row.admitted
        ),
        keyboards.user_card(
            row.telegram_id, row.blocked, row.telegram_id not in services.settings.admin_ids
        ),
        toast,
    )


@operator_only
async def user(update: Update, context: Context) -> None:
    user_id = _data(update, callback.CONSOLE_USER).int_arg(0, callback.TELEGRAM_ID)
    await _user_card(update, context, user_id)


@operator_only
async def user_by_id(update: Update, context: Context) -> None:
    expect_input(context, USER_ID)
    await show(update, texts.access.user_id_prompt(), console_keyboards.cancel_input())


async def user_id_input(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    typed = (message.text or "").strip()
    user_id = callback.TELEGRAM_ID.parse(typed)
    if user_id is None:
        await reply(update, texts.access.user_id_invalid(), console_keyboards.cancel_input())
        return
    stop_expecting(context)
    await _user_card(update, context, user_id)


@operator_only
async def user_block(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    block = callback.CONSOLE_USER_BLOCK.pattern()(query.data)
    button = callback.CONSOLE_USER_BLOCK if block else callback.CONSOLE_USER_UNBLOCK
    user_id = _data(update, button).int_arg(0, callback.TELEGRAM_ID)
    services = get_services(context)
    if block and user_id in services.settings.admin_ids:
        await query.answer(texts.access.cannot_block_operator(), show_alert=True)
        return
    changed = await services.repository.set_blocked(_operator_id(update), user_id, block)
    toast = None
    if changed:
        toast = texts.access.user_blocked_toast() if block else texts.access.user_unblocked_toast()
    await _user_card(update, context, user_id, toast)


# Typed input this section waits for, by kind (see handlers.admin.common.expect_input).
INPUTS: dict[str, Handler] = {
    MAINTENANCE_TEXT: maintenance_message_input,
    USER_ID: user_id_input,
}


def build_handlers(config: Settings) -> list[BaseHandler[Update, Context, Any]]:
    def on(button: callback.Button, handler: Handler) -> CallbackQueryHandler[Context, None]:
        return CallbackQueryHandler(handler, pattern=button.pattern())

    both = callback.any_of
    return [
        on(callback.CONSOLE_MAINTENANCE, maintenance),
        CallbackQueryHandler(
            maintenance_switch,
            pattern=both(
                callback.CONSOLE_MAINTENANCE_ON.pattern(),
                callback.CONSOLE_MAINTENANCE_OFF.pattern(),
            ),
        ),
        on(callback.CONSOLE_MAINTENANCE_MESSAGE, maintenance_message_prompt),
        on(callback.CONSOLE_MAINTENANCE_CLEAR, maintenance_message_clear),
        on(callback.CONSOLE_ACCESS, access),
        CallbackQueryHandler(
            access_switch,
            pattern=both(
                callback.CONSOLE_ACCESS_OPEN.pattern(),
                callback.CONSOLE_ACCESS_INVITE_ONLY.pattern(),
            ),
        ),
        on(callback.CONSOLE_INVITE_NEW, invite_new),
        on(callback.CONSOLE_INVITE_USES, invite_uses),
        on(callback.CONSOLE_INVITE_MAKE, invite_make),
        on(callback.CONSOLE_INVITES, invites),
        on(callback.CONSOLE_INVITE_REVOKE, invite_revoke),
        on(callback.CONSOLE_USERS, users),
        on(callback.CONSOLE_USER, user),
        on(callback.CONSOLE_USER_BY_ID, user_by_id),
        CallbackQueryHandler(
            user_block,
            pattern=both(
                callback.CONSOLE_USER_BLOCK.pattern(), callback.CONSOLE_USER_UNBLOCK.pattern()
            ),
        ),
    ]
