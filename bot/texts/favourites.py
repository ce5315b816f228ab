"""Favourites and quick repeats: the star on a service's card, the favourites list, quick
quantities, recent links, and Order again of an order whose service the bot never knew."""

from __future__ import annotations

from bot.i18n import _
from bot.texts.formatting import cut, esc, number

BUTTON_LINK_LIMIT = 40  # characters of a recent link on its button


def button_star() -> str:
    # TRANSLATORS: button under a service's card (≤ ~30 characters): add it to the favourites,
    # which come first in /order.
    return _("☆ Add to favourites")


def button_unstar() -> str:
    # TRANSLATORS: button under a service's card that is a favourite (≤ ~30 characters).
    return _("⭐ Remove from favourites")


def starred() -> str:
    # TRANSLATORS: the answer to a tap (a short popup, plain text).
    return _("⭐ Added to your favourites: they come first in /order.")


def unstarred() -> str:
    # TRANSLATORS: the answer to a tap (a short popup, plain text).
    return _("Removed from your favourites.")


def too_many(maximum: int) -> str:
    # TRANSLATORS: the answer to a tap (a popup, plain text).
    return _("You have {maximum} favourites already: remove one first.", maximum=number(maximum))


def button_favourites(count: int) -> str:
    # TRANSLATORS: the first button in /order (≤ ~30 characters): the starred services.
    return _("⭐ Favourites ({count})", count=number(count))


def favourites_title() -> str:
    return _(
        "⭐ <b>Your favourites</b>\n"
        "Choose a service. The star under its card removes it from here."
    )


def button_unavailable(name: str) -> str:
    # TRANSLATORS: a favourite that can no longer be ordered (plain text, keep it short);
    # {name} is the service's name when it was starred. Tapping it removes it.
    return _("🚫 {name} · unavailable, remove", name=cut(name, 30))


def unavailable_note() -> str:
    return _("🚫 Some favourites can no longer be ordered here: tap one to remove it.")


def removed(name: str) -> str:
    # TRANSLATORS: {name} is the service's name when it was starred.
    return _("Removed “{name}” from your favourites.", name=esc(cut(name, 60)))


def recent_link(link: str) -> str:
    # TRANSLATORS: a button under the link question: a link this service was ordered for
    # lately (plain text).
    return _("🔗 {link}", link=cut(link, BUTTON_LINK_LIMIT))


def limits_changed(minimum: int, maximum: int) -> str:
    # TRANSLATORS: a quantity button was tapped after the panel changed the service's limits.
    return _(
        "⚠️ This service's limits have changed: now {min} – {max}. "
        "Please choose the quantity again.",
        min=number(minimum),
        max=number(maximum),
    )


def again_pick_service() -> str:
    # TRANSLATORS: Order again on an order placed on the panel's website: the panel never
    # tells which service such an order was.
    return _(
        "🔁 This order was placed on the panel's website, so I don't know its service. "
        "Choose it below, or type its name or id."
    )
