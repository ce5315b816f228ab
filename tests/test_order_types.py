"""Every service type of the stand-in catalogue ordered end to end, plus browsing around it.

Each walk goes /order → the service → its questions → the summary → Confirm, then checks what a
user (and their panel account) would see: the price on the summary, the exact form fields the
panel received, and what the panel charged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from bot import texts
from bot.context import app_services
from tests.conftest import USER_KEY, on_every_dialect
from tests.customer import Customer
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import BotMessage, FakeTelegram

START = Decimal("100")  # USER_KEY's balance in conftest
IG = "https://instagram.com/p/C0ffee"
TG = "https://t.me/mychannel"
WEB = "https://example.com/landing"

# What each question contains (bot/texts/order.py FIELD_PROMPTS), to wait for the next one.
LINK_Q = "Send the <b>link</b>"
QUANTITY_Q = "Send the <b>quantity</b>"
DRIPFEED_Q = "<b>spread over time</b>"
RUNS_Q = "<b>runs</b>"
INTERVAL_Q = "<b>Interval</b>"
COMMENTS_Q = "Send the <b>comments</b>"
USERNAMES_Q = "Send the <b>usernames</b>"
HASHTAGS_Q = "Send the <b>hashtags</b>"
HASHTAG_Q = "Send the <b>hashtag</b> "
MEDIA_Q = "Send the <b>media link</b>"
KEYWORDS_Q = "Send the <b>keywords</b>"
GROUPS_Q = "Send the <b>groups</b>"
ANSWER_Q = "<b>answer number</b>"
SUB_USER_Q = "<b>username</b> to subscribe to"
OWNER_Q = "<b>Username</b> of the comment's owner"
FOLLOWERS_Q = "<b>username</b> whose followers"
MIN_Q = "<b>Minimum</b>"
MAX_Q = "<b>Maximum</b>"
POSTS_Q = "<b>new posts</b>"
OLD_POSTS_Q = "<b>existing posts</b>"
DELAY_Q = "<b>Delay</b>"
EXPIRY_Q = "<b>Expiry date</b>"
COUNTRY_Q = "<b>country</b>"
DEVICE_Q = "<b>device</b>"
TRAFFIC_Q = "<b>type of traffic</b>"
KEYWORD_Q = "<b>Google keyword</b>"
REFERRER_Q = "<b>referring URL</b>"
SUMMARY = "Check your order"
CATEGORIES = "Choose a category"


class Shopper(Customer):
    """The Customer, waiting for a *new* bot message after typing (a re-asked question repeats
    the old one's text, so "any message containing it" could be the old one losing buttons)."""

    async def say(self, text: str, expect: str | None = None, timeout: float = 10) -> BotMessage:
        newest = self.newest_id()
        self.telegram.send_text(self.user_id, text)
        return await self.new_message(newest, expect, timeout)

    async def photo(self, expect: str, timeout: float = 10) -> BotMessage:
        newest = self.newest_id()
        self.telegram.send_photo(self.user_id)
        return await self.new_message(newest, expect, timeout)

    async def sticker(self, expect: str, timeout: float = 10) -> BotMessage:
        newest = self.newest_id()
        self.telegram.send_sticker(self.user_id)
        return await self.new_message(newest, expect, timeout)

    async def tap_exact(self, label: str, expect: str, timeout: float = 10) -> BotMessage:
        """Press the button labelled exactly `label` on the newest message that has one."""
        for message in reversed(self.telegram.messages(self.user_id)):
            for row in message.buttons:
                for text, data in row:
                    if text == label and data is not None:
                        mark = self.telegram.mark()
                        self.telegram.press(self.user_id, message.message_id, data)
                        return await self.telegram.wait_for_message(
                            self.user_id, expect, after=mark, timeout=timeout
                        )
        raise AssertionError(f"no button labelled {label!r}; last: {self.labels()}")

    async def press(self, message_id: int, data: str) -> dict[str, object]:
        """Send callback data for a bot message (stale or foreign data too); wait for the
        bot's answer to the query (the toast) and return its parameters."""
        query_id = self.telegram.press(self.user_id, message_id, data)
        return await self.telegram.wait_for(
            lambda: self.telegram.callback_answers.get(query_id),
            what=f"the answer to callback {data!r}",
        )

    async def walk(self, steps: tuple[tuple[str, str, str], ...]) -> BotMessage | None:
        message = None
        for kind, text, then in steps:
            if kind == "say":
                message = await self.say(text, then)
            else:
                message = await self.tap_exact(text, then)
        return message

    def newest_id(self) -> int:
        messages = self.telegram.messages(self.user_id)
        return messages[-1].message_id if messages else 0

    async def new_message(self, newest: int, expect: str | None, timeout: float) -> BotMessage:
        def found() -> BotMessage | None:
            fresh = [
                m
                for m in self.telegram.messages(self.user_id)
                if m.message_id > newest and (expect is None or expect in m.text)
            ]
            return fresh[-1] if fresh else None

        return await self.telegram.wait_for(
            found, timeout, what=f"a new bot message containing {expect!r}"
        )


@pytest.fixture
async def shopper(app: object, telegram: FakeTelegram) -> Shopper:
    shopper = Shopper(telegram)
    await shopper.connect()
    return shopper


def only_order(panel: FakePanel) -> tuple[str, dict[str, str]]:
    assert len(panel.orders) == 1, panel.orders
    order_id, order = next(iter(panel.orders.items()))
    return order_id, order.fields


def no_error_shown(telegram: FakeTelegram) -> None:
    assert "Something went wrong" not in telegram.all_text()


def lines(*items: str) -> str:
    return "\n".join(items)


def in_30_days() -> str:
    return (date.today() + timedelta(days=30)).strftime("%d/%m/%Y")


# --- one order per service type ----------------------------------------------------------------


@dataclass(frozen=True)
class Walk:
    service: int
    first: str  # the first question
    steps: tuple[tuple[str, str, str], ...]  # ("say" | "tap", text or exact label, next question)
    fields: dict[str, str]  # exactly what the panel must receive, besides key/action/service
    price: str  # the summary's price line
    charge: Decimal  # what the panel takes from the balance
    shown: tuple[str, ...] = field(default=())  # more the summary must show


def say(text: str, then: str) -> tuple[str, str, str]:
    return ("say", text, then)


def tap(label: str, then: str) -> tuple[str, str, str]:
    return ("tap", label, then)


def price(amount: str) -> str:
    return f"💵 Price: <b>{amount} USD</b>"


EXPIRY = in_30_days()
COMMENTS_7 = lines("Love it", "So good!", "Amazing", "", "wow", "Great shot", "Nice", "Cool")
COMMENTS_7_SENT = lines("Love it", "So good!", "Amazing", "wow", "Great shot", "Nice", "Cool")
FIVE_NAMES = lines("alice", "bob", "carol", "dave", "erin")

WALKS: dict[str, Walk] = {
    "default-all-at-once": Walk(
        1,
        LINK_Q,
        (say(IG, QUANTITY_Q), say("1000", DRIPFEED_Q), tap("All at once", SUMMARY)),
        {"link": IG, "quantity": "1000"},
        price("0.90"),
        Decimal("0.90"),
        ("💰 After: 99.10 USD",),
    ),
    "default-drip-feed": Walk(
        1,
        LINK_Q,
        (
            say(IG, QUANTITY_Q),
            say("333", DRIPFEED_Q),
            tap("💧 Spread it", RUNS_Q),
            say("3", INTERVAL_Q),
            say("15", SUMMARY),
        ),
        # per-run quantity, runs and interval; priced as 333 × 3 = 999 units
        {"link": IG, "quantity": "333", "runs": "3", "interval": "15"},
        price("0.8991"),
        Decimal("0.8991"),
        ("📦 Total: 999", "💰 After: 99.10 USD"),
    ),
    "default-without-drip-feed": Walk(
        101,
        LINK_Q,
        (say(IG, QUANTITY_Q), say("777", SUMMARY)),
        {"link": IG, "quantity": "777"},
        price("0.3885"),
        Decimal("0.3885"),
    ),
    "custom-comments": Walk(
        2,
        LINK_Q,
        (say(IG, COMMENTS_Q), say(COMMENTS_7, SUMMARY)),
        # `quantity` too: panels such as BoostedSMM require it (B06); seed panels ignore it
        {"link": IG, "comments": COMMENTS_7_SENT, "quantity": "7"},
        price("0.056"),  # 7 lines × 8.00 / 1000
        Decimal("0.056"),
        ("📦 Quantity: 7",),
    ),
    "custom-comments-package": Walk(
        4,
        LINK_Q,
        (say(IG, COMMENTS_Q), say(lines("First!", "Nice", "Wow"), SUMMARY)),
        {"link": IG, "comments": lines("First!", "Nice", "Wow"), "quantity": "1"},
        price("3.00"),  # flat
        Decimal("3.00"),
    ),
    "package": Walk(
        13,
        LINK_Q,
        (say(TG, SUMMARY),),
        {"link": TG, "quantity": "1"},  # SmartPanel and BoostedSMM refuse it without (S09, B08)
        price("12.50"),
        Decimal("12.5"),
    ),
    "subscription-posts-skipped": Walk(
        3,
        SUB_USER_Q,
        (
            say("@someone", MIN_Q),
            say("100", MAX_Q),
            say("200", POSTS_Q),
            tap("⏭ Skip", OLD_POSTS_Q),
            say("5", DELAY_Q),
            tap("30", EXPIRY_Q),
            say(EXPIRY, SUMMARY),
        ),
        {
            "username": "someone",
            "min": "100",
            "max": "200",
            "old_posts": "5",
            "delay": "30",
            "expiry": EXPIRY,
        },
        "💵 Price: up to <b>0.08 USD</b> per post",  # 200 × 0.40 / 1000, charged per post later
        Decimal("0"),
    ),
    "subscription-posts-given": Walk(
        3,
        SUB_USER_Q,
        (
            say("someone", MIN_Q),
            say("50", MAX_Q),
            say("5000", POSTS_Q),
            say("10", OLD_POSTS_Q),
            tap("⏭ Skip", DELAY_Q),
            tap("0", EXPIRY_Q),
            tap("⏭ Skip", SUMMARY),
        ),
        {"username": "someone", "min": "50", "max": "5000", "posts": "10", "delay": "0"},
        "💵 Price: up to <b>2.00 USD</b> per post",
        Decimal("0"),
    ),
    "poll": Walk(
        5,
        LINK_Q,
        (say(TG + "/42", QUANTITY_Q), say("150", ANSWER_Q), say("2", SUMMARY)),
        {"link": TG + "/42", "quantity": "150", "answer_number": "2"},
        price("0.165"),
        Decimal("0.165"),
    ),
    "seo": Walk(
        6,
        LINK_Q,
        (say(WEB, QUANTITY_Q), say("250", KEYWORDS_Q), say("buy shoes\nred shoes", SUMMARY)),
        {"link": WEB, "quantity": "250", "keywords": "buy shoes\nred shoes"},
        price("0.50"),
        Decimal("0.5"),
    ),
    "mentions-with-hashtags": Walk(
        7,
        LINK_Q,
        (
            say(IG, QUANTITY_Q),
            say("100", USERNAMES_Q),
            say("alice\nbob", HASHTAGS_Q),
            say("#sun\n#sea", SUMMARY),
        ),
        {"link": IG, "quantity": "100", "usernames": "alice\nbob", "hashtags": "#sun\n#sea"},
        price("0.30"),
        Decimal("0.3"),
    ),
    "mentions-custom-list": Walk(
        8,
        LINK_Q,
        (say(IG, USERNAMES_Q), say(FIVE_NAMES, SUMMARY)),
        {"link": IG, "usernames": FIVE_NAMES, "quantity": "5"},  # SmartPanel needs it (S14)
        price("0.03"),  # 5 lines × 6.00 / 1000
        Decimal("0.03"),
        ("📦 Quantity: 5",),
    ),
    "mentions-hashtag": Walk(
        9,
        LINK_Q,
        (say(IG, QUANTITY_Q), say("333", HASHTAG_Q), say("#travel", SUMMARY)),
        {"link": IG, "quantity": "333", "hashtag": "#travel"},
        price("0.8325"),
        Decimal("0.8325"),
    ),
    "mentions-user-followers": Walk(
        10,
        LINK_Q,
        (say(IG, QUANTITY_Q), say("1000", FOLLOWERS_Q), say("natgeo", SUMMARY)),
        {"link": IG, "quantity": "1000", "username": "natgeo"},
        price("2.50"),
        Decimal("2.5"),
    ),
    "mentions-media-likers": Walk(
        11,
        LINK_Q,
        (
            say(IG, QUANTITY_Q),
            say("120", MEDIA_Q),
            say("https://instagram.com/p/MEDIA1", SUMMARY),
        ),
        {"link": IG, "quantity": "120", "media": "https://instagram.com/p/MEDIA1"},
        price("0.30"),
        Decimal("0.3"),
    ),
    "mentions": Walk(
        12,
        LINK_Q,
        (say(IG, QUANTITY_Q), say("101", USERNAMES_Q), say("alice\nbob\ncarol", SUMMARY)),
        {"link": IG, "quantity": "101", "usernames": "alice\nbob\ncarol"},
        price("0.3535"),
        Decimal("0.3535"),
    ),
    "comment-likes": Walk(
        14,
        LINK_Q,
        (say(IG, QUANTITY_Q), say("20", OWNER_Q), say("commenter", SUMMARY)),
        {"link": IG, "quantity": "20", "username": "commenter"},
        price("0.03"),
        Decimal("0.03"),
    ),
    "comment-replies": Walk(
        17,
        LINK_Q,
        (say(IG, OWNER_Q), say("commenter", COMMENTS_Q), say(lines(*"abcdef"), SUMMARY)),
        {"link": IG, "username": "commenter", "comments": lines(*"abcdef"), "quantity": "6"},
        price("0.054"),  # 6 lines × 9.00 / 1000
        Decimal("0.054"),
        ("📦 Quantity: 6",),
    ),
    "invites-from-groups": Walk(
        15,
        LINK_Q,
        (
            say(TG, QUANTITY_Q),
            say("150", GROUPS_Q),
            say("https://t.me/groupa\nhttps://t.me/groupb", SUMMARY),
        ),
        {"link": TG, "quantity": "150", "groups": "https://t.me/groupa\nhttps://t.me/groupb"},
        price("0.60"),
        Decimal("0.6"),
    ),
    "web-traffic-google-keyword": Walk(
        16,
        LINK_Q,
        (
            say(WEB, QUANTITY_Q),
            say("1234", COUNTRY_Q),
            say("US", DEVICE_Q),
            tap("Desktop", TRAFFIC_Q),
            tap("Google keyword", KEYWORD_Q),
            say("best running shoes", SUMMARY),
        ),
        {
            "link": WEB,
            "quantity": "1234",
            "country": "US",
            "device": "1",
            "type_of_traffic": "1",
            "google_keyword": "best running shoes",
        },
        price("0.3702"),
        Decimal("0.3702"),
        ("📱 Device: Desktop", "🚦 Traffic: Google keyword"),
    ),
    "web-traffic-custom-referrer": Walk(
        16,
        LINK_Q,
        (
            say(WEB, QUANTITY_Q),
            say("1000", COUNTRY_Q),
            say("Germany", DEVICE_Q),
            tap("Mixed mobile", TRAFFIC_Q),
            tap("Custom referrer", REFERRER_Q),
            say("https://news.example.org/a", SUMMARY),
        ),
        {
            "link": WEB,
            "quantity": "1000",
            "country": "Germany",
            "device": "4",
            "type_of_traffic": "2",
            "referring_url": "https://news.example.org/a",
        },
        price("0.30"),
        Decimal("0.3"),
    ),
    "web-traffic-blank-referrer": Walk(
        16,
        LINK_Q,
        (
            say(WEB, QUANTITY_Q),
            say("100", COUNTRY_Q),
            say("FR", DEVICE_Q),
            tap("iOS", TRAFFIC_Q),
            tap("Blank referrer", SUMMARY),
        ),
        {"link": WEB, "quantity": "100", "country": "FR", "device": "3", "type_of_traffic": "3"},
        price("0.03"),
        Decimal("0.03"),
    ),
}


@pytest.mark.parametrize("name", list(WALKS))
async def test_each_type_orders_exactly_its_fields(
    name: str, shopper: Shopper, panel: FakePanel, telegram: FakeTelegram
) -> None:
    walk = WALKS[name]
    await shopper.open_service(walk.service, walk.first)
    message = await shopper.walk(walk.steps)
    assert message is not None
    summary = message.text
    assert walk.price in summary
    for line in walk.shown:
        assert line in summary
    assert "💰 Balance: 100.00 USD" in summary
    assert shopper.labels(message) == ["✅ Confirm", "✏️ Change", "✖️ Cancel"]

    placed = await shopper.tap("Confirm", "Order placed")

    order_id, fields = only_order(panel)
    assert fields.pop("service") == str(walk.service)
    assert fields == walk.fields
    assert f"<code>{order_id}</code>" in placed.text
    assert panel.balance_of(USER_KEY) == START - walk.charge
    assert panel.count("add") == 1
    no_error_shown(telegram)


# --- the unknown type, search ------------------------------------------------------------------


async def test_unknown_type_cannot_be_ordered_and_offers_other_services(
    shopper: Shopper, panel: FakePanel
) -> None:
    answer = await shopper.open_service(18, "can't be ordered from the bot")
    assert "Mystery Boost [New]" in answer.plain
    assert "Weird New Type" in answer.plain
    assert LINK_Q not in answer.text  # no questions for it
    assert CATEGORIES in answer.text  # the categories come right under the explanation
    assert "Telegram" in shopper.labels(answer)
    await shopper.tap("Telegram", "<b>Telegram</b>")
    await shopper.tap("Poll Votes", LINK_Q)
    assert panel.count("add") == 0


async def test_unknown_type_offers_services_that_can_be_ordered(shopper: Shopper) -> None:
    answer = await shopper.open_service(18, "can't be ordered from the bot")
    offered = [
        label
        for label in shopper.labels(answer)
        if label not in {"⬅️ Back", "✖️ Cancel"} and not label.startswith("◀️")
    ]
    assert offered, shopper.labels(answer)
    assert not any("Mystery Boost" in label for label in offered), offered


async def test_unknown_type_chosen_by_button_too(shopper: Shopper, panel: FakePanel) -> None:
    await shopper.say("/order", CATEGORIES)
    await shopper.tap("Other", "<b>Other</b>")
    answer = await shopper.tap("Mystery Boost", "can't be ordered from the bot")
    assert "Instagram Followers" in shopper.labels(answer)
    assert panel.count("add") == 0


async def test_search_by_name_finds_the_poll_service(shopper: Shopper) -> None:
    await shopper.say("/order", CATEGORIES)
    found = await shopper.say("Poll", "service matches")
    assert "<b>1</b> service matches “Poll”" in found.text
    assert [label for label in shopper.labels(found) if "Poll" in label] == [
        "1.10 USD/1k · Telegram Poll Votes"
    ]
    question = await shopper.tap("Telegram Poll Votes", LINK_Q)
    assert "ID 5" in question.text


async def test_search_for_nonsense_says_nothing_matches(shopper: Shopper) -> None:
    await shopper.say("/order", CATEGORIES)
    nothing = await shopper.say("zzqx flibbertigibbet", "Nothing matches")
    assert "“zzqx flibbertigibbet”" in nothing.plain
    # the categories are offered instead, and still work
    assert "Instagram Followers" in shopper.labels(nothing)
    await shopper.tap("Instagram Comments", "<b>Instagram Comments</b>")


async def test_search_by_several_words_and_back_to_categories(shopper: Shopper) -> None:
    await shopper.say("/order", CATEGORIES)
    found = await shopper.say("instagram mentions", "services match")
    assert "<b>6</b> services match" in found.text
    back = await shopper.tap("Back", CATEGORIES)
    assert "Instagram Mentions" in shopper.labels(back)


async def test_back_from_a_service_found_by_search_returns_to_the_results(
    shopper: Shopper,
) -> None:
    await shopper.say("/order", CATEGORIES)
    await shopper.say("instagram mentions", "services match")
    await shopper.tap("Instagram Mentions [Hashtag Scrape]", LINK_Q)
    back = await shopper.tap("Back", "services match")
    assert "2.50 USD/1k · Instagram Mentions [Hashtag Scrape]" in shopper.labels(back)


async def test_typing_a_service_id_jumps_to_it(shopper: Shopper) -> None:
    question = await shopper.open_service(13, LINK_Q)
    assert "Telegram Channel Starter [Package]" in question.plain
    assert "ID 13" in question.text


# --- Back, pagination, Change ------------------------------------------------------------------


async def test_back_buttons_return_to_the_previous_level(
    shopper: Shopper, panel: FakePanel
) -> None:
    await shopper.say("/order", CATEGORIES)
    services = await shopper.tap("Instagram Comments", "<b>Instagram Comments</b>")
    assert "8.00 USD/1k · Instagram Custom Comments ⏹" in shopper.labels(services)
    await shopper.tap("Back", CATEGORIES)
    await shopper.tap("Instagram Comments", "Choose a service")
    await shopper.tap("Instagram Custom Comments", LINK_Q)
    await shopper.tap("Back", "Choose a service")  # the first question → the service list
    await shopper.tap("Instagram Custom Comments", LINK_Q)
    await shopper.say("https://instagram.com/p/first", COMMENTS_Q)
    again = await shopper.tap("Back", LINK_Q)  # the second question → the first
    assert "Instagram Custom Comments" in again.plain
    await shopper.say("https://instagram.com/p/second", COMMENTS_Q)
    await shopper.say(lines(*"vwxyz"), SUMMARY)
    await shopper.tap("Confirm", "Order placed")
    _, fields = only_order(panel)
    assert fields["link"] == "https://instagram.com/p/second"


async def test_back_from_a_choice_and_from_a_skip(shopper: Shopper, panel: FakePanel) -> None:
    await shopper.open_service(1, LINK_Q)
    await shopper.say(IG, QUANTITY_Q)
    await shopper.say("500", DRIPFEED_Q)
    await shopper.tap("Back", QUANTITY_Q)  # the choice → the quantity
    await shopper.say("600", DRIPFEED_Q)
    await shopper.tap_exact("💧 Spread it", RUNS_Q)
    await shopper.tap("Back", DRIPFEED_Q)  # runs → the choice
    await shopper.tap_exact("All at once", SUMMARY)
    await shopper.tap("Confirm", "Order placed")
    _, fields = only_order(panel)
    assert fields == {"service": "1", "link": IG, "quantity": "600"}

    await shopper.open_service(3, SUB_USER_Q)
    await shopper.say("someone", MIN_Q)
    await shopper.say("100", MAX_Q)
    await shopper.say("200", POSTS_Q)
    await shopper.tap_exact("⏭ Skip", OLD_POSTS_Q)
    await shopper.tap("Back", POSTS_Q)  # a skipped question is asked again
    await shopper.say("7", OLD_POSTS_Q)
    await shopper.tap_exact("⏭ Skip", DELAY_Q)
    await shopper.tap_exact("60", EXPIRY_Q)
    await shopper.tap_exact("⏭ Skip", SUMMARY)
    await shopper.tap("Confirm", "Order placed")
    subscription = panel.orders[max(panel.orders)]
    assert subscription.fields == {
        "service": "3",
        "username": "someone",
        "min": "100",
        "max": "200",
        "posts": "7",
        "delay": "60",
    }


async def test_a_25_service_category_pages_through_all_of_them(shopper: Shopper) -> None:
    await shopper.say("/order", CATEGORIES)
    page = await shopper.tap("Instagram Followers", "page 1/3")
    seen: list[str] = []
    for number in (1, 2, 3):
        assert f"(page {number}/3)" in page.text
        items = [label for label in shopper.labels(page) if "/1k" in label]
        assert len(items) == (10 if number < 3 else 5)
        seen += items
        # Every page one tap away, the current one marked.
        nav = [label if n + 1 != number else "·" for n, label in enumerate(["1", "2", "3"])]
        marked = [label for label in shopper.labels(page) if label.strip("· ").isdigit()]
        assert [label if "·" not in label else "·" for label in marked] == nav
        if number < 3:
            page = await shopper.tap_exact(str(number + 1), f"page {number + 1}/3")
    assert len(set(seen)) == 25
    assert seen[0].startswith("0.90 USD/1k · Instagram Followers [Refill 30D]")
    assert seen[-1].startswith("1.75 USD/1k · Instagram Followers [Server 23]")
    page = await shopper.tap_exact("2", "page 2/3")
    assert any(
        label.startswith("1.35 USD/1k · Instagram Followers [Server 15]")
        for label in shopper.labels(page)
    )
    question = await shopper.tap("Server 15", LINK_Q)
    assert "ID 116" in question.text
    await shopper.tap("Back", "<b>Instagram Followers</b>")


async def test_back_from_a_service_returns_to_the_page_it_was_picked_from(
    shopper: Shopper,
) -> None:
    await shopper.say("/order", CATEGORIES)
    await shopper.tap("Instagram Followers", "page 1/3")
    await shopper.tap_exact("2", "page 2/3")
    await shopper.tap("Server 15", LINK_Q)
    back = await shopper.tap("Back", "<b>Instagram Followers</b>")
    assert "(page 2/3)" in back.text, back.text


async def test_change_on_the_summary_asks_only_the_field_picked_and_places_the_changed_order(
    shopper: Shopper, panel: FakePanel
) -> None:
    await shopper.open_service(101, LINK_Q)
    await shopper.say("https://instagram.com/old", QUANTITY_Q)
    first = await shopper.say("100", SUMMARY)
    assert price("0.05") in first.text
    fields = await shopper.tap("Change", "What would you like to change")
    assert fields.message_id == first.message_id  # the summary became the list of fields
    question = await shopper.tap("Link", LINK_Q)
    assert "Now: https://instagram.com/old" in question.text
    second = await shopper.say("https://instagram.com/new", SUMMARY)  # the quantity is kept
    assert "🔢 Quantity: 100" in second.text
    await shopper.tap("Change", "What would you like to change")
    await shopper.tap("Quantity", QUANTITY_Q)
    third = await shopper.say("2 000", SUMMARY)
    assert price("1.00") in third.text
    await shopper.tap("Confirm", "Order placed")
    _, sent = only_order(panel)
    assert sent == {"service": "101", "link": "https://instagram.com/new", "quantity": "2000"}
    assert panel.count("add") == 1
    assert panel.balance_of(USER_KEY) == START - 1


@pytest.mark.parametrize(
    ("service", "steps", "question"),
    [
        (1, (say(IG, QUANTITY_Q), say("100", DRIPFEED_Q)), DRIPFEED_Q),
        (16, (say(WEB, QUANTITY_Q), say("100", COUNTRY_Q), say("US", DEVICE_Q)), DEVICE_Q),
        (
            3,
            (
                say("someone", MIN_Q),
                say("100", MAX_Q),
                say("200", POSTS_Q),
                tap("⏭ Skip", OLD_POSTS_Q),
                tap("⏭ Skip", DELAY_Q),
            ),
            DELAY_Q,
        ),
    ],
    ids=["drip-feed", "device", "delay"],
)
async def test_questions_end_with_a_single_punctuation_mark(
    service: int, steps: tuple[tuple[str, str, str], ...], question: str, shopper: Shopper
) -> None:
    await shopper.open_service(service, SUB_USER_Q if service == 3 else LINK_Q)
    asked = await shopper.walk(steps)
    assert asked is not None
    assert question in asked.text
    assert not asked.text.endswith(("?:", "::")), asked.text


async def test_order_again_keeps_skipped_questions_skipped(
    shopper: Shopper, panel: FakePanel
) -> None:
    await shopper.open_service(3, SUB_USER_Q)
    await shopper.say("someone", MIN_Q)
    await shopper.say("100", MAX_Q)
    await shopper.say("200", POSTS_Q)
    await shopper.say("9", OLD_POSTS_Q)
    await shopper.tap_exact("⏭ Skip", DELAY_Q)
    await shopper.tap_exact("60", EXPIRY_Q)
    await shopper.tap_exact("⏭ Skip", SUMMARY)
    await shopper.tap("Confirm", "Order placed")
    await shopper.tap("Open order", "Order ")
    summary = await shopper.tap("Order again", SUMMARY)  # no question asked again
    assert "someone" in summary.text
    await shopper.tap("Confirm", "Order placed")
    first, second = (panel.orders[i].fields for i in sorted(panel.orders))
    assert first == second
    assert "old_posts" not in second


async def test_order_again_checks_old_answers_against_the_service_today(
    shopper: Shopper, panel: FakePanel, app: Any
) -> None:
    await shopper.open_service(101, LINK_Q)  # min 50, max 5000
    await shopper.say(IG, QUANTITY_Q)
    await shopper.say("100", SUMMARY)
    await shopper.tap("Confirm", "Order placed")
    await shopper.tap("Open order", "Order ")
    panel.complete(max(panel.orders))  # else the panel refuses a second order for the link
    service = next(s for s in panel.services if s["service"] == 101)
    service["min"] = "500"  # the reseller raised the minimum since
    app_services(app).catalogue.forget(USER_KEY)
    asked = await shopper.tap("Order again", QUANTITY_Q)
    assert "between 500 and 5,000" in asked.text
    await shopper.say("600", SUMMARY)
    await shopper.tap("Confirm", "Order placed")
    assert panel.orders[max(panel.orders)].fields["quantity"] == "600"


# --- the quantity-needing types on every panel dialect ------------------------------------------

DIALECT_WALKS = ("package", "custom-comments-package", "custom-comments")


@on_every_dialect
@pytest.mark.parametrize("name", DIALECT_WALKS)
async def test_packages_and_comments_are_placed_on_every_dialect(
    name: str, shopper: Shopper, panel: FakePanel, telegram: FakeTelegram
) -> None:
    """SmartPanel and BoostedSMM refuse these without `quantity` (S08, S09, B06–B08); the bot
    sends it, and the seed panel takes it too."""
    walk = WALKS[name]
    await shopper.open_service(walk.service, walk.first)
    summary = await shopper.walk(walk.steps)
    assert summary is not None
    # The summary's price is what the panel charges: BoostedSMM prices packages per 1000.
    per_thousand = panel.dialect == "boostedsmm" and name != "custom-comments"
    expected = walk.charge / 1000 if per_thousand else walk.charge
    assert (
        price(texts.formatting.money(expected)) if per_thousand else walk.price
    ) in summary.text
    placed = await shopper.tap("Confirm", "Order placed")
    order_id, fields = only_order(panel)
    assert panel.orders[order_id].charge == expected
    assert f"<code>{order_id}</code>" in placed.text
    if name == "custom-comments" and panel.dialect == "smartpanel":
        # Recognised from its catalogue: SmartPanel counts the comments itself (S07).
        assert "quantity" not in fields
    else:
        assert fields["quantity"] == walk.fields["quantity"]
    assert panel.count("add") == 1
    no_error_shown(telegram)
