"""Encrypted key storage, key rotation and the order rows, against real SQLite files."""

from __future__ import annotations

import asyncio
import logging
import os
import stat
import subprocess
import sys
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy.ext.asyncio import AsyncEngine

import storage.persistence
from bot.config import Settings, load_settings
from storage.crypto import KEY_FILE_NAME, Keyring, KeyringError, load_or_create_keys
from storage.db import build_engine, prepare_database
from storage.models import Placement
from storage.repository import DraftOrder, Repository, StoredKey
from tests.conftest import OTHER_KEY, OTHER_USER, TOKEN, USER, USER_KEY

ROOT = Path(__file__).resolve().parents[1]
THREADS = 8


def new_key() -> str:
    return Fernet.generate_key().decode()


@pytest.fixture
def db_url(database_url: str) -> str:
    """A fresh database of each engine (conftest's `database_url`): SQLite, then PostgreSQL."""
    return database_url


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    prepare_database(db_url)
    engine = build_engine(db_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def sqlite_engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """For what is about the SQLite file itself."""
    url = f"sqlite:///{tmp_path / 'data' / 'bot.db'}"
    prepare_database(url)
    engine = build_engine(url)
    yield engine
    await engine.dispose()


def repo(engine: AsyncEngine, *keys: str) -> Repository:
    return Repository(engine, Keyring(list(keys)))


def draft(price: Decimal = Decimal("1.8"), user_id: int = USER) -> DraftOrder:
    return DraftOrder(
        user_id=user_id,
        service_id="1",
        service_name="Instagram Followers",
        service_type="Default",
        link="https://instagram.com/someone",
        quantity=2000,
        fields={"link": "https://instagram.com/someone", "quantity": "2000"},
        price=price,
        currency="USD",
        can_refill=True,
        can_cancel=True,
    )


# --- Keyring -----------------------------------------------------------------------------------


def test_keyring_round_trip_hides_the_plaintext() -> None:
    keyring = Keyring([new_key()])
    ciphertext = keyring.encrypt(USER_KEY)
    assert USER_KEY not in ciphertext
    assert keyring.decrypt(ciphertext) == USER_KEY


@pytest.mark.parametrize(
    "keys",
    [
        ["not-a-key-but-a-secret-0123456789"],
        [Fernet.generate_key().decode(), "not-a-key-but-a-secret-0123456789"],
        [Fernet.generate_key().decode()[:-4]],  # truncated while copying
    ],
    ids=["garbage", "second-of-two", "truncated"],
)
def test_malformed_key_names_the_variable_without_echoing_it(keys: list[str]) -> None:
    with pytest.raises(KeyringError) as info:
        Keyring(keys)
    message = str(info.value)
    assert "ENCRYPTION_KEY" in message
    for key in keys:
        assert key not in message
    assert "\n" not in message


def test_no_key_at_all_is_a_keyring_error() -> None:
    with pytest.raises(KeyringError, match="ENCRYPTION_KEY"):
        Keyring([])


def test_repr_never_shows_a_key(tmp_path: Path) -> None:
    fernet_key = new_key()
    keyring = Keyring([fernet_key])
    assert fernet_key not in repr(keyring)
    assert fernet_key not in str(keyring)
    stored = StoredKey(USER, USER_KEY)
    assert USER_KEY not in repr(stored)
    assert stored.masked.endswith(USER_KEY[-4:])
    assert USER_KEY not in stored.masked
    settings = load_settings(
        _env_file=None, bot_token=TOKEN, encryption_key=fernet_key, data_dir=tmp_path
    )
    assert fernet_key not in repr(settings)
    assert TOKEN.split(":", 1)[1] not in repr(settings)


def test_wrong_key_cannot_decrypt_and_says_so() -> None:
    ciphertext = Keyring([new_key()]).encrypt(USER_KEY)
    with pytest.raises(KeyringError, match="reencrypt") as info:
        Keyring([new_key()]).decrypt(ciphertext)
    assert USER_KEY not in str(info.value)


# --- the generated key file ----------------------------------------------------------------------


def test_configured_keys_win_and_no_file_is_written(tmp_path: Path) -> None:
    configured = [new_key(), new_key()]
    assert load_or_create_keys(configured, tmp_path / "data") == configured
    assert not (tmp_path / "data" / KEY_FILE_NAME).exists()


def test_key_file_is_generated_private_and_reused(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data_dir = tmp_path / "fresh" / "data"  # does not exist yet
    with caplog.at_level(logging.INFO):
        [key] = load_or_create_keys([], data_dir)
    key_file = data_dir / KEY_FILE_NAME
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text().strip() == key
    Keyring([key])  # a usable Fernet key
    assert str(key_file) in caplog.text
    assert "Back it up" in caplog.text
    assert key not in caplog.text
    assert all(key not in str(record.args) for record in caplog.records)

    caplog.clear()
    with caplog.at_level(logging.INFO):
        assert load_or_create_keys([], data_dir) == [key]
    assert "Generated" not in caplog.text
    assert key not in caplog.text


async def test_data_stored_with_a_generated_key_survives_a_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    url = f"sqlite:///{data_dir / 'bot.db'}"
    prepare_database(url)
    first = build_engine(url)
    try:
        first_keyring = Keyring(load_or_create_keys([], data_dir))
        await Repository(first, first_keyring).set_api_key(USER, USER_KEY)
    finally:
        await first.dispose()
    second = build_engine(url)
    try:
        restarted = Repository(second, Keyring(load_or_create_keys([], data_dir)))
        stored = await restarted.get_api_key(USER)
    finally:
        await second.dispose()
    assert stored is not None
    assert stored.key == USER_KEY


async def test_the_key_read_with_the_reader_settings_stands_until_a_key_is_written(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A menu step reads the user's row once (settle_reader) and takes the key from it; a key
    written since, another user's row or an old read make it ask the database again."""
    secret = new_key()
    here, elsewhere = repo(engine, secret), repo(engine, secret)  # elsewhere: another process
    await here.set_api_key(USER, USER_KEY)
    read = await here.reader_settings(USER)
    assert read is not None
    assert "api_key_encrypted" not in repr(read)  # not even its ciphertext in a log line

    await elsewhere.set_api_key(USER, OTHER_KEY)
    # The row as read at the update's start (no second query for it) …
    assert await here.get_api_key(USER, read=read) == StoredKey(USER, USER_KEY)
    # … never for another user …
    await here.set_api_key(OTHER_USER, USER_KEY)
    other = await here.reader_settings(OTHER_USER)
    await here.set_api_key(OTHER_USER, OTHER_KEY)
    assert await here.get_api_key(USER, read=other) == StoredKey(USER, OTHER_KEY)
    # … nor after this process wrote a key, …
    read = await here.reader_settings(USER)
    await here.remove_api_key(USER)
    assert await here.get_api_key(USER, read=read) is None
    # … nor once it is old.
    await elsewhere.set_api_key(USER, USER_KEY)
    read = await here.reader_settings(USER)
    await elsewhere.remove_api_key(USER)
    monkeypatch.setattr("storage.repository.READ_KEY_SECONDS", 0.0)
    assert await here.get_api_key(USER, read=read) is None


# --- rotation ------------------------------------------------------------------------------------


async def test_rotation_in_process(engine: AsyncEngine) -> None:
    old, new = new_key(), new_key()
    await repo(engine, old).set_api_key(USER, USER_KEY)
    await repo(engine, old).set_api_key(OTHER_USER, OTHER_KEY)
    await repo(engine, old).touch_user(3003)  # a user without a key is not counted

    with pytest.raises(KeyringError):
        await repo(engine, new).get_api_key(USER)
    # Both keys configured: still readable before the re-encryption.
    assert await repo(engine, new, old).get_api_key(USER) == StoredKey(USER, USER_KEY)

    assert await repo(engine, new, old).reencrypt_all() == 2

    only_new = repo(engine, new)
    assert await only_new.get_api_key(USER) == StoredKey(USER, USER_KEY)
    assert await only_new.get_api_key(OTHER_USER) == StoredKey(OTHER_USER, OTHER_KEY)
    assert await only_new.get_api_key(3003) is None
    with pytest.raises(KeyringError):
        await repo(engine, old).get_api_key(USER)


async def test_rotation_reseals_conversation_states_in_batches(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Five customers' half-filled orders, re-sealed two rows per transaction.
    monkeypatch.setattr(storage.persistence, "REENCRYPT_BATCH", 2)
    old, new = new_key(), new_key()
    users = [4001, 4002, 4003, 4004, 4005]
    for user_id in users:
        await repo(engine, old).touch_user(user_id)
        await repo(engine, old).save_user_state(
            user_id,
            data=f"draft of {user_id}".encode(),
            conversations=None,
            idle_since=None,
            expected_version=None,
        )

    assert await repo(engine, new, old).reencrypt_user_states() == len(users)

    only_new = repo(engine, new)  # the old key dropped: every draft still reads
    for user_id in users:
        state = await only_new.user_state(user_id)
        assert state is not None
        assert state.unreadable is None
        assert state.data == f"draft of {user_id}".encode()


async def test_rotation_is_all_or_nothing(engine: AsyncEngine) -> None:
    old, new, lost = new_key(), new_key(), new_key()
    await repo(engine, old).set_api_key(USER, USER_KEY)
    await repo(engine, lost).set_api_key(OTHER_USER, OTHER_KEY)  # its key is not configured
    with pytest.raises(KeyringError):
        await repo(engine, new, old).reencrypt_all()
    # Nothing was half-done: the first user's key is still under the old key.
    assert await repo(engine, old).get_api_key(USER) == StoredKey(USER, USER_KEY)
    with pytest.raises(KeyringError):
        await repo(engine, new).get_api_key(USER)


def run_bot(args: list[str], cwd: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot ...` as an operator runs it, with only the given settings."""
    setting_names = {name.upper() for name in Settings.model_fields}
    env = {name: value for name, value in os.environ.items() if name.upper() not in setting_names}
    env["PYTHONPATH"] = str(ROOT)
    env.update(variables)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=15,
        check=False,
    )


async def test_reencrypt_command(tmp_path: Path) -> None:
    old, new = new_key(), new_key()
    url = f"sqlite:///{tmp_path / 'custom' / 'keys.db'}"
    settings = load_settings(
        _env_file=None, bot_token=TOKEN, database_url=url, encryption_key=old, data_dir=tmp_path
    )
    prepare_database(settings.effective_database_url)
    engine = build_engine(settings.effective_database_url)
    try:
        await repo(engine, old).set_api_key(USER, USER_KEY)
        await repo(engine, old).set_api_key(OTHER_USER, OTHER_KEY)
    finally:
        await engine.dispose()

    # Dropping the old key too early: refused in one line, nothing changed.
    early = run_bot(["reencrypt"], tmp_path, BOT_TOKEN=TOKEN, DATABASE_URL=url, ENCRYPTION_KEY=new)
    assert early.returncode != 0
    assert early.stderr.strip().count("\n") == 0, early.stderr
    assert "ENCRYPTION_KEY" in early.stderr
    assert "Traceback" not in early.stderr

    done = run_bot(
        ["reencrypt"], tmp_path, BOT_TOKEN=TOKEN, DATABASE_URL=url, ENCRYPTION_KEY=f"{new},{old}"
    )
    assert done.returncode == 0, done.stderr
    assert "Re-encrypted 2 stored API key(s)" in done.stdout
    for output in (done.stdout, done.stderr, early.stderr):
        assert new not in output
        assert old not in output

    engine = build_engine(url)
    try:
        only_new = repo(engine, new)
        assert await only_new.get_api_key(USER) == StoredKey(USER, USER_KEY)
        assert await only_new.get_api_key(OTHER_USER) == StoredKey(OTHER_USER, OTHER_KEY)
    finally:
        await engine.dispose()


# --- what is on disk -----------------------------------------------------------------------------


def database_bytes(db_file: Path) -> bytes:
    files = [db_file, db_file.with_name(db_file.name + "-wal")]
    return b"".join(path.read_bytes() for path in files if path.exists())


async def test_database_file_never_holds_a_key_in_plaintext(
    tmp_path: Path, sqlite_engine: AsyncEngine
) -> None:
    engine = sqlite_engine
    db_file = tmp_path / "data" / "bot.db"
    repository = repo(engine, new_key())
    await repository.set_api_key(USER, USER_KEY)
    await repository.set_api_key(OTHER_USER, OTHER_KEY)
    await repository.set_api_key(OTHER_USER, USER_KEY[::-1])  # replaced: the old one is gone too
    stored = await repository.get_user(USER)
    assert stored is not None
    assert stored.api_key_encrypted is not None

    on_disk = database_bytes(db_file)
    # We are looking at the right bytes: the ciphertext is there...
    assert stored.api_key_encrypted.encode() in on_disk
    # ...and no key is, in text or as the bytes of a key.
    for key in (USER_KEY, OTHER_KEY, USER_KEY[::-1]):
        assert key.encode() not in on_disk
        assert key.encode("utf-16-le") not in on_disk

    await engine.dispose()  # checkpoints the WAL into the main file
    on_disk = database_bytes(db_file)
    assert stored.api_key_encrypted.encode() in on_disk
    assert USER_KEY.encode() not in on_disk


# --- orders --------------------------------------------------------------------------------------


async def test_claim_draft_has_exactly_one_winner_across_connections(
    db_url: str, engine: AsyncEngine
) -> None:
    order_id = await repo(engine, new_key()).create_draft(draft())
    # One engine each, like separate worker processes sharing the database; aiosqlite runs
    # each connection in a thread of its own, so the claims really race.
    engines = [build_engine(db_url) for _ in range(THREADS)]
    try:
        results = await asyncio.gather(
            *(repo(each, new_key()).claim_draft(order_id, USER) for each in engines)
        )
    finally:
        for each in engines:
            await each.dispose()
    winners = [result for result in results if result is not None]
    assert len(winners) == 1
    assert winners[0].id == order_id
    assert winners[0].placement == Placement.PLACING
    # A later confirm (a double tap arriving late) does not win either.
    assert await repo(engine, new_key()).claim_draft(order_id, USER) is None


async def test_claim_draft_by_another_user_never_wins(engine: AsyncEngine) -> None:
    repository = repo(engine, new_key())
    order_id = await repository.create_draft(draft())
    assert await repository.claim_draft(order_id, OTHER_USER) is None
    assert await repository.get_order(order_id, OTHER_USER) is None
    order = await repository.get_order(order_id, USER)
    assert order is not None
    assert order.placement == Placement.DRAFT  # untouched by the stranger
    assert await repository.claim_draft(order_id, USER) is not None
    assert await repository.claim_draft(order_id + 1000, USER) is None  # no such draft


@pytest.mark.parametrize("price", ["0.00001234", "12345678.12345", "0.9", "100.00"])
async def test_prices_come_back_exactly(db_url: str, engine: AsyncEngine, price: str) -> None:
    repository = repo(engine, new_key())
    order_id = await repository.create_draft(draft(price=Decimal(price)))
    await repository.claim_draft(order_id, USER)
    await repository.finish_placement(order_id, Placement.PLACED, panel_order_id="778899")

    fresh = build_engine(db_url)  # read back through a new connection, as after a restart
    try:
        order = await repo(fresh, new_key()).get_order(order_id, USER)
    finally:
        await fresh.dispose()
    assert order is not None
    assert order.price == Decimal(price)
    assert str(order.price) == price
    assert order.charge == Decimal(price)
    assert str(order.charge) == price
