"""Errors raised by the panel client, and the mapping of panel error texts to them.

`message` is the panel's own text (or a short description of a transport failure); it is safe
to show to an operator and never contains the API key. Each dialect words the same refusal
differently (seed/PerfectPanel, SmartPanel, BoostedSMM: real-panels.md); `classify_error` gives
them one type each, so the text layer can tell the customer one plain sentence per type.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Literal

from .models import reply_error


class PanelError(Exception):
    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        # The panel's own error number, when it sends one (BoostedSMM: "104", 108, ...).
        self.code = code


class InvalidKey(PanelError):
    """The API key is wrong, disabled or its user is blocked."""


class NotEnoughFunds(PanelError):
    pass


class BadService(PanelError):
    """Unknown, disabled or foreign service id."""


class QuantityOutOfRange(PanelError):
    """Below the service's minimum or above its maximum.

    `bound` says which ("min"/"max", None when the wording does not say) and `limit` is the
    number the panel stated ("minimum amount 100"), None when it stated none."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        bound: Literal["min", "max"] | None = None,
        limit: int | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.bound = bound
        self.limit = limit


class BadLink(PanelError):
    pass


class MissingField(BadLink):
    """A required field was empty ("You must fill in the required fields."): BoostedSMM's
    answer to a missing link, and to a subscription without its details."""


class ActiveOrderForLink(PanelError):
    """The panel refuses a second active order for the same link."""


class OrderNotFound(PanelError):
    pass


class DripfeedNotSupported(PanelError):
    pass


class PanelRejected(PanelError):
    """Any other logical error the panel reported; the request was refused."""


class ActionUnsupported(PanelRejected):
    """The panel does not offer this action, or this form of it, through its API.

    SmartPanel's "This action is Invalid" (refill, cancel, ...), BoostedSMM's `null` body
    (cancel, unknown actions) and its "Order not found." (104) to any several-ids status, the
    seed's "Incorrect request" to anything but `add`. Not "order not found": the ids may well
    exist. A PanelRejected, so code that treats it as a refusal keeps working; nothing was done.
    An HTTP 500 with a blank body (BoostedSMM's refill) is not this: it says nothing about what
    happened, so it stays PanelUnavailable (reads) or OutcomeUnknown (writes)."""


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


NULL_REPLY = "This action is not supported by the panel (it answered null)"

# Ordered (pattern, class); the first match wins. Texts from panel-api-notes.md §3.2, the
# untranslated PerfectPanel keys (`neworder.error.*`) some panels leak, and the two self-hosted
# scripts of real-panels.md (SmartPanel S17-S23, S33-S40; BoostedSMM B10-B18, B22-B30).
_RULES: tuple[tuple[re.Pattern[str], type[PanelError]], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), cls)
    for pattern, cls in (
        (
            r"(invalid|incorrect|wrong|bad)[ _]api[ _]key|api is disable|invalid_key|"
            r"api[ _]key[ _](is )?(invalid|incorrect|disabled)",
            InvalidKey,
        ),
        (
            r"not[ _]enough[ _]funds|insufficient[ _](funds|balance)|"
            r"balance is (insufficient|not enough|too low)",
            NotEnoughFunds,
        ),
        (
            r"not support\w*\b.*drip[ _-]?feed|drip[ _-]?feed.*not (supported|available)",
            DripfeedNotSupported,
        ),
        (
            r"this action is invalid|the selected action is invalid|invalid action|"
            r"unknown action|action is not supported",
            ActionUnsupported,
        ),
        (r"active order with this link|link_duplicate", ActiveOrderForLink),
        (
            r"incorrect[ _]service|service id does not exist|service_not_found|invalid_service|"
            r"service_inactive|service (not found|is disabled|is inactive)",
            BadService,
        ),
        (
            r"quantity (less|more) than|(min|max)_quantity|total quantity must|"
            r"quantity must (to )?be (greater|less)|value (above|below) the (minimum|maximum)|"
            r"(minimum|maximum) number exceed",
            QuantityOutOfRange,
        ),
        (r"bad[ _]link|incorrect[ _]link|invalid[ _]link|link_not_found", BadLink),
        (r"fill in the required field|required fields? (is |are )?(missing|empty)", MissingField),
        (r"incorrect[ _]order[ _]id|order[ _]not[ _]found|order_not_found", OrderNotFound),
    )
)
_INVALID_REQUEST = re.compile(
    r"^\s*(incorrect request|invalid request|this action is invalid|"
    r"the selected action is invalid)\.?\s*$",
    re.IGNORECASE,
)
_STATED_NUMBER = re.compile(r"\d+(?:[ ,]\d{3})*")


