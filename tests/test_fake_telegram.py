"""The Telegram stand-in works with a real python-telegram-bot ``Bot`` over HTTP."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from telegram import Bot, BotCommand, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter
from telegram.request import HTTPXRequest

from tests.fakes.telegram import DEFAULT_TOKEN, FakeTelegram

CHAT = 42
KEYBOARD = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("🛒 Order", callback_data="order")],
        [InlineKeyboardButton("Site", url="https://example.com")],
    ]
)


@pytest.fixture
def tg() -> Iterator[FakeTelegram]:
    with FakeTelegram(token=DEFAULT_TOKEN) as fake:
        yield fake


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(DEFAULT_TOKEN, base_url=f"{tg.base_url}/bot") as real_bot:
        yield real_bot


async def test_get_me_and_commands(tg: FakeTelegram, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.username, me.is_bot, me.id) == ("test_smm_bot", True, tg.bot_user["id"])

    assert await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("help", "Help")])
    assert tg.commands == [
        {"command": "start", "description": "Start"},
        {"command": "help", "description": "Help"},
    ]
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Start", "uppercase is invalid")])


async def test_wrong_token_is_unauthorized(tg: FakeTelegram) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{tg.base_url}/bot1:wrong/getMe")
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    request = HTTPXRequest()  # closed explicitly: Bot.shutdown() skips a never-initialized bot
    try:
        with pytest.raises(InvalidToken):
            await Bot("1:wrong", base_url=f"{tg.base_url}/bot", request=request).get_me()
    finally:
        await request.shutdown()


async def test_send_edit_delete(tg: FakeTelegram, bot: Bot) -> None:
    sent = await bot.send_message(CHAT, "<b>Menu</b>", parse_mode="HTML", reply_markup=KEYBOARD)
    assert sent.reply_markup == KEYBOARD
    assert sent.from_user is not None
    assert sent.from_user.username == "test_smm_bot"
    assert tg.calls_of("sendMessage")[0]["reply_markup"] == KEYBOARD.to_dict()  # parsed JSON
    msg = tg.last_message(CHAT)
    assert msg is not None
    assert (msg.message_id, msg.text, msg.plain, msg.parse_mode) == (
        sent.message_id,
        "<b>Menu</b>",
        "Menu",
        "HTML",
    )
    assert msg.buttons == [[("🛒 Order", "order")], [("Site", "https://example.com")]]

    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("<b>Menu</b>", CHAT, sent.message_id, reply_markup=KEYBOARD)
    edited = await bot.edit_message_text("Done", CHAT, sent.message_id)
    assert not isinstance(edited, bool)
    assert edited.text == "Done"
    msg = tg.last_message(CHAT)
    assert msg is not None
    assert (msg.text, msg.edited, msg.buttons) == ("Done", 1, [])  # no markup = keyboard removed
    await bot.edit_message_reply_markup(CHAT, sent.message_id, reply_markup=KEYBOARD)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", CHAT, 999)
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(CHAT, "price < 5", parse_mode=ParseMode.HTML)

    assert await bot.delete_message(CHAT, sent.message_id)
    assert (CHAT, sent.message_id) in tg.deleted
    assert tg.messages(CHAT) == []
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(CHAT, sent.message_id)
    assert "<b>Menu</b>\nDone" in tg.all_text()


async def test_flood_and_block(
    tg: FakeTelegram, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # else PTB warns when building RetryAfter
    tg.flood(CHAT, retry_after=3)
    with pytest.raises(RetryAfter) as flood:
        await bot.send_message(CHAT, "hi")
    assert flood.value.retry_after == dtm.timedelta(seconds=3)
    assert tg.messages(CHAT) == []
    await bot.send_message(CHAT, "hi")  # the flood was for one call only
    assert [m.text for m in tg.messages(CHAT)] == ["hi"]

    tg.block(CHAT)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(CHAT, "still there?")
    tg.unblock(CHAT)
    tg.fail_method("sendChatAction", description="Bad Request: chat not found")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_chat_action(CHAT, "typing")
    assert await bot.send_chat_action(CHAT, "typing")
    assert [e[:2] for e in tg.errors] == [
        ("sendMessage", 429),
        ("sendMessage", 403),
        ("sendChatAction", 400),
    ]


async def test_updates_and_callbacks(tg: FakeTelegram, bot: Bot) -> None:
    user_msg = tg.send_text(CHAT, "/start@test_smm_bot ref1")
    [update] = await bot.get_updates(timeout=0)
    assert update.message is not None
    assert update.message.message_id == user_msg
    assert update.message.text == "/start@test_smm_bot ref1"
    assert update.message.from_user is not None
    assert update.message.from_user.first_name == f"User{CHAT}"
    assert [(e.type, e.offset, e.length) for e in update.message.entities] == [
        ("bot_command", 0, 19)
    ]

    sent = await bot.send_message(CHAT, "Menu", reply_markup=KEYBOARD)
    assert sent.message_id == user_msg + 1  # one message_id counter per chat
    query_id = tg.press_button(CHAT, "Order")
    with pytest.raises(AssertionError, match="Order"):
        tg.press_button(CHAT, "Nope")
    [update] = await bot.get_updates(offset=update.update_id + 1, timeout=0)
    query = update.callback_query
    assert query is not None
    assert (query.id, query.data) == (query_id, "order")
    assert query.message is not None
    assert query.message.text == "Menu"  # type: ignore[union-attr]
    assert await bot.answer_callback_query(query.id, text="Ordered!")
    assert tg.callback_answers[query_id]["text"] == "Ordered!"
    assert "Ordered!" in tg.all_text()

    # A long poll returns as soon as an update is queued.
    poll = asyncio.create_task(bot.get_updates(offset=update.update_id + 1, timeout=5))
    await asyncio.sleep(0.1)
    started = time.monotonic()
    tg.send_sticker(CHAT)
    [update] = await poll
    assert time.monotonic() - started < 1
    assert update.message is not None
    assert update.message.sticker is not None


async def test_stop_wakes_a_long_poll(tg: FakeTelegram, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.1)
    started = time.monotonic()
    await asyncio.to_thread(tg.stop)
    assert await poll == ()
    assert time.monotonic() - started < 1.5


async def test_wait_for_message(tg: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(CHAT, "old")
    mark = tg.mark()

    async def reply_later() -> None:
        await asyncio.sleep(0.05)
        await bot.send_message(CHAT, "Welcome!")

    task = asyncio.create_task(reply_later())
    msg = await tg.wait_for_message(CHAT, "Welcome", after=mark, timeout=2)
    await task
    assert msg.text == "Welcome!"
    assert (await tg.wait_for_message(CHAT, after=0)).text == "Welcome!"
    with pytest.raises(AssertionError, match="old"):  # the dump shows what the bot did
        await tg.wait_for_message(CHAT, "never", timeout=0.05)
    assert await asyncio.to_thread(tg.wait_for_sync, lambda: tg.last_message(CHAT), 1)


async def test_json_and_multipart_bodies(tg: FakeTelegram) -> None:
    url = f"{tg.base_url}/bot{DEFAULT_TOKEN}"
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    async with httpx.AsyncClient() as client:
        as_json = await client.post(
            f"{url}/sendMessage", json={"chat_id": 7, "text": "123", "reply_markup": markup}
        )
        multipart = await client.post(
            f"{url}/sendMessage",
            data={"chat_id": "7", "text": "x", "reply_markup": json.dumps(markup)},
            files={"document": ("a.txt", b"hello")},
        )
        unknown = await client.get(f"{url}/sendPigeon")
    assert as_json.json()["result"]["text"] == "123"
    assert multipart.json()["result"]["reply_markup"] == markup
    assert tg.calls_of("sendMessage")[1]["document"] == b"hello"
    assert unknown.status_code == 404
    assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_enforced_limits_refuse_sends_over_the_rates(
    tg: FakeTelegram, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    tg.enforce_limits(overall_per_second=3, per_chat_per_second=1)
    first = await bot.send_message(1, "one")
    with pytest.raises(RetryAfter) as too_soon:  # a second message to the same chat at once
        await bot.send_message(1, "two")
    assert too_soon.value.retry_after == dtm.timedelta(seconds=1)
    await bot.send_message(2, "to another chat")
    await bot.send_message(3, "and another")
    with pytest.raises(RetryAfter):  # the fourth in one second overall
        await bot.send_message(4, "four")
    # Edits, chat actions and reads are not sends.
    await bot.edit_message_text("one, edited", 1, first.message_id)
    assert await bot.send_chat_action(1, "typing")
    assert [m.text for m in tg.messages(1)] == ["one, edited"]
    assert tg.messages(4) == []
    assert [(v.chat_id, v.limit, v.retry_after) for v in tg.limit_violations] == [
        (1, "chat", 1),
        (4, "overall", 1),
    ]
    assert [e[:2] for e in tg.errors] == [("sendMessage", 429)] * 2

    await asyncio.sleep(1.0)  # both windows have passed
    await bot.send_message(1, "two")
    await bot.send_message(4, "four")
    assert [m.text for m in tg.messages(1)] == ["one, edited", "two"]
    tg.relax_limits()
    for text in ("a", "b", "c", "d"):
        await bot.send_message(5, text)
    assert len(tg.messages(5)) == 4
    assert len(tg.limit_violations) == 2


def test_limits_are_opt_in_and_answer_like_telegram() -> None:
    def twice(fake: FakeTelegram) -> list[httpx.Response]:
        url = f"{fake.base_url}/bot{DEFAULT_TOKEN}/sendMessage"
        return [httpx.post(url, data={"chat_id": "9", "text": "x"}) for _ in range(2)]

    with FakeTelegram() as free:
        assert [a.status_code for a in twice(free)] == [200, 200]
        assert free.limit_violations == []
    with FakeTelegram(enforce_limits=True) as limited:
        answers = twice(limited)
        assert answers[0].status_code == 200
        assert answers[1].json() == {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 1",
            "parameters": {"retry_after": 1},
        }
        assert len(limited.messages(9)) == 1
