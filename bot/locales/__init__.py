"""The message catalogues: extraction from the code, updates, and the checks the tests run.

`python -m bot.locales update` after changing a text; `python -m bot.locales check` lists
what a catalogue lacks. Adding a language: `python -m bot.locales init <code>`, translate
the new file, add one line to `bot.i18n.LANGUAGES`.
"""

from __future__ import annotations

import re
from pathlib import Path
from string import Formatter

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.i18n import DOMAIN, LANGUAGES, LOCALES_DIR, SOURCE_LANGUAGE, catalogue_path

PROJECT = Path(__file__).resolve().parents[2]
SOURCES = ("bot", "handlers")
# How the texts call gettext (bot/i18n.py): message positions per function.
KEYWORDS: dict[str, object] = {"_": None, "n_": (1, 2), "N_": None, "p_": ((1, "c"), 2)}
TEMPLATE = LOCALES_DIR / f"{DOMAIN}.pot"
_TAG = re.compile(r"</?[a-z]+[^>]*>")


def template() -> Catalog:
    """Every message the code can show, read from the code."""
    catalog = Catalog(project="smm-bot", domain=DOMAIN, fuzzy=False)
    for folder in SOURCES:
        for filename, line, message, comments, context in extract_from_dir(
            PROJECT / folder,
            method_map=[("**.py", "python")],
            keywords=KEYWORDS,  # type: ignore[arg-type]
            comment_tags=("TRANSLATORS:",),
            strip_comment_tags=True,
        ):
            catalog.add(
                message,
                locations=[(f"{folder}/{filename}", line)],
                auto_comments=comments,
                context=context,
                flags=("python-brace-format",) if "{" in str(message) else (),
            )
    return catalog


def write_template() -> Catalog:
    catalog = template()
    with TEMPLATE.open("wb") as out:
        write_po(out, catalog, width=100, sort_output=True)
    return catalog


def read_catalogue(language: str) -> Catalog:
    with catalogue_path(language).open("rb") as source:
        return read_po(source, locale=language, domain=DOMAIN)


def write_catalogue(language: str, catalog: Catalog) -> None:
    path = catalogue_path(language)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        write_po(out, catalog, width=100, sort_output=True, ignore_obsolete=True)


def update() -> list[str]:
    """The template re-read from the code and merged into every catalogue (new messages
    untranslated, removed ones dropped)."""
    source = write_template()
    for language in translated_languages():
        catalog = read_catalogue(language)
        catalog.update(source, no_fuzzy_matching=True)
        write_catalogue(language, catalog)
    return translated_languages()


def init(language: str) -> Path:
    catalog = Catalog(locale=language, domain=DOMAIN, project="smm-bot", fuzzy=False)
    catalog.update(template(), no_fuzzy_matching=True)
    write_catalogue(language, catalog)
    return catalogue_path(language)


def translated_languages() -> list[str]:
    return [code for code in LANGUAGES if code != SOURCE_LANGUAGE]


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


def _forms(message: Message) -> list[str]:
    if isinstance(message.string, (list, tuple)):
        return [form or "" for form in message.string]
    return [message.string or ""]


def _ids(message: Message) -> list[str]:
    return list(message.id) if isinstance(message.id, (list, tuple)) else [message.id]


def problems(language: str, source: Catalog | None = None) -> list[str]:
    """What keeps `language` from being complete: missing, untranslated, fuzzy and stale
    messages, placeholders or HTML tags that differ from the English, wrong plural count."""
    source = source or template()
    try:
        catalog = read_catalogue(language)
    except OSError:
        return [f"{language}: no catalogue at {catalogue_path(language)}"]
    found: list[str] = []
    for message in source:
        if not message.id:
            continue
        translated = catalog.get(message.id, message.context)
        name = f"{language}: {_ids(message)[0]!r}"
        if translated is None:
            found.append(f"{name} is missing")
            continue
        forms = _forms(translated)
        if translated.fuzzy or not all(form.strip() for form in forms):
            found.append(f"{name} is not translated (or fuzzy)")
            continue
        if message.pluralizable and len(forms) != catalog.num_plurals:
            found.append(f"{name} has {len(forms)} plural forms, {catalog.num_plurals} needed")
        english = set().union(*(placeholders(text) for text in _ids(message)))
        for form in forms:
            extra = placeholders(form) - english
            lacking = english - placeholders(form) - ({"count"} if message.pluralizable else set())
            if extra or lacking:
                found.append(f"{name} placeholders differ: {sorted(extra | lacking)}")
                break
            if sorted(_TAG.findall(form)) != sorted(_TAG.findall(_ids(message)[0])):
                found.append(f"{name} HTML tags differ from the English")
                break
    stale = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id} - {
        m.id if isinstance(m.id, str) else m.id[0] for m in source if m.id
    }
    found += [f"{language}: stale message {message!r}" for message in sorted(stale)]
    return found
