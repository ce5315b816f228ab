"""Async client for the SMM panel API v2 (PerfectPanel standard and its imitations).

Transport policy:
- one form-encoded POST per call to the exact API URL; redirects are not followed (a 301/302
  usually means the URL lacks or has an extra `www.`; following it would turn POST into GET);
- reads are retried with exponential backoff on PanelUnavailable;
- add/refill/cancel are never retried: PP has no idempotency key, so once the request may have
  been sent, a failure is OutcomeUnknown and the caller must reconcile;
- a client may have a budget: every operation (all its attempts, retries and 100-id chunks)
  ends within it. A customer waiting on a button gets an answer in seconds (`with_budget`),
  while the status poller, which nobody watches, keeps the patient per-attempt timeouts.

What the panel supports (`Capabilities`) is learned from the answers calls get anyway (the
catalogue's shape, a refused several-orders status, "This action is Invalid" for refill...)
and by `probe`, which makes harmless calls only. Every change is logged once at WARNING and
handed to an injected async callback (the bot stores it in the database).
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

import httpx

from .capabilities import (
    DIALECT_FACTS,
    DIALECT_NAMES,
    SMARTPANEL_INTERVALS,
    Capabilities,
    detect_dialect,
)
from .errors import (
    NULL_REPLY,
    ActionUnsupported,
    OrderNotFound,
    OutcomeUnknown,
    PanelError,
    PanelRejected,
    PanelUnavailable,
    classify_reply,
    is_invalid_request,
)
from .models import (
    Balance,
    CancelCreated,
    ItemError,
    OrderStatus,
    RefillCreated,
    ReplyShapeError,
    Service,
    TaskStatus,
    parse_balance,
    parse_cancels_created,
    parse_multi_status,
    parse_order_created,
    parse_refills_created,
    parse_services,
    parse_single_status,
    parse_task_statuses,
)

logger = logging.getLogger(__name__)

# Cloudflare in front of many panels challenges non-browser agents.
USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
)
MAX_IDS_PER_CALL = 100
# A retry within a budget is worth it only with at least this long left for its answer.
MIN_ATTEMPT = 1.0
# The hard cap on one request under a budget lies just past httpx's own timeouts, so that
# these (which tell "could not connect" from "sent, no answer") normally speak first.
HARD_CAP_MARGIN = 0.25
_RESERVED_FIELDS = frozenset({"key", "action", "service"})
_SEVERAL_IDS_FIELDS = ("orders", "refills", "cancels")
_CANCEL_STATUS_FORMS = ("cancel", "cancel_status")  # seed form first, then the common one
# Per-order status calls at once when the panel has no several-orders form (PANEL_CONCURRENCY
# in the bot, which gives the client its semaphore).
DEFAULT_CONCURRENCY = 4
# An id no panel has (9 digits: fits a 32-bit integer; 0 reads as "no id" in PHP).
PROBE_ID = "999999999"
# An action no panel has: its answer is what "unsupported" looks like on this panel.
UNKNOWN_ACTION = "no_such_action_panel_check"

_T = TypeVar("_T")


def decode_body(text: str) -> Any:
    """JSON from a reply body, whatever the Content-Type says (SmartPanel and BoostedSMM send
    `text/html`), tolerating a UTF-8 BOM, leading whitespace (SmartPanel's "\n", BoostedSMM's
    two spaces) and PHP notices before the JSON.

    Raises ValueError when no JSON document ends the body (HTML pages, empty or blank bodies:
    SmartPanel's lone "\n", BoostedSMM's "  " with its refill's HTTP 500). Those say nothing
    about what happened, so the caller's transport rules apply (unavailable for reads, outcome
    unknown for writes). Raises ActionUnsupported for the JSON document `null`: BoostedSMM
    answers it to an action it does not have, and nothing was done."""
    text = text.lstrip("\ufeff").strip()
    if not text:
        raise ValueError("empty body")
    if text == "null":
        raise ActionUnsupported(NULL_REPLY)
    try:
        return json.loads(text)
    except ValueError:
        pass
    if text[-1] not in "}]":  # HTML pages and truncated JSON: no need to scan
        raise ValueError("no JSON in body")
    decoder = json.JSONDecoder()
    for start, char in enumerate(text):
        if char not in "{[":
            continue
        try:
            value, end = decoder.raw_decode(text, start)
        except ValueError:
            continue
        # The JSON must be the rest of the body; "{" inside an HTML page's script does not count.
        if not text[end:].strip():
            return value
    raise ValueError("no JSON in body")


Saver = Callable[[Capabilities], Awaitable[None]]
# Told after every HTTP exchange with the panel: did the panel answer (an API reply, even a
# refusal), how long it took, and why not (our own words, the key scrubbed). Must not block.
CallHook = Callable[[bool, float, str | None], None]


@dataclass
class _Learning:
    """What the client and its budget views share about the panel."""

    capabilities: Capabilities = field(default_factory=Capabilities)
    reasons: dict[str, str] = field(default_factory=dict)  # fact -> why it is what it is
    unknown_answer: str | None = None  # how the panel answers an action it does not have
    save: Saver | None = None
    save_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    refresh_seconds: float | None = None
    refresh_from: float = field(default_factory=time.time)  # when the last refresh began
    refreshing: asyncio.Task[None] | None = None


@dataclass(frozen=True)
class Probe:
    """What a probe saw besides the capabilities it taught the client."""

    balance: Balance
    services: list[Service]


def _form_value(value: str | int | Decimal) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _clean_ids(ids: Sequence[str]) -> list[str]:
    """Stripped, non-empty, de-duplicated ids in request order (some clones drop duplicates,
    which would break positional matching)."""
    seen: dict[str, None] = {}
    for raw in ids:
        item = str(raw).strip()
        if item:
            seen.setdefault(item, None)
    return list(seen)


def _chunks(ids: list[str]) -> list[list[str]]:
    return [ids[i : i + MAX_IDS_PER_CALL] for i in range(0, len(ids), MAX_IDS_PER_CALL)]


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return float(response.headers["Retry-After"])
    except (KeyError, ValueError):
        return None


class PanelClient:
    def __init__(
        self,
        api_url: str,
        *,
        http: httpx.AsyncClient | None = None,
        connect_timeout: float = 5,
        read_timeout: float = 30,
        read_retries: int = 2,
        backoff_seconds: float = 0.5,
        budget_seconds: float | None = None,
        slots: asyncio.Semaphore | None = None,
        on_learn: Saver | None = None,
        refresh_seconds: float | None = None,
        on_call: CallHook | None = None,
    ) -> None:
        """`slots` bounds per-order status calls (one semaphore for the process); `on_learn`
        stores what was learned (awaited, its failures only logged); with `refresh_seconds`
        the first `statuses` call that long after the last full check probes the panel again
        in the background; `on_call` hears of every exchange (the budget views share it)."""
        self._api_url = api_url
        self._on_call = on_call
        # Per request, so an injected AsyncClient gets the same limits.
        self._timeout = httpx.Timeout(read_timeout, connect=connect_timeout)
        self._owns_http = http is None
        if http is None:
            http = httpx.AsyncClient(timeout=self._timeout, follow_redirects=False)
        self._http = http
        self._read_retries = max(0, read_retries)
        self._backoff = backoff_seconds
        self._budget = budget_seconds
        # What was learnt about this panel (the cancel-status form), shared with budget views.
        self._learnt: dict[str, str] = {}
        self._slots = slots or asyncio.Semaphore(DEFAULT_CONCURRENCY)
        # What the panel supports, shared with budget views (one object, so a view sees what
        # the client learns after the view was made).
        self._learning = _Learning(save=on_learn, refresh_seconds=refresh_seconds)

    @property
    def api_url(self) -> str:
        return self._api_url

    @property
    def capabilities(self) -> Capabilities:
        """What this panel is known to support (None facts: not known yet)."""
        return self._learning.capabilities

    @property
    def reasons(self) -> dict[str, str]:
        """Why each fact learned in this process is what it is (for the panel check)."""
        return dict(self._learning.reasons)

    def learn(self, capabilities: Capabilities) -> None:
        """Replace what is known (loaded from the database at start); not saved."""
        self._learning.capabilities = capabilities

    async def _note(self, reason: str, *, only_unknown: bool = False, **facts: Any) -> None:
        """Record facts an answer showed; a change is logged once and saved."""
        learning = self._learning
        current = learning.capabilities
        changed = {
            name: value
            for name, value in facts.items()
            if getattr(current, name) != value
            and not (only_unknown and getattr(current, name) is not None)
        }
        if not changed:
            return
        learning.capabilities = current.learned(**changed)
        for name in changed:
            learning.reasons[name] = reason
        shown = [f"{name}={value}" for name, value in changed.items() if name != "checked_at"]
        if shown:
            logger.warning("panel capabilities: %s (%s)", ", ".join(shown), reason)
        if learning.save is None:
            return
        try:
            async with learning.save_lock:  # saves in order: the last one holds every fact
                await learning.save(learning.capabilities)
        except Exception:  # the panel call itself succeeded; the next change saves again
            logger.warning("could not save the panel's capabilities", exc_info=True)

    async def note_refused_type(self, service_type: str, reason: str) -> None:
        """The panel refused to create this type through its API: remembered (and saved), so
        it is no longer offered."""
        known = self._learning.capabilities.refused_types
        if service_type not in known:
            await self._note(reason, refused_types=(*known, service_type))

    async def _unsupported(self, fact: str, action: str, message: str) -> ActionUnsupported:
        await self._note(f"the panel does not know action={action}", **{fact: False})
        return ActionUnsupported(message or f"The panel does not offer {action}")

    def _says_unsupported(self, exc: PanelError) -> bool:
        """The panel's answer to an action it does not have ("This action is Invalid",
        "Incorrect request", or whatever it answered to an unknown action in `probe`)."""
        if isinstance(exc, ActionUnsupported):
            return True
        if type(exc) is not PanelRejected:
            return False
        known = self._learning.unknown_answer
        return is_invalid_request(exc.message) or (known is not None and exc.message == known)

    def __repr__(self) -> str:
        return f"PanelClient({self._api_url!r})"

    def with_budget(self, seconds: float) -> PanelClient:
        """A view of this client whose every operation ends within `seconds` in all, retries
        included: for calls a customer waits on. It shares the HTTP connections and what was
        learnt about the panel; closing it closes nothing."""
        view = copy.copy(self)
        view._budget = seconds
        view._owns_http = False
        return view

    def _deadline(self) -> float | None:
        """When the operation starting now must be over (None: no budget)."""
        return None if self._budget is None else time.monotonic() + self._budget

    async def aclose(self) -> None:
        if self._owns_http:
            refreshing = self._learning.refreshing
            if refreshing is not None:
                refreshing.cancel()
                await asyncio.gather(refreshing, return_exceptions=True)
            await self._http.aclose()

    async def __aenter__(self) -> PanelClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # -- actions ----------------------------------------------------------------------------

    async def services(self, key: str) -> list[Service]:
        payload = await self._read(key, "services", {}, self._deadline())
        services = self._shape(parse_services, payload, "services")
        dialect = detect_dialect(payload)
        if dialect is not None:
            # The dialect's known habits fill only facts no call has taught yet.
            current = self.capabilities
            facts: dict[str, Any] = {"dialect": dialect}
            for name, value in DIALECT_FACTS[dialect].items():
                if getattr(current, name) is None:
                    facts[name] = value
            await self._note(f"its catalogue reads like {DIALECT_NAMES[dialect]}'s", **facts)
        return services

    async def balance(self, key: str) -> Balance:
        payload = await self._read(key, "balance", {}, self._deadline())
        return self._shape(parse_balance, payload, "balance")

    async def add(
        self, key: str, service_id: str, fields: Mapping[str, str | int | Decimal]
    ) -> str:
        """Place an order; returns the panel's order id. Never retried (see module doc)."""
        reserved = _RESERVED_FIELDS.intersection(fields)
        if reserved:
            raise ValueError(f"reserved form fields in order fields: {sorted(reserved)}")
        form = {"service": str(service_id)}
        form.update({name: _form_value(value) for name, value in fields.items()})
        try:
            payload = await self._call(key, "add", form, write=True, deadline=self._deadline())
        except PanelError as exc:
            if "invalid interval" in exc.message.lower():
                await self._note(
                    "it refused a drip-feed interval",
                    only_unknown=True,
                    dripfeed_intervals=SMARTPANEL_INTERVALS,
                )
            raise
        try:
            order_id = parse_order_created(payload)
        except ReplyShapeError as exc:
            # A 2xx JSON reply without an error and without an id: it may have been placed.
            raise OutcomeUnknown("The panel's reply to the order has no order id") from exc
        logger.debug("panel order %s placed for service %s", order_id, service_id)
        return order_id

    async def status(self, key: str, order_id: str) -> OrderStatus:
        order_id = str(order_id).strip()
        payload = await self._read(key, "status", {"order": order_id}, self._deadline())
        return self._shape(lambda p: parse_single_status(order_id, p), payload, "status")

    async def statuses(
        self, key: str, order_ids: Sequence[str]
    ) -> dict[str, OrderStatus | ItemError]:
        """Status of many orders: one call per 100 ids where the panel has the several-orders
        form, else one `order=` call per order (at most `slots` at once); every requested id
        gets an entry. The first refusal of the several-orders form is learned and its chunk
        asked again per order, so no poll is lost."""
        self._maybe_refresh(key)
        return await self._statuses(key, order_ids)

    async def _statuses(
        self, key: str, order_ids: Sequence[str]
    ) -> dict[str, OrderStatus | ItemError]:
        deadline = self._deadline()

        async def call(chunk: list[str]) -> dict[str, OrderStatus | ItemError]:
            refused = None
            if self.capabilities.multi_status is not False:
                outcome = await self._multi_status(key, chunk, deadline)
                if not isinstance(outcome, str):
                    return outcome
                refused = outcome
            return await self._each_status(key, chunk, deadline, refused)

        return await self._per_chunk(order_ids, call)

    async def _multi_status(
        self, key: str, chunk: list[str], deadline: float | None
    ) -> dict[str, OrderStatus | ItemError] | str:
        """The chunk's statuses, or the refusal's text when the panel did not answer the
        several-orders form (BoostedSMM: "Order not found." whatever the ids; or a whole-reply
        "Incorrect order ID", which is asked again per order to be sure)."""
        try:
            payload = await self._read(key, "status", {"orders": ",".join(chunk)}, deadline)
        except PanelError as exc:
            if self._is_per_item(exc) or self._says_unsupported(exc):
                return exc.message
            raise
        result = self._shape(lambda p: parse_multi_status(p, chunk), payload, "status")
        await self._note("it answered status for several orders at once", multi_status=True)
        return result

    async def _each_status(
        self, key: str, chunk: list[str], deadline: float | None, refused: str | None
    ) -> dict[str, OrderStatus | ItemError]:
        async def one(order_id: str) -> OrderStatus:
            async with self._slots:
                payload = await self._read(key, "status", {"order": order_id}, deadline)
            return self._shape(lambda p: parse_single_status(order_id, p), payload, "status")

        outcomes = await asyncio.gather(*(one(i) for i in chunk), return_exceptions=True)
        results: dict[str, OrderStatus | ItemError] = {}
        failures: list[PanelError] = []
        for order_id, outcome in zip(chunk, outcomes, strict=True):
            if isinstance(outcome, OrderStatus):
                results[order_id] = outcome
            elif isinstance(outcome, PanelError):
                if not self._is_per_item(outcome):
                    failures.append(outcome)
                results[order_id] = ItemError(order_id, outcome.message)
            else:
                raise outcome
        if failures and len(failures) == len(chunk):
            raise failures[0]  # the panel is down, not these orders
        if refused is not None and any(isinstance(r, OrderStatus) for r in results.values()):
            await self._note(
                f"it refused status for several orders ({refused}) but answered one by one",
                multi_status=False,
            )
        return results

    async def refill(
        self, key: str, order_ids: Sequence[str]
    ) -> dict[str, RefillCreated | ItemError]:
        """Request refills (multi form). Never retried."""
        deadline = self._deadline()

        async def call(chunk: list[str]) -> dict[str, RefillCreated | ItemError]:
            form = {"orders": ",".join(chunk)}
            return await self._items(
                key,
                "refill",
                form,
                chunk,
                lambda p: parse_refills_created(p, chunk),
                deadline,
                write=True,
                fact="refill",
            )

        return await self._per_chunk(order_ids, call)

    async def refill_statuses(
        self, key: str, refill_ids: Sequence[str]
    ) -> dict[str, TaskStatus | ItemError]:
        deadline = self._deadline()

        async def call(chunk: list[str]) -> dict[str, TaskStatus | ItemError]:
            form = {"refills": ",".join(chunk)}
            return await self._items(
                key,
                "refill_status",
                form,
                chunk,
                lambda p: parse_task_statuses(p, chunk, "refill"),
                deadline,
                write=False,
                fact="refill_status",
            )

        return await self._per_chunk(refill_ids, call)

    async def cancel(
        self, key: str, order_ids: Sequence[str]
    ) -> dict[str, CancelCreated | ItemError]:
        """Request cancellation of orders. Never retried."""
        deadline = self._deadline()

        async def call(chunk: list[str]) -> dict[str, CancelCreated | ItemError]:
            form = {"orders": ",".join(chunk)}
            return await self._items(
                key,
                "cancel",
                form,
                chunk,
                lambda p: parse_cancels_created(p, chunk),
                deadline,
                write=True,
                fact="cancel",
            )

        return await self._per_chunk(order_ids, call)

    async def cancel_statuses(
        self, key: str, cancel_ids: Sequence[str]
    ) -> dict[str, TaskStatus | ItemError]:
        """The seed documents `action=cancel, cancels=..`; other panels use
        `action=cancel_status`. Try the seed form, fall back once when the panel calls it an
        invalid request, and remember the form that worked for the next calls."""
        deadline = self._deadline()

        async def call(chunk: list[str]) -> dict[str, TaskStatus | ItemError]:
            form = {"cancels": ",".join(chunk)}
            known = self._learnt.get("cancel_status")
            actions = (known,) if known else _CANCEL_STATUS_FORMS
            for index, action in enumerate(actions):
                last = index + 1 == len(actions)
                try:
                    payload = await self._read(key, action, form, deadline)
                except PanelError as exc:
                    if self._says_unsupported(exc):
                        if not last:
                            logger.info(
                                "panel rejects action=%s for cancel statuses; trying action=%s",
                                action,
                                actions[index + 1],
                            )
                            continue
                        raise await self._unsupported(
                            "cancel_status", action, exc.message
                        ) from exc
                    if self._is_per_item(exc):
                        await self._note(f"it answers action={action}", cancel_status=True)
                        return self._all_failed(chunk, exc.message)
                    raise
                result = self._shape(
                    lambda p: parse_task_statuses(p, chunk, "cancel"), payload, action
                )
                self._learnt["cancel_status"] = action  # only once a reply was understood
                await self._note(f"it answers action={action}", cancel_status=True)
                return result
            raise AssertionError("unreachable")  # pragma: no cover

        return await self._per_chunk(cancel_ids, call)

    # -- learning what the panel supports ----------------------------------------------------

    async def probe(self, key: str) -> Probe:
        """Learn what the panel supports with harmless calls only: `balance`, an unknown
        action (to see how "unsupported" looks here), `services`, and `status`,
        `refill_status` and `cancel_status` of an id that does not exist. Never `add`, never
        a refill or cancel. Raises the balance call's PanelError when the panel does not
        answer at all (wrong URL, bad key); later calls that fail leave their facts unknown."""
        balance = await self.balance(key)
        learning = self._learning
        try:
            await self._call(key, UNKNOWN_ACTION, {}, write=False)
        except PanelRejected as exc:
            learning.unknown_answer = exc.message
        except PanelError:
            pass  # no clear answer: "unsupported" is recognised by its usual texts only
        services = await self.services(key)
        for fact, check in (
            ("multi_status", lambda: self._statuses(key, [PROBE_ID])),
            ("refill_status", lambda: self.refill_statuses(key, [PROBE_ID])),
            ("cancel_status", lambda: self.cancel_statuses(key, [PROBE_ID])),
        ):
            try:
                await check()
            except ActionUnsupported:
                pass  # learned
            except PanelError as exc:
                learning.reasons.setdefault(fact, f"no clear answer ({exc.message})")
        current = self.capabilities
        for action, flag in (("refill", "refill"), ("cancel", "cancel")):
            status_fact = getattr(current, f"{action}_status")
            if getattr(current, action) is not None:
                continue
            if status_fact is False:
                await self._note(
                    f"the panel does not know action={action}_status", **{action: False}
                )
            elif status_fact is True and any(getattr(s, flag) for s in services):
                await self._note(
                    f"its catalogue offers {action}s and it answers {action}_status",
                    **{action: True},
                )
        await self._note("checked", checked_at=datetime.now(UTC))
        return Probe(balance=balance, services=services)

    def _maybe_refresh(self, key: str) -> None:
        """With `refresh_seconds`: probe again, in the background, on the first use that long
        after the last full check (or the start), so an upgraded panel is noticed."""
        learning = self._learning
        if learning.refresh_seconds is None or learning.refreshing is not None:
            return
        checked = learning.capabilities.checked_at
        since = max(learning.refresh_from, checked.timestamp() if checked else 0.0)
        if time.time() - since < learning.refresh_seconds:
            return
        learning.refresh_from = time.time()
        learning.refreshing = asyncio.create_task(self._refresh(key))

    async def _refresh(self, key: str) -> None:
        try:
            await self.probe(key)
        except PanelError as exc:
            logger.warning("panel capabilities not refreshed: %s", exc.message)
        finally:
            self._learning.refreshing = None

    # -- helpers ----------------------------------------------------------------------------

    async def _items(
        self,
        key: str,
        action: str,
        form: dict[str, str],
        chunk: list[str],
        parse: Callable[[Any], dict[str, _T]],
        deadline: float | None,
        *,
        write: bool,
        fact: str,
    ) -> dict[str, _T | ItemError]:
        """One multi-id call; a whole-reply error that concerns the ids (e.g. "Incorrect order
        ID" when none exists) becomes an ItemError for each id. An answer that says the panel
        has no such action raises ActionUnsupported and teaches `fact` = False; an understood
        answer teaches `fact` = True."""
        understood = f"it answers action={action}"
        try:
            if write:
                payload = await self._call(key, action, form, write=True, deadline=deadline)
            else:
                payload = await self._read(key, action, form, deadline)
        except PanelError as exc:
            if self._says_unsupported(exc):
                raise await self._unsupported(fact, action, exc.message) from exc
            if self._is_per_item(exc):
                await self._note(understood, **{fact: True})
                return self._all_failed(chunk, exc.message)
            raise
        try:
            result: dict[str, _T | ItemError] = dict(parse(payload))
            await self._note(understood, **{fact: True})
            return result
        except ReplyShapeError as exc:
            logger.warning("panel %s reply has an unexpected shape: %s", action, exc)
            message = f"The panel sent an unreadable reply to {action}"
            if write:
                raise OutcomeUnknown(f"{message}; the result is unknown") from exc
            raise PanelUnavailable(message) from exc

    @staticmethod
    def _is_per_item(exc: PanelError) -> bool:
        """Whether a whole-reply error on a multi-id call is about the ids, not the call."""
        if isinstance(exc, OrderNotFound):
            return True
        if type(exc) is PanelRejected:
            text = exc.message.lower()
            return "not found" in text or "not eligible" in text
        return False

    @staticmethod
    def _all_failed(chunk: list[str], message: str) -> dict[str, Any]:
        return {item_id: ItemError(item_id, message) for item_id in chunk}

    @staticmethod
    async def _per_chunk(
        ids: Sequence[str], call: Callable[[list[str]], Awaitable[dict[str, _T]]]
    ) -> dict[str, _T]:
        results: dict[str, _T] = {}
        for chunk in _chunks(_clean_ids(ids)):
            results.update(await call(chunk))
        return results

    @staticmethod
    def _shape(parse: Callable[[Any], _T], payload: Any, action: str) -> _T:
        try:
            return parse(payload)
        except ReplyShapeError as exc:
            logger.warning("panel %s reply has an unexpected shape: %s", action, exc)
            raise PanelUnavailable(f"The panel sent an unreadable reply to {action}") from exc

    async def _read(
        self, key: str, action: str, form: dict[str, str], deadline: float | None
    ) -> Any:
        attempt = 0
        while True:
            try:
                return await self._call(key, action, form, write=False, deadline=deadline)
            except PanelUnavailable as exc:
                if attempt >= self._read_retries:
                    raise
                delay = self._backoff * 2**attempt
                if deadline is not None and time.monotonic() + delay + MIN_ATTEMPT >= deadline:
                    raise  # no time left for another real attempt within the budget
                attempt += 1
                logger.warning(
                    "panel %s unavailable (%s); retry %d/%d in %.1fs",
                    action,
                    exc.message,
                    attempt,
                    self._read_retries,
                    delay,
                )
                await asyncio.sleep(delay)

    async def _call(
        self,
        key: str,
        action: str,
        form: dict[str, str],
        *,
        write: bool,
        deadline: float | None = None,
    ) -> Any:
        """One request. Returns the decoded JSON of a non-error reply, else raises. The
        `on_call` hook hears how it went: a refusal is an answer (the panel is up); no answer
        (unavailable, or an unknown outcome) is a failure."""
        started = time.monotonic()
        try:
            payload = await self._exchange(key, action, form, write=write, deadline=deadline)
        except (PanelUnavailable, OutcomeUnknown) as exc:
            self._tell(False, started, exc.message)
            raise
        except PanelError:
            self._tell(True, started, None)
            raise
        self._tell(True, started, None)
        return payload

    def _tell(self, ok: bool, started: float, error: str | None) -> None:
        if self._on_call is None:
            return
        try:
            self._on_call(ok, time.monotonic() - started, error)
        except Exception:  # bookkeeping must never fail a panel call
            logger.warning("panel call hook failed", exc_info=True)

    async def _exchange(
        self,
        key: str,
        action: str,
        form: dict[str, str],
        *,
        write: bool,
        deadline: float | None = None,
    ) -> Any:
        data = {"key": key, "action": action, **form}
        started = time.monotonic()
        timeout, cap = self._timeout, None
        if deadline is not None:
            remaining = deadline - started
            if remaining <= 0:
                # Nothing was sent: safe to call unavailable even for add.
                raise PanelUnavailable("The panel did not answer in time")
            timeout = httpx.Timeout(
                min(self._timeout.read or remaining, remaining),
                connect=min(self._timeout.connect or remaining, remaining),
            )
            # httpx's timeouts are per phase (a slowly dripping reply resets the read timeout):
            # the budget is a hard cap on the whole request.
            cap = remaining + HARD_CAP_MARGIN
        try:
            async with asyncio.timeout(cap):
                response = await self._http.post(
                    self._api_url,
                    data=data,
                    headers={"User-Agent": USER_AGENT, "Accept": "application/json, */*"},
                    timeout=timeout,
                    follow_redirects=False,
                )
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            # Nothing was sent yet: safe to call unavailable even for add.
            logger.warning("panel %s: cannot connect (%s)", action, type(exc).__name__)
            raise PanelUnavailable("Cannot connect to the panel") from exc
        except httpx.UnsupportedProtocol as exc:
            raise PanelUnavailable("The panel API URL is not an http(s) URL") from exc
        except (httpx.TransportError, TimeoutError) as exc:
            # ReadTimeout, ReadError, RemoteProtocolError, WriteError, the budget's hard cap...:
            # the request may have been sent.
            timed_out = isinstance(exc, httpx.TimeoutException | TimeoutError)
            reason = "timed out" if timed_out else "broke off"
            logger.warning("panel %s: request %s (%s)", action, reason, type(exc).__name__)
            message = f"The panel request {reason}"
            if write:
                raise OutcomeUnknown(f"{message}; the result is unknown") from exc
            raise PanelUnavailable(message) from exc
        logger.debug(
            "panel %s -> HTTP %d in %.2fs",
            action,
            response.status_code,
            time.monotonic() - started,
        )
        several = any(name in form for name in _SEVERAL_IDS_FIELDS)
        return self._interpret(response, key, action, write=write, several=several)

    def _interpret(
        self, response: httpx.Response, key: str, action: str, *, write: bool, several: bool
    ) -> Any:
        code = response.status_code

        def scrub(text: str) -> str:
            return text.replace(key, "***") if key else text

        def not_an_answer(message: str) -> PanelError:
            # 4xx pages (Cloudflare challenge, 404) mean the panel code never ran.
            if write and not 400 <= code < 500:
                return OutcomeUnknown(f"{message}; the result is unknown")
            return PanelUnavailable(message, retry_after=_retry_after(response))

        if response.is_redirect:
            location = scrub(response.headers.get("Location", ""))
            logger.warning("panel %s: HTTP %d redirect to %s", action, code, location)
            raise PanelUnavailable(
                f"The panel redirects the API URL (HTTP {code} to {location or '?'}); "
                "set the exact API URL"
            )
        if action == "refill" and code >= 500 and not response.content.strip():
            # BoostedSMM on PHP 8 (B24): a fatal error before anything is recorded. Asking
            # again later is safe (a panel refuses a second refill of an order, it never
            # charges twice), so this is "not available now", not an unknown outcome.
            logger.warning("panel refill: HTTP %d with a blank body", code)
            raise PanelUnavailable(f"The panel could not take the refill now (HTTP {code})")
        if code == 429:
            logger.warning("panel %s: rate limited (HTTP 429)", action)
            raise PanelUnavailable(
                "The panel is rate limiting requests", retry_after=_retry_after(response)
            )
        try:
            payload = decode_body(response.text)
        except ValueError:
            logger.warning(
                "panel %s: HTTP %d with a non-JSON body (%d bytes)",
                action,
                code,
                len(response.content),
            )
            kind = "an empty reply" if not response.content.strip() else "a non-JSON reply"
            raise not_an_answer(f"The panel sent {kind} (HTTP {code})") from None

        # "Incorrect request" and BoostedSMM's 104 to a several-ids request mean the action
        # (or that form of it) does not exist here: classify_reply tells them by the request.
        classified = classify_reply(payload, action=action, several=several, redact=scrub)
        if code >= 500:
            # Generic 5xx bodies ("Server Error") say nothing about the outcome; a known panel
            # error text (some panels use 5xx for logical errors) is trusted.
            if classified is not None and type(classified) is not PanelRejected:
                raise classified
            logger.warning("panel %s: HTTP %d", action, code)
            raise not_an_answer(f"The panel failed (HTTP {code})")
        if classified is not None:
            logger.info("panel %s: error reply (HTTP %d): %s", action, code, classified.message)
            raise classified
        if code >= 400:
            raise not_an_answer(f"The panel refused the request (HTTP {code})")
        return payload
