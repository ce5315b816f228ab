"""Every language's catalogue against the messages the code shows today."""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Callable

import pytest
from babel.messages.catalog import Catalog

from bot import locales, texts
from bot.i18n import LANGUAGES, SOURCE_LANGUAGE, _, catalogue, n_, reading_as

TRANSLATED = [code for code in LANGUAGES if code != SOURCE_LANGUAGE]


@pytest.fixture(scope="module")
def source() -> Catalog:
    return locales.template()


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalogue_is_complete_current_and_consistent(language: str, source: Catalog) -> None:
    """No message missing or fuzzy, none stale, same placeholders and HTML tags as the
    English, the language's number of plural forms."""
    assert locales.problems(language, source) == []


def test_every_offered_language_has_a_catalogue() -> None:
    for language in TRANSLATED:
        assert locales.catalogue_path(language).is_file(), language
    assert sorted(path.parent.parent.name for path in locales.LOCALES_DIR.glob("*/*/*.po")) == (
        sorted(TRANSLATED)
    )


def test_the_code_uses_named_placeholders_only(source: Catalog) -> None:
    """Positional "{}" would let a translator's word order silently swap values."""
    for message in source:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for text in ids:
            assert not re.search(r"\{\d*[}:!]", text), text


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_translation_is_really_read_at_run_time(language: str) -> None:
    """The compiled catalogue answers (not the English fallback)."""
    english = "⚠️ The panel is not answering right now. Please try again in a minute."
    with reading_as(language):
        shown = _(english)
    assert shown != english
    assert shown == catalogue(language).gettext(english)


@pytest.mark.parametrize(
    ("language", "counts", "distinct_forms"),
    [
        ("ru", (1, 2, 5, 21, 22, 25, 111), 3),
        ("ar", (0, 1, 2, 3, 11, 100), 6),
        ("es", (1, 2), 2),
        ("pt_BR", (1, 2), 2),
    ],
)
def test_plural_forms_follow_the_language(
    language: str, counts: tuple[int, ...], distinct_forms: int
) -> None:
    with reading_as(language):
        forms = {
            count: n_(
                "<b>{count} status update</b>",
                "<b>{count} status updates</b>",
                count,
                count=count,
            )
            for count in counts
        }
    # the count's own number stripped: what differs is the grammar of the words around it
    words = {
        text.replace(str(count), "#").replace("\u2068", "").replace("\u2069", "")
        for count, text in forms.items()
    }
    assert len(words) == distinct_forms, forms


def _literal_calls() -> list[tuple[str, str]]:
    """(place, message) of every _(), n_(), p_() and N_() call with a literal message."""
    found = []
    for folder in locales.SOURCES:
        for path in sorted((locales.PROJECT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                    continue
                position = {"_": 0, "n_": 0, "N_": 0, "p_": 1}.get(node.func.id)
                if position is None or len(node.args) <= position:
                    continue
                argument = node.args[position]
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    found.append((f"{path.name}:{node.lineno}", argument.value))
    return found


def test_every_message_in_the_code_reaches_the_catalogues(source: Catalog) -> None:
    """Babel's extractor silently skips some calls (a p_() nested in a _()'s arguments):
    such a text would stay English in every language."""
    extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in source if m.id}
    calls = _literal_calls()
    assert len(calls) > 300
    assert [(place, text) for place, text in calls if text not in extracted] == []


def _texts_without_arguments() -> list[Callable[[], str]]:
    """Every text function of bot/texts that needs no argument (buttons, short answers)."""
    found = []
    for module in (getattr(texts, name) for name in texts.__all__):
        for _name, function in inspect.getmembers(module, inspect.isfunction):
            signature = inspect.signature(function)
            if (
                function.__module__ == module.__name__
                and signature.return_annotation in ("str", str)
                and not signature.parameters
                and not function.__name__.startswith("_")
            ):
                found.append(function)
    return found


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_text_reads_its_readers_catalogue(language: str) -> None:
    """The same function, called for another reader, answers in that reader's language."""
    plain_texts = _texts_without_arguments()
    assert len(plain_texts) > 50
    for text in plain_texts:
        english = text()
        with reading_as(language):
            shown = text()
        if any(c.isalpha() for c in english.replace("API", "")):
            assert shown != english, text.__qualname__