def _quantity_error(text: str, code: str | None) -> QuantityOutOfRange:
    """Which bound the wording names and the number it states, if any: "minimum amount 100",
    "less than minimal 50" carry one; "Enter a value above the minimum number." does not."""
    says_min = re.search(r"min", text, re.IGNORECASE) is not None
    says_max = re.search(r"max", text, re.IGNORECASE) is not None
    bound: Literal["min", "max"] | None = None
    if says_min != says_max:
        bound = "min" if says_min else "max"
    numbers = _STATED_NUMBER.findall(text)
    limit = int(re.sub(r"[ ,]", "", numbers[-1])) if numbers else None
    return QuantityOutOfRange(text, code=code, bound=bound, limit=limit)


def classify_error(text: str, *, code: str | None = None) -> PanelError:
    """The typed error for a panel's error text; unknown texts -> PanelRejected."""
    for pattern, cls in _RULES:
        if pattern.search(text):
            if cls is QuantityOutOfRange:
                return _quantity_error(text, code)
            return cls(text, code=code)
    return PanelRejected(text, code=code)


def is_invalid_request(text: str) -> bool:
    """The panel did not understand the action or its parameters ("Incorrect request")."""
    return bool(_INVALID_REQUEST.match(text))


def error_code(payload: object) -> str | None:
    """The number an error reply carries beside its text (BoostedSMM:
    `{"error": "Order not found.", "status": "104"}`, the number sometimes a JSON number)."""
    if not isinstance(payload, Mapping) or payload.get("error") in (None, "", False):
        return None
    status = payload.get("status")
    if isinstance(status, int) and not isinstance(status, bool):
        return str(status)
    if isinstance(status, str) and status.strip().isdigit():
        return status.strip()
    return None


# BoostedSMM answers every several-ids status with this code: it only takes `order=`.
_ONE_ID_ONLY_CODES = frozenset({"104"})


def classify_reply(
    payload: object,
    *,
    action: str = "",
    several: bool = False,
    redact: Callable[[str], str] = str,
) -> PanelError | None:
    """The error a decoded reply stands for, or None when it is not an error reply.

    `action` and `several` (the request carried a list of ids: `orders=`, `refills=`,
    `cancels=`) tell the refusals that depend on the request apart:
    - `null` (BoostedSMM's unknown action) -> ActionUnsupported;
    - "Incorrect request"/"Invalid request" -> ActionUnsupported, except on `add`, where the
      seed says it for a missing field (the action exists);
    - BoostedSMM's 104 "Order not found." on a several-ids request -> ActionUnsupported (it
      says so whatever the ids); on one id it is OrderNotFound.
    `redact` scrubs secrets from the panel's text before it goes into the error."""
    if payload is None:
        return ActionUnsupported(NULL_REPLY)
    text = reply_error(payload)
    if text is None:
        return None
    text = redact(text)
    code = error_code(payload)
    if several and code in _ONE_ID_ONLY_CODES:
        return ActionUnsupported(text, code=code)
    if action != "add" and is_invalid_request(text):
        return ActionUnsupported(text, code=code)
    return classify_error(text, code=code)
