"""Status messages that inform (issue 11, item 8): what changed, for which link, how much was
delivered, what was not and what the panel refunds; one user's changes of one cycle in one
message; one message per cancel."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import update

from bot.context import app_services
from bot.notifier import CANCEL_HOLD, notifier_of
from bot.services.tasks import request_cancel
from storage.models import PanelTask, utcnow
from tests.conftest import USER, USER_KEY
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import FakeTelegram
from tests.orders import placed_order


async def cycle(app: Any) -> None:
    assert await notifier_of(app).run_cycle(app)


async def an_order(app: Any, panel: FakePanel, link: str = "https://instagram.com/p1") -> str:
    """100 Instagram Followers for 0.09 USD, placed through the bot."""
    repository = app_services(app).repository
    await repository.touch_user(USER)
    await repository.set_api_key(USER, USER_KEY)
    return (await placed_order(app, panel, link=link))[1]


def new_messages(telegram: FakeTelegram, before: int) -> list[str]:
    return [message.text for message in telegram.messages(USER)[before:]]


async def test_a_partial_names_the_link_what_was_delivered_and_the_refund(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    order_id = await an_order(app, panel)
    panel.set_order(order_id, status="Partial", remains=20, refund=True)
    await cycle(app)
    [push] = new_messages(telegram, 0)
    assert f"<b>Order {order_id}</b>" in push
    assert "🔗 https://instagram.com/p1" in push
    assert "Pending → 🟡 <b>Partial</b>" in push
    assert "80 of 100 delivered, 20 not" in push
    # The panel lowered its charge from the 0.09 paid: the difference is the refund.
    assert "↩️ Refunded: 0.018 USD" in push
    assert "💵 Charged: 0.072 USD" in push


async def test_a_partial_without_a_lowered_charge_says_what_the_panel_refunds(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    order_id = await an_order(app, panel)
    panel.set_order(order_id, status="Partial", remains=20)  # charge still 0.09
    await cycle(app)
    [push] = new_messages(telegram, 0)
    assert "20 not" in push
    assert "↩️ The panel refunds about 0.018 USD for what was not delivered" in push


async def test_a_canceled_order_says_what_was_refunded_and_shows_no_progress(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    order_id = await an_order(app, panel)
    panel.set_order(order_id, status="Canceled", refund=True)
    await cycle(app)
    [push] = new_messages(telegram, 0)
    assert "🚫 <b>Canceled</b>" in push
    assert "↩️ Refunded: 0.09 USD" in push
    assert "%" not in push  # nothing more will be delivered: no bar


async def test_a_completed_order_names_its_link_and_no_refund(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    order_id = await an_order(app, panel, "https://tiktok.com/@someone/video/" + "9" * 80)
    panel.complete(order_id)
    await cycle(app)
    [push] = new_messages(telegram, 0)
    assert "🔗 https://tiktok.com/@someone/video/999" in push
    assert "…" in push  # a long link is shortened
    assert "100%" in push
    assert "Refund" not in push


async def test_five_orders_finishing_together_are_one_message_naming_each_link(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    ids = [await an_order(app, panel, f"https://instagram.com/post{n}") for n in range(5)]
    for order_id in ids[:4]:
        panel.complete(order_id)
    panel.set_order(ids[4], status="Partial", remains=50, refund=True)
    await cycle(app)
    [digest] = new_messages(telegram, 0)
    assert digest.startswith("🔔 <b>5 status updates</b>")
    for n, order_id in enumerate(ids):
        assert f"Order {order_id}" in digest
        assert f"https://instagram.com/post{n}" in digest
    assert "50 of 100 delivered, 50 not" in digest
    assert "↩️ Refunded: 0.045 USD" in digest


async def test_one_cancel_is_one_message(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    order_id = await an_order(app, panel)
    services = app_services(app)
    stored = await services.repository.get_api_key(USER)
    assert stored is not None
    await request_cancel(services, stored, order_id)
    [cancel_id] = list(panel.cancels)
    panel.set_cancel(cancel_id, "Completed")
    panel.set_order(order_id, status="Canceled", refund=True)
    await cycle(app)
    [push] = new_messages(telegram, 0)
    assert "🔔 <b>Order" in push  # not a digest of two
    assert f"Cancel request {cancel_id}: Completed" in push
    assert "🚫 <b>Canceled</b>" in push
    assert "↩️ Refunded: 0.09 USD" in push
    await cycle(app)
    assert len(new_messages(telegram, 0)) == 1  # both told: nothing more


async def test_a_cancel_done_before_its_order_changes_waits_for_it(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    order_id = await an_order(app, panel)
    services = app_services(app)
    stored = await services.repository.get_api_key(USER)
    assert stored is not None
    await request_cancel(services, stored, order_id)
    [cancel_id] = list(panel.cancels)
    panel.set_cancel(cancel_id, "Completed")
    await cycle(app)
    assert new_messages(telegram, 0) == []  # held: the order's own change follows
    panel.set_order(order_id, status="Canceled", refund=True)
    await cycle(app)
    [push] = new_messages(telegram, 0)
    assert f"Cancel request {cancel_id}: Completed" in push
    assert "↩️ Refunded: 0.09 USD" in push


async def test_a_held_cancel_is_told_alone_when_its_order_never_changes(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    order_id = await an_order(app, panel)
    services = app_services(app)
    stored = await services.repository.get_api_key(USER)
    assert stored is not None
    await request_cancel(services, stored, order_id)
    [cancel_id] = list(panel.cancels)
    panel.set_cancel(cancel_id, "Completed")
    await cycle(app)
    assert new_messages(telegram, 0) == []
    # The hold runs out (the change was stored longer ago than CANCEL_HOLD).
    long_ago = utcnow() - CANCEL_HOLD - timedelta(minutes=1)
    async with services.repository._session() as session:
        await session.exec(update(PanelTask).values(checked_at=long_ago))  # type: ignore[call-overload]
    await cycle(app)
    [push] = new_messages(telegram, 0)
    assert f"Cancel request {cancel_id}" in push
    assert "Completed" in push


async def test_a_refused_cancel_is_told_at_once(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    order_id = await an_order(app, panel)
    services = app_services(app)
    stored = await services.repository.get_api_key(USER)
    assert stored is not None
    await request_cancel(services, stored, order_id)
    [cancel_id] = list(panel.cancels)
    panel.set_cancel(cancel_id, "Rejected")
    await cycle(app)
    [push] = new_messages(telegram, 0)
    assert f"Cancel request {cancel_id}" in push
    assert "Rejected" in push
