"""Console → broadcast: the prompt, what is wrong with a message, the confirmation, the
progress message and the final report (all read by operators)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal, format_percent

from bot.i18n import _, isolate, n_
from bot.texts.formatting import esc, locale, number
from storage.broadcasts import BroadcastState, DeliveryCounts, DeliveryState


def prompt() -> str:
    return _(
        "📣 <b>Broadcast</b>\n"
        "Send me the message for every active user: a text, or a photo with a caption.\n"
        "Telegram HTML works: &lt;b&gt;bold&lt;/b&gt;, &lt;i&gt;italic&lt;/i&gt;, "
        '&lt;a href="https://…"&gt;link&lt;/a&gt;. You will see a preview before anything '
        "is sent."
    )


def invalid(problem: str, **params: Any) -> str:
    """Why the operator's message cannot be sent (a bot.services.broadcast.Problem and its
    parameters); the prompt still waits for another one."""
    if problem == "empty":
        reason = _("The message is empty.")
    elif problem == "too_long":
        reason = _(
            "The message is too long: {length} characters, Telegram allows {limit}.",
            length=number(int(params["length"])),
            limit=number(int(params["limit"])),
        )
    elif problem == "broken_html":
        # TRANSLATORS: {reason} is a short technical reason in English, e.g. "<b> is not closed".
        reason = _("The HTML is broken: {reason}.", reason=esc(params["reason"]))
    elif problem == "photo_too_large":
        reason = _(
            "The photo is too large: {size} MB, Telegram allows {limit} MB.",
            size=_megabytes(int(params["size"])),
            limit=_megabytes(int(params["limit"])),
        )
    else:
        reason = _("I can broadcast a text or a photo only (not a file, sticker or video).")
    return _("⚠️ {reason}\nNothing was sent. Send the message again.", reason=reason)


def _megabytes(size: int) -> str:
    megabytes = Decimal(size) / Decimal(1024 * 1024)
    return isolate(format_decimal(megabytes, format="#,##0.#", locale=locale()))


def preview_refused(reason: str) -> str:
    # TRANSLATORS: {reason} is Telegram's own error, in English.
    return _(
        "⚠️ Telegram refused this message: {reason}\nNothing was sent. Send the message again.",
        reason=esc(reason),
    )


def confirm(count: int) -> str:
    return n_(
        "☝️ This is exactly how users will see it. Send it to {count} active user?",
        "☝️ This is exactly how users will see it. Send it to {count} active users?",
        count,
        count=number(count),
    )


def nobody() -> str:
    return _("☝️ This is how users would see it, but there is no active user to send it to.")


def button_send(count: int) -> str:
    # TRANSLATORS: console button (short).
    return n_("✅ Send to {count} user", "✅ Send to {count} users", count, count=number(count))


def button_discard() -> str:
    # TRANSLATORS: console button (short).
    return _("✖️ Discard")


def button_stop() -> str:
    # TRANSLATORS: console button under a broadcast's progress (short).
    return _("⏹ Stop")


def discarded() -> str:
    return _("Discarded: nothing was sent.")


def already_handled() -> str:
    # TRANSLATORS: a short pop-up when a broadcast's confirmation is tapped twice.
    return _("This broadcast was already sent or discarded.")


def stopping() -> str:
    # TRANSLATORS: a short pop-up after Stop.
    return _("Stopping: nobody else will get it.")


def not_sending() -> str:
    # TRANSLATORS: a short pop-up: Stop on a broadcast that already ended.
    return _("This broadcast is not being sent any more.")


def _bar(done: int, total: int, width: int = 10) -> str:
    share = done / total if total else 1.0
    filled = round(share * width)
    percent = format_percent(Decimal(round(share * 100)) / 100, locale=locale())
    return f"{'▓' * filled}{'░' * (width - filled)} {isolate(percent)}"


def progress(broadcast_id: int, counts: DeliveryCounts, final_state: str | None = None) -> str:
    """The one progress message, edited in place while the broadcast goes out."""
    if final_state == BroadcastState.STOPPED:
        head = _("📣 <b>Broadcast #{id}</b>: stopped", id=broadcast_id)
    elif final_state is not None:
        head = _("📣 <b>Broadcast #{id}</b>: finished", id=broadcast_id)
    else:
        head = _("📣 <b>Broadcast #{id}</b>: sending…", id=broadcast_id)
    # TRANSLATORS: one line of counts under a broadcast's progress bar (keep it short).
    line = _(
        "✅ sent {sent} · 🚫 blocked {blocked} · ⚠️ failed {failed} · ⏳ left {left}",
        sent=number(counts[DeliveryState.SENT]),
        blocked=number(counts[DeliveryState.BLOCKED]),
        failed=number(counts[DeliveryState.FAILED]),
        left=number(counts.left),
    )
    lines = [head, _bar(counts.done, counts.total), line]
    unconfirmed = counts[DeliveryState.UNCONFIRMED]
    if unconfirmed:
        lines.append(_unconfirmed(unconfirmed))
    return "\n".join(lines)


def _unconfirmed(count: int) -> str:
    return n_(
        "❔ {count} unconfirmed (a restart or a timeout came in between; not sent again)",
        "❔ {count} unconfirmed (a restart or a timeout came in between; not sent again)",
        count,
        count=number(count),
    )


def report(broadcast_id: int, counts: DeliveryCounts, final_state: str | None) -> str:
    """The final report, a message of its own once the broadcast ended."""
    if final_state == BroadcastState.STOPPED:
        head = _("⏹ <b>Broadcast #{id} stopped.</b>", id=broadcast_id)
    else:
        head = _("🏁 <b>Broadcast #{id} finished.</b>", id=broadcast_id)
    lines = [
        head,
        n_(
            "✅ Delivered to {sent} of {total} user.",
            "✅ Delivered to {sent} of {total} users.",
            counts.total,
            sent=number(counts[DeliveryState.SENT]),
            total=number(counts.total),
        ),
    ]
    blocked = counts[DeliveryState.BLOCKED]
    if blocked:
        lines.append(
            n_(
                "🚫 {count} had blocked the bot (now marked inactive).",
                "🚫 {count} had blocked the bot (now marked inactive).",
                blocked,
                count=number(blocked),
            )
        )
    failed = counts[DeliveryState.FAILED]
    if failed:
        lines.append(
            n_(
                "⚠️ {count} refused by Telegram.",
                "⚠️ {count} refused by Telegram.",
                failed,
                count=number(failed),
            )
        )
    unconfirmed = counts[DeliveryState.UNCONFIRMED]
    if unconfirmed:
        lines.append(_unconfirmed(unconfirmed))
    cancelled = counts[DeliveryState.CANCELLED]
    if cancelled:
        lines.append(
            n_(
                "⏹ {count} not sent (stopped).",
                "⏹ {count} not sent (stopped).",
                cancelled,
                count=number(cancelled),
            )
        )
    skipped = counts[DeliveryState.SKIPPED]
    if skipped:
        lines.append(
            n_(
                "⏭ {count} skipped (blocked or left before their turn).",
                "⏭ {count} skipped (blocked or left before their turn).",
                skipped,
                count=number(skipped),
            )
        )
    return "\n".join(lines)
