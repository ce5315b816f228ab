"""Wrong input at every step of the ordering conversation, panel trouble, and leaving the flow.

What the issue asks of every wrong input: a short message saying what is expected, the SAME
question again (same text, same buttons), and no `add` reaching the panel.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests.conftest import OTHER_KEY, OTHER_USER, USER_KEY
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import BotMessage, FakeTelegram
from tests.test_order_types import (
    CATEGORIES,
    COMMENTS_Q,
    COUNTRY_Q,
    DELAY_Q,
    DEVICE_Q,
    DRIPFEED_Q,
    EXPIRY_Q,
    IG,
    INTERVAL_Q,
    KEYWORD_Q,
    LINK_Q,
    MAX_Q,
    MIN_Q,
    OLD_POSTS_Q,
    OWNER_Q,
    POSTS_Q,
    QUANTITY_Q,
    RUNS_Q,
    SUB_USER_Q,
    SUMMARY,
    TRAFFIC_Q,
    WEB,
    Shopper,
    in_30_days,
    lines,
    no_error_shown,
    only_order,
    say,
    tap,
)

PHOTO = "<a photo>"
STICKER = "<a sticker>"
NEED_TEXT = "⚠️ I need a typed answer here."
NEED_LIST = "⚠️ Please send the list as text, or as a .txt file."
USE_BUTTONS = "⚠️ Please choose with the buttons below."
IN_ORDER = "⚠️ You're in the middle of an order"
STILL_OPEN = "📝 Your order is still open"
NOT_A_LINK = "⚠️ That's not a link."
WHOLE = "⚠️ Please send a whole number"
CHOOSE = "⚠️ Please choose one of the buttons."
DATE_FORMAT = "⚠️ Please send the date as dd/mm/yyyy"
FUTURE = "⚠️ The date must be in the future."
CANCELLED = "Okay, cancelled."
EXPIRED = "expired"


@pytest.fixture
async def shopper(app: object, telegram: FakeTelegram) -> Shopper:
    shopper = Shopper(telegram)
    await shopper.connect()
    return shopper


async def send(shopper: Shopper, what: str, expect: str) -> BotMessage:
    if what == PHOTO:
        return await shopper.photo(expect)
    if what == STICKER:
        return await shopper.sticker(expect)
    return await shopper.say(what, expect)


def assert_asked_again(shopper: Shopper, answer: BotMessage, question: BotMessage) -> None:
    """The bot's answer is the newest message and is the same question: text and buttons."""
    assert answer.message_id == shopper.newest_id()
    assert answer.text.endswith(question.text), (answer.text, question.text)
    assert answer.buttons == question.buttons


# --- each step: where to find it, what is wrong there, and a right answer ---------------------

SUBSCRIPTION = (say("someone", MIN_Q), say("100", MAX_Q), say("200", POSTS_Q))
# step: (service, the walk to the question, whether it takes buttons, a right answer, next)
STEPS: dict[str, tuple[int, tuple[tuple[str, str, str], ...], bool, str, str]] = {
    "link": (1, (), False, IG, QUANTITY_Q),
    "quantity": (1, (say(IG, QUANTITY_Q),), False, "1000", DRIPFEED_Q),
    "dripfeed": (1, (say(IG, QUANTITY_Q), say("1000", DRIPFEED_Q)), True, "All at once", SUMMARY),
    "runs": (
        1,
        (say(IG, QUANTITY_Q), say("1000", DRIPFEED_Q), tap("💧 Spread it", RUNS_Q)),
        False,
        "2",
        INTERVAL_Q,
    ),
    "interval": (
        1,
        (
            say(IG, QUANTITY_Q),
            say("1000", DRIPFEED_Q),
            tap("💧 Spread it", RUNS_Q),
            say("5", INTERVAL_Q),
        ),
        False,
        "30",
        SUMMARY,
    ),
    "comments": (2, (say(IG, COMMENTS_Q),), False, lines(*"abcde"), SUMMARY),
    "username": (14, (say(IG, QUANTITY_Q), say("100", OWNER_Q)), False, "someone", SUMMARY),
    "min": (3, SUBSCRIPTION[:1], False, "100", MAX_Q),
    "max": (3, SUBSCRIPTION[:2], False, "200", POSTS_Q),
    "posts": (3, SUBSCRIPTION, False, "3", OLD_POSTS_Q),
    "delay": (
        3,
        (*SUBSCRIPTION, tap("⏭ Skip", OLD_POSTS_Q), tap("⏭ Skip", DELAY_Q)),
        True,
        "30",
        EXPIRY_Q,
    ),
    "expiry": (
        3,
        (*SUBSCRIPTION, tap("⏭ Skip", OLD_POSTS_Q), tap("⏭ Skip", DELAY_Q), tap("30", EXPIRY_Q)),
        False,
        in_30_days(),
        SUMMARY,
    ),
    "device": (
        16,
        (say(WEB, QUANTITY_Q), say("1000", COUNTRY_Q), say("US", DEVICE_Q)),
        True,
        "Desktop",
        TRAFFIC_Q,
    ),
}

