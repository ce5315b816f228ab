"""Mass orders (/mass): the prompt, the one summary naming every line, and the one results
message. Each message must fit Telegram's 4096 characters with up to MAX_LINES lines: it is
built at the most detailed level that fits (`_fitted`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from bot.i18n import N_, _, n_
from bot.order_fields import InvalidInput
from bot.panel import Balance, PanelError
from bot.services.mass import (
    BadLine,
    LineOutcome,
    LineResult,
    MassList,
    StopReason,
)
from bot.texts.errors import refusal
from bot.texts.formatting import PANEL_TEXT_LIMIT, cut, esc, money, number, sentence, short
from bot.texts.order import invalid_input

MESSAGE_LIMIT = 4000  # Telegram's 4096, with room to spare


@dataclass(frozen=True)
class _Detail:
    """How much of each line a message shows: the full detail first, less when it is long."""

    link: int  # characters of a link (0: left out)
    name: int  # characters of a service's name (0: its id only)
    quote: int  # characters of a bad line quoted as typed (0: left out)
    reason: int  # characters of a panel's refusal
    copy: bool  # the lines not sent, ready to copy


_DETAILS = (
    _Detail(link=40, name=32, quote=40, reason=PANEL_TEXT_LIMIT, copy=True),
    _Detail(link=24, name=16, quote=20, reason=80, copy=True),
    _Detail(link=20, name=0, quote=16, reason=60, copy=True),
    _Detail(link=0, name=0, quote=0, reason=40, copy=False),
)


def _fitted(build: Callable[[_Detail], str]) -> str:
    text = ""
    for detail in _DETAILS:
        text = build(detail)
        if len(text) <= MESSAGE_LIMIT:
            break
    return text


def _squeezed(
    detail: _Detail, render: Callable[[list[str], str], str], rows: list[str], more: MoreRows
) -> str:
    """At the least detail, `render(rows, tail)` with as many rows as fit; the rows left out
    are summed up in the tail by `more` (given their indexes): a message never exceeds
    Telegram's limit."""
    kept = len(rows)
    text = render(rows, "")
    if detail is not _DETAILS[-1]:
        return text
    while len(text) > MESSAGE_LIMIT and kept > 0:
        kept -= 1
        text = render(rows[:kept], more(range(kept, len(rows))))
    return text


MoreRows = Callable[[range], str]


def button_place(count: int) -> str:
    # TRANSLATORS: button under a mass order's summary (at most about 30 characters).
    return n_("✅ Place {count} order", "✅ Place {count} orders", count, count=number(count))


def prompt(maximum: int, example: tuple[str, str, int] | None) -> str:
    """/mass: the format, the limit, and an example made of the customer's own catalogue."""
    service_id, link, quantity = example or ("1", "https://instagram.com/…", 1000)
    # TRANSLATORS: /mass. "service_id | link | quantity" is the format to type: translate the
    # three words, keep the "|". {example1} and {example2} are example lines.
    return _(
        "📦 <b>Mass order</b>: many orders in one message, one per line:\n"
        "<code>service_id | link | quantity</code>\n"
        "Spaces or commas between them work too, e.g.\n"
        "<code>{example1}</code>\n<code>{example2}</code>\n\n"
        "Up to <b>{maximum}</b> lines, for services that need only a link and a quantity. "
        "You'll see every price before anything is ordered. /cancel to leave.",
        example1=esc(f"{service_id} | {link} | {quantity}"),
        example2=esc(f"{service_id} {link} {quantity}"),
        maximum=number(maximum),
    )


# Why a line is not ordered, as InvalidInput reasons (link and quantity problems: short forms
# of the order form's texts; anything else falls back to those).
REASONS: dict[str, str] = {
    # TRANSLATORS: mass order: a line that is not "service id | link | quantity".
    "mass_format": N_("not in the form “service_id | link | quantity”."),
    # TRANSLATORS: mass order: {service} is the service id the customer typed.
    "mass_unknown_service": N_("no service {service} in the catalogue."),
    # TRANSLATORS: mass order: the service asks more (comments, usernames…); /order can.
    "mass_needs_form": N_("service {service} needs more than a link and a quantity: use /order."),
    # TRANSLATORS: mass order: {line} is the number of the earlier line.
    "mass_duplicate": N_("same service and link as line {line}."),
    "link_invalid": N_("not a link."),
    # TRANSLATORS: {host} is a site, e.g. instagram.com.
    "link_wrong_platform": N_("this service takes {host} links."),
    "quantity_range": N_("the quantity must be {minimum} – {maximum}."),
    "number_not_whole": N_("the quantity is not a whole number."),
    "number_negative": N_("the quantity is not a whole number."),
    "number_too_big": N_("the quantity is far too big."),
}


def reason(problem: InvalidInput) -> str:
    entry = REASONS.get(problem.reason)
    if entry is None:
        return invalid_input(problem).removeprefix("⚠️ ")
    # A typed service id can be anything: cut.
    params = {
        k: number(v) if isinstance(v, int) else short(v, 20) for k, v in problem.params.items()
    }
    return sentence(_(entry, **params))


