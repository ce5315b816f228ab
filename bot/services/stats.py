"""The console's stats: every figure gathered for one screen (the handler words it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.panel.capabilities import Capabilities
from bot.services.health import HealthSnapshot
from storage.models import utcnow
from storage.stats import OrderFigures, PushFigures, UserFigures

if TYPE_CHECKING:
    from bot.context import BotServices

POLL_CYCLE = "poll_cycle"  # runtime_state row the notifier writes at the end of each cycle


@dataclass(frozen=True)
class PollCycle:
    started_at: datetime
    seconds: float
    calls: int
    failed_calls: int
    keys: int


@dataclass(frozen=True)
class StatsReport:
    at: datetime
    users: UserFigures
    orders: OrderFigures
    pushes: PushFigures
    poll: PollCycle | None
    health: HealthSnapshot
    capabilities: Capabilities


def start_of_today(zone: ZoneInfo, now: datetime | None = None) -> datetime:
    """Midnight of today in `zone`, in UTC."""
    local = (now or utcnow()).astimezone(zone)
    midnight = datetime.combine(local.date(), time(0), tzinfo=zone)
    return midnight.astimezone(UTC)


async def gather(services: BotServices, zone: ZoneInfo) -> StatsReport:
    """Every figure, read now ("today" in `zone`, the operator's time zone)."""
    repository = services.repository
    now = utcnow()
    users = await repository.user_figures(now)
    orders = await repository.order_figures(start_of_today(zone, now), now)
    pushes = await repository.push_figures(now)
    poll = _poll_cycle(await repository.runtime_state(POLL_CYCLE))
    return StatsReport(
        now,
        users,
        orders,
        pushes,
        poll,
        services.health.snapshot(),
        services.panel.capabilities,
    )


def _poll_cycle(value: Any) -> PollCycle | None:
    """The notifier's record; anything unreadable (an older version's) reads as none."""
    if not isinstance(value, dict):
        return None
    try:
        return PollCycle(
            started_at=datetime.fromisoformat(str(value["started_at"])),
            seconds=float(value["seconds"]),
            calls=int(value["calls"]),
            failed_calls=int(value.get("failed_calls", 0)),
            keys=int(value.get("keys", 0)),
        )
    except (KeyError, TypeError, ValueError):
        return None


def poll_cycle_record(
    started_at: datetime, seconds: float, calls: int, failed_calls: int, keys: int
) -> dict[str, Any]:
    return {
        "started_at": started_at.isoformat(),
        "seconds": round(seconds, 3),
        "calls": calls,
        "failed_calls": failed_calls,
        "keys": keys,
    }
