"""The only place that talks SQL. One short session per unit of work, committed inside."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import delete, func, or_, update
from sqlalchemy import select as select_columns
from sqlmodel import col, select

from storage.access import AccessStore
from storage.base import StorageUnavailable, StoreBase, UnreadableKey
from storage.broadcasts import BroadcastStore
from storage.console import ConsoleStore
from storage.crypto import KeyringError
from storage.favourites import FavouriteStore
from storage.leases import LeaseStore
from storage.mass import MassStore
from storage.models import Order, PanelProfile, PanelTask, Placement, TaskKind, User, utcnow
from storage.persistence import UserStateStore
from storage.stats import StatsStore

logger = logging.getLogger(__name__)

# How long a user's row read at the start of an update may stand for its key (get_api_key).
READ_KEY_SECONDS = 5.0

__all__ = ["Repository", "StorageUnavailable", "UnreadableKey"]


@dataclass(frozen=True)
class StoredKey:
    """A user's decrypted panel key; repr never shows it."""

    user_id: int
    key: str

    def __repr__(self) -> str:
        return f"StoredKey(user_id={self.user_id}, key=<redacted>)"

    @property
    def masked(self) -> str:
        return "••••" + self.key[-4:]


@dataclass(frozen=True)
class DraftOrder:
    """What the user saw on the summary, to be placed exactly once."""

    user_id: int
    service_id: str
    service_name: str
    service_type: str
    link: str | None
    quantity: int | None
    fields: Mapping[str, str]
    price: Decimal
    currency: str | None
    can_refill: bool | None
    can_cancel: bool | None


@dataclass(frozen=True)
class ReaderSettings:
    """What a user reads in: a bot.i18n.LANGUAGES code (older rows: Telegram's raw code) and
    the IANA time zone they picked (None: UTC)."""

    language: str
    time_zone: str | None
    # What the access gate needs, read in the same query (None: not read, e.g. for pushes).
    blocked: bool = False
    admitted: bool = False
    seen_at: datetime | None = field(default=None, compare=False)
    # The key as stored when the row was read, whose row, when (time.monotonic) and after how
    # many key writes: Repository.get_api_key(read=…) takes it rather than reading again.
    api_key_encrypted: str | None = field(default=None, compare=False, repr=False)
    user_id: int | None = field(default=None, compare=False, repr=False)
    read_at: float = field(default=0.0, compare=False, repr=False)
    key_writes: int | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class PolledKey:
    """One panel key to poll (encrypted) and the users who share it."""

    name: str  # the key's fingerprint: the same key whoever holds it
    ciphertext: str
    user_ids: list[int]
    # Each user's language and time zone, for the few messages the poll itself sends.
    readers: dict[int, ReaderSettings] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"PolledKey(user_ids={self.user_ids})"


@dataclass(frozen=True, slots=True)
class WatchedOrder:
    """What the poller needs of an open order: a few columns, not a whole row object (a cycle
    over tens of thousands of orders must stay light)."""

    id: int
    panel_order_id: str
    status_raw: str | None
    remains: int | None
    start_count: int | None
    charge: Decimal | None


@dataclass(frozen=True, slots=True)
class WatchedTask:
    id: int
    panel_task_id: str
    status_raw: str | None


@dataclass
class OpenWork:
    orders: list[WatchedOrder] = field(default_factory=list)
    refills: list[WatchedTask] = field(default_factory=list)
    cancels: list[WatchedTask] = field(default_factory=list)


@dataclass(frozen=True)
class OrderChange:
    order_id: int
    status: str
    status_raw: str
    remains: int | None
    start_count: int | None
    charge: Decimal | None


@dataclass(frozen=True)
class TaskChange:
    task_id: int
    status: str
    status_raw: str


@dataclass(frozen=True)
class Announcement:
    """A status a message told about one row (an order, a refill or a cancel)."""

    model: type[Order] | type[PanelTask]
    row_id: int
    status: str
    previously: str | None  # the announcement it replaces, for the compare-and-set


