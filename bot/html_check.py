"""Operators' texts (welcome, help addition, maintenance message, broadcasts), one rule for
all: what the operator sent (`operator_html`), how long Telegram counts it (`visible_length`),
and whether Telegram would take it (`telegram_html_problem`): a broken one is refused before it
is saved or sent, not discovered by every customer."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from telegram import Message, MessageEntity

# Telegram's tags (https://core.telegram.org/bots/api#html-style).
ALLOWED_TAGS = frozenset(
    {
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
        "a", "code", "pre", "blockquote", "tg-emoji",
    }
)  # fmt: skip
# Tags Telegram refuses without an attribute: (attribute, how its value starts).
_REQUIRED_ATTRIBUTE = {
    "a": ("href", ""),
    "span": ("class", "tg-spoiler"),
    "tg-emoji": ("emoji-id", ""),
}
# Telegram knows these named entities only; others ("&nbsp;") are refused.
_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")
_AMPERSAND = re.compile(r"&")
_TAG = re.compile(r"<[^<>]*>")
# Formatting the operator applied in the Telegram app (kept as HTML). Links and mentions
# Telegram found by itself are not: a text with only those is taken as typed, so HTML written
# by hand (with a link in it) still works.
APP_FORMATTING = frozenset(
    {
        MessageEntity.BOLD,
        MessageEntity.ITALIC,
        MessageEntity.UNDERLINE,
        MessageEntity.STRIKETHROUGH,
        MessageEntity.SPOILER,
        MessageEntity.CODE,
        MessageEntity.PRE,
        MessageEntity.TEXT_LINK,
        MessageEntity.BLOCKQUOTE,
        MessageEntity.EXPANDABLE_BLOCKQUOTE,
        MessageEntity.CUSTOM_EMOJI,
    }
)


def operator_html(message: Message) -> str:
    """An operator's text (or a photo's caption) as Telegram HTML: with formatting applied in
    the Telegram app, that formatting as HTML (the text escaped); else the text as typed
    (Telegram HTML written by hand). "" when the message has neither."""
    if message.text is not None:
        if any(entity.type in APP_FORMATTING for entity in message.entities):
            return message.text_html
        return message.text
    if message.caption is not None:
        if any(entity.type in APP_FORMATTING for entity in message.caption_entities):
            return message.caption_html
        return message.caption
    return ""


def visible_text(text: str) -> str:
    """What a reader sees of Telegram HTML: tags removed, entities as their characters."""
    return html.unescape(_TAG.sub("", text))


def visible_length(text: str) -> int:
    """The length Telegram counts against its limits (4096 a message, 1024 a caption): the
    text after the markup is parsed, in UTF-16 code units (an emoji is often 2)."""
    return len(visible_text(text).encode("utf-16-le")) // 2


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []
        self.problem: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problem = self.problem or f"unsupported tag <{tag}>"
            return
        attributes = dict(attrs)
        required = _REQUIRED_ATTRIBUTE.get(tag)
        value = attributes.get(required[0]) if required is not None else None
        if required is not None and not (value and value.startswith(required[1])):
            self.problem = self.problem or f'<{tag}> without {required[0]}="{required[1]}…"'
        self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.problem = self.problem or f"unsupported tag <{tag}/>"

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.problem = self.problem or f"unexpected </{tag}>"
            return
        self.open.pop()


def telegram_html_problem(text: str) -> str | None:
    """None when Telegram would accept `text` in HTML parse mode; else a short English reason,
    plain text (escape it to show it), quoted to operators like the panel's own words."""
    for match in _AMPERSAND.finditer(text):
        if not _ENTITY.match(text, match.start()):
            return "a bare & (write &amp;)"
    checker = _Checker()
    try:
        checker.feed(text)
        checker.close()
    except AssertionError:  # HTMLParser's own failure on malformed markup
        return "malformed markup"
    if checker.problem is not None:
        return checker.problem
    if checker.open:
        return f"<{checker.open[-1]}> is not closed"
    if re.search(r"<(?![a-zA-Z/])", text):
        return "a bare < (write &lt;)"
    return None
