"""Operators' Telegram HTML is checked before it is saved or sent."""

from __future__ import annotations

import pytest

from bot.html_check import telegram_html_problem


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