@dataclass(frozen=True)
class News:
    """Status changes one user has not been told about yet."""

    notify: bool  # False: muted, the changes are recorded as told without a message
    reader: ReaderSettings  # the messages are written in their language and time zone
    orders: list[Order]
    tasks: list[PanelTask]
    cards: dict[str, int]  # a task's panel order id -> that order's row (its card button)
    # Those orders' states (`status`): a cancel may wait for its order's change.
    card_states: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class SeenStatus:
    """An order's status as the user just read it from the panel (/status)."""

    panel_order_id: str
    status: str
    status_raw: str
    remains: int | None
    start_count: int | None
    charge: Decimal | None


@dataclass(frozen=True)
class TrackedOrders:
    orders: dict[str, Order]  # by panel order id: every order of the batch, stored
    new: list[str]  # panel order ids tracked from now on (not known before)


# Ids per `IN (…)` query, well under every backend's limit on bound parameters.
_IN_CHUNK = 500

# How long a refill or cancel the panel accepted without an id blocks another request.
UNTRACKED_TASK_HOLD = timedelta(hours=1)

_Announced = TypeVar("_Announced", Order, PanelTask)


@dataclass(frozen=True)
class OrderFilter:
    """Which of the listed orders /orders shows: finished ones (a final status) or the others
    (still running, or waiting for a look: unknown, being placed)."""

    finished: bool
    final_states: frozenset[str]


def _filtered(shown: OrderFilter | None) -> list[Any]:
    if shown is None:
        return []
    final = col(Order.status).in_(sorted(shown.final_states))
    if shown.finished:
        return [final]
    return [or_(col(Order.status).is_(None), ~final)]


def _listed() -> Any:
    """Orders a user sees in /orders: placed or tracked ones, those being placed, and those
    whose placement is unknown (the user was told to look for them there)."""
    return or_(
        col(Order.panel_order_id).is_not(None),
        col(Order.placement).in_([Placement.UNKNOWN, Placement.PLACING]),
    )


