"""/start, /help, the main menu and /balance."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callback, keyboards, texts
from bot.context import get_services
from bot.panel import PanelError
from handlers import waiting
from handlers.common import (
    Context,
    answer_query,
    console_settings,
    reply,
    support_note,
    top_up_url,
    user_key,
    welcome,
)


async def start(update: Update, context: Context) -> None:
    await welcome(update, context)


async def help_command(update: Update, context: Context) -> None:
    """The built-in help, then the operators' addition and support contact (when set)."""
    await answer_query(update)
    console = await console_settings(context)
    addition = console.help_addition if console is not None else None
    text = texts.common.help_with(addition, await support_note(context))
    await reply(update, text, keyboards.main_menu())


@waiting.patient
async def balance(update: Update, context: Context) -> None:
    stored = await user_key(update, context)
    if stored is None:
        return
    try:
        result = await waiting.call(get_services(context).interactive.balance(stored.key))
    except PanelError as error:
        await waiting.tell_panel_error(update, error)
    else:
        top_up = keyboards.top_up(await top_up_url(context))
        await waiting.reply(
            update, texts.common.balance_text(result), keyboards.with_links(None, top_up)
        )


def build_handlers() -> list[BaseHandler[Update, Context, Any]]:
    return [
        CommandHandler("start", start),
        CommandHandler("help", help_command),
        CommandHandler("balance", balance),
        CallbackQueryHandler(help_command, pattern=callback.MENU_HELP.pattern()),
        CallbackQueryHandler(balance, pattern=callback.MENU_BALANCE.pattern()),
    ]
