"""Leases: work only one process does at a time (the status poller, a broadcast's delivery, the
pushes to one user), on SQLite and PostgreSQL; and two applications on one PostgreSQL database:
one polls, a change is pushed once, and a dead poller is replaced within a minute."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

from bot.context import app_services
from bot.notifier import JOB_NAME, LEASE_JOB_NAME
from bot.panel import PanelError
from bot.services.lease import LEASE_SECONDS, RENEW_SECONDS, Lease, Leases
from bot.services.stats import POLL_CYCLE
from storage.crypto import Keyring
from storage.db import build_engine, prepare_database
from storage.repository import Repository, StorageUnavailable
from tests.conftest import OPERATOR, USER, USER_KEY, make_settings, running
from tests.fakes.panel import SERVICE_IDS, FakePanel
from tests.fakes.telegram import FakeTelegram
from tests.orders import placed_order


@pytest.fixture
async def repositories(database_url: str) -> AsyncIterator[list[Repository]]:
    """Three repositories on one database, each with its own engine, as three processes
    would have (on SQLite, three applications of one process)."""
    prepare_database(database_url)
    keyring = Keyring([Fernet.generate_key().decode()])
    engines = [build_engine(database_url) for _ in range(3)]
    yield [Repository(engine, keyring) for engine in engines]
    for engine in engines:
        await engine.dispose()


async def eventually(condition: Callable[[], Any], timeout: float, what: str) -> float:
    """Seconds until `condition()` holds (polled), or fail after `timeout`."""
    started = time.monotonic()
    while not await _check(condition):
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not within {timeout}s: {what}")
        await asyncio.sleep(0.05)
    return time.monotonic() - started


async def _check(condition: Callable[[], Any]) -> bool:
    result = condition()
    if asyncio.iscoroutine(result):
        result = await result
    return bool(result)


async def test_one_holder_at_a_time_renewal_keeps_it_release_frees_it(
    repositories: list[Repository],
) -> None:
    first, second, _ = repositories
    a, b = Leases(first, "host:1:a").lease("poller"), Leases(second, "host:2:b").lease("poller")

    assert await a.hold()
    assert a.held
    assert not await b.hold()
    assert not b.held
    assert await a.hold()  # renewed: still the holder's
    assert not await b.hold()
    assert await first.lease_holder("poller") == "host:1:a"  # what an operator would read

    await a.release()
    assert not a.held
    assert await first.lease_holder("poller") is None
    assert await b.hold()  # at once, no waiting for an expiry
    assert not await a.hold()


async def test_of_many_asking_at_once_exactly_one_gets_it(
    repositories: list[Repository],
) -> None:
    leases = [
        Leases(repository, f"host:{n}:{index}").lease("poller")
        for index, repository in enumerate(repositories)
        for n in range(4)
    ]
    granted = await asyncio.gather(*(lease.hold() for lease in leases))
    assert granted.count(True) == 1
    holder = await repositories[0].lease_holder("poller")
    assert holder == leases[granted.index(True)].holder


async def test_an_expired_lease_is_taken_over(repositories: list[Repository]) -> None:
    first, second, _ = repositories
    short = Lease(first, "poller", "host:1:a", seconds=1.0)
    other = Lease(second, "poller", "host:2:b", seconds=1.0)
    assert await short.hold()
    assert not await other.hold()
    # The holder stops renewing (it died): the other gets it once it expired, not before.
    waited = await eventually(other.hold, 5, "the other process takes the lease over")
    assert 0.5 <= waited <= 3
    assert not await short.hold()  # the late holder does not get it back
    assert not short.held


async def test_the_broadcast_and_push_leases_are_separate_from_the_poller(
    repositories: list[Repository],
) -> None:
    first, second, _ = repositories
    mine, theirs = Leases(first, "host:1:a"), Leases(second, "host:2:b")
    assert await mine.lease("poller").hold()
    assert await theirs.lease("broadcast:1").hold()
    assert await theirs.lease(f"push:{USER}").hold()
    assert not await mine.lease(f"push:{USER}").hold()


async def test_two_processes_never_claim_the_same_broadcast_row(
    repositories: list[Repository],
) -> None:
    """Even two deliveries of one broadcast (a lease hand-over gone wrong) send a row once:
    each row is claimed pending → sending by one conditional UPDATE."""
    first, second, _ = repositories
    for user_id in range(100, 130):
        await first.touch_user(user_id)
    broadcast_id = await first.create_broadcast(USER, "Hello", None)
    assert await first.start_broadcast(broadcast_id, USER, 1) == 30
    rows = [one.delivery_id for one in await first.next_recipients(broadcast_id, 100)]
    claims = await asyncio.gather(
        *(repository.claim_delivery(row) for row in rows for repository in (first, second))
    )
    assert claims.count(True) == len(rows)
    for index in range(len(rows)):
        assert claims[2 * index] != claims[2 * index + 1]


async def test_the_panel_alert_switches_once_across_processes(
    repositories: list[Repository],
) -> None:
    """ "Failing" and "recovered" are each recorded (so sent) by one process only, even when
    every process sees the outage at the same moment."""
    for failing in (True, False, True):
        switched = await asyncio.gather(
            *(_switch(repository, failing) for repository in repositories for _ in range(3))
        )
        assert switched.count(True) == 1, (failing, switched)


async def _switch(repository: Repository, failing: bool) -> bool:
    try:
        return await repository.switch_panel_alert(failing, {"at": "now"})
    except StorageUnavailable:  # lost the race to create the row: not switched here
        return False


# --- two applications on one PostgreSQL database ------------------------------------------


async def cycles_recorded(app: Any, count: int) -> None:
    """Wait until the console's "last poll cycle" was recorded `count` more times."""
    repository = app_services(app).repository
    last = await repository.runtime_state_at(POLL_CYCLE)
    for _ in range(count):

        async def moved(since: Any = last) -> bool:
            nonlocal last
            last = await repository.runtime_state_at(POLL_CYCLE)
            return last is not None and (since is None or last[1] > since[1])

        await eventually(moved, 10, "a poll cycle recorded")


