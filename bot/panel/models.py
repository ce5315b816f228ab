"""Typed results of the SMM panel API v2 and tolerant parsers for what real panels send.

Everything here is pure: it turns already-decoded JSON into frozen dataclasses. Panels disagree
on almost every detail (numbers as strings or numbers, boolean spellings, type and status
spellings, several shapes of multi-id replies), so each parser accepts every variant listed in
panel-api-notes.md §6 and never guesses a value it was not given.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar

logger = logging.getLogger(__name__)


class ServiceType(StrEnum):
    DEFAULT = "default"
    SEO = "seo"
    CUSTOM_COMMENTS = "custom_comments"
    MENTIONS_WITH_HASHTAGS = "mentions_with_hashtags"
    MENTIONS_CUSTOM_LIST = "mentions_custom_list"
    MENTIONS_HASHTAG = "mentions_hashtag"
    MENTIONS_USER_FOLLOWERS = "mentions_user_followers"
    MENTIONS_MEDIA_LIKERS = "mentions_media_likers"
    MENTIONS = "mentions"
    PACKAGE = "package"
    CUSTOM_COMMENTS_PACKAGE = "custom_comments_package"
    COMMENT_LIKES = "comment_likes"
    POLL = "poll"
    INVITES_FROM_GROUPS = "invites_from_groups"
    SUBSCRIPTIONS = "subscriptions"
    WEB_TRAFFIC = "web_traffic"
    COMMENT_REPLIES = "comment_replies"
    UNKNOWN = "unknown"


# Per-word fixes applied after lower-casing and singularising: typos seen in real enums.
_TYPE_WORD_FIXES = {"hastag": "hashtag", "hashtage": "hashtag"}


def _type_words(raw: str) -> str:
    words = re.split(r"[\s_\-]+", raw.strip().lower())
    out = []
    for word in words:
        if word.endswith("ies") and len(word) > 4:
            word = word[:-3] + "y"  # replies -> reply
        elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
            word = word[:-1]  # mentions -> mention, users -> user, subscriptions -> ...
        out.append(_TYPE_WORD_FIXES.get(word, word))
    return " ".join(w for w in out if w)


_TYPE_BY_WORDS: dict[str, ServiceType] = {
    _type_words(member.value): member
    for member in ServiceType
    if member is not ServiceType.UNKNOWN
}


def normalize_service_type(raw: str) -> ServiceType:
    """Map any spelling of a PP service type ("Custom Comments", "custom_comments",
    "Subscription", "Mentions Users Followers", "mentions hastag") to a ServiceType."""
    return _TYPE_BY_WORDS.get(_type_words(raw or ""), ServiceType.UNKNOWN)


class OrderState(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    PROCESSING = "processing"
    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"
    PARTIAL = "partial"
    CANCELED = "canceled"
    REFUNDED = "refunded"
    FAILED = "failed"
    EXPIRED = "expired"
    REJECTED = "rejected"
    UNKNOWN = "unknown"


_STATE_BY_WORD: dict[str, OrderState] = {
    "pending": OrderState.PENDING,
    "awaiting": OrderState.PENDING,  # SmartPanel DB state before the provider accepts it
    "inprogress": OrderState.IN_PROGRESS,
    "processing": OrderState.PROCESSING,
    "active": OrderState.ACTIVE,
    "paused": OrderState.PAUSED,
    "completed": OrderState.COMPLETED,
    "complete": OrderState.COMPLETED,
    "partial": OrderState.PARTIAL,
    "canceled": OrderState.CANCELED,
    "cancelled": OrderState.CANCELED,
    "refunded": OrderState.REFUNDED,
    "fail": OrderState.FAILED,
    "failed": OrderState.FAILED,
    "error": OrderState.FAILED,
    "expired": OrderState.EXPIRED,
    "rejected": OrderState.REJECTED,
}


def normalize_state(raw: str | None) -> OrderState:
    """Map an order/refill/cancel status word to an OrderState; unknown words -> UNKNOWN."""
    if not isinstance(raw, str):
        return OrderState.UNKNOWN
    return _STATE_BY_WORD.get(re.sub(r"[\s_\-]+", "", raw.lower()), OrderState.UNKNOWN)


FINAL_STATES: frozenset[OrderState] = frozenset(
    {
        OrderState.COMPLETED,
        OrderState.PARTIAL,
        OrderState.CANCELED,
        OrderState.REFUNDED,
        OrderState.FAILED,
        OrderState.EXPIRED,
        OrderState.REJECTED,
    }
)
FINAL_STATE_VALUES: frozenset[str] = frozenset(state.value for state in FINAL_STATES)
"""The same, as stored in the database (`status` columns)."""


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    type: ServiceType
    type_raw: str
    category: str
    rate: Decimal  # price per 1000 units (flat price for packages), account currency
    min: int
    max: int
    dripfeed: bool | None  # None: the panel did not say
    refill: bool | None
    cancel: bool | None
    description: str | None = None
    average_time: str | None = None  # the panel's own words ("2 hours"), when it sends it


@dataclass(frozen=True)
class Balance:
    amount: Decimal
    currency: str  # "" when the panel did not say


@dataclass(frozen=True)
class ItemError:
    """A per-item error inside a multi-id reply (the rest of the reply is still valid)."""

    id: str
    message: str


@dataclass(frozen=True)
class OrderStatus:
    order_id: str
    state: OrderState
    status_raw: str
    charge: Decimal | None
    start_count: int | None
    # None = unknown ("Unknown", missing; drip-feed/subscription parents have none).
    # Negative = over-delivered by that many; SmartPanel re-serves a negative upstream value
    # as the string "+N", which is parsed back to -N.
    remains: int | None
    currency: str | None

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES


@dataclass(frozen=True)
class RefillCreated:
    order_id: str
    refill_id: str | None  # None: accepted with a success message but no id


@dataclass(frozen=True)
class CancelCreated:
    order_id: str
    cancel_id: str | None  # None: accepted with a success message but no id


@dataclass(frozen=True)
class TaskStatus:
    """Status of a refill or cancel request."""

    task_id: str
    state: OrderState
    status_raw: str


# ---------------------------------------------------------------------------------------------
# Scalar parsers


def parse_decimal(value: object) -> Decimal | None:
    """A number from a JSON number or a string such as "0.90", "$0.50", "10,000", "1 234,5".

    Returns None for missing, empty or non-numeric values ("Unknown")."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        result = Decimal(repr(value))  # repr keeps the shortest exact text, not binary noise
        return result if result.is_finite() else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        result = Decimal(text)
    except InvalidOperation:
        # Drop currency signs, codes and spaces, keep digits, separators and the sign.
        text = re.sub(r"[^\d.,+\-]", "", text)
        if "," in text and "." in text:
            text = text.replace(",", "")  # 1,234.50
        elif re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+", text):
            text = text.replace(",", "")  # 10,000
        else:
            text = text.replace(",", ".")  # 0,50
        try:
            result = Decimal(text)
        except InvalidOperation:
            return None
    return result if result.is_finite() else None


