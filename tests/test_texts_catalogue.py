"""bot/texts/catalogue.py: browsing texts from the reader's catalogue, plurals, plain buttons."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot import texts
from bot.i18n import FSI, LANGUAGES, PDI, catalogue, reading_as
from bot.panel import Service, ServiceType


def service(name: str = "Likes <fast>", **changes: object) -> Service:
    fields: dict[str, object] = {
        "id": "17",
        "name": name,
        "type": ServiceType.DEFAULT,
        "type_raw": "Default",
        "category": "Instagram & co",
        "rate": Decimal("1.5"),
        "min": 10,
        "max": 10000,
        "dripfeed": True,
        "refill": True,
        "cancel": False,
        "description": None,
    }
    fields.update(changes)
    return Service(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_each_text_is_its_readers_catalogue_message(language: str) -> None:
    for text in (texts.catalogue.catalogue_empty, texts.catalogue.service_gone):
        english = text()
        with reading_as(language):
            assert text() == catalogue(language).gettext(english), text.__name__


def test_search_title_counts_in_plural_forms() -> None:
    assert texts.catalogue.search_title("poll", 1, 0, 1) == (
        "🔎 <b>1</b> service matches “poll” (page 1/1)"
    )
    assert texts.catalogue.search_title("<i>", 2, 1, 3) == (
        "🔎 <b>2</b> services match “&lt;i&gt;” (page 2/3)"
    )
    assert "<b>1,200</b> services match" in texts.catalogue.search_title("a", 1200, 0, 40)
    with reading_as("ar"):
        shown = texts.catalogue.search_title("poll", 2, 0, 1)
    assert f"{FSI}poll{PDI}" in shown
    assert f"{FSI}2{PDI}" in shown


def test_titles_and_search_misses_embed_escaped_values() -> None:
    assert texts.catalogue.categories_title(0, 2).startswith(
        "🛒 <b>Choose a category</b> (page 1/2)\n"
    )
    assert texts.catalogue.services_title("A&B", 1, 2) == (
        "📂 <b>A&amp;B</b> (page 2/2)\nChoose a service, or type to search.\n"
        "♻️ refill · ✖️ cancel · 💧 drip-feed"
    )
    assert texts.catalogue.search_none("<x>") == (
        "🔎 Nothing matches “&lt;x&gt;”. Try another word, or pick a category."
    )
    with reading_as("ar"):
        assert f"<b>{FSI}A&amp;B{PDI}</b>" in texts.catalogue.services_title("A&B", 0, 1)


def test_service_buttons_are_plain_text_and_isolated_for_right_to_left_readers() -> None:
    assert texts.catalogue.service_button(service()) == "Likes <fast> · 1.50/1k · 10–10K ♻️💧"
    plain = service(dripfeed=False, refill=False)
    assert texts.catalogue.service_button(plain) == "Likes <fast> · 1.50/1k · 10–10K"
    with reading_as("ar"):
        label = texts.catalogue.service_button(plain)
    assert f"{FSI}Likes <fast>{PDI}" in label
    assert not label.endswith(" ")


def test_service_card_lists_its_facts() -> None:
    card = texts.catalogue.service_card(service(description="Fast & <real>"), "USD")
    assert card.split("\n") == [
        "<b>Likes &lt;fast&gt;</b>",
        "ID 17 · Instagram &amp; co",
        "💵 1.50 USD per 1000",
        "📏 10 – 10,000",
        "♻️ refill · 💧 drip-feed",
        "",
        "Fast &amp; &lt;real&gt;",
    ]


def test_types_the_bot_or_the_panel_cannot_take_are_whole_sentences() -> None:
    odd = service(type_raw="Weird <type>")
    assert texts.catalogue.service_unsupported(odd) == (
        "🚫 “Likes &lt;fast&gt;” is a <i>Weird &lt;type&gt;</i> service, which can't be "
        "ordered from the bot. Please choose another service."
    )
    assert texts.catalogue.panel_cannot_take(ServiceType.SUBSCRIPTIONS, "Auto <likes>") == (
        "🚫 This panel can't take subscriptions through the bot; order “Auto &lt;likes&gt;” "
        "on the panel's website. Please choose another service here."
    )
    assert texts.catalogue.panel_cannot_take(ServiceType.CUSTOM_COMMENTS, "C") == (
        "🚫 This panel can't take “custom comments” orders through the bot; order “C” on the "
        "panel's website. Please choose another service here."
    )