LONG = "x" * 5000
TODAY = date.today().strftime("%d/%m/%Y")
YESTERDAY = (date.today() - timedelta(days=1)).strftime("%d/%m/%Y")
# step: [(wrong input, what the short message says)]
WRONG: dict[str, list[tuple[str, str]]] = {
    "link": [
        ("not a link", NOT_A_LINK),
        ("http//x", NOT_A_LINK),
        ("ftp://x.com/a", NOT_A_LINK),
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "instagram.com link"),
        (LONG, NOT_A_LINK),
    ],
    "quantity": [
        ("abc", WHOLE),
        ("-5", "⚠️ The number can't be negative."),
        ("1e9", WHOLE),
        ("12.5", WHOLE),
        ("0", "⚠️ The quantity must be between 1 and 10,000."),  # per run: see the drip test
        ("10001", "⚠️ The quantity must be between 1 and 10,000."),
        (LONG, WHOLE),
    ],
    "dripfeed": [("maybe", CHOOSE), ("yes please", CHOOSE)],
    "runs": [
        ("1", "⚠️ Runs must be between 2 and 1,000."),
        ("11", "at most 10 runs"),  # 11 × 1000 is over the service's 10,000
        ("two", WHOLE),
    ],
    "interval": [
        ("0", "⚠️ The interval must be between 1 and 1,440 minutes."),
        ("1441", "⚠️ The interval must be between 1 and 1,440 minutes."),
        ("-1", "⚠️ The number can't be negative."),
    ],
    "comments": [
        ("\n  \n\n", "⚠️ The list is empty."),
        (lines(*"abcd"), "⚠️ You sent 4 lines; this service takes 5 – 1,000."),
        (LONG, "⚠️ A line is too long (at most 500 characters)."),
    ],
    "username": [
        ("two\nlines", "⚠️ Please send it as one line of text."),
        (LONG, "⚠️ A line is too long"),
    ],
    "min": [("10", "⚠️ The quantity must be between 50 and 5,000."), ("lots", WHOLE)],
    "max": [
        ("99", "⚠️ The quantity must be between 100 and 5,000."),  # below the min given
        ("5001", "⚠️ The quantity must be between 100 and 5,000."),
    ],
    "posts": [("-1", "⚠️ The number can't be negative."), ("many", WHOLE)],
    "delay": [("7", CHOOSE), ("soon", CHOOSE)],
    "expiry": [
        ("01/01/2020", FUTURE),
        (YESTERDAY, FUTURE),
        (TODAY, FUTURE),
        ("2027-12-31", DATE_FORMAT),
        ("31/02/2030", DATE_FORMAT),
        ("tomorrow", DATE_FORMAT),
    ],
    "device": [("Tablet", CHOOSE)],
}


async def reach(shopper: Shopper, step: str) -> BotMessage:
    service, walk, _, _, _ = STEPS[step]
    first = await shopper.open_service(service, SUB_USER_Q if service == 3 else LINK_Q)
    return await shopper.walk(walk) or first


