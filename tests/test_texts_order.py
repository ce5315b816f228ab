"""The order form's texts: plural forms, hints, the reader's number format and, for a
right-to-left reader, embedded values kept in their own direction."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot import texts
from bot.i18n import FSI, LANGUAGES, PDI, catalogue, reading_as
from bot.locales import template
from bot.order_fields import FIELDS, FieldKind, FieldSpec, InvalidInput
from bot.panel import Balance, Service, ServiceType
from bot.texts.order import (
    CHOICE_LABELS,
    FIELD_LABELS,
    FIELD_PROMPTS,
    INVALID_INPUT,
    USERNAME_PROMPTS,
)


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_choice_labels_are_their_readers_catalogue_messages(language: str) -> None:
    for field, labels in CHOICE_LABELS.items():
        for value, label in labels.items():
            with reading_as(language):
                assert texts.order.choice_label(field, value) == catalogue(language).gettext(label)


def service(
    kind: ServiceType, low: int = 10, high: int = 10_000, *, drip: bool = False
) -> Service:
    return Service(
        id="42",
        name="Likes <fast>",
        type=kind,
        type_raw=kind.value,
        category="Instagram",
        rate=Decimal("8"),
        min=low,
        max=high,
        refill=None,
        cancel=None,
        dripfeed=drip,
        description=None,
    )


def spec(kind: ServiceType, name: str) -> FieldSpec:
    return next(field for field in FIELDS[kind] if field.name == name)


def invalid(reason: str, **params: object) -> str:
    return texts.order.invalid_input(InvalidInput(reason, **params))


@pytest.mark.parametrize(
    ("reason", "params", "one", "many"),
    [
        (
            "lines_range",
            {"minimum": 5, "maximum": 1000},
            "⚠️ You sent 1 line; this service takes 5 – 1,000.",
            "⚠️ You sent 4 lines; this service takes 5 – 1,000.",
        ),
        (
            "pieces_range",
            {"minimum": 5, "maximum": 1000},
            "that's 1 comment; this service",
            "that's 4 comments; this service",
        ),
        (
            "runs_total",
            {"maximum": 1000},
            "Quantity × runs can be at most 1,000 — at most 1 run.",
            "Quantity × runs can be at most 1,000 — at most 4 runs.",
        ),
        (
            "line_too_long",
            {},
            "⚠️ A line is too long (at most 1 character).",
            "⚠️ A line is too long (at most 4 characters).",
        ),
        (
            "interval_range",
            {},
            "⚠️ The interval must be between 1 and 1 minute.",
            "⚠️ The interval must be between 1 and 4 minutes.",
        ),
    ],
)
def test_counts_in_invalid_input_take_their_plural_form(
    reason: str, params: dict[str, object], one: str, many: str
) -> None:
    entry = INVALID_INPUT[reason]
    assert isinstance(entry, texts.order.Counted)
    assert one in invalid(reason, **{**params, entry.count: 1})
    assert many in invalid(reason, **{**params, entry.count: 4})


def test_the_whole_number_example_is_written_the_readers_way() -> None:
    assert invalid("number_not_whole") == "⚠️ Please send a whole number, like 1000 or 10,000."
    with reading_as("es"):
        assert "como 1000 o 10.000." in invalid("number_not_whole")
    with reading_as("ru"):
        assert "1000 или 10\u00a0000." in invalid("number_not_whole")


def test_invalid_input_escapes_and_groups_its_values() -> None:
    assert invalid("link_wrong_platform", platform="<b>", host="x.com") == (
        "⚠️ This service is for &lt;b&gt; — please send a x.com link."
    )
    assert invalid("quantity_range", minimum=10, maximum=10_000) == (
        "⚠️ The quantity must be between 10 and 10,000."
    )


def test_every_reason_order_fields_raises_has_a_message() -> None:
    raised = {
        "number_negative",
        "number_not_whole",
        "number_too_big",
        "number_positive",
        "quantity_range",
        "link_invalid",
        "link_wrong_platform",
        "list_empty",
        "list_too_long",
        "line_too_long",
        "text_one_line",
        "date_format",
        "date_past",
        "choose_button",
        "too_long",
        "runs_range",
        "runs_total",
        "interval_choice",
        "interval_range",
        "total_range",
        "pieces_range",
        "lines_range",
    }
    assert raised <= INVALID_INPUT.keys()


def test_question_hints() -> None:
    custom = service(ServiceType.CUSTOM_COMMENTS, low=1, high=1)
    comments = spec(ServiceType.CUSTOM_COMMENTS, "comments")
    how = "\n📎 Send it in one or several messages, or as a .txt file, then tap Done."
    assert texts.order.field_prompt(comments, custom, {}, with_name=False) == (
        "💬 Send the <b>comments</b>, one per line (1 – 1 line):" + how
    )
    wide = service(ServiceType.CUSTOM_COMMENTS, low=5, high=10_000)
    assert texts.order.field_prompt(comments, wide, {}) == (
        "<b>Likes &lt;fast&gt;</b>\n\n"
        "💬 Send the <b>comments</b>, one per line (5 – 10,000 lines):" + how
    )
    keywords = spec(ServiceType.SEO, "keywords")
    assert texts.order.field_prompt(keywords, service(ServiceType.SEO), {}, with_name=False) == (
        "🔑 Send the <b>keywords</b>, one per line (at most 10,000 lines):" + how
    )
    default = service(ServiceType.DEFAULT)
    quantity = spec(ServiceType.DEFAULT, "quantity")
    assert texts.order.field_prompt(quantity, default, {}, with_name=False) == (
        "🔢 How many? Send the <b>quantity</b> (10 – 10,000):"
    )
    drip = service(ServiceType.DEFAULT, drip=True)
    # Before the customer chose to spread it, the quantity says nothing about runs.
    assert texts.order.field_prompt(quantity, drip, {}, with_name=False) == (
        "🔢 How many? Send the <b>quantity</b> (10 – 10,000):"
    )
    runs = spec(ServiceType.DEFAULT, "runs")
    assert texts.order.field_prompt(runs, drip, {"quantity": "5000"}, with_name=False) == (
        "💧 In how many <b>runs</b>? (2 or more) (at most 2):"
    )
    interval = spec(ServiceType.DEFAULT, "interval")
    assert texts.order.field_prompt(interval, drip, {}, with_name=False) == (
        "⏱ <b>Interval</b> between runs, in minutes? (tap one, or type 1 – 1,440)"
    )
    assert texts.order.field_prompt(interval, drip, {}, intervals=(5, 10)).endswith(
        "in minutes? (tap one)"
    )
    link = spec(ServiceType.DEFAULT, "link")
    assert texts.order.field_prompt(link, default, {}, with_name=False) == (
        "🔗 Send the <b>link</b>:"
    )
    subscriptions = service(ServiceType.SUBSCRIPTIONS)
    most = spec(ServiceType.SUBSCRIPTIONS, "max")
    assert texts.order.field_prompt(most, subscriptions, {"min": "500"}, with_name=False) == (
        "🔢 <b>Maximum</b> quantity per post? (500 – 10,000)"
    )
    odd = FieldSpec("<new>", FieldKind.TEXT)
    assert texts.order.field_prompt(odd, default, {}, with_name=False) == (
        "Send <b>&lt;new&gt;</b>:"
    )


def summary_of(lines: int, *, split: bool = False) -> str:
    custom = service(ServiceType.CUSTOM_COMMENTS, low=1)
    answers = {"link": "https://instagram.com/p/x", "comments": "\n".join(["nice"] * lines)}
    return texts.order.summary(
        custom,
        answers,
        lines,
        Decimal("0.5"),
        Balance(amount=Decimal("0.1"), currency="USD"),
        comma_split=split,
    )


def test_summary_counts_take_their_plural_form() -> None:
    assert "💬 Comments: 2 lines\n  • nice\n  • nice\n" in summary_of(2)
    assert "  … and" not in summary_of(5)
    assert summary_of(6).count("  • nice") == 5
    assert "  • nice\n  … and 1 more\n" in summary_of(6)
    assert "  … and 1,995 more\n" in summary_of(2000)
    assert "as a comment: 1 comment." in summary_of(1, split=True)
    assert "as a comment: 2 comments." in summary_of(2, split=True)


def test_summary_screen() -> None:
    assert summary_of(2) == (
        "🧾 <b>Check your order</b>\n\n<b>Likes &lt;fast&gt;</b> (ID 42)\n"
        "🔗 Link: https://instagram.com/p/x\n"
        "💬 Comments: 2 lines\n  • nice\n  • nice\n"
        "📦 Quantity: 2\n\n"
        "💵 Price: <b>0.50 USD</b>\n"
        "💰 Balance: 0.10 USD\n"
        "⚠️ <b>Not enough balance</b>: 0.40 USD short."
    )
    web = service(ServiceType.WEB_TRAFFIC)
    shown = texts.order.summary(web, {"device": "4", "odd<field>": "x"}, None, Decimal(1), None)
    assert "📱 Device: Mixed mobile" in shown
    assert "odd&lt;field&gt;: x" in shown
    assert "💰 Balance: unknown (the panel did not answer)" in shown


def test_receipts() -> None:
    assert texts.order.placed("9<9", "A & B", Decimal("1.5"), "USD", per_post=False) == (
        "✅ <b>Order placed</b>\n\n🆔 Order <code>9&lt;9</code>\n📦 A &amp; B\n💵 1.50 USD\n\n"
        "I'll message you when its status changes."
    )
    per_post = texts.order.placed("99", "S", Decimal("1.5"), "USD", per_post=True)
    assert "💵 up to 1.50 USD per post\n" in per_post


def test_choice_labels_are_translated_where_read_and_unknown_values_shown_as_they_are() -> None:
    assert texts.order.choice_label("dripfeed", "no") == "All at once"
    assert texts.order.choice_label("device", "9") == "9"
    assert texts.order.choice_label("delay", "60") == "60"


def ar(text: str) -> str:
    return f"{FSI}{text}{PDI}"


def test_right_to_left_readers_get_embedded_values_isolated() -> None:
    with reading_as("ar"):
        receipt = texts.order.placed("12345", "Likes", Decimal(1), "USD", per_post=False)
        summary = summary_of(2)
        problem = invalid("link_wrong_platform", platform="Instagram", host="instagram.com")
        prompt = texts.order.field_prompt(
            spec(ServiceType.DEFAULT, "link"), service(ServiceType.DEFAULT), {}, with_name=False
        )
        refused = texts.order.rejected("Weird panel words")
    assert f"{FSI}<code>12345</code>{PDI}" in receipt  # copied without marks
    assert ar("Likes") in receipt
    assert f": {ar('https://instagram.com/p/x')}" in summary
    assert f"  • {ar('nice')}" in summary
    assert ar("Instagram") in problem
    assert ar("instagram.com") in problem
    assert ar("<i>Weird panel words</i>") in refused
    # A question is the reader's own sentence, not an embedded value: nothing isolated.
    assert FSI not in prompt
    # The same texts for a left-to-right reader carry no marks at all.
    with reading_as("ru"):
        assert FSI not in texts.order.placed("1", "S", Decimal(1), "USD", per_post=False)


def test_every_table_message_is_in_the_catalogue_template() -> None:
    extracted = {message.id for message in template() if message.id}
    tables = [
        *FIELD_PROMPTS.values(),
        *USERNAME_PROMPTS.values(),
        *FIELD_LABELS.values(),
        *(label for labels in CHOICE_LABELS.values() for label in labels.values()),
        *(entry for entry in INVALID_INPUT.values() if isinstance(entry, str)),
    ]
    assert [message for message in tables if message not in extracted] == []
    singular = {message[0] for message in extracted if isinstance(message, tuple)}
    assert "You sent {count} line; this service takes {minimum} – {maximum}." in singular
