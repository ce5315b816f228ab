"""catalogue"""

from __future__ import annotations

import re

from bot.i18n import N_, _, isolate, n_
from bot.panel import (
    Service,
    ServiceType,
)
from bot.platforms import OTHER, Platform, without_platform
from bot.services.storefront import Basis, Price
from bot.texts.formatting import cut, esc, money, number, short


def catalogue_empty() -> str:
    return _("The panel has no services to offer right now.")


def categories_title(page: int, pages: int) -> str:
    # TRANSLATORS: {page} of {pages} pages of categories.
    return _(
        "🛒 <b>Choose a category</b> (page {page}/{pages})\n"
        "…or type a service name or id to search.",
        page=page + 1,
        pages=pages,
    )


def services_title(category: str, page: int, pages: int, marks: str = "") -> str:
    """`marks`: the marks on this page's buttons (their legend is shown, and only theirs)."""
    # TRANSLATORS: {category} is the panel's category name; {page} of {pages} pages.
    title = _(
        "📂 <b>{category}</b> (page {page}/{pages})\nChoose a service, or type to search.",
        category=esc(category),
        page=page + 1,
        pages=pages,
    )
    legend = marks_legend(marks)
    return f"{title}\n{legend}" if legend else title


def marks_legend(marks: str) -> str:
    """What the marks on the buttons mean: only those shown."""
    words = []
    if "♻️" in marks:
        # TRANSLATORS: a feature of a service (one can ask for a refill).
        words.append(_("♻️ refill"))
    if CANCEL_MARK in marks:
        # TRANSLATORS: a feature of a service (one can ask to cancel it).
        words.append(_("⏹ can be cancelled"))
    if "💧" in marks:
        # TRANSLATORS: a feature of a service (it can be delivered in runs over time).
        words.append(_("💧 drip-feed"))
    return " · ".join(words)


def platforms_title() -> str:
    return _("🛒 <b>Choose a platform</b>\n…or type a service name or id to search.")


def platform_name(platform: Platform) -> str:
    """A platform's name: brands as they are, the others in the reader's words."""
    if platform == OTHER:
        # TRANSLATORS: the platform of categories naming no known platform (a button).
        return _("Other")
    if platform.code == "website":
        # TRANSLATORS: the "platform" of website traffic and SEO services (a button).
        return _("Website traffic")
    return platform.name


def platform_button(platform: Platform, services: int) -> str:
    """A platform's button: its emoji, name and how many services it offers (plain text)."""
    return f"{platform.emoji} {isolate(platform_name(platform))} · {number(services)}"


def platform_title(platform: Platform, page: int, pages: int) -> str:
    # TRANSLATORS: {platform} is a platform's name (Instagram, TikTok…); {page} of {pages}
    # pages of its categories.
    return _(
        "{emoji} <b>{platform}</b>: choose a category (page {page}/{pages})\n"
        "…or type a service name or id to search.",
        emoji=platform.emoji,
        platform=esc(platform_name(platform)),
        page=page + 1,
        pages=pages,
    )


def category_label(category: str, in_platform: bool) -> str:
    """A category's button: without its platform's word inside that platform's list."""
    return cut(without_platform(category) if in_platform else category, CATEGORY_LABEL)


CATEGORY_LABEL = 40


def search_title(query: str, found: int, page: int, pages: int) -> str:
    # TRANSLATORS: {query} is what the user typed; {page} of {pages} pages of results.
    return n_(
        "🔎 <b>{count}</b> service matches “{query}” (page {page}/{pages})",
        "🔎 <b>{count}</b> services match “{query}” (page {page}/{pages})",
        found,
        count=number(found),
        query=short(query, 40),
        page=page + 1,
        pages=pages,
    )


def search_none(query: str) -> str:
    # TRANSLATORS: {query} is what the user typed.
    return _(
        "🔎 Nothing matches “{query}”. Try another word, or pick a category.",
        query=short(query, 40),
    )


# Not ✖️: that is the Cancel button's; this mark says the service *can be* cancelled.
CANCEL_MARK = "⏹"


def service_marks(service: Service) -> str:
    marks = ""
    if service.refill:
        marks += "♻️"
    if service.cancel:
        marks += CANCEL_MARK
    if service.dripfeed:
        marks += "💧"
    return marks