@pytest.mark.parametrize("step", list(STEPS))
async def test_wrong_input_gets_a_short_message_and_the_same_question(
    step: str, shopper: Shopper, panel: FakePanel, telegram: FakeTelegram
) -> None:
    _, _, buttons, right, then = STEPS[step]
    question = await reach(shopper, step)
    need = NEED_LIST if step == "comments" else NEED_TEXT  # a list may also come as a file
    cases = [
        *WRONG[step],
        (PHOTO, USE_BUTTONS if buttons else need),
        (STICKER, USE_BUTTONS if buttons else need),
        ("/key", IN_ORDER),
        # Information commands are answered, then the same question comes again.
        ("/orders", STILL_OPEN),
        ("/balance", STILL_OPEN),
    ]
    for wrong, problem in cases:
        answer = await send(shopper, wrong, problem)
        assert_asked_again(shopper, answer, question)
        assert len(answer.text) - len(question.text) < 200  # short
    # the question still takes its right answer
    await shopper.say(right, then)
    assert panel.count("add") == 0
    no_error_shown(telegram)


async def test_a_5000_digit_number_is_refused_like_any_other_wrong_quantity(
    shopper: Shopper, panel: FakePanel
) -> None:
    question = await reach(shopper, "quantity")
    answer = await shopper.say("9" * 5000)
    assert "⚠️" in answer.text
    assert "Something went wrong" not in answer.text
    assert_asked_again(shopper, answer, question)
    assert panel.count("add") == 0


async def test_the_text_expected_note_sits_one_empty_line_above_the_question(
    shopper: Shopper,
) -> None:
    question = await reach(shopper, "link")
    answer = await shopper.photo(NEED_TEXT)
    assert answer.text == f"{NEED_TEXT}\n\n{question.text}"


@pytest.mark.parametrize("typed", ["10 000", "10,000"])
async def test_grouped_thousands_are_accepted(
    typed: str, shopper: Shopper, panel: FakePanel
) -> None:
    await reach(shopper, "quantity")
    await shopper.say(typed, DRIPFEED_Q)
    summary = await shopper.tap_exact("All at once", SUMMARY)
    assert "💵 Price: <b>9.00 USD</b>" in summary.text
    await shopper.tap("Confirm", "Order placed")
    _, fields = only_order(panel)
    assert fields["quantity"] == "10000"
    assert panel.balance_of(USER_KEY) == Decimal("91")


async def test_html_and_emoji_in_a_comment_list_are_echoed_escaped(
    shopper: Shopper, panel: FakePanel, telegram: FakeTelegram
) -> None:
    comments = lines("<b>&", "🎉 party", "a < b > c", "Tom & Jerry", "<i>nice</i>")
    await reach(shopper, "comments")
    summary = await shopper.say(comments, SUMMARY)
    assert "&lt;b&gt;&amp;" in summary.text
    assert "🎉 party" in summary.text
    assert "&lt;i&gt;nice&lt;/i&gt;" in summary.text
    assert "<b>&" in summary.plain  # what the user reads is what they typed
    await shopper.tap("Confirm", "Order placed")
    _, fields = only_order(panel)
    assert fields["comments"] == comments
    no_error_shown(telegram)


async def test_html_in_a_search_is_echoed_escaped(shopper: Shopper) -> None:
    await shopper.say("/order", CATEGORIES)
    nothing = await shopper.say("<b>&🎉", "Nothing matches")
    assert "“&lt;b&gt;&amp;🎉”" in nothing.text


# --- the summary and the catalogue: a tap is expected ----------------------------------------


@pytest.mark.parametrize("wrong", ["yes", PHOTO, "/key"])
async def test_wrong_input_at_the_summary_shows_the_summary_again(
    wrong: str, shopper: Shopper, panel: FakePanel
) -> None:
    summary = await reach_summary(shopper)
    answer = await send(shopper, wrong, "⚠️")
    assert_asked_again(shopper, answer, summary)
    assert panel.count("add") == 0


@pytest.mark.parametrize("wrong", [PHOTO, "/key"])
async def test_wrong_input_at_the_categories_shows_the_categories_again(
    wrong: str, shopper: Shopper
) -> None:
    categories = await shopper.say("/order", CATEGORIES)
    answer = await send(shopper, wrong, "⚠️")
    assert_asked_again(shopper, answer, categories)


