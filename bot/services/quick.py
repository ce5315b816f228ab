"""Quick answers offered as buttons: the minimum and a few round quantities within a service's
limits. A tapped amount is checked again against the catalogue of the moment (the panel may
have changed the limits since the buttons were drawn)."""

from __future__ import annotations

from bot.panel import Service

MOST_AMOUNTS = 5  # one row of buttons on a phone
_STEPS = (1, 5)  # round amounts: 10, 50, 100, 500, 1 000, 5 000, …
_LARGEST = 10**15 - 1  # a button carries at most 15 digits (bot.callback.AMOUNT)


def _round_amounts() -> list[int]:
    values: list[int] = []
    power = 10
    while power <= _LARGEST:
        values.extend(step * power for step in _STEPS if step * power <= _LARGEST)
        power *= 10
    return values


ROUND_AMOUNTS = tuple(_round_amounts())


def quick_amounts(service: Service) -> tuple[int, ...]:
    """The service's minimum, then round amounts above it up to its maximum (at most
    MOST_AMOUNTS in all); none when the limits make no sense."""
    low, high = max(service.min, 1), min(service.max, _LARGEST)
    if high < low:
        return ()
    amounts = [low]
    for value in ROUND_AMOUNTS:
        if len(amounts) == MOST_AMOUNTS or value > high:
            break
        if value > low:
            amounts.append(value)
    return tuple(amounts)


def amount_fits(service: Service, amount: int) -> bool:
    """A tapped amount is still within the service's limits (as the catalogue says now)."""
    return service.min <= amount <= service.max