def parse_int(value: object) -> int | None:
    number = parse_decimal(value)
    return None if number is None else int(number)


def parse_remains(value: object) -> int | None:
    """`remains`, keeping the sign convention of OrderStatus.remains ("+5" -> -5)."""
    number = parse_int(value)
    if number is not None and isinstance(value, str) and value.strip().startswith("+"):
        return -abs(number)
    return number


_TRUE_WORDS = frozenset({"1", "true", "yes", "on", "y"})
_FALSE_WORDS = frozenset({"0", "false", "no", "off", "n"})


def parse_bool(value: object) -> bool | None:
    """true/false, 0/1, "0"/"1", "true"/"false"; missing or unrecognised -> None (unknown)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    return None


def parse_id(value: object) -> str | None:
    """An order/refill/service id as an opaque string (ids may exceed 2**53)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        # An id is one token; a phrase ("Your order will be refill asap") is not.
        return text if text and not re.search(r"\s", text) else None
    return None


def _text(value: object) -> str | None:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


# ---------------------------------------------------------------------------------------------
# Error texts inside replies


def flatten_error(value: object) -> str:
    """The text of an `error` value: a string, a Laravel validation object
    (`{"action": ["The selected action is invalid."]}`) or a list of those."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, Mapping):
        for key in ("message", "msg", "error"):
            if key in value:
                return flatten_error(value[key])
        return "; ".join(t for t in (flatten_error(v) for v in value.values()) if t)
    if isinstance(value, list | tuple):
        return "; ".join(t for t in (flatten_error(v) for v in value) if t)
    if value is None or isinstance(value, bool):
        return ""
    return str(value)


_ERROR_STATUS_WORDS = frozenset({"error", "fail", "failed", "failure"})
_SUCCESS_DATA_KEYS = frozenset(
    {"order", "orders", "balance", "refill", "cancel", "data", "charge", "services"}
)


def reply_error(payload: object) -> str | None:
    """The panel's error text if the whole reply is an error, else None.

    Shapes: {"error": text|object}, {"status": "error"|"fail", "message": ..},
    {"success": false, "msg": ..}, {"message": ..} alone."""
    if not isinstance(payload, Mapping):
        return None
    error = payload.get("error")
    if error not in (None, "", False, [], {}):
        text = flatten_error(error)
        if error is True or not text:
            text = flatten_error(payload.get("message") or payload.get("msg")) or "error"
        return text
    message = payload.get("message", payload.get("msg"))
    status = payload.get("status")
    # Only with a message: an order's own status may legitimately be "Error" or "Fail".
    is_error_status = isinstance(status, str) and status.strip().lower() in _ERROR_STATUS_WORDS
    if is_error_status and message is not None:
        return flatten_error(message) or str(status).strip()
    if payload.get("success") is False:
        return flatten_error(message) or "request failed"
    if (
        message is not None
        and "status" not in payload
        and "success" not in payload
        and not _SUCCESS_DATA_KEYS.intersection(payload)
    ):
        return flatten_error(message) or "error"
    return None


def _item_error(item_id: str, value: object, nested: Sequence[str] = ()) -> ItemError | None:
    """A per-item error: {"error": ..} as the item, or nested under one of `nested` keys."""
    if isinstance(value, Mapping):
        if value.get("error") not in (None, "", False):
            return ItemError(item_id, flatten_error(value["error"]) or "error")
        for key in nested:
            inner = value.get(key)
            if isinstance(inner, Mapping) and inner.get("error") not in (None, "", False):
                return ItemError(item_id, flatten_error(inner["error"]) or "error")
    return None


# ---------------------------------------------------------------------------------------------
# Whole replies


class ReplyShapeError(ValueError):
    """The JSON decoded but has none of the known shapes."""


def parse_services(payload: object) -> list[Service]:
    """`services`: a list; {"status":"success","data":[..]|"Empty Data"}; or keyed by id."""
    items: Iterable[tuple[str | None, object]]
    if isinstance(payload, Mapping) and "data" in payload:
        payload = payload["data"]
        if isinstance(payload, str):  # SmartPanel's "Empty Data"
            return []
    if isinstance(payload, list):
        items = ((None, item) for item in payload)
    elif isinstance(payload, Mapping) and "services" in payload:
        return parse_services(payload["services"])
    elif isinstance(payload, Mapping) and all(isinstance(v, Mapping) for v in payload.values()):
        items = ((str(k), v) for k, v in payload.items())
    else:
        raise ReplyShapeError("unexpected services reply")
    services = []
    skipped = 0
    for key, item in items:
        service = _parse_service(key, item)
        if service is None:
            skipped += 1
        else:
            services.append(service)
    if skipped:
        logger.warning("skipped %d malformed entries in the services list", skipped)
    return services


def _parse_service(key: str | None, item: object) -> Service | None:
    if not isinstance(item, Mapping):
        return None
    service_id = parse_id(item.get("service"))
    if service_id is None:
        service_id = parse_id(key) or parse_id(item.get("id")) or parse_id(item.get("service_id"))
    rate = parse_decimal(item.get("rate"))
    min_qty = parse_int(item.get("min"))
    max_qty = parse_int(item.get("max"))
    if service_id is None or rate is None or min_qty is None or max_qty is None:
        return None
    type_raw = _text(item.get("type")) or ""
    # Panels that omit `type` only sell plain link+quantity services.
    service_type = normalize_service_type(type_raw) if type_raw else ServiceType.DEFAULT
    description = _text(item.get("desc", item.get("description")))
    average_time = _text(item.get("average_time", item.get("avg_time")))
    return Service(
        id=service_id,
        name=_text(item.get("name")) or "",
        type=service_type,
        type_raw=type_raw,
        category=_text(item.get("category")) or "",
        rate=rate,
        min=min_qty,
        max=max_qty,
        dripfeed=parse_bool(item.get("dripfeed")),
        refill=parse_bool(item.get("refill")),
        cancel=parse_bool(item.get("cancel")),
        description=description or None,
        average_time=average_time or None,
    )


def parse_balance(payload: object) -> Balance:
    if isinstance(payload, Mapping) and isinstance(payload.get("data"), Mapping):
        payload = payload["data"]
    amount = parse_decimal(payload.get("balance")) if isinstance(payload, Mapping) else None
    if amount is None or not isinstance(payload, Mapping):
        raise ReplyShapeError("no balance in the reply")
    return Balance(amount=amount, currency=_text(payload.get("currency")) or "")


def parse_order_created(payload: object) -> str:
    """`add`: {"order": 23501}, {"order": "23501"}, {"status": "success", "order": ..}."""
    if isinstance(payload, Mapping):
        order_id = parse_id(payload.get("order"))
        if order_id is None and isinstance(payload.get("data"), Mapping):
            order_id = parse_id(payload["data"].get("order"))
        if order_id is not None:
            return order_id
    raise ReplyShapeError("no order id in the reply")


def parse_order_status(order_id: str, item: Mapping[str, Any]) -> OrderStatus:
    status_raw = _text(item.get("status")) or ""
    currency = _text(item.get("currency"))
    return OrderStatus(
        order_id=order_id,
        state=normalize_state(status_raw),
        status_raw=status_raw,
        charge=parse_decimal(item.get("charge")),
        start_count=parse_int(item.get("start_count")),
        remains=parse_remains(item.get("remains")),
        currency=currency or None,
    )


def parse_single_status(order_id: str, payload: object) -> OrderStatus:
    """`status` with `order=`: a status object, sometimes keyed by the id anyway."""
    if isinstance(payload, Mapping):
        keyed = _match_keyed(payload, [order_id]).get(order_id)
        item = keyed if isinstance(keyed, Mapping) else payload
        if "status" in item or "charge" in item or "remains" in item:
            return parse_order_status(order_id, item)
    raise ReplyShapeError("no order status in the reply")


def _match_keyed(payload: Mapping[str, Any], ids: Sequence[str]) -> dict[str, object]:
    """Values of an object keyed by id; SmartPanel keeps raw spacing in keys (" 12")."""
    wanted = set(ids)
    matched: dict[str, object] = {}
    for key, value in payload.items():
        stripped = str(key).strip()
        if stripped in wanted:
            matched[stripped] = value
    return matched


_T = TypeVar("_T")


def _collect(
    payload: object,
    ids: Sequence[str],
    id_fields: Sequence[str],
    parse_item: Callable[[str, object], _T | ItemError],
    single_keys: Sequence[str],
) -> dict[str, _T | ItemError]:
    """Match a multi-id reply to the requested ids.

    Object keyed by id (values objects or bare strings), or an array matched by its id field,
    else by position. A bare object holding one of `single_keys` answers a one-id request.
    Ids missing from the reply get an ItemError so every requested id has an entry."""
    results: dict[str, _T | ItemError] = {}
    if isinstance(payload, Mapping) and not payload:
        pass  # nothing known about any id
    elif isinstance(payload, Mapping):
        matched = _match_keyed(payload, ids)
        if matched:
            for item_id, value in matched.items():
                results[item_id] = parse_item(item_id, value)
        elif len(ids) == 1 and any(k in payload for k in single_keys):
            results[ids[0]] = parse_item(ids[0], payload)
        else:
            raise ReplyShapeError("unexpected reply shape")
    elif isinstance(payload, list):
        pending = list(ids)
        wanted = set(ids)
        positional: list[tuple[int, object]] = []
        for index, item in enumerate(payload):
            item_id = None
            if isinstance(item, Mapping):
                for field in id_fields:
                    candidate = parse_id(item.get(field))
                    if candidate in wanted:
                        item_id = candidate
                        break
            if item_id is None:
                positional.append((index, item))
            elif item_id not in results:
                results[item_id] = parse_item(item_id, item)
                pending.remove(item_id)
        for index, item in positional:
            if index < len(ids) and ids[index] in pending:
                results[ids[index]] = parse_item(ids[index], item)
                pending.remove(ids[index])
    else:
        raise ReplyShapeError("unexpected reply shape")
    for item_id in ids:
        results.setdefault(item_id, ItemError(item_id, "No entry for this id in the panel reply"))
    return {item_id: results[item_id] for item_id in ids}


def _status_item(item_id: str, value: object) -> OrderStatus | ItemError:
    error = _item_error(item_id, value, ("status",))
    if error is not None:
        return error
    if isinstance(value, str):  # SmartPanel: the bare error text as the value
        return ItemError(item_id, value.strip() or "error")
    if isinstance(value, Mapping):
        return parse_order_status(item_id, value)
    return ItemError(item_id, "Unreadable entry in the panel reply")


def parse_multi_status(
    payload: object, order_ids: Sequence[str]
) -> dict[str, OrderStatus | ItemError]:
    return _collect(payload, order_ids, ("order", "id"), _status_item, ("status", "charge"))


_SUCCESS_WORDS = ("success", "asap", "will be")


def _created_id(item_id: str, value: object, field: str) -> str | ItemError | None:
    """The id created for one order (refill/cancel), None if accepted without an id."""
    error = _item_error(item_id, value, (field,))
    if error is not None:
        return error
    if isinstance(value, Mapping):
        if field in value:
            inner = value[field]
            created = parse_id(inner)
            if created is not None:
                return created
            if isinstance(inner, str) and inner.strip():
                text = inner.strip()
                if any(word in text.lower() for word in _SUCCESS_WORDS):
                    return None
                return ItemError(item_id, text)
            if inner is True:
                return None
            return ItemError(item_id, f"Unreadable {field} id in the panel reply")
        success = value.get("success")
        status = str(value.get("status", "")).lower()
        if (success not in (None, False, "", 0)) or status == "success":
            return None
        return ItemError(item_id, f"No {field} id in the panel reply")
    created = parse_id(value)
    if created is not None:
        return created
    if isinstance(value, str) and value.strip():
        return ItemError(item_id, value.strip())
    return ItemError(item_id, "Unreadable entry in the panel reply")


def _is_bare_success(payload: object, field: str) -> bool:
    """{"success": "Your order will be refill asap"} / {"status": "success", "message": ..}
    with no per-order data: every order of the request was accepted, ids unknown."""
    if not isinstance(payload, Mapping) or field in payload or "order" in payload:
        return False
    success = payload.get("success")
    status = payload.get("status")
    return (success not in (None, False, "", 0)) or (
        isinstance(status, str) and status.strip().lower() == "success"
    )


def parse_refills_created(
    payload: object, order_ids: Sequence[str]
) -> dict[str, RefillCreated | ItemError]:
    if _is_bare_success(payload, "refill"):
        return {order_id: RefillCreated(order_id, None) for order_id in order_ids}

    def item(order_id: str, value: object) -> RefillCreated | ItemError:
        created = _created_id(order_id, value, "refill")
        if isinstance(created, ItemError):
            return created
        return RefillCreated(order_id, created)

    return _collect(payload, order_ids, ("order",), item, ("refill", "success", "status"))


def parse_cancels_created(
    payload: object, order_ids: Sequence[str]
) -> dict[str, CancelCreated | ItemError]:
    if _is_bare_success(payload, "cancel"):
        return {order_id: CancelCreated(order_id, None) for order_id in order_ids}

    def item(order_id: str, value: object) -> CancelCreated | ItemError:
        created = _created_id(order_id, value, "cancel")
        if isinstance(created, ItemError):
            return created
        return CancelCreated(order_id, created)

    return _collect(payload, order_ids, ("order",), item, ("cancel", "success", "status"))


def parse_task_statuses(
    payload: object, task_ids: Sequence[str], id_field: str
) -> dict[str, TaskStatus | ItemError]:
    """refill_status / cancel status: [{"refill": 1, "status": "Completed"},
    {"refill": 3, "status": {"error": "Refill not found"}}], keyed objects, or a single
    {"status": ..}. One seed example carries the word under `type`; accepted as a fallback."""

    def item(task_id: str, value: object) -> TaskStatus | ItemError:
        error = _item_error(task_id, value, ("status", id_field))
        if error is not None:
            return error
        raw: str | None = None
        if isinstance(value, Mapping):
            raw = _text(value.get("status"))
            if raw is None:
                raw = _text(value.get("type"))
        elif isinstance(value, str):
            raw = value.strip()
            if normalize_state(raw) is OrderState.UNKNOWN:
                return ItemError(task_id, raw or "error")  # SmartPanel-style bare error text
        if raw is None:
            return ItemError(task_id, "No status in the panel reply")
        return TaskStatus(task_id=task_id, state=normalize_state(raw), status_raw=raw)

    return _collect(payload, task_ids, (id_field, "id"), item, ("status",))