async def reach_summary(shopper: Shopper) -> BotMessage:
    await shopper.open_service(101, LINK_Q)
    await shopper.say(IG, QUANTITY_Q)
    return await shopper.say("100", SUMMARY)


# --- taps where text is expected ---------------------------------------------------------------


async def test_a_stale_button_of_an_older_question_is_answered_expired(
    shopper: Shopper, panel: FakePanel
) -> None:
    link_question = await shopper.open_service(1, LINK_Q)
    question = await shopper.say(IG, QUANTITY_Q)
    toast = await shopper.press(link_question.message_id, "o:back")
    assert EXPIRED in str(toast.get("text", ""))
    # nothing changed: the quantity question is still the live one and takes its answer
    current = shopper.last()
    assert current.message_id == question.message_id
    assert current.buttons == question.buttons
    await shopper.say("1000", DRIPFEED_Q)
    assert panel.count("add") == 0


@pytest.mark.parametrize("data", ["o:c:0:0", "o:s:2"])
async def test_a_stale_button_of_an_earlier_step_leaves_the_question_in_place(
    data: str, shopper: Shopper, panel: FakePanel
) -> None:
    categories = await shopper.say("/order", CATEGORIES)
    await shopper.say("1", LINK_Q)
    question = await shopper.say(IG, QUANTITY_Q)
    toast = await shopper.press(categories.message_id, data)
    following = await shopper.say("1000", DRIPFEED_Q)
    assert EXPIRED in str(toast.get("text", ""))
    between = [
        m.text
        for m in shopper.telegram.messages(shopper.user_id)
        if question.message_id < m.message_id < following.message_id
    ]
    assert not any("start again" in text for text in between), between
    assert panel.count("add") == 0


@pytest.mark.parametrize(
    ("step", "data"),
    [
        ("link", "o:ch:yes"),
        ("quantity", "o:skip"),
        ("dripfeed", "o:ch:maybe"),
        ("link", "zz:1"),
    ],
)
async def test_a_foreign_tap_on_the_live_question_says_what_is_expected(
    step: str, data: str, shopper: Shopper, panel: FakePanel
) -> None:
    question = await reach(shopper, step)
    newest = shopper.newest_id()
    toast = await shopper.press(question.message_id, data)
    _, _, _, right, then = STEPS[step]
    following = await shopper.say(right, then)  # handled after the tap (one user, in order)
    between = [
        m
        for m in shopper.telegram.messages(shopper.user_id)
        if newest < m.message_id < following.message_id
    ]
    # a short message saying what is expected: the toast, or a note with the question again
    notes = [m for m in between if "⚠️" in m.text and m.text.endswith(question.text)]
    assert toast.get("text") or notes, (toast, [m.text for m in between])
    assert all(m in notes for m in between), [m.text for m in between]
    assert panel.count("add") == 0


async def test_a_double_tap_on_a_choice_does_not_answer_the_next_question(
    shopper: Shopper, panel: FakePanel
) -> None:
    question = await reach(shopper, "device")
    data = dict(question.buttons[0])["Desktop"]
    assert data is not None
    await shopper.press(question.message_id, data)
    await shopper.press(question.message_id, data)  # the same button, tapped twice
    where = await shopper.photo("⚠️")  # the bot re-asks the question it is at
    assert TRAFFIC_Q in where.text
    assert KEYWORD_Q not in where.text
    assert panel.count("add") == 0


async def test_a_double_tap_on_skip_skips_one_question(shopper: Shopper) -> None:
    question = await reach(shopper, "posts")
    data = dict(question.buttons[0])["⏭ Skip"]
    assert data is not None
    await shopper.press(question.message_id, data)
    await shopper.press(question.message_id, data)
    where = await shopper.photo("⚠️")
    assert OLD_POSTS_Q in where.text


async def test_the_confirm_of_a_summary_changed_away_is_expired(
    shopper: Shopper, panel: FakePanel
) -> None:
    summary = await reach_summary(shopper)
    confirm = dict(summary.buttons[0])["✅ Confirm"]
    assert confirm is not None
    await shopper.tap("Change", "What would you like to change")
    toast = await shopper.press(summary.message_id, confirm)
    await shopper.say("/balance")  # answered once the tap has been handled
    assert panel.count("add") == 0
    assert EXPIRED in str(toast.get("text", ""))


