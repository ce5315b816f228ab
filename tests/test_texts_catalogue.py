"""bot/texts/catalogue.py: browsing texts from the reader's catalogue, plurals, plain buttons."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot import texts
from bot.i18n import FSI, LANGUAGES, PDI, catalogue, reading_as
from bot.panel import Service, ServiceType
from bot.services.storefront import Basis, Price, price_of


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
    assert texts.catalogue.services_title("A&B", 1, 2, "♻️⏹💧") == (
        "📂 <b>A&amp;B</b> (page 2/2)\nChoose a service, or type to search.\n"
        "♻️ refill · ⏹ can be cancelled · 💧 drip-feed"
    )
    # The legend explains only the marks on the page (none: no legend line).
    assert texts.catalogue.services_title("A", 0, 1, "💧") == (
        "📂 <b>A</b> (page 1/1)\nChoose a service, or type to search.\n💧 drip-feed"
    )
    assert texts.catalogue.services_title("A", 0, 1).endswith("type to search.")
    assert texts.catalogue.search_none("<x>") == (
        "🔎 Nothing matches “&lt;x&gt;”. Try another word, or pick a category."
    )
    with reading_as("ar"):
        assert f"<b>{FSI}A&amp;B{PDI}</b>" in texts.catalogue.services_title("A&B", 0, 1)


def test_service_buttons_put_the_price_as_charged_first_with_its_currency() -> None:
    per_1000 = price_of(service(), "USD")
    assert texts.catalogue.service_button(service(), per_1000) == (
        "1.50 USD/1k · Likes <fast> ♻️💧"
    )
    plain = service(dripfeed=False, refill=False)
    assert texts.catalogue.service_button(plain, price_of(plain, "USD")) == (
        "1.50 USD/1k · Likes <fast>"
    )
    package = service(type=ServiceType.PACKAGE, name="YT Likes Package", rate=Decimal("4.5"))
    assert texts.catalogue.service_button(package, price_of(package, "USD")).startswith(
        "4.50 USD · YT Likes Package"
    )
    # A subscription: the most one post can cost (rate × max / 1000).
    sub = service(type=ServiceType.SUBSCRIPTIONS, rate=Decimal("0.4"), max=5000)
    assert texts.catalogue.service_button(sub, price_of(sub, "USD")).startswith(
        "≤2.00 USD/post · "
    )
    with reading_as("ar"):
        label = texts.catalogue.service_button(plain, price_of(plain, "USD"))
    assert f"{FSI}Likes <fast>{PDI}" in label
    assert not label.endswith(" ")


def test_long_names_keep_what_tells_services_apart() -> None:
    name = (
        "Instagram Followers | Real Mixed | Refill 30 Days | Start: 0-1 Hour | "
        "Speed: 10K/Day | Max 1M"
    )
    shown = texts.catalogue.short_name(name, drop="yes")
    assert len(shown) <= texts.catalogue.SERVICE_NAME_BUDGET
    assert shown.startswith("Followers")  # the list already names the platform
    assert "Refill 30D" in shown
    assert "⚡10K/Day" in shown
    assert "…" not in shown
    assert texts.catalogue.short_name("Likes [fast]") == "Likes [fast]"
    # Nothing to split at: cut, the cut shown.
    assert texts.catalogue.short_name("x" * 80, 10) == "x" * 9 + "…"


def test_service_card_lists_its_facts() -> None:
    card = texts.catalogue.service_card(
        service(description="Fast & <real>", average_time="2 hours <10 min>"),
        price_of(service(), "USD"),
    )
    assert card.split("\n") == [
        "<b>Likes &lt;fast&gt;</b>",
        "ID 17 · Instagram &amp; co",
        "💵 1.50 USD per 1000",
        "📏 10 – 10,000",
        "♻️ refill · 💧 drip-feed",
        "⏱ Average time: 2 hours &lt;10 min&gt;",
        "",
        "Fast &amp; &lt;real&gt;",
    ]


def test_cards_show_flat_and_subscription_prices_as_charged() -> None:
    package = service(type=ServiceType.PACKAGE, rate=Decimal("4.5"), min=1, max=1)
    assert "💵 4.50 USD for the package" in texts.catalogue.service_card(
        package, price_of(package, "USD")
    )
    sub = service(type=ServiceType.SUBSCRIPTIONS, rate=Decimal("0.4"), max=5000)
    assert "💵 up to 2.00 USD per post (0.40 USD per 1000)" in texts.catalogue.service_card(
        sub, Price(Decimal("2"), Basis.PER_POST, "USD", Decimal("0.4"))
    )


def test_long_descriptions_are_shortened_unless_shown_whole() -> None:
    long = service(description="word <b> " * 100)
    card = texts.catalogue.service_card(long, price_of(long, "USD"))
    assert texts.catalogue.description_is_long(long)
    assert "…" in card
    assert card.count("<b>") == 1
    whole = texts.catalogue.service_card(long, price_of(long, "USD"), full=True)
    assert "…" not in whole
    assert whole.count("&lt;b&gt;") == 100


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
