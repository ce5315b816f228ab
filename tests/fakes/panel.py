"""A stateful stand-in SMM panel speaking PerfectPanel "API v2" over real HTTP.

The fake follows /work/shared/panel-api-notes.md (sections 2-4 for shapes and exact error texts,
section 7 for what it simulates) and the smmsend seed document. It is a real HTTP/1.1 server on
``127.0.0.1`` (random free port) running in a daemon thread, built on the standard library only.

Typical use::

    with FakePanel() as panel:
        panel.add_key("k1", balance="50")
        httpx.post(panel.url, data={"key": "k1", "action": "balance"}).json()
        # {"balance": "50.00000", "currency": "USD"}

Behaviour in a nutshell (PerfectPanel style):

* one endpoint ``/api/v2``; form-encoded POST or a GET query (both are merged, the body wins);
  any other path answers an nginx-style 404 HTML page;
* every logical error is HTTP 200 ``{"error": "<exact PP text>"}``;
* numbers are JSON strings unless :attr:`FakePanel.numbers_as_numbers` is set;
* the panel never advances statuses by itself: tests drive the lifecycle with
  :meth:`FakePanel.set_order`, :meth:`FakePanel.complete`, :meth:`FakePanel.set_refill` and
  :meth:`FakePanel.set_cancel`;
* fault switches (:attr:`FakePanel.fault`, :attr:`FakePanel.delay`, ...) imitate the transport
  trouble real panels produce (HTML error pages, truncated JSON, PHP notices, timeouts);
  :attr:`FakePanel.key_delays` and :attr:`FakePanel.hung_keys` make one key's account slow or
  silent while the others answer at once.

Default catalogue (:func:`default_catalogue`), ids by exact PP type name (:data:`SERVICE_IDS`):

====  ==========================  =====================  ======  =====  =======  ===============
id    type                        category               rate    min    max      flags
====  ==========================  =====================  ======  =====  =======  ===============
1     Default                     Instagram Followers    0.90    10     10000    drip/refill/cncl
2     Custom Comments             Instagram Comments     8.00    5      1000     cancel
3     Subscriptions               Instagram Auto Likes   0.40    50     5000     cancel
4     Custom Comments Package     Instagram Comments     3.00    1      1        -
5     Poll                        Telegram               1.10    10     10000    -
6     SEO                         Website Traffic        2.00    100    100000   -
7     Mentions with Hashtags      Instagram Mentions     3.00    100    10000    -
8     Mentions Custom List        Instagram Mentions     6.00    5      1000     -
9     Mentions Hashtag            Instagram Mentions     2.50    100    10000    -
10    Mentions User Followers     Instagram Mentions     2.50    100    10000    -
11    Mentions Media Likers       Instagram Mentions     2.50    100    10000    -
12    Mentions                    Instagram Mentions     3.50    100    10000    -
13    Package                     Telegram               12.50   1      1        -
14    Comment Likes               Instagram Comments     1.50    20     20000    refill
15    Invites from Groups         Telegram               4.00    100    10000    -
16    Web Traffic                 Website Traffic        0.30    100    1000000  dripfeed
17    Comment Replies             Instagram Comments     9.00    5      1000     -
18    Weird New Type (unknown)    Other                  1.00    10     1000     -
101   Default (no flags at all)   Instagram Followers    0.50    50     5000     -
102+  Default fillers             Instagram Followers    varies  ...             varies
====  ==========================  =====================  ======  =====  =======  ===============

"Instagram Followers" holds 25 services (ids 1 and 101-124) so pagination can be tested.
Orders of the unknown type are validated like ``Default`` (``link`` + ``quantity``).

Dialects (``FakePanel(dialect=...)``, see :data:`DIALECTS`): ``seed`` is everything above.
``smartpanel`` and ``boostedsmm`` answer as the two self-hosted panel scripts of
/work/shared/real-panels.md do (raw answers copied to tests/data/real-panels-raw/): their
transport (``text/html``, ``"\n"`` + pretty JSON or ``"  "`` + compact JSON, SmartPanel at
``/api/v1`` only), error shapes and texts, value types, validation of ``add`` and the actions they
lack. Their default catalogue is the seed's with the same ids (BoostedSMM keeps only its five
types: Default, Package, Custom Comments, Custom Comments Package, Subscriptions), so one test
can run on all three; :func:`real_catalogue` gives the catalogues of the raw files instead.
Services are always stored PP-shaped (``type`` "Custom Comments", booleans) and rendered per
dialect. The fault switches, delays and hung keys work the same in every dialect;
``numbers_as_numbers``, ``multi_status_dialect`` and ``cancel_status_form`` shape the seed only.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import socketserver
import sys
import threading
import time
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

__all__ = [
    "API_PATH",
    "API_PATHS",
    "BOOSTED_ORDER_NOT_FOUND",
    "CANCEL_ERROR_EARLIER",
    "CANCEL_ERROR_NOT_ALLOWED",
    "CANCEL_ERROR_NOT_FOUND",
    "DELAYS",
    "DIALECTS",
    "ERR_BAD_LINK",
    "ERR_DRIPFEED",
    "ERR_DUPLICATE_LINK",
    "ERR_FUNDS",
    "ERR_INCORRECT_ORDER",
    "ERR_INCORRECT_REQUEST",
    "ERR_INVALID_KEY",
    "ERR_SERVICE",
    "FAULTS",
    "FINAL_STATUSES",
    "FOLLOWERS_CATEGORY",
    "MAX_IDS",
    "PLAIN_SERVICE_ID",
    "REFILL_ERROR_NOT_ELIGIBLE",
    "REFILL_ERROR_NOT_FOUND",
    "SERVICE_IDS",
    "SMARTPANEL_BAD_KEY",
    "SMARTPANEL_INVALID_ACTION",
    "UNKNOWN_TYPE",
    "Dialect",
    "FakeCancel",
    "FakeOrder",
    "FakePanel",
    "FakeRefill",
    "default_catalogue",
    "dialect_catalogue",
    "real_catalogue",
]

API_PATH = "/api/v2"
"""The seed's API path; :attr:`FakePanel.api_path` is the one of the panel's dialect."""

Dialect = Literal["seed", "smartpanel", "boostedsmm"]
DIALECTS: tuple[Dialect, ...] = ("seed", "smartpanel", "boostedsmm")
API_PATHS: dict[str, str] = {"seed": API_PATH, "smartpanel": "/api/v1", "boostedsmm": "/api/v2"}
MAX_IDS = 100
"""PP documents "up to 100 IDs" for multi calls; the fake answers ``Incorrect request`` above."""

# Exact PerfectPanel error texts (notes §3.2).
ERR_INVALID_KEY = "Invalid API key"
ERR_INCORRECT_REQUEST = "Incorrect request"
ERR_SERVICE = "Incorrect service ID"
ERR_BAD_LINK = "Bad link"
ERR_FUNDS = "Not enough funds on balance"
ERR_DUPLICATE_LINK = (
    "You have active order with this link. Please wait until order being completed."
)
ERR_DRIPFEED = "This service does not support drip-feed"
ERR_INCORRECT_ORDER = "Incorrect order ID"
REFILL_ERROR_NOT_ELIGIBLE = "Order not eligible for refill."
REFILL_ERROR_NOT_FOUND = "Refill not found"
CANCEL_ERROR_EARLIER = "Cancellation request was sent earlier"
CANCEL_ERROR_NOT_ALLOWED = "Order can not be canceled"
CANCEL_ERROR_NOT_FOUND = "Cancel not found"

# SmartPanel texts (real-panels.md, S05-S43; "src" ones from its api controller).
SMARTPANEL_BAD_KEY = "API is Disable for this user or User Not Found! Contact the Support"
SMARTPANEL_INVALID_ACTION = "This action is Invalid"
_SP_SERVICE = "Service ID does not exists"
_SP_MISSING_SERVICE = "There are missing required parameters. Please check your API Manual"
_SP_BAD_LINK = "Bad Link"
_SP_QUANTITY = "Quantity is required"
_SP_COMMENTS = "Comments field is required"
_SP_DRIPFEED = "This services does not support Dripfeed feature!"
_SP_INTERVAL_REQUIRED = "Interval time is required"
_SP_RUNS_REQUIRED = "Runs is required"
_SP_INTERVAL_ERROR = {"status": "error", "message": "Invalid Interval in minutes"}
_SP_INTERVALS = frozenset({0, 5, 10, 15, 30, 60, 90})
_SP_BELOW_MIN = "Quantity must to be greater than or equal to minimum amount {}"
_SP_ABOVE_MAX = "Quantity must to be less than or equal to maximum amount {}"
_SP_STATUS_WORDS = {"Pending", "In progress", "Active", "Processing", "Completed", "Partial",
                    "Canceled", "Refunded"}  # fmt: skip
"""Every other stored status is printed "Pending" (its ``order_title_status``)."""

# BoostedSMM texts and codes (B05-B31); the code is a JSON number or a string as it sends it.
BOOSTED_ORDER_NOT_FOUND = {"error": "Order not found.", "status": "104"}
_B_MISSING = ("Missing data", "101")
_B_BAD_KEY = ("API key invalid", "102")
_B_SERVICE = ("Service not found or inactive", "105")
_B_REQUIRED = ("You must fill in the required fields.", 107)
_B_BELOW_MIN = ("Enter a value above the minimum number.", 108)
_B_ABOVE_MAX = ("Maximum number exceed.", 109)
_B_FUNDS = ("Your balance is insufficient.", 113)
_B_CREATE_FAILED = ("There was an error while creating your order.", 114)
_B_TYPES = ("Default", "Package", "Custom Comments", "Custom Comments Package", "Subscriptions")
_B_SPELLING = {"In progress": "Inprogress"}
_B_VENDOR_SITE = "https://boostedsmm.com/"

FINAL_STATUSES = frozenset({"Completed", "Partial", "Canceled", "Refunded"})
"""Order statuses after which the same link may be ordered again."""
REFILLABLE_STATUSES = frozenset({"Completed", "Partial"})
CANCELLABLE_STATUSES = frozenset({"Pending", "In progress"})
ACTIVE_REFILL_STATUSES = frozenset({"Pending", "In progress"})

DELAYS = frozenset(
    {0, 5, 10, 15, 30, 60, 90, 120, 150, 180, 210, 240, 270, 300, 360, 420, 480, 540, 600}
)
"""Subscription ``delay`` values (minutes) allowed by the seed document."""

Fault = Literal[
    "html502",
    "cloudflare",
    "cloudflare403",
    "maintenance",
    "invalid_json",
    "empty",
    "timeout",
    "timeout_after_processing",
    "bom_notice",
    "http500_json",
]
FAULTS: frozenset[str] = frozenset(Fault.__args__)  # type: ignore[attr-defined]

_Q4 = Decimal("0.0001")
_Q5 = Decimal("0.00001")
_Q7 = Decimal("0.0000001")
_JSON_CT = "application/json"
_HTML_CT = "text/html; charset=UTF-8"

# --------------------------------------------------------------------------------------------
# Catalogue
# --------------------------------------------------------------------------------------------

SERVICE_IDS: dict[str, int] = {
    "Default": 1,
    "Custom Comments": 2,
    "Subscriptions": 3,
    "Custom Comments Package": 4,
    "Poll": 5,
    "SEO": 6,
    "Mentions with Hashtags": 7,
    "Mentions Custom List": 8,
    "Mentions Hashtag": 9,
    "Mentions User Followers": 10,
    "Mentions Media Likers": 11,
    "Mentions": 12,
    "Package": 13,
    "Comment Likes": 14,
    "Invites from Groups": 15,
    "Web Traffic": 16,
    "Comment Replies": 17,
    "Weird New Type": 18,
}
"""Service id of the one default-catalogue service of each type, keyed by exact PP type name."""

UNKNOWN_TYPE = "Weird New Type"
"""A type name no client knows; the fake validates it like ``Default``."""
PLAIN_SERVICE_ID = 101
"""A ``Default`` service with ``dripfeed``, ``refill`` and ``cancel`` all false."""
FOLLOWERS_CATEGORY = "Instagram Followers"
"""The category holding 25 services (ids 1 and 101-124)."""


def _svc(
    sid: int,
    name: str,
    type_: str,
    rate: str,
    min_: int,
    max_: int,
    category: str,
    *,
    dripfeed: bool = False,
    refill: bool = False,
    cancel: bool = False,
) -> dict[str, Any]:
    """One catalogue entry in smmsend's key order with PP value types."""
    return {
        "service": sid,
        "name": name,
        "type": type_,
        "rate": rate,
        "min": str(min_),
        "max": str(max_),
        "dripfeed": dripfeed,
        "refill": refill,
        "cancel": cancel,
        "category": category,
    }


