"""bot/texts/common.py: every text read from the reader's catalogue, plurals, RTL isolation."""

from __future__ import annotations

from decimal import Decimal

from bot import texts
from bot.i18n import FSI, PDI, catalogue, reading_as
from bot.panel import Balance


def test_command_menu_keeps_ascii_commands_and_translates_descriptions() -> None:
    menu = texts.common.command_menu()
    assert ("start", "Main menu") in menu
    assert ("cancel", "Leave the current step") in menu
    with reading_as("ar"):
        translated = texts.common.command_menu()
    assert [command for command, _ in translated] == [command for command, _ in menu]
    assert all(command.isascii() for command, _ in translated)
    assert [description for _, description in translated] == [
        catalogue("ar").gettext(description) for _, description in menu
    ]


def test_welcome_is_one_message_per_paragraph() -> None:
    assert texts.common.welcome("Ann", has_key=True) == (
        "👋 Hi, Ann!\n\nI place orders on your SMM panel account. What would you like to do?"
    )
    first_time = texts.common.welcome("Ann", has_key=False)
    assert first_time.split("\n\n") == [
        "👋 Hi, Ann!",
        "I place orders on your SMM panel account — followers, likes, views and more, "
        "tracked until they are delivered.",
        "First, connect your panel <b>API key</b> (you find it on the panel's Account page).",
    ]


def test_names_are_escaped_and_isolated_for_right_to_left_readers() -> None:
    assert "Hi, &lt;b&gt;Ann!" in texts.common.welcome("<b>Ann", has_key=True)
    assert FSI not in texts.common.welcome("Ann", has_key=True)
    with reading_as("ar"):
        assert f"{FSI}&lt;b&gt;Ann{PDI}" in texts.common.welcome("<b>Ann", has_key=True)
        assert f"{FSI}@smm_bot{PDI}" in texts.common.private_only("smm_bot")
        assert f"{FSI}42.50 USD{PDI}" in texts.common.balance_text(Balance(Decimal("42.5"), "USD"))


def test_help_keeps_its_commands() -> None:
    shown = texts.common.help_text()
    assert shown.startswith("<b>How it works</b>\n1. /key")
    assert "\n\n/status 123 456 — status of order ids\n" in shown
    assert "\n/notify — status messages on or off\n" in shown
    assert "\n/disconnect — remove your key from the bot\n" in shown


def test_operator_report_counts_in_plural_forms() -> None:
    one = texts.common.operator_error_report("E", "trace", 1, 1)
    assert "1 more of this kind since the previous report." in one
    assert "every 1 minute." in one
    many = texts.common.operator_error_report("E", "trace", 1200, 10)
    assert "1,200 more of this kind" in many
    assert "every 10 minutes." in many
    assert "more of this kind" not in texts.common.operator_error_report("E", "t", 0, 10)