# --- the panel failing or refusing -------------------------------------------------------------


async def test_panel_down_at_order_says_it_is_not_answering(
    shopper: Shopper, panel: FakePanel, telegram: FakeTelegram
) -> None:
    panel.fault = "html502"
    answer = await shopper.say("/order", "⚠️")
    assert "The panel is not answering right now" in answer.text
    panel.fault = None
    await shopper.say("/order", CATEGORIES)
    no_error_shown(telegram)


async def test_panel_down_at_the_summary_still_shows_it(
    shopper: Shopper, panel: FakePanel
) -> None:
    await shopper.open_service(101, LINK_Q)
    await shopper.say(IG, QUANTITY_Q)
    panel.fault = "html502"
    summary = await shopper.say("100", SUMMARY)
    assert "Balance: unknown" in summary.text
    assert "💵 Price: <b>0.05" in summary.text
    assert shopper.labels(summary) == ["✅ Confirm", "✏️ Change", "✖️ Cancel"]
    panel.fault = None
    await shopper.tap("Confirm", "Order placed")
    assert panel.count("add") == 1
    assert panel.balance_of(USER_KEY) == Decimal("99.95")


async def settled(shopper: Shopper, message_id: int, mark: int) -> BotMessage:
    """The message once Confirm has finished with it (no longer 'Placing…')."""

    def done() -> BotMessage | None:
        for message in shopper.telegram.messages(shopper.user_id):
            if (
                message.message_id == message_id
                and message.changed_at > mark
                and "Placing" not in message.text
            ):
                return message
        return None

    return await shopper.telegram.wait_for(done, what="Confirm to finish")


async def test_panel_unreachable_at_confirm_lets_confirm_again_and_places_once(
    shopper: Shopper, panel: FakePanel
) -> None:
    # A 403 challenge page comes from the CDN in front of the panel: the panel never saw it.
    summary = await reach_summary(shopper)
    panel.fault = "cloudflare403"
    panel.fault_actions = {"add"}
    mark = shopper.telegram.mark()
    shopper.telegram.press_button(shopper.user_id, "Confirm")
    failed = await settled(shopper, summary.message_id, mark)
    assert "Nothing was ordered" in failed.text
    assert "✅ Confirm" in shopper.labels(failed)
    assert not panel.orders
    panel.fault = None
    await shopper.tap("Confirm", "Order placed")
    assert len(panel.orders) == 1
    assert panel.count("add") == 2  # the failed attempt and the one that placed it


async def test_error_page_at_confirm_is_outcome_unknown_and_not_retried(
    shopper: Shopper, panel: FakePanel
) -> None:
    # A 502 may come after the panel took the order: we can't know, so we never resend it.
    summary = await reach_summary(shopper)
    panel.fault = "html502"
    panel.fault_actions = {"add"}
    mark = shopper.telegram.mark()
    shopper.telegram.press_button(shopper.user_id, "Confirm")
    unclear = await settled(shopper, summary.message_id, mark)
    assert "couldn't confirm the order" in unclear.text
    assert "✅ Confirm" not in shopper.labels(unclear)
    panel.fault = None
    toast = await shopper.press(summary.message_id, dict(summary.buttons[0])["✅ Confirm"])
    assert "already" in str(toast.get("text", ""))
    assert panel.count("add") == 1


async def test_not_enough_funds_at_confirm_shows_the_reason_and_change_works(
    shopper: Shopper, panel: FakePanel
) -> None:
    await reach_summary(shopper)
    panel.set_balance(USER_KEY, "0.01")
    refused = await shopper.tap("Confirm", "refused")
    assert "your balance on the panel is too low" in refused.text
    assert shopper.labels(refused) == ["✏️ Change", "✖️ Cancel", "💳 Top up"]
    assert not panel.orders
    panel.set_balance(USER_KEY, "100")
    await shopper.tap("Change", "What would you like to change")
    await shopper.tap("Quantity", QUANTITY_Q)
    await shopper.say("200", SUMMARY)
    await shopper.tap("Confirm", "Order placed")
    _, fields = only_order(panel)
    assert fields["quantity"] == "200"
    assert panel.balance_of(USER_KEY) == Decimal("99.90")


