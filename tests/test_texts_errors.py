"""bot/texts/errors.py: refusals as whole clauses from the reader's catalogue."""

from __future__ import annotations

from bot import texts
from bot.i18n import FSI, PDI, reading_as
from bot.panel import QuantityOutOfRange


def test_quantity_refusals_name_the_limit_when_known() -> None:
    assert texts.errors.quantity_refused("min", 10000) == (
        "the quantity is below this service's minimum of 10,000."
    )
    assert texts.errors.quantity_refused("max", None) == (
        "the quantity is above this service's maximum."
    )
    assert texts.errors.quantity_refused(None, None) == (
        "the quantity is outside what this service allows."
    )
    error = QuantityOutOfRange("Quantity less than minimal 50", bound="min", limit=50)
    assert texts.errors.panel_error(error) == (
        "⚠️ The quantity is below this service's minimum of 50."
    )
    with reading_as("ar"):
        assert f"{FSI}50{PDI}" in texts.errors.quantity_refused("min", 50)


def test_unknown_panel_words_are_quoted_escaped_and_isolated() -> None:
    assert texts.errors.panel_said("Odd <b>") == "⚠️ The panel said: <i>Odd &lt;b&gt;</i>"
    assert texts.errors.panel_said("Not enough funds on balance") == (
        "⚠️ Your balance on the panel is too low. Top it up on the panel's website, then try again."
    )
    with reading_as("ar"):
        assert f"<i>{FSI}Odd &lt;b&gt;{PDI}</i>" in texts.errors.panel_said("Odd <b>")
