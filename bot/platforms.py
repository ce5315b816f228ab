"""Which platform a panel category is for (Instagram, TikTok, …), read from its name.

Panels name categories freely ("🔥 IG Followers [Real]", "Tik Tok Views", "YouTube - Likes"), so
the platform is found by keywords: whole words (or the start of a word followed by a digit or a
sign, never inside another word: "fb" in "fb likes", never in "fbi"), the keyword found
earliest in the name winning ("Facebook Instagram Combo" is Facebook). Categories naming no
known platform are "Other".

The table is data: a platform is added with one line. Names are brand names (not translated).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Platform:
    code: str
    name: str  # as shown on its button (a brand: not translated)
    emoji: str
    keywords: tuple[str, ...] = ()


PLATFORMS: tuple[Platform, ...] = (
    Platform("instagram", "Instagram", "📸", ("instagram", "insta", "ig", "igtv", "reels")),
    Platform("tiktok", "TikTok", "🎵", ("tiktok", "tik tok", "tik-tok", "tt")),
    Platform("youtube", "YouTube", "📺", ("youtube", "you tube", "yt", "shorts")),
    Platform("telegram", "Telegram", "✈️", ("telegram", "tg")),
    Platform("facebook", "Facebook", "📘", ("facebook", "fb")),
    Platform("twitter", "Twitter/X", "🐦", ("twitter", "tweet", "tweets", "retweets", "x")),
    Platform("threads", "Threads", "🧵", ("threads",)),
    Platform("spotify", "Spotify", "🎧", ("spotify",)),
    Platform("soundcloud", "SoundCloud", "☁️", ("soundcloud", "sound cloud")),
    Platform("twitch", "Twitch", "🎮", ("twitch",)),
    Platform("kick", "Kick", "🟩", ("kick",)),
    Platform("discord", "Discord", "💬", ("discord",)),
    Platform("linkedin", "LinkedIn", "💼", ("linkedin", "linked in")),
    Platform("snapchat", "Snapchat", "👻", ("snapchat", "snap")),
    Platform("pinterest", "Pinterest", "📌", ("pinterest",)),
    Platform("reddit", "Reddit", "👽", ("reddit",)),
    Platform("vk", "VK", "🔵", ("vk", "vkontakte")),
    Platform("whatsapp", "WhatsApp", "📞", ("whatsapp",)),
    Platform("website", "Website traffic", "🌐", ("website", "web traffic", "traffic", "seo")),
)
OTHER = Platform("other", "Other", "📦")

_BY_CODE = {platform.code: platform for platform in (*PLATFORMS, OTHER)}


def _keyword_pattern(keyword: str) -> str:
    # Spaces and hyphens inside a keyword match any run of them ("tik  tok", "tik-tok").
    words = [re.escape(part) for part in re.split(r"[\s\-]+", keyword)]
    return r"[\s\-]*".join(words)


_SHORT = r"(?!\w)"  # a one-letter keyword ("x") is a whole word only: never "x10"


@cache
def _matcher() -> re.Pattern[str]:
    alternatives = [
        f"(?P<{platform.code}_{n}>{_keyword_pattern(keyword)}{_SHORT if len(keyword) < 2 else ''})"
        for platform in PLATFORMS
        for n, keyword in enumerate(sorted(platform.keywords, key=len, reverse=True))
    ]
    # Not inside a word: no letter or digit right before ("10x"), no letter right after (a
    # digit may follow: "IG1", "yt2").
    return re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?![^\W\d_])", re.IGNORECASE)


def _match(category: str) -> tuple[Platform, re.Match[str]] | None:
    found = _matcher().search(category)
    if found is None or found.lastgroup is None:
        return None
    return _BY_CODE[found.lastgroup.rpartition("_")[0]], found


def detect(category: str) -> Platform:
    """The platform a category is for (OTHER when its name names none)."""
    matched = _match(category)
    return OTHER if matched is None else matched[0]


def by_code(code: str) -> Platform:
    return _BY_CODE.get(code, OTHER)


_EDGES = " \t-–—|:/•·,."
_PAIRS = {"[": "]", "(": ")", "【": "】"}


def without_platform(category: str) -> str:
    """The category's name without its platform's word, for a list that already names the
    platform ("Instagram Followers [Real]" → "Followers [Real]"); the whole name when nothing
    else would be left."""
    matched = _match(category)
    if matched is None:
        return category
    found = matched[1]
    before = category[: found.start()].rstrip(_EDGES)
    after = category[found.end() :].lstrip(_EDGES)
    if before[-1:] in _PAIRS and after[:1] == _PAIRS[before[-1]]:  # "[Instagram] Followers"
        before, after = before[:-1].rstrip(_EDGES), after[1:].lstrip(_EDGES)
    rest = f"{before} {after}".strip()
    if not any(ch.isalnum() for ch in rest):
        return category
    return rest
