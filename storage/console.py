"""Console settings (one row per setting, JSON values) and the operators' audit log."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.base import StoreBase
from storage.models import AuditEntry, ConsoleSetting, RuntimeState, utcnow


@dataclass(frozen=True)
class SettingChange:
    """A saved setting: its value before (None: it was unset) and after (None: unset now)."""

    name: str
    before: Any
    after: Any
    audit_id: int


class ConsoleStore(StoreBase):
    async def console_settings(self) -> dict[str, Any]:
        """Every stored setting, decoded (a row that is not JSON is skipped)."""
        async with self._session(writes=False) as session:
            rows = (await session.exec(select(ConsoleSetting))).all()
        values: dict[str, Any] = {}
        for row in rows:
            try:
                values[row.name] = json.loads(row.value_json)
            except ValueError:
                continue
        return values

    async def save_setting(
        self, operator_id: int, name: str, value: Any, action: str = "setting"
    ) -> SettingChange:
        """Store `value` (None removes the setting: back to its default) and record who did it,
        with the value before, in the same unit of work. The last save wins."""
        async with self._session() as session:
            return await self._save(session, operator_id, name, value, action)

    @staticmethod
    async def _save(
        session: AsyncSession, operator_id: int, name: str, value: Any, action: str
    ) -> SettingChange:
        row = await session.get(ConsoleSetting, name)
        before = _decoded(row.value_json) if row is not None else None
        if value is None:
            if row is not None:
                await session.delete(row)
        elif row is None:
            session.add(
                ConsoleSetting(name=name, value_json=_encoded(value), updated_by=operator_id)
            )
        else:
            row.value_json = _encoded(value)
            row.updated_by = operator_id
            row.updated_at = utcnow()
            session.add(row)
        entry = AuditEntry(
            operator_id=operator_id,
            action=action,
            detail=name,
            setting=name,
            before_json=None if before is None else _encoded(before),
            after_json=None if value is None else _encoded(value),
        )
        session.add(entry)
        await session.flush()
        assert entry.id is not None
        return SettingChange(name, before, value, entry.id)

    async def modify_setting(
        self,
        operator_id: int,
        name: str,
        change: Callable[[dict[str, Any]], Any],
        unchanged: object,
        action: str = "setting",
    ) -> SettingChange | None:
        """Change a setting made of parts (a welcome per language, a list) from its stored
        value, in one unit of work with the row locked (PostgreSQL; SQLite writers take turns
        anyway): two operators' changes at once are both kept, in any process. `change` gets
        every stored setting and answers the new value, or `unchanged`."""
        async with self._session() as session:
            await session.exec(
                select(ConsoleSetting).where(col(ConsoleSetting.name) == name).with_for_update()
            )
            rows = (await session.exec(select(ConsoleSetting))).all()
            stored = {row.name: _decoded(row.value_json) for row in rows}
            value = change(stored)
            if value is unchanged:
                return None
            return await self._save(session, operator_id, name, value, action)

    async def audit_entry(self, entry_id: int) -> AuditEntry | None:
        async with self._session(writes=False) as session:
            return await session.get(AuditEntry, entry_id)

    async def record_action(self, operator_id: int, action: str, detail: str = "") -> None:
        """One line in the audit log (who, what, when)."""
        async with self._session() as session:
            session.add(AuditEntry(operator_id=operator_id, action=action, detail=detail[:500]))

    async def recent_actions(self, limit: int = 20) -> list[AuditEntry]:
        async with self._session(writes=False) as session:
            found = await session.exec(
                select(AuditEntry)
                .order_by(col(AuditEntry.created_at).desc(), col(AuditEntry.id).desc())
                .limit(limit)
            )
            return list(found.all())

    async def runtime_state(self, name: str) -> Any:
        """A value the bot recorded about itself (None: never recorded)."""
        async with self._session(writes=False) as session:
            row = await session.get(RuntimeState, name)
        return None if row is None else _decoded(row.value_json)

    async def runtime_state_at(self, name: str) -> tuple[Any, datetime] | None:
        async with self._session(writes=False) as session:
            row = await session.get(RuntimeState, name)
        return None if row is None else (_decoded(row.value_json), row.updated_at)

    async def claim_runtime_state(self, name: str, value: Any) -> Any:
        """Store `value` unless the row exists, and answer the stored value: of several
        processes claiming at once, all get the first one's (INSERT … ON CONFLICT DO NOTHING
        on both engines, then read back)."""
        dialect = self._engine.dialect.name
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = (
            insert(RuntimeState)
            .values(name=name, value_json=_encoded(value), updated_at=utcnow())
            .on_conflict_do_nothing(index_elements=["name"])
        )
        async with self._session() as session:
            await session.exec(statement)
        return await self.runtime_state(name)

    async def save_runtime_state(self, name: str, value: Any) -> None:
        async with self._session() as session:
            row = await session.get(RuntimeState, name)
            if row is None:
                session.add(RuntimeState(name=name, value_json=_encoded(value)))
            else:
                row.value_json = _encoded(value)
                row.updated_at = utcnow()
                session.add(row)


def _encoded(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _decoded(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None
