"""pushes"""

from __future__ import annotations

from bot.panel import (
    normalize_state,
)
from bot.texts.formatting import STATUS_LIMIT, esc, money, short, state_emoji
from bot.texts.orders import progress, task_status_word
from storage.models import Order, PanelTask

PUSH_MARK = "🔔 "


def order_push(order: Order, old_status: str | None) -> str:
    before = (
        f"{state_emoji(normalize_state(old_status))} {short(old_status, STATUS_LIMIT)} → "
        if old_status
        else ""
    )
    lines = [
        f"{PUSH_MARK}<b>Order {esc(order.panel_order_id)}</b> · "
        f"{short(order.service_name or '—', 50)}",
        f"{before}{state_emoji(order.status)} <b>{short(order.status_raw, STATUS_LIMIT)}</b>",
    ]
    bar = progress(order.status, order.quantity, order.remains)
    if bar:
        lines.append(bar)
    if order.charge is not None:
        lines.append(f"💵 {money(order.charge, order.currency)}")
    return "\n".join(lines)


def task_push(task: PanelTask, old_status: str | None) -> str:
    label = "♻️ Refill" if task.kind == "refill" else "✖️ Cancel request"
    ident = f" {esc(task.panel_task_id)}" if task.panel_task_id else ""
    before = f"{task_status_word(old_status)} → " if old_status else ""
    return (
        f"{PUSH_MARK}<b>{label}{ident}</b> for order <code>{esc(task.panel_order_id)}</code>\n"
        f"{before}<b>{task_status_word(task.status_raw)}</b>"
    )


def push_digest(pushes: list[str], part: int = 1, parts: int = 1) -> str:
    """Several order_push/task_push texts of one user as one message (part `part` of `parts`)."""
    count = len(pushes)
    title = f"{PUSH_MARK}<b>{count} status update{'' if count == 1 else 's'}</b>"
    if parts > 1:
        title += f" ({part}/{parts})"
    return "\n\n".join([title, *(push.removeprefix(PUSH_MARK) for push in pushes)])


def push_card_button(panel_order_id: str | None) -> str:
    """A digest's button opening one order's card (plain text: buttons are not HTML)."""
    ident = panel_order_id or "?"
    return f"📋 #{ident if len(ident) <= 20 else ident[:19] + '…'}"


def notify_state(enabled: bool) -> str:
    if enabled:
        return "🔔 Status messages are <b>on</b>. /notify to mute them."
    return (
        "🔕 Status messages are <b>muted</b>. Changes are still recorded in /orders. "
        "/notify to turn them back on."
    )
