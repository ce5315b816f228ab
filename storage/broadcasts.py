"""Broadcasts and their deliveries (one row per recipient, claimed before sending)."""

from __future__ import annotations

from storage.base import StoreBase


class BroadcastStore(StoreBase):
    pass
