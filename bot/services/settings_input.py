"""What an operator types into the console's settings, checked before anything is saved.

Pure, no I/O. Each check returns the value to store or raises `InvalidSetting(reason,
**params)`; bot.texts.console_settings words the reason (in the operator's language).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from bot.callback import SERVICE_ID
from bot.html_check import telegram_html_problem, visible_length

# Welcome text and help addition: what a customer reads, as Telegram counts it
# (html_check.visible_length: formatting tags not counted, UTF-16 units).
TEXT_LIMIT = 1000
# The same texts with their markup: a preview (title + text) stays within Telegram's 4096.
MARKUP_LIMIT = 3000
URL_LIMIT = 500
DISPLAY_NAME_LIMIT = 100
# Telegram's rule for a username: 5–32 characters, Latin letters, digits and underscores,
# starting with a letter.
_USERNAME = re.compile(r"@[A-Za-z][A-Za-z0-9_]{4,31}")
_IDS_SEPARATOR = re.compile(r"[\s,;]+")
# A host a link can point to: labels of letters, digits and hyphens (any script), with a dot.
_HOST_LABEL = re.compile(r"[^\W_](?:[\w-]*[^\W_])?")


class InvalidSetting(ValueError):
    """The typed value does not fit; `reason` names a text, `params` fill it."""

    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = params


def customer_text(text: str) -> str:
    """A welcome text or help addition: non-empty, short enough, Telegram HTML."""
    value = text.strip()
    if not value:
        raise InvalidSetting("empty")
    length = visible_length(value)
    if length > TEXT_LIMIT or len(value) > MARKUP_LIMIT:
        raise InvalidSetting("too_long", limit=TEXT_LIMIT, length=length)
    problem = telegram_html_problem(value)
    if problem is not None:
        raise InvalidSetting("html", problem=problem)
    return value


def web_url(text: str) -> str:
    """An http(s) link with a host (a name with a dot, or an address): Telegram refuses URL
    buttons without one."""
    value = text.strip()
    if not value:
        raise InvalidSetting("empty")
    if len(value) > URL_LIMIT:
        raise InvalidSetting("url_too_long", limit=URL_LIMIT)
    if any(c.isspace() for c in value) or '"' in value or "<" in value or ">" in value:
        raise InvalidSetting("url")
    try:
        parts = urlsplit(value)
        host = parts.hostname
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError:
        raise InvalidSetting("url") from None
    if parts.scheme.lower() not in ("http", "https") or not host or not _is_host(host):
        raise InvalidSetting("url")
    return value


def _is_host(host: str) -> bool:
    labels = host.rstrip(".").split(".")
    return len(labels) >= 2 and all(_HOST_LABEL.fullmatch(label) for label in labels)


def support_contact(text: str) -> str:
    """A Telegram @username or an http(s) link."""
    value = text.strip()
    if not value:
        raise InvalidSetting("empty")
    if value.startswith("@"):
        if not _USERNAME.fullmatch(value):
            raise InvalidSetting("username")
        return value
    if value.lower().startswith(("http://", "https://")):
        return web_url(value)
    raise InvalidSetting("contact")


def service_ids(text: str, is_known: Callable[[str], bool]) -> list[str]:
    """Service ids typed with spaces or commas between them, each one of the catalogue's and
    of the shape the console's buttons carry (letters, digits, `_.-`, at most 40): an id
    that is not could be stored but never shown again with its buttons."""
    typed = [part for part in _IDS_SEPARATOR.split(text.strip()) if part]
    if not typed:
        raise InvalidSetting("no_ids")
    odd = [part for part in dict.fromkeys(typed) if not SERVICE_ID.accepts(part)]
    if odd:
        raise InvalidSetting("odd_ids", ids=odd)
    unknown = [part for part in dict.fromkeys(typed) if not is_known(part)]
    if unknown:
        raise InvalidSetting("unknown_ids", ids=unknown)
    return list(dict.fromkeys(typed))


def display_name(text: str) -> str:
    """A service's name for customers: plain text on one line."""
    value = text.strip()
    if not value:
        raise InvalidSetting("empty")
    if "\n" in value:
        raise InvalidSetting("one_line")
    if len(value) > DISPLAY_NAME_LIMIT:
        raise InvalidSetting("too_long", limit=DISPLAY_NAME_LIMIT, length=len(value))
    return value


def id_and_name(text: str) -> tuple[str, str]:
    """`id = New name` → (id, name); the name is checked as display_name."""
    service, separator, name = text.partition("=")
    if not separator or not service.strip():
        raise InvalidSetting("name_format")
    if not SERVICE_ID.accepts(service.strip()):
        raise InvalidSetting("odd_ids", ids=[service.strip()])
    return service.strip(), display_name(name)


def ordered_ids(ids: Iterable[str]) -> list[str]:
    """Service ids as a list to store and show: numbers in numeric order, then the rest."""
    return sorted(set(ids), key=lambda sid: (0, int(sid), sid) if sid.isdecimal() else (1, 0, sid))
