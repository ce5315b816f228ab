"""Packing a user's status changes into as few messages as fit (pure logic)."""

from __future__ import annotations

import itertools
from decimal import Decimal

from bot import callback, texts
from bot.pushes import MAX_CARD_BUTTONS, MAX_MESSAGE_LENGTH, PushItem, pack_pushes
from storage.models import Order, PanelTask, TaskKind


def order(row_id: int, name: str = "Instagram Followers", status: str = "In progress") -> Order:
    return Order(
        id=row_id,
        user_id=1,
        service_id="1",
        panel_order_id=str(900000 + row_id),
        service_name=name,
        quantity=1000,
        remains=250,
        charge=Decimal("0.9"),
        currency="USD",
        status="in_progress",
        status_raw=status,
    )


def item(change: Order, previously: str | None = "Pending") -> PushItem[int]:
    assert change.id is not None
    return PushItem(
        text=texts.pushes.order_push(change, previously),
        order_id=change.panel_order_id,
        card=callback.build("c", "open", change.id),
        token=change.id,
    )


def telegram_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_one_change_reads_exactly_as_a_single_push() -> None:
    change = order(1)
    [message] = pack_pushes([item(change)])
    assert message.text == texts.pushes.order_push(change, "Pending")
    assert message.tokens == (1,)
    assert message.markup is not None
    [[button]] = message.markup.inline_keyboard
    assert (button.text, button.callback_data) == (texts.order.button_order_card(), "c:open:1")


def test_ten_changes_go_out_as_one_message_naming_each_with_its_button() -> None:
    changes = [order(n) for n in range(1, 11)]
    [message] = pack_pushes([item(c) for c in changes])
    assert message.text.startswith("🔔 <b>10 status updates</b>")
    assert message.text.count("🔔") == 1
    for change in changes:
        assert f"<b>Order {change.panel_order_id}</b>" in message.text
    assert message.tokens == tuple(range(1, 11))
    assert message.markup is not None
    buttons = [b for row in message.markup.inline_keyboard for b in row]
    assert [b.callback_data for b in buttons] == [f"c:open:{n}" for n in range(1, 11)]
    assert buttons[0].text == "📋 #900001"
    assert max(len(row) for row in message.markup.inline_keyboard) <= 3


def test_an_order_and_its_refill_share_one_button_and_tasks_without_card_get_none() -> None:
    change = order(1)
    refill = PanelTask(
        id=7,
        user_id=1,
        kind=TaskKind.REFILL,
        panel_order_id="900001",
        panel_task_id="55",
        status_raw="Completed",
    )
    orphan = PanelTask(
        id=8, user_id=1, kind=TaskKind.CANCEL, panel_order_id="404", status_raw="Rejected"
    )
    items = [
        item(change),
        PushItem(texts.pushes.task_push(refill, None), change.panel_order_id, "c:open:1", 7),
        PushItem(texts.pushes.task_push(orphan, None), "404", None, 8),
    ]
    [message] = pack_pushes(items)
    assert "Refill 55" in message.text
    assert "<code>404</code>" in message.text
    assert message.markup is not None
    assert [[b.callback_data for b in row] for row in message.markup.inline_keyboard] == [
        ["c:open:1"]
    ]


def test_many_changes_split_in_order_never_over_telegrams_limit() -> None:
    # Service names and statuses at their longest, full of characters that escaping lengthens.
    changes = [order(n, name="<b>&" * 40, status="&" * 500) for n in range(1, 101)]
    messages = pack_pushes([item(c, previously="<i>" * 100) for c in changes])
    assert len(messages) > 1
    assert all(telegram_length(m.text) <= MAX_MESSAGE_LENGTH for m in messages)
    assert [t for m in messages for t in m.tokens] == list(range(1, 101))  # each once, in order
    count = len(messages)
    for part, message in enumerate(messages, start=1):
        assert message.text.startswith(f"🔔 <b>{len(message.tokens)} status update")
        assert f"({part}/{count})" in message.text.split("\n", 1)[0]
        assert "&lt;b&gt;&amp;" in message.text  # the panel's text is escaped
        assert "<b>&<b>" not in message.text
        assert message.markup is not None
        buttons = [b for row in message.markup.inline_keyboard for b in row]
        assert len(buttons) == min(len(message.tokens), MAX_CARD_BUTTONS)
    # Fewest messages: no message could have taken the next one's first change too.
    for first, second in itertools.pairwise(messages):
        more = [item(changes[t - 1], "<i>" * 100).text for t in (*first.tokens, second.tokens[0])]
        assert telegram_length(texts.pushes.push_digest(more, count, count)) > MAX_MESSAGE_LENGTH


def test_emoji_count_double_towards_the_limit() -> None:
    # 🔥 is two UTF-16 units: a packer counting code points would overflow Telegram's limit.
    changes = [order(n, name="🔥" * 50) for n in range(1, 60)]
    messages = pack_pushes([item(c) for c in changes])
    assert all(telegram_length(m.text) <= MAX_MESSAGE_LENGTH for m in messages)
    assert sum(len(m.tokens) for m in messages) == 59


def test_nothing_owed_is_no_message() -> None:
    assert pack_pushes([]) == []
