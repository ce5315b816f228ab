"""The figures the console's stats screen shows, each one query."""

from __future__ import annotations

from storage.base import StoreBase


class StatsStore(StoreBase):
    pass
