"""The figures the console's stats screen shows (each an aggregate query, never a row per user
or order in Python but the money sum), the push log behind "pushes in 24 h", and the panel
alert's one shared state (so an outage is alerted once across restarts and processes)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Numeric, case, cast, delete, func, insert, update
from sqlalchemy import select as select_columns
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col

from storage.base import StoreBase
from storage.models import Delivery, Order, Placement, PushLog, RuntimeState, User, utcnow

# "Active": an update from the user within this long (users.seen_at, written at most hourly).
ACTIVE_DAYS = 7
PUSH_WINDOW = timedelta(hours=24)
# Push log rows older than this are pruned (the screen looks 24 h back).
PUSH_LOG_KEEP = timedelta(days=7)
PANEL_ALERT = "panel_alert"  # runtime_state row: {"failing": bool, "since": iso, "error": str}


@dataclass(frozen=True)
class UserFigures:
    total: int
    with_key: int
    active: int  # seen within ACTIVE_DAYS
    blocked_bot: int  # Telegram said they blocked the bot (users.active false)


@dataclass(frozen=True)
class OrderFigures:
    """Orders placed through the bot (placement 'placed'), tracked and unknown ones."""

    today: int
    week: int
    total: int
    by_status: tuple[tuple[str, int], ...]  # (status code, count), most first
    charged: tuple[tuple[str, Decimal], ...]  # (currency, sum), by currency
    tracked: int
    unknown: int  # outcome unknown: waiting for an operator's look at the panel


@dataclass(frozen=True)
class PushFigures:
    sent: int
    failed: int  # failed or refused (blocked) in the window


class StatsStore(StoreBase):
    async def user_figures(self, now: datetime | None = None) -> UserFigures:
        since = (now or utcnow()) - timedelta(days=ACTIVE_DAYS)
        async with self._session(writes=False) as session:
            connection = await session.connection()
            row = (
                await connection.execute(
                    select_columns(
                        func.count(),
                        _count_if(col(User.api_key_encrypted).is_not(None)),
                        _count_if(col(User.seen_at) >= since),
                        _count_if(col(User.active).is_(False)),
                    ).select_from(User)
                )
            ).one()
        return UserFigures(*(int(value or 0) for value in row))

    async def order_figures(
        self, today_from: datetime, now: datetime | None = None
    ) -> OrderFigures:
        """`today_from`: the start of today in the operator's time zone (aware)."""
        week_from = (now or utcnow()) - timedelta(days=7)
        placed = col(Order.placement) == Placement.PLACED
        async with self._session(writes=False) as session:
            connection = await session.connection()
            counts = (
                await connection.execute(
                    select_columns(
                        _count_if(placed & (col(Order.placed_at) >= today_from)),
                        _count_if(placed & (col(Order.placed_at) >= week_from)),
                        _count_if(placed),
                        _count_if(col(Order.placement) == Placement.TRACKED),
                        _count_if(col(Order.placement) == Placement.UNKNOWN),
                    ).where(
                        col(Order.placement).in_(
                            [Placement.PLACED, Placement.TRACKED, Placement.UNKNOWN]
                        )
                    )
                )
            ).one()
            statuses = (
                await connection.execute(
                    select_columns(col(Order.status), func.count())
                    .where(placed)
                    .group_by(col(Order.status))
                )
            ).all()
            sums = await self._charged(connection, placed)
        today, week, total, tracked, unknown = (int(value or 0) for value in counts)
        by_status = sorted(
            ((status or "unknown", int(count)) for status, count in statuses),
            key=lambda item: (-item[1], item[0]),
        )
        return OrderFigures(
            today,
            week,
            total,
            tuple(by_status),
            tuple(sorted(sums.items())),
            tracked,
            unknown,
        )

    async def _charged(self, connection: Any, placed: Any) -> dict[str, Decimal]:
        """What the placed orders cost, per currency, exactly. Money is decimal text in the
        database: PostgreSQL sums it as NUMERIC; SQLite (no decimal type) hands back each
        distinct charge once with its count (prices repeat: one service, one quantity), summed
        here as Decimal. Measured: 90,000 placed orders of random charges, 0.4 s on SQLite."""
        charge = col(Order.charge)
        currency = col(Order.currency)
        sums: dict[str, Decimal] = {}
        if connection.dialect.name == "postgresql":
            total = func.sum(cast(charge, Numeric))
            rows = await connection.execute(
                select_columns(currency, total)
                .where(placed, charge.is_not(None))
                .group_by(currency)
            )
            for code, amount in rows:
                sums[code or ""] = Decimal(amount or 0)
            return sums
        rows = await connection.execute(
            select_columns(currency, charge, func.count())
            .where(placed, charge.is_not(None))
            .group_by(currency, charge)
        )
        for code, amount, count in rows:
            if amount is not None:
                sums[code or ""] = sums.get(code or "", Decimal(0)) + Decimal(amount) * count
        return sums

    # --- pushes --------------------------------------------------------------------------------

    async def record_pushes(self, outcomes: Sequence[tuple[int, str]]) -> None:
        """One row per push outcome ((user id, Delivery code)), in one insert."""
        if not outcomes:
            return
        now = utcnow()
        rows = [
            {"user_id": user_id, "outcome": outcome, "created_at": now}
            for user_id, outcome in outcomes
        ]
        async with self._session() as session:
            await session.exec(insert(PushLog), params=rows)  # type: ignore[call-overload]

    async def push_figures(self, now: datetime | None = None) -> PushFigures:
        since = (now or utcnow()) - PUSH_WINDOW
        async with self._session(writes=False) as session:
            connection = await session.connection()
            row = (
                await connection.execute(
                    select_columns(
                        _count_if(col(PushLog.outcome) == Delivery.SENT),
                        _count_if(col(PushLog.outcome) != Delivery.SENT),
                    ).where(col(PushLog.created_at) >= since)
                )
            ).one()
        return PushFigures(int(row[0] or 0), int(row[1] or 0))

    async def prune_push_log(self, now: datetime | None = None) -> int:
        before = (now or utcnow()) - PUSH_LOG_KEEP
        async with self._session() as session:
            result = await session.exec(  # type: ignore[call-overload]
                delete(PushLog).where(col(PushLog.created_at) < before)
            )
            return int(result.rowcount or 0)

    # --- the panel alert -----------------------------------------------------------------------

    async def switch_panel_alert(self, failing: bool, detail: dict[str, Any]) -> bool:
        """Record that the panel is failing (or recovered) unless that is already recorded:
        True when this call changed it, so exactly one process sends the alert. A
        compare-and-set on the row's whole value (or an insert that loses to a concurrent
        one), so two processes switching at once never both win, on either engine."""
        async with self._session() as session:
            row = await session.get(RuntimeState, PANEL_ALERT)
            current = _decoded(row.value_json) if row is not None else None
            was_failing = isinstance(current, dict) and bool(current.get("failing"))
            if was_failing == failing:
                return False
            value = json.dumps({"failing": failing, **detail}, sort_keys=True)
            if row is None:
                dialect = self._engine.dialect.name
                create: Any = postgresql_insert if dialect == "postgresql" else sqlite_insert
                done = await session.exec(
                    create(RuntimeState)
                    .values(name=PANEL_ALERT, value_json=value, updated_at=utcnow())
                    .on_conflict_do_nothing(index_elements=[col(RuntimeState.name)])
                    .returning(col(RuntimeState.name))
                )
            else:
                done = await session.exec(
                    update(RuntimeState)
                    .where(
                        col(RuntimeState.name) == PANEL_ALERT,
                        col(RuntimeState.value_json) == row.value_json,
                    )
                    .values(value_json=value, updated_at=utcnow())
                    .returning(col(RuntimeState.name))
                )
            # RETURNING, not rowcount: PostgreSQL's driver may leave an insert's at -1.
            return done.first() is not None


def _count_if(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _decoded(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None
