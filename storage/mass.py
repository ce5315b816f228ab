"""Mass orders: one row per confirmation, naming the draft rows of its lines."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import col, select

from storage.base import StoreBase
from storage.models import MassOrder, MassState, Order, Placement, utcnow

MassLines = list[tuple[int, int]]  # (line number as typed, draft row id)


class MassStore(StoreBase):
    async def create_mass_order(self, user_id: int, lines: Sequence[tuple[int, int]]) -> int:
        """A mass order of these draft rows (already created, one per valid line)."""
        async with self._session() as session:
            row = MassOrder(user_id=user_id, lines_json=json.dumps([list(x) for x in lines]))
            session.add(row)
            await session.flush()
            assert row.id is not None
            return row.id

    async def get_mass_order(self, mass_id: int, user_id: int) -> MassOrder | None:
        async with self._session(writes=False) as session:
            row = await session.get(MassOrder, mass_id)
            return row if row is not None and row.user_id == user_id else None

    async def claim_mass_order(
        self, mass_id: int, user_id: int, max_age: timedelta
    ) -> MassLines | None:
        """Atomically move a fresh mass order from 'draft' to 'placing' (only one caller, in
        any process, wins): its lines, or None."""
        async with self._session() as session:
            result = await session.exec(
                update(MassOrder)
                .where(
                    col(MassOrder.id) == mass_id,
                    col(MassOrder.user_id) == user_id,
                    col(MassOrder.state) == MassState.DRAFT,
                    col(MassOrder.created_at) >= utcnow() - max_age,
                )
                .values(state=MassState.PLACING, claimed_at=utcnow())
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                return None
            row = await session.get(MassOrder, mass_id)
            assert row is not None
            return mass_lines(row)

    async def finish_mass_order(self, mass_id: int) -> None:
        async with self._session() as session:
            await session.exec(
                update(MassOrder)
                .where(col(MassOrder.id) == mass_id)
                .values(state=MassState.DONE, finished_at=utcnow())
            )

    async def abandon_mass_order(self, mass_id: int, user_id: int) -> bool:
        """Cancelled, replaced or timed out before Confirm: neither it nor its drafts can be
        placed any more. False if it was not a draft (confirmed already, or not this user's)."""
        async with self._session() as session:
            result = await session.exec(
                update(MassOrder)
                .where(
                    col(MassOrder.id) == mass_id,
                    col(MassOrder.user_id) == user_id,
                    col(MassOrder.state) == MassState.DRAFT,
                )
                .values(state=MassState.CANCELLED, finished_at=utcnow())
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                return False
            row = await session.get(MassOrder, mass_id)
            assert row is not None
            ids = [order_id for _, order_id in mass_lines(row)]
            await session.exec(
                update(Order)
                .where(col(Order.id).in_(ids), col(Order.placement) == Placement.DRAFT)
                .values(placement=Placement.ABANDONED)
            )
            return True

    async def orders_of(self, ids: Sequence[int], user_id: int) -> dict[int, Order]:
        """The user's order rows among `ids`, by id (one query for a whole mass order)."""
        async with self._session(writes=False) as session:
            rows = await session.exec(
                select(Order).where(col(Order.id).in_(list(ids)), col(Order.user_id) == user_id)
            )
            return {row.id: row for row in rows if row.id is not None}


def mass_lines(row: MassOrder) -> MassLines:
    return [(int(line), int(order_id)) for line, order_id in json.loads(row.lines_json)]