def status_calls(panel: FakePanel) -> int:
    return panel.count("status")


def pushes(telegram: FakeTelegram, order_id: str, status: str) -> list[str]:
    return [
        m.text
        for m in telegram.messages(USER)
        if f"Order {order_id}</b>" in m.text and status in m.text
    ]


async def test_two_applications_one_poller_one_push_and_a_dead_poller_replaced(
    tmp_path: Path,
    postgres_url: str,
    telegram: FakeTelegram,
    panel: FakePanel,
    fernet_key: str,
) -> None:
    """Each application has its own stand-in panel (same key, same order), so the status
    calls tell which one polls."""
    with FakePanel() as other_panel:
        other_panel.add_key(USER_KEY, balance="100")
        panels = [panel, other_panel]
        settings = [
            make_settings(
                tmp_path / name,
                one_panel,
                telegram,
                fernet_key,
                database_url=postgres_url,
                status_poll_seconds=0.3,
            )
            for name, one_panel in zip("ab", panels, strict=True)
        ]
        async with running(settings[0]) as first, running(settings[1]) as second:
            apps = [first, second]
            await app_services(first).repository.touch_user(USER)
            await app_services(first).repository.set_api_key(USER, USER_KEY)
            _, order_id = await placed_order(first, panel)
            assert other_panel.create_order(USER_KEY, SERVICE_IDS["Default"]) == order_id

            # Exactly one of them polls, cycle after cycle.
            await eventually(lambda: max(map(status_calls, panels)) >= 5, 10, "five status polls")
            calls = list(map(status_calls, panels))
            assert min(calls) == 0, calls
            holder = calls.index(max(calls))
            other = 1 - holder

            # One change, one push (several cycles later still one).
            for one_panel in panels:
                one_panel.set_order(order_id, status="In progress", remains=40)
            await eventually(lambda: pushes(telegram, order_id, "In progress"), 10, "the push")
            seen = status_calls(panels[holder])
            await eventually(
                lambda: status_calls(panels[holder]) >= seen + 5, 10, "five more polls"
            )
            assert len(pushes(telegram, order_id, "")) == 1
            assert status_calls(panels[other]) == 0

            # The holder dies without releasing: its poll and renewal stop.
            dead = apps[holder]
            assert dead.job_queue is not None
            for name in (JOB_NAME, LEASE_JOB_NAME):
                for job in dead.job_queue.get_jobs_by_name(name):
                    job.schedule_removal()
            stopped_at = time.monotonic()
            for one_panel in panels:
                one_panel.set_order(order_id, status="Completed", remains=0)
            recorded = await app_services(first).repository.runtime_state_at(POLL_CYCLE)
            assert recorded is not None

            await eventually(
                lambda: status_calls(panels[other]) > 0,
                LEASE_SECONDS + RENEW_SECONDS,
                "the other application takes the poller over",
            )
            took_over = time.monotonic() - stopped_at
            await eventually(lambda: pushes(telegram, order_id, "Completed"), 10, "the push")
            await cycles_recorded(first, 3)  # the order is final: no more status calls
            assert len(pushes(telegram, order_id, "Completed")) == 1
            assert len(pushes(telegram, order_id, "")) == 2  # one per change, in all
            # The console's "last poll cycle" moves on with the new poller.
            after = await app_services(first).repository.runtime_state_at(POLL_CYCLE)
            assert after is not None
            assert after[1] > recorded[1]
            print(f"poller taken over {took_over:.1f}s after its holder stopped")
            assert took_over <= LEASE_SECONDS + RENEW_SECONDS


