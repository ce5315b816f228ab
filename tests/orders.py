"""Orders made for a test without walking the order flow: placed at the stand-in panel and
stored exactly the way the bot stores a placed order (claimed draft, then placed)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bot.context import app_services
from storage.models import Placement
from storage.repository import DraftOrder, Repository
from tests.conftest import USER, USER_KEY
from tests.fakes.panel import SERVICE_IDS, FakePanel

DEFAULT = SERVICE_IDS["Default"]


async def placed_order(
    app: Any,
    panel: FakePanel,
    user: int = USER,
    key: str = USER_KEY,
    link: str = "https://instagram.com/p1",
) -> tuple[int, str]:
    """One order of `user` (100 Instagram Followers): its row id and the panel's order id."""
    return await store_placed_order(app_services(app).repository, panel, user, key, link)


async def store_placed_order(
    repository: Repository, panel: FakePanel, user: int, key: str, link: str
) -> tuple[int, str]:
    """As placed_order, on a repository of one's own (before the bot starts, say)."""
    panel_order_id = panel.create_order(key, DEFAULT, quantity=100, link=link)
    row = await repository.create_draft(
        DraftOrder(
            user_id=user,
            service_id=str(DEFAULT),
            service_name="Instagram Followers",
            service_type="default",
            link=link,
            quantity=100,
            fields={"link": link, "quantity": "100"},
            price=Decimal("0.09"),
            currency="USD",
            can_refill=True,
            can_cancel=True,
        )
    )
    assert await repository.claim_draft(row, user) is not None
    await repository.finish_placement(row, Placement.PLACED, panel_order_id=panel_order_id)
    return row, panel_order_id
