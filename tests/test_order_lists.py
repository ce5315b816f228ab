"""Long lists (comments, usernames): sent in several messages — as Telegram splits a long paste —
or as a .txt file, collected until Done or a short pause, counted whole on the summary, refused
with a clear message when they do not fit. Over real HTTP against the stand-ins."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from tests.conftest import USER
from tests.customer import Customer
from tests.fakes.panel import SERVICE_IDS, FakePanel
from tests.fakes.telegram import BotMessage, FakeTelegram

COMMENTS = SERVICE_IDS["Custom Comments"]  # 5 – 1,000 comments, 8.00 per 1000
MENTIONS = SERVICE_IDS["Mentions Custom List"]  # 5 – 1,000 usernames, 6.00 per 1000
IG = "https://instagram.com/p/C0ffee"
COMMENTS_Q = "Send the <b>comments</b>"
USERNAMES_Q = "Send the <b>usernames</b>"
SUMMARY = "Check your order"
SO_FAR = "so far"
TELEGRAM_LIMIT = 4096  # Telegram splits a longer paste into messages of at most this


def comments(count: int, start: int = 1) -> list[str]:
    return [f"Comment number {n} — lovely photo, keep going!" for n in range(start, start + count)]


def split_like_telegram(lines: list[str]) -> list[str]:
    """A long paste as Telegram delivers it: messages of at most 4096 characters."""
    parts: list[str] = []
    current = ""
    for line in lines:
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > TELEGRAM_LIMIT:
            parts.append(current)
            candidate = line
        current = candidate
    return [*parts, current]


@pytest.fixture
async def customer(app: object, telegram: FakeTelegram) -> Customer:
    customer = Customer(telegram)
    await customer.connect()
    return customer


async def at_comments(customer: Customer) -> BotMessage:
    await customer.open_service(COMMENTS, "Send the <b>link</b>")
    return await customer.say(IG, COMMENTS_Q)


def paste(telegram: FakeTelegram, parts: list[str]) -> None:
    """The parts of one paste, arriving back to back (as Telegram sends them)."""
    for part in parts:
        telegram.send_text(USER, part)


async def send_file(
    customer: Customer, name: str, content: bytes, expect: str, mime: str | None = "text/plain"
) -> BotMessage:
    mark = customer.telegram.mark()
    customer.telegram.send_document(USER, name, content, mime)
    return await customer.telegram.wait_for_message(USER, expect, after=mark)


def acknowledgements(telegram: FakeTelegram) -> list[BotMessage]:
    return [m for m in telegram.messages(USER) if m.text.startswith("📥")]


def panel_list(panel: FakePanel, name: str) -> list[str]:
    assert len(panel.orders) == 1, panel.orders
    return next(iter(panel.orders.values())).fields[name].split("\n")


async def test_the_prompt_states_the_limits_and_offers_done(customer: Customer) -> None:
    question = await at_comments(customer)
    assert "(5 – 1,000 lines)" in question.text
    assert "several messages, or as a .txt file, then tap Done" in question.text
    assert customer.labels(question) == ["✅ Done", "⬅️ Back", "✖️ Cancel"]
    toast = await customer.press(question, dict(question.buttons[0])["✅ Done"] or "")
    assert "Send the list first" in str(toast.get("text"))


async def test_a_long_paste_in_several_messages_is_collected_until_done(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    question = await at_comments(customer)
    sent = comments(500)
    parts = split_like_telegram(sent)
    assert len(parts) >= 5  # 500 comments do not fit one message
    mark = telegram.mark()
    paste(telegram, parts)
    ack = await telegram.wait_for_message(USER, "lines so far", after=mark)
    # One acknowledgement, edited in place (at most once a second, not per part); the live
    # buttons moved onto it from the question.
    assert customer.labels(ack) == ["✅ Done", "⬅️ Back", "✖️ Cancel"]
    shown = {m.message_id: m for m in telegram.messages(USER)}
    assert customer.labels(shown[question.message_id]) == []
    assert question.message_id < ack.message_id
    summary = await customer.tap("Done", SUMMARY)
    assert "💬 Comments: 500 lines" in summary.text
    assert "… and 495 more" in summary.text
    assert "📦 Quantity: 500" in summary.text
    assert "💵 Price: <b>4.00 USD</b>" in summary.text  # 500 × 8.00 / 1000
    assert customer.last().message_id == summary.message_id  # below the pasted parts
    assert len(acknowledgements(telegram)) == 1
    assert acknowledgements(telegram)[0].text == "📥 Got 500 lines."  # every part counted
    assert acknowledgements(telegram)[0].buttons == []
    assert not panel.orders
    await customer.tap("Confirm", "Order placed")
    assert panel_list(panel, "comments") == sent
    assert panel.count("add") == 1


async def test_without_done_the_list_is_complete_after_a_short_pause(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    await at_comments(customer)
    mark = telegram.mark()
    telegram.send_text(USER, "\n".join(comments(3)))
    await telegram.wait_for_message(USER, "Got 3 lines so far", after=mark)
    telegram.send_text(USER, "\n".join(comments(4, start=4)))
    await telegram.wait_for_message(USER, "Got 7 lines so far", after=mark)
    started = time.monotonic()
    summary = await telegram.wait_for_message(USER, SUMMARY, after=mark, timeout=10)
    waited = time.monotonic() - started
    assert 1 < waited < 6, waited  # the pause (LIST_PAUSE_SECONDS), not at once
    assert "💬 Comments: 7 lines" in summary.text
    assert "📦 Quantity: 7" in summary.text
    assert len(acknowledgements(telegram)) == 1
    await customer.tap("Confirm", "Order placed")
    assert panel_list(panel, "comments") == comments(7)


async def test_the_summary_after_the_pause_works_as_after_done(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    await at_comments(customer)
    mark = telegram.mark()
    telegram.send_text(USER, "\n".join(comments(5)))
    await telegram.wait_for_message(USER, SUMMARY, after=mark)
    again = await customer.say("hello?", "Please confirm, change or cancel")
    assert "💬 Comments: 5 lines" in again.text
    await customer.tap("Change", "What would you like to change?")
    await customer.tap("Comments", COMMENTS_Q)
    await customer.say("\n".join(comments(6)), "Got 6 lines so far")
    summary = await customer.tap("Done", SUMMARY)
    assert "📦 Quantity: 6" in summary.text
    await customer.tap("Confirm", "Order placed")
    assert panel_list(panel, "comments") == comments(6)
    assert panel.count("add") == 1


@pytest.mark.parametrize(
    ("encoding", "content", "note"),
    [
        (
            "utf-8",
            "\ufeff" + "\r\n".join(["Класс!", "Супер фото", "Wow 😍", "Отлично", "Ура"]),
            "",
        ),
        ("utf-16", "\r\n".join(["Класс!", "Супер фото", "Wow 😍", "Отлично", "Ура"]), ""),
        ("cp1251", "\n".join(["Класс!", "Супер фото", "Wow", "Отлично", "Ура"]), "Windows-1251"),
    ],
    ids=["utf-8-bom", "utf-16", "cp1251"],
)
async def test_a_txt_file_is_read_in_its_encoding(
    encoding: str,
    content: str,
    note: str,
    customer: Customer,
    telegram: FakeTelegram,
    panel: FakePanel,
) -> None:
    await at_comments(customer)
    ack = await send_file(customer, "comments.txt", content.encode(encoding), "Got 5 lines")
    if note:
        assert f"comments.txt is not in UTF-8: I read it as {note}" in ack.text
    else:
        assert "UTF-8" not in ack.text
    summary = await customer.tap("Done", SUMMARY)
    assert "Класс!" in summary.text
    assert "📦 Quantity: 5" in summary.text
    await customer.tap("Confirm", "Order placed")
    assert panel_list(panel, "comments") == content.lstrip("\ufeff").splitlines()
    assert [name for name, _ in telegram.calls if name in {"getFile", "download"}] == [
        "getFile",
        "download",
    ]


async def test_a_file_and_messages_make_one_list(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    await at_comments(customer)
    await send_file(customer, "first.txt", "\n".join(comments(3)).encode(), "Got 3 lines")
    await customer.say("\n".join(comments(2, start=4)), "Got 5 lines so far")
    summary = await customer.tap("Done", SUMMARY)
    assert "📦 Quantity: 5" in summary.text
    await customer.tap("Confirm", "Order placed")
    assert panel_list(panel, "comments") == comments(5)


@pytest.mark.parametrize(
    ("name", "content", "mime", "problem"),
    [
        ("empty.txt", b"", "text/plain", "⚠️ That file is empty."),
        ("blank.txt", b"\r\n  \n\t\n", "text/plain", "⚠️ That file is empty."),
        ("list.pdf", b"%PDF-1.4 ...", "application/pdf", "doesn't look like a text file"),
        ("binary.txt", b"\x00\x01\x02\x03" * 10, "text/plain", "doesn't look like a text file"),
        ("huge.txt", b"a line\n" * 160_000, "text/plain", "too big (at most 1 MB)"),
    ],
    ids=["empty", "blank", "pdf", "binary", "over-1-mb"],
)
async def test_a_file_that_is_no_list_gets_a_clear_message_and_the_question_again(
    name: str,
    content: bytes,
    mime: str,
    problem: str,
    customer: Customer,
    telegram: FakeTelegram,
    panel: FakePanel,
) -> None:
    question = await at_comments(customer)
    answer = await send_file(customer, name, content, problem, mime)
    assert answer.text.endswith(question.text.split("\n\n", 1)[1])  # the question again
    assert customer.labels(answer) == ["✅ Done", "⬅️ Back", "✖️ Cancel"]
    if name == "huge.txt":  # refused by its size, never downloaded
        assert "download" not in [call for call, _ in telegram.calls]
    await customer.say("\n".join(comments(5)), "Got 5 lines so far")
    await customer.tap("Done", SUMMARY)
    assert not panel.orders


async def test_a_photo_instead_of_the_list_is_answered_and_the_list_so_far_kept(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    await at_comments(customer)
    first = await customer.send_photo("⚠️ Please send the list as text, or as a .txt file.")
    assert COMMENTS_Q in first.text  # nothing sent yet: the question again
    await customer.say("\n".join(comments(3)), "Got 3 lines so far")
    second = await customer.send_photo("⚠️ Please send the list as text, or as a .txt file.")
    assert "Got 3 lines so far" in second.text  # the list so far is kept
    assert customer.labels(second) == ["✅ Done", "⬅️ Back", "✖️ Cancel"]
    await customer.say("\n".join(comments(2, start=4)), "Got 5 lines so far")
    summary = await customer.tap("Done", SUMMARY)
    assert "📦 Quantity: 5" in summary.text
    assert not panel.orders


async def test_more_lines_than_the_service_takes_are_refused_and_nothing_placed(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    await at_comments(customer)
    mark = telegram.mark()
    paste(telegram, split_like_telegram(comments(1001)))
    await telegram.wait_for_message(USER, "lines so far", after=mark)
    refused = await customer.tap("Done", "⚠️")
    assert "⚠️ You sent 1,001 lines; this service takes 5 – 1,000." in refused.text
    assert COMMENTS_Q in refused.text  # asked again, the list dropped
    await customer.say("\n".join(comments(4)), "Got 4 lines so far")
    short = await customer.tap("Done", "⚠️")
    assert "⚠️ You sent 4 lines; this service takes 5 – 1,000." in short.text
    ack = await customer.say("\n".join("x" * 1001), "Got 1,001 lines so far")  # one message
    assert "⚠️ That's more than this service takes (at most 1,000 lines)." in ack.text
    assert panel.count("add") == 0
    assert not panel.orders


async def test_a_line_over_the_limit_is_refused(customer: Customer, panel: FakePanel) -> None:
    await at_comments(customer)
    await customer.say("\n".join([*comments(5), "x" * 501]), "Got 6 lines so far")
    refused = await customer.tap("Done", "⚠️")
    assert "⚠️ A line is too long (at most 500 characters)." in refused.text
    assert not panel.orders


async def test_usernames_separated_by_commas_and_spaces_count_one_each(
    customer: Customer, panel: FakePanel
) -> None:
    await customer.open_service(MENTIONS, "Send the <b>link</b>")
    await customer.say(IG, USERNAMES_Q)
    await customer.say("@alice, @bob, carol", "Got 3 lines so far")
    await customer.say("dave eve", "Got 5 lines so far")
    summary = await customer.tap("Done", SUMMARY)
    assert "👥 Usernames: 5 lines" in summary.text
    assert "📦 Quantity: 5" in summary.text
    assert f"💵 Price: <b>{Decimal('0.03')} USD</b>" in summary.text  # 5 × 6.00 / 1000
    await customer.tap("Confirm", "Order placed")
    assert panel_list(panel, "usernames") == ["alice", "bob", "carol", "dave", "eve"]


async def test_back_and_cancel_drop_the_list_so_far(
    customer: Customer, telegram: FakeTelegram, panel: FakePanel
) -> None:
    await at_comments(customer)
    await customer.say("\n".join(comments(3)), "Got 3 lines so far")
    await customer.tap("Back", "Send the <b>link</b>")
    await customer.say(IG, COMMENTS_Q)
    await customer.say("\n".join(comments(2)), "Got 2 lines so far")  # a new list
    await customer.tap("Cancel", "Okay, cancelled.")
    mark = telegram.mark()
    # The pause after the last part finds the order closed: nothing more is said.
    with pytest.raises(AssertionError, match="timed out"):
        await telegram.wait_for(
            lambda: [m for m in telegram.messages(USER) if m.changed_at > mark], timeout=3
        )
    assert not panel.orders