class Repository(
    ConsoleStore,
    AccessStore,
    BroadcastStore,
    StatsStore,
    MassStore,
    FavouriteStore,
    UserStateStore,
    LeaseStore,
    StoreBase,
):
    """The only place that talks SQL: the customer side here, one store per console feature."""

    # Keys written (set, removed, re-encrypted) by this process: a row read before a write
    # no longer tells the key (see get_api_key).
    _key_writes = 0

    # --- users -----------------------------------------------------------------------------

    async def touch_user(self, telegram_id: int, language: str | None = None) -> User:
        """Create the user on first contact; a returning user who blocked us is active again."""
        async with self._session() as session:
            user = await session.get(User, telegram_id)
            if user is None:
                user = User(
                    telegram_id=telegram_id, language=(language or "en")[:8], seen_at=utcnow()
                )
                session.add(user)
            elif not user.active:
                user.active = True
                user.updated_at = utcnow()
            return user

    async def reader_settings(self, telegram_id: int) -> ReaderSettings | None:
        """Language, time zone and access of a user (one read by primary key); None: no row."""
        async with self._reading() as connection:
            found = await connection.execute(
                select_columns(
                    col(User.language),
                    col(User.time_zone),
                    col(User.blocked_at),
                    col(User.admitted_at),
                    col(User.seen_at),
                    col(User.api_key_encrypted),
                ).where(col(User.telegram_id) == telegram_id)
            )
            row = found.first()
            if row is None:
                return None
            language, time_zone, blocked_at, admitted_at, seen_at, ciphertext = row
            return ReaderSettings(
                language,
                time_zone,
                blocked_at is not None,
                admitted_at is not None,
                seen_at,
                api_key_encrypted=ciphertext,
                user_id=telegram_id,
                read_at=time.monotonic(),
                key_writes=self._key_writes,
            )

    async def mark_seen(self, telegram_id: int) -> None:
        """The user was here now (the console's "active in 7 days")."""
        async with self._session() as session:
            await session.exec(
                update(User).where(col(User.telegram_id) == telegram_id).values(seen_at=utcnow())
            )

    async def set_reader_settings(
        self,
        telegram_id: int,
        *,
        language: str | None = None,
        time_zone: str | None = None,
        utc: bool = False,
    ) -> None:
        """Store a chosen language and/or time zone (`utc`: back to UTC, stored as None)."""
        values: dict[str, object] = {"updated_at": utcnow()}
        if language is not None:
            values["language"] = language[:8]
        if time_zone is not None or utc:
            values["time_zone"] = None if utc else time_zone
        async with self._session() as session:
            user = await session.get(User, telegram_id)
            if user is None:
                user = User(telegram_id=telegram_id)
                session.add(user)
            for name, value in values.items():
                setattr(user, name, value)

    async def get_user(self, telegram_id: int) -> User | None:
        async with self._session(writes=False) as session:
            return await session.get(User, telegram_id)

    async def set_api_key(self, telegram_id: int, key: str) -> None:
        self._key_written()
        async with self._session() as session:
            user = await session.get(User, telegram_id) or User(telegram_id=telegram_id)
            user.api_key_encrypted = self._keyring.encrypt(key)
            user.key_fingerprint = self._keyring.fingerprint(key)
            user.key_rejected = False
            user.active = True
            user.updated_at = utcnow()
            session.add(user)

    def _key_written(self) -> None:
        # Counted before the write: a row read while it is under way is not trusted either.
        self._key_writes += 1

    def key_fingerprint(self, plaintext: str) -> str:
        """The keyed fingerprint stored with a key (User.key_fingerprint): recognises a key
        in a message without decrypting any."""
        return self._keyring.fingerprint(plaintext)

    async def get_api_key(
        self, telegram_id: int, *, read: ReaderSettings | None = None
    ) -> StoredKey | None:
        """The user's key; UnreadableKey when it is stored but cannot be decrypted. `read`:
        the user's row as `reader_settings` read it at the start of this update: its key is
        taken (one query less on every menu step) if it is this user's, at most
        READ_KEY_SECONDS old, and this process wrote no key since."""
        if (
            read is not None
            and read.user_id == telegram_id
            and read.key_writes == self._key_writes
            and time.monotonic() - read.read_at < READ_KEY_SECONDS
        ):
            ciphertext = read.api_key_encrypted
        else:
            user = await self.get_user(telegram_id)
            ciphertext = user.api_key_encrypted if user is not None else None
        if ciphertext is None:
            return None
        try:
            return StoredKey(telegram_id, self._keyring.decrypt(ciphertext))
        except KeyringError:
            raise UnreadableKey(f"the stored key of user {telegram_id} cannot be read") from None

    async def count_unreadable_keys(self) -> int:
        """Stored keys the configured ENCRYPTION_KEY cannot decrypt (checked off the loop)."""
        async with self._session(writes=False) as session:
            stored = await session.exec(
                select(User.api_key_encrypted).where(col(User.api_key_encrypted).is_not(None))
            )
            ciphertexts = [text for text in stored if text is not None]

        def count() -> int:
            unreadable = 0
            for ciphertext in ciphertexts:
                try:
                    self._keyring.decrypt(ciphertext)
                except KeyringError:
                    unreadable += 1
            return unreadable

        return await asyncio.to_thread(count)

    async def remove_api_key(self, telegram_id: int) -> bool:
        self._key_written()
        async with self._session() as session:
            user = await session.get(User, telegram_id)
            if user is None or user.api_key_encrypted is None:
                return False
            user.api_key_encrypted = None
            user.key_fingerprint = None
            user.updated_at = utcnow()
            return True

    async def set_user_flags(
        self,
        telegram_id: int,
        *,
        notify: bool | None = None,
        active: bool | None = None,
        key_rejected: bool | None = None,
    ) -> None:
        values: dict[str, object] = {"updated_at": utcnow()}
        for name, value in (
            ("notify", notify),
            ("active", active),
            ("key_rejected", key_rejected),
        ):
            if value is not None:
                values[name] = value
        async with self._session() as session:
            await session.exec(
                update(User).where(col(User.telegram_id) == telegram_id).values(**values)
            )

    async def reencrypt_all(self) -> int:
        """Re-encrypt every stored key with the primary key (after a rotation)."""
        self._key_written()
        count = 0
        async with self._session() as session:
            users = await session.exec(
                select(User).where(col(User.api_key_encrypted).is_not(None))
            )
            for user in users:
                assert user.api_key_encrypted is not None
                user.api_key_encrypted = self._keyring.rotate(user.api_key_encrypted)
                user.key_fingerprint = self._keyring.fingerprint(
                    self._keyring.decrypt(user.api_key_encrypted)
                )
                count += 1
        return count

    # --- placing orders --------------------------------------------------------------------

    async def create_draft(self, draft: DraftOrder) -> int:
        async with self._session() as session:
            order = Order(
                user_id=draft.user_id,
                service_id=draft.service_id,
                service_name=draft.service_name,
                service_type=draft.service_type,
                link=draft.link,
                quantity=draft.quantity,
                fields_json=json.dumps(dict(draft.fields), ensure_ascii=False),
                price=draft.price,
                currency=draft.currency,
                can_refill=draft.can_refill,
                can_cancel=draft.can_cancel,
            )
            session.add(order)
            await session.flush()
            assert order.id is not None
            return order.id

    async def claim_draft(
        self, order_id: int, user_id: int, max_age: timedelta | None = None
    ) -> Order | None:
        """Atomically move a draft to 'placing'; only one caller, in any process, wins.
        A draft older than `max_age` (a summary left on screen) can no longer be claimed."""
        conditions = [
            col(Order.id) == order_id,
            col(Order.user_id) == user_id,
            col(Order.placement) == Placement.DRAFT,
        ]
        if max_age is not None:
            conditions.append(col(Order.created_at) >= utcnow() - max_age)
        async with self._session() as session:
            result = await session.exec(
                update(Order)
                .where(*conditions)
                .values(placement=Placement.PLACING, claimed_at=utcnow())
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                return None
            return await session.get(Order, order_id)

    async def expire_interrupted_placements(self, older_than: timedelta) -> int:
        """Rows left in 'placing' by a crash or restart mid-`add`: the order may exist at the
        panel, so they become 'unknown' (listed as unconfirmed), never placed again."""
        async with self._session() as session:
            result = await session.exec(
                update(Order)
                .where(
                    col(Order.placement) == Placement.PLACING,
                    col(Order.claimed_at) < utcnow() - older_than,
                )
                .values(placement=Placement.UNKNOWN)
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

    async def abandon_draft(self, order_id: int) -> None:
        """An unconfirmed summary went away; its Confirm button must not place it later."""
        async with self._session() as session:
            await session.exec(
                update(Order)
                .where(col(Order.id) == order_id, col(Order.placement) == Placement.DRAFT)
                .values(placement=Placement.ABANDONED)
            )

    async def get_order(self, order_id: int, user_id: int) -> Order | None:
        async with self._session(writes=False) as session:
            order = await session.get(Order, order_id)
            return order if order is not None and order.user_id == user_id else None

    async def finish_placement(
        self,
        order_id: int,
        placement: str,
        *,
        panel_order_id: str | None = None,
        error: str | None = None,
    ) -> Order:
        async with self._session() as session:
            order = await session.get(Order, order_id)
            assert order is not None
            order.placement = placement
            order.error = error
            if panel_order_id is not None:
                order.panel_order_id = panel_order_id
                order.placed_at = utcnow()
                order.status = "pending"
                order.status_raw = "Pending"
                order.announced_status = "Pending"
                order.charge = order.price
                order.remains = order.quantity
            return order

    # --- orders on demand ------------------------------------------------------------------

    async def count_orders(self, user_id: int, shown: OrderFilter | None = None) -> int:
        async with self._session(writes=False) as session:
            counted = await session.exec(
                select(func.count())
                .select_from(Order)
                .where(col(Order.user_id) == user_id, _listed(), *_filtered(shown))
            )
            return counted.one()

    async def list_orders(
        self, user_id: int, offset: int, limit: int, shown: OrderFilter | None = None
    ) -> list[Order]:
        async with self._session(writes=False) as session:
            return list(
                await session.exec(
                    select(Order)
                    .where(col(Order.user_id) == user_id, _listed(), *_filtered(shown))
                    .order_by(col(Order.created_at).desc(), col(Order.id).desc())
                    .offset(offset)
                    .limit(limit)
                )
            )

    async def find_order(self, user_id: int, panel_order_id: str) -> Order | None:
        async with self._session(writes=False) as session:
            found = await session.exec(
                select(Order).where(
                    col(Order.user_id) == user_id, col(Order.panel_order_id) == panel_order_id
                )
            )
            return found.first()

    async def track_orders(self, user_id: int, seen: Sequence[SeenStatus]) -> TrackedOrders:
        """Statuses the user just read, in one transaction: orders already known get them (as
        seen by the user, so they are not pushed again); the others — placed on the panel's
        website — are tracked from now on, and pushed when their status changes."""
        now = utcnow()
        latest = {item.panel_order_id: item for item in seen}
        ids = list(latest)
        async with self._session() as session:
            orders: dict[str, Order] = {}
            for start in range(0, len(ids), _IN_CHUNK):
                found = await session.exec(
                    select(Order).where(
                        col(Order.user_id) == user_id,
                        col(Order.panel_order_id).in_(ids[start : start + _IN_CHUNK]),
                    )
                )
                orders.update((order.panel_order_id or "", order) for order in found)
            new = [panel_id for panel_id in ids if panel_id not in orders]
            for panel_id in new:
                orders[panel_id] = Order(
                    user_id=user_id,
                    placement=Placement.TRACKED,
                    panel_order_id=panel_id,
                    service_id="",
                    placed_at=now,
                )
                session.add(orders[panel_id])
            for panel_id, item in latest.items():
                order = orders[panel_id]
                order.status = item.status
                order.status_raw = item.status_raw
                order.announced_status = item.status_raw
                order.remains = item.remains
                order.start_count = item.start_count
                if item.charge is not None:
                    order.charge = item.charge
                order.checked_at = now
            await session.flush()
            return TrackedOrders(orders, new)

    async def unknown_orders(self, user_id: int, since: datetime, limit: int) -> list[Order]:
        """The user's orders whose outcome is unknown (sent, no clear answer), newest first."""
        async with self._session(writes=False) as session:
            return list(
                await session.exec(
                    select(Order)
                    .where(
                        col(Order.user_id) == user_id,
                        col(Order.placement) == Placement.UNKNOWN,
                        col(Order.panel_order_id).is_(None),
                        col(Order.created_at) >= since,
                    )
                    .order_by(col(Order.created_at).desc(), col(Order.id).desc())
                    .limit(limit)
                )
            )

    async def attach_unknown(self, user_id: int, unknown_id: int, tracked_id: int) -> Order | None:
        """An order found at the panel takes the place of the user's order whose outcome was
        unknown, in one transaction: the unknown row becomes placed with the panel's id and the
        status just read, and the row /status had started tracking for that id goes (no
        duplicate). None when either row is not (or no longer) what it should be."""
        async with self._session() as session:
            unknown = await session.get(Order, unknown_id)
            tracked = await session.get(Order, tracked_id)
            if (
                unknown is None
                or tracked is None
                or unknown.user_id != user_id
                or tracked.user_id != user_id
                or unknown.placement != Placement.UNKNOWN
                or unknown.panel_order_id is not None
                or tracked.placement != Placement.TRACKED
            ):
                return None
            await session.delete(tracked)
            await session.flush()  # the (user, panel id) pair is free before it is reused
            unknown.placement = Placement.PLACED
            unknown.panel_order_id = tracked.panel_order_id
            unknown.placed_at = unknown.claimed_at or unknown.created_at
            unknown.status = tracked.status
            unknown.status_raw = tracked.status_raw
            unknown.announced_status = tracked.announced_status
            unknown.remains = tracked.remains
            unknown.start_count = tracked.start_count
            unknown.charge = tracked.charge if tracked.charge is not None else unknown.price
            unknown.checked_at = tracked.checked_at
            unknown.error = None
            session.add(unknown)
            await session.flush()
            return unknown

    async def untrack_order(self, order_id: int, user_id: int) -> bool:
        """Stop tracking an order placed on the panel's website (orders placed through the bot
        stay). True if it was tracked."""
        async with self._session() as session:
            result = await session.exec(
                delete(Order).where(
                    col(Order.id) == order_id,
                    col(Order.user_id) == user_id,
                    col(Order.placement) == Placement.TRACKED,
                )
            )
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def record_order_status(
        self,
        order_id: int,
        *,
        status: str,
        status_raw: str,
        remains: int | None,
        start_count: int | None,
        charge: Decimal | None,
        seen_by_user: bool = False,
        checked_at: datetime | None = None,
    ) -> Order:
        """Store a status read from the panel. `seen_by_user`: the user asked for it
        (/status, Refresh), so it must not be pushed to them again."""
        async with self._session() as session:
            order = await session.get(Order, order_id)
            assert order is not None
            order.status = status
            order.status_raw = status_raw
            if seen_by_user:
                order.announced_status = status_raw
            order.remains = remains
            order.start_count = start_count
            if charge is not None:
                order.charge = charge
            order.checked_at = checked_at or utcnow()
            return order

    # --- refills and cancels ---------------------------------------------------------------

    async def add_task(
        self,
        kind: str,
        user_id: int,
        panel_order_id: str,
        panel_task_id: str | None,
        status_raw: str = "Pending",
    ) -> int:
        """A refill or cancel the panel accepted. Without an id (some panels answer with a bare
        success message, or the outcome was unclear) it cannot be followed: it is recorded so
        that a second tap sends nothing, and holds further requests for a while."""
        async with self._session() as session:
            task = PanelTask(
                kind=kind,
                user_id=user_id,
                panel_order_id=panel_order_id,
                panel_task_id=panel_task_id,
                status="pending" if panel_task_id else "unknown",
                status_raw=status_raw,
                announced_status=status_raw,
            )
            session.add(task)
            await session.flush()
            assert task.id is not None
            return task.id

    async def open_task_exists(
        self, user_id: int, panel_order_id: str, kind: str, final_states: Iterable[str]
    ) -> bool:
        """A refill (or cancel) of this order is under way: followed and not final yet, or
        without an id and recent (UNTRACKED_TASK_HOLD)."""
        async with self._session(writes=False) as session:
            found = await session.exec(
                select(PanelTask.id).where(
                    col(PanelTask.user_id) == user_id,
                    col(PanelTask.panel_order_id) == panel_order_id,
                    col(PanelTask.kind) == kind,
                    or_(
                        (col(PanelTask.panel_task_id).is_not(None))
                        & col(PanelTask.status).not_in(list(final_states)),
                        (col(PanelTask.panel_task_id).is_(None))
                        & (col(PanelTask.created_at) >= utcnow() - UNTRACKED_TASK_HOLD),
                    ),
                )
            )
            return found.first() is not None

    async def tasks_for_order(self, user_id: int, panel_order_id: str) -> list[PanelTask]:
        async with self._session(writes=False) as session:
            return list(
                await session.exec(
                    select(PanelTask)
                    .where(
                        col(PanelTask.user_id) == user_id,
                        col(PanelTask.panel_order_id) == panel_order_id,
                    )
                    .order_by(col(PanelTask.id))
                )
            )

    # --- status polling ----------------------------------------------------------------------

    async def polled_keys(self, final_states: Iterable[str]) -> list[PolledKey]:
        """Keys with something not final to ask about, of users who are reachable and whose
        key the panel accepts; users sharing a key form one group. Nothing is decrypted here:
        each key is decrypted when its turn comes (`decrypt_polled`)."""
        final = list(final_states)
        open_orders = select(Order.user_id).where(
            col(Order.panel_order_id).is_not(None),
            col(Order.placement).in_([Placement.PLACED, Placement.TRACKED]),
            col(Order.status).not_in(final),
        )
        open_tasks = select(PanelTask.user_id).where(
            col(PanelTask.panel_task_id).is_not(None),
            col(PanelTask.status).not_in(final),
        )
        async with self._session(writes=False) as session:
            connection = await session.connection()
            rows = await connection.execute(
                select_columns(
                    col(User.telegram_id),
                    col(User.key_fingerprint),
                    col(User.api_key_encrypted),
                    col(User.language),
                    col(User.time_zone),
                )
                .where(
                    col(User.active).is_(True),
                    col(User.key_rejected).is_(False),
                    col(User.api_key_encrypted).is_not(None),
                    or_(
                        col(User.telegram_id).in_(open_orders),
                        col(User.telegram_id).in_(open_tasks),
                    ),
                )
                .order_by(col(User.telegram_id))
            )
            groups: dict[str, PolledKey] = {}
            for user_id, fingerprint, ciphertext, language, time_zone in rows:
                assert ciphertext is not None
                name = fingerprint or f"user:{user_id}"
                group = groups.get(name)
                if group is None:
                    group = groups[name] = PolledKey(name, ciphertext, [])
                group.user_ids.append(user_id)
                group.readers[user_id] = ReaderSettings(language, time_zone)
        return list(groups.values())

    def decrypt_polled(self, polled: PolledKey) -> str | None:
        """The key of a polled group; None (logged) when it cannot be decrypted."""
        try:
            return self._keyring.decrypt(polled.ciphertext)
        except KeyringError:  # one unreadable row must not stop everyone's updates
            logger.error("The stored key of users %s cannot be decrypted", polled.user_ids)
            return None

    async def open_work(self, user_ids: Sequence[int], final_states: Iterable[str]) -> OpenWork:
        """Everything not final of these users (one key): orders, refills and cancels."""
        final = list(final_states)
        async with self._session(writes=False) as session:
            # Plain rows through the session's connection: no row objects to build.
            connection = await session.connection()
            orders = await connection.execute(
                select_columns(
                    col(Order.id),
                    col(Order.panel_order_id),
                    col(Order.status_raw),
                    col(Order.remains),
                    col(Order.start_count),
                    col(Order.charge),
                )
                .where(
                    col(Order.user_id).in_(user_ids),
                    col(Order.panel_order_id).is_not(None),
                    col(Order.placement).in_([Placement.PLACED, Placement.TRACKED]),
                    col(Order.status).not_in(final),
                )
                .order_by(col(Order.id))
            )
            tasks = await connection.execute(
                select_columns(
                    col(PanelTask.id),
                    col(PanelTask.panel_task_id),
                    col(PanelTask.status_raw),
                    col(PanelTask.kind),
                )
                .where(
                    col(PanelTask.user_id).in_(user_ids),
                    col(PanelTask.panel_task_id).is_not(None),
                    col(PanelTask.status).not_in(final),
                )
                .order_by(col(PanelTask.id))
            )
            # Ids are never null in these rows (primary keys, and filtered on above).
            work = OpenWork(
                orders=[
                    WatchedOrder(int(row_id or 0), str(ref), raw, remains, start, charge)
                    for row_id, ref, raw, remains, start, charge in orders
                ]
            )
            for task_id, task_ref, status_raw, kind in tasks:
                watched = WatchedTask(int(task_id or 0), str(task_ref), status_raw)
                (work.refills if kind == TaskKind.REFILL else work.cancels).append(watched)
            return work

    async def store_changes(
        self, orders: Sequence[OrderChange], tasks: Sequence[TaskChange]
    ) -> None:
        """Statuses read in one poll of one key, written in one transaction; callers pass
        only the rows that changed."""
        if not orders and not tasks:
            return
        now = utcnow()
        order_rows = [
            {
                "id": change.order_id,
                "status": change.status,
                "status_raw": change.status_raw,
                "remains": change.remains,
                "start_count": change.start_count,
                "checked_at": now,
                **({"charge": change.charge} if change.charge is not None else {}),
            }
            for change in orders
        ]
        task_rows = [
            {
                "id": change.task_id,
                "status": change.status,
                "status_raw": change.status_raw,
                "checked_at": now,
            }
            for change in tasks
        ]
        async with self._session() as session:
            # Updates by primary key, sent as one executemany per shape of row.
            if order_rows:
                await session.exec(update(Order), params=order_rows)
            if task_rows:
                await session.exec(update(PanelTask), params=task_rows)

    async def owed_users(self) -> list[int]:
        """Users with a stored status they have not been told about yet."""
        async with self._session(writes=False) as session:
            owners: set[int] = set()
            for owed, user_id in (
                (self._owed(Order, None), col(Order.user_id)),
                (self._owed(PanelTask, None), col(PanelTask.user_id)),
            ):
                found = await session.exec(
                    owed.with_only_columns(user_id).distinct().order_by(None)
                )
                owners.update(found)
            return sorted(owners)

    async def news_for(self, user_id: int) -> News | None:
        """What one user is owed, in one read: their orders and tasks not told yet, whether they
        want messages, and the card of each task's order. None: unknown or unreachable user."""
        async with self._session(writes=False) as session:
            user = await session.get(User, user_id)
            if user is None or not user.active:
                return None
            orders = list(await session.exec(self._owed(Order, [user_id])))
            tasks = list(await session.exec(self._owed(PanelTask, [user_id])))
            cards: dict[str, int] = {}
            states: dict[str, str | None] = {}
            if tasks:
                found = await session.exec(
                    select(Order.panel_order_id, Order.id, Order.status).where(
                        col(Order.user_id) == user_id,
                        col(Order.panel_order_id).in_({task.panel_order_id for task in tasks}),
                    )
                )
                for ref, row_id, status in found:
                    if ref and row_id:
                        cards[ref] = row_id
                        states[ref] = status
            reader = ReaderSettings(user.language, user.time_zone)
            return News(user.notify, reader, orders, tasks, cards, states)

    @staticmethod
    def _owed(model: type[_Announced], user_ids: Sequence[int] | None) -> Any:
        conditions = [
            col(User.active).is_(True),
            col(model.status_raw).is_not(None),
            # Case-insensitive: "Pending" and a panel's "pending" are no change.
            or_(
                col(model.announced_status).is_(None),
                func.lower(col(model.announced_status)) != func.lower(col(model.status_raw)),
            ),
        ]
        if user_ids is not None:
            conditions.append(col(model.user_id).in_(user_ids))
        return (
            select(model)
            .join(User, col(User.telegram_id) == col(model.user_id))
            .where(*conditions)
            .order_by(col(model.user_id), col(model.id))
        )

    async def mark_announced(
        self, model: type[_Announced], row_id: int, told: str, previously: str | None
    ) -> None:
        await self.mark_all_announced([Announcement(model, row_id, told, previously)])

    async def mark_all_announced(self, announcements: Sequence[Announcement]) -> None:
        """What one message told, recorded in one transaction. Compare-and-set: a row is marked
        only if nobody (a Refresh, another process) recorded a newer announcement since the
        message was prepared, so an older status never overwrites it."""
        async with self._session() as session:
            for told in announcements:
                model = told.model
                before = col(model.announced_status)
                await session.exec(
                    update(model)
                    .where(
                        col(model.id) == told.row_id,
                        before.is_(None) if told.previously is None else before == told.previously,
                    )
                    .values(announced_status=told.status)
                )

    # --- what the panel supports ------------------------------------------------------------

    async def panel_profile(self, api_url: str) -> str | None:
        """The stored capabilities (JSON) of the panel at this API URL, if any."""
        async with self._session(writes=False) as session:
            profile = await session.get(PanelProfile, api_url)
            return profile.capabilities_json if profile is not None else None

    async def save_panel_profile(self, api_url: str, capabilities_json: str) -> None:
        async with self._session() as session:
            profile = await session.get(PanelProfile, api_url)
            if profile is None:
                profile = PanelProfile(api_url=api_url)
            profile.capabilities_json = capabilities_json
            profile.updated_at = utcnow()
            session.add(profile)
