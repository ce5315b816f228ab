"""Access: invites, users blocked by an operator, users admitted through an invite.

Using an invite is one conditional UPDATE (not revoked, not expired, uses left), in the same
transaction as the user's admission: two people tapping the last use of a link at once cannot
both get in, on SQLite (one writer) or PostgreSQL (the row lock re-checks the condition).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, update
from sqlalchemy import select as select_columns
from sqlmodel import col, select

from storage.base import StoreBase
from storage.models import AuditEntry, Invite, User, as_utc, utcnow

# secrets.token_urlsafe(12): 16 characters of [A-Za-z0-9_-], 96 random bits; a deep link's
# payload may hold 64 such characters.
CODE_BYTES = 12


class InviteState:
    ACTIVE = "active"
    USED_UP = "used_up"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class InviteView:
    code: str
    uses: int
    max_uses: int | None  # None: any number of people
    expires_at: datetime | None  # None: never
    created_at: datetime
    state: str


@dataclass(frozen=True)
class UserRow:
    """One line of the console's user list."""

    telegram_id: int
    created_at: datetime
    has_key: bool
    blocked: bool
    admitted: bool


def _view(invite: Invite, now: datetime) -> InviteView:
    expires = as_utc(invite.expires_at)
    if invite.revoked_at is not None:
        state = InviteState.REVOKED
    elif expires is not None and expires <= now:
        state = InviteState.EXPIRED
    elif invite.max_uses is not None and invite.uses >= invite.max_uses:
        state = InviteState.USED_UP
    else:
        state = InviteState.ACTIVE
    created = as_utc(invite.created_at)
    assert created is not None
    return InviteView(invite.code, invite.uses, invite.max_uses, expires, created, state)


class AccessStore(StoreBase):
    # --- invites ---------------------------------------------------------------------------

    async def create_invite(
        self, operator_id: int, max_uses: int | None, valid_for: timedelta | None
    ) -> InviteView:
        """A new invite (audited in the same unit of work)."""
        now = utcnow()
        invite = Invite(
            code=secrets.token_urlsafe(CODE_BYTES),
            created_by=operator_id,
            created_at=now,
            max_uses=max_uses,
            expires_at=None if valid_for is None else now + valid_for,
        )
        async with self._session() as session:
            session.add(invite)
            session.add(
                AuditEntry(operator_id=operator_id, action="invite", detail=invite.code[:6])
            )
        return _view(invite, now)

    async def invites(self, offset: int = 0, limit: int = 10) -> tuple[list[InviteView], int]:
        """A page of invites, newest first, and how many there are."""
        async with self._session(writes=False) as session:
            total = (await session.exec(select(func.count()).select_from(Invite))).one()
            found = await session.exec(
                select(Invite)
                .order_by(col(Invite.created_at).desc(), col(Invite.code))
                .offset(offset)
                .limit(limit)
            )
            rows = list(found.all())
        now = utcnow()
        return [_view(invite, now) for invite in rows], int(total)

    async def invite(self, code: str) -> InviteView | None:
        async with self._session(writes=False) as session:
            found = await session.get(Invite, code)
        return None if found is None else _view(found, utcnow())

    async def revoke_invite(self, operator_id: int, code: str) -> bool:
        """Revoke an invite not revoked yet (audited); False: no such invite, or revoked."""
        async with self._session() as session:
            result = await session.exec(
                update(Invite)
                .where(col(Invite.code) == code, col(Invite.revoked_at).is_(None))
                .values(revoked_at=utcnow())
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                return False
            session.add(AuditEntry(operator_id=operator_id, action="revoke", detail=code[:6]))
            return True

    async def set_invite_expiry(self, code: str, expires_at: datetime | None) -> None:
        """Move an invite's expiry (tests move time this way)."""
        async with self._session() as session:
            await session.exec(
                update(Invite).where(col(Invite.code) == code).values(expires_at=expires_at)
            )

    async def use_invite(self, code: str, telegram_id: int, language: str) -> bool:
        """Take one use of the invite and admit the user, in one transaction; False (nothing
        changed) when the code is unknown, revoked, expired or used up."""
        now = utcnow()
        async with self._session() as session:
            taken = await session.exec(
                update(Invite)
                .where(
                    col(Invite.code) == code,
                    col(Invite.revoked_at).is_(None),
                    or_(col(Invite.expires_at).is_(None), col(Invite.expires_at) > now),
                    or_(col(Invite.max_uses).is_(None), col(Invite.uses) < col(Invite.max_uses)),
                )
                .values(uses=col(Invite.uses) + 1)
            )
            if taken.rowcount != 1:  # type: ignore[attr-defined]
                return False
            user = await session.get(User, telegram_id)
            if user is None:
                user = User(telegram_id=telegram_id, language=language[:8], seen_at=now)
            if user.admitted_at is None:
                user.admitted_at = now
            user.updated_at = now
            session.add(user)
            return True

    async def admit_key_holder(self, telegram_id: int) -> bool:
        """Invite-only keeps the customers the bot already served: a user who connected a key
        (necessarily before invite-only was switched on) is admitted now. A read first: the
        users refused again and again take no writer's turn."""
        async with self._session(writes=False) as session:
            found = await session.get(User, telegram_id)
            if found is None or found.api_key_encrypted is None or found.admitted_at is not None:
                return False
        async with self._session() as session:
            result = await session.exec(
                update(User)
                .where(
                    col(User.telegram_id) == telegram_id,
                    col(User.admitted_at).is_(None),
                    col(User.api_key_encrypted).is_not(None),
                )
                .values(admitted_at=utcnow())
            )
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    # --- users -----------------------------------------------------------------------------

    async def user_row(self, telegram_id: int) -> UserRow | None:
        async with self._session(writes=False) as session:
            found = await session.get(User, telegram_id)
        return None if found is None else _user_row(found)

    async def user_rows(self, offset: int = 0, limit: int = 8) -> tuple[list[UserRow], int]:
        """A page of users, blocked ones first, then the newest; and how many there are."""
        async with self._session(writes=False) as session:
            connection = await session.connection()
            total = (
                await connection.execute(select_columns(func.count()).select_from(User))
            ).scalar_one()
            found = await session.exec(
                select(User)
                .order_by(
                    col(User.blocked_at).is_(None),
                    col(User.created_at).desc(),
                    col(User.telegram_id),
                )
                .offset(offset)
                .limit(limit)
            )
            rows = [_user_row(user) for user in found.all()]
        return rows, int(total)

    async def blocked_count(self) -> int:
        async with self._session(writes=False) as session:
            connection = await session.connection()
            found = await connection.execute(
                select_columns(func.count())
                .select_from(User)
                .where(col(User.blocked_at).is_not(None))
            )
            return int(found.scalar_one())

    async def set_blocked(self, operator_id: int, telegram_id: int, blocked: bool) -> bool:
        """Block or unblock a user who has written to the bot (audited in the same unit of
        work); False: no such user."""
        async with self._session() as session:
            result = await session.exec(
                update(User)
                .where(col(User.telegram_id) == telegram_id)
                .values(blocked_at=utcnow() if blocked else None, updated_at=utcnow())
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                return False
            session.add(
                AuditEntry(
                    operator_id=operator_id,
                    action="block" if blocked else "unblock",
                    detail=str(telegram_id),
                )
            )
            return True


def _user_row(user: User) -> UserRow:
    created = as_utc(user.created_at)
    assert created is not None
    return UserRow(
        user.telegram_id,
        created,
        user.api_key_encrypted is not None,
        user.blocked_at is not None,
        user.admitted_at is not None,
    )
