"""Console → stats, and `/stats` (operators only: anyone else gets the unknown-command reply)."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot import callback, texts
from bot.config import Settings
from bot.context import get_services
from bot.i18n import reader
from bot.keyboards import console_stats as keyboards
from bot.services import stats as stats_service
from handlers.admin.common import Handler, operator_only, show
from handlers.common import Context

# Typed input this section waits for, by kind (see handlers.admin.common.expect_input).
INPUTS: dict[str, Handler] = {}


@operator_only
async def stats(update: Update, context: Context) -> None:
    """Every figure read now; "today" in the operator's time zone. Refresh reads them again."""
    report = await stats_service.gather(get_services(context), reader().zone)
    await show(update, texts.stats.stats(report), keyboards.stats())


def build_handlers(config: Settings) -> list[BaseHandler[Update, Context, Any]]:
    operators = filters.ChatType.PRIVATE & filters.User(user_id=config.admin_ids)
    return [
        CommandHandler("stats", stats, filters=operators),
        CallbackQueryHandler(
            stats,
            pattern=callback.any_of(
                callback.CONSOLE_STATS.pattern(), callback.CONSOLE_STATS_REFRESH.pattern()
            ),
        ),
    ]
