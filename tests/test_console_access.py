"""Console → maintenance and access, and the gate customers meet: maintenance stops every flow
(no panel call) but not operators or pushes; invite-only lets in invited users and the
customers already served; blocked users get a polite refusal. Over HTTP, as on a phone."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from typing import Any

from bot import callback, texts
from bot.context import app_services
from bot.notifier import notifier_of
from bot.services.console import MAINTENANCE
from storage.models import AuditEntry, utcnow
from tests.conftest import OPERATOR, OTHER_KEY, OTHER_USER, SECOND_OPERATOR, USER, USER_KEY
from tests.console import operator
from tests.customer import Customer
from tests.fakes.panel import FakePanel
from tests.fakes.telegram import BotMessage, FakeTelegram
from tests.orders import placed_order

BUILT_IN = texts.access.maintenance(None)
HELP = "How it works"
LINK = re.compile(r"https://t\.me/(\w+)\?start=([A-Za-z0-9_\-]+)")


async def open_maintenance(telegram: FakeTelegram) -> Customer:
    admin = operator(telegram)
    await admin.say("/admin", "Operator console")
    await admin.tap("Maintenance", "Customers see")
    return admin


async def switch_maintenance(telegram: FakeTelegram, on: bool) -> BotMessage:
    admin = await open_maintenance(telegram)
    return await admin.tap("Turn on" if on else "Turn off", "Customers see")


async def open_access(telegram: FakeTelegram) -> Customer:
    admin = operator(telegram)
    await admin.say("/admin", "Operator console")
    await admin.tap("Access", "Invite-only lets in")
    return admin


async def make_invite(telegram: FakeTelegram, uses: str, days: str) -> str:
    """An invite through the console's buttons; returns its code (from the deep link)."""
    admin = await open_access(telegram)
    await admin.tap("New invite", "How many people")
    await admin.tap(uses, "How long")
    created = await admin.tap(days, "Invite created")
    found = LINK.search(created.text)
    assert found is not None, created.text
    assert found.group(1) == "test_smm_bot"  # the bot's own username
    return found.group(2)


async def invite_only(telegram: FakeTelegram) -> None:
    admin = await open_access(telegram)
    screen = await admin.tap("Make invite-only", "Invite-only</b>")
    assert "Make open" in " ".join(admin.labels(screen))


# --- maintenance ---------------------------------------------------------------------------------