def empty() -> str:
    return _(
        "⚠️ There are no lines in that message. Send one order per line: "
        "<code>service_id | link | quantity</code>"
    )


def too_many(count: int, maximum: int) -> str:
    # TRANSLATORS: mass order refused whole: {count} lines sent, at most {maximum}.
    return n_(
        "⚠️ That's {count} line; a mass order takes at most {maximum}. Nothing was ordered — "
        "send them in parts.",
        "⚠️ That's {count} lines; a mass order takes at most {maximum}. Nothing was ordered — "
        "send them in parts.",
        count,
        count=number(count),
        maximum=number(maximum),
    )


def expect_text() -> str:
    return _("⚠️ Please send the lines as text: <code>service_id | link | quantity</code>")


def summary_expected() -> str:
    return _(
        "⚠️ Place the orders or cancel with the buttons below — or send a corrected list "
        "to replace this one."
    )


def _service(order_name: str, service_id: str, detail: _Detail) -> str:
    if detail.name:
        # TRANSLATORS: a service in a mass order's line: its name and id.
        return _("{name} (ID {id})", name=short(order_name, detail.name), id=esc(service_id))
    # TRANSLATORS: a service in a mass order's line, by its id only.
    return _("ID {id}", id=esc(service_id))


def _link(link: str | None, detail: _Detail) -> str:
    if not link or not detail.link:
        return ""
    return " · " + short(link.removeprefix("https://").removeprefix("http://"), detail.link)


def _bad_line(bad: BadLine, detail: _Detail) -> str:
    why = reason(bad.problem)
    if detail.quote:
        # TRANSLATORS: a line of a mass order that will not be ordered: its number, the line
        # as typed, and why.
        return _(
            "<b>{number}.</b> <code>{line}</code> — {why}",
            number=bad.number,
            line=short(bad.text, detail.quote),
            why=why,
        )
    return _("<b>{number}.</b> {why}", number=bad.number, why=why)


def summary(found: MassList, balance: Balance | None) -> str:
    """Every valid line priced, every bad line named with its reason, the total and balance."""
    currency = balance.currency if balance else None
    count = len(found.lines) + len(found.bad)

    def build(detail: _Detail) -> str:
        parts = [
            # TRANSLATORS: a mass order's summary title; {count} lines were sent.
            n_(
                "🧾 <b>Check your mass order</b> — {count} line",
                "🧾 <b>Check your mass order</b> — {count} lines",
                count,
                count=number(count),
            )
        ]
        rows = [
            # TRANSLATORS: a valid line of a mass order: number, service, link, quantity, price.
            _(
                "<b>{number}.</b> {service}{link} · {quantity} · <b>{price}</b>",
                number=line.number,
                service=_service(line.service.name, line.service.id, detail),
                link=_link(line.link, detail),
                quantity=number(line.quantity),
                price=money(line.price, currency),
            )
            for line in found.lines
        ]
        if rows:
            parts.append("\n".join(rows))
        footer = _footer(found, balance, currency)
        if not found.bad:
            return "\n\n".join([*parts, footer])
        bad = len(found.bad)
        heading = n_(
            "⚠️ <b>Not ordered</b> ({count} line):",
            "⚠️ <b>Not ordered</b> ({count} lines):",
            bad,
            count=number(bad),
        )

        def render(shown: list[str], tail: str) -> str:
            listed = "\n".join([heading, *shown, *([tail] if tail else [])])
            return "\n\n".join([*parts, listed, footer])

        def more(left_out: range) -> str:
            numbers = ", ".join(str(found.bad[i].number) for i in left_out)
            # TRANSLATORS: when a long list of bad lines does not fit: the numbers of the rest.
            return _("…and lines {numbers}: not ordered either.", numbers=numbers)

        return _squeezed(detail, render, [_bad_line(b, detail) for b in found.bad], more)

    return _fitted(build)


def _footer(found: MassList, balance: Balance | None, currency: str | None) -> str:
    if not found.lines:
        return _("Nothing here can be ordered. Correct the lines and send them again, or /cancel.")
    total = found.total
    lines = [
        # TRANSLATORS: the total of a mass order's valid lines.
        n_(
            "💵 Total: <b>{price}</b> for {count} order",
            "💵 Total: <b>{price}</b> for {count} orders",
            len(found.lines),
            price=money(total, currency),
            count=number(len(found.lines)),
        )
    ]
    if balance is None:
        lines.append(_("💰 Balance: unknown (the panel did not answer)"))
    else:
        lines.append(_("💰 Balance: {amount}", amount=money(balance.amount, currency)))
        after = balance.amount - total
        if after < 0:
            lines.append(
                _("⚠️ <b>Not enough balance</b>: {amount} short.", amount=money(-after, currency))
            )
        else:
            lines.append(_("💰 After: {amount}", amount=money(after, currency)))
    if found.bad:
        lines.append(_("Send a corrected list to replace this one, or place the valid lines now."))
    return "\n".join(lines)


def placing(count: int) -> str:
    # TRANSLATORS: the answer to a tap on a mass order's Confirm.
    return n_(
        "⏳ Placing {count} order…",
        "⏳ Placing {count} orders…",
        count,
        count=number(count),
    )


