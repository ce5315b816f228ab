"""Favourites and quick repeats, played by a customer over real HTTP against the stand-ins: the
star on a service's card, favourites first in /order, a favourite the panel removed, quick
quantity buttons (checked again when tapped), recent links, and Order again of a website order."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from bot import callback
from bot.context import app_services
from bot.panel import Service, ServiceType
from bot.services import console
from bot.services.quick import quick_amounts
from storage.favourites import MAX_FAVOURITES
from tests.conftest import OPERATOR, OTHER_KEY, OTHER_USER, USER, USER_KEY
from tests.customer import Customer, data_of
from tests.fakes.panel import PLAIN_SERVICE_ID, SERVICE_IDS, FakePanel, big_catalogue
from tests.fakes.telegram import BotMessage, FakeTelegram
from tests.orders import placed_order

PLAIN_NAME = "Instagram Followers [No Refill]"  # min 50, max 5 000, no drip-feed
LINK_Q = "Send the <b>link</b>"
QUANTITY_Q = "Send the <b>quantity</b>"
SUMMARY = "Check your order"


def change_service(app: Any, panel: FakePanel, service_id: int, **changes: Any) -> None:
    """The panel changes (or, with no changes, removes) a service; the bot's cached catalogue
    is as old as the TTL allows, so it is dropped here as the TTL would."""
    if changes:
        service = next(s for s in panel.services if s["service"] == service_id)
        service.update(changes)
    else:
        panel.services[:] = [s for s in panel.services if s["service"] != service_id]
    app_services(app).catalogue.forget(USER_KEY)


async def order_menu(customer: Customer) -> BotMessage:
    """/order, dropping the order being filled in when asked (it is, after a card)."""
    telegram = customer.telegram
    mark = telegram.mark()
    telegram.send_text(customer.user_id, "/order")

    def answered() -> BotMessage | None:
        return next(
            (
                message
                for message in telegram.messages(customer.user_id)
                if message.changed_at > mark
                and ("Choose a " in message.text or "Drop the order" in message.text)
            ),
            None,
        )

    answer = await telegram.wait_for(answered, what="/order's answer")
    if "Drop the order" in answer.text:
        answer = await customer.tap("Yes, drop it", "Choose a ")
    return answer


async def star(customer: Customer, service_id: int) -> BotMessage:
    await order_menu(customer)
    card = await customer.say(str(service_id), LINK_Q)
    assert "☆ Add to favourites" in customer.labels(card)
    starred = await customer.tap("Add to favourites", LINK_Q)
    assert starred.message_id == card.message_id
    assert "⭐ Remove from favourites" in customer.labels(starred)
    return starred


async def test_a_starred_service_comes_first_in_order_and_unstarring_removes_it(
    app: Any, customer: Customer, telegram: FakeTelegram
) -> None:
    menu = await order_menu(customer)
    assert not any("Favourites" in label for label in customer.labels(menu))
    await customer.say("/cancel", "cancelled")

    await star(customer, PLAIN_SERVICE_ID)
    assert any("Added to your favourites" in str(a.get("text")) for a in toasts(telegram))
    menu = await order_menu(customer)
    assert customer.labels(menu)[0] == "⭐ Favourites (1)"
    favourites = await customer.tap("Favourites (1)", "Your favourites")
    assert favourites.message_id == menu.message_id
    assert any(PLAIN_NAME in label for label in customer.labels(favourites))
    card = await customer.tap(PLAIN_NAME, LINK_Q)
    assert PLAIN_NAME in card.plain
    # Back from the card returns to the favourites.
    await customer.tap("Back", "Your favourites")
    await customer.tap(PLAIN_NAME, LINK_Q)
    unstarred = await customer.tap("Remove from favourites", LINK_Q)
    assert "☆ Add to favourites" in customer.labels(unstarred)
    assert any("Removed from your favourites" in str(a.get("text")) for a in toasts(telegram))
    menu = await order_menu(customer)
    assert not any("Favourites" in label for label in customer.labels(menu))
    assert await app_services(app).repository.favourites(USER) == []


def toasts(telegram: FakeTelegram) -> list[dict[str, Any]]:
    return [params for method, params in telegram.calls if method == "answerCallbackQuery"]


async def test_a_double_tapped_star_keeps_one_favourite_and_a_stale_star_is_expired(
    app: Any, customer: Customer
) -> None:
    card = await customer.open_service(PLAIN_SERVICE_ID, LINK_Q)
    data = data_of(card, "Add to favourites")
    await customer.tap("Add to favourites", LINK_Q)
    await customer.tap("Remove from favourites", LINK_Q)
    await customer.tap("Add to favourites", LINK_Q)
    assert len(await app_services(app).repository.favourites(USER)) == 1
    await customer.say("https://instagram.com/someone", QUANTITY_Q)  # the card is not live
    answer = await customer.press(card, data)
    assert "expired" in str(answer.get("text"))
    assert len(await app_services(app).repository.favourites(USER)) == 1


async def test_at_most_twenty_favourites_and_the_twenty_first_star_says_why(
    app: Any, customer: Customer
) -> None:
    repository = app_services(app).repository
    for n in range(MAX_FAVOURITES):
        assert await repository.add_favourite(USER, str(1000 + n), f"Service {n}")
    assert await repository.add_favourite(USER, "1000", "Service 0")  # already one: kept
    card = await customer.open_service(PLAIN_SERVICE_ID, LINK_Q)
    answer = await customer.press(card, data_of(card, "Add to favourites"))
    assert answer.get("text") == "You have 20 favourites already: remove one first."
    assert answer.get("show_alert") is True
    starred = await repository.favourites(USER)
    assert len(starred) == MAX_FAVOURITES
    assert str(PLAIN_SERVICE_ID) not in {item.service_id for item in starred}


async def test_a_favourite_the_panel_removed_is_shown_unavailable_and_can_be_removed(
    app: Any, customer: Customer, panel: FakePanel
) -> None:
    await star(customer, PLAIN_SERVICE_ID)
    await star(customer, SERVICE_IDS["Default"])
    change_service(app, panel, PLAIN_SERVICE_ID)  # gone from the panel's list
    await order_menu(customer)
    favourites = await customer.tap("Favourites (2)", "Your favourites")
    assert "can no longer be ordered here" in favourites.plain
    labels = customer.labels(favourites)
    assert any("Instagram Followers [Refill 30D]" in label for label in labels)
    gone = [label for label in labels if "unavailable" in label]
    assert gone == ["🚫 Instagram Followers [No Refil… · unavailable, remove"]
    # Its old button (from a list shown before) says it is gone instead of failing.
    removed = await customer.tap("unavailable", "Removed “Instagram Followers [No Refill]”")
    assert removed.message_id == favourites.message_id
    assert "can no longer be ordered" not in removed.plain
    assert not any("unavailable" in label for label in customer.labels(removed))
    assert [s.service_id for s in await app_services(app).repository.favourites(USER)] == [
        str(SERVICE_IDS["Default"])
    ]
    # The last one removed: the list falls back to the categories, no Favourites button.
    await customer.tap("Refill 30D", LINK_Q)
    await customer.tap("Remove from favourites", LINK_Q)
    menu = await order_menu(customer)
    assert not any("Favourites" in label for label in customer.labels(menu))


async def test_a_favourite_the_operators_hid_is_unavailable_and_its_old_button_says_so(
    app: Any, customer: Customer, telegram: FakeTelegram
) -> None:
    await star(customer, PLAIN_SERVICE_ID)
    await order_menu(customer)
    listed = await customer.tap("Favourites (1)", "Your favourites")
    await app_services(app).console.save(
        OPERATOR, console.HIDDEN_SERVICES, [str(PLAIN_SERVICE_ID)]
    )
    # The list on screen still has its button: tapping it says it is no longer offered.
    await customer.press(listed, callback.ORDER_SERVICE.data(str(PLAIN_SERVICE_ID)))
    after = await telegram.wait_for_message(USER, "no longer offered")
    assert after.message_id == listed.message_id
    # The favourites list now shows it as unavailable (it is still starred).
    await order_menu(customer)
    again = await customer.tap("Favourites (1)", "Your favourites")
    assert [label for label in customer.labels(again) if "unavailable" in label] == [
        "🚫 Instagram Followers [No Refil… · unavailable, remove"
    ]


async def test_quick_quantity_buttons_place_the_quantity_tapped(
    customer: Customer, panel: FakePanel
) -> None:
    await customer.open_service(PLAIN_SERVICE_ID, LINK_Q)
    question = await customer.say("https://instagram.com/someone", QUANTITY_Q)
    # The minimum and round amounts within 50–5 000, in one row above Back and Cancel.
    assert question.buttons[0] == [
        ("50", callback.ORDER_AMOUNT.data("quantity", 50)),
        ("100", callback.ORDER_AMOUNT.data("quantity", 100)),
        ("500", callback.ORDER_AMOUNT.data("quantity", 500)),
        ("1,000", callback.ORDER_AMOUNT.data("quantity", 1000)),
        ("5,000", callback.ORDER_AMOUNT.data("quantity", 5000)),
    ]
    assert customer.labels(question)[-2:] == ["⬅️ Back", "✖️ Cancel"]
    summary = await customer.tap("500", SUMMARY)
    assert "🔢 Quantity: 500" in summary.plain
    await customer.tap("Confirm", "Order placed")
    (order,) = panel.orders.values()
    assert order.fields["quantity"] == "500"
    assert panel.count("add") == 1


async def test_quick_quantity_and_recent_link_buttons_change_one_field_from_the_summary(
    app: Any, customer: Customer, panel: FakePanel
) -> None:
    _, panel_id = await placed_order(app, panel, link="https://instagram.com/old")
    panel.complete(panel_id)
    await order_menu(customer)
    await customer.say(str(SERVICE_IDS["Default"]), LINK_Q)
    await customer.say("https://instagram.com/new", QUANTITY_Q)
    await customer.tap("100", "Spread it")
    await customer.tap("All at once", SUMMARY)
    await customer.tap("Change", "What would you like to change?")
    await customer.tap("Quantity", "✏️ Now: 100")
    summary = await customer.tap("1,000", SUMMARY)  # only that field, back to the summary
    assert "🔢 Quantity: 1,000" in summary.plain
    assert "🔗 Link: https://instagram.com/new" in summary.plain
    await customer.tap("Change", "What would you like to change?")
    await customer.tap("Link", "✏️ Now:")
    summary = await customer.tap("instagram.com/old", SUMMARY)
    assert "🔗 Link: https://instagram.com/old" in summary.plain
    assert "🔢 Quantity: 1,000" in summary.plain
    await customer.tap("Confirm", "Order placed")
    assert panel.count("add") == 1
    assert list(panel.orders.values())[-1].fields["quantity"] == "1000"


async def test_a_quantity_button_after_the_limits_changed_gets_a_clear_message(
    app: Any, customer: Customer, panel: FakePanel
) -> None:
    await customer.open_service(PLAIN_SERVICE_ID, LINK_Q)
    question = await customer.say("https://instagram.com/someone", QUANTITY_Q)
    change_service(app, panel, PLAIN_SERVICE_ID, min=1000, max=2000)
    again = await customer.tap("500", "limits have changed: now 1,000 – 2,000")
    assert again.message_id == question.message_id
    assert QUANTITY_Q in again.text
    assert ("1,000", callback.ORDER_AMOUNT.data("quantity", 1000)) in again.buttons[0]
    assert "500" not in customer.labels(again)
    summary = await customer.tap("1,000", SUMMARY)
    assert "🔢 Quantity: 1,000" in summary.plain
    assert panel.count("add") == 0


async def test_a_forged_quantity_is_checked_as_if_typed(
    customer: Customer, panel: FakePanel
) -> None:
    await customer.open_service(PLAIN_SERVICE_ID, LINK_Q)
    question = await customer.say("https://instagram.com/someone", QUANTITY_Q)
    mark = customer.telegram.mark()
    await customer.press(question, callback.ORDER_AMOUNT.data("quantity", 999_999))
    refused = await customer.telegram.wait_for_message(USER, "between 50 and 5,000", after=mark)
    assert QUANTITY_Q in refused.text
    assert panel.count("add") == 0


async def test_a_quick_quantity_for_another_question_or_a_removed_service_is_refused(
    app: Any, customer: Customer, panel: FakePanel
) -> None:
    await customer.open_service(PLAIN_SERVICE_ID, LINK_Q)
    link_q = customer.last()
    answer = await customer.press(link_q, callback.ORDER_AMOUNT.data("quantity", 100))
    assert "expired" in str(answer.get("text"))  # the link is asked, not the quantity
    await customer.say("https://instagram.com/someone", QUANTITY_Q)
    change_service(app, panel, PLAIN_SERVICE_ID)
    gone = await customer.tap("100", "no longer in the panel's list")
    assert "Choose a category" in gone.text
    assert panel.count("add") == 0


async def test_recent_links_are_offered_and_a_tap_fills_the_link(
    app: Any, customer: Customer, panel: FakePanel
) -> None:
    for n in (1, 2, 1, 3, 4):  # the last three distinct links: p4, p3, p1
        _, panel_id = await placed_order(app, panel, link=f"https://instagram.com/p{n}")
        panel.complete(panel_id)  # the panel takes one active order per link
    await placed_order(app, panel, OTHER_USER, OTHER_KEY, link="https://instagram.com/other")
    card = await customer.open_service(SERVICE_IDS["Default"], LINK_Q)
    links = [label for label in customer.labels(card) if label.startswith("🔗")]
    assert links == [
        "🔗 https://instagram.com/p4",
        "🔗 https://instagram.com/p3",
        "🔗 https://instagram.com/p1",
    ]
    asked = await customer.tap("instagram.com/p3", QUANTITY_Q)
    assert asked.message_id == card.message_id
    await customer.tap("500", "Spread it")
    summary = await customer.tap("All at once", SUMMARY)
    assert "🔗 Link: https://instagram.com/p3" in summary.plain
    await customer.tap("Confirm", "Order placed")
    assert panel.count("add") == 1
    assert list(panel.orders.values())[-1].fields["link"] == "https://instagram.com/p3"


async def test_a_recent_link_button_of_another_user_or_service_is_expired(
    app: Any, customer: Customer, panel: FakePanel
) -> None:
    theirs, _ = await placed_order(app, panel, OTHER_USER, OTHER_KEY)
    mine, _ = await placed_order(app, panel)  # Default service
    card = await customer.open_service(PLAIN_SERVICE_ID, LINK_Q)
    assert not any(label.startswith("🔗") for label in customer.labels(card))
    for row in (theirs, mine):
        answer = await customer.press(card, callback.ORDER_RECENT_LINK.data(row))
        assert "expired" in str(answer.get("text"))
    assert LINK_Q in customer.last().text


async def test_order_again_on_a_tracked_website_order_lets_the_customer_pick_the_service(
    customer: Customer, panel: FakePanel
) -> None:
    website = panel.create_order(
        USER_KEY, PLAIN_SERVICE_ID, 300, "https://instagram.com/w", "Completed"
    )
    await customer.say(f"/status {website}", "Now tracking 1 order")
    await customer.say("/orders", "Your orders")
    card = await customer.tap(website, f"Order {website}")
    assert "🔁 Order again" in customer.labels(card)
    again = await customer.tap("Order again", "placed on the panel's website")
    assert "Choose a category" in again.text
    await customer.say(str(PLAIN_SERVICE_ID), LINK_Q)
    await customer.say("https://instagram.com/w", QUANTITY_Q)
    await customer.tap("1,000", SUMMARY)
    await customer.tap("Confirm", "Order placed")
    assert panel.count("add") == 1


def service(minimum: int, maximum: int) -> Service:
    return Service(
        "7",
        "x",
        ServiceType.DEFAULT,
        "Default",
        "c",
        Decimal("1"),
        minimum,
        maximum,
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("minimum", "maximum", "amounts"),
    [
        (50, 5000, (50, 100, 500, 1000, 5000)),
        (10, 10**9, (10, 50, 100, 500, 1000)),
        (1, 1, (1,)),
        (0, 20, (1, 10)),
        (1000, 2000, (1000,)),
        (120, 480, (120,)),
        (10**18, 10**19, ()),  # more digits than a button carries
        (500, 100, ()),  # limits that make no sense
    ],
)
def test_quick_amounts_are_the_minimum_and_round_amounts_within_the_limits(
    minimum: int, maximum: int, amounts: tuple[int, ...]
) -> None:
    assert quick_amounts(service(minimum, maximum)) == amounts
    for amount in amounts:
        callback.ORDER_AMOUNT.data("quantity", amount)  # every one fits a button


async def test_favourites_come_before_the_platforms_of_a_big_catalogue(
    customer: Customer, panel: FakePanel
) -> None:
    panel.services = big_catalogue()
    long = next(item for item in panel.services if len(item.get("desc", "")) > 400)
    await order_menu(customer)
    card = await customer.say(str(long["service"]), LINK_Q)
    # The card's More first, the star just above Back and Cancel.
    assert customer.labels(card) == ["📖 More", "☆ Add to favourites", "⬅️ Back", "✖️ Cancel"]
    await customer.tap("Add to favourites", LINK_Q)
    top = await order_menu(customer)
    assert "Choose a platform" in top.text
    labels = customer.labels(top)
    assert labels[0] == "⭐ Favourites (1)"
    assert labels[1].startswith("📸 Instagram · ")
    listed = await customer.tap("Favourites (1)", "Your favourites")
    assert len(customer.labels(listed)) == 3  # the service, Back, Cancel
    assert " USD" in customer.labels(listed)[0]  # priced as in any list
    back = await customer.tap("Back", "Choose a platform")
    assert customer.labels(back)[0] == "⭐ Favourites (1)"
