"""Access: invites, users blocked by an operator, users admitted through an invite."""

from __future__ import annotations

from storage.base import StoreBase


class AccessStore(StoreBase):
    pass
