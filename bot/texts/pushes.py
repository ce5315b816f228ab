"""Texts of status messages (pushes) and their digests, in the recipient's language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from bot.i18n import _, isolate, n_, p_
from bot.panel import (
    OrderState,
    normalize_state,
)
from bot.texts.formatting import esc, money, number, short, state_emoji
from bot.texts.orders import (
    numbered,
    progress,
    raw_status_word,
    status_word,
    task_card_line,
    task_status_word,
)
from storage.models import Order, PanelTask

PUSH_MARK = "🔔 "


def _change(old: str, new: str) -> str:
    # TRANSLATORS: a status change in a status message: {old} is the status before, {new}
    # the status now (each with its emoji).
    return p_("status change", "{old} → {new}", old=old, new=new)


def order_push(order: Order, old_status: str | None, cancels: Sequence[PanelTask] = ()) -> str:
    """What changed, for which link, how much was delivered, what was not and what the panel
    refunds (from `remains`, `charge` and the price paid); `cancels`: the order's cancel
    requests told in the same message (one message per cancel, not one per row)."""
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
    lines = [f"{PUSH_MARK}{title}"]
    if order.link:
        lines.append(f"🔗 {isolate(short(order.link, LINK_LIMIT))}")
    lines.append(now)
    bar = progress(order.status, order.quantity, order.remains)
    if bar:
        lines.append(bar)
    lines += [task_card_line(task) for task in cancels]
    refund = refund_of(order)
    if refund is not None:
        lines.append(_refund_line(order, refund))
    if order.charge is not None:
        # TRANSLATORS: in a status message: what the order costs now, e.g. "0.72 USD".
        lines.append(_("💵 Charged: {amount}", amount=money(order.charge, order.currency)))
    return "\n".join(lines)


LINK_LIMIT = 60  # a link in a status message: enough to recognise it on a phone


@dataclass(frozen=True)
class Refund:
    amount: Decimal
    exact: bool  # the panel's charge already shows it; False: the undelivered share of it


def refund_of(order: Order) -> Refund | None:
    """What the panel gives back for an order that will deliver no more.

    Canceled or Refunded: everything paid (the price when the bot placed it, else the panel's
    charge), less what the panel still charges. Partial: the price paid less the panel's
    lowered charge when it shows one (exact); otherwise the undelivered share of the charge
    (`charge × remains / quantity`, the panels' rule; shown as "about"). None: no refund, or
    nothing to compute it from."""
    state = order.status or normalize_state(order.status_raw).value
    paid, charge = order.price, order.charge
    if state in {OrderState.CANCELED.value, OrderState.REFUNDED.value}:
        total = paid if paid is not None else charge
        if total is None or total <= 0:
            return None
        kept = charge if paid is not None and charge is not None and charge < paid else 0
        return Refund(total - kept, True)
    missing = _missing(order)
    if state != OrderState.PARTIAL.value or not missing or not order.quantity:
        return None
    if paid is not None and charge is not None and charge < paid:
        return Refund(paid - charge, True)
    base = charge if charge is not None else paid
    if base is None or base <= 0:
        return None
    return Refund(base * missing / order.quantity, False)


def _missing(order: Order) -> int | None:
    if order.quantity is None or order.remains is None:
        return None
    return max(min(order.remains, order.quantity), 0)


def _refund_line(order: Order, refund: Refund) -> str:
    amount = money(refund.amount, order.currency)
    if refund.exact:
        # TRANSLATORS: in a status message: what the panel gave back for what was not
        # delivered, e.g. "0.18 USD".
        return _("↩️ Refunded: {amount}", amount=amount)
    # TRANSLATORS: in a status message about a partly delivered order: the panel gives back
    # the price of what was not delivered, computed from it: about {amount}.
    return _("↩️ The panel refunds about {amount} for what was not delivered", amount=amount)


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
