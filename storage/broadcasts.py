"""Broadcasts and their deliveries (one row per recipient, claimed before sending).

A delivery's life: `pending` → `sending` (claimed, one row at a time, committed before the
message goes) → `sent` / `blocked` / `failed`. A claimed row is never sent again: after a crash
its broadcast resumes with it as `unconfirmed` (the message may or may not have arrived), so
nobody gets a broadcast twice. Stop turns what is still `pending` into `cancelled`; a user who
was blocked by an operator or stopped the bot before their turn is `skipped`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, insert, literal, update
from sqlalchemy import select as select_columns
from sqlmodel import col, select

from storage.base import StoreBase
from storage.models import Broadcast, BroadcastDelivery, User, utcnow


class BroadcastState:
    DRAFT = "draft"  # previewed, not confirmed
    SENDING = "sending"  # confirmed: deliveries created, the background delivery runs
    DONE = "done"  # every recipient had their turn
    STOPPED = "stopped"  # an operator stopped it: what was left was cancelled
    DISCARDED = "discarded"  # the preview was discarded


class DeliveryState:
    PENDING = "pending"
    SENDING = "sending"  # claimed: the message is on its way
    SENT = "sent"
    BLOCKED = "blocked"  # the user blocked the bot (Telegram's 403): marked inactive
    FAILED = "failed"  # Telegram refused it (not sent)
    UNCONFIRMED = "unconfirmed"  # claimed before a crash or a timeout: never sent again
    CANCELLED = "cancelled"  # stopped before its turn
    SKIPPED = "skipped"  # blocked by an operator or inactive by the time of its turn


# Deliveries that have had their turn (the progress bar's done part).
FINISHED_DELIVERIES = (
    DeliveryState.SENT,
    DeliveryState.BLOCKED,
    DeliveryState.FAILED,
    DeliveryState.UNCONFIRMED,
    DeliveryState.CANCELLED,
    DeliveryState.SKIPPED,
)


@dataclass(frozen=True)
class Recipient:
    delivery_id: int
    user_id: int


@dataclass(frozen=True)
class Outcome:
    """How one claimed delivery ended (one of the DeliveryState outcomes)."""

    delivery_id: int
    user_id: int
    state: str


@dataclass(frozen=True)
class DeliveryCounts:
    """A broadcast's deliveries by state."""

    by_state: dict[str, int]

    def __getitem__(self, state: str) -> int:
        return self.by_state.get(state, 0)

    @property
    def total(self) -> int:
        return sum(self.by_state.values())

    @property
    def left(self) -> int:
        return self[DeliveryState.PENDING] + self[DeliveryState.SENDING]

    @property
    def done(self) -> int:
        return self.total - self.left


def _audience(invite_only: bool, operators: Sequence[int]) -> object:
    """Who gets a broadcast: users who have not stopped the bot, not blocked by an operator,
    and, while access is invite-only, let in (operators, through an invite, or holding a key:
    the gate's rule) — not the strangers the gate refused."""
    reachable = (col(User.active).is_(True)) & (col(User.blocked_at).is_(None))
    if not invite_only:
        return reachable
    let_in = (
        col(User.admitted_at).is_not(None)
        | col(User.api_key_encrypted).is_not(None)
        | col(User.telegram_id).in_(list(operators))
    )
    return reachable & let_in