def copies(telegram: FakeTelegram, chat_id: int, text: str) -> int:
    return sum(1 for message in telegram.messages(chat_id) if message.text == text)


def reports(telegram: FakeTelegram, broadcast_id: int) -> int:
    return sum(
        1
        for message in telegram.messages(OPERATOR)
        if f"Broadcast #{broadcast_id} finished." in message.text
    )


async def test_two_applications_deliver_a_broadcast_once_and_resume_a_dead_ones(
    tmp_path: Path,
    postgres_url: str,
    telegram: FakeTelegram,
    panel: FakePanel,
    fernet_key: str,
) -> None:
    """A broadcast confirmed in one application is delivered by it alone (the other's resume
    rounds leave it be); one whose delivering process died (its lease left to expire) is
    taken up by the other, and everyone still gets each broadcast once."""
    settings = [
        make_settings(tmp_path / name, panel, telegram, fernet_key, database_url=postgres_url)
        for name in "ab"
    ]
    ids = list(range(3001, 3041))
    async with running(settings[0]) as first, running(settings[1]) as second:
        one, other = app_services(first), app_services(second)
        for user_id in [*ids, OPERATOR]:
            await one.repository.touch_user(user_id)

        text = "Once across processes"
        broadcast_id = await one.repository.create_broadcast(OPERATOR, text, None)
        assert await one.broadcasts.confirm(first.bot, broadcast_id, OPERATOR, 1) == 41
        assert await other.broadcasts.resume(second.bot) == 0  # its lease is taken
        assert one.broadcasts.running() == [broadcast_id]
        await eventually(lambda: reports(telegram, broadcast_id), 20, "the report")
        assert [copies(telegram, user_id, text) for user_id in ids] == [1] * len(ids)
        assert reports(telegram, broadcast_id) == 1
        assert other.broadcasts.running() == []
        # Finished: its lease is freed at once.
        assert await one.repository.lease_holder(f"broadcast:{broadcast_id}") is None

        # A broadcast 'sending' whose process died: its lease is left to run out.
        text = "Taken over"
        broadcast_id = await one.repository.create_broadcast(OPERATOR, text, None)
        assert await one.repository.start_broadcast(broadcast_id, OPERATOR, 1) == 41
        name = f"broadcast:{broadcast_id}"
        assert await one.repository.take_lease(name, "gone:1:dead", seconds=2)
        assert await other.broadcasts.resume(second.bot) == 0  # not before it expired
        waited = await eventually(
            lambda: other.broadcasts.resume(second.bot), 10, "the other resumes it"
        )
        assert waited <= 3
        await eventually(lambda: reports(telegram, broadcast_id), 20, "the report")
        assert [copies(telegram, user_id, text) for user_id in ids] == [1] * len(ids)
        assert reports(telegram, broadcast_id) == 1
        assert await one.broadcasts.resume(first.bot) == 0  # finished: nothing to resume


async def test_the_recovery_is_told_once_even_when_the_process_that_alerted_is_gone(
    tmp_path: Path,
    postgres_url: str,
    telegram: FakeTelegram,
    panel: FakePanel,
    fernet_key: str,
) -> None:
    """One process sees the outage and alerts; it stops; the other sees the panel answer
    again and tells the recovery (it learned of the alert from the database), once."""
    settings = [
        make_settings(
            tmp_path / name,
            panel,
            telegram,
            fernet_key,
            database_url=postgres_url,
            admin_ids=[OPERATOR],
            panel_alert_seconds=0.3,
            panel_timeout_seconds=0.5,
        )
        for name in "ab"
    ]
    alerting = running(settings[0])
    first = await alerting.__aenter__()
    async with running(settings[1]) as second:
        try:
            panel.delay, panel.fault = 0.25, "html502"
            with pytest.raises(PanelError):
                await app_services(first).panel.balance(USER_KEY)
            await telegram.wait_for_message(OPERATOR, FAILING)
        finally:
            await alerting.__aexit__(None, None, None)  # the process that alerted is gone
        panel.delay, panel.fault = 0, None

        async def recovery_told() -> int:
            await app_services(second).panel.balance(USER_KEY)
            return told(telegram, RECOVERED)

        await eventually(recovery_told, RENEW_SECONDS + 10, "the recovery told")
        for _ in range(3):  # the panel answers on: nothing more to tell
            await app_services(second).panel.balance(USER_KEY)
    assert told(telegram, FAILING) == 1
    assert told(telegram, RECOVERED) == 1


FAILING = "The panel is not answering"
RECOVERED = "The panel answers again"


def told(telegram: FakeTelegram, text: str) -> int:
    return sum(text in message.text for message in telegram.messages(OPERATOR))
