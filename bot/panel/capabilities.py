"""What the configured panel can do, learned from its answers and remembered in the database.

Panels that speak "API v2" differ (../shared/real-panels.md): some answer `status` for one
order only, some have no refill or cancel, some need `quantity` for packages and lists, some
split comments on commas, some accept a few drip-feed intervals only. Each fact is `None` while
unknown: callers then act as the seed's protocol (PerfectPanel-style) says, and learn from the
answer they get.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime
from typing import Any

# The three dialects the parsers know (real-panels.md).
SEED = "seed"
SMARTPANEL = "smartpanel"
BOOSTEDSMM = "boostedsmm"
UNKNOWN_DIALECT = "unknown"


@dataclass(frozen=True)
class Capabilities:
    """One panel's abilities; None = not known yet."""

    dialect: str = UNKNOWN_DIALECT
    multi_status: bool | None = None  # `status` with `orders=a,b` (else one `order=` call each)
    refill: bool | None = None
    refill_status: bool | None = None
    cancel: bool | None = None
    cancel_status: bool | None = None
    # Drip-feed intervals (minutes) the panel accepts; None = any value from 1 to 1440.
    dripfeed_intervals: tuple[int, ...] | None = None
    package_needs_quantity: bool | None = None  # Package / Custom Comments Package: quantity=1
    list_needs_quantity: bool | None = None  # Mentions Custom List: quantity = lines
    comments_need_quantity: bool | None = None  # Custom Comments: quantity = lines
    comments_split_on_commas: bool | None = None  # each comma-separated piece is a comment
    # Service types the panel refused to create through its API (normalised type values).
    refused_types: tuple[str, ...] = ()
    checked_at: datetime | None = None  # last full check (panel-check or the daily refresh)

    def learned(self, **facts: Any) -> Capabilities:
        """A copy with these facts changed (a call's answer contradicted or confirmed them)."""
        return replace(self, **facts)

    def to_json(self) -> str:
        values = asdict(self)
        values["checked_at"] = self.checked_at.isoformat() if self.checked_at else None
        if self.dripfeed_intervals is not None:
            values["dripfeed_intervals"] = list(self.dripfeed_intervals)
        values["refused_types"] = list(self.refused_types)
        return json.dumps(values, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> Capabilities:
        """Stored facts; unknown names are ignored and bad values read as unknown, so an older
        or newer version's row never stops the bot."""
        if not text:
            return cls()
        try:
            raw = json.loads(text)
        except ValueError:
            return cls()
        if not isinstance(raw, dict):
            return cls()
        known = {field.name for field in fields(cls)}
        values: dict[str, Any] = {}
        for name, value in raw.items():
            if name not in known:
                continue
            if name == "dialect" and isinstance(value, str):
                values[name] = value
            elif name == "checked_at" and isinstance(value, str):
                try:
                    values[name] = datetime.fromisoformat(value)
                except ValueError:
                    continue
            elif name == "dripfeed_intervals" and isinstance(value, list):
                if all(isinstance(item, int) for item in value):
                    values[name] = tuple(value)
            elif name == "refused_types" and isinstance(value, list):
                values[name] = tuple(item for item in value if isinstance(item, str))
            elif isinstance(value, bool):
                values[name] = value
        return cls(**values)


# Drip-feed intervals (minutes) SmartPanel accepts; anything else is "Invalid Interval in
# minutes" (real-panels.md, S06).
SMARTPANEL_INTERVALS = (0, 5, 10, 15, 30, 60, 90)

DIALECT_NAMES = {
    SEED: "PerfectPanel-style (the seed's API v2)",
    SMARTPANEL: "SmartPanel",
    BOOSTEDSMM: "BoostedSMM",
    UNKNOWN_DIALECT: "not recognised",
}

# What each dialect is known to do (real-panels.md); filled in only for facts still unknown,
# so what a call taught is never overwritten by what the dialect usually does.
DIALECT_FACTS: dict[str, dict[str, Any]] = {
    SEED: {},
    SMARTPANEL: {
        "multi_status": True,
        "refill": False,
        "refill_status": False,
        "cancel": False,
        "cancel_status": False,
        "dripfeed_intervals": SMARTPANEL_INTERVALS,
        "package_needs_quantity": True,
        "list_needs_quantity": True,
        "comments_need_quantity": False,
        "comments_split_on_commas": True,
    },
    BOOSTEDSMM: {
        "multi_status": False,
        "cancel": False,
        "cancel_status": False,
        "package_needs_quantity": True,
        "comments_need_quantity": True,
        "comments_split_on_commas": False,
    },
}

_FLAG_WORDS = frozenset({"true", "false"})


def detect_dialect(payload: object) -> str | None:
    """The dialect a `services` answer is written in, or None when it does not tell.

    SmartPanel wraps empty catalogues in {"status":"success","data":..} and has no refill or
    cancel flags but a "dripfeed" string; BoostedSMM writes refill as "true"/"false" and has no
    dripfeed flag; the seed's panels send refill/cancel as booleans (or 0/1)."""
    if isinstance(payload, dict) and payload.get("status") == "success" and "data" in payload:
        return SMARTPANEL
    if not isinstance(payload, list):
        return None
    items = [item for item in payload if isinstance(item, dict)]
    if not items:
        return None
    keys = set().union(*(item.keys() for item in items))
    refills = [item["refill"] for item in items if "refill" in item]
    if (
        refills
        and "dripfeed" not in keys
        and all(isinstance(v, str) and v.lower() in _FLAG_WORDS for v in refills)
    ):
        return BOOSTEDSMM
    if "refill" not in keys and "cancel" not in keys:
        dripfeeds = [item["dripfeed"] for item in items if "dripfeed" in item]
        if dripfeeds and all(isinstance(v, str) for v in dripfeeds):
            return SMARTPANEL
        return None
    flags = [item[name] for item in items for name in ("refill", "cancel") if name in item]
    if all(isinstance(v, bool | int) for v in flags):
        return SEED
    return None
