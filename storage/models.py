"""SQLModel tables. Money is stored as exact decimal text; panel ids as opaque strings."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, overload

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


@overload
def as_utc(moment: datetime) -> datetime: ...
@overload
def as_utc(moment: None) -> None: ...
def as_utc(moment: datetime | None) -> datetime | None:
    """A stored moment as an aware UTC one (SQLite gives back naive datetimes, in UTC)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


class DecimalText(TypeDecorator[Decimal]):
    """Decimal kept as text: exact on every backend (SQLite has no decimal type)."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> str | None:
        return None if value is None else str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)


class User(SQLModel, table=True):
    __tablename__ = "users"

    telegram_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    api_key_encrypted: str | None = Field(default=None, sa_column=Column(Text))
    key_fingerprint: str | None = Field(default=None, index=True, max_length=64)
    # A bot.i18n.LANGUAGES code (older rows: Telegram's raw language_code).
    language: str = Field(default="en", max_length=8)
    # An IANA zone name the user picked; None: UTC.
    time_zone: str | None = Field(default=None, max_length=64)
    notify: bool = True
    # False once Telegram says the user blocked the bot; /start sets it back.
    active: bool = True
    # True once the panel rejects the stored key; polling pauses until /key is used again.
    key_rejected: bool = False
    # Set by an operator (console → access): the user gets a polite refusal, nothing else.
    blocked_at: datetime | None = None
    # When an invite let the user in (invite-only access); None: not through an invite.
    admitted_at: datetime | None = None
    # The last update from the user (the console's "active in 7 days").
    seen_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Placement:
    """Life of an order row on our side, before and after it reaches the panel."""

    DRAFT = "draft"  # summary shown, not confirmed
    PLACING = "placing"  # confirm claimed the row; the add request is under way
    PLACED = "placed"  # the panel returned an order id
    REJECTED = "rejected"  # the panel refused it: nothing was ordered
    UNKNOWN = "unknown"  # the request may have reached the panel; never retried by itself
    TRACKED = "tracked"  # placed on the panel's website, tracked through the bot
    ABANDONED = "abandoned"  # the summary was cancelled, changed or expired unconfirmed


class Order(SQLModel, table=True):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("user_id", "panel_order_id", name="uq_order_owner_panel_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(BigInteger, index=True, nullable=False))
    placement: str = Field(default=Placement.DRAFT, index=True, max_length=16)
    panel_order_id: str | None = Field(default=None, index=True, max_length=64)
    service_id: str = Field(max_length=64)
    service_name: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    service_type: str = Field(default="", max_length=64)
    link: str | None = Field(default=None, sa_column=Column(Text))
    quantity: int | None = Field(default=None, sa_column=Column(BigInteger))
    # The type's own fields exactly as sent to the panel (JSON object of strings).
    fields_json: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    price: Decimal | None = Field(default=None, sa_column=Column(DecimalText))
    charge: Decimal | None = Field(default=None, sa_column=Column(DecimalText))
    currency: str | None = Field(default=None, max_length=16)
    can_refill: bool | None = None
    can_cancel: bool | None = None
    error: str | None = Field(default=None, sa_column=Column(Text))
    status: str | None = Field(default=None, max_length=64)
    status_raw: str | None = Field(default=None, sa_column=Column(Text))
    remains: int | None = Field(default=None, sa_column=Column(BigInteger))
    start_count: int | None = Field(default=None, sa_column=Column(BigInteger))
    # The last status the user was told about; differs from status_raw while a push is owed.
    announced_status: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow)
    claimed_at: datetime | None = None  # when Confirm moved it to 'placing'
    placed_at: datetime | None = None
    checked_at: datetime | None = None


class TaskKind:
    REFILL = "refill"
    CANCEL = "cancel"


class TaskStatus:
    """Our own words for a task's status_raw, stored as codes and worded in the reader's
    language when shown (the panel's own status words are kept as it sent them)."""

    PENDING = "Pending"  # the panel gave an id; its first status check is to come
    REQUESTED = "requested"  # accepted, but the panel gave no id to follow
    UNCLEAR = "unclear"  # no clear answer: it may or may not have been requested


class PanelTask(SQLModel, table=True):
    """A refill or cancel request at the panel, tracked until its status is final."""

    __tablename__ = "panel_tasks"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(index=True, max_length=16)
    user_id: int = Field(sa_column=Column(BigInteger, index=True, nullable=False))
    panel_order_id: str = Field(max_length=64)
    panel_task_id: str | None = Field(default=None, max_length=64)
    status: str | None = Field(default=None, max_length=64)
    status_raw: str | None = Field(default=None, sa_column=Column(Text))
    announced_status: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow)
    checked_at: datetime | None = None


class PanelProfile(SQLModel, table=True):
    """What a panel (by its API URL) was found to support: bot.panel.capabilities as JSON."""

    __tablename__ = "panel_profiles"

    api_url: str = Field(sa_column=Column(Text, primary_key=True))
    capabilities_json: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)


class ConsoleSetting(SQLModel, table=True):
    """One setting the operators change from the console (bot.console_settings names them),
    its value as JSON text. The last save wins; the audit log keeps the value before it."""

    __tablename__ = "console_settings"

    name: str = Field(sa_column=Column(String(64), primary_key=True))
    value_json: str = Field(sa_column=Column(Text, nullable=False))
    updated_by: int | None = Field(default=None, sa_column=Column(BigInteger))
    updated_at: datetime = Field(default_factory=utcnow)


