"""Errors raised by the panel client.

`message` is the panel's own text (or a short description of a transport failure); it is safe
to show to an operator and never contains the API key.
"""

from __future__ import annotations

import re


class PanelError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidKey(PanelError):
    """The API key is wrong, disabled or its user is blocked."""


class NotEnoughFunds(PanelError):
    pass


class BadService(PanelError):
    """Unknown, disabled or foreign service id."""


class QuantityOutOfRange(PanelError):
    pass


class BadLink(PanelError):
    pass


class ActiveOrderForLink(PanelError):
    """The panel refuses a second active order for the same link."""


class OrderNotFound(PanelError):
    pass


class DripfeedNotSupported(PanelError):
    pass


class PanelRejected(PanelError):
    """Any other logical error the panel reported; the request was refused."""


class PanelUnavailable(PanelError):
    """The panel could not be reached or answered with something that is not an API reply
    (timeout, connection error, 5xx, HTML, empty or non-JSON body, 429, redirect)."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after  # seconds, from a 429/503 Retry-After header


class OutcomeUnknown(PanelError):
    """add/refill/cancel: the request may have reached the panel and its result is unknown.

    Deliberately not a PanelUnavailable: retrying could place a second order. Reconcile first
    (e.g. look for the order in the panel) before trying again."""


# Ordered (pattern, class); the first match wins. Texts from panel-api-notes.md §3.2 and the
# untranslated PerfectPanel keys (`neworder.error.*`) some panels leak.
_RULES: tuple[tuple[re.Pattern[str], type[PanelError]], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), cls)
    for pattern, cls in (
        (
            r"(invalid|incorrect|wrong|bad)[ _]api[ _]key|api is disable|invalid_key|"
            r"api[ _]key[ _](is )?(invalid|incorrect|disabled)",
            InvalidKey,
        ),
        (r"not[ _]enough[ _]funds|insufficient[ _](funds|balance)", NotEnoughFunds),
        (
            r"not support\w*\b.*drip[ _-]?feed|drip[ _-]?feed.*not (supported|available)",
            DripfeedNotSupported,
        ),
        (r"active order with this link|link_duplicate", ActiveOrderForLink),
        (
            r"incorrect[ _]service|service id does not exist|service_not_found|invalid_service|"
            r"service_inactive|service (not found|is disabled|is inactive)",
            BadService,
        ),
        (
            r"quantity (less|more) than|(min|max)_quantity|total quantity must|"
            r"quantity must (to )?be (greater|less)",
            QuantityOutOfRange,
        ),
        (r"bad[ _]link|incorrect[ _]link|invalid[ _]link|link_not_found", BadLink),
        (r"incorrect[ _]order[ _]id|order[ _]not[ _]found|order_not_found", OrderNotFound),
    )
)
_INVALID_REQUEST = re.compile(
    r"^\s*(incorrect request|invalid request|this action is invalid|"
    r"the selected action is invalid)\.?\s*$",
    re.IGNORECASE,
)


def classify_error(text: str) -> PanelError:
    """The typed error for a panel's error text; unknown texts -> PanelRejected."""
    for pattern, cls in _RULES:
        if pattern.search(text):
            return cls(text)
    return PanelRejected(text)


def is_invalid_request(text: str) -> bool:
    """The panel did not understand the action or its parameters ("Incorrect request")."""
    return bool(_INVALID_REQUEST.match(text))
