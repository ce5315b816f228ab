"""Operators' Telegram HTML is checked before it is saved or sent."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Message

from bot.html_check import operator_html, telegram_html_problem, visible_length


@pytest.mark.parametrize(
    "text",
    [
        "Welcome!",
        "<b>Bold</b> and <i>italic</i>",
        "<b><i>nested</i></b>",
        '<a href="https://example.com">a link</a>',
        "<tg-spoiler>hidden</tg-spoiler> &lt;3 &amp; &#128512;",
        "<pre><code>x</code></pre>",
        '<span class="tg-spoiler">hidden</span>',
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
    ],
)
def test_valid_telegram_html_passes(text: str) -> None:
    assert telegram_html_problem(text) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("<b>never closed", "<b> is not closed"),
        ("<b>crossed</i>", "unexpected </i>"),
        ("<div>block</div>", "unsupported tag <div>"),
        ("line<br/>break", "unsupported tag <br/>"),
        ("<a>no target</a>", "without href"),
        ("<span>plain span</span>", 'without class="tg-spoiler'),
        ('<span class="x">other class</span>', 'without class="tg-spoiler'),
        ("<tg-emoji>👍</tg-emoji>", "without emoji-id"),
        ("salt & pepper", "a bare &"),
        ("&nbsp;", "a bare &"),
        ("1 < 2", "a bare <"),
    ],
)
def test_broken_html_is_named(text: str, reason: str) -> None:
    problem = telegram_html_problem(text)
    assert problem is not None
    assert reason in problem


def _message(**fields: Any) -> Message:
    return Message.de_json(
        {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}, **fields}, None
    )


def test_formatting_applied_in_the_app_is_kept_as_html() -> None:
    bold = [{"type": "bold", "offset": 0, "length": 4}]
    assert operator_html(_message(text="Sale & more", entities=bold)) == "<b>Sale</b> &amp; more"
    photo = [{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}]
    caption = _message(photo=photo, caption="New <3", caption_entities=bold)
    assert operator_html(caption) == "<b>New </b>&lt;3"


def test_a_text_without_app_formatting_is_taken_as_typed() -> None:
    url = [{"type": "url", "offset": 10, "length": 17}]
    typed = _message(text="<b>Hi</b> https://x.example", entities=url)
    assert operator_html(typed) == "<b>Hi</b> https://x.example"
    photo = [{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}]
    assert operator_html(_message(photo=photo, caption="<i>a</i>")) == "<i>a</i>"
    assert operator_html(_message(photo=photo)) == ""


def test_the_length_is_what_telegram_counts() -> None:
    assert visible_length('<b>ab</b> <a href="https://example.com/long">c</a>') == 4
    assert visible_length("&amp;&lt;&#128512;") == 4  # &, <, and an emoji of two units
    assert visible_length("😀é") == 3
