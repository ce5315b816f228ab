"""The only place that talks SQL. One short session per unit of work, committed inside."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import func, or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from storage.crypto import Keyring, KeyringError
from storage.models import Order, PanelTask, Placement, User, utcnow

logger = logging.getLogger(__name__)


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


# How long a refill or cancel the panel accepted without an id blocks another request.
UNTRACKED_TASK_HOLD = timedelta(hours=1)

_Announced = TypeVar("_Announced", Order, PanelTask)


def _listed() -> Any:
    """Orders a user sees in /orders: placed or tracked ones, those being placed, and those
    whose placement is unknown (the user was told to look for them there)."""
    return or_(
        col(Order.panel_order_id).is_not(None),
        col(Order.placement).in_([Placement.UNKNOWN, Placement.PLACING]),
    )


class Repository:
    def __init__(self, engine: Engine, keyring: Keyring) -> None:
        self._engine = engine
        self._keyring = keyring

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with Session(self._engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    # --- users -----------------------------------------------------------------------------

    def touch_user(self, telegram_id: int, language: str | None = None) -> User:
        """Create the user on first contact; a returning user who blocked us is active again."""
        with self._session() as session:
            user = session.get(User, telegram_id)
            if user is None:
                user = User(telegram_id=telegram_id, language=(language or "en")[:8])
                session.add(user)
            elif not user.active:
                user.active = True
                user.updated_at = utcnow()
            return user

    def get_user(self, telegram_id: int) -> User | None:
        with self._session() as session:
            return session.get(User, telegram_id)

    def set_api_key(self, telegram_id: int, key: str) -> None:
        with self._session() as session:
            user = session.get(User, telegram_id) or User(telegram_id=telegram_id)
            user.api_key_encrypted = self._keyring.encrypt(key)
            user.key_fingerprint = self._keyring.fingerprint(key)
            user.key_rejected = False
            user.active = True
            user.updated_at = utcnow()
            session.add(user)

    def get_api_key(self, telegram_id: int) -> StoredKey | None:
        user = self.get_user(telegram_id)
        if user is None or user.api_key_encrypted is None:
            return None
        return StoredKey(telegram_id, self._keyring.decrypt(user.api_key_encrypted))

    def remove_api_key(self, telegram_id: int) -> bool:
        with self._session() as session:
            user = session.get(User, telegram_id)
            if user is None or user.api_key_encrypted is None:
                return False
            user.api_key_encrypted = None
            user.key_fingerprint = None
            user.updated_at = utcnow()
            return True

    def set_user_flags(
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
        with self._session() as session:
            session.execute(
                update(User).where(col(User.telegram_id) == telegram_id).values(**values)
            )

    def reencrypt_all(self) -> int:
        """Re-encrypt every stored key with the primary key (after a rotation)."""
        count = 0
        with self._session() as session:
            for user in session.exec(select(User).where(col(User.api_key_encrypted).is_not(None))):
                assert user.api_key_encrypted is not None
                user.api_key_encrypted = self._keyring.rotate(user.api_key_encrypted)
                user.key_fingerprint = self._keyring.fingerprint(
                    self._keyring.decrypt(user.api_key_encrypted)
                )
                count += 1
        return count

    # --- placing orders --------------------------------------------------------------------

    def create_draft(self, draft: DraftOrder) -> int:
        with self._session() as session:
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
            session.flush()
            assert order.id is not None
            return order.id

    def claim_draft(
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
        with self._session() as session:
            result = session.execute(
                update(Order)
                .where(*conditions)
                .values(placement=Placement.PLACING, claimed_at=utcnow())
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                return None
            return session.get(Order, order_id)

    def expire_interrupted_placements(self, older_than: timedelta) -> int:
        """Rows left in 'placing' by a crash or restart mid-`add`: the order may exist at the
        panel, so they become 'unknown' (listed as unconfirmed), never placed again."""
        with self._session() as session:
            result = session.execute(
                update(Order)
                .where(
                    col(Order.placement) == Placement.PLACING,
                    col(Order.claimed_at) < utcnow() - older_than,
                )
                .values(placement=Placement.UNKNOWN)
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

    def abandon_draft(self, order_id: int) -> None:
        """An unconfirmed summary went away; its Confirm button must not place it later."""
        with self._session() as session:
            session.execute(
                update(Order)
                .where(col(Order.id) == order_id, col(Order.placement) == Placement.DRAFT)
                .values(placement=Placement.ABANDONED)
            )

    def get_order(self, order_id: int, user_id: int) -> Order | None:
        with self._session() as session:
            order = session.get(Order, order_id)
            return order if order is not None and order.user_id == user_id else None

    def finish_placement(
        self,
        order_id: int,
        placement: str,
        *,
        panel_order_id: str | None = None,
        error: str | None = None,
    ) -> Order:
        with self._session() as session:
            order = session.get(Order, order_id)
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

    def count_orders(self, user_id: int) -> int:
        with self._session() as session:
            return session.exec(
                select(func.count())
                .select_from(Order)
                .where(col(Order.user_id) == user_id, _listed())
            ).one()

    def list_orders(self, user_id: int, offset: int, limit: int) -> list[Order]:
        with self._session() as session:
            return list(
                session.exec(
                    select(Order)
                    .where(col(Order.user_id) == user_id, _listed())
                    .order_by(col(Order.created_at).desc(), col(Order.id).desc())
                    .offset(offset)
                    .limit(limit)
                )
            )

    def find_order(self, user_id: int, panel_order_id: str) -> Order | None:
        with self._session() as session:
            return session.exec(
                select(Order).where(
                    col(Order.user_id) == user_id, col(Order.panel_order_id) == panel_order_id
                )
            ).first()

    def track_order(
        self, user_id: int, panel_order_id: str, status_raw: str, status: str
    ) -> Order:
        """Start tracking an order placed outside the bot (idempotent)."""
        existing = self.find_order(user_id, panel_order_id)
        if existing is not None:
            return existing
        with self._session() as session:
            order = Order(
                user_id=user_id,
                placement=Placement.TRACKED,
                panel_order_id=panel_order_id,
                service_id="",
                status=status,
                status_raw=status_raw,
                announced_status=status_raw,
                placed_at=utcnow(),
            )
            session.add(order)
            return order

    def record_order_status(
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
        with self._session() as session:
            order = session.get(Order, order_id)
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

    def add_task(
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
        with self._session() as session:
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
            session.flush()
            assert task.id is not None
            return task.id

    def open_task_exists(
        self, user_id: int, panel_order_id: str, kind: str, final_states: Iterable[str]
    ) -> bool:
        """A refill (or cancel) of this order is under way: followed and not final yet, or
        without an id and recent (UNTRACKED_TASK_HOLD)."""
        with self._session() as session:
            return (
                session.exec(
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
                ).first()
                is not None
            )

    def tasks_for_order(self, user_id: int, panel_order_id: str) -> list[PanelTask]:
        with self._session() as session:
            return list(
                session.exec(
                    select(PanelTask)
                    .where(
                        col(PanelTask.user_id) == user_id,
                        col(PanelTask.panel_order_id) == panel_order_id,
                    )
                    .order_by(col(PanelTask.id))
                )
            )

    # --- status polling ----------------------------------------------------------------------

    def pollable_keys(self) -> list[StoredKey]:
        """Keys of users whose orders are polled: reachable, key connected and accepted."""
        with self._session() as session:
            users = session.exec(
                select(User).where(
                    col(User.active).is_(True),
                    col(User.key_rejected).is_(False),
                    col(User.api_key_encrypted).is_not(None),
                )
            ).all()
        keys = []
        for user in users:
            assert user.api_key_encrypted is not None
            try:
                keys.append(
                    StoredKey(user.telegram_id, self._keyring.decrypt(user.api_key_encrypted))
                )
            except KeyringError:  # one unreadable row must not stop everyone's updates
                logger.error("The stored key of user %s cannot be decrypted", user.telegram_id)
        return keys

    def open_orders(self, user_id: int, final_states: Iterable[str]) -> list[Order]:
        with self._session() as session:
            return list(
                session.exec(
                    select(Order)
                    .where(
                        col(Order.user_id) == user_id,
                        col(Order.panel_order_id).is_not(None),
                        col(Order.placement).in_([Placement.PLACED, Placement.TRACKED]),
                        col(Order.status).not_in(list(final_states)),
                    )
                    .order_by(col(Order.id))
                )
            )

    def open_tasks(self, user_id: int, kind: str, final_states: Iterable[str]) -> list[PanelTask]:
        with self._session() as session:
            return list(
                session.exec(
                    select(PanelTask)
                    .where(
                        col(PanelTask.user_id) == user_id,
                        col(PanelTask.kind) == kind,
                        col(PanelTask.panel_task_id).is_not(None),
                        col(PanelTask.status).not_in(list(final_states)),
                    )
                    .order_by(col(PanelTask.id))
                )
            )

    def record_task_status(self, task_id: int, *, status: str, status_raw: str) -> None:
        with self._session() as session:
            task = session.get(PanelTask, task_id)
            assert task is not None
            task.status = status
            task.status_raw = status_raw
            task.checked_at = utcnow()

    def owed_order_announcements(self) -> list[Order]:
        """Orders whose stored status the owner has not been told about yet."""
        return self._owed(Order)

    def owed_task_announcements(self) -> list[PanelTask]:
        return self._owed(PanelTask)

    def _owed(self, model: type[_Announced]) -> list[_Announced]:
        with self._session() as session:
            return list(
                session.exec(
                    select(model)
                    .join(User, col(User.telegram_id) == col(model.user_id))
                    .where(
                        col(User.active).is_(True),
                        col(model.status_raw).is_not(None),
                        # Case-insensitive: "Pending" and a panel's "pending" are no change.
                        or_(
                            col(model.announced_status).is_(None),
                            func.lower(col(model.announced_status))
                            != func.lower(col(model.status_raw)),
                        ),
                    )
                    .order_by(col(model.user_id), col(model.id))
                )
            )

    def mark_announced(
        self, model: type[_Announced], row_id: int, told: str, previously: str | None
    ) -> None:
        """Compare-and-set: only if nobody (a Refresh, another process) recorded a newer
        announcement since the push was prepared, so an older status never overwrites it."""
        before = col(model.announced_status)
        with self._session() as session:
            session.execute(
                update(model)
                .where(
                    col(model.id) == row_id,
                    before.is_(None) if previously is None else before == previously,
                )
                .values(announced_status=told)
            )