def price_label(price: Price) -> str:
    """A price as charged, short, with the account's currency: "4.50 USD" (a package),
    "0.90 USD/1k", "≤2.00 USD/post" (a subscription's most per post). Plain text."""
    amount = money(price.amount, price.currency)
    if price.basis is Basis.FLAT:
        return amount
    if price.basis is Basis.PER_POST:
        # TRANSLATORS: on a subscription's button (keep it short): at most {price} per post.
        return _("≤{price}/post", price=amount)
    # TRANSLATORS: on a service's button (keep it short): {price} for every 1000 ("1k").
    return _("{price}/1k", price=amount)


SERVICE_NAME_BUDGET = 36  # characters of a name on a button, after the price

# Parts of a name that tell services apart, most telling first: kept when a name is shortened.
_TELLING = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"refill|\br\d+\b|drop|guarantee|lifetime|♻",  # refill and drop
        r"speed|⚡|/\s*d(ay)?\b|per\s*day",  # speed
        r"start|instant|hour|\bmin|\b\d+\s*[hd]\b",  # start time
        r"real|hq|premium|bot|cheap|target|quality|fast|slow",  # quality
    )
)
_SEPARATORS = re.compile(r"\s*(?:\||•|~|—|–|\s-\s|\[|\]|\(|\)|【|】)\s*")
_ABBREVIATIONS = (
    (re.compile(r"(\d+)\s*days?\b", re.IGNORECASE), r"\1D"),
    (re.compile(r"(\d+)\s*hours?\b", re.IGNORECASE), r"\1h"),
    (re.compile(r"\s*per\s*day\b", re.IGNORECASE), "/day"),
    (re.compile(r"\bspeed\s*:?\s*", re.IGNORECASE), "⚡"),
    (re.compile(r"\s+"), " "),
)


def short_name(name: str, limit: int = SERVICE_NAME_BUDGET, drop: str = "") -> str:
    """A service's name to fit `limit` characters on a button, keeping what tells it apart.

    The platform's word (`drop`, when the list already names it) goes first; then "30 Days"
    becomes "30D", "Speed:" ⚡; if still too long, the name's parts (between |, [ ], ( ), " - ")
    are kept, in their order, by use: the first (what it is), then those about refill or
    drop, speed, start time, quality, then the rest while they fit; a cut "…" only as a last
    resort. The price comes first on the button: a phone that cuts a long label still shows
    it."""
    text = without_platform(name) if drop else name
    text = text.strip() or name
    if len(text) <= limit:
        return text
    for pattern, replacement in _ABBREVIATIONS:
        text = pattern.sub(replacement, text)
    text = text.strip()
    if len(text) <= limit:
        return text
    parts = [part for part in _SEPARATORS.split(text) if part and part.strip(" -:,.")]
    if not parts:
        return cut(text, limit)
    chosen = {0}
    order = sorted(range(1, len(parts)), key=lambda i: (_telling(parts[i]), i))
    for i in order:
        candidate = chosen | {i}
        if len(_joined(parts, candidate)) <= limit:
            chosen = candidate
    return cut(_joined(parts, chosen), limit)


def _telling(part: str) -> int:
    """How telling a part of a name is (0 most; len(_TELLING) for the rest)."""
    return next((n for n, pattern in enumerate(_TELLING) if pattern.search(part)), len(_TELLING))


def _joined(parts: list[str], chosen: set[int]) -> str:
    return " · ".join(parts[i] for i in sorted(chosen))


def service_button(service: Service, price: Price, *, in_platform: bool = False) -> str:
    """Price first, so a phone never hides it, then the name shortened to fit and the marks.
    Labels are plain text: no escaping."""
    # TRANSLATORS: a service's button (plain text, keep it short): its price as charged (e.g.
    # "0.90 USD/1k" or "4.50 USD"), the panel's service name (shortened), marks (♻️ ⏹ 💧).
    label = _(
        "{price} · {name} {marks}",
        price=price_label(price),
        name=short_name(service.name, drop="yes" if in_platform else ""),
        marks=service_marks(service),
    )
    return label.strip()


DESCRIPTION_SHORT = 300  # characters of a description on the card before "more"
DESCRIPTION_FULL = 3000


