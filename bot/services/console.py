"""The settings operators change from the console, read by every flow.

Stored one row per setting (storage.console); read through a short per-process cache so the
customer's every update costs no query, while a change made by another process (or another
operator) is seen within `CACHE_SECONDS`. A save here is seen at once in this process.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from storage.console import SettingChange
from storage.repository import Repository, StorageUnavailable

logger = logging.getLogger(__name__)

CACHE_SECONDS = 5.0

# Setting names (rows of console_settings). Values are JSON.
WELCOME = "welcome"  # {language code: text}; a language without one gets the built-in welcome
HELP_ADDITION = "help_addition"  # text added under /help
SUPPORT_CONTACT = "support_contact"  # "@username" or an https URL
PANEL_WEB_URL = "panel_web_url"  # the panel's website (default PANEL_WEB_URL / SMM_API_URL)
TOP_UP_URL = "top_up_url"  # the page where customers add funds (default: <website>/addfunds)
DEFAULT_LANGUAGE = "default_language"  # for users whose Telegram language is not one of ours
DEFAULT_TIME_ZONE = "default_time_zone"  # for users who did not pick one (IANA name)
HIDDEN_CATEGORIES = "hidden_categories"  # [category name]
HIDDEN_SERVICES = "hidden_services"  # [service id]
DISPLAY_NAMES = "display_names"  # {service id: name shown to customers}
MAINTENANCE = "maintenance"  # true / false
MAINTENANCE_MESSAGE = "maintenance_message"  # text shown instead of the flows
INVITE_ONLY = "invite_only"  # true: only users admitted through an invite (and operators)

TOP_UP_PATH = "/addfunds"  # PerfectPanel and most panel scripts
UNCHANGED = object()  # a modify() answer: nothing to change (the item is gone already)


@dataclass(frozen=True)
class ConsoleSettings:
    """One consistent view of every console setting, defaults filled in."""

    panel_web_url: str
    top_up_url: str
    welcome: Mapping[str, str] = field(default_factory=dict)
    help_addition: str | None = None
    support_contact: str | None = None
    default_language: str | None = None
    default_time_zone: str | None = None
    hidden_categories: frozenset[str] = frozenset()
    hidden_services: frozenset[str] = frozenset()
    display_names: Mapping[str, str] = field(default_factory=dict)
    maintenance: bool = False
    maintenance_message: str | None = None
    invite_only: bool = False

    def support_url(self) -> str | None:
        """The support contact as a link (t.me for a @username)."""
        contact = self.support_contact
        if not contact:
            return None
        if contact.startswith("@"):
            return f"https://t.me/{contact[1:]}"
        return contact


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _strings(value: Any) -> frozenset[str]:
    if not isinstance(value, list):
        return frozenset()
    return frozenset(str(item) for item in value)


def _mapping(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items() if isinstance(v, str) and v.strip()}


def parse_settings(stored: Mapping[str, Any], default_web_url: str) -> ConsoleSettings:
    """Stored rows → settings; anything malformed falls back to the default."""
    web = _text(stored.get(PANEL_WEB_URL)) or default_web_url
    return ConsoleSettings(
        panel_web_url=web,
        top_up_url=_text(stored.get(TOP_UP_URL)) or web.rstrip("/") + TOP_UP_PATH,
        welcome=_mapping(stored.get(WELCOME)),
        help_addition=_text(stored.get(HELP_ADDITION)),
        support_contact=_text(stored.get(SUPPORT_CONTACT)),
        default_language=_text(stored.get(DEFAULT_LANGUAGE)),
        default_time_zone=_text(stored.get(DEFAULT_TIME_ZONE)),
        hidden_categories=_strings(stored.get(HIDDEN_CATEGORIES)),
        hidden_services=_strings(stored.get(HIDDEN_SERVICES)),
        display_names=_mapping(stored.get(DISPLAY_NAMES)),
        maintenance=stored.get(MAINTENANCE) is True,
        maintenance_message=_text(stored.get(MAINTENANCE_MESSAGE)),
        invite_only=stored.get(INVITE_ONLY) is True,
    )


class ConsoleSettingsService:
    def __init__(
        self, repository: Repository, default_web_url: str, cache_seconds: float = CACHE_SECONDS
    ) -> None:
        self._repository = repository
        self._default_web_url = default_web_url
        self._cache_seconds = cache_seconds
        self._cached: ConsoleSettings | None = None
        self._read_at = 0.0

    async def current(self) -> ConsoleSettings:
        """The settings now (at most CACHE_SECONDS old). A database that cannot answer keeps
        the last known settings (or the defaults) rather than stopping the update."""
        now = time.monotonic()
        if self._cached is not None and now - self._read_at < self._cache_seconds:
            return self._cached
        try:
            stored = await self._repository.console_settings()
        except StorageUnavailable:
            logger.warning("Console settings not read (database unavailable): last known kept")
            if self._cached is None:
                return parse_settings({}, self._default_web_url)
            return self._cached
        self._cached = parse_settings(stored, self._default_web_url)
        self._read_at = now
        return self._cached

    def forget(self) -> None:
        self._cached = None

    async def save(
        self, operator_id: int, name: str, value: Any, action: str = "setting"
    ) -> SettingChange:
        """Store a setting (None: back to the default); audited with the value before."""
        change = await self._repository.save_setting(operator_id, name, value, action)
        self.forget()
        return change

    async def modify(
        self, operator_id: int, name: str, modify: Callable[[ConsoleSettings], Any]
    ) -> SettingChange | None:
        """Change one part of a setting made of parts (a welcome per language, a list):
        `modify` sees the settings as stored at this moment (the row locked) and answers the
        new value, or UNCHANGED; two operators' edits at once are both kept."""

        def change(stored: dict[str, Any]) -> Any:
            return modify(parse_settings(stored, self._default_web_url))

        result = await self._repository.modify_setting(operator_id, name, change, UNCHANGED)
        self.forget()
        return result

    async def undo(self, operator_id: int, audit_id: int) -> SettingChange | None:
        """Reverse a recorded change (itself audited as an undo); None for an entry that is no
        setting's change. Only what that change did is reversed: for a setting made of parts
        (a welcome per language, a list) the parts it changed, so later edits of other parts
        stay. Raises ChangedSince when what it changed was changed again since."""
        entry = await self._repository.audit_entry(audit_id)
        if entry is None or entry.setting is None:
            return None
        name = entry.setting
        before = _decoded(entry.before_json)
        after = _decoded(entry.after_json)

        def reverse(stored: dict[str, Any]) -> Any:
            return reversed_change(name, stored.get(name), before, after)

        result = await self._repository.modify_setting(
            operator_id, name, reverse, UNCHANGED, action="undo"
        )
        self.forget()
        return result


