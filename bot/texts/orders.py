"""orders"""

from __future__ import annotations

from bot.panel import (
    OrderState,
    OrderStatus,
)
from bot.texts.formatting import (
    ID_ROW_CHARS,
    MESSAGE_BUDGET,
    STATUS_LIMIT,
    esc,
    money,
    number,
    pack_lines,
    short,
    state_emoji,
    when,
)
from storage.models import Order, PanelTask, Placement, TaskStatus

# Status shown for a refill or cancel the bot cannot follow (no id from the panel).
# Rows written before the codes (TaskStatus) held these sentences.
_LEGACY_TASK_WORDS = {
    "Unclear (no answer from the panel)": TaskStatus.UNCLEAR,
    "Requested": TaskStatus.REQUESTED,
}


def task_status_word(status_raw: str | None) -> str:
    """A refill's or cancel's status: our own codes worded, the panel's word as it sent it."""
    code = _LEGACY_TASK_WORDS.get(status_raw or "", status_raw)
    if code == TaskStatus.UNCLEAR:
        return "Unclear (no answer from the panel)"
    if code == TaskStatus.REQUESTED:
        return "Requested"
    return short(status_raw or "—", STATUS_LIMIT)


def refill_unclear() -> str:
    return (
        "❓ The panel gave no clear answer, so the refill may or may not have been requested. "
        "I won't send it again by myself — check the order card in a while."
    )


def cancel_unclear() -> str:
    return (
        "❓ The panel gave no clear answer, so the cancellation may or may not have been "
        "requested. I won't send it again by myself — check the order card in a while."
    )


def _bar(share: float, width: int) -> str:
    filled = round(share * width)
    return f"{'▓' * filled}{'░' * (width - filled)} {round(share * 100)}%"


def progress_bar(quantity: int | None, remains: int | None, width: int = 10) -> str:
    """From `remains` alone (what is left of `quantity`); over-delivery reads as 100%."""
    if not quantity or remains is None:
        return ""
    delivered = max(min(quantity - remains, quantity), 0) if remains >= 0 else quantity
    return _bar(delivered / quantity, width)


# States whose order will deliver nothing more: no bar (a "100%" would read as delivered).
_NO_BAR = frozenset(
    {
        OrderState.CANCELED,
        OrderState.REFUNDED,
        OrderState.FAILED,
        OrderState.REJECTED,
        OrderState.EXPIRED,
    }
)


def progress(state: str | None, quantity: int | None, remains: int | None, width: int = 10) -> str:
    """The bar as the status means it: Pending 0% (panels report `remains` 0 or the full
    quantity before they start), In progress from `remains`, Partial with what was delivered
    and what was not, Completed 100%, nothing for Canceled, Refunded and other dead ends."""
    try:
        known = OrderState(state or "unknown")
    except ValueError:
        known = OrderState.UNKNOWN
    if known in _NO_BAR:
        return ""
    if known is OrderState.PENDING:
        return _bar(0, width)
    if known is OrderState.COMPLETED:
        return _bar(1, width)
    bar = progress_bar(quantity, remains, width)
    if known is OrderState.PARTIAL and bar and quantity and remains is not None and remains > 0:
        missing = min(remains, quantity)
        return (
            f"{bar} · {number(quantity - missing)} of {number(quantity)} delivered, "
            f"{number(missing)} not"
        )
    return bar


def _nameless(order: Order) -> str:
    return "📌 website order" if order.placement == Placement.TRACKED else "order"


def _orders_line(order: Order) -> str:
    if order.panel_order_id is None and order.placement == Placement.PLACING:
        return f"⏳ <i>being placed</i> {short(order.service_name or 'order', 28)}"
    if order.panel_order_id is None:  # the panel never confirmed it
        return (
            f"❓ <i>unconfirmed</i> {short(order.service_name or 'order', 28)} · "
            f"{when(order.created_at)} — check your panel"
        )
    bar = progress(order.status, order.quantity, order.remains, width=5)
    name = short(order.service_name or _nameless(order), 28)
    return (
        f"{state_emoji(order.status)} <code>{esc(order.panel_order_id)}</code> {name} · "
        f"{short(order.status_raw or '—', STATUS_LIMIT)}{' ' + bar if bar else ''}"
    )