def description_is_long(service: Service) -> bool:
    return bool(service.description) and len(service.description or "") > DESCRIPTION_SHORT


def card_price(price: Price) -> str:
    amount = money(price.amount, price.currency)
    if price.basis is Basis.FLAT:
        # TRANSLATORS: a package's price: the whole order costs {price}.
        return _("💵 {price} for the package", price=amount)
    if price.basis is Basis.PER_POST:
        # TRANSLATORS: a subscription: at most {price} for each new post (at the largest
        # quantity), {rate} for every 1000.
        return _(
            "💵 up to {price} per post ({rate} per 1000)",
            price=amount,
            rate=money(price.rate, price.currency),
        )
    # TRANSLATORS: {price} is the price with the account's currency code.
    return _("💵 {price} per 1000", price=amount)


def service_card(service: Service, price: Price, *, full: bool = False) -> str:
    """The card: the full name, id, category, price as charged, range, features, average
    time and the description (shortened unless `full`: the card's "More" shows it whole)."""
    lines = [
        f"<b>{esc(service.name)}</b>",
        # TRANSLATORS: the service's id on the panel and the panel's category name.
        _("ID {id} · {category}", id=esc(service.id), category=esc(service.category)),
        card_price(price),
        f"📏 {number(service.min)} – {number(service.max)}",
    ]
    features = []
    if service.refill:
        # TRANSLATORS: a feature of a service (one can ask for a refill).
        features.append(_("♻️ refill"))
    if service.cancel:
        # TRANSLATORS: a feature of a service (one can ask to cancel it).
        features.append(_("⏹ can be cancelled"))
    if service.dripfeed:
        # TRANSLATORS: a feature of a service (it can be delivered in runs over time).
        features.append(_("💧 drip-feed"))
    if features:
        lines.append(" · ".join(features))
    if service.average_time:
        # TRANSLATORS: how long the panel says orders of this service take on average
        # ({time} is the panel's own words, e.g. "2 hours 10 minutes").
        lines.append(_("⏱ Average time: {time}", time=short(service.average_time, 80)))
    if service.description:
        limit = DESCRIPTION_FULL if full else DESCRIPTION_SHORT
        lines.append("\n" + short(service.description.strip(), limit))
    return "\n".join(lines)


def button_more() -> str:
    # TRANSLATORS: a button under a service's card: show its whole description.
    return _("📖 More")


def service_unsupported(service: Service) -> str:
    # TRANSLATORS: {name} is the panel's service name; {type} the panel's name of its type.
    return _(
        "🚫 “{name}” is a <i>{type}</i> service, which can't be ordered from the bot. "
        "Please choose another service.",
        name=esc(service.name),
        type=esc(service.type_raw),
    )


# "This panel can't take … through the bot", per type the panel cannot create through its API
# (one whole sentence each); other types get `_PANEL_CANNOT_TAKE_TYPE` with the type's code.
PANEL_TYPE_NAMES: dict[ServiceType, str] = {
    # TRANSLATORS: {service} is the panel's service name.
    ServiceType.SUBSCRIPTIONS: N_(
        "🚫 This panel can't take subscriptions through the bot; order “{service}” on the "
        "panel's website. Please choose another service here."
    ),
}
# TRANSLATORS: {type} is the service type's code on the panel ("custom comments"); {service}
# the panel's service name.
_PANEL_CANNOT_TAKE_TYPE = N_(
    "🚫 This panel can't take “{type}” orders through the bot; order “{service}” on the "
    "panel's website. Please choose another service here."
)


def panel_cannot_take(service_type: ServiceType, service_name: str) -> str:
    """A type the panel cannot create through its API (SmartPanel's subscriptions)."""
    message = PANEL_TYPE_NAMES.get(service_type, _PANEL_CANNOT_TAKE_TYPE)
    return _(
        message,
        type=esc(service_type.value.replace("_", " ")),
        service=esc(service_name),
    )


def service_gone() -> str:
    return _("This service is no longer in the panel's list. Please choose another one.")


def service_not_offered() -> str:
    """A service the operators hid (Order again, or a button of an older list)."""
    return _("This service is no longer offered here. Please choose another one.")
