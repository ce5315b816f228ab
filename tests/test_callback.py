"""The button-data codec: well-formed data round-trips, forged numbers are refused, and over
real HTTP a forged button is answered "expired" without ever reaching the error handler."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot import callback, texts
from tests.conftest import USER, make_settings, running
from tests.customer import Customer
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import FakeTelegram

OPERATOR = 9001
HUGE = "9" * 25
TWO_TO_63 = str(2**63)


def test_build_and_parse_round_trip() -> None:
    data = callback.parse(callback.build("c", "open", 42, "l"))
    assert data == callback.CallbackData("c", "open", ("42", "l"))
    assert data.int_arg(0) == 42


@pytest.mark.parametrize("raw", [HUGE, TWO_TO_63, "-1", "0", "abc", "²", "٣", " 1", "1.0", ""])
def test_row_ids_out_of_range_or_not_ascii_digits_are_refused(raw: str) -> None:
    assert callback.ROW_ID.parse(raw) is None
    with pytest.raises(callback.InvalidCallbackData):
        callback.CallbackData("c", "open", (raw,)).int_arg(0, callback.ROW_ID)


def test_the_largest_database_id_and_page_zero_are_accepted() -> None:
    assert callback.ROW_ID.parse(str(2**63 - 1)) == 2**63 - 1
    assert callback.PAGE.parse("0") == 0
    assert callback.PAGE.parse(str(callback.MAX_PAGE + 1)) is None


def test_a_missing_argument_is_the_default_or_refused() -> None:
    data = callback.CallbackData("m", "orders")
    assert data.int_arg(0, callback.PAGE, default=0) == 0
    with pytest.raises(callback.InvalidCallbackData):
        data.int_arg(0)


def test_patterns_check_the_declared_argument_shapes() -> None:
    card = callback.pattern("c", "open", args=(callback.ROW_ID, callback.TextArg("l")), required=1)
    assert card("c:open:17")
    assert card("c:open:17:l")
    assert not card(f"c:open:{HUGE}")
    assert not card("c:open:17:x")
    assert not card("c:open")
    assert not card("c:open:1:l:extra")
    assert not card("c:opened:17")
    assert not card(None)
    loose = callback.pattern("m", "order")
    assert loose("m:order")
    assert not loose("m:orders")


# --- the register --------------------------------------------------------------------------

# The largest argument each shape takes (ANY: the longest service id that still fits).
LARGEST: dict[callback.Arg, str] = {
    callback.ROW_ID: str(callback.MAX_ROW_ID),
    callback.PAGE: str(callback.MAX_PAGE),
    callback.INDEX: str(callback.MAX_INDEX),
    callback.PANEL_ORDER_ID: "9" * 40,
    callback.FROM_LIST: callback.LIST_MARK,
    callback.FIELD_NAME: "type_of_traffic",  # the longest field name
    callback.ANY: "9" * 20,
    callback.LANGUAGE_CODE: "pt_BR",
    callback.ZONE_NAME: "America/Argentina/Buenos_Aires",  # the longest zone a button offers
    callback.SETTING_NAME: "default_time_zone",  # the longest setting reset by a button
    callback.SERVICE_ID: "9" * 40,
    callback.INVITE_USES: "1000",
    callback.INVITE_DAYS: "365",
    callback.INVITE_CODE: "A" * 32,
    callback.ORDERS_SHOWN: "active",
    callback.NOTIFY_SWITCH: "off",
    callback.DROP_THEN: "order",
    callback.AMOUNT: str(10**15 - 1),  # the largest quantity a button offers
}


def test_every_prefix_is_declared_once_and_owned() -> None:
    codes = [prefix.code for prefix in callback.prefixes()]
    assert sorted(codes) == ["a", "c", "k", "m", "ms", "o", "s"]
    assert all(prefix.owner for prefix in callback.prefixes())
    with pytest.raises(ValueError, match="already belongs"):
        callback.register_prefix("o", "a second ordering flow")
    with pytest.raises(ValueError, match="declared twice"):
        callback.ORDER.button("ok", callback.ROW_ID)


@pytest.mark.parametrize("button", callback.buttons(), ids=lambda b: f"{b.prefix}:{b.action}")
def test_every_button_built_with_its_largest_arguments_fits_and_reads_back(
    button: callback.Button,
) -> None:
    args = [LARGEST[arg] for arg in button.args]
    data = button.data(*args)
    assert len(data.encode()) <= callback.MAX_BYTES
    assert button.parse(data) == callback.CallbackData(
        button.prefix.code, button.action, tuple(args)
    )
    # Exactly one declared button answers it.
    assert [b for b in callback.buttons() if b.pattern()(data)] == [button]


def test_a_builder_refuses_what_its_own_pattern_would_refuse() -> None:
    with pytest.raises(ValueError, match="do not fit"):
        callback.ORDER_CONFIRM.data(0)
    with pytest.raises(ValueError, match="do not fit"):
        callback.ORDER_CONFIRM.data()
    with pytest.raises(ValueError, match="do not fit"):
        callback.CARD_OPEN.data(1, "x")
    with pytest.raises(ValueError, match="do not fit"):
        callback.MENU_HELP.data(1)
    with pytest.raises(ValueError, match="longer than 64 bytes"):
        callback.ORDER_SERVICE.data("9" * 61)
    assert callback.CARD_OPEN.data(7) == "c:open:7"


@pytest.mark.parametrize(
    "forged",
    [
        None,
        "",
        "o",
        "o:",
        "o:ok",
        "o:ok:",
        f"o:ok:{TWO_TO_63}",
        "o:ok:1:2",
        "o:ok:٣",
        "O:ok:1",
        "x:ok:1",
        "o:okay:1",
        ":ok:1",
    ],
)
def test_a_button_reads_only_its_own_well_formed_data(forged: str | None) -> None:
    assert callback.ORDER_CONFIRM.parse(forged) is None
    assert callback.ORDER_CONFIRM.parse("o:ok:1") == callback.CallbackData("o", "ok", ("1",))


def test_the_order_flows_stale_fallback_leaves_other_features_buttons_alone() -> None:
    leftover = callback.leftover_of(callback.ORDER)
    for kind in callback.buttons():
        data = kind.data(*(LARGEST[arg] for arg in kind.args))
        assert leftover(data) == (kind.prefix is callback.ORDER), data
    # Forged data of no known prefix is the flow's to answer ("expired"), too.
    assert leftover("zz:top")
    assert leftover("")
    assert not leftover(None)


FORGED_OUTSIDE_A_FLOW = [
    f"c:open:{HUGE}",
    f"c:open:{TWO_TO_63}",
    "c:open:-1",
    "c:open:abc",
    "c:open:²",
    f"c:open:{HUGE}:l",
    f"c:ref:{TWO_TO_63}",
    "c:rf:-5",
    f"c:cx:{HUGE}",
    f"c:again:{HUGE}",
    f"c:list:{HUGE}",
    "c:list:-1",
    "c:track:abc",
    f"o:ok:{HUGE}",
    f"o:ok:{TWO_TO_63}",
    "o:ok:-3",
    f"o:cats:{HUGE}",
]
FORGED_INSIDE_THE_ORDER_FLOW = [
    f"o:cats:{HUGE}",
    "o:cats:-1",
    f"o:c:{HUGE}:0",
    f"o:c:0:{TWO_TO_63}",
    "o:sr:x",
    f"o:ok:{TWO_TO_63}",
    f"c:open:{HUGE}",
]


async def test_forged_button_data_is_answered_expired_and_never_an_error(
    tmp_path: Path,
    panel: FakePanel,
    telegram: FakeTelegram,
    fernet_key: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    settings = make_settings(tmp_path, panel, telegram, fernet_key, admin_ids=[OPERATOR])
    async with running(settings):
        customer = Customer(telegram)
        await customer.connect()
        menu = await customer.say("/start", "What would you like to do")
        for data in FORGED_OUTSIDE_A_FLOW:
            answer = await customer.press(menu, data)
            assert answer.get("text") == texts.common.expired(), data
        browsing = await customer.say("/order", "Choose a category")
        for data in FORGED_INSIDE_THE_ORDER_FLOW:
            answer = await customer.press(browsing, data)
            assert answer.get("text") == texts.common.expired(), data
        await customer.tap("Instagram Followers", "Instagram Followers")  # the flow goes on
    assert telegram.messages(OPERATOR) == []
    assert not any(texts.common.error_generic() in m.text for m in telegram.messages(USER))
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