class BroadcastStore(StoreBase):
    async def count_audience(
        self, invite_only: bool = False, operators: Sequence[int] = ()
    ) -> int:
        async with self._session(writes=False) as session:
            found = await session.exec(
                select(func.count()).select_from(User).where(_audience(invite_only, operators))  # type: ignore[arg-type]
            )
            return int(found.one())

    async def create_broadcast(
        self, operator_id: int, text: str, photo_file_id: str | None
    ) -> int:
        """A draft (previewed, not confirmed yet)."""
        async with self._session() as session:
            row = Broadcast(operator_id=operator_id, text=text, photo_file_id=photo_file_id)
            session.add(row)
            await session.flush()
            assert row.id is not None
            return row.id

    async def get_broadcast(self, broadcast_id: int) -> Broadcast | None:
        async with self._session(writes=False) as session:
            return await session.get(Broadcast, broadcast_id)

    async def discard_broadcast(self, broadcast_id: int) -> bool:
        """A draft is dropped; False if it is not a draft (confirmed or gone)."""
        async with self._session() as session:
            done = await session.exec(
                update(Broadcast)
                .where(col(Broadcast.id) == broadcast_id)
                .where(col(Broadcast.state) == BroadcastState.DRAFT)
                .values(state=BroadcastState.DISCARDED, finished_at=utcnow())
            )
            return bool(done.rowcount)  # type: ignore[attr-defined]

    async def start_broadcast(
        self,
        broadcast_id: int,
        progress_chat_id: int,
        progress_message_id: int,
        invite_only: bool = False,
        operators: Sequence[int] = (),
    ) -> int | None:
        """Confirm a draft, in one transaction: it is 'sending' and has one pending delivery
        per user of the audience now. The number of recipients; None if it is no draft (a
        second tap, or discarded)."""
        async with self._session() as session:
            claimed = await session.exec(
                update(Broadcast)
                .where(col(Broadcast.id) == broadcast_id)
                .where(col(Broadcast.state) == BroadcastState.DRAFT)
                .values(
                    state=BroadcastState.SENDING,
                    started_at=utcnow(),
                    progress_chat_id=progress_chat_id,
                    progress_message_id=progress_message_id,
                )
            )
            if not claimed.rowcount:  # type: ignore[attr-defined]
                return None
            now = utcnow()
            audience = select_columns(
                literal(broadcast_id),
                col(User.telegram_id),
                literal(DeliveryState.PENDING),
                literal(now),
            ).where(_audience(invite_only, operators))  # type: ignore[arg-type]
            await session.exec(
                insert(BroadcastDelivery).from_select(
                    ["broadcast_id", "user_id", "state", "updated_at"], audience
                )
            )
            # Counted, not the insert's rowcount: PostgreSQL's driver leaves that at -1 here.
            connection = await session.connection()
            created = await connection.execute(
                select_columns(func.count()).where(
                    col(BroadcastDelivery.broadcast_id) == broadcast_id
                )
            )
            return int(created.scalar_one())

    async def broadcasts_sending(self) -> list[Broadcast]:
        async with self._session(writes=False) as session:
            found = await session.exec(
                select(Broadcast)
                .where(col(Broadcast.state) == BroadcastState.SENDING)
                .order_by(col(Broadcast.id))
            )
            return list(found.all())

    async def unconfirm_claimed(self, broadcast_id: int) -> int:
        """On resuming (nothing of it in flight): rows claimed before the crash are
        'unconfirmed', never sent again."""
        async with self._session() as session:
            done = await session.exec(
                update(BroadcastDelivery)
                .where(col(BroadcastDelivery.broadcast_id) == broadcast_id)
                .where(col(BroadcastDelivery.state) == DeliveryState.SENDING)
                .values(state=DeliveryState.UNCONFIRMED, updated_at=utcnow())
            )
            return int(done.rowcount)  # type: ignore[attr-defined]

    async def next_recipients(self, broadcast_id: int, limit: int) -> list[Recipient]:
        """The next pending deliveries whose users still are in the audience (one query for
        the batch); those who left it since (blocked, stopped the bot) are skipped here."""
        async with self._session() as session:
            connection = await session.connection()
            found = await connection.execute(
                select_columns(
                    col(BroadcastDelivery.id),
                    col(BroadcastDelivery.user_id),
                    col(User.active),
                    col(User.blocked_at),
                )
                .select_from(BroadcastDelivery)
                .outerjoin(User, col(User.telegram_id) == col(BroadcastDelivery.user_id))
                .where(col(BroadcastDelivery.broadcast_id) == broadcast_id)
                .where(col(BroadcastDelivery.state) == DeliveryState.PENDING)
                .order_by(col(BroadcastDelivery.id))
                .limit(limit)
            )
            recipients: list[Recipient] = []
            gone: list[int] = []
            for delivery_id, user_id, active, blocked_at in found.all():
                assert delivery_id is not None
                if active and blocked_at is None:
                    recipients.append(Recipient(delivery_id, user_id))
                else:
                    gone.append(delivery_id)
            if gone:
                await session.exec(
                    update(BroadcastDelivery)
                    .where(col(BroadcastDelivery.id).in_(gone))
                    .where(col(BroadcastDelivery.state) == DeliveryState.PENDING)
                    .values(state=DeliveryState.SKIPPED, updated_at=utcnow())
                )
            return recipients

    async def claim_delivery(self, delivery_id: int) -> bool:
        """pending → sending, committed before the message goes; False if it is no longer
        pending (stopped meanwhile)."""
        async with self._session() as session:
            done = await session.exec(
                update(BroadcastDelivery)
                .where(col(BroadcastDelivery.id) == delivery_id)
                .where(col(BroadcastDelivery.state) == DeliveryState.PENDING)
                .values(state=DeliveryState.SENDING, updated_at=utcnow())
            )
            return bool(done.rowcount)  # type: ignore[attr-defined]

    async def record_outcomes(self, outcomes: Sequence[Outcome]) -> None:
        """Claimed deliveries' outcomes, one UPDATE per kind; users who blocked the bot are
        marked inactive in the same transaction."""
        if not outcomes:
            return
        by_state: dict[str, list[int]] = {}
        for outcome in outcomes:
            by_state.setdefault(outcome.state, []).append(outcome.delivery_id)
        blocked_users = [o.user_id for o in outcomes if o.state == DeliveryState.BLOCKED]
        now = utcnow()
        async with self._session() as session:
            for state, ids in by_state.items():
                await session.exec(
                    update(BroadcastDelivery)
                    .where(col(BroadcastDelivery.id).in_(ids))
                    .where(col(BroadcastDelivery.state) == DeliveryState.SENDING)
                    .values(state=state, updated_at=now)
                )
            if blocked_users:
                await session.exec(
                    update(User)
                    .where(col(User.telegram_id).in_(blocked_users))
                    .values(active=False, updated_at=now)
                )

    async def delivery_counts(self, broadcast_id: int) -> DeliveryCounts:
        async with self._session(writes=False) as session:
            connection = await session.connection()
            found = await connection.execute(
                select_columns(col(BroadcastDelivery.state), func.count())
                .where(col(BroadcastDelivery.broadcast_id) == broadcast_id)
                .group_by(col(BroadcastDelivery.state))
            )
            return DeliveryCounts({state: int(count) for state, count in found.all()})

    async def stop_broadcast(self, broadcast_id: int) -> bool:
        """A sending broadcast stops: what is still pending is cancelled (in flight finishes).
        False if it was not sending."""
        async with self._session() as session:
            done = await session.exec(
                update(Broadcast)
                .where(col(Broadcast.id) == broadcast_id)
                .where(col(Broadcast.state) == BroadcastState.SENDING)
                .values(state=BroadcastState.STOPPED)
            )
            if not done.rowcount:  # type: ignore[attr-defined]
                return False
            await session.exec(
                update(BroadcastDelivery)
                .where(col(BroadcastDelivery.broadcast_id) == broadcast_id)
                .where(col(BroadcastDelivery.state) == DeliveryState.PENDING)
                .values(state=DeliveryState.CANCELLED, updated_at=utcnow())
            )
            return True

    async def finish_broadcast(self, broadcast_id: int) -> str | None:
        """Every recipient had their turn: 'done' (a stopped one stays 'stopped'). The final
        state; None if the broadcast is gone."""
        async with self._session() as session:
            row = await session.get(Broadcast, broadcast_id)
            if row is None:
                return None
            if row.state == BroadcastState.SENDING:
                row.state = BroadcastState.DONE
            if row.finished_at is None:
                row.finished_at = utcnow()
            session.add(row)
            return row.state