def default_catalogue() -> list[dict[str, Any]]:
    """A fresh copy of the default catalogue (see the module docstring for the id table)."""
    followers = FOLLOWERS_CATEGORY
    comments = "Instagram Comments"
    mentions = "Instagram Mentions"
    telegram = "Telegram"
    web = "Website Traffic"
    ids = SERVICE_IDS

    out = [
        _svc(1, "Instagram Followers [Refill 30D]", "Default", "0.90", 10, 10000, followers,
             dripfeed=True, refill=True, cancel=True),
        _svc(PLAIN_SERVICE_ID, "Instagram Followers [No Refill]", "Default", "0.50", 50, 5000,
             followers),
    ]  # fmt: skip
    for n in range(1, 24):
        out.append(
            _svc(
                PLAIN_SERVICE_ID + n,
                f"Instagram Followers [Server {n}]",
                "Default",
                f"{Decimal('0.60') + Decimal(n) * Decimal('0.05'):.2f}",
                10 * (1 + n % 5),
                50000,
                followers,
                dripfeed=n % 4 == 0,
                refill=n % 2 == 0,
                cancel=n % 3 == 0,
            )
        )
    out += [
        _svc(ids["Custom Comments"], "Instagram Custom Comments", "Custom Comments", "8.00",
             5, 1000, comments, cancel=True),
        _svc(ids["Custom Comments Package"], "Instagram 10 Custom Comments [Package]",
             "Custom Comments Package", "3.00", 1, 1, comments),
        _svc(ids["Comment Likes"], "Instagram Comment Likes", "Comment Likes", "1.50",
             20, 20000, comments, refill=True),
        _svc(ids["Comment Replies"], "Instagram Comment Replies", "Comment Replies", "9.00",
             5, 1000, comments),
        _svc(ids["Mentions with Hashtags"], "Instagram Mentions [Hashtags]",
             "Mentions with Hashtags", "3.00", 100, 10000, mentions),
        _svc(ids["Mentions Custom List"], "Instagram Mentions [Custom List]",
             "Mentions Custom List", "6.00", 5, 1000, mentions),
        _svc(ids["Mentions Hashtag"], "Instagram Mentions [Hashtag Scrape]", "Mentions Hashtag",
             "2.50", 100, 10000, mentions),
        _svc(ids["Mentions User Followers"], "Instagram Mentions [User Followers]",
             "Mentions User Followers", "2.50", 100, 10000, mentions),
        _svc(ids["Mentions Media Likers"], "Instagram Mentions [Media Likers]",
             "Mentions Media Likers", "2.50", 100, 10000, mentions),
        _svc(ids["Mentions"], "Instagram Mentions", "Mentions", "3.50", 100, 10000, mentions),
        _svc(ids["Subscriptions"], "Instagram Auto Likes [Subscription]", "Subscriptions",
             "0.40", 50, 5000, "Instagram Auto Likes", cancel=True),
        _svc(ids["Poll"], "Telegram Poll Votes", "Poll", "1.10", 10, 10000, telegram),
        _svc(ids["Package"], "Telegram Channel Starter [Package]", "Package", "12.50", 1, 1,
             telegram),
        _svc(ids["Invites from Groups"], "Telegram Members [Invites from Groups]",
             "Invites from Groups", "4.00", 100, 10000, telegram),
        _svc(ids["SEO"], "Google Keyword Traffic [SEO]", "SEO", "2.00", 100, 100000, web),
        _svc(ids["Web Traffic"], "Website Traffic [Country Targeted]", "Web Traffic", "0.30",
             100, 1000000, web, dripfeed=True),
        _svc(ids[UNKNOWN_TYPE], "Mystery Boost [New]", UNKNOWN_TYPE, "1.00", 10, 1000, "Other"),
    ]  # fmt: skip
    return out


BIG_PLATFORMS: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    # (how categories name the platform, how many categories, what they sell)
    ("Instagram", 34, ("Followers", "Likes", "Views", "Comments", "Reels Views", "Story Views",
                       "Saves", "Shares", "Impressions", "Auto Likes")),
    ("TikTok", 24, ("Followers", "Likes", "Views", "Shares", "Comments", "Live Stream")),
    ("YouTube", 22, ("Subscribers", "Views", "Likes", "Watch Hours", "Shorts Views",
                     "Comments")),
    ("Telegram", 18, ("Members", "Post Views", "Reactions", "Poll Votes", "Premium Members")),
    ("Facebook", 16, ("Page Likes", "Followers", "Post Likes", "Video Views", "Group Members")),
    ("Twitter", 12, ("Followers", "Likes", "Retweets", "Impressions")),
    ("Spotify", 8, ("Plays", "Followers", "Monthly Listeners", "Saves")),
    ("Twitch", 6, ("Followers", "Live Viewers", "Clip Views")),
    ("Discord", 4, ("Server Members", "Online Members")),
    ("Threads", 4, ("Followers", "Likes")),
    ("Website", 6, ("Traffic", "SEO Backlinks", "Direct Visitors")),
    ("", 6, ("Google Reviews", "App Installs", "Trustpilot Reviews", "Mixed Bundles",
             "Email Verification", "Music Promotion")),
)  # fmt: skip
"""The big catalogue's platforms: 160 categories in all, "" for categories of no platform."""

_STYLES = ("{p} {k}", "🔥 {p} {k} [{q}]", "{p} - {k}", "[{p}] {k} | {q}", "{p} {k} ({q})")
_ALIASES = {"Instagram": "IG", "YouTube": "YT", "Telegram": "TG", "Facebook": "FB"}
_QUALITY = ("Real", "HQ", "Cheap", "Premium", "Targeted", "Mixed", "Non Drop", "Bots")
_REFILL = ("No Refill", "Refill 30 Days", "Refill 365 Days", "Lifetime Refill ♻️", "R30")
_START = ("0-1 Hour", "Instant", "0-12 Hours", "1-6 Hours")
_SPEED = ("1K/Day", "10K/Day", "50K/Day", "100K per day")