async def test_maintenance_stops_every_customer_flow_without_calling_the_panel(
    console_app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    customer = Customer(telegram, USER)
    await customer.connect()
    menu = await customer.say("/start", "Hi")
    await switch_maintenance(telegram, on=True)
    panel.reset_counts()

    for said in ("/order", "/balance", "/orders", "hello there"):
        answer = await customer.say(said)
        assert answer.text == BUILT_IN, said
    toast = await customer.press(menu, callback.MENU_BALANCE.data())
    assert toast.get("text") == texts.access.maintenance_short()
    assert panel.requests == []
    assert "Balance" not in telegram.messages(USER)[-1].text


async def test_operators_keep_full_use_during_maintenance(
    console_app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    await switch_maintenance(telegram, on=True)
    admin = operator(telegram)
    await admin.connect(OTHER_KEY)
    await admin.say("/order", "Choose a category")
    assert panel.count("services") >= 1


async def test_pushes_keep_going_during_maintenance(
    console_app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    customer = Customer(telegram, USER)
    await customer.connect()
    _, order_id = await placed_order(console_app, panel)
    await switch_maintenance(telegram, on=True)
    panel.set_order(order_id, status="Completed", remains=0)
    assert await notifier_of(console_app).run_cycle(console_app)
    push = await telegram.wait_for_message(USER, f"Order {order_id}</b>")
    assert "Completed" in push.text


async def test_maintenance_off_brings_the_flows_back(
    console_app: Any, telegram: FakeTelegram
) -> None:
    customer = Customer(telegram, USER)
    await switch_maintenance(telegram, on=True)
    assert (await customer.say("/help")).text == BUILT_IN
    screen = await switch_maintenance(telegram, on=False)
    assert "<b>Off</b>" in screen.text
    await customer.say("/help", HELP)


async def test_the_operators_maintenance_message_is_what_customers_get(
    console_app: Any, telegram: FakeTelegram
) -> None:
    admin = await open_maintenance(telegram)
    await admin.tap("Set message", "Send the message")
    screen = await admin.say("Back at <b>5 pm</b> &amp; ready", "Customers see")
    assert "🚧 Back at <b>5 pm</b> &amp; ready" in screen.text
    await admin.tap("Turn on", "<b>On</b>")
    answer = await Customer(telegram, USER).say("/order")
    assert answer.text == "🚧 Back at <b>5 pm</b> &amp; ready"
    # Back to the built-in message.
    await admin.tap("Built-in message", "No message of yours")
    assert (await Customer(telegram, USER).say("/order")).text == BUILT_IN


async def test_a_bad_maintenance_message_is_explained_and_nothing_saved(
    console_app: Any, telegram: FakeTelegram
) -> None:
    admin = await open_maintenance(telegram)
    await admin.tap("Set message", "Send the message")
    await admin.say("   ", "empty")
    await admin.say("x" * 1001, "1,001 characters; the limit is 1,000")
    await admin.say("<b>unclosed", "Telegram would refuse this message")
    await admin.say("<blink>hi</blink>", "Telegram would refuse this message")
    settings = await app_services(console_app).console.current()
    assert settings.maintenance_message is None
    # Still waiting: a good one now is taken.
    await admin.say("Fine now", "Customers see")
    assert (await app_services(console_app).console.current()).maintenance_message == "Fine now"


async def test_the_maintenance_message_keeps_app_formatting_and_counts_as_telegram_does(
    console_app: Any, telegram: FakeTelegram
) -> None:
    admin = await open_maintenance(telegram)
    await admin.tap("Set message", "Send the message")
    await admin.say("😀" * 501, "1,002 characters; the limit is 1,000")  # UTF-16 units
    tagged = "<i>" + "x" * 1000 + "</i>"  # the tags are not what customers read
    await admin.say(tagged, "Customers see")
    assert (await app_services(console_app).console.current()).maintenance_message == tagged

    await admin.tap("Set message", "Send the message")
    mark = telegram.mark()
    telegram.send_text(
        OPERATOR, "Back at 5 pm & ready", entities=[{"type": "bold", "offset": 8, "length": 4}]
    )
    await telegram.wait_for_message(OPERATOR, "Customers see", after=mark)
    await admin.tap("Turn on", "<b>On</b>")
    answer = await Customer(telegram, USER).say("/order")
    assert answer.text == "🚧 Back at <b>5 pm</b> &amp; ready"


async def test_an_invite_revoked_from_a_message_too_old_to_edit_gets_a_new_list(
    console_app: Any, telegram: FakeTelegram
) -> None:
    screen = await operator(telegram).say("/admin", "Operator console")
    invite = await app_services(console_app).repository.create_invite(
        OPERATOR, max_uses=None, valid_for=None
    )
    mark = telegram.mark()
    query = telegram.press(
        OPERATOR,
        screen.message_id,
        callback.CONSOLE_INVITE_REVOKE.data(invite.code, 0),
        inaccessible=True,
    )
    listed = await telegram.wait_for_message(OPERATOR, invite.code[:6], after=mark)
    assert listed.message_id != screen.message_id
    assert telegram.callback_answers[query].get("text") == texts.access.invite_revoked()


async def test_a_maintenance_message_telegram_refuses_is_not_saved(
    console_app: Any, telegram: FakeTelegram
) -> None:
    admin = await open_maintenance(telegram)
    await admin.tap("Set message", "Send the message")
    refusal = "Bad Request: can't parse entities: unsupported start tag"
    telegram.fail_method("sendMessage", times=1, description=refusal)
    refused = await admin.say("Back <b>soon</b>", "Telegram refused this text")
    assert "Can't parse entities: unsupported start tag" in refused.plain
    assert (await app_services(console_app).console.current()).maintenance_message is None
    await admin.say("Back <b>soon</b>", "Customers see")  # still waiting
    stored = await app_services(console_app).console.current()
    assert stored.maintenance_message == "Back <b>soon</b>"


async def test_switching_maintenance_is_audited_and_undoable(
    console_app: Any, telegram: FakeTelegram
) -> None:
    await switch_maintenance(telegram, on=True)
    services = app_services(console_app)
    [entry] = [e for e in await services.repository.recent_actions() if e.setting == MAINTENANCE]
    assert isinstance(entry, AuditEntry)
    assert entry.operator_id == OPERATOR
    assert entry.id is not None
    await services.console.undo(OPERATOR, entry.id)
    await Customer(telegram, USER).say("/help", HELP)


# --- invite-only ---------------------------------------------------------------------------------


async def test_invite_only_refuses_a_new_user_and_an_invite_admits_them(
    console_app: Any, telegram: FakeTelegram
) -> None:
    await invite_only(telegram)
    code = await make_invite(telegram, "One person", "Never expires")
    newcomer = Customer(telegram, USER)
    assert (await newcomer.say("/start")).text == texts.access.invite_needed()
    assert (await newcomer.say("/help")).text == texts.access.invite_needed()

    await newcomer.say(f"/start {code}", "Hi")
    await newcomer.say("/help", HELP)

    # The same single-use code for a second person: refused, and they are still outside.
    second = Customer(telegram, OTHER_USER)
    assert (await second.say(f"/start {code}")).text == texts.access.invite_invalid()
    assert (await second.say("/help")).text == texts.access.invite_needed()


async def test_a_revoked_expired_or_unknown_invite_is_refused(
    console_app: Any, telegram: FakeTelegram
) -> None:
    await invite_only(telegram)
    revoked = await make_invite(telegram, "5 people", "7 days")
    expired = await make_invite(telegram, "Any number", "1 day")
    admin = operator(telegram)
    listing = await admin.tap("Invites", "invites</b>")
    assert f"<code>{revoked[:6]}…</code>" in listing.text
    assert "0 of 5 used" in listing.text
    await admin.tap(f"Revoke {revoked[:6]}", "revoked")
    await app_services(console_app).repository.set_invite_expiry(
        expired, utcnow() - timedelta(minutes=1)
    )
    listing = await admin.tap("Invites", "expired")

    newcomer = Customer(telegram, USER)
    for code in (revoked, expired, "no-such-code"):
        assert (await newcomer.say(f"/start {code}")).text == texts.access.invite_invalid()
    assert (await newcomer.say("/order")).text == texts.access.invite_needed()


async def test_a_multi_use_invite_counts_its_uses(
    console_app: Any, telegram: FakeTelegram
) -> None:
    await invite_only(telegram)
    code = await make_invite(telegram, "5 people", "30 days")
    await Customer(telegram, USER).say(f"/start {code}", "Hi")
    await Customer(telegram, OTHER_USER).say(f"/start {code}", "Hi")
    listing = await operator(telegram).tap("Invites", "1 invite</b>")
    assert "2 of 5 used" in listing.text


async def test_customers_with_a_key_stay_admitted_and_operators_are_never_gated(
    console_app: Any, telegram: FakeTelegram
) -> None:
    served = Customer(telegram, USER)
    await served.connect()
    await invite_only(telegram)
    await served.say("/help", HELP)
    await operator(telegram, SECOND_OPERATOR).say("/start", "Hi")
    assert (await Customer(telegram, OTHER_USER).say("/help")).text == (
        texts.access.invite_needed()
    )


async def test_back_to_open_lets_everyone_in(console_app: Any, telegram: FakeTelegram) -> None:
    await invite_only(telegram)
    newcomer = Customer(telegram, USER)
    assert (await newcomer.say("/help")).text == texts.access.invite_needed()
    admin = operator(telegram)
    await admin.tap("Make open", "<b>Open</b>")
    await newcomer.say("/help", HELP)


# --- block / unblock -----------------------------------------------------------------------------


async def test_a_user_blocked_by_id_is_refused_until_unblocked(
    console_app: Any, telegram: FakeTelegram, panel: FakePanel
) -> None:
    customer = Customer(telegram, USER)
    menu = await customer.say("/start", "Hi")
    admin = await open_access(telegram)
    await admin.tap("User by id", "Telegram id")
    await admin.say("12ab", "not a Telegram user id")
    card = await admin.say(str(USER), "Not blocked")
    assert f"<code>{USER}</code>" in card.text
    await admin.tap("Block", "<b>Blocked</b>")

    panel.reset_counts()
    for said in ("/help", "/order", "hi"):
        assert (await customer.say(said)).text == texts.access.blocked(), said
    toast = await customer.press(menu, callback.MENU_HELP.data())
    assert toast.get("text") == texts.access.blocked_short()
    assert panel.requests == []
    assert await app_services(console_app).repository.blocked_count() == 1

    await admin.tap("Unblock", "Not blocked")
    await customer.say("/help", HELP)
    actions = [e.action for e in await app_services(console_app).repository.recent_actions()]
    assert actions[:2] == ["unblock", "block"]


async def test_the_user_list_opens_a_users_card(console_app: Any, telegram: FakeTelegram) -> None:
    await Customer(telegram, USER).say("/start", "Hi")
    await Customer(telegram, OTHER_USER).connect(OTHER_KEY)
    admin = await open_access(telegram)
    listing = await admin.tap("Users", "users</b>")
    labels = admin.labels(listing)
    assert any(label.startswith(f"🔑 {OTHER_USER}") for label in labels), labels
    assert any(label.startswith(str(USER)) for label in labels), labels
    card = await admin.tap(str(OTHER_USER), "User</b>")
    assert "Has an API key" in card.text
    await admin.tap("Block", "<b>Blocked</b>")
    listing = await admin.tap("All users", "users</b>")
    assert admin.labels(listing)[0].startswith(f"🚫🔑 {OTHER_USER}")  # blocked ones first


async def test_operators_cannot_block_themselves_or_each_other(
    console_app: Any, telegram: FakeTelegram
) -> None:
    await operator(telegram, SECOND_OPERATOR).say("/admin", "Operator console")
    admin = await open_access(telegram)
    await admin.tap("User by id", "Telegram id")
    card = await admin.say(str(SECOND_OPERATOR), "Not blocked")
    assert not any("Block" in label for label in admin.labels(card))
    for target in (SECOND_OPERATOR, OPERATOR):
        toast = await admin.press(card, callback.CONSOLE_USER_BLOCK.data(target))
        assert toast.get("text") == texts.access.cannot_block_operator()
    assert await app_services(console_app).repository.blocked_count() == 0
    await operator(telegram, SECOND_OPERATOR).say("/admin", "Operator console")


async def test_blocking_an_id_nobody_used_says_so(
    console_app: Any, telegram: FakeTelegram
) -> None:
    admin = await open_access(telegram)
    await admin.tap("User by id", "Telegram id")
    await admin.say("424242", "has written to the bot yet")
    assert await app_services(console_app).repository.blocked_count() == 0


# --- forged buttons ------------------------------------------------------------------------------


async def test_a_customer_forging_access_buttons_changes_nothing(
    console_app: Any, telegram: FakeTelegram
) -> None:
    customer = Customer(telegram, USER)
    menu = await customer.say("/help", HELP)
    forged = (
        callback.CONSOLE_MAINTENANCE_ON.data(),
        callback.CONSOLE_ACCESS_INVITE_ONLY.data(),
        callback.CONSOLE_INVITE_MAKE.data(0, 0),
        callback.CONSOLE_USER_BLOCK.data(OTHER_USER),
        callback.CONSOLE_USER_UNBLOCK.data(USER),
        "a:acrv:../../etc:0",
        "a:acmk:99999:1",
    )
    for data in forged:
        answer = await customer.press(menu, data)
        assert answer.get("text") == texts.common.expired(), data
    services = app_services(console_app)
    settings = await services.console.current()
    assert not settings.maintenance
    assert not settings.invite_only
    assert (await services.repository.invites())[1] == 0
    assert await services.repository.recent_actions() == []
    await customer.say("/help", HELP)


async def test_two_people_taking_the_last_use_at_once_get_one_admission(
    console_app: Any, telegram: FakeTelegram
) -> None:
    repository = app_services(console_app).repository
    invite = await repository.create_invite(OPERATOR, max_uses=1, valid_for=None)
    taken = await asyncio.gather(
        *(repository.use_invite(invite.code, user, "en") for user in (USER, OTHER_USER, 3003))
    )
    assert sorted(taken) == [False, False, True]
    after = await repository.invite(invite.code)
    assert after is not None
    assert (after.uses, after.state) == (1, "used_up")


async def test_a_key_pasted_during_maintenance_is_still_deleted(
    console_app: Any, telegram: FakeTelegram
) -> None:
    await switch_maintenance(telegram, on=True)
    message_id, answer = await Customer(telegram, USER).send(USER_KEY)
    assert answer.text == BUILT_IN
    assert (USER, message_id) in telegram.deleted
