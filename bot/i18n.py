"""The reader's language and time zone, and the gettext catalogues every text is read from.

English is written in the code (the catalogues' source); each other language is one file,
`bot/locales/<code>/LC_MESSAGES/messages.po`, compiled with Babel when the bot starts, plus
one line in `LANGUAGES`. Whom a text is for is a context variable: set once per update (or
per recipient of a push), so texts need no language parameter and a text built for one
user can never leak another user's language into it.

Texts call `_()` / `n_()` with `{name}` placeholders filled by keyword:
`_("Hi, {name}!", name=esc(first_name))`. Dictionary entries translated later are marked
with `N_()`. `python -m bot.i18n update` re-extracts the messages into every catalogue.
"""

from __future__ import annotations

import gettext
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

logger = logging.getLogger(__name__)

# Code (as Babel names the locale) → the language's own name, shown on /language buttons.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "ru": "Русский",
    "es": "Español",
    "pt_BR": "Português (Brasil)",
    "tr": "Türkçe",
    "id": "Bahasa Indonesia",
    "ar": "العربية",
    "hi": "हिन्दी",
}
SOURCE_LANGUAGE = "en"
RIGHT_TO_LEFT = frozenset({"ar", "fa", "he", "ur"})
# Telegram codes that name one of ours differently ("pt" is Brazilian Portuguese for most
# users; "in" is Indonesian's old code).
ALIASES: dict[str, str] = {"pt": "pt_BR", "in": "id", "iw": "he"}

LOCALES_DIR = Path(__file__).with_name("locales")
DOMAIN = "messages"

# Unicode first-strong isolate … pop directional isolate: an id, link, number or name
# embedded in a right-to-left sentence keeps its own direction and does not reorder the
# words around it.
FSI = "\u2068"
PDI = "\u2069"


@dataclass(frozen=True)
class Reader:
    """Whom the text being built is for."""

    language: str = SOURCE_LANGUAGE
    time_zone: str = "UTC"

    @property
    def right_to_left(self) -> bool:
        return self.language.split("_")[0] in RIGHT_TO_LEFT

    @property
    def zone(self) -> ZoneInfo:
        return zone_or_utc(self.time_zone)


_reader: ContextVar[Reader] = ContextVar("reader", default=Reader())  # noqa: B039 (frozen)


def reader() -> Reader:
    return _reader.get()


def read_as(language: str | None, time_zone: str | None = None) -> None:
    """For the rest of this update (its task): texts in `language` and `time_zone`."""
    _reader.set(Reader(known_language(language), known_time_zone(time_zone)))


@contextmanager
def reading_as(language: str | None, time_zone: str | None = None) -> Iterator[Reader]:
    """Texts built inside the block are for this reader (a push's recipient)."""
    token = _reader.set(Reader(known_language(language), known_time_zone(time_zone)))
    try:
        yield _reader.get()
    finally:
        _reader.reset(token)


_TELEGRAM_CODE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*")


def language_from_telegram(code: object, default: str | None = None) -> str:
    """Telegram's `language_code` (an IETF tag such as "pt-br", or nothing) → one of ours;
    `default` (the operators' choice, else English) when it is none of ours."""
    fallback = default if default in LANGUAGES else SOURCE_LANGUAGE
    if not isinstance(code, str):
        return fallback
    tag = code.strip().replace("_", "-").lower()
    if not _TELEGRAM_CODE.fullmatch(tag):
        return fallback
    base, _, region = tag.partition("-")
    for candidate in (f"{base}_{region.split('-')[0].upper()}", base, ALIASES.get(base, "")):
        if candidate in LANGUAGES:
            return candidate
    return fallback


def known_language(code: str | None) -> str:
    """A stored or chosen code still offered; else (a language since removed) English."""
    if code in LANGUAGES:
        return code
    return language_from_telegram(code)


def zone_or_utc(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError, OSError):  # "America" is a folder: OSError
        return ZoneInfo("UTC")


def known_time_zone(name: str | None) -> str:
    return zone_or_utc(name).key


# --- catalogues ----------------------------------------------------------------------------