def big_catalogue(services: int = 5000, categories: int = 160) -> list[dict[str, Any]]:
    """A generated catalogue as big as real panels' (5,000 services in 160 categories over a
    dozen platforms, category names in the styles panels use, long service names with refill
    and speed words, some packages and subscriptions, a description on every third service and
    an average time on every fourth). Deterministic: the same catalogue every call."""
    names: list[tuple[str, str, str]] = []  # (category, platform, what it sells)
    for platform, count, kinds in BIG_PLATFORMS:
        for n in range(count):
            kind = kinds[n % len(kinds)]
            quality = _QUALITY[n % len(_QUALITY)]
            shown = _ALIASES.get(platform, platform) if n % 7 == 3 else platform
            style = _STYLES[n % len(_STYLES)] if platform else "{k}"
            category = style.format(p=shown, k=kind, q=quality).strip()
            if any(category == c for c, _, _ in names):
                category = f"{category} #{n + 1}"
            names.append((category, shown, kind))
    names = names[:categories]
    sizes = [31 + (i * 7) % 29 - 14 for i in range(len(names))]  # 17 to 45 services
    for i in range(services - sum(sizes)):
        sizes[i % len(sizes)] += 1 if services > sum(sizes) else 0
    out: list[dict[str, Any]] = []
    sid = 10_000
    for (category, platform, kind), size in zip(names, sizes, strict=True):
        for n in range(size):
            sid += 1
            type_ = "Default"
            if n % 23 == 5:
                type_ = "Package"
            elif n % 29 == 7:
                type_ = "Subscriptions"
            elif n % 31 == 9 and "Comments" in kind:
                type_ = "Custom Comments"
            name = (
                f"{platform} {kind} | {_QUALITY[n % len(_QUALITY)]} | "
                f"{_REFILL[n % len(_REFILL)]} | Start: {_START[n % len(_START)]} | "
                f"Speed: {_SPEED[n % len(_SPEED)]} | ID{sid}"
            ).strip()
            flat = type_ == "Package"
            entry = _svc(
                sid, name, type_,
                f"{Decimal(sid % 997) / 100 + Decimal('0.05'):.2f}",
                1 if flat else 10 * (1 + n % 10),
                1 if flat else 10_000 * (1 + n % 50),
                category,
                dripfeed=type_ == "Default" and n % 3 == 0,
                refill=("Refill" in name and "No Refill" not in name) or "R30" in name,
                cancel=n % 4 == 0,
            )  # fmt: skip
            if n % 3 == 0:
                entry["desc"] = (
                    f"<b>{kind}</b> from {_QUALITY[n % len(_QUALITY)].lower()} accounts & "
                    "profiles. Link: public profile or post. " + "Details follow. " * (n % 40)
                )
            if n % 4 == 0:
                entry["average_time"] = f"{1 + n % 9} hours {n % 60} minutes"
            out.append(entry)
    return out


def dialect_catalogue(dialect: Dialect) -> list[dict[str, Any]]:
    """The default catalogue of a dialect: the seed's, ids unchanged; BoostedSMM keeps only the
    services of the five types it has."""
    services = default_catalogue()
    if dialect == "boostedsmm":
        return [s for s in services if s["type"] in _B_TYPES]
    return services


def _raw_svc(
    sid: int, name: str, category: str, rate: str, min_: int, max_: int, type_: str,
    desc: str = "", *, dripfeed: bool = False, refill: bool = False,
) -> dict[str, Any]:  # fmt: skip
    return {**_svc(sid, name, type_, rate, min_, max_, category, dripfeed=dripfeed,
                   refill=refill), "desc": desc}  # fmt: skip


def real_catalogue(dialect: Literal["smartpanel", "boostedsmm"]) -> list[dict[str, Any]]:
    """The catalogue of the installed panel whose ``services`` answer is S01 / B01, stored
    PP-shaped: ``FakePanel(dialect=d, services=real_catalogue(d))`` answers that file's body."""
    followers, comments, other = "Instagram Followers", "Instagram Comments", "Other types"
    if dialect == "boostedsmm":
        return [
            _raw_svc(1, "IG Followers (drip-feed on)", followers, "0.90", 50, 10000, "Default",
                     "Fast followers", dripfeed=True, refill=True),
            _raw_svc(2, "IG Followers (no drip-feed)", followers, "1.20", 100, 5000, "Default"),
            _raw_svc(3, "IG Custom Comments", comments, "8", 5, 1000, "Custom Comments",
                     "One per line"),
            _raw_svc(4, "IG Custom Comments Package", comments, "3.5", 1, 1,
                     "Custom Comments Package"),
            _raw_svc(5, "Starter Package", other, "5", 1, 1, "Package"),
            _raw_svc(6, "IG Auto Likes Subscription", other, "2", 100, 5000, "Subscriptions"),
        ]  # fmt: skip
    if dialect != "smartpanel":
        raise ValueError(f"no real catalogue for dialect {dialect!r}")
    return [
        _raw_svc(1, "IG Followers (drip-feed ok)", followers, "0.90", 50, 10000, "Default",
                 "Fast followers", dripfeed=True),
        _raw_svc(2, "IG Followers (no drip-feed)", followers, "1.20", 100, 5000, "Default"),
        _raw_svc(3, "IG Custom Comments", comments, "8.00", 5, 1000, "Custom Comments",
                 "One per line"),
        _raw_svc(4, "IG Custom Comments Package", comments, "3.50", 1, 1,
                 "Custom Comments Package"),
        _raw_svc(5, "IG Auto Likes Subscription", other, "2.00", 100, 5000, "Subscriptions"),
        _raw_svc(6, "Starter Package", other, "5.00", 1, 1, "Package"),
        _raw_svc(7, "Mentions with Hashtags", other, "4.00", 100, 1000, "Mentions with Hashtags"),
        _raw_svc(8, "Mentions Custom List", other, "4.00", 1, 1000, "Mentions Custom List"),
        _raw_svc(9, "Comment Likes", other, "3.00", 20, 1000, "Comment Likes"),
        _raw_svc(10, "Mentions User Followers", other, "3.00", 100, 1000,
                 "Mentions User Followers"),
        _raw_svc(11, "Mentions Hashtag", other, "3.00", 100, 1000, "Mentions Hashtag"),
        _raw_svc(12, "Mentions Media Likers", other, "3.00", 100, 1000, "Mentions Media Likers"),
        _raw_svc(13, "Poll votes (type not in SmartPanel list)", other, "1.00", 10, 1000, "Poll"),
    ]  # fmt: skip


def _php_json(payload: Any, *, pretty: bool) -> bytes:
    """``json_encode`` as PHP does it: ``\\/`` for slashes, ``\\uXXXX`` for non-ASCII;
    ``JSON_PRETTY_PRINT`` indents by 4 spaces. ("/" occurs only inside JSON strings.)"""
    if pretty:
        text = json.dumps(payload, indent=4, separators=(",", ": "))
    else:
        text = json.dumps(payload, separators=(",", ":"))
    return text.replace("/", "\\/").encode()


def _snake(type_: str) -> str:
    """SmartPanel's type names: ``Custom Comments Package`` -> ``custom_comments_package``."""
    return type_.strip().lower().replace(" ", "_")


# --------------------------------------------------------------------------------------------
# Per-type `add` rules (notes §1.2)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _TypeRule:
    """What `add` requires for one service type (everything except Subscriptions)."""

    quantity: Literal["field", "lines", "one"] = "field"
    """``field``: the ``quantity`` form field; ``lines``: line count of ``lines_field``;
    ``one``: always 1 (Package)."""
    lines_field: str = ""
    required: tuple[str, ...] = ()
    """Single-value fields that must be non-blank."""
    lists: tuple[str, ...] = ()
    """List fields (one item per line) that must hold at least one non-blank line."""
    flat: bool = False
    """Charge the rate itself instead of rate * quantity / 1000."""
    check_range: bool = True


_TYPE_RULES: dict[str, _TypeRule] = {
    "Default": _TypeRule(),
    "SEO": _TypeRule(lists=("keywords",)),
    "Custom Comments": _TypeRule(quantity="lines", lines_field="comments"),
    "Mentions with Hashtags": _TypeRule(lists=("usernames", "hashtags")),
    "Mentions Custom List": _TypeRule(quantity="lines", lines_field="usernames"),
    "Mentions Hashtag": _TypeRule(required=("hashtag",)),
    "Mentions User Followers": _TypeRule(required=("username",)),
    "Mentions Media Likers": _TypeRule(required=("media",)),
    "Mentions": _TypeRule(lists=("usernames",)),
    "Package": _TypeRule(quantity="one", flat=True, check_range=False),
    "Custom Comments Package": _TypeRule(
        quantity="lines", lines_field="comments", flat=True, check_range=False
    ),
    "Comment Likes": _TypeRule(required=("username",)),
    "Poll": _TypeRule(required=("answer_number",)),
    "Invites from Groups": _TypeRule(lists=("groups",)),
    "Web Traffic": _TypeRule(required=("country", "device", "type_of_traffic")),
    "Comment Replies": _TypeRule(quantity="lines", lines_field="comments", required=("username",)),
}

_LINK_RE = re.compile(r"^https?://[^\s/]+", re.IGNORECASE)


