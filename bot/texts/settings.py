"""settings: the reader's language and time zone (/language, /settings)."""

from __future__ import annotations

from bot import time_zones
from bot.i18n import LANGUAGES, _, reader
from bot.texts.formatting import esc, locale


def language_name(code: str) -> str:
    """A language in its own words ("Русский"), whatever the reader's language."""
    return LANGUAGES.get(code, code)


def button_language(code: str, current: bool) -> str:
    return f"✅ {language_name(code)}" if current else language_name(code)


def language_menu() -> str:
    return _("🌐 Choose your language:")


def language_chosen() -> str:
    # TRANSLATORS: the first answer in the newly chosen language; {language} is its own name.
    return _("✅ Language: {language}.", language=esc(language_name(reader().language)))


def button_time_zone() -> str:
    # TRANSLATORS: button (short) opening the time-zone choice.
    return _("🕓 Time zone")


def button_language_menu() -> str:
    # TRANSLATORS: button (short) opening the language choice.
    return _("🌐 Language")


def zone_name(zone: str) -> str:
    """A zone as a reader says it: "Moscow (UTC+3)", or just "UTC+3" for a fixed offset."""
    offset = time_zones.offset_label(zone)
    city = time_zones.city_name(zone, locale())
    if city is None:
        return offset
    # TRANSLATORS: a time zone on a button: its city, then its offset such as "UTC+3".
    return _("{city} ({offset})", city=esc(city), offset=offset)


def button_zone(zone: str, current: bool) -> str:
    name = zone_name(zone)
    return f"✅ {name}" if current else name


def settings_screen() -> str:
    now = reader()
    return _(
        "⚙️ <b>Settings</b>\n\nLanguage: {language}\nTime zone: {zone}\n\n"
        "Dates and times are shown in your time zone.",
        language=esc(language_name(now.language)),
        zone=zone_name(now.time_zone),
    )


def time_zone_question() -> str:
    return _(
        "🕓 Your time zone is <b>{zone}</b>.\n\n"
        "Tap yours below, or type it: a city or zone name (<code>Asia/Tashkent</code>) or "
        "an offset from UTC (<code>+3</code>, <code>UTC+5:30</code>, <code>-03:00</code>).\n\n"
        "/cancel to keep it.",
        zone=zone_name(reader().time_zone),
    )


def time_zone_unknown(typed: str) -> str:
    return _(
        "I don't know the time zone <i>{typed}</i>. Type a zone name such as "
        "<code>Europe/Istanbul</code>, a city such as <code>Tashkent</code>, or an offset "
        "such as <code>+3</code> or <code>UTC-03:00</code>; or /cancel.",
        typed=esc(typed[:64]),
    )


def time_zone_chosen() -> str:
    return _(
        "✅ Time zone: <b>{zone}</b>. Dates and times are shown in it from now on.",
        zone=zone_name(reader().time_zone),
    )


def time_zone_kept() -> str:
    return _("Okay, your time zone stays {zone}.", zone=zone_name(reader().time_zone))
