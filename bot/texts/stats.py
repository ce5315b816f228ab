"""The console's stats screen (also `/stats`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from babel.numbers import format_decimal

from bot.i18n import _
from bot.panel.capabilities import DIALECT_NAMES, UNKNOWN_DIALECT, Capabilities
from bot.panel.check import FACTS
from bot.texts.formatting import PANEL_TEXT_LIMIT, locale, money, number, short, state_emoji, when
from bot.texts.orders import status_word

if TYPE_CHECKING:  # the services import the texts
    from bot.services.health import HealthSnapshot
    from bot.services.stats import PollCycle, StatsReport


def _seconds(value: float) -> str:
    """1.5 → "1.5" the reader's way."""
    return format_decimal(round(value, 1), format="#,##0.0", locale=locale())


def stats(report: StatsReport) -> str:
    users, orders, pushes = report.users, report.orders, report.pushes
    # TRANSLATORS: console stats; {at} is a date and time.
    lines = [_("📊 <b>Stats</b> · {at}", at=when(report.at)), ""]
    # TRANSLATORS: console stats: users of the bot; "with a key" connected their panel key,
    # "active" sent anything in the last 7 days, "blocked the bot" in Telegram.
    lines.append(
        _(
            "👥 <b>Users</b>: {total} · with a key: {with_key} · active (7 days): {active} · "
            "blocked the bot: {blocked}",
            total=number(users.total),
            with_key=number(users.with_key),
            active=number(users.active),
            blocked=number(users.blocked_bot),
        )
    )
    lines.append("")
    # TRANSLATORS: console stats: orders placed through the bot; "today" in the operator's
    # time zone.
    lines.append(
        _(
            "🛒 <b>Orders placed</b>: today: {today} · 7 days: {week} · total: {total}",
            today=number(orders.today),
            week=number(orders.week),
            total=number(orders.total),
        )
    )
    if orders.by_status:
        statuses = " · ".join(
            f"{state_emoji(code)} {status_word(code, code)}: {number(count)}"
            for code, count in orders.by_status
        )
        # TRANSLATORS: console stats: the placed orders by their current status.
        lines.append(_("By status: {statuses}", statuses=statuses))
    if orders.charged:
        sums = " · ".join(money(amount, currency or None) for currency, amount in orders.charged)
        # TRANSLATORS: console stats: what the placed orders cost, per currency.
        lines.append(_("Charged: {sums}", sums=sums))
    # TRANSLATORS: console stats: orders placed on the panel's website and followed in the bot.
    lines.append(_("📌 Tracked orders: {count}", count=number(orders.tracked)))
    # TRANSLATORS: console stats: orders sent to the panel without a clear answer; an operator
    # should check them in the panel.
    lines.append(_("❔ Unknown outcomes to check: {count}", count=number(orders.unknown)))
    lines.append("")
    # TRANSLATORS: console stats: status messages sent to customers in the last 24 hours.
    lines.append(
        _(
            "📨 <b>Pushes (24 h)</b>: sent: {sent} · failed: {failed}",
            sent=number(pushes.sent),
            failed=number(pushes.failed),
        )
    )
    lines.append(_poll(report.poll))
    lines.append("")
    lines += _health(report.health, report.capabilities)
    return "\n".join(lines)


def _poll(poll: PollCycle | None) -> str:
    if poll is None:
        # TRANSLATORS: console stats: the status poller has not run yet.
        return _("🔁 <b>Last poll</b>: not yet")
    # TRANSLATORS: console stats: the last status poll; {seconds} is how long it took,
    # {calls} how many calls it made to the panel, {keys} how many API keys it asked for.
    return _(
        "🔁 <b>Last poll</b>: {at} · {seconds} s · panel calls: {calls} (failed: {failed}) · "
        "keys: {keys}",
        at=when(poll.started_at),
        seconds=_seconds(poll.seconds),
        calls=number(poll.calls),
        failed=number(poll.failed_calls),
        keys=number(poll.keys),
    )


def _health(health: HealthSnapshot, capabilities: Capabilities) -> list[str]:
    if health.median_seconds is None:
        # TRANSLATORS: console stats: no panel call has been answered since the bot started.
        latency = _("no answer yet")
    else:
        # TRANSLATORS: console stats: {ms} milliseconds, the median of the recent calls.
        latency = _("{ms} ms", ms=number(round(health.median_seconds * 1000)))
    # TRANSLATORS: console stats: the panel's health since the bot started; {calls} counts
    # every call to the panel.
    lines = [
        _(
            "🩺 <b>Panel</b>: median answer: {latency} · calls: {calls}",
            latency=latency,
            calls=number(health.calls),
        )
    ]
    if health.failing_since is not None:
        # TRANSLATORS: console stats: every panel call has failed since then.
        lines.append(_("🔴 Failing since {since}", since=when(health.failing_since)))
    if health.last_error is None:
        # TRANSLATORS: console stats: no panel call has failed since the bot started.
        lines.append(_("Last error: none"))
    else:
        # TRANSLATORS: console stats: the last failed panel call; {error} is our own words.
        lines.append(
            _(
                "Last error: {error} ({at})",
                error=short(health.last_error, PANEL_TEXT_LIMIT),
                at=when(health.last_error_at),
            )
        )
    lines.append(capabilities_line(capabilities))
    return lines


def capabilities_line(capabilities: Capabilities) -> str:
    """What the panel is known to support: ✅ yes, ❌ no, ❔ not known yet."""
    marks = {True: "✅", False: "❌", None: "❔"}
    known = []
    for name, label in FACTS:
        value = getattr(capabilities, name)
        if name == "dripfeed_intervals":
            value = None if value is None else True
        known.append(f"{marks[value]} {_(label)}")
    dialect = capabilities.dialect
    if dialect == UNKNOWN_DIALECT:
        # TRANSLATORS: console stats: the panel script is not known until a panel check.
        script = _("script not known yet (run the panel check)")
    else:
        script = DIALECT_NAMES.get(dialect, dialect)
    facts = " · ".join(known)
    if capabilities.checked_at is None:
        # TRANSLATORS: console stats: {script} is the panel script ("SmartPanel"), {facts}
        # what it supports (✅/❌/❔ each), learned from answers only so far.
        return _("Capabilities ({script}, not checked yet): {facts}", script=script, facts=facts)
    # TRANSLATORS: console stats: {script} is the panel script ("SmartPanel"), {checked} when
    # the panel was last checked, {facts} what it supports (✅/❌/❔ each).
    return _(
        "Capabilities ({script}, checked {checked}): {facts}",
        script=script,
        checked=when(capabilities.checked_at),
        facts=facts,
    )


def button_refresh() -> str:
    # TRANSLATORS: console button under the stats.
    return _("🔄 Refresh")