class _EnglishFallback(gettext.NullTranslations):
    """Last in every catalogue's chain: the English source, with one warning per missing
    message and language (a catalogue older than the code, or a fuzzy entry)."""

    def __init__(self, language: str) -> None:
        super().__init__()
        self._language = language
        self._warned: set[str] = set()

    def _missing(self, message: str) -> None:
        if message not in self._warned:
            self._warned.add(message)
            logger.warning("No %s translation for %r: English shown", self._language, message)

    def gettext(self, message: str) -> str:
        self._missing(message)
        return message

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        self._missing(msgid1)
        return msgid1 if n == 1 else msgid2

    def pgettext(self, context: str, message: str) -> str:
        self._missing(f"{context}|{message}")
        return message

    def npgettext(self, context: str, msgid1: str, msgid2: str, n: int) -> str:
        self._missing(f"{context}|{msgid1}")
        return msgid1 if n == 1 else msgid2


_catalogues: dict[str, gettext.NullTranslations] = {}


def catalogue_path(language: str) -> Path:
    return LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def _compile(language: str) -> gettext.NullTranslations:
    if language == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    try:
        with catalogue_path(language).open("rb") as source:
            catalog = read_po(source, locale=language, domain=DOMAIN)
        compiled = BytesIO()
        write_mo(compiled, catalog, use_fuzzy=False)
        compiled.seek(0)
        translations: gettext.NullTranslations = gettext.GNUTranslations(compiled)
    except Exception as error:  # any unreadable catalogue: English, never a crash
        logger.warning(
            "The %s catalogue cannot be read (%s): English is shown instead",
            language,
            type(error).__name__,
        )
        translations = gettext.NullTranslations()
    translations.add_fallback(_EnglishFallback(language))
    return translations


def catalogue(language: str) -> gettext.NullTranslations:
    found = _catalogues.get(language)
    if found is None:
        found = _catalogues[language] = _compile(language)
    return found


def load_catalogues() -> None:
    """Compile every catalogue at start-up, so no user waits for it and problems are logged
    before the first update."""
    for language in LANGUAGES:
        catalogue(language)


# --- what texts call -----------------------------------------------------------------------


def N_(message: str) -> str:
    """Marks a message for the catalogues without translating it (translated where shown)."""
    return message


def _(message: str, /, **params: object) -> str:
    language = reader().language
    return _fill(catalogue(language).gettext(message), message, params)


def n_(singular: str, plural: str, count: int, /, **params: object) -> str:
    """The form for `count` ("1 service", "2 services"; Russian's three, Arabic's six)."""
    language = reader().language
    translated = catalogue(language).ngettext(singular, plural, count)
    return _fill(translated, singular if count == 1 else plural, params)


def p_(context: str, message: str, /, **params: object) -> str:
    """A word whose translation depends on where it is shown (a button vs a status)."""
    language = reader().language
    return _fill(catalogue(language).pgettext(context, message), message, params)


def isolate(value: str) -> str:
    """An embedded value (id, link, name, number) kept in its own direction, in RTL texts."""
    if not value or not reader().right_to_left or (value[0] == FSI and value[-1] == PDI):
        return value
    return f"{FSI}{value}{PDI}"


def _fill(translated: str, source: str, params: dict[str, object]) -> str:
    if not params:
        return translated
    values = {name: isolate(str(value)) for name, value in params.items()}
    try:
        filled = translated.format(**values)
    except (KeyError, IndexError, ValueError):
        # A translation whose placeholders do not match the source (the catalogue test
        # forbids it; a hand-edited file may still do it): English rather than a crash.
        logger.warning("Broken %s translation of %r: English shown", reader().language, source)
        filled = source.format(**values)
    return _CODE_ISOLATED.sub(rf"{FSI}<code>\1</code>{PDI}", filled)


# An isolated value inside <code>: the marks moved outside, so that tapping the code (which
# copies it) copies the id or key alone.
_CODE_ISOLATED = re.compile(f"<code>{FSI}([^<{FSI}{PDI}]*){PDI}</code>")