class AuditEntry(SQLModel, table=True):
    """One operator action: who, what, when (and, for a setting, the value before and after)."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    operator_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    action: str = Field(max_length=64)
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # For a setting: its name and the JSON values before and after (undo restores `before`).
    setting: str | None = Field(default=None, max_length=64)
    before_json: str | None = Field(default=None, sa_column=Column(Text))
    after_json: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow, index=True)


class Invite(SQLModel, table=True):
    """An invite deep link (`t.me/<bot>?start=<code>`) for invite-only access."""

    __tablename__ = "invites"

    code: str = Field(sa_column=Column(String(64), primary_key=True))
    created_by: int = Field(sa_column=Column(BigInteger, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime | None = None
    max_uses: int | None = None  # None: any number of people
    uses: int = 0
    revoked_at: datetime | None = None


class Broadcast(SQLModel, table=True):
    """A message the operators send to every active user, delivered in the background."""

    __tablename__ = "broadcasts"

    id: int | None = Field(default=None, primary_key=True)
    operator_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    # Where the progress message is edited in place.
    progress_chat_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    progress_message_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    photo_file_id: str | None = Field(default=None, sa_column=Column(Text))
    state: str = Field(default="draft", index=True, max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None


class BroadcastDelivery(SQLModel, table=True):
    """One recipient of a broadcast. The row is claimed ('sending') before the message goes,
    so a restart never sends it twice: a claimed row is never sent again."""

    __tablename__ = "broadcast_deliveries"
    __table_args__ = (UniqueConstraint("broadcast_id", "user_id", name="uq_broadcast_user"),)

    id: int | None = Field(default=None, primary_key=True)
    broadcast_id: int = Field(index=True)
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    state: str = Field(default="pending", index=True, max_length=16)
    updated_at: datetime = Field(default_factory=utcnow)


class Delivery:
    """Outcome of one push, counted for the console's stats (24 h of pushes)."""

    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"


class PushLog(SQLModel, table=True):
    """One row per push outcome (status messages), for 'pushes sent/failed in 24 h'."""

    __tablename__ = "push_log"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    outcome: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow, index=True)


class RuntimeState(SQLModel, table=True):
    """What the running bot records about itself for the console and for other processes
    (the last poll cycle, the panel's health, whether an outage alert went out), as JSON."""

    __tablename__ = "runtime_state"

    name: str = Field(sa_column=Column(String(64), primary_key=True))
    value_json: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)


class MassOrder(SQLModel, table=True):
    """A mass order: the draft rows of its valid lines, confirmed with one button. Claimed
    once ('placing') before any line is sent, so a second tap, another device or a restart
    never places it again; each line is then placed through its own draft row's claim."""

    __tablename__ = "mass_orders"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(BigInteger, index=True, nullable=False))
    state: str = Field(default="draft", max_length=16)  # MassState
    # [[line number as typed, draft row id], …] in the order the lines are placed.
    lines_json: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))
    created_at: datetime = Field(default_factory=utcnow)
    claimed_at: datetime | None = None
    finished_at: datetime | None = None


class MassState:
    DRAFT = "draft"  # the summary is on screen
    PLACING = "placing"  # Confirm claimed it; its lines are being placed
    DONE = "done"  # every line placed, refused, unclear or not sent
    CANCELLED = "cancelled"  # cancelled, replaced or timed out before Confirm


class Favourite(SQLModel, table=True):
    """A service a customer starred (shown first in /order). The name is the one shown when
    it was starred, so a favourite the panel has since removed can still be named."""

    __tablename__ = "favourites"
    __table_args__ = (UniqueConstraint("user_id", "service_id", name="uq_favourite_user_service"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(BigInteger, index=True, nullable=False))
    service_id: str = Field(max_length=64)
    service_name: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow)


class UserState(SQLModel, table=True):
    """A user's conversation state (bot.persistence): their user_data, pickled and encrypted
    (Fernet), and the open conversations' states, so a half-filled order survives a restart and
    continues on another process. One row per user; written after each of their updates that
    changed it."""

    __tablename__ = "user_state"

    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    data: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    # {"order": [[chat id, user id, state, last activity (Unix time)]], "mass": [...]}
    conversations: str | None = Field(default=None, sa_column=Column(Text))
    # The oldest last activity among the open conversations (Unix time); None: none open.
    # The expiry sweep looks rows up by it.
    idle_since: float | None = Field(default=None, sa_column=Column(Float, index=True))
    # The ids of the last updates handled for this user, a JSON list (at most 16, oldest
    # first): a redelivered one is not handled again. Kept where redeliveries happen
    # (PostgreSQL, webhook mode).
    recent_updates: str | None = Field(default=None, sa_column=Column(Text))
    # Bumped by every write, which is conditional on it: a process re-reads the row only when
    # another one changed it, and never overwrites a newer state.
    version: int = Field(default=1, sa_column=Column(Integer, nullable=False, default=1))
    updated_at: datetime = Field(default_factory=utcnow)


class Lease(SQLModel, table=True):
    """Work only one process may do at a time (the status poller, a broadcast's delivery, the
    pushes to one user), and which process does it until when. Taken, renewed and released
    by storage.leases; a holder that dies leaves a row that simply expires."""

    __tablename__ = "leases"

    name: str = Field(sa_column=Column(String(64), primary_key=True))
    # hostname:pid:random — the process, recognisable in the database by an operator.
    holder: str = Field(sa_column=Column(String(128), nullable=False))
    # On the database's clock (PostgreSQL) or the one host's (SQLite), in UTC.
    expires_at: datetime