class ChangedSince(Exception):
    """An undo refused: what the change set was changed again since (by an operator, or an
    undo already done); reversing it would overwrite that later edit."""

    def __init__(self, setting: str) -> None:
        super().__init__(setting)
        self.setting = setting


def _decoded(encoded: str | None) -> Any:
    return None if encoded is None else json.loads(encoded)


def reversed_change(name: str, now: Any, before: Any, after: Any) -> Any:
    """The value a setting takes when one change (`before` → `after`) is undone while it is
    `now`: a mapping gets back the keys that change set, a list loses what it added and gets
    back what it removed, anything else goes back whole. ChangedSince when a part the change
    set is not as it left it."""
    if now == after:
        return before
    if _all(dict, now, before, after):
        current = dict(now or {})
        old, new = dict(before or {}), dict(after or {})
        for key in old.keys() | new.keys():
            if old.get(key) == new.get(key):
                continue
            if current.get(key) != new.get(key):
                raise ChangedSince(name)
            if key in old:
                current[key] = old[key]
            else:
                current.pop(key, None)
        return current or None
    if _all(list, now, before, after):
        items = list(now or [])
        old_items, new_items = list(before or []), list(after or [])
        added = [item for item in new_items if item not in old_items]
        removed = [item for item in old_items if item not in new_items]
        if any(item not in items for item in added) or any(item in items for item in removed):
            raise ChangedSince(name)
        kept = [item for item in items if item not in added]
        return sorted([*kept, *removed], key=_list_order) or None
    raise ChangedSince(name)


def _all(kind: type, *values: Any) -> bool:
    """Every value is of `kind` or unset (None), at least one set."""
    return all(value is None or isinstance(value, kind) for value in values) and any(
        value is not None for value in values
    )


def _list_order(item: Any) -> tuple[int, int, str]:
    """Stored lists' order: numbers (service ids) in numeric order, then the rest by name."""
    text = str(item)
    return (0, int(text), text) if text.isdecimal() else (1, 0, text)
