"""Mass orders: many orders in one message, one line each (`service_id | link | quantity`, or
spaces or commas between the three), priced from the storefront, confirmed once, and each
valid line placed exactly once.

- `read_lines` checks every line against the catalogue customers see (a hidden service is an
  unknown one) and says what is wrong with each bad line, as an `InvalidInput` reason code the
  text layer words (bot/texts/mass.py);
- `new_mass_order` stores a draft row per valid line (the same rows a single order's summary
  stores) and one mass row naming them: the summary's Confirm carries the mass row's id;
- `place_mass_order` claims the mass row (one winner, in any process), then places each line
  through bot.services.placement.place_draft, whose own claim makes each line's `add` happen
  at most once. A panel that stops answering (or answers unclearly) stops the run: the lines
  after it are not sent, and said so.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING

from bot.catalogue import Catalogue
from bot.order_fields import (
    PLATFORM_HOSTS,
    InvalidInput,
    fields_for,
    order_price,
    panel_fields,
    parse_link,
    parse_quantity,
    refused_types,
    service_platform,
)
from bot.panel import PanelError, Service, ServiceType
from bot.panel.capabilities import Capabilities
from bot.services import PanelWait, as_is
from bot.services.placement import Outcome, Placing, place_draft
from storage.models import MassState, Order
from storage.repository import DraftOrder

if TYPE_CHECKING:
    from bot.context import BotServices

logger = logging.getLogger(__name__)

# One summary and one results message must fit Telegram's 4096 characters with a line each.
MAX_LINES = 50
MAX_LINE = 2100  # characters of one line (a link has at most 2000)
# A line's drafts are placed after the mass order's own age was checked at Confirm.
LINE_MAX_AGE = timedelta(days=1)

# The fields a mass line gives; drip-feed is optional and left out (sent all at once).
MASS_FIELDS = ("link", "quantity")
_OPTIONAL = frozenset({"dripfeed", "runs", "interval"})

# id, separator, link (no spaces), separator, quantity — the quantity may be grouped
# ("10 000", "10,000"): the link is the shortest that leaves a whole quantity after it, so a
# link holding a comma still reads right.
_GROUP = r"[ \u00a0\u202f\u2009.,'’_\u066c]"
_LOOSE = re.compile(
    r"#?(?P<id>[^\s,;|#]+)[\s,;]+(?P<link>\S+?)(?:[,;]?\s+|[,;])"
    rf"(?P<quantity>\d{{1,3}}(?:{_GROUP}\d{{3}})+|\d+)"
)


@dataclass(frozen=True)
class MassLine:
    """A valid line, priced."""

    number: int  # its place among the message's non-empty lines, from 1
    service: Service
    link: str
    quantity: int
    price: Decimal
    fields: Mapping[str, str]  # as sent to the panel


@dataclass(frozen=True)
class BadLine:
    number: int
    text: str  # the line as typed
    problem: InvalidInput


@dataclass(frozen=True)
class MassList:
    lines: tuple[MassLine, ...]
    bad: tuple[BadLine, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.price for line in self.lines), Decimal(0))


def non_empty_lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


def read_lines(text: str, catalogue: Catalogue, capabilities: Capabilities) -> MassList:
    """Every line checked and priced. The whole message is refused (InvalidInput) when it has
    no line (`mass_empty`) or more than MAX_LINES (`mass_too_many`): nothing is priced then."""
    rows = non_empty_lines(text)
    if not rows:
        raise InvalidInput("mass_empty")
    if len(rows) > MAX_LINES:
        raise InvalidInput("mass_too_many", count=len(rows), maximum=MAX_LINES)
    refused = refused_types(capabilities)
    good: list[MassLine] = []
    bad: list[BadLine] = []
    seen: dict[tuple[str, str], int] = {}
    for number, row in enumerate(rows, start=1):
        try:
            line = _read_line(number, row, catalogue, capabilities, refused)
            key = (line.service.id, line.link.rstrip("/").casefold())
            if key in seen:
                raise InvalidInput("mass_duplicate", line=seen[key])
            seen[key] = number
        except InvalidInput as problem:
            bad.append(BadLine(number, row, problem))
        else:
            good.append(line)
    return MassList(tuple(good), tuple(bad))


def _read_line(
    number: int,
    row: str,
    catalogue: Catalogue,
    capabilities: Capabilities,
    refused: frozenset[ServiceType],
) -> MassLine:
    if len(row) > MAX_LINE:
        raise InvalidInput("line_too_long", maximum=MAX_LINE)
    service_id, link_text, quantity_text = _split(row)
    service = catalogue.find(service_id)
    if service is None:  # also a service the operators hide
        raise InvalidInput("mass_unknown_service", service=service_id)
    if not mass_orderable(service) or service.type in refused:
        raise InvalidInput("mass_needs_form", service=service_id)
    link = parse_link(link_text, service)
    quantity = parse_quantity(quantity_text, service.min, service.max)
    answers = {"link": link, "quantity": str(quantity)}
    return MassLine(
        number,
        service,
        link,
        quantity,
        order_price(service, answers, capabilities),
        panel_fields(service, answers, capabilities),
    )


def _split(row: str) -> tuple[str, str, str]:
    if "|" in row:
        parts = [part.strip() for part in row.strip("|").split("|")]
        if len(parts) == 3 and all(parts):
            return parts[0].lstrip("#"), parts[1], parts[2]
        raise InvalidInput("mass_format")
    found = _LOOSE.fullmatch(row.strip(" ,;\t"))
    if found is None:
        raise InvalidInput("mass_format")
    return found["id"], found["link"], found["quantity"]


def mass_orderable(service: Service) -> bool:
    """Services whose form is a link and a quantity (drip-feed, optional, is left out)."""
    fields = fields_for(service)
    if fields is None:
        return False
    return tuple(spec.name for spec in fields if spec.name not in _OPTIONAL) == MASS_FIELDS


def example_line(catalogue: Catalogue) -> tuple[str, str, int] | None:
    """A line the customer could send: a service of their catalogue, a link of its platform."""
    for service in catalogue.services:
        if mass_orderable(service):
            platform = service_platform(service)
            host = PLATFORM_HOSTS[platform][0] if platform else "example.com"
            return service.id, f"https://{host}/…", max(service.min, 1000)
    return None


# --- storing and placing ------------------------------------------------------------------------


async def new_mass_order(
    services: BotServices, user_id: int, lines: Sequence[MassLine], currency: str | None
) -> int:
    """A draft row per valid line, and the mass row the summary's Confirm names."""
    drafts: list[tuple[int, int]] = []
    for line in lines:
        service = line.service
        draft_id = await services.repository.create_draft(
            DraftOrder(
                user_id=user_id,
                service_id=service.id,
                service_name=service.name,
                service_type=service.type.value,
                link=line.link,
                quantity=line.quantity,
                fields=line.fields,
                price=line.price,
                currency=currency,
                can_refill=service.refill,
                can_cancel=service.cancel,
            )
        )
        drafts.append((line.number, draft_id))
    return await services.repository.create_mass_order(user_id, drafts)


