"""bot/texts/key.py: every text read from the reader's catalogue; values escaped and isolated."""

from __future__ import annotations

from decimal import Decimal

from bot import texts
from bot.i18n import FSI, PDI, reading_as
from bot.panel import Balance


def test_key_prompt_names_the_connected_key_only_when_there_is_one() -> None:
    assert texts.key.key_prompt(None) == (
        "🔑 Send me your panel <b>API key</b> as a message.\n"
        "I delete that message straight away and keep the key encrypted.\n\n/cancel to stop."
    )
    assert texts.key.key_prompt("ab<c").startswith(
        "🔑 Connected now: <code>ab&lt;c</code>\n\nSend me your panel"
    )


def test_connected_key_and_balance_are_isolated_for_right_to_left_readers() -> None:
    balance = Balance(Decimal("100"), "USD")
    assert texts.key.key_connected("••••8f90", balance) == (
        "✅ Key <code>••••8f90</code> connected.\nBalance: <b>100.00 USD</b>\n\nReady: /order"
    )
    with reading_as("ar"):
        shown = texts.key.key_connected("••••8f90", balance)
    assert f"{FSI}<code>••••8f90</code>{PDI}" in shown  # tapping the code copies the key alone
    assert f"{FSI}100.00 USD{PDI}" in shown


def test_a_rejected_key_says_why_in_one_sentence() -> None:
    wrong = texts.key.key_rejected("Invalid API key")
    assert wrong.startswith("❌ The panel did not accept this key: it says the key is wrong")
    assert wrong.endswith("Nothing was stored. Check the key and send it again, or /cancel.")
    odd = texts.key.key_rejected("Odd <thing>")
    assert "this key: <i>Odd &lt;thing&gt;</i>\nNothing was stored." in odd
