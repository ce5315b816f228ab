"""Time zones a user can pick: a short list of common ones, or any typed IANA name or offset.

Pure, no I/O. What is stored is always an IANA name (`users.time_zone`), so a zone's daylight
saving time follows the tz database. A typed offset becomes a fixed zone: whole hours are
`Etc/GMT∓N` (whose sign is inverted: UTC+3 is "Etc/GMT-3"); the half- and quarter-hour
offsets people live in are the tz database zone that keeps that offset all year.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale
from babel.dates import get_timezone_location

from bot.i18n import LANGUAGES
from bot.texts.formatting import zone_label

UTC_NAME = "UTC"

# Offered as buttons, roughly west to east; UTC first.
COMMON_ZONES: tuple[str, ...] = (
    UTC_NAME,
    "America/Los_Angeles",
    "America/Mexico_City",
    "America/New_York",
    "America/Bogota",
    "America/Sao_Paulo",
    "America/Argentina/Buenos_Aires",
    "Europe/London",
    "Europe/Madrid",
    "Africa/Cairo",
    "Europe/Istanbul",
    "Europe/Moscow",
    "Asia/Riyadh",
    "Asia/Dubai",
    "Asia/Tashkent",
    "Asia/Kolkata",
    "Asia/Jakarta",
)

# Offsets (minutes) not on an hour boundary → a zone that keeps it the whole year, no DST.
_FRACTIONAL_OFFSETS: dict[int, str] = {
    -(9 * 60 + 30): "Pacific/Marquesas",
    3 * 60 + 30: "Asia/Tehran",
    4 * 60 + 30: "Asia/Kabul",
    5 * 60 + 30: "Asia/Kolkata",
    5 * 60 + 45: "Asia/Kathmandu",
    6 * 60 + 30: "Asia/Yangon",
    8 * 60 + 45: "Australia/Eucla",
    9 * 60 + 30: "Australia/Darwin",
}
# Etc/GMT zones exist from UTC−12 to UTC+14.
_MIN_HOURS, _MAX_HOURS = -12, 14

_OFFSET = re.compile(
    r"(?:utc|gmt)?\s*(?P<sign>[+\-−])\s*(?P<hours>\d{1,2})"
    r"(?:\s*(?::|\.|h)?\s*(?P<minutes>\d{2}))?",
    re.IGNORECASE,
)
_WHITESPACE = re.compile(r"\s+")


def _key(text: str) -> str:
    """A name as typed, compared without case, accents or spaces: "İstanbul", "Sao Paulo"."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return plain.casefold().replace(" ", "_")


@functools.cache
def _zones_by_lower_name() -> dict[str, str]:
    """Every IANA name the system knows, by its compared form (read once)."""
    return {_key(name): name for name in available_timezones()}


@functools.cache
def _zones_by_city() -> dict[str, str]:
    """A city → its zone ("tashkent" → "Asia/Tashkent"): each name's last part; a city two
    names share (Europe/Istanbul, Asia/Istanbul) when they keep the same time, else none.
    The common zones' cities also in each offered language ("москва", "estambul")."""
    cities: dict[str, str | None] = {}
    for name in sorted(_zones_by_lower_name().values()):
        if name.startswith(("Etc/", "SystemV/")) or "/" not in name:
            continue
        city = _key(name.rsplit("/", 1)[1])
        if city in cities and not _same_time(cities[city], name):
            cities[city] = None
        cities.setdefault(city, name)
    for language in LANGUAGES:
        locale = Locale.parse(language)
        for zone in COMMON_ZONES:
            local = city_name(zone, locale)
            if local:
                cities.setdefault(_key(local), zone)
    return {city: name for city, name in cities.items() if name is not None}


def _same_time(first: str | None, second: str) -> bool:
    if first is None:
        return False
    moments = (datetime(2026, 1, 15, tzinfo=UTC), datetime(2026, 7, 15, tzinfo=UTC))
    return all(
        m.astimezone(_zone(first)).utcoffset() == m.astimezone(_zone(second)).utcoffset()
        for m in moments
    )


def parse_time_zone(text: str) -> str | None:
    """What a user typed → an IANA name, or None when it names no zone.

    Accepts a name in any case and with spaces ("asia/tashkent", "America/New York"), a city
    of the tz database ("Tashkent"), "UTC"/"GMT", and offsets: "+3", "UTC+5:30", "-03:00",
    "GMT+0545".
    """
    cleaned = _WHITESPACE.sub(" ", text.strip())
    if not cleaned or len(cleaned) > 64:
        return None
    if cleaned.lower() in ("utc", "gmt", "z", "utc+0", "utc-0", "gmt+0", "+0", "-0", "0"):
        return UTC_NAME
    offset = _OFFSET.fullmatch(cleaned)
    if offset is not None:
        return _fixed_zone(offset)
    underscored = _key(cleaned)
    known = _zones_by_lower_name().get(underscored)
    if known is not None:
        return known
    return _zones_by_city().get(underscored)


def _fixed_zone(offset: re.Match[str]) -> str | None:
    sign = -1 if offset["sign"] in "-−" else 1
    hours = int(offset["hours"])
    minutes = int(offset["minutes"] or 0)
    if minutes >= 60:
        return None
    total = sign * (hours * 60 + minutes)
    if total == 0:
        return UTC_NAME
    if minutes:
        return _FRACTIONAL_OFFSETS.get(total)
    whole = sign * hours
    if not _MIN_HOURS <= whole <= _MAX_HOURS:
        return None
    # The tz database's POSIX-style names: "Etc/GMT-3" is three hours *ahead* of UTC.
    return f"Etc/GMT{'-' if whole > 0 else '+'}{abs(whole)}"


def offset_label(zone: str, now: datetime | None = None) -> str:
    """UTC, UTC+3, UTC−3:30: the zone's offset now (daylight saving time included)."""
    return zone_label((now or datetime.now(UTC)).astimezone(_zone(zone)))


def city_name(zone: str, locale: Locale) -> str | None:
    """The zone's city in the reader's language ("Москва" for Europe/Moscow), or None for a
    zone that names no place (UTC, Etc/GMT-3)."""
    if zone == UTC_NAME or zone.startswith("Etc/") or "/" not in zone:
        return None
    try:
        return str(get_timezone_location(zone, locale=locale, return_city=True))
    except (LookupError, ValueError):
        return zone.rsplit("/", 1)[1].replace("_", " ")


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(UTC_NAME)
