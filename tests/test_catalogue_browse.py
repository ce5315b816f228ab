"""Browsing a big catalogue (issue 11, items 3 and 5): platforms first, then categories, then
services; prices as charged with their currency; the card's description and average time;
typed text outside any flow searches. Proof: any service of a 5,000-service, 160-category
catalogue within 4 taps of /order or one search."""

from __future__ import annotations

from collections import Counter, deque
from typing import Any

import pytest

from bot import callback, platforms
from bot.catalogue import Catalogue
from bot.keyboards.order import SERVICES_PER_PAGE
from bot.panel.models import parse_services
from handlers.order.lists import categories_view, category_view, platform_view
from tests.customer import Customer
from tests.fakes.panel import FakePanel, big_catalogue
from tests.fakes.telegram import FakeTelegram


@pytest.fixture(scope="module")
def big() -> Catalogue:
    return Catalogue(tuple(parse_services(big_catalogue())), currency="USD")


@pytest.fixture
async def shopper(app: Any, telegram: FakeTelegram, panel: FakePanel) -> Customer:
    """A customer of a panel with the big catalogue."""
    panel.services = big_catalogue()
    customer = Customer(telegram)
    await customer.connect()
    return customer


async def open_service(customer: Customer, service_id: object) -> Any:
    await customer.say("/order", "Choose a platform")
    return await customer.say(str(service_id), "Send the <b>")


# --- platforms from category names ----------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "platform", "shown"),
    [
        ("Instagram Followers [Real]", "Instagram", "Followers [Real]"),
        ("🔥 IG Likes | Cheap", "Instagram", "🔥 Likes | Cheap"),
        ("[Instagram] Reels Views", "Instagram", "Reels Views"),
        ("Tik Tok - Views", "TikTok", "Views"),
        ("YT Subscribers (Refill 30D)", "YouTube", "Subscribers (Refill 30D)"),
        ("Telegram", "Telegram", "Telegram"),  # nothing else would be left
        ("Facebook Instagram Combo", "Facebook", "Instagram Combo"),  # the earliest wins
        ("X Followers", "Twitter/X", "Followers"),
        ("Twitter Retweets", "Twitter/X", "Retweets"),
        ("Likes x10", "Other", "Likes x10"),  # a one-letter keyword is a whole word only
        ("Likes 10x", "Other", "Likes 10x"),
        ("FBI Files", "Other", "FBI Files"),  # never inside a word
        ("Spotify Plays", "Spotify", "Plays"),
        ("Website Traffic [Country]", "Website traffic", "Traffic [Country]"),
        ("Google Reviews", "Other", "Google Reviews"),
        ("", "Other", ""),
    ],
)
def test_platforms_are_detected_from_category_names(
    category: str, platform: str, shown: str
) -> None:
    assert platforms.detect(category).name == platform
    assert platforms.without_platform(category) == shown


def test_a_big_catalogue_groups_its_categories_by_platform(big: Catalogue) -> None:
    names = [p.name for p in big.platforms]
    assert names[:3] == ["Instagram", "TikTok", "YouTube"]
    assert names[-1] == "Other"  # last, whatever its place in the panel's list
    assert sum(len(big.platform_categories(i)) for i in range(len(names))) == 160
    assert sum(big.in_platform(i) for i in range(len(names))) == 5000
    instagram = names.index("Instagram")
    assert all(
        platforms.detect(big.categories[c]).name == "Instagram"
        for c in big.platform_categories(instagram)
    )
    text, markup = categories_view(big, 0)
    assert "Choose a platform" in text
    labels = [b.text for row in markup.inline_keyboard for b in row]
    assert labels[0] == f"📸 Instagram · {big.in_platform(instagram):,}"
    assert "📦 Other · 179" in labels


def test_search_finds_by_platform_alias_and_ranks_names_first(big: Catalogue) -> None:
    found = big.search("instagram followers")
    assert found
    assert all("Instagram" in s.name or "IG" in s.name or "Instagram" in s.category for s in found)
    # "IG Followers" categories answer to the platform's name too.
    assert any(s.category.startswith("IG ") for s in big.search("instagram followers"))
    assert big.search("ig followers")  # and to the alias
    # Typed as the name reads, that service first.
    one = big.services[1234]
    assert big.search(one.name)[0] == one


# --- the proof: any service within 4 taps, or one search --------------------------------------


def _screen(catalogue: Catalogue, data: str) -> Any:
    """The keyboard a tap on `data` shows (as handlers.order.browse does)."""
    parsed = callback.parse(data)
    assert parsed is not None
    if parsed.action == callback.ORDER_CATEGORIES.action:
        return categories_view(catalogue, int(parsed.args[0]))[1]
    if parsed.action == callback.ORDER_PLATFORM.action:
        return platform_view(catalogue, int(parsed.args[0]), int(parsed.args[1]))[1]
    assert parsed.action == callback.ORDER_CATEGORY.action
    return category_view(catalogue, int(parsed.args[0]), int(parsed.args[1]), frozenset())[1]


