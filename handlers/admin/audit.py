"""Console → audit log (the operators' latest actions, paged) and the panel check."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import callback, texts
from bot.config import Settings
from bot.context import get_services
from bot.keyboards import console_stats as keyboards
from bot.panel.check import check_panel, render
from handlers.admin.common import Handler, audit, operator_only, show
from handlers.common import Context, current_key, edit

logger = logging.getLogger(__name__)

# Typed input this section waits for, by kind (see handlers.admin.common.expect_input).
INPUTS: dict[str, Handler] = {}

PER_PAGE = 20
MAX_PAGES = 25  # the log keeps more; the console shows the latest 500 actions
NAME_SECONDS = 3.0  # operators' names from Telegram: shown if they come this fast


@operator_only
async def audit_log(update: Update, context: Context) -> None:
    data = callback.CONSOLE_AUDIT_PAGE.parse(
        update.callback_query.data if update.callback_query else None
    )
    page = min(data.int_arg(0, callback.PAGE) if data else 0, MAX_PAGES - 1)
    repository = get_services(context).repository
    entries = await repository.recent_actions((page + 1) * PER_PAGE + 1)
    shown = entries[page * PER_PAGE : (page + 1) * PER_PAGE]
    has_older = len(entries) > (page + 1) * PER_PAGE and page + 1 < MAX_PAGES
    if not shown:
        text = f"{texts.console.audit_title(page)}\n\n{texts.console.audit_empty()}"
        await show(update, text, keyboards.audit(page, False))
        return
    names = await _names(context, {entry.operator_id for entry in shown})
    lines = [
        texts.console.audit_line(
            entry.created_at,
            texts.console.audit_operator(entry.operator_id, names.get(entry.operator_id)),
            entry.action,
            entry.detail,
        )
        for entry in shown
    ]
    text = "\n".join([texts.console.audit_title(page), "", *lines])
    await show(update, text, keyboards.audit(page, has_older))


async def _names(context: Context, operator_ids: set[int]) -> dict[int, str]:
    """Each operator's name as Telegram has it (one getChat each, a few operators at most);
    one that does not come in time is shown by id only."""

    async def name(operator_id: int) -> tuple[int, str | None]:
        try:
            chat = await asyncio.wait_for(context.bot.get_chat(operator_id), NAME_SECONDS)
        except (TelegramError, TimeoutError):
            return operator_id, None
        return operator_id, chat.full_name or chat.username

    found = await asyncio.gather(*(name(operator_id) for operator_id in sorted(operator_ids)))
    return {operator_id: value for operator_id, value in found if value}


@operator_only
async def panel_check(update: Update, context: Context) -> None:
    """The report of `python -m bot panel-check`, with the operator's own key. It takes a few
    seconds: "⏳ Checking…" is shown first and replaced by the report."""
    user = update.effective_user
    assert user is not None
    stored = await current_key(context, user.id)
    if stored is None:
        await show(update, texts.console.panel_check_needs_key(), keyboards.panel_check())
        return
    await show(update, texts.console.panel_check_running())
    query = update.callback_query
    message = query.message if query is not None and isinstance(query.message, Message) else None
    services = get_services(context)
    try:
        report = await check_panel(services.panel, stored.key)
    except Exception:  # a bug of ours: the operator gets an answer, the log the details
        logger.exception("Panel check from the console failed")
        await edit(message, texts.console.panel_check_failed(), keyboards.panel_check())
        return
    await audit(context, user.id, "panel_check", "answered" if report.answered else "no answer")
    await edit(message, texts.console.panel_check_report(render(report)), keyboards.panel_check())


def build_handlers(config: Settings) -> list[BaseHandler[Update, Context, Any]]:
    return [
        CallbackQueryHandler(
            audit_log,
            pattern=callback.any_of(
                callback.CONSOLE_AUDIT.pattern(), callback.CONSOLE_AUDIT_PAGE.pattern()
            ),
        ),
        CallbackQueryHandler(panel_check, pattern=callback.CONSOLE_PANEL_CHECK.pattern()),
    ]