async def test_not_enough_balance_is_on_the_summary_before_confirm(
    shopper: Shopper, panel: FakePanel
) -> None:
    panel.set_balance(USER_KEY, "0.01")
    summary = await reach_summary(shopper)
    assert "⚠️ <b>Not enough balance</b>: 0.04 USD short." in summary.text
    refused = await shopper.tap("Confirm", "refused")
    assert "your balance on the panel is too low" in refused.text
    assert not panel.orders
    assert panel.balance_of(USER_KEY) == Decimal("0.01")


async def test_an_active_order_with_the_same_link_is_refused_with_the_reason(
    shopper: Shopper, panel: FakePanel
) -> None:
    await reach_summary(shopper)
    await shopper.tap("Confirm", "Order placed")
    await reach_summary(shopper)
    refused = await shopper.tap("Confirm", "refused")
    assert "already an active order for this link" in refused.text
    assert shopper.labels(refused) == ["✏️ Change", "✖️ Cancel"]
    assert len(panel.orders) == 1
    assert panel.balance_of(USER_KEY) == Decimal("99.95")
    await shopper.tap("Cancel", CANCELLED)
    assert len(panel.orders) == 1


async def test_confirm_tapped_twice_places_one_order(shopper: Shopper, panel: FakePanel) -> None:
    summary = await reach_summary(shopper)
    confirm = dict(summary.buttons[0])["✅ Confirm"]
    assert confirm is not None
    mark = shopper.telegram.mark()
    shopper.telegram.press(shopper.user_id, summary.message_id, confirm)
    second = await shopper.press(summary.message_id, confirm)
    await shopper.telegram.wait_for_message(shopper.user_id, "Order placed", after=mark)
    assert "already" in str(second.get("text", ""))
    assert len(panel.orders) == 1
    assert panel.count("add") == 1


# --- leaving: /cancel and ✖️ Cancel at each step ------------------------------------------------


async def reach_for_cancel(shopper: Shopper, panel: FakePanel, step: str) -> BotMessage:
    if step == "categories":
        return await shopper.say("/order", CATEGORIES)
    if step == "services":
        await shopper.say("/order", CATEGORIES)
        return await shopper.tap("Instagram Comments", "<b>Instagram Comments</b>")
    if step == "search":
        await shopper.say("/order", CATEGORIES)
        return await shopper.say("mentions", "services match")
    if step == "summary":
        return await reach_summary(shopper)
    if step == "refused":
        await reach_summary(shopper)
        panel.set_balance(USER_KEY, "0")
        return await shopper.tap("Confirm", "refused")
    return await reach(shopper, step)


def stale_data(message: BotMessage) -> str:
    """A button of the flow other than Confirm and Cancel (Back, a category, a choice…)."""
    for row in message.buttons:
        for label, data in row:
            if data and "Confirm" not in label and "Cancel" not in label:
                return data
    raise AssertionError(f"no button to press on {message.buttons}")


@pytest.mark.parametrize(
    "step",
    ["categories", "services", "search", "link", "dripfeed", "delay", "summary", "refused"],
)
async def test_cancel_command_at_each_step_ends_the_flow(
    step: str, shopper: Shopper, panel: FakePanel, telegram: FakeTelegram
) -> None:
    live = await reach_for_cancel(shopper, panel, step)
    await shopper.say("/cancel", CANCELLED)
    left = next(m for m in telegram.messages(shopper.user_id) if m.message_id == live.message_id)
    assert left.buttons == []  # its buttons are gone
    toast = await shopper.press(live.message_id, stale_data(live))
    assert EXPIRED in str(toast.get("text", ""))
    # what was an answer is no longer taken as one: typed outside a flow, it is a search
    await shopper.say("1000", "Nothing matches “1000”")
    assert not panel.orders
    assert panel.count("add") == (1 if step == "refused" else 0)
    no_error_shown(telegram)


