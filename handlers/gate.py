"""The gate every customer update passes first: maintenance, invite-only access and users an
operator blocked. Operators always pass."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler

from handlers.common import Context

# Right after the reader is settled (the refusal is in the user's language), before anything.
GATE_GROUP = -9


def build_handlers() -> list[BaseHandler[Update, Context, Any]]:
    return []