def _lines(value: str) -> list[str]:
    """Split a list field on ``\\r\\n`` or ``\\n``; blank lines are ignored."""
    return [line for line in re.split(r"\r\n|\n", value) if line.strip()]


def _parse_int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _parse_decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        return None


def _truthy(value: Any) -> bool:
    """Catalogue booleans as PP sends them, or as a test may have rewritten them."""
    return value is True or value == 1 or str(value).strip().lower() in {"1", "true"}


def _split_ids(value: str) -> list[str]:
    return [piece.strip() for piece in value.split(",") if piece.strip()]


def _php_int(value: str) -> int:
    """PHP's ``(int)`` cast: leading digits, else 0."""
    match = re.match(r"\s*[+-]?\d+", value)
    return int(match.group()) if match else 0


def _future_date(value: str) -> bool:
    """A ``d/m/Y`` date not yet past (SmartPanel's subscription ``expiry`` flag)."""
    try:
        return datetime.strptime(value.strip(), "%d/%m/%Y") >= datetime.now()
    except ValueError:
        return False


def _json_id(piece: str) -> int | str:
    """Ids inside multi answers are JSON numbers on PP (strings if not numeric)."""
    return int(piece) if piece.isdigit() else piece


# --------------------------------------------------------------------------------------------
# State
# --------------------------------------------------------------------------------------------


@dataclass
class FakeOrder:
    """One order as the panel stores it.

    ``fields`` holds every form field of the ``add`` request except ``key`` and ``action``.
    ``quantity`` is the total charged quantity (line count for list types, runs * quantity for
    drip-feed, ``max`` for subscriptions, 1 for Package).
    """

    id: str
    key: str
    service: int
    fields: dict[str, str]
    quantity: int
    charge: Decimal
    status: str = "Pending"
    remains: int | str = 0
    start_count: int | None = 0
    """``None`` is SmartPanel's ``null`` before an order starts."""
    currency: str = "USD"
    created: float = field(default_factory=time.time)
    runs: int | None = None
    """Drip-feed runs of a SmartPanel drip-feed order (its status then shows runs, not
    charge/remains)."""


@dataclass
class FakeRefill:
    id: str
    key: str
    order_id: str
    status: str = "Pending"


@dataclass
class FakeCancel:
    id: str
    key: str
    order_id: str
    status: str = "Pending"


@dataclass
class _Account:
    balance: Decimal
    currency: str


