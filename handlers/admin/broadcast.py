"""Console → broadcast."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler

from bot.config import Settings
from handlers.admin.common import Handler
from handlers.common import Context

# Typed input this section waits for, by kind (see handlers.admin.common.expect_input).
INPUTS: dict[str, Handler] = {}


def build_handlers(config: Settings) -> list[BaseHandler[Update, Context, Any]]:
    return []
