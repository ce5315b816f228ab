"""Texts of status messages (pushes) and their digests, in the recipient's language."""

from __future__ import annotations

from bot.i18n import _, isolate, n_, p_
from bot.panel import (
    normalize_state,
)
from bot.texts.formatting import esc, money, number, short, state_emoji
from bot.texts.orders import numbered, progress, raw_status_word, status_word, task_status_word
from storage.models import Order, PanelTask

PUSH_MARK = "🔔 "


def _change(old: str, new: str) -> str:
    # TRANSLATORS: a status change in a status message: {old} is the status before, {new}
    # the status now (each with its emoji).
    return p_("status change", "{old} → {new}", old=old, new=new)


def order_push(order: Order, old_status: str | None) -> str:
    now = f"{state_emoji(order.status)} <b>{status_word(order.status, order.status_raw)}</b>"
    if old_status:
        before = f"{state_emoji(normalize_state(old_status))} {raw_status_word(old_status)}"
        now = _change(before, now)
    # TRANSLATORS: first line of a status message: {id} is the panel's order id, {service}
    # the service's name.
    title = _(
        "<b>Order {id}</b> · {service}",
        id=esc(order.panel_order_id),
        service=short(order.service_name or "—", 50),
    )
    lines = [f"{PUSH_MARK}{title}", now]
    bar = progress(order.status, order.quantity, order.remains)
    if bar:
        lines.append(bar)
    if order.charge is not None:
        lines.append(f"💵 {money(order.charge, order.currency)}")
    return "\n".join(lines)


def _task_title(task: PanelTask) -> str:
    order_id = esc(task.panel_order_id)
    if task.kind == "refill":
        if task.panel_task_id:
            # TRANSLATORS: first line of a status message about a refill: {id} is the
            # panel's refill id, {order} the order's id.
            return _(
                "<b>♻️ Refill {id}</b> for order <code>{order}</code>",
                id=esc(task.panel_task_id),
                order=order_id,
            )
        # TRANSLATORS: first line of a status message about a refill; {order} is the order id.
        return _("<b>♻️ Refill</b> for order <code>{order}</code>", order=order_id)
    if task.panel_task_id:
        # TRANSLATORS: first line of a status message about a cancel request: {id} is the
        # panel's id of the request, {order} the order's id.
        return _(
            "<b>✖️ Cancel request {id}</b> for order <code>{order}</code>",
            id=esc(task.panel_task_id),
            order=order_id,
        )
    # TRANSLATORS: first line of a status message about a cancel request; {order} is the
    # order id.
    return _("<b>✖️ Cancel request</b> for order <code>{order}</code>", order=order_id)


def task_push(task: PanelTask, old_status: str | None) -> str:
    now = f"<b>{task_status_word(task.status_raw)}</b>"
    if old_status:
        now = _change(task_status_word(old_status), now)
    return f"{PUSH_MARK}{_task_title(task)}\n{now}"


def push_digest(pushes: list[str], part: int = 1, parts: int = 1) -> str:
    """Several order_push/task_push texts of one user as one message (part `part` of `parts`)."""
    count = len(pushes)
    # TRANSLATORS: title of one message gathering several status messages.
    title = n_(
        "<b>{count} status update</b>",
        "<b>{count} status updates</b>",
        count,
        count=number(count),
    )
    if parts > 1:
        title = numbered(title, part, parts)
    return "\n\n".join([PUSH_MARK + title, *(push.removeprefix(PUSH_MARK) for push in pushes)])


def push_card_button(panel_order_id: str | None) -> str:
    """A digest's button opening one order's card (plain text: buttons are not HTML)."""
    ident = panel_order_id or "?"
    return f"📋 #{isolate(ident if len(ident) <= 20 else ident[:19] + '…')}"
