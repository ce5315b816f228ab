"""Each panel's wording of a refusal -> one error type -> one sentence for the customer.

The seed (PerfectPanel-style), SmartPanel and BoostedSMM word the same refusal differently
(real-panels.md); the customer reads the same plain sentence whatever the panel, and the
panel's own text only when its kind is unknown.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot import texts
from bot.panel import (
    ActionUnsupported,
    BadLink,
    BadService,
    InvalidKey,
    MissingField,
    NotEnoughFunds,
    OrderNotFound,
    PanelError,
    PanelRejected,
    QuantityOutOfRange,
    classify_error,
    classify_reply,
)
from tests.conftest import on_every_dialect
from tests.customer import Customer
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import FakeTelegram

REFUSED = "❌ <b>The panel refused the order</b>: "

# (kind, wordings of the seed / SmartPanel / BoostedSMM and the leaked PerfectPanel keys, type)
KINDS: list[tuple[str, list[str], type[PanelError]]] = [
    (
        "no funds",
        [
            "Not enough funds on balance",  # seed, SmartPanel S21
            "Your balance is insufficient.",  # BoostedSMM B16
            "neworder.error.not_enough_funds",
        ],
        NotEnoughFunds,
    ),
    (
        "below minimum",
        [
            "Enter a value above the minimum number.",  # BoostedSMM B12
            "neworder.error.min_quantity",
        ],
        QuantityOutOfRange,
    ),
    (
        "above maximum",
        [
            "Maximum number exceed.",  # BoostedSMM B13
            "neworder.error.max_quantity",
        ],
        QuantityOutOfRange,
    ),
    (
        "unknown service",
        [
            "Incorrect service ID",  # seed
            "Service ID does not exists",  # SmartPanel S19
            "Service not found or inactive",  # BoostedSMM B14
            "neworder.error.service_not_found",
        ],
        BadService,
    ),
    (
        "bad link",
        [
            "Incorrect link",  # seed
            "Bad Link",  # SmartPanel S20
            "Bad link",
            "neworder.error.invalid_link",
        ],
        BadLink,
    ),
    (
        "missing field",
        ["You must fill in the required fields."],  # BoostedSMM B15 (no link), B11
        MissingField,
    ),
    (
        "invalid key",
        [
            "Invalid API key",  # seed
            "API is Disable for this user or User Not Found! Contact the Support",  # S23
            "API key invalid",  # BoostedSMM B18
        ],
        InvalidKey,
    ),
    (
        "action unsupported",
        [
            "This action is Invalid",  # SmartPanel S33-S40
            "The selected action is invalid.",
            "This action is not supported by the panel (it answered null)",  # BoostedSMM B29
        ],
        ActionUnsupported,
    ),
]
CASES = [(kind, text, cls) for kind, wordings, cls in KINDS for text in wordings]


@pytest.mark.parametrize(("kind", "text", "cls"), CASES, ids=[c[1] for c in CASES])
def test_each_wording_gets_its_kinds_type(kind: str, text: str, cls: type[PanelError]) -> None:
    error = classify_error(text)
    assert type(error) is cls
    assert error.message == text


@pytest.mark.parametrize(("kind", "wordings", "cls"), KINDS, ids=[k[0] for k in KINDS])
def test_the_customer_reads_one_sentence_per_kind_whatever_the_panel(
    kind: str, wordings: list[str], cls: type[PanelError]
) -> None:
    refused = {texts.order.rejected(text) for text in wordings}
    said = {texts.errors.panel_error(classify_error(text)) for text in wordings}
    lines = {texts.errors.item_error_line(text) for text in wordings}
    assert len(refused) == len(said) == len(lines) == 1
    for text in wordings:
        for message in (*refused, *said, *lines):
            assert text not in message  # the panel's own words are not shown
            assert "The panel said" not in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Not enough funds on balance", "your balance on the panel is too low."),
        (
            "Enter a value above the minimum number.",
            "the quantity is below this service's minimum.",
        ),
        ("Maximum number exceed.", "the quantity is above this service's maximum."),
        ("Service not found or inactive", "the panel doesn't offer this service any more."),
        ("Bad Link", "the panel didn't accept the link."),
        ("You must fill in the required fields.", "a detail the panel needs is missing"),
        ("API key invalid", "the panel no longer accepts your API key."),
        ("This action is Invalid", "this panel doesn't offer that through its API."),
        (
            "This services does not support Dripfeed feature!",
            "this service can't be drip-fed. Order it all at once.",
        ),
        (
            "You have active order with this link. Please wait until order being completed.",
            "there is already an active order for this link.",
        ),
    ],
)
def test_refused_order_reads_plainly(text: str, expected: str) -> None:
    message = texts.order.rejected(text)
    assert message.startswith(REFUSED + expected)
    assert message.endswith("Nothing was charged. Change the order, or cancel.")
    assert texts.order.rejected(classify_error(text)) == message  # the error or its message alike


@pytest.mark.parametrize(
    ("text", "bound", "limit", "expected"),
    [
        # SmartPanel S17/S18 and the seed state the number; BoostedSMM does not.
        (
            "Quantity must to be greater than or equal to minimum amount 100",
            "min",
            100,
            "the quantity is below this service's minimum of 100.",
        ),
        (
            "Quantity must to be less than or equal to maximum amount 5000",
            "max",
            5000,
            "the quantity is above this service's maximum of 5,000.",
        ),
        (
            "Quantity less than minimal 50",
            "min",
            50,
            "the quantity is below this service's minimum of 50.",
        ),
        (
            "Quantity more than maximal 10,000",
            "max",
            10000,
            "the quantity is above this service's maximum of 10,000.",
        ),
        (
            "Total quantity must to be greater than or equal to minimum amount 50",
            "min",
            50,
            "the quantity is below this service's minimum of 50.",
        ),
        (
            "Enter a value above the minimum number.",
            "min",
            None,
            "the quantity is below this service's minimum.",
        ),
        ("Maximum number exceed.", "max", None, "the quantity is above this service's maximum."),
    ],
)
def test_quantity_limits_keep_the_number_the_panel_states(
    text: str, bound: str, limit: int | None, expected: str
) -> None:
    error = classify_error(text)
    assert isinstance(error, QuantityOutOfRange)
    assert (error.bound, error.limit) == (bound, limit)
    assert texts.order.rejected(text).startswith(REFUSED + expected)


@pytest.mark.parametrize(
    "text",
    [
        "Invalid Interval in minutes",  # SmartPanel S06
        "Quantity is required",  # SmartPanel S08
        "There was an error while creating your order.",  # BoostedSMM B10
        "Order not eligible for refill.",
    ],
)
def test_an_unknown_wording_is_shown_as_the_panel_said_it(text: str) -> None:
    assert type(classify_error(text)) is PanelRejected
    assert texts.order.rejected(text) == (
        f"{REFUSED}<i>{text}</i>\n\nNothing was charged. Change the order, or cancel."
    )
    assert texts.errors.panel_error(classify_error(text)) == f"⚠️ The panel said: <i>{text}</i>"
    assert texts.errors.item_error_line(text) == f"⚠️ {text}"


def test_panel_text_is_escaped_when_shown() -> None:
    assert texts.order.rejected("<b>&").count("&lt;b&gt;&amp;") == 1
    assert "&lt;b&gt;&amp;" in texts.errors.panel_error(classify_error("<b>&"))
    assert "&lt;b&gt;&amp;" in texts.key.key_rejected("<b>&")


def test_unknown_order_in_a_list_reads_plainly() -> None:
    # SmartPanel's bare-string entry and the seed's {"error": ...} item carry the same words.
    assert (
        texts.errors.item_error_line("Incorrect order ID")
        == "⚠️ The panel doesn't know this order."
    )
    assert (
        texts.errors.item_error_line("Order not found.") == "⚠️ The panel doesn't know this order."
    )
    assert texts.errors.item_error_line(texts.orders.not_found()) == "⚠️ not found"


def test_a_wrong_key_reads_the_same_on_every_panel() -> None:
    wordings = [
        "Invalid API key",
        "API is Disable for this user or User Not Found! Contact the Support",
        "API key invalid",
    ]
    assert {texts.key.key_rejected(text) for text in wordings} == {
        "❌ The panel did not accept this key: it says the key is wrong, disabled, or its "
        "account is blocked.\nNothing was stored. Check the key and send it again, or /cancel."
    }
    assert (
        texts.errors.panel_error(classify_error("API key invalid"))
        == texts.errors.key_invalid_now()
    )


# --------------------------------------------------------------------------------------------
# classify_reply: refusals that depend on what was asked


@pytest.mark.parametrize(
    ("payload", "action", "several", "cls", "code"),
    [
        # The seed says "Incorrect request" for a missing field of `add`: the action exists.
        ({"error": "Incorrect request"}, "add", False, PanelRejected, None),
        ({"error": "Incorrect request"}, "refill", True, ActionUnsupported, None),
        (
            {"status": "fail", "message": "Incorrect request"},
            "cancel",
            True,
            ActionUnsupported,
            None,
        ),
        # BoostedSMM: 104 on one id is a missing order, on several the list form is missing.
        ({"error": "Order not found.", "status": "104"}, "status", False, OrderNotFound, "104"),
        ({"error": "Order not found.", "status": "104"}, "status", True, ActionUnsupported, "104"),
        ({"error": "Order not found.", "status": 104}, "status", True, ActionUnsupported, "104"),
        # Other panels' whole-reply "not found" on several ids stays about the ids.
        ({"error": "Incorrect order ID"}, "status", True, OrderNotFound, None),
        (None, "cancel", True, ActionUnsupported, None),
        ({"error": "This action is Invalid"}, "refill", False, ActionUnsupported, None),
        (
            {"error": "Your balance is insufficient.", "status": 113},
            "add",
            False,
            NotEnoughFunds,
            "113",
        ),
    ],
)
def test_classify_reply(
    payload: Any, action: str, several: bool, cls: type[PanelError], code: str | None
) -> None:
    error = classify_reply(payload, action=action, several=several)
    assert type(error) is cls
    assert error is not None
    assert error.code == code


@pytest.mark.parametrize(
    "payload",
    [
        {"status": 100, "order": "501"},  # BoostedSMM's success
        {"status": "success", "order": 1},  # SmartPanel's success
        {"status": "Pending", "charge": "0.6000", "start_count": None, "remains": "0"},
        {"1": {"status": "Pending"}, "999999": "Incorrect order ID"},
        {"status": "success", "data": "Empty Data"},
        [],
    ],
)
def test_classify_reply_leaves_answers_alone(payload: Any) -> None:
    assert classify_reply(payload, action="status", several=True) is None


def test_classify_reply_redacts_the_panels_text() -> None:
    error = classify_reply(
        {"error": "Invalid API key SECRET"}, redact=lambda text: text.replace("SECRET", "***")
    )
    assert isinstance(error, InvalidKey)
    assert error.message == "Invalid API key ***"


def test_action_unsupported_is_a_refusal_and_not_a_missing_order() -> None:
    assert issubclass(ActionUnsupported, PanelRejected)
    assert not issubclass(ActionUnsupported, OrderNotFound)
    assert issubclass(MissingField, BadLink)


# --------------------------------------------------------------------------------------------
# Through the bot, against the stand-in speaking each dialect


@on_every_dialect
async def test_a_wrong_key_is_told_the_same_way_on_every_panel(
    app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    customer = Customer(telegram)
    await customer.say("/key", "Send me your panel")
    _, answer = await customer.send("0123456789abcdef0123456789abcdef", "did not accept")
    assert answer.text == (
        "❌ The panel did not accept this key: it says the key is wrong, disabled, or its "
        "account is blocked.\nNothing was stored. Check the key and send it again, or /cancel."
    )