class _ApiError(Exception):
    """A logical error answered as HTTP 200 ``{"error": message}`` (or ``payload``)."""

    def __init__(self, message: str, payload: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.payload: Any = {"error": message} if payload is None else payload


def _boosted_error(error: tuple[str, int | str]) -> _ApiError:
    return _ApiError(error[0], {"error": error[0], "status": error[1]})


@dataclass(frozen=True)
class _Reply:
    status: int
    body: bytes
    content_type: str
    headers: tuple[tuple[str, str], ...] = ()
    http10: bool = False
    """Answer with an ``HTTP/1.0`` status line and close (BoostedSMM's PHP fatal error)."""


def _json_reply(payload: Any, status: int = 200) -> _Reply:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return _Reply(status, body, _JSON_CT)


def _html_reply(status: int, html: str, headers: tuple[tuple[str, str], ...] = ()) -> _Reply:
    return _Reply(status, html.encode(), _HTML_CT, headers)


_NGINX_404 = (
    "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
    "<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
_NGINX_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
_CLOUDFLARE = (
    '<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>'
    '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">'
    '<meta name="robots" content="noindex,nofollow"></head><body>'
    '<div class="main-wrapper" role="main"><div class="main-content">'
    "<noscript>Enable JavaScript and cookies to continue</noscript></div></div>"
    "</body></html>"
)
_MAINTENANCE = (
    "<!DOCTYPE html><html><head><title>Site Maintenance</title></head><body>"
    "<h1>We&rsquo;ll be back soon!</h1><p>Sorry for the inconvenience, the panel is "
    "undergoing scheduled maintenance. Please try again later.</p></body></html>"
)
_CODEIGNITER_403 = (  # S43, byte for byte
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n'
    '<style type="text/css">\n\n::selection { background-color: #E13300; color: white; }\n'
    "::-moz-selection { background-color: #E13300; color: white; }\n\nbody {\n"
    "\tbackground-color: #fff;\n\tmargin: 40px;\n"
    "\tfont: 13px/20px normal Helvetica, Arial, sans-serif;\n\tcolor: #4F5155;\n}\n\na {\n"
    "\tcolor: #003399;\n\tbackground-color: transparent;\n\tfont-weight: normal;\n}\n\n"
    "h1 {\n\tcolor: #444;\n\tbackground-color: transparent;\n"
    "\tborder-bottom: 1px solid #D0D0D0;\n\tfont-size: 19px;\n\tfont-weight: normal;\n"
    "\tmargin: 0 0 14px 0;\n\tpadding: 14px 15px 10px 15px;\n}\n\ncode {\n"
    "\tfont-family: Consolas, Monaco, Courier New, Courier, monospace;\n\tfont-size: 12px;\n"
    "\tbackground-color: #f9f9f9;\n\tborder: 1px solid #D0D0D0;\n\tcolor: #002166;\n"
    "\tdisplay: block;\n\tmargin: 14px 0 14px 0;\n\tpadding: 12px 10px 12px 10px;\n}\n\n"
    "#container {\n\tmargin: 10px;\n\tborder: 1px solid #D0D0D0;\n"
    "\tbox-shadow: 0 0 8px #D0D0D0;\n}\n\np {\n\tmargin: 12px 15px 12px 15px;\n}\n"
    '</style>\n</head>\n<body>\n\t<div id="container">\n'
    "\t\t<h1>An Error Was Encountered</h1>\n"
    "\t\t<p>The action you have requested is not allowed.</p>\t</div>\n</body>\n</html>"
)
_INTERNAL_ERROR_HTML = "<html><body><h1>500 Internal Server Error</h1></body></html>"
_BOM = b"\xef\xbb\xbf"
_PHP_NOTICE = (
    b"<br />\n<b>Notice</b>:  Undefined index: HTTP_CF_CONNECTING_IP in "
    b"<b>/var/www/panel/api/v2/index.php</b> on line <b>17</b><br />\n"
)
_TRUNCATED_JSON = b'{"balance": "10'


# --------------------------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # never join handler threads (one may sleep in a fault)
    request_queue_size = 64

    def __init__(self, panel: FakePanel) -> None:
        self.panel = panel
        super().__init__(("127.0.0.1", 0), _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn(), which can stall on reverse DNS.
        socketserver.TCPServer.server_bind(self)
        self.server_name = "127.0.0.1"
        self.server_port = self.server_address[1]

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return  # client went away
        self.panel.handler_errors.append(traceback.format_exc())


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""
    wbufsize = 64 * 1024  # headers and body leave in one send (see _serve's flush)
    disable_nagle_algorithm = True
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.panel._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.panel._track(self.connection, add=False)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._serve(b"")

    def do_POST(self) -> None:
        length = _parse_int(self.headers.get("Content-Length") or "0")
        if length is None or length < 0:
            self.send_error(400)
            return
        self._serve(self.rfile.read(length) if length else b"")

    def _serve(self, body: bytes) -> None:
        try:
            reply = self.server.panel._handle(self.path, body)
        except Exception:
            self.server.panel.handler_errors.append(traceback.format_exc())
            reply = _html_reply(500, _INTERNAL_ERROR_HTML)
        if reply is None:  # panel stopped while this request slept: drop the connection
            self.close_connection = True
            return
        if reply.http10:
            self.protocol_version = "HTTP/1.0"
            self.close_connection = True
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            for name, value in reply.headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(reply.body)
            self.wfile.flush()
        except OSError:
            self.close_connection = True


# --------------------------------------------------------------------------------------------
# The panel
# --------------------------------------------------------------------------------------------


class FakePanel:
    """A PerfectPanel-style API v2 server with inspectable state and fault switches.

    Nothing listens until :meth:`start` (or ``with FakePanel() as panel``). All state lives
    behind one lock; tests may read ``orders``/``refills``/``cancels``/``requests`` directly and
    should change state through the ``set_*`` helpers.
    """

    def __init__(
        self, services: list[dict[str, Any]] | None = None, *, dialect: Dialect = "seed"
    ) -> None:
        if dialect not in DIALECTS:
            raise ValueError(f"unknown dialect {dialect!r}; expected one of {DIALECTS}")
        self.dialect: Dialect = dialect
        """Which panel script this one answers as (see the module docstring)."""
        self.services: list[dict[str, Any]] = (
            dialect_catalogue(dialect) if services is None else services
        )
        """The catalogue answered by ``services`` and used by ``add`` (PP-shaped dicts, an
        optional ``desc``), rendered in the panel's dialect."""
        self.orders: dict[str, FakeOrder] = {}
        self.refills: dict[str, FakeRefill] = {}
        self.cancels: dict[str, FakeCancel] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        """``(action, fields)`` of every ``/api/v2`` request in arrival order; ``fields`` holds
        every field received (including ``key`` and ``action``). Recorded before any delay or
        fault, so counts are deterministic."""
        self.handler_errors: list[str] = []
        """Tracebacks of bugs inside the fake itself (answered as HTTP 500 HTML)."""

        self.fault_actions: set[str] | None = None
        """Limit :attr:`fault` to these actions (``None`` = every action)."""
        self.fault_times: int | None = None
        """If set, the fault hits that many matching requests, then switches itself off."""
        self.timeout_seconds: float = 30.0
        """How long the ``timeout*`` faults sleep (interrupted by :meth:`stop`)."""
        self.delay: float = 0.0
        """Seconds to wait before processing/answering every request."""
        self.delays: dict[str, float] = {}
        """Per-action delay; overrides :attr:`delay` for that action."""
        self.key_delays: dict[str, float] = {}
        """Per-API-key delay; overrides :attr:`delays` and :attr:`delay` for requests carrying
        that key (one user's slow panel account while the others answer at once)."""
        self.hung_keys: set[str] = set()
        """Requests carrying one of these keys get no answer while the key stays in the set
        (recorded in :attr:`requests` first); removing the key or :meth:`stop` releases them."""
        self.numbers_as_numbers: bool = False
        """Send rate/min/max/charge/start_count/remains/balance/ids as JSON numbers (rate and
        money as floats) and dripfeed/refill/cancel as 0/1 (a common non-PP dialect)."""
        self.status_spelling: dict[str, str] = {}
        """Rewrites outgoing order/refill/cancel status words, e.g. ``{"Canceled":
        "Cancelled"}``. Internal state keeps the canonical PP words."""
        self.cancel_status_form: Literal["cancels", "cancel_status"] = "cancels"
        """``cancels``: ``action=cancel&cancels=1,2`` answers cancel statuses (seed doc) and
        ``action=cancel_status`` is unknown. ``cancel_status``: the reverse."""
        self.multi_status_dialect: Literal["pp", "smartpanel", "array"] = "pp"
        """Shape of ``status`` with ``orders=``: ``pp`` object keyed by trimmed id with
        ``{"error": ...}`` items; ``smartpanel`` object keyed by the raw comma-split pieces with
        bare-string errors; ``array`` list in request order (duplicates dropped) whose found
        items carry ``order`` and whose missing items are exactly ``{"error": ...}``."""

        self._fault: str | None = None
        self._accounts: dict[str, _Account] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._next_order = {"seed": 1001, "smartpanel": 1, "boostedsmm": 501}[dialect]
        """First order ids as on the installs the raw files come from (S03, B03)."""
        self._next_refill = 5001
        self._next_cancel = 9001

    # ---- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakePanel:
        """Bind 127.0.0.1 on a free port and serve in a daemon thread."""
        if self._server is not None:
            raise RuntimeError("FakePanel already started")
        self._stopping.clear()
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.01},
            name=f"FakePanel:{self._server.server_port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; wakes handlers sleeping in a delay/timeout fault and drops their
        connections without an answer. Returns within about a second in every case."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        deadline = time.monotonic() + 1.0
        while True:
            with self._lock:
                conns = list(self._connections)
            if not conns or time.monotonic() > deadline:
                break
            for conn in conns:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
            time.sleep(0.01)
        if thread is not None:
            thread.join(timeout=1.0)
        self._server = self._thread = None

    def __enter__(self) -> FakePanel:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def api_path(self) -> str:
        """``/api/v1`` on SmartPanel, ``/api/v2`` otherwise."""
        return API_PATHS[self.dialect]

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>`` + :attr:`api_path` (only after :meth:`start`): the
        ``smm_api_url`` of a bot talking to this panel."""
        if self._server is None:
            raise RuntimeError("FakePanel not started")
        return f"http://127.0.0.1:{self._server.server_port}{self.api_path}"

    @property
    def fault(self) -> str | None:
        """Transport fault to inject (default ``None``); see :data:`FAULTS`.

        ``html502`` 502 nginx HTML; ``cloudflare`` 503 "Just a moment..." HTML;
        ``cloudflare403`` the same challenge as 403; ``maintenance`` 200 HTML page;
        ``invalid_json`` 200 truncated JSON; ``empty`` 200 empty body;
        ``http500_json`` 500 ``{"error": "Internal error"}`` -- none of these process the
        request. ``timeout`` sleeps :attr:`timeout_seconds` then processes and answers
        normally (a client that gave up may still get its order placed late).
        ``timeout_after_processing`` processes first (an ``add`` places and charges the order),
        then sleeps. ``bom_notice`` answers normally behind a UTF-8 BOM and a PHP notice.
        """
        return self._fault

    @fault.setter
    def fault(self, value: str | None) -> None:
        if value is not None and value not in FAULTS:
            raise ValueError(f"unknown fault {value!r}; expected one of {sorted(FAULTS)}")
        self._fault = value

    # ---- accounts ----------------------------------------------------------------------------

    def add_key(self, key: str, balance: str | Decimal = "100", currency: str = "USD") -> None:
        """Register an API key with a balance in ``currency``."""
        with self._lock:
            self._accounts[key] = _Account(Decimal(str(balance)), currency)

    def revoke_key(self, key: str) -> None:
        """The key stops working ("Invalid API key"), as when a user regenerates it."""
        with self._lock:
            del self._accounts[key]

    def balance_of(self, key: str) -> Decimal:
        with self._lock:
            return self._accounts[key].balance

    def set_balance(self, key: str, balance: str | Decimal) -> None:
        with self._lock:
            self._accounts[key].balance = Decimal(str(balance))

    # ---- test-driven lifecycle -----------------------------------------------------------------

    def create_order(
        self,
        key: str,
        service_id: int,
        quantity: int = 100,
        link: str = "https://x.test/p",
        status: str = "Pending",
    ) -> str:
        """An order "placed on the website": no validation, charged to the key's balance."""
        with self._lock:
            account = self._accounts[key]
            service = self._service(str(service_id))
            if service is None:
                raise ValueError(f"no service {service_id} in the catalogue")
            charge = self._charge(service, quantity, flat=False)
            fields = {"service": str(service_id), "link": link, "quantity": str(quantity)}
            order = self._new_order(key, account, service, fields, quantity, charge)
            order.status = status
            return order.id

    def set_order(
        self,
        order_id: str | int,
        *,
        status: str | None = None,
        remains: int | str | None = None,
        start_count: int | None = None,
        charge: str | Decimal | None = None,
        refund: bool = False,
    ) -> None:
        """Change an order; ``None`` leaves a field as it is.

        With ``refund=True`` a new status of Canceled/Refunded returns the whole charge to the
        balance (charge becomes 0) and Partial returns ``charge * remains / quantity``.
        """
        with self._lock:
            order = self.orders[str(order_id)]
            if remains is not None:
                order.remains = remains
            if start_count is not None:
                order.start_count = start_count
            if charge is not None:
                order.charge = Decimal(str(charge))
            if status is not None:
                order.status = status
                if refund:
                    self._refund(order)

    def complete(self, order_id: str | int) -> None:
        """Status Completed, remains 0."""
        self.set_order(order_id, status="Completed", remains=0)

    def set_refill(self, refill_id: str | int, status: str) -> None:
        with self._lock:
            self.refills[str(refill_id)].status = status

    def set_cancel(self, cancel_id: str | int, status: str) -> None:
        with self._lock:
            self.cancels[str(cancel_id)].status = status

    # ---- request log -------------------------------------------------------------------------

    def count(self, action: str) -> int:
        """How many received requests had this ``action``."""
        with self._lock:
            return sum(1 for received, _ in self.requests if received == action)

    def reset_counts(self) -> None:
        """Forget the request log."""
        with self._lock:
            self.requests.clear()

    # ---- request handling --------------------------------------------------------------------

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def _sleep(self, seconds: float) -> bool:
        """Sleep; False if :meth:`stop` interrupted it."""
        return seconds <= 0 or not self._stopping.wait(seconds)

    def _wait_while_hung(self, key: str) -> bool:
        """Hold a request of a hung key; False if :meth:`stop` interrupted it."""
        while key in self.hung_keys:
            if self._stopping.wait(0.05):
                return False
        return True

    def _take_fault(self, action: str) -> str | None:
        """The fault for this request (caller holds the lock); counts down ``fault_times``."""
        fault = self._fault
        if fault is None or (self.fault_actions is not None and action not in self.fault_actions):
            return None
        if self.fault_times is not None:
            self.fault_times -= 1
            if self.fault_times <= 0:
                self._fault = None
                self.fault_times = None
        return fault

    def _other_path(self, path: str) -> _Reply:
        if self.dialect == "smartpanel" and path == "/api/v2":
            return _html_reply(403, _CODEIGNITER_403)  # S43
        if self.dialect == "boostedsmm" and path == "/api/v1":
            return _Reply(302, b"  ", _HTML_CT, (("Location", _B_VENDOR_SITE),))  # B31
        return _html_reply(404, _NGINX_404)

    def _handle(self, raw_path: str, body: bytes) -> _Reply | None:
        split = urlsplit(raw_path)
        path = split.path.rstrip("/")
        if path != self.api_path:
            return self._other_path(path)
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        if self.dialect == "boostedsmm":  # form fields only; key and action also from the URL
            fields: dict[str, str] = {
                k: query[k] for k in ("key", "action") if k in query and k not in form
            }
            fields.update(form)
        else:
            fields = query | form
        action = fields.get("action", "")
        key = fields.get("key", "")
        with self._lock:
            self.requests.append((action, dict(fields)))
            fault = self._take_fault(action)
            delay = self.key_delays.get(key, self.delays.get(action, self.delay))
        if not self._sleep(delay) or not self._wait_while_hung(key):
            return None

        if fault == "html502":
            return _html_reply(502, _NGINX_502)
        if fault == "cloudflare":
            return _html_reply(
                503, _CLOUDFLARE, (("cf-mitigated", "challenge"), ("Cache-Control", "no-cache"))
            )
        if fault == "cloudflare403":  # a challenge page: the panel's code never ran
            return _html_reply(403, _CLOUDFLARE, (("cf-mitigated", "challenge"),))
        if fault == "maintenance":
            return _html_reply(200, _MAINTENANCE)
        if fault == "invalid_json":
            return _Reply(200, _TRUNCATED_JSON, _JSON_CT)
        if fault == "empty":
            return _Reply(200, b"", _HTML_CT)
        if fault == "http500_json":
            return _json_reply({"error": "Internal error"}, status=500)
        if fault == "timeout" and not self._sleep(self.timeout_seconds):
            return None

        reply = self._answer(action, fields)

        if fault == "timeout_after_processing" and not self._sleep(self.timeout_seconds):
            return None
        if fault == "bom_notice":
            return _Reply(200, _BOM + _PHP_NOTICE + reply.body, _HTML_CT)
        return reply

    def _answer(self, action: str, fields: dict[str, str]) -> _Reply:
        """The dialect's reply: its framing around its payload (or an exact raw reply)."""
        if self.dialect == "smartpanel":
            answer = self._dispatch_smartpanel(action, fields)
            if isinstance(answer, _Reply):
                return answer
            return _Reply(200, b"\n" + _php_json(answer, pretty=True), _HTML_CT)
        if self.dialect == "boostedsmm":
            answer = self._dispatch_boosted(action, fields)
            if isinstance(answer, _Reply):
                return answer
            return _Reply(200, b"  " + _php_json(answer, pretty=False), _HTML_CT)
        return _json_reply(self._dispatch(action, fields))

    def _dispatch(self, action: str, f: dict[str, str]) -> Any:
        with self._lock:
            key = f.get("key", "")
            account = self._accounts.get(key) if key else None
            if account is None:
                return {"error": ERR_INVALID_KEY}
            try:
                if action == "services":
                    return [self._service_out(s) for s in self.services]
                if action == "balance":
                    return {"balance": self._money(account.balance), "currency": account.currency}
                if action == "add":
                    return self._add(key, account, f)
                if action == "status":
                    return self._status_action(key, f)
                if action == "refill":
                    return self._refill_action(key, f)
                if action == "refill_status":
                    return self._refill_status_action(key, f)
                if action == "cancel":
                    return self._cancel_action(key, f)
                if action == "cancel_status" and self._cancel_form() == "cancel_status":
                    if "cancels" not in f:
                        raise _ApiError(ERR_INCORRECT_REQUEST)
                    return self._cancel_statuses(key, f["cancels"])
                raise _ApiError(ERR_INCORRECT_REQUEST)
            except _ApiError as err:
                return {"error": err.message}

    # ---- SmartPanel (aliabbasbeing/smm-panel-script, API at /api/v1) -------------------------

    def _dispatch_smartpanel(self, action: str, f: dict[str, str]) -> Any:
        """Only services, balance, add and status exist; every other action (refill, cancel,
        ...) is "This action is Invalid" (S33-S40)."""
        with self._lock:
            key = f.get("key", "")
            account = self._accounts.get(key) if key else None
            if account is None:
                return {"error": SMARTPANEL_BAD_KEY}  # also for a JSON body (S41)
            try:
                if action == "services":
                    if not self.services:
                        return {"status": "success", "data": "Empty Data"}  # S53
                    return self._sp_services()
                if action == "balance":
                    balance = f"{account.balance.quantize(_Q4):f}"
                    return {"status": "success", "balance": balance, "currency": account.currency}
                if action == "add":
                    return self._sp_add(key, account, f)
                if action == "status":
                    if f.get("order", "") != "":
                        return self._sp_single_status(key, f["order"])
                    if f.get("orders", "") != "":
                        return self._sp_multi_status(key, f["orders"])
                    return _Reply(200, b"\n", _HTML_CT)  # S32: nothing echoed
                return {"error": SMARTPANEL_INVALID_ACTION}
            except _ApiError as err:
                return err.payload

    def _sp_services(self) -> list[dict[str, Any]]:
        """Every value a string, snake_case types, ``dripfeed`` "1"/"0", no refill/cancel;
        sorted by category (in order of first appearance), then price (S01)."""
        categories: dict[str, int] = {}
        for service in self.services:
            categories.setdefault(str(service.get("category", "")), len(categories))

        def order(service: dict[str, Any]) -> tuple[int, Decimal]:
            rate = _parse_decimal(service.get("rate")) or Decimal(0)
            return categories[str(service.get("category", ""))], rate

        return [
            {
                "service": str(service.get("service")),
                "name": service.get("name"),
                "category": service.get("category"),
                "rate": f"{(_parse_decimal(service.get('rate')) or Decimal(0)).quantize(_Q4):f}",
                "min": str(service.get("min")),
                "max": str(service.get("max")),
                "type": _snake(str(service.get("type", ""))),
                "desc": service.get("desc", ""),
                "dripfeed": "1" if _truthy(service.get("dripfeed")) else "0",
            }
            for service in sorted(self.services, key=order)
        ]

    def _sp_add(self, key: str, account: _Account, f: dict[str, str]) -> dict[str, Any]:
        """SmartPanel's ``add``, check by check in its order (src): any non-empty link; comments
        split on newlines and commas, each piece (blank ones too) counted; ``quantity`` required
        by every other type; drip-feed only on drip-feed services with an allowed interval,
        min/max applying to runs x quantity; Package and Custom Comments Package flat-priced;
        the same link accepted again (S22)."""
        service_id = f.get("service", "")
        if service_id in {"", "0"}:
            raise _ApiError(_SP_MISSING_SERVICE)
        service = self._service(service_id)
        if service is None:
            raise _ApiError(_SP_SERVICE)
        type_ = str(service.get("type", ""))
        runs: int | None = None
        quantity: int | None
        if type_ == "Custom Comments":
            comments = f.get("comments", "")
            if comments == "":
                raise _ApiError(_SP_COMMENTS)
            quantity = comments.replace("\r\n", ",").replace("\n", ",").count(",") + 1
        else:
            raw = f.get("quantity", "")
            runs_raw, interval_raw = f.get("runs", ""), f.get("interval", "")
            if runs_raw != "" or interval_raw != "":
                if not _truthy(service.get("dripfeed")):
                    raise _ApiError(_SP_DRIPFEED)
                if interval_raw == "":
                    raise _ApiError(_SP_INTERVAL_REQUIRED)
                if runs_raw == "":
                    raise _ApiError(_SP_RUNS_REQUIRED)
                if _php_int(interval_raw) not in _SP_INTERVALS:
                    compact = b"\n" + _php_json(_SP_INTERVAL_ERROR, pretty=False)  # S06
                    raise _ApiError(_SP_INTERVAL_ERROR["message"], _Reply(200, compact, _HTML_CT))
                if raw == "":
                    raise _ApiError(_SP_QUANTITY)
                runs = _php_int(runs_raw)
                quantity = runs * _php_int(raw)
            else:
                quantity = None if raw == "" else _php_int(raw)
        if f.get("link", "") == "":
            raise _ApiError(_SP_BAD_LINK)
        if quantity is None:
            raise _ApiError(_SP_QUANTITY)
        min_ = _parse_int(service.get("min")) or 0
        max_ = _parse_int(service.get("max")) or 0
        if quantity <= 0 or quantity < min_:
            raise _ApiError(_SP_BELOW_MIN.format(min_))
        if quantity > max_:
            raise _ApiError(_SP_ABOVE_MAX.format(max_))
        flat = type_ in {"Package", "Custom Comments Package"}
        charge = self._charge(service, quantity, flat=flat)
        if account.balance <= 0 or account.balance < charge:
            raise _ApiError(ERR_FUNDS)
        fields = {k: v for k, v in f.items() if k not in {"key", "action"}}
        order = self._new_order(key, account, service, fields, quantity, charge, runs)
        return {"status": "success", "order": int(order.id)}

    def _sp_single_status(self, key: str, order_id: str) -> dict[str, Any]:
        wanted = order_id.strip()
        order = self._own_order(key, wanted) if wanted.isdigit() else None
        if order is None:
            raise _ApiError(ERR_INCORRECT_ORDER)
        return self._sp_order_out(order)

    def _sp_multi_status(self, key: str, value: str) -> dict[str, Any]:
        """Keyed by the comma-split pieces as sent (S29); unknown ids are the bare string
        "Incorrect order ID" (S28, S30)."""
        out: dict[str, Any] = {}
        for piece in value.split(","):
            wanted = piece.strip()
            order = self._own_order(key, wanted) if wanted.isdigit() else None
            out[piece] = ERR_INCORRECT_ORDER if order is None else self._sp_order_out(order)
        return out

    def _sp_order_out(self, order: FakeOrder) -> dict[str, Any]:
        """S24 (strings, ``start_count`` null until set), S25 (drip-feed), S51 (subscription:
        ``posts`` and ``expiry`` read from the order's fields; the real panel's API stores
        neither, so an API-placed subscription answers ``null`` and ``false`` there)."""
        word = order.status if order.status in _SP_STATUS_WORDS else "Pending"
        status = self._spell(word)
        service = self._service(str(order.service))
        if service is not None and service.get("type") == "Subscriptions":
            return {
                "status": status,
                "expiry": _future_date(order.fields.get("expiry", "")),
                "posts": order.fields.get("posts"),
                "orders": [],
            }
        if order.runs is not None:
            return {"status": status, "runs": str(order.runs), "orders": []}
        return {
            "order": order.id,
            "status": status,
            "charge": f"{order.charge.quantize(_Q4):f}",
            "start_count": None if order.start_count is None else str(order.start_count),
            "remains": str(order.remains),
            "currency": order.currency,
        }

    # ---- BoostedSMM (benshandd/BoostedSMM, API at /api/v2) ----------------------------------

    def _dispatch_boosted(self, action: str, f: dict[str, str]) -> Any:
        """No multi-order status (104), ``refill`` a PHP fatal error (HTTP/1.0 500, two blank
        bytes), ``refill_status`` always "Refill not found", ``cancel``/``cancel_status`` and
        unknown actions the body ``null`` (B23-B30)."""
        with self._lock:
            key, action = f.get("key", ""), f.get("action", "")
            if not key or not action:
                return _boosted_error(_B_MISSING).payload
            account = self._accounts.get(key)
            if account is None:
                return _boosted_error(_B_BAD_KEY).payload  # B18
            try:
                if action == "services":
                    return [self._b_service_out(s) for s in self.services]
                if action == "balance":
                    balance = f"{account.balance.quantize(_Q7):f}"  # B02
                    return {"balance": balance, "currency": account.currency}
                if action == "add":
                    return self._b_add(key, account, f)
                if action == "status":
                    order = self._own_order(key, f.get("order", "").strip())
                    if order is None:
                        return BOOSTED_ORDER_NOT_FOUND  # also for orders=... (B22, B23)
                    return {
                        "charge": float(order.charge),
                        "start_count": order.start_count or 0,
                        "status": self._spell(order.status),
                        "remains": order.remains,
                        "currency": order.currency,
                    }
                if action == "refill":
                    return _Reply(500, b"  ", _HTML_CT, http10=True)  # B24, B25
                if action == "refill_status":
                    return {"error": REFILL_ERROR_NOT_FOUND}  # B26-B28
                return None  # B29, B30
            except _ApiError as err:
                return err.payload

    @staticmethod
    def _b_service_out(service: dict[str, Any]) -> dict[str, Any]:
        """B01: numbers for service/min/max, the rate as stored, ``refill`` "true"/"false"."""
        return {
            "rate": str(service.get("rate")),
            "service": _parse_int(service.get("service")),
            "category": service.get("category"),
            "name": service.get("name"),
            "type": service.get("type"),
            "min": _parse_int(service.get("min")),
            "max": _parse_int(service.get("max")),
            "desc": service.get("desc", ""),
            "refill": "true" if _truthy(service.get("refill")) else "false",
        }

    def _b_add(self, key: str, account: _Account, f: dict[str, str]) -> dict[str, Any]:
        """BoostedSMM's ``add``: ``quantity`` needed by every type (a missing one is below the
        minimum, 108); Subscriptions need username/min/max/delay/posts (107) and then fail on
        this install (114); drip-feed on any service, any interval, charged runs x quantity;
        every type charged rate x quantity / 1000 (a package too); Custom Comments store the
        line count; the same link accepted again (B17)."""
        service = self._service(f.get("service", ""))
        if service is None:
            raise _boosted_error(_B_SERVICE)
        if service.get("type") == "Subscriptions":
            if any(not f.get(n, "").strip() for n in ("username", "min", "max", "delay", "posts")):
                raise _boosted_error(_B_REQUIRED)  # B11
            raise _boosted_error(_B_CREATE_FAILED)  # B10
        if not f.get("link", "").strip():
            raise _boosted_error(_B_REQUIRED)
        quantity = _php_int(f.get("quantity", ""))
        if quantity < (_parse_int(service.get("min")) or 0):
            raise _boosted_error(_B_BELOW_MIN)
        if quantity > (_parse_int(service.get("max")) or 0):
            raise _boosted_error(_B_ABOVE_MAX)
        runs = _php_int(f.get("runs", ""))
        total = quantity * runs if runs > 0 else quantity
        charge = self._charge(service, total, flat=False)
        if charge > account.balance:
            raise _boosted_error(_B_FUNDS)
        if service.get("type") == "Custom Comments":
            total = len(_lines(f.get("comments", "")))
        fields = {k: v for k, v in f.items() if k not in {"key", "action"}}
        order = self._new_order(key, account, service, fields, total, charge)
        return {"status": 100, "order": order.id}

    # ---- rendering -----------------------------------------------------------------------------

    def _money(self, amount: Decimal) -> str | float:
        q = amount.quantize(_Q5)
        return float(q) if self.numbers_as_numbers else f"{q:f}"

    def _number(self, value: int) -> str | int:
        return value if self.numbers_as_numbers else str(value)

    def _remains(self, value: int | str) -> str | int:
        return value if isinstance(value, str) else self._number(value)

    def _spell(self, status: str) -> str:
        built_in = _B_SPELLING if self.dialect == "boostedsmm" else {}
        return self.status_spelling.get(status, built_in.get(status, status))

    def _service_out(self, service: dict[str, Any]) -> dict[str, Any]:
        out = dict(service)
        if not self.numbers_as_numbers:
            return out
        for name, value in out.items():
            if name == "rate" and (rate := _parse_decimal(value)) is not None:
                out[name] = float(rate)
            elif name in {"service", "min", "max"} and (number := _parse_int(value)) is not None:
                out[name] = number
            elif name in {"dripfeed", "refill", "cancel"} and isinstance(value, bool):
                out[name] = int(value)
        return out

    def _order_out(self, order: FakeOrder) -> dict[str, Any]:
        return {
            "charge": self._money(order.charge),
            "start_count": None if order.start_count is None else self._number(order.start_count),
            "status": self._spell(order.status),
            "remains": self._remains(order.remains),
            "currency": order.currency,
        }

    # ---- helpers (caller holds the lock) ----------------------------------------------------

    def _service(self, service_id: str) -> dict[str, Any] | None:
        wanted = service_id.strip()
        return next((s for s in self.services if str(s.get("service")) == wanted), None)

    def _own_order(self, key: str, order_id: str) -> FakeOrder | None:
        order = self.orders.get(order_id)
        return order if order is not None and order.key == key else None

    def _charge(self, service: dict[str, Any], quantity: int, *, flat: bool) -> Decimal:
        rate = _parse_decimal(service.get("rate")) or Decimal(0)
        places = {"seed": _Q5, "smartpanel": _Q4, "boostedsmm": _Q7}[self.dialect]
        return (rate if flat else rate * quantity / 1000).quantize(places)

    def _new_order(
        self,
        key: str,
        account: _Account,
        service: dict[str, Any],
        fields: dict[str, str],
        quantity: int,
        charge: Decimal,
        runs: int | None = None,
    ) -> FakeOrder:
        """Store and charge an order. SmartPanel and BoostedSMM leave ``remains`` 0 until the
        order starts (S24, B19); SmartPanel's ``start_count`` is null and its drip-feed orders
        start "In progress" (S25)."""
        order_id = str(self._next_order)
        self._next_order += 1
        order = FakeOrder(
            id=order_id,
            key=key,
            service=int(str(service["service"])),
            fields=fields,
            quantity=quantity,
            charge=charge,
            remains=quantity if self.dialect == "seed" else 0,
            start_count=None if self.dialect == "smartpanel" else 0,
            currency=account.currency,
            runs=runs,
        )
        if runs is not None:
            order.status = "In progress"
        self.orders[order_id] = order
        account.balance -= charge
        return order

    def _refund(self, order: FakeOrder) -> None:
        account = self._accounts.get(order.key)
        if account is None:
            return
        if order.status in {"Canceled", "Refunded"}:
            back = order.charge
        elif order.status == "Partial" and isinstance(order.remains, int) and order.quantity:
            back = (order.charge * order.remains / order.quantity).quantize(_Q5)
        else:
            return
        account.balance += back
        order.charge -= back

    def _ids(self, value: str) -> list[str]:
        ids = _split_ids(value)
        if not ids or len(ids) > MAX_IDS:
            raise _ApiError(ERR_INCORRECT_REQUEST)
        return ids

    def _cancel_form(self) -> str:
        if self.cancel_status_form not in {"cancels", "cancel_status"}:
            raise ValueError(f"unknown cancel_status_form {self.cancel_status_form!r}")
        return self.cancel_status_form

    # ---- add -----------------------------------------------------------------------------------

    def _add(self, key: str, account: _Account, f: dict[str, str]) -> dict[str, Any]:
        service = self._service(f.get("service", ""))
        if service is None:
            raise _ApiError(ERR_SERVICE)
        type_ = str(service.get("type", ""))
        min_ = _parse_int(service.get("min")) or 0
        max_ = _parse_int(service.get("max")) or 0
        fields = {k: v for k, v in f.items() if k not in {"key", "action"}}

        if type_ == "Subscriptions":
            quantity = self._validate_subscription(f, min_, max_)
            charge, link = Decimal(0), None
        else:
            rule = _TYPE_RULES.get(type_, _TYPE_RULES["Default"])
            link = f.get("link", "").strip()
            if not _LINK_RE.match(link):
                raise _ApiError(ERR_BAD_LINK)
            quantity = self._validate_quantity(type_, rule, service, f)
            if rule.check_range:
                self._check_range(quantity, min_, max_)
            charge = self._charge(service, quantity, flat=rule.flat)

        if link is not None and any(
            o.key == key
            and o.status not in FINAL_STATUSES
            and o.fields.get("link", "").strip() == link
            for o in self.orders.values()
        ):
            raise _ApiError(ERR_DUPLICATE_LINK)
        if charge > account.balance:
            raise _ApiError(ERR_FUNDS)
        order = self._new_order(key, account, service, fields, quantity, charge)
        return {"order": int(order.id)}

    @staticmethod
    def _check_range(quantity: int, min_: int, max_: int) -> None:
        if quantity < min_:
            raise _ApiError(f"Quantity less than minimal {min_}")
        if quantity > max_:
            raise _ApiError(f"Quantity more than maximum {max_}")

    @staticmethod
    def _require(f: dict[str, str], names: Iterable[str]) -> None:
        if any(not f.get(name, "").strip() for name in names):
            raise _ApiError(ERR_INCORRECT_REQUEST)

    def _validate_quantity(
        self, type_: str, rule: _TypeRule, service: dict[str, Any], f: dict[str, str]
    ) -> int:
        """Check type-specific fields; return the total quantity (drip-feed included)."""
        self._require(f, rule.required)
        if any(not _lines(f.get(name, "")) for name in rule.lists):
            raise _ApiError(ERR_INCORRECT_REQUEST)
        if type_ == "Web Traffic":
            traffic, device = f["type_of_traffic"].strip(), f["device"].strip()
            if traffic not in {"1", "2", "3"} or device not in {"1", "2", "3", "4", "5"}:
                raise _ApiError(ERR_INCORRECT_REQUEST)
            self._require(f, {"1": ["google_keyword"], "2": ["referring_url"]}.get(traffic, []))

        if rule.quantity == "one":
            quantity: int | None = 1
        elif rule.quantity == "lines":
            quantity = len(_lines(f.get(rule.lines_field, ""))) or None
        else:
            quantity = _parse_int(f.get("quantity", ""))
        if quantity is None:
            raise _ApiError(ERR_INCORRECT_REQUEST)

        runs_raw, interval_raw = f.get("runs", "").strip(), f.get("interval", "").strip()
        if runs_raw or interval_raw:
            if not _truthy(service.get("dripfeed")):
                raise _ApiError(ERR_DRIPFEED)
            runs, interval = _parse_int(runs_raw), _parse_int(interval_raw)
            if runs is None or interval is None or runs < 1 or interval < 0:
                raise _ApiError(ERR_INCORRECT_REQUEST)
            quantity *= runs
        return quantity

    def _validate_subscription(self, f: dict[str, str], min_: int, max_: int) -> int:
        """Subscriptions: username, min, max, delay; optional posts, old_posts, expiry.
        The charge is 0 at creation; the stored quantity is ``max``."""
        self._require(f, ("username", "min", "max", "delay"))
        low, high, delay = (_parse_int(f[name]) for name in ("min", "max", "delay"))
        if low is None or high is None or low > high or delay not in DELAYS:
            raise _ApiError(ERR_INCORRECT_REQUEST)
        for name in ("posts", "old_posts"):
            raw = f.get(name, "").strip()
            if raw and ((count := _parse_int(raw)) is None or count < 0):
                raise _ApiError(ERR_INCORRECT_REQUEST)
        expiry = f.get("expiry", "").strip()
        if expiry:
            try:
                datetime.strptime(expiry, "%d/%m/%Y")
            except ValueError:
                raise _ApiError(ERR_INCORRECT_REQUEST) from None
        self._check_range(low, min_, max_)
        self._check_range(high, min_, max_)
        return high

    # ---- status --------------------------------------------------------------------------------

    def _status_action(self, key: str, f: dict[str, str]) -> Any:
        if "orders" in f:
            return self._multi_status(key, f["orders"])
        if "order" in f:
            order = self._own_order(key, f["order"].strip())
            if order is None:
                raise _ApiError(ERR_INCORRECT_ORDER)
            return self._order_out(order)
        raise _ApiError(ERR_INCORRECT_REQUEST)

    def _multi_status(self, key: str, value: str) -> Any:
        dialect = self.multi_status_dialect
        if dialect == "smartpanel":
            pieces = value.split(",")
            if len(pieces) > MAX_IDS:
                raise _ApiError(ERR_INCORRECT_REQUEST)
            out: dict[str, Any] = {}
            for piece in pieces:
                order = self._own_order(key, piece.strip())
                out[piece] = ERR_INCORRECT_ORDER if order is None else self._order_out(order)
            return out
        ids = self._ids(value)
        if dialect == "pp":
            result: dict[str, Any] = {}
            for order_id in ids:
                order = self._own_order(key, order_id)
                result[order_id] = (
                    {"error": ERR_INCORRECT_ORDER} if order is None else self._order_out(order)
                )
            return result
        if dialect == "array":
            items: list[dict[str, Any]] = []
            for order_id in dict.fromkeys(ids):
                order = self._own_order(key, order_id)
                if order is None:
                    items.append({"error": ERR_INCORRECT_ORDER})
                else:
                    items.append({"order": _json_id(order_id), **self._order_out(order)})
            return items
        raise ValueError(f"unknown multi_status_dialect {dialect!r}")

    # ---- refill --------------------------------------------------------------------------------

    def _refill_action(self, key: str, f: dict[str, str]) -> Any:
        if "orders" in f:
            items = []
            for order_id in self._ids(f["orders"]):
                try:
                    refill: Any = int(self._refill_one(key, order_id))
                except _ApiError as err:
                    refill = {"error": err.message}
                items.append({"order": _json_id(order_id), "refill": refill})
            return items
        if "order" in f:
            refill_id = self._refill_one(key, f["order"].strip())
            return {"refill": int(refill_id) if self.numbers_as_numbers else refill_id}
        raise _ApiError(ERR_INCORRECT_REQUEST)

    def _refill_one(self, key: str, order_id: str) -> str:
        order = self._own_order(key, order_id)
        if order is None:
            raise _ApiError(ERR_INCORRECT_ORDER)
        service = self._service(str(order.service))
        busy = any(
            r.order_id == order.id and r.status in ACTIVE_REFILL_STATUSES
            for r in self.refills.values()
        )
        if (
            service is None
            or not _truthy(service.get("refill"))
            or order.status not in REFILLABLE_STATUSES
            or busy
        ):
            raise _ApiError(REFILL_ERROR_NOT_ELIGIBLE)
        refill_id = str(self._next_refill)
        self._next_refill += 1
        self.refills[refill_id] = FakeRefill(refill_id, key, order.id)
        return refill_id

    def _refill_status_action(self, key: str, f: dict[str, str]) -> Any:
        if "refills" in f:
            items = []
            for refill_id in self._ids(f["refills"]):
                refill = self.refills.get(refill_id)
                status: Any = (
                    self._spell(refill.status)
                    if refill is not None and refill.key == key
                    else {"error": REFILL_ERROR_NOT_FOUND}
                )
                items.append({"refill": _json_id(refill_id), "status": status})
            return items
        if "refill" in f:
            refill = self.refills.get(f["refill"].strip())
            if refill is None or refill.key != key:
                raise _ApiError(REFILL_ERROR_NOT_FOUND)
            return {"status": self._spell(refill.status)}
        raise _ApiError(ERR_INCORRECT_REQUEST)

    # ---- cancel --------------------------------------------------------------------------------

    def _cancel_action(self, key: str, f: dict[str, str]) -> Any:
        if "orders" in f:
            items = []
            for order_id in self._ids(f["orders"]):
                try:
                    cancel: Any = int(self._cancel_one(key, order_id))
                except _ApiError as err:
                    cancel = {"error": err.message}
                items.append({"order": _json_id(order_id), "cancel": cancel})
            return items
        if "cancels" in f and self._cancel_form() == "cancels":
            return self._cancel_statuses(key, f["cancels"])
        raise _ApiError(ERR_INCORRECT_REQUEST)

    def _cancel_one(self, key: str, order_id: str) -> str:
        order = self._own_order(key, order_id)
        if order is None:
            raise _ApiError(ERR_INCORRECT_ORDER)
        if any(c.order_id == order.id for c in self.cancels.values()):
            raise _ApiError(CANCEL_ERROR_EARLIER)
        service = self._service(str(order.service))
        if (
            service is None
            or not _truthy(service.get("cancel"))
            or order.status not in CANCELLABLE_STATUSES
        ):
            raise _ApiError(CANCEL_ERROR_NOT_ALLOWED)
        cancel_id = str(self._next_cancel)
        self._next_cancel += 1
        self.cancels[cancel_id] = FakeCancel(cancel_id, key, order.id)
        return cancel_id

    def _cancel_statuses(self, key: str, value: str) -> list[dict[str, Any]]:
        items = []
        for cancel_id in self._ids(value):
            cancel = self.cancels.get(cancel_id)
            status: Any = (
                self._spell(cancel.status)
                if cancel is not None and cancel.key == key
                else {"error": CANCEL_ERROR_NOT_FOUND}
            )
            items.append({"cancel": _json_id(cancel_id), "status": status})
        return items