async def abandon_mass_order(services: BotServices, mass_id: int | None, user_id: int) -> bool:
    """The summary was cancelled, replaced or left idle: its Confirm must no longer place it."""
    if mass_id is None:
        return False
    return await services.repository.abandon_mass_order(mass_id, user_id)


class LineOutcome(Enum):
    PLACED = "placed"
    REFUSED = "refused"  # the panel said no: nothing ordered
    UNKNOWN = "unknown"  # no clear answer: maybe placed, never sent again by itself
    NOT_SENT = "not_sent"  # the run stopped before it: nothing ordered


@dataclass(frozen=True)
class LineResult:
    number: int
    order: Order
    kind: LineOutcome
    panel_order_id: str | None = None
    error: PanelError | None = None


class MassPlacing(Enum):
    DONE = "done"
    ALREADY_PLACING = "already_placing"
    ALREADY_DONE = "already_done"
    EXPIRED = "expired"  # cancelled, replaced, too old, or not this user's


class StopReason(Enum):
    UNAVAILABLE = "unavailable"  # the panel did not answer: certainly not received
    UNKNOWN = "unknown"  # a line's outcome is unclear: the rest is not risked
    NO_KEY = "no_key"  # the key was removed meanwhile


@dataclass(frozen=True)
class MassOutcome:
    kind: MassPlacing
    results: tuple[LineResult, ...] = ()
    stopped: StopReason | None = None