def orders_list(orders: list[Order], page: int, pages: int) -> str:
    if not orders:
        return "📦 You have no orders yet. /order to place one."
    lines = [f"📦 <b>Your orders</b> (page {page + 1}/{pages})", ""]
    lines += [_orders_line(order) for order in orders]
    lines.append("\nTap an order to open it.")
    return "\n".join(lines)


def order_button(order: Order) -> str:
    name = order.service_name or _nameless(order)
    name = name if len(name) <= 30 else name[:29] + "…"
    return f"{state_emoji(order.status)} {order.panel_order_id} · {name}"


def remains_text(remains: int | None) -> str:
    if remains is None:
        return "unknown"
    if remains < 0:
        return f"{number(-remains)} over-delivered"
    return number(remains)


def order_card(order: Order, tasks: list[PanelTask]) -> str:
    lines = [
        f"{state_emoji(order.status)} <b>Order {esc(order.panel_order_id)}</b>",
        f"📦 {esc(order.service_name or 'Placed on the panel website')}",
    ]
    if order.link:
        lines.append(f"🔗 {short(order.link, 120)}")
    if order.quantity is not None:
        lines.append(f"🔢 Quantity: {number(order.quantity)}")
    lines.append(f"💵 Charge: {money(order.charge, order.currency)}")
    lines.append(f"▶️ Start count: {number(order.start_count)}")
    lines.append(f"⏳ Remains: {remains_text(order.remains)}")
    bar = progress(order.status, order.quantity, order.remains)
    if bar:
        lines.append(bar)
    lines.append(f"📍 Status: <b>{short(order.status_raw or '—', STATUS_LIMIT)}</b>")
    for task in tasks:
        label = "♻️ Refill" if task.kind == "refill" else "✖️ Cancel request"
        ident = f" {esc(task.panel_task_id)}" if task.panel_task_id else ""
        lines.append(f"{label}{ident}: {task_status_word(task.status_raw)}")
    lines.append(f"🕓 Placed: {when(order.placed_at)}")
    lines.append(f"🔄 Checked: {when(order.checked_at)}")
    return "\n".join(lines)


def button_refresh() -> str:
    return "🔄 Refresh"


def button_refill() -> str:
    return "♻️ Refill"


def button_cancel_order() -> str:
    return "✖️ Cancel order"


def button_order_again() -> str:
    return "🔁 Order again"


def button_track() -> str:
    return "📌 Track"


def button_untrack() -> str:
    return "📌 Stop tracking"


def order_not_found() -> str:
    return "This order is not in your list."


def panel_forgot_order() -> str:
    return "The panel no longer knows this order (it answers “Incorrect order ID”)."


def refill_under_way() -> str:
    return "A refill of this order is already under way."


def refill_not_allowed() -> str:
    return "This order can't be refilled (the service or its status doesn't allow it)."


def cancel_not_allowed() -> str:
    return "This order can't be cancelled (the service or its status doesn't allow it)."


def refill_unsupported() -> str:
    return "This panel doesn't offer refills."


def cancel_unsupported() -> str:
    return "This panel doesn't offer cancellations."


def refill_not_now() -> str:
    return "♻️ Refills are not available right now. Nothing was requested — please try again later."


def cancel_not_now() -> str:
    return (
        "✖️ Cancelling is not available right now. Nothing was requested — please try again later."
    )


def cancel_already() -> str:
    return "A cancellation was already requested for this order."


def status_usage() -> str:
    return (
        "Send order ids after the command, e.g. <code>/status 123 456</code> (up to 1000, "
        "spaces or commas). Your orders among them are tracked: you get a message when their "
        "status changes."
    )


