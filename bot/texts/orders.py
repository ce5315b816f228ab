"""Texts of the order list, the order card, /status and /refill reports, refill and cancel
answers and tracking: every message read from the catalogues in the reader's language."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_percent

from bot.i18n import _, isolate, n_, p_
from bot.panel import (
    OrderState,
    OrderStatus,
    normalize_state,
)
from bot.texts.formatting import (
    ID_ROW_CHARS,
    MESSAGE_BUDGET,
    STATUS_LIMIT,
    esc,
    locale,
    money,
    number,
    pack_lines,
    short,
    state_emoji,
    when,
)
from storage.models import Order, PanelTask, Placement, TaskStatus


def _state_words() -> dict[OrderState, str]:
    """The bot's word for each known state, in the reader's language (built when shown)."""
    return {
        # TRANSLATORS: an order's status (also a refill's or a cancel request's), shown in
        # lists, on the order card and in status messages: short, capitalised like a label.
        OrderState.PENDING: p_("order status", "Pending"),
        OrderState.IN_PROGRESS: p_("order status", "In progress"),
        OrderState.PROCESSING: p_("order status", "Processing"),
        OrderState.ACTIVE: p_("order status", "Active"),
        OrderState.PAUSED: p_("order status", "Paused"),
        OrderState.COMPLETED: p_("order status", "Completed"),
        OrderState.PARTIAL: p_("order status", "Partial"),
        OrderState.CANCELED: p_("order status", "Canceled"),
        OrderState.REFUNDED: p_("order status", "Refunded"),
        OrderState.FAILED: p_("order status", "Failed"),
        OrderState.EXPIRED: p_("order status", "Expired"),
        OrderState.REJECTED: p_("order status", "Rejected"),
    }


def status_word(state: str | None, status_raw: str | None) -> str:
    """A status as the reader reads it: a known state in the reader's language; a word the
    bot does not know as the panel sent it (escaped and cut)."""
    try:
        known = OrderState(state or OrderState.UNKNOWN)
    except ValueError:
        known = OrderState.UNKNOWN
    word = _state_words().get(known)
    if word is not None:
        return word
    return short(status_raw or "—", STATUS_LIMIT)


def raw_status_word(status_raw: str | None) -> str:
    """status_word for a stored raw status alone (an old status, a task's status)."""
    return status_word(normalize_state(status_raw), status_raw)


# Status shown for a refill or cancel the bot cannot follow (no id from the panel).
# Rows written before the codes (TaskStatus) held these sentences.
_LEGACY_TASK_WORDS = {
    "Unclear (no answer from the panel)": TaskStatus.UNCLEAR,
    "Requested": TaskStatus.REQUESTED,
}


def task_status_word(status_raw: str | None) -> str:
    """A refill's or cancel's status: our own codes and known states worded in the reader's
    language, any other panel word as it sent it."""
    code = _LEGACY_TASK_WORDS.get(status_raw or "", status_raw)
    if code == TaskStatus.UNCLEAR:
        # TRANSLATORS: status of a refill or cancel request the panel gave no clear answer to.
        return p_("task status", "Unclear (no answer from the panel)")
    if code == TaskStatus.REQUESTED:
        # TRANSLATORS: status of a refill or cancel request the panel accepted without an id.
        return p_("task status", "Requested")
    return raw_status_word(status_raw)


def refill_unclear() -> str:
    return _(
        "❓ The panel gave no clear answer, so the refill may or may not have been requested. "
        "I won't send it again by myself — check the order card in a while."
    )


def cancel_unclear() -> str:
    return _(
        "❓ The panel gave no clear answer, so the cancellation may or may not have been "
        "requested. I won't send it again by myself — check the order card in a while."
    )


def _bar(share: float, width: int) -> str:
    filled = round(share * width)
    percent = format_percent(Decimal(round(share * 100)) / 100, locale=locale())
    return f"{'▓' * filled}{'░' * (width - filled)} {isolate(percent)}"


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
        delivered = quantity - missing
        # TRANSLATORS: a partially delivered order. {bar} is a progress bar such as
        # "▓▓▓▓░ 70%"; {count} is how many were delivered (the plural form follows it),
        # {total} the quantity ordered, {missing} how many were not delivered.
        return n_(
            "{bar} · {count} of {total} delivered, {missing} not",
            "{bar} · {count} of {total} delivered, {missing} not",
            delivered,
            bar=bar,
            count=number(delivered),
            total=number(quantity),
            missing=number(missing),
        )
    return bar


def _nameless(order: Order) -> str:
    if order.placement == Placement.TRACKED:
        # TRANSLATORS: stands for the service name of an order placed on the panel's website.
        return _("📌 website order")
    # TRANSLATORS: stands for the service name of an order whose service is not known.
    return p_("service name", "order")


def _orders_line(order: Order) -> str:
    # Not nested in the _() below: Babel's extractor drops a message whose arguments call p_().
    service = short(order.service_name or p_("service name", "order"), 28)
    if order.panel_order_id is None and order.placement == Placement.PLACING:
        # TRANSLATORS: a line of the order list; {service} is the service's name.
        return _("⏳ <i>being placed</i> {service}", service=service)
    if order.panel_order_id is None:  # the panel never confirmed it
        # TRANSLATORS: a line of the order list; {service} is the service's name, {time}
        # when the order was sent.
        return _(
            "❓ <i>unconfirmed</i> {service} · {time} — check your panel",
            service=service,
            time=when(order.created_at),
        )
    bar = progress(order.status, order.quantity, order.remains, width=5)
    name = short(order.service_name or _nameless(order), 28)
    return (
        f"{state_emoji(order.status)} {isolate(f'<code>{esc(order.panel_order_id)}</code>')} "
        f"{isolate(name)} · {status_word(order.status, order.status_raw)}"
        f"{' ' + bar if bar else ''}"
    )


def orders_list(orders: list[Order], page: int, pages: int, shown: str = "all") -> str:
    if not orders and shown == "active":
        return _("📦 None of your orders is running now.")
    if not orders and shown == "done":
        return _("📦 None of your orders is finished yet.")
    if not orders:
        return _("📦 You have no orders yet. /order to place one.")
    # TRANSLATORS: title of the order list; {page} of {pages} pages.
    lines = [
        _(
            "📦 <b>Your orders</b> (page {page}/{pages})",
            page=number(page + 1),
            pages=number(pages),
        ),
        "",
    ]
    lines += [_orders_line(order) for order in orders]
    lines.append("\n" + _("Tap an order to open it."))
    return "\n".join(lines)


def shown_choice(choice: str, current: bool) -> str:
    """/orders' filter buttons: all orders, the running ones, the finished ones."""
    labels = {
        # TRANSLATORS: /orders filter button (short: three share a row).
        "all": _("All"),
        # TRANSLATORS: /orders filter button: orders still running (short).
        "active": _("Running"),
        # TRANSLATORS: /orders filter button: finished orders (short).
        "done": _("Finished"),
    }
    return f"• {labels[choice]} •" if current else labels[choice]


def order_button(order: Order) -> str:
    name = order.service_name or _nameless(order)
    name = name if len(name) <= 30 else name[:29] + "…"
    return f"{state_emoji(order.status)} {isolate(str(order.panel_order_id))} · {isolate(name)}"


def remains_text(remains: int | None) -> str:
    if remains is None:
        # TRANSLATORS: how much of an order remains to deliver, when the panel did not say.
        return p_("remains", "unknown")
    if remains < 0:
        # TRANSLATORS: an order that got more than was ordered; {count} is how many more.
        return n_(
            "{count} over-delivered", "{count} over-delivered", -remains, count=number(-remains)
        )
    return number(remains)


def _task_line(task: PanelTask) -> str:
    status = task_status_word(task.status_raw)
    if task.kind == "refill":
        if task.panel_task_id:
            # TRANSLATORS: on the order card; {id} is the panel's refill id.
            return _("♻️ Refill {id}: {status}", id=esc(task.panel_task_id), status=status)
        return _("♻️ Refill: {status}", status=status)
    if task.panel_task_id:
        # TRANSLATORS: on the order card; {id} is the panel's id of the cancel request.
        return _("✖️ Cancel request {id}: {status}", id=esc(task.panel_task_id), status=status)
    return _("✖️ Cancel request: {status}", status=status)


def task_card_line(task: PanelTask) -> str:
    """A refill's or cancel's line as on the order card (also under a status message)."""
    return _task_line(task)


def order_card(order: Order, tasks: list[PanelTask]) -> str:
    service = (
        isolate(esc(order.service_name))
        if order.service_name
        else _("Placed on the panel website")
    )
    lines = [
        # TRANSLATORS: title of the order card; {id} is the panel's order id.
        f"{state_emoji(order.status)} " + _("<b>Order {id}</b>", id=esc(order.panel_order_id)),
        f"📦 {service}",
    ]
    if order.link:
        lines.append(f"🔗 {isolate(short(order.link, 120))}")
    if order.quantity is not None:
        lines.append(_("🔢 Quantity: {quantity}", quantity=number(order.quantity)))
    lines.append(_("💵 Charge: {charge}", charge=money(order.charge, order.currency)))
    lines.append(_("▶️ Start count: {start_count}", start_count=number(order.start_count)))
    lines.append(_("⏳ Remains: {remains}", remains=remains_text(order.remains)))
    bar = progress(order.status, order.quantity, order.remains)
    if bar:
        lines.append(bar)
    lines.append(
        _("📍 Status: <b>{status}</b>", status=status_word(order.status, order.status_raw))
    )
    lines += [_task_line(task) for task in tasks]
    if order.placement == Placement.TRACKED:
        # TRANSLATORS: on the card of an order placed on the panel's website: when the bot
        # began to follow it (not when it was placed).
        lines.append(_("🕓 Tracked since: {time}", time=when(order.placed_at)))
    else:
        lines.append(_("🕓 Placed: {time}", time=when(order.placed_at)))
    lines.append(_("🔄 Checked: {time}", time=when(order.checked_at)))
    return "\n".join(lines)


def button_refresh() -> str:
    # TRANSLATORS: button on the order card (≤ 30 characters).
    return _("🔄 Refresh")


def button_refill() -> str:
    # TRANSLATORS: button on the order card asking the panel to refill the order (≤ 30).
    return _("♻️ Refill")


def button_cancel_order() -> str:
    # TRANSLATORS: button on the order card (≤ 30 characters).
    return _("✖️ Cancel order")


def button_order_again() -> str:
    # TRANSLATORS: button on the order card: the same service again (≤ 30 characters).
    return _("🔁 Order again")


def button_track() -> str:
    # TRANSLATORS: button: get status messages for this order (≤ 30 characters).
    return _("📌 Track")


def button_untrack() -> str:
    # TRANSLATORS: button: no more status messages for this order (≤ 30 characters).
    return _("📌 Stop tracking")


def order_not_found() -> str:
    return _("This order is not in your list.")


def panel_forgot_order() -> str:
    return _("The panel no longer knows this order (it answers “Incorrect order ID”).")


def refill_under_way() -> str:
    return _("A refill of this order is already under way.")


def refill_not_allowed() -> str:
    return _("This order can't be refilled (the service or its status doesn't allow it).")


def cancel_not_allowed() -> str:
    return _("This order can't be cancelled (the service or its status doesn't allow it).")


def refill_unsupported() -> str:
    return _("This panel doesn't offer refills.")


def cancel_unsupported() -> str:
    return _("This panel doesn't offer cancellations.")


def refill_not_now() -> str:
    return _(
        "♻️ Refills are not available right now. Nothing was requested — please try again later."
    )


def cancel_not_now() -> str:
    return _(
        "✖️ Cancelling is not available right now. Nothing was requested — please try again later."
    )


def cancel_already() -> str:
    return _("A cancellation was already requested for this order.")


def status_usage() -> str:
    # TRANSLATORS: keep the command /status as it is.
    return _(
        "Send order ids after the command, e.g. <code>/status 123 456</code> (up to 1000, "
        "spaces or commas). Your orders among them are tracked: you get a message when their "
        "status changes."
    )


def refill_usage() -> str:
    # TRANSLATORS: keep the command /refill as it is.
    return _("Send order ids after the command, e.g. <code>/refill 123</code> (up to 100).")


def too_many_ids(limit: int) -> str:
    # TRANSLATORS: {count} is the most order ids one command takes.
    return n_(
        "That's more than {count} id — please send at most {count} at once.",
        "That's more than {count} ids — please send at most {count} at once.",
        limit,
        count=number(limit),
    )


def not_an_id() -> str:
    # TRANSLATORS: after something sent as an order id in a list: "abc — ⚠️ not an order id".
    return _("not an order id")


def not_found() -> str:
    # TRANSLATORS: after an order id in a list: "123 — ⚠️ not found" (the panel has no such
    # order); also the heading of the group of such ids in a long /status answer.
    return _("not found")


def numbered(title: str, part: int, parts: int) -> str:
    """A title of one message of several: "📋 Order status (2/3)"."""
    # TRANSLATORS: the title of message {part} of {count} of one long answer; {title} is the
    # answer's own title.
    return n_(
        "{title} ({part}/{count})",
        "{title} ({part}/{count})",
        parts,
        title=title,
        part=number(part),
        count=number(parts),
    )


def id_report(title: str, lines: list[tuple[str, str]]) -> list[str]:
    """A per-id report, (id, already escaped text) per line, split into messages that fit."""
    rendered = [f"{isolate(f'<code>{esc(order_id)}</code>')} — {text}" for order_id, text in lines]
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
    return [f"{numbered(title, i, count)}\n\n{body}" for i, body in enumerate(messages, start=1)]


def status_title() -> str:
    # TRANSLATORS: title of the /status answer.
    return _("📋 <b>Order status</b>")


def refill_title() -> str:
    # TRANSLATORS: title of the /refill answer.
    return _("♻️ <b>Refill</b>")


def status_line(status: OrderStatus, known: Order | None) -> str:
    quantity = known.quantity if known else None
    bar = progress(status.state.value, quantity, status.remains, width=5)
    name = f"{isolate(short(known.service_name, 24))} · " if known and known.service_name else ""
    word = status_word(status.state, status.status_raw)
    if status.remains is not None:
        # TRANSLATORS: one order's status after its id in a /status answer; {remains} is how
        # many are still to deliver.
        shown = _(
            "<b>{status}</b>, remains {remains}",
            status=word,
            remains=remains_text(status.remains),
        )
    else:
        shown = f"<b>{word}</b>"
    tail = f" {bar}" if bar else ""
    return f"{state_emoji(status.state)} {name}{shown}{tail}"


def now_tracking(count: int) -> str:
    """Under a /status report: orders placed on the panel's website, tracked from now on."""
    # TRANSLATORS: keep /orders as it is; “Stop tracking” is the button's label.
    return n_(
        "📌 Now tracking {count} order placed on the panel's website: you'll get a message when "
        "its status changes. See it in /orders (the order card has “Stop tracking”).",
        "📌 Now tracking {count} orders placed on the panel's website: you'll get a message "
        "when their status changes. See them in /orders (the order card has “Stop tracking”).",
        count,
        count=number(count),
    )


def status_groups(
    title: str, results: list[tuple[str, OrderStatus | None]], footer: str = ""
) -> list[str]:
    """A long /status answer: the ids grouped by status (None: not found), in as few messages
    as fit, instead of a line per id."""
    groups: dict[tuple[str, str], list[str]] = {}
    for order_id, status in results:
        head = (
            (state_emoji(status.state), f"<b>{status_word(status.state, status.status_raw)}</b>")
            if status is not None
            else ("⚠️", not_found())
        )
        groups.setdefault(head, []).append(esc(order_id))
    lines = [
        # TRANSLATORS: title of a long /status answer; {title} is "Order status", {count}
        # how many order ids were asked about.
        n_(
            "{title} · {count} id",
            "{title} · {count} ids",
            len(results),
            title=title,
            count=number(len(results)),
        ),
        "",
    ]
    for (emoji, word), ids in groups.items():
        # TRANSLATORS: heading of a group of order ids in a long /status answer: {status}
        # is their status, {count} how many ids follow.
        group_head = n_(
            "{status} ({count}):",
            "{status} ({count}):",
            len(ids),
            status=word,
            count=number(len(ids)),
        )
        lines.append(f"{emoji} {group_head}")
        row: list[str] = []
        for order_id in ids:
            if row and len(", ".join(row)) + len(order_id) > ID_ROW_CHARS:
                lines.append(isolate(", ".join(row) + ","))
                row = []
            row.append(order_id)
        lines.append(isolate(", ".join(row)))
    if footer:
        lines += ["", footer]
    return pack_lines(lines)


def tracked() -> str:
    return _("📌 Tracking it: you'll get a message when its status changes.")


def untracked(order_id: str | None) -> str:
    # TRANSLATORS: {id} is the panel's order id; keep the command /status as it is.
    return _(
        "📌 Stopped tracking order <code>{id}</code>: no more messages about it. "
        "<code>/status {id}</code> tracks it again.",
        id=esc(order_id),
    )


def attach_offer(order_id: str) -> str:
    """Under a /status answer that found one order new to the bot while the customer has
    orders whose outcome is unknown."""
    # TRANSLATORS: {id} is the panel's order id just found; the buttons below name the orders
    # the bot could not confirm.
    return _(
        "❓ Is order <code>{id}</code> one I couldn't confirm? Tap it below: I'll put it in "
        "that order's place instead of listing it twice.",
        id=esc(order_id),
    )


def attach_button(order: Order) -> str:
    """A button naming an order whose outcome is unknown (plain text: buttons are not HTML)."""
    name = order.service_name or p_("service name", "order")
    name = name if len(name) <= 24 else name[:23] + "…"
    # TRANSLATORS: a button (at most about 40 characters): {service} is the service's name,
    # {time} when the order was sent.
    return _(
        "📎 {service} · {time}", service=name, time=when(order.claimed_at or order.created_at)
    )


def attached(order_id: str | None) -> str:
    # TRANSLATORS: {id} is the panel's order id.
    return _(
        "📎 Done: order <code>{id}</code> is the one I couldn't confirm. It's followed now — "
        "you'll get a message when its status changes.",
        id=esc(order_id),
    )


def attach_stale() -> str:
    # TRANSLATORS: the answer to a tap on an attach button that no longer applies.
    return _("This was already sorted out, or the order is no longer in your list.")


def refill_requested(refill_id: str | None) -> str:
    if refill_id:
        # TRANSLATORS: after an order id in the /refill answer: "123 — requested (refill 9)";
        # {id} is the panel's refill id.
        return _("requested (refill {id})", id=esc(refill_id))
    # TRANSLATORS: after an order id in the /refill answer: "123 — requested".
    return _("requested")


def cancel_requested(cancel_id: str | None) -> str:
    if cancel_id:
        # TRANSLATORS: {id} is the panel's id of the cancel request.
        return _(
            "✖️ Cancellation requested (cancel {id}). I'll tell you when the panel answers.",
            id=esc(cancel_id),
        )
    return _("✖️ Cancellation requested. I'll tell you when the panel answers.")


# --- asking before a cancel, and /notify ---------------------------------------------------------


def cancel_question(order: Order) -> str:
    """Edited into the card when ✖️ Cancel order is tapped; Yes / No below."""
    what = (
        isolate(short(order.link, 80))
        if order.link
        else isolate(esc(order.service_name or _nameless(order)))
    )
    return "\n\n".join(
        [
            # TRANSLATORS: {id} is the panel's order id; {what} is the order's link (or its
            # service's name). Yes / No buttons follow.
            _("❓ Cancel order <b>{id}</b> ({what})?", id=esc(order.panel_order_id), what=what),
            _("The panel may refund what was not delivered."),
        ]
    )


def button_cancel_yes() -> str:
    # TRANSLATORS: button under "Cancel order 123?": sends the cancellation (≤ 30 characters).
    return _("✅ Yes, cancel")


def button_cancel_no() -> str:
    # TRANSLATORS: button under "Cancel order 123?": back to the card, nothing sent (≤ 30).
    return _("↩️ No")


def notify_status(enabled: bool) -> str:
    """/notify: the current setting; a button below changes it."""
    if enabled:
        return _(
            "🔔 Status messages are <b>on</b>: I tell you when an order, a refill or a "
            "cancellation changes status."
        )
    # TRANSLATORS: keep the command /orders as it is.
    return _("🔕 Status messages are <b>muted</b>. Changes are still recorded in /orders.")


def button_notify(turn_on: bool) -> str:
    if turn_on:
        # TRANSLATORS: button under /notify (≤ 30 characters).
        return _("🔔 Turn status messages on")
    # TRANSLATORS: button under /notify (≤ 30 characters).
    return _("🔕 Mute status messages")