@pytest.mark.parametrize("step", ["categories", "link", "dripfeed", "summary"])
async def test_cancel_button_at_each_step_ends_the_flow(
    step: str, shopper: Shopper, panel: FakePanel, telegram: FakeTelegram
) -> None:
    live = await reach_for_cancel(shopper, panel, step)
    cancelled = await shopper.tap("✖️ Cancel", CANCELLED)
    assert cancelled.message_id == live.message_id
    assert cancelled.buttons == []
    toast = await shopper.press(live.message_id, stale_data(live))
    assert EXPIRED in str(toast.get("text", ""))
    await shopper.say("1000", "Nothing matches “1000”")  # a search, not an answer
    assert panel.count("add") == 0
    no_error_shown(telegram)


@pytest.mark.parametrize("how", ["command", "button"])
async def test_a_stale_confirm_after_cancel_is_expired_and_orders_nothing(
    how: str, shopper: Shopper, panel: FakePanel
) -> None:
    summary = await reach_summary(shopper)
    confirm = dict(summary.buttons[0])["✅ Confirm"]
    assert confirm is not None
    if how == "command":
        await shopper.say("/cancel", CANCELLED)
    else:
        await shopper.tap("✖️ Cancel", CANCELLED)
    toast = await shopper.press(summary.message_id, confirm)
    await shopper.say("hello", "Nothing matches “hello”")  # the tap has been handled by now
    assert not panel.orders
    assert panel.count("add") == 0
    assert EXPIRED in str(toast.get("text", ""))


# --- the process keeps serving -----------------------------------------------------------------


async def test_after_all_that_another_user_can_still_order(
    shopper: Shopper, panel: FakePanel, telegram: FakeTelegram
) -> None:
    question = await reach(shopper, "quantity")
    await shopper.say("9" * 5000)  # whatever the bot makes of it, it must keep going
    await shopper.photo("⚠️")
    await shopper.press(question.message_id, "zz:1")
    await shopper.say(LONG, "⚠️")
    await shopper.say("/balance", STILL_OPEN)
    await shopper.say("1000", DRIPFEED_Q)
    panel.fault, panel.fault_actions = "html502", {"add"}
    summary = await shopper.tap_exact("All at once", SUMMARY)
    mark = telegram.mark()
    telegram.press_button(shopper.user_id, "Confirm")
    await settled(shopper, summary.message_id, mark)
    panel.fault, panel.fault_actions = None, None

    other = Shopper(telegram, OTHER_USER)
    await other.connect(OTHER_KEY)
    await other.open_service(5, LINK_Q)
    await other.say("https://t.me/other/7", QUANTITY_Q)
    await other.say("1000", "<b>answer number</b>")
    summary = await other.say("1", SUMMARY)
    assert "💰 Balance: 50.00 USD" in summary.text
    placed = await other.tap("Confirm", "Order placed")
    order = next(o for o in panel.orders.values() if o.key == OTHER_KEY)
    assert order.id in placed.text
    assert order.fields == {
        "service": "5",
        "link": "https://t.me/other/7",
        "quantity": "1000",
        "answer_number": "1",
    }
    assert panel.balance_of(OTHER_KEY) == Decimal("48.90")
    assert panel.balance_of(USER_KEY) == Decimal("100")


async def test_drip_feed_checks_the_total_not_each_run(shopper: Shopper, panel: FakePanel) -> None:
    await shopper.open_service(1, LINK_Q)
    await shopper.say(IG, QUANTITY_Q)
    question = await shopper.say("5", DRIPFEED_Q)  # 5 a run is fine: min 10 is for the total
    refused = await shopper.tap("All at once", "In total that's 5")
    assert refused.text.endswith(question.text)
    await shopper.tap("Spread it", RUNS_Q)
    await shopper.say("3", INTERVAL_Q)  # 5 × 3 = 15 ≥ 10
    summary = await shopper.say("30", SUMMARY)
    assert "Total: 15" in summary.text
    await shopper.tap("Confirm", "Order placed")
    _, fields = only_order(panel)
    assert (fields["quantity"], fields["runs"], fields["interval"]) == ("5", "3", "30")
