"""Error reports to the operators, grouped by kind and rate-limited, so that no user (and no
failing dependency) can flood the operators' chats.

A kind is the exception's type and where it was raised (the innermost frame of this project's
code). The first error of a kind is reported; the ones after it within `WINDOW_SECONDS` are
only counted; the first one after the window is reported again, carrying that count.

The records live behind `ReportLedger` (get/put one record per kind). `MemoryLedger` keeps them
in this process: with several processes each reports on its own, and a restart forgets the
counts. A ledger on a database row per kind (same two methods) makes it shared.
"""

from __future__ import annotations

import time
import traceback
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

WINDOW_SECONDS = 600.0
MAX_KINDS = 1000

_PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class KindRecord:
    reported_at: float  # clock time of the last report of this kind
    suppressed: int = 0  # errors of this kind since then that were not reported


@dataclass(frozen=True)
class Report:
    """Send a report for this kind; `suppressed` errors of it went unreported before it."""

    kind: str
    suppressed: int


class ReportLedger(Protocol):
    async def get(self, kind: str) -> KindRecord | None: ...

    async def put(self, kind: str, record: KindRecord) -> None: ...


class MemoryLedger:
    """Records in this process, at most `max_kinds` (the least recently touched go first)."""

    def __init__(self, max_kinds: int = MAX_KINDS) -> None:
        self._records: OrderedDict[str, KindRecord] = OrderedDict()
        self._max_kinds = max_kinds

    async def get(self, kind: str) -> KindRecord | None:
        return self._records.get(kind)

    async def put(self, kind: str, record: KindRecord) -> None:
        self._records[kind] = record
        self._records.move_to_end(kind)
        while len(self._records) > self._max_kinds:
            self._records.popitem(last=False)


class ErrorReportThrottle:
    def __init__(
        self,
        ledger: ReportLedger | None = None,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.time,  # wall time: comparable across processes
    ) -> None:
        self._ledger = ledger if ledger is not None else MemoryLedger()
        self._window = window
        self._clock = clock

    @property
    def window(self) -> float:
        return self._window

    async def admit(self, kind: str) -> Report | None:
        """A Report when this error is to be sent to the operators, else None (counted)."""
        now = self._clock()
        record = await self._ledger.get(kind)
        # A clock that went back (a wall-clock step) opens a new window rather than none.
        if record is None or not record.reported_at <= now < record.reported_at + self._window:
            await self._ledger.put(kind, KindRecord(reported_at=now))
            return Report(kind, record.suppressed if record is not None else 0)
        await self._ledger.put(kind, KindRecord(record.reported_at, record.suppressed + 1))
        return None


def error_kind(error: BaseException) -> str:
    """`Type at file:function:line`, the place being the innermost frame of this project's
    code (library frames say little about which of our paths failed)."""
    name = type(error).__qualname__
    frames = traceback.extract_tb(error.__traceback__)
    ours = [frame for frame in frames if _is_ours(frame.filename)]
    chosen = (ours or frames)[-1] if frames else None
    if chosen is None:
        return name
    return f"{name} at {_short_path(chosen.filename)}:{chosen.name}:{chosen.lineno}"


def _is_ours(filename: str) -> bool:
    path = Path(filename).resolve()
    return path.is_relative_to(_PROJECT_ROOT) and not {".venv", "site-packages"} & set(path.parts)


def _short_path(filename: str) -> str:
    path = Path(filename).resolve()
    return str(path.relative_to(_PROJECT_ROOT)) if _is_ours(filename) else path.name