def taps_to_every_service(catalogue: Catalogue) -> dict[str, int]:
    """Breadth-first over the real keyboards from /order's screen: the fewest taps to each
    service's button (its card opens on that tap)."""
    first = categories_view(catalogue, 0)[1]
    seen: set[str] = set()
    taps: dict[str, int] = {}
    queue: deque[tuple[Any, int]] = deque([(first, 0)])
    while queue:
        markup, depth = queue.popleft()
        for row in markup.inline_keyboard:
            for button in row:
                data = button.callback_data
                if callback.ORDER_SERVICE.pattern()(data):
                    taps.setdefault(data.split(":", 2)[2], depth + 1)
                elif callback.ORDER_CANCEL.pattern()(data) or data in seen:
                    continue
                else:
                    seen.add(data)
                    queue.append((_screen(catalogue, data), depth + 1))
    return taps


def test_any_service_of_5000_in_160_categories_within_4_taps_or_one_search(
    big: Catalogue,
) -> None:
    taps = taps_to_every_service(big)
    assert len(taps) == 5000  # every service has a button somewhere
    spread = Counter(taps.values())
    within_4 = sum(n for depth, n in spread.items() if depth <= 4)
    print(f"taps from /order to a service's card: {sorted(spread.items())}")
    assert max(taps.values()) <= 5
    assert within_4 / 5000 >= 0.9
    # The rest (a big platform's second page of categories, then a later page of services)
    # is one search away: the name as it reads lists it first; its id opens its card.
    for service in big.services:
        if taps[service.id] > 4:
            assert big.search(service.name)[0] == service
            assert big.find(service.id) == service


def test_any_category_within_3_taps(big: Catalogue) -> None:
    first = categories_view(big, 0)[1]
    reached: dict[int, int] = {}
    for row in first.inline_keyboard:
        for button in row:
            parsed = callback.ORDER_PLATFORM.parse(button.callback_data)
            if parsed is None:  # Cancel
                continue
            platform = int(parsed.args[0])
            pages = {int(parsed.args[1])}
            page0 = platform_view(big, platform, 0)[1]
            for r in page0.inline_keyboard:
                for b in r:
                    other = callback.ORDER_PLATFORM.parse(b.callback_data)
                    if other is not None:
                        pages.add(int(other.args[1]))
            for page in pages:
                markup = platform_view(big, platform, page)[1]
                for r in markup.inline_keyboard:
                    for b in r:
                        category = callback.ORDER_CATEGORY.parse(b.callback_data)
                        if category is not None:
                            depth = 2 if page == 0 else 3
                            index = int(category.args[0])
                            reached[index] = min(reached.get(index, depth), depth)
    assert len(reached) == 160
    assert max(reached.values()) <= 3


# --- over HTTP: the customer's phone ------------------------------------------------------------


async def test_a_big_catalogue_from_platform_to_card_in_four_taps(
    shopper: Customer, panel: FakePanel
) -> None:
    top = await shopper.say("/order", "Choose a platform")
    labels = shopper.labels(top)
    assert labels[0].startswith("📸 Instagram · ")
    assert any(label.startswith("📦 Other · ") for label in labels)
    instagram = await shopper.tap("📸 Instagram", "Instagram</b>: choose a category")
    assert "(page 1/2)" in instagram.text
    names = shopper.labels(instagram)
    assert "Followers" in names  # "Instagram Followers", without the platform
    assert not any(name.startswith("Instagram ") for name in names)
    page_2 = await shopper.tap("▶️", "(page 2/2)")  # tap 2: the page holding the category
    category = page_2.buttons[0][0][0]
    services = await shopper.tap(category, "Choose a service")  # tap 3
    first = shopper.labels(services)[0]
    assert " USD/1k · " in first or first.split(" · ")[0].endswith(" USD")  # price first
    assert len(first.split(" · ", 1)[1]) <= 40
    card = await shopper.tap(first[:20], "Send the <b>")  # tap 4: its card, first question
    service_id = next(
        s["service"] for s in panel.services if str(s["service"]) in card.text.split("\n")[1]
    )
    full = next(s for s in panel.services if s["service"] == service_id)
    assert f"<b>{full['name']}</b>" in card.text.replace("&amp;", "&")  # the full name


async def test_the_card_shows_the_description_shortened_with_more_and_the_average_time(
    shopper: Customer, panel: FakePanel
) -> None:
    long = next(s for s in panel.services if len(s.get("desc", "")) > 400)
    long["average_time"] = "3 hours <fast>"
    card = await open_service(shopper, long["service"])
    assert "⏱ Average time: 3 hours &lt;fast&gt;" in card.text
    assert "&lt;b&gt;" in card.text
    assert "<b>" + long["desc"][3:] not in card.text
    assert "…" in card.text
    assert "📖 More" in shopper.labels(card)
    whole = await shopper.tap("📖 More", "Details follow.")
    assert whole.message_id == card.message_id  # the same message, edited
    assert whole.text.count("Details follow.") == long["desc"].count("Details follow.")
    assert "📖 More" not in shopper.labels(whole)
    # The question is still the one answered next.
    await shopper.say("https://instagram.com/p/x", "quantity")