def refill_usage() -> str:
    return "Send order ids after the command, e.g. <code>/refill 123</code> (up to 100)."


def too_many_ids(limit: int) -> str:
    return f"That's more than {limit} ids — please send at most {limit} at once."


def not_an_id() -> str:
    return "not an order id"


def not_found() -> str:
    return "not found"


def id_report(title: str, lines: list[tuple[str, str]]) -> list[str]:
    """A per-id report, (id, already escaped text) per line, split into messages that fit."""
    rendered = [f"<code>{esc(order_id)}</code> — {text}" for order_id, text in lines]
    messages: list[str] = []
    current: list[str] = []
    for line in rendered:
        if current and len("\n".join(current)) + len(line) > MESSAGE_BUDGET:
            messages.append("\n".join(current))
            current = []
        current.append(line)
    messages.append("\n".join(current))
    if len(messages) == 1:
        return [f"{title}\n\n{messages[0]}"]
    count = len(messages)
    return [f"{title} ({i}/{count})\n\n{body}" for i, body in enumerate(messages, start=1)]


def status_title() -> str:
    return "📋 <b>Order status</b>"


def refill_title() -> str:
    return "♻️ <b>Refill</b>"


def status_line(status: OrderStatus, known: Order | None) -> str:
    quantity = known.quantity if known else None
    bar = progress(status.state.value, quantity, status.remains, width=5)
    name = f"{short(known.service_name, 24)} · " if known and known.service_name else ""
    remains = f", remains {remains_text(status.remains)}" if status.remains is not None else ""
    tail = f" {bar}" if bar else ""
    word = short(status.status_raw, STATUS_LIMIT)
    return f"{state_emoji(status.state)} {name}<b>{word}</b>{remains}{tail}"


def now_tracking(count: int) -> str:
    """Under a /status report: orders placed on the panel's website, tracked from now on."""
    them = "it" if count == 1 else "them"
    orders = "1 order" if count == 1 else f"{number(count)} orders"
    return (
        f"📌 Now tracking {orders} placed on the panel's website: you'll get a message when "
        f"{'its' if count == 1 else 'their'} status changes. See {them} in /orders "
        "(the order card has “Stop tracking”)."
    )


def status_groups(
    title: str, results: list[tuple[str, OrderStatus | None]], footer: str = ""
) -> list[str]:
    """A long /status answer: the ids grouped by status (None: not found), in as few messages
    as fit, instead of a line per id."""
    groups: dict[tuple[str, str], list[str]] = {}
    for order_id, status in results:
        head = (
            (state_emoji(status.state), f"<b>{short(status.status_raw, STATUS_LIMIT)}</b>")
            if status is not None
            else ("⚠️", not_found())
        )
        groups.setdefault(head, []).append(esc(order_id))
    lines = [f"{title} · {number(len(results))} ids", ""]
    for (emoji, word), ids in groups.items():
        lines.append(f"{emoji} {word} ({number(len(ids))}):")
        row: list[str] = []
        for order_id in ids:
            if row and len(", ".join(row)) + len(order_id) > ID_ROW_CHARS:
                lines.append(", ".join(row) + ",")
                row = []
            row.append(order_id)
        lines.append(", ".join(row))
    if footer:
        lines += ["", footer]
    return pack_lines(lines)


def tracked() -> str:
    return "📌 Tracking it: you'll get a message when its status changes."


def untracked(order_id: str | None) -> str:
    return (
        f"📌 Stopped tracking order <code>{esc(order_id)}</code>: no more messages about it. "
        f"<code>/status {esc(order_id)}</code> tracks it again."
    )


def refill_requested(refill_id: str | None) -> str:
    return f"requested (refill {esc(refill_id)})" if refill_id else "requested"


def cancel_requested(cancel_id: str | None) -> str:
    ident = f" (cancel {esc(cancel_id)})" if cancel_id else ""
    return f"✖️ Cancellation requested{ident}. I'll tell you when the panel answers."