def already_placing() -> str:
    return _("⏳ This mass order is already being placed — its results follow.")


def already_done() -> str:
    return _("This mass order was already placed. See /orders.")


def cancelled() -> str:
    return _("Okay, the mass order is cancelled. Nothing was ordered. /mass to start again.")


def timed_out() -> str:
    return _("⌛ This mass order was left idle, so I closed it. Nothing was ordered.")


def _why_refused(error: PanelError | None, limit: int) -> str:
    """The plain reason when the kind is known, else the panel's words, at most `limit`."""
    if error is None:
        return ""
    known = refusal(error)
    if known is not None:
        return cut(known, limit)
    return f"<i>{short(error.message, limit)}</i>"


def _result_line(result: LineResult, detail: _Detail) -> str:
    order = result.order
    service = _service(order.service_name, order.service_id, detail)
    if result.kind is LineOutcome.PLACED:
        # TRANSLATORS: a placed line of a mass order: {order_id} is the panel's order id.
        return _(
            "✅ <b>{number}.</b> Order <code>{order_id}</code> · {service}{link}",
            number=result.number,
            order_id=esc(result.panel_order_id or ""),
            service=service,
            link=_link(order.link, detail),
        )
    if result.kind is LineOutcome.REFUSED:
        why = _why_refused(result.error, detail.reason)
        # TRANSLATORS: a line of a mass order the panel refused: {why} says why.
        return _(
            "❌ <b>{number}.</b> {service}{link}: refused — {why}",
            number=result.number,
            service=service,
            link=_link(order.link, detail),
            why=why,
        )
    if result.kind is LineOutcome.UNKNOWN:
        # TRANSLATORS: a line of a mass order whose outcome is unclear (maybe placed).
        return _(
            "❓ <b>{number}.</b> {service}{link}: no clear answer — it may have been placed.",
            number=result.number,
            service=service,
            link=_link(order.link, detail),
        )
    # TRANSLATORS: a line of a mass order that was not sent to the panel.
    return _(
        "⏸ <b>{number}.</b> {service}{link}: not sent, nothing ordered.",
        number=result.number,
        service=service,
        link=_link(order.link, detail),
    )


def _copy_block(results: Sequence[LineResult]) -> str:
    lines = [
        f"{r.order.service_id} | {r.order.link or ''} | {r.order.quantity or ''}"
        for r in results
        if r.kind is LineOutcome.NOT_SENT
    ]
    if not lines:
        return ""
    # TRANSLATORS: above the lines that were not sent, ready to copy and send again.
    return _("To send them again later, copy:") + f"\n<pre>{esc(chr(10).join(lines))}</pre>"


MARKS: dict[LineOutcome, str] = {
    LineOutcome.PLACED: "✅",
    LineOutcome.REFUSED: "❌",
    LineOutcome.UNKNOWN: "❓",
    LineOutcome.NOT_SENT: "⏸",
}

STOPPED: dict[StopReason, str] = {
    StopReason.UNAVAILABLE: N_(
        "⚠️ The panel stopped answering, so I didn't send the rest. Nothing of those was ordered."
    ),
    StopReason.UNKNOWN: N_(
        "⚠️ The panel gave no clear answer for a line, so I didn't send the rest. I will "
        "<b>not</b> place the unclear one again by myself — check /orders or your panel "
        "before ordering it again."
    ),
    StopReason.NO_KEY: N_("⚠️ Your API key is no longer connected, so I stopped. /key"),
}


def results(lines: Sequence[LineResult], stopped: StopReason | None, currency: str | None) -> str:
    """One message: what became of every valid line."""
    placed = [r for r in lines if r.kind is LineOutcome.PLACED]
    spent = sum((r.order.price or Decimal(0) for r in placed), Decimal(0))

    def build(detail: _Detail) -> str:
        # TRANSLATORS: a mass order's results: {placed} of {count} orders were placed.
        head = n_(
            "📦 <b>Mass order</b>: {placed} of {count} order placed",
            "📦 <b>Mass order</b>: {placed} of {count} orders placed",
            len(lines),
            placed=number(len(placed)),
            count=number(len(lines)),
        )
        parts = []
        if placed:
            # TRANSLATORS: what the placed orders of a mass order cost together.
            parts.append(_("💵 Placed for {price}", price=money(spent, currency)))
        if stopped is not None:
            parts.append(_(STOPPED[stopped]))
        if detail.copy and (copy := _copy_block(lines)):
            parts.append(copy)
        if placed:
            parts.append(_("I'll message you when their status changes. /orders"))

        def render(shown: list[str], tail: str) -> str:
            listed = "\n".join([*shown, *([tail] if tail else [])])
            return "\n\n".join([head, listed, *parts])

        def more(left_out: range) -> str:
            rest = ", ".join(f"{lines[i].number} {MARKS[lines[i].kind]}" for i in left_out)
            # TRANSLATORS: when a long list of results does not fit: the rest, "12 ✅, 13 ❌".
            return _("…and lines {rest}", rest=rest)

        return _squeezed(detail, render, [_result_line(r, detail) for r in lines], more)

    return _fitted(build)
