"""The reader's language: Telegram codes, English fallback, isolation in right-to-left texts."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot import i18n
from bot.i18n import _, language_from_telegram, n_, reading_as


@pytest.mark.parametrize(
    ("telegram_code", "language"),
    [
        ("ru", "ru"),
        ("ru-RU", "ru"),
        ("pt-br", "pt_BR"),
        ("pt", "pt_BR"),  # Telegram says "pt" for most Brazilian users
        ("pt-PT", "pt_BR"),
        ("es-419", "es"),
        ("in", "id"),  # Indonesian's old code
        ("ar", "ar"),
        ("hi", "hi"),
        ("tr", "tr"),
        ("en-GB", "en"),
        ("fr", "en"),  # not offered: English
        ("xx-garbage", "en"),
        ("", "en"),
        ("  ", "en"),
        ("ru;drop table", "en"),
        (None, "en"),
        (42, "en"),
    ],
)
def test_telegram_language_codes_map_to_an_offered_language(
    telegram_code: object, language: str
) -> None:
    assert language_from_telegram(telegram_code) == language


def test_a_stored_language_no_longer_offered_reads_english() -> None:
    assert i18n.known_language("pt_BR") == "pt_BR"
    assert i18n.known_language("pt-br") == "pt_BR"  # rows written before the codes
    assert i18n.known_language("klingon") == "en"
    assert i18n.known_language(None) == "en"
    with reading_as("klingon", "Not/AZone") as reader:
        assert reader.language == "en"
        assert reader.time_zone == "UTC"


def test_missing_translation_is_english_with_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.i18n"), reading_as("ru"):
        first = _("A sentence no catalogue has, for {name}.", name="Ana")
        again = _("A sentence no catalogue has, for {name}.", name="Ana")
    assert first == again == "A sentence no catalogue has, for Ana."
    warnings = [r for r in caplog.records if "A sentence no catalogue has" in r.getMessage()]
    assert len(warnings) == 1


def test_english_plurals_follow_the_count() -> None:
    def matches(count: int) -> str:
        return n_("{count} thing matches", "{count} things match", count, count=count)

    assert [matches(n) for n in (0, 1, 2)] == [
        "0 things match",
        "1 thing matches",
        "2 things match",
    ]


def test_an_unreadable_catalogue_means_english_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "ru" / "LC_MESSAGES" / "messages.po"
    broken.parent.mkdir(parents=True)
    broken.write_bytes(b'msgid "x"\nmsgstr \xff\xfe unterminated')
    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path)
    monkeypatch.setattr(i18n, "_catalogues", {})
    with caplog.at_level(logging.WARNING, logger="bot.i18n"), reading_as("ru"):
        assert _("Hello, {name}!", name="Ivan") == "Hello, Ivan!"
    assert any("catalogue cannot be read" in r.getMessage() for r in caplog.records)


def test_a_missing_catalogue_means_english(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path)
    monkeypatch.setattr(i18n, "_catalogues", {})
    with reading_as("tr"):
        assert n_("{count} order", "{count} orders", 3, count=3) == "3 orders"


def test_a_translation_with_a_wrong_placeholder_shows_english(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    po = tmp_path / "es" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Hello, {name}!"\nmsgstr "¡Hola, {nombre}!"\n\n'
        'msgid "Bye, {name}."\nmsgstr "Adiós, {name}."\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path)
    monkeypatch.setattr(i18n, "_catalogues", {})
    with reading_as("es"):
        assert _("Hello, {name}!", name="Ana") == "Hello, Ana!"
        assert _("Bye, {name}.", name="Ana") == "Adiós, Ana."


def test_values_in_arabic_texts_keep_their_own_direction() -> None:
    with reading_as("ar"):
        text = _("Order {id} for {link}", id="12345", link="https://instagram.com/x")
    assert "\u2068" + "12345" + "\u2069" in text
    assert "\u2068https://instagram.com/x\u2069" in text
    with reading_as("en"):
        assert _("Order {id}", id="12345") == "Order 12345"


def test_a_capitalised_fragment_follows_the_language() -> None:
    from bot.texts.formatting import sentence

    with reading_as("tr"):
        assert sentence("iade edildi") == "İade edildi"
    with reading_as("en"):
        assert sentence("it is") == "It is"


def test_a_value_is_isolated_once() -> None:
    with reading_as("ar"):
        once = i18n.isolate("42")
        assert i18n.isolate(once) == once == "\u206842\u2069"


def test_an_id_in_code_is_copied_without_direction_marks() -> None:
    """Tapping <code> copies its content: the marks go around the element, not inside."""
    with reading_as("ar"):
        text = _("Order <code>{id}</code> placed", id="12345")
    assert "<code>12345</code>" in text
    assert "\u2068<code>12345</code>\u2069" in text


def test_a_zone_that_is_a_folder_of_the_database_reads_utc() -> None:
    assert i18n.known_time_zone("America") == "UTC"
    with reading_as("en", "Europe") as reader:
        assert reader.time_zone == "UTC"