async def place_mass_order(
    services: BotServices,
    mass_id: int,
    user_id: int,
    *,
    started: Callable[[int], Awaitable[None]] | None = None,
    wait: PanelWait = as_is,
) -> MassOutcome:
    """Claim the mass order, then place its lines one by one, each exactly once. `started`
    is told the number of lines once the claim is won (before the first is sent)."""
    repository = services.repository
    max_age = timedelta(seconds=services.settings.conversation_timeout_seconds)
    lines = await repository.claim_mass_order(mass_id, user_id, max_age)
    if lines is None:
        return MassOutcome(await _why_not_claimed(services, mass_id, user_id))
    if started is not None:
        await started(len(lines))
    rows = await repository.orders_of([order_id for _, order_id in lines], user_id)
    results: list[LineResult] = []
    stopped: StopReason | None = None
    try:
        for number, order_id in lines:
            row = rows.get(order_id)
            if row is None:  # cannot happen: the rows were created with the mass row
                continue
            if stopped is not None:
                await repository.abandon_draft(order_id)
                results.append(LineResult(number, row, LineOutcome.NOT_SENT))
                continue
            outcome = await place_draft(
                services, order_id, user_id, announce=_quiet, wait=wait, max_age=LINE_MAX_AGE
            )
            result, stop = _line_result(number, row, outcome)
            if stop is StopReason.UNAVAILABLE:  # the draft is back to 'draft': retire it
                await repository.abandon_draft(order_id)
            results.append(result)
            stopped = stopped or stop
    finally:
        await repository.finish_mass_order(mass_id)
    return MassOutcome(MassPlacing.DONE, tuple(results), stopped)


async def _quiet(outcome: Outcome) -> None:
    """Each line's outcome is told in the one results message, after the last line."""


def _line_result(
    number: int, row: Order, outcome: Outcome
) -> tuple[LineResult, StopReason | None]:
    order = outcome.order or row
    kind = outcome.kind
    if kind is Placing.PLACED:
        return LineResult(number, order, LineOutcome.PLACED, outcome.panel_order_id), None
    if kind is Placing.REFUSED:
        return LineResult(number, order, LineOutcome.REFUSED, error=outcome.error), None
    if kind is Placing.UNKNOWN:
        return LineResult(number, order, LineOutcome.UNKNOWN), StopReason.UNKNOWN
    if kind is Placing.UNAVAILABLE:
        return LineResult(number, order, LineOutcome.NOT_SENT), StopReason.UNAVAILABLE
    if kind is Placing.NO_KEY:
        return LineResult(number, order, LineOutcome.NOT_SENT), StopReason.NO_KEY
    # The line's draft was not claimable (it cannot be, with the mass row claimed first).
    logger.warning("Mass order line %s: draft %s was not a draft (%s)", number, row.id, kind)
    return LineResult(number, order, LineOutcome.NOT_SENT), None


async def _why_not_claimed(services: BotServices, mass_id: int, user_id: int) -> MassPlacing:
    row = await services.repository.get_mass_order(mass_id, user_id)
    state = row.state if row is not None else None
    if state == MassState.PLACING:
        return MassPlacing.ALREADY_PLACING
    if state == MassState.DONE:
        return MassPlacing.ALREADY_DONE
    return MassPlacing.EXPIRED
