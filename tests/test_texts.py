"""The text module: escaping and bounded quotes of what users and panels send."""

from __future__ import annotations

from decimal import Decimal

from bot import texts


def test_panel_text_is_escaped_and_cut() -> None:
    message = texts.order.rejected("<b>&" + "x" * 5000)
    assert "&lt;b&gt;&amp;" in message
    assert len(message) < texts.formatting.PANEL_TEXT_LIMIT + 200
    assert "<b>&" not in message.replace("<b>The panel refused the order</b>", "")


def test_money_has_two_decimals_and_more_only_under_one_unit() -> None:
    assert texts.formatting.money(Decimal("0.9"), "USD") == "0.90 USD"
    assert texts.formatting.money(Decimal("0.00001234")) == "0.00001"
    assert texts.formatting.money(Decimal("12345678.12345"), "<b>") == "12,345,678.12 &lt;b&gt;"
    assert texts.formatting.money(None) == "—"


def test_progress_bar_handles_unknown_and_over_delivery() -> None:
    assert texts.orders.progress_bar(1000, 250) == "▓▓▓▓▓▓▓▓░░ 75%"
    assert texts.orders.progress_bar(1000, -20) == "▓▓▓▓▓▓▓▓▓▓ 100%"
    assert texts.orders.progress_bar(1000, None) == ""
    assert texts.orders.progress_bar(None, 10) == ""


def test_progress_follows_the_status_not_remains_alone() -> None:
    # Pending: nothing delivered, whatever remains says (SmartPanel answers 0 before the start).
    assert texts.orders.progress("pending", 1000, 0) == "░░░░░░░░░░ 0%"
    assert texts.orders.progress("pending", None, None) == "░░░░░░░░░░ 0%"
    assert texts.orders.progress("in_progress", 1000, 250) == "▓▓▓▓▓▓▓▓░░ 75%"
    assert texts.orders.progress("in_progress", 1000, None) == ""  # no made-up progress
    assert texts.orders.progress("completed", 1000, 1000) == "▓▓▓▓▓▓▓▓▓▓ 100%"
    assert texts.orders.progress("partial", 1000, 300, width=5) == (
        "▓▓▓▓░ 70% · 700 of 1,000 delivered, 300 not"
    )
    assert texts.orders.progress("partial", 1000, -30) == "▓▓▓▓▓▓▓▓▓▓ 100%"  # over-delivered
    for dead_end in ("canceled", "refunded", "failed"):
        assert texts.orders.progress(dead_end, 1000, 0) == ""
        assert texts.orders.progress(dead_end, 1000, 1000) == ""
    assert texts.orders.progress("something new", 100, 50) == "▓▓▓▓▓░░░░░ 50%"


def test_id_report_splits_long_reports_under_telegrams_limit() -> None:
    lines = [(str(100000 + i), "⚠️ " + "y" * 80) for i in range(200)]
    messages = texts.orders.id_report(texts.orders.status_title(), lines)
    assert len(messages) > 1
    assert all(len(m) <= 4096 for m in messages)
    assert sum(m.count("<code>") for m in messages) == 200


def test_compact_numbers_for_buttons() -> None:
    assert [
        texts.formatting.compact(n) for n in (50, 1000, 1500, 10000, 1_000_000, 2_500_000)
    ] == [
        "50",
        "1K",
        "1.5K",
        "10K",
        "1M",
        "2.5M",
    ]