async def test_a_stale_more_button_is_answered(shopper: Customer, panel: FakePanel) -> None:
    long = next(s for s in panel.services if len(s.get("desc", "")) > 400)
    card = await open_service(shopper, long["service"])
    answer = await shopper.press(card, callback.ORDER_MORE.data("999999"))
    assert "expired" in str(answer.get("text", ""))


async def test_typed_text_outside_any_flow_searches_the_catalogue(
    shopper: Customer, telegram: FakeTelegram
) -> None:
    found = await shopper.say("instagram followers", "match “instagram followers”")
    assert all(" USD" in label.split(" · ")[0] for label in shopper.labels(found)[:10])
    # The search opened the order flow: a result's tap opens its card.
    await shopper.tap(shopper.labels(found)[0][:20], "Send the <b>")
    await shopper.say("/cancel")
    # A service id typed outside the flow opens its card at once.
    await shopper.say("10001", "ID 10001")


async def test_typed_text_without_a_key_asks_for_the_key(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    customer = Customer(telegram)
    answer = await customer.say("instagram followers")
    assert "/key" in answer.text
    assert panel.count("services") == 0


async def test_a_small_catalogue_keeps_its_categories_first(customer: Customer) -> None:
    menu = await customer.say("/order", "Choose a category")
    assert "Instagram Followers" in customer.labels(menu)


# --- prices as charged --------------------------------------------------------------------------


async def test_packages_show_a_flat_price_in_lists_and_on_the_card(customer: Customer) -> None:
    await customer.say("/order", "Choose a category")
    telegram_list = await customer.tap("Telegram", "Telegram")
    package = next(label for label in customer.labels(telegram_list) if "Package" in label)
    assert package.startswith("12.50 USD · ")  # flat: no "/1k"
    card = await customer.tap("12.50 USD", "Send the <b>")
    assert "💵 12.50 USD for the package" in card.text
    assert "per 1000" not in card.text


async def test_subscriptions_show_the_most_per_post_and_in_all(customer: Customer) -> None:
    await customer.say("/order", "Choose a category")
    subs = await customer.tap("Instagram Auto Likes", "Instagram Auto Likes")
    assert shopper_label(subs, "Auto Likes").startswith("≤2.00 USD/post · ")
    card = await customer.tap("≤2.00 USD/post", "username")
    assert "💵 up to 2.00 USD per post (0.40 USD per 1000)" in card.text
    await customer.say("someone", "<b>Minimum</b>")
    await customer.say("50", "<b>Maximum</b>")
    await customer.say("5000", "<b>new posts</b>")
    await customer.say("10", "<b>existing posts</b>")
    await customer.tap("⏭ Skip", "<b>Delay</b>")
    await customer.tap("0", "<b>Expiry date</b>")
    summary = await customer.tap("⏭ Skip", "Check your order")
    assert "up to <b>2.00 USD</b> per post, up to <b>20.00 USD</b> in all (10 posts)" in (
        summary.text
    )


def shopper_label(message: Any, contains: str) -> str:
    return next(label for row in message.buttons for label, _ in row if contains in label)


async def test_a_drip_feed_summary_shows_the_total_of_all_runs(customer: Customer) -> None:
    await customer.open_service(1, "Send the <b>")
    await customer.say("https://instagram.com/someone", "quantity")
    await customer.say("1000", "Spread it")
    await customer.tap("💧 Spread it", "<b>runs</b>")
    await customer.say("3", "<b>Interval</b>")
    summary = await customer.say("15", "Check your order")
    assert "💵 Price: <b>2.70 USD</b> in all (3 runs × 0.90 USD)" in summary.text


def test_the_marks_legend_is_on_the_first_page_only_and_never_reads_as_the_cancel_button(
    big: Catalogue,
) -> None:
    """A category of several pages: page 1 explains the marks, page 2 does not repeat it; the
    "can be cancelled" mark is not ✖️, which is the Cancel button's."""
    index = next(
        i
        for i in range(len(big.categories))
        if len(big.in_category(i)) > 2 * SERVICES_PER_PAGE
        and any(service.cancel for service in big.in_category(i)[:SERVICES_PER_PAGE])
    )
    first, first_markup = category_view(big, index, 0, frozenset())
    second, _ = category_view(big, index, 1, frozenset())
    assert "⏹ can be cancelled" in first
    assert "can be cancelled" not in second
    assert "refill" not in second
    labels = [button.text for row in first_markup.inline_keyboard for button in row]
    assert any("⏹" in label for label in labels)
    assert not any("✖️" in label for label in labels if "Cancel" not in label)
