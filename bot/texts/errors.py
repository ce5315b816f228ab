"""errors"""

from __future__ import annotations

from bot.i18n import _
from bot.panel import (
    ActionUnsupported,
    ActiveOrderForLink,
    BadLink,
    BadService,
    DripfeedNotSupported,
    InvalidKey,
    MissingField,
    NotEnoughFunds,
    OrderNotFound,
    PanelError,
    PanelUnavailable,
    QuantityOutOfRange,
    classify_error,
)
from bot.texts.common import panel_unavailable
from bot.texts.formatting import PANEL_TEXT_LIMIT, number, sentence, short


def key_invalid_now() -> str:
    return _("🔑 The panel no longer accepts your API key. Connect a valid one with /key.")


# One plain sentence per kind of refusal, whatever the panel's wording (seed, SmartPanel,
# BoostedSMM: bot/panel/errors.py classifies them); the panel's own text only when unknown.
# Lower-case fragments: they follow "The panel refused the order:" (or "The panel did not
# accept this key:"), or stand alone with their first letter capitalised by `sentence()`;
# each is a whole clause, so a translation can stand in both places.
def key_wrong() -> str:
    # TRANSLATORS: a whole lower-case clause shown after "The panel did not accept this key:".
    return _("it says the key is wrong, disabled, or its account is blocked.")


def refused_invalid_key() -> str:
    # TRANSLATORS: a whole lower-case clause shown after "The panel refused the order:" (or
    # alone, its first letter then capitalised).
    return _("the panel no longer accepts your API key. Connect a valid one with /key.")


def refused_no_funds() -> str:
    # TRANSLATORS: a whole lower-case clause shown after "The panel refused the order:" (or
    # alone, its first letter then capitalised).
    return _(
        "your balance on the panel is too low. Top it up on the panel's website, then try again."
    )


def refused_bad_service() -> str:
    # TRANSLATORS: a whole lower-case clause shown after "The panel refused the order:" (or
    # alone, its first letter then capitalised).
    return _("the panel doesn't offer this service any more. Please pick another one.")


def refused_bad_link() -> str:
    # TRANSLATORS: a whole lower-case clause shown after "The panel refused the order:" (or
    # alone, its first letter then capitalised).
    return _("the panel didn't accept the link. Check it and send the full address (https://…).")


def refused_missing_field() -> str:
    # TRANSLATORS: a whole lower-case clause shown after "The panel refused the order:" (or
    # alone, its first letter then capitalised).
    return _("a detail the panel needs is missing (usually the link).")


def refused_unsupported() -> str:
    # TRANSLATORS: a whole lower-case clause shown after "The panel refused the order:" (or
    # alone, its first letter then capitalised): the panel has no refill/cancel action.
    return _("this panel doesn't offer that through its API.")


def refused_no_dripfeed() -> str:
    # TRANSLATORS: a whole lower-case clause shown after "The panel refused the order:" (or
    # alone, its first letter then capitalised).
    return _("this service can't be drip-fed. Order it all at once.")


def refused_active_link() -> str:
    # TRANSLATORS: a whole lower-case clause shown after "The panel refused the order:" (or
    # alone, its first letter then capitalised).
    return _("there is already an active order for this link. Wait until it finishes.")


def refused_unknown_order() -> str:
    # TRANSLATORS: a whole lower-case clause shown after "The panel refused the order:" (or
    # alone, its first letter then capitalised).
    return _("the panel doesn't know this order.")


def quantity_refused(bound: str | None, limit: int | None) -> str:
    """Below the minimum / above the maximum, with the number when the panel stated it."""
    if bound == "min":
        if limit is not None:
            # TRANSLATORS: a whole lower-case clause shown after "The panel refused the order:"
            # (or alone, its first letter then capitalised); {limit} is a quantity.
            return _(
                "the quantity is below this service's minimum of {limit}.", limit=number(limit)
            )
        # TRANSLATORS: a whole lower-case clause shown after "The panel refused the order:" (or
        # alone, its first letter then capitalised).
        return _("the quantity is below this service's minimum.")
    if bound == "max":
        if limit is not None:
            # TRANSLATORS: a whole lower-case clause shown after "The panel refused the order:"
            # (or alone, its first letter then capitalised); {limit} is a quantity.
            return _(
                "the quantity is above this service's maximum of {limit}.", limit=number(limit)
            )
        # TRANSLATORS: a whole lower-case clause shown after "The panel refused the order:" (or
        # alone, its first letter then capitalised).
        return _("the quantity is above this service's maximum.")
    # TRANSLATORS: a whole lower-case clause shown after "The panel refused the order:" (or
    # alone, its first letter then capitalised).
    return _("the quantity is outside what this service allows.")


def refusal(error: PanelError) -> str | None:
    """The plain fragment for a known kind of refusal; None when the kind is unknown."""
    if isinstance(error, QuantityOutOfRange):
        return quantity_refused(error.bound, error.limit)
    kinds: tuple[tuple[type[PanelError], str], ...] = (
        (InvalidKey, refused_invalid_key()),
        (NotEnoughFunds, refused_no_funds()),
        (BadService, refused_bad_service()),
        (MissingField, refused_missing_field()),  # before BadLink, its parent
        (BadLink, refused_bad_link()),
        (ActionUnsupported, refused_unsupported()),
        (DripfeedNotSupported, refused_no_dripfeed()),
        (ActiveOrderForLink, refused_active_link()),
        (OrderNotFound, refused_unknown_order()),
    )
    for kind, text in kinds:
        if isinstance(error, kind):
            return text
    return None


def panel_said(message: str) -> str:
    """A panel's message: its plain sentence when the kind is known, else quoted."""
    known = refusal(classify_error(message))
    if known is not None:
        return f"⚠️ {sentence(known)}"
    # TRANSLATORS: {message} is the panel's own words, as it sent them.
    return _("⚠️ The panel said: <i>{message}</i>", message=short(message, PANEL_TEXT_LIMIT))


def panel_error(error: PanelError) -> str:
    """What to tell a user about a panel call that failed."""
    if isinstance(error, InvalidKey):
        return key_invalid_now()
    if isinstance(error, PanelUnavailable):
        return panel_unavailable()
    known = refusal(error)
    if known is not None:
        return f"⚠️ {sentence(known)}"
    return panel_said(error.message)


def item_error_line(message: str) -> str:
    """One id's problem in a list: the plain sentence when its kind is known."""
    known = refusal(classify_error(message))
    return f"⚠️ {sentence(known) if known is not None else short(message, 120)}"
