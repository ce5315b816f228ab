"""Error reports to the operators: one per kind per window, the next one carrying the count."""

from __future__ import annotations

from pathlib import Path

from bot import texts
from bot.error_reports import ErrorReportThrottle, MemoryLedger, Report, error_kind
from tests.conftest import USER, make_settings, running
from tests.customer import Customer
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import FakeTelegram

OPERATOR = 9001
TOO_OLD = "Bad Request: query is too old and response timeout expired or query id is invalid"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_one_report_per_kind_per_window_then_the_count() -> None:
    clock = Clock()
    throttle = ErrorReportThrottle(window=600, clock=clock)
    assert await throttle.admit("A") == Report("A", 0)
    for _ in range(5):
        clock.now += 60
        assert await throttle.admit("A") is None
    assert await throttle.admit("B") == Report("B", 0)  # another kind has its own window
    clock.now += 600 - 5 * 60  # ten minutes after A's report
    assert await throttle.admit("A") == Report("A", 5)
    assert await throttle.admit("A") is None
    clock.now += 600
    assert await throttle.admit("A") == Report("A", 1)
    clock.now += 3600
    assert await throttle.admit("A") == Report("A", 0)


async def test_a_clock_that_went_back_opens_a_new_window() -> None:
    clock = Clock()
    throttle = ErrorReportThrottle(window=600, clock=clock)
    assert await throttle.admit("A") is not None
    clock.now -= 3600
    assert await throttle.admit("A") == Report("A", 0)


async def test_the_memory_ledger_keeps_a_bounded_number_of_kinds() -> None:
    ledger = MemoryLedger(max_kinds=3)
    throttle = ErrorReportThrottle(ledger, window=600, clock=Clock())
    for kind in "ABCD":
        await throttle.admit(kind)
    assert await ledger.get("A") is None
    assert await ledger.get("D") is not None


def _raise_here() -> None:
    raise KeyError("x")


def test_the_kind_is_the_type_and_the_innermost_place_in_our_code() -> None:
    try:
        _raise_here()
    except KeyError as error:
        kind = error_kind(error)
    assert kind.startswith("KeyError at tests/test_error_reports.py:_raise_here:")
    assert error_kind(ValueError("never raised")) == "ValueError"


def test_the_report_text_escapes_and_counts() -> None:
    text = texts.common.operator_error_report("E at <x>", "Traceback <b>&", 4, 10)
    assert "&lt;x&gt;" in text
    assert "&lt;b&gt;&amp;" in text
    assert "4 more of this kind" in text
    assert "more of this kind" not in texts.common.operator_error_report("E", "t", 0, 10)


async def test_many_errors_reach_the_operators_as_one_report_per_kind(
    tmp_path: Path, panel: FakePanel, telegram: FakeTelegram, fernet_key: str
) -> None:
    settings = make_settings(tmp_path, panel, telegram, fernet_key, admin_ids=[OPERATOR])
    async with running(settings):
        customer = Customer(telegram)
        await customer.connect()
        menu = await customer.say("/start", "What would you like to do")
        # Every button press fails the same way: the user is told each time.
        presses = 12
        telegram.fail_method("answerCallbackQuery", times=presses, description=TOO_OLD)
        for _ in range(presses):
            telegram.press(USER, menu.message_id, "m:help")
        await telegram.wait_for(
            lambda: (
                sum(texts.common.error_generic() in m.text for m in telegram.messages(USER))
                == presses
            )
        )
        # Another kind of error is reported on its own; once it is there, every earlier
        # error of this user has been handled (one user's updates run in order).
        telegram.fail_method("sendMessage", times=1, description="Bad Request: boom")
        telegram.send_text(USER, "/help")
        await telegram.wait_for_message(OPERATOR, "handlers/common.py:reply")
    reports = telegram.messages(OPERATOR)
    assert len(reports) == 2
    assert "BadRequest at handlers/common.py:answer_query" in reports[0].text
    assert "BadRequest at handlers/common.py:reply" in reports[1].text
    assert "more of this kind" not in reports[0].text
