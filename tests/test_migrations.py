"""Schema migrations on SQLite and PostgreSQL: a database from before migrations upgrades without
loss, an empty one reaches the models' schema, and a failing or newer revision leaves the
database as it was with one line for the operator."""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlmodel import SQLModel

from bot.config import Settings
from storage.crypto import Keyring
from storage.db import (
    DatabaseError,
    build_engine,
    head_revision,
    migration_options,
    parse_url,
    prepare_database,
)
from storage.repository import Repository
from tests.conftest import OTHER_KEY, TOKEN, USER, USER_KEY

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
# The throw-away Fernet key the snapshots' API keys were encrypted with (test data only).
SNAPSHOT_KEY = "FWp2MJSU_Ym40Wwqa5osgSOkq63cSKLw3lMVWnqn4k8="
BIG_USER = 7_123_456_789
LONG_PANEL_ID = "9" * 22
UPGRADED = "Database upgraded to revision"


def engine_kind(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def sqlite_file(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


def load_snapshot(url: str) -> None:
    """The database as the bot made it before migrations: today's tables and sample rows."""
    script = (DATA / f"before-migrations.{engine_kind(url)}.sql").read_text()
    if engine_kind(url) == "sqlite":
        sqlite_file(url).parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(sqlite_file(url)) as connection:
            connection.executescript(script)
        connection.close()
    else:
        plain = url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain, autocommit=True) as connection:
            connection.execute(script.encode())


def contents(url: str) -> dict[str, Any]:
    """Every table's rows (by their first column) and the recorded revision."""
    engine = create_engine(parse_url(url))
    try:
        with engine.connect() as connection:
            tables = sorted(inspect(connection).get_table_names())
            found: dict[str, Any] = {
                table: [
                    tuple(row)
                    for row in connection.execute(text(f'SELECT * FROM "{table}" ORDER BY 1'))
                ]
                for table in tables
            }
    finally:
        engine.dispose()
    return found


def differences(url: str) -> list[Any]:
    """What Alembic's autogenerate would still change to reach storage/models.py."""
    engine = create_engine(parse_url(url))
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts=migration_options(connection.dialect.name)
            )
            return list(compare_metadata(context, SQLModel.metadata))
    finally:
        engine.dispose()


def upgraded_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if UPGRADED in record.getMessage()]


async def test_a_database_from_before_migrations_upgrades_without_loss(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    load_snapshot(database_url)
    before = contents(database_url)
    assert len(before["users"]) == 3
    assert "alembic_version" not in before

    with caplog.at_level(logging.INFO, logger="storage.db"):
        prepare_database(database_url)

    after = contents(database_url)
    assert after.pop("alembic_version") == [(head_revision(),)]
    added = {table: after.pop(table) for table in set(after) - set(before)}
    assert after == before  # every row of every table, exactly
    assert all(rows == [] for rows in added.values())  # tables of later revisions, empty
    assert differences(database_url) == []
    assert len(upgraded_lines(caplog)) == len(set(upgraded_lines(caplog)))
    if engine_kind(database_url) == "sqlite":  # the safety copy is gone after a success
        assert not list(sqlite_file(database_url).parent.glob("*before-upgrade*"))

    # The bot reads what it stored before: keys decrypt, money and long ids are exact.
    engine = build_engine(database_url)
    try:
        repository = Repository(engine, Keyring([SNAPSHOT_KEY]))
        stored = await repository.get_api_key(USER)
        big = await repository.get_api_key(BIG_USER)
        order = await repository.find_order(USER, LONG_PANEL_ID)
        assert await repository.list_orders(BIG_USER, 0, 5)
        await repository.touch_user(3003)  # and writes on
    finally:
        await engine.dispose()
    assert stored is not None
    assert stored.key == USER_KEY
    assert big is not None
    assert big.key == OTHER_KEY
    assert order is not None
    assert order.price == Decimal("0.00001234")
    assert order.charge == Decimal("12345678.12345")

    # Started again: nothing to do, nothing logged, nothing changed.
    again = contents(database_url)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="storage.db"):
        prepare_database(database_url)
    assert upgraded_lines(caplog) == []
    assert contents(database_url) == again


async def test_an_older_install_missing_a_column_gets_it_before_the_upgrade(
    database_url: str,
) -> None:
    load_snapshot(database_url)
    engine = create_engine(parse_url(database_url))
    with engine.begin() as connection:  # as the first release created it
        connection.execute(text("ALTER TABLE orders DROP COLUMN claimed_at"))
    prepare_database(database_url)
    assert "claimed_at" in {c["name"] for c in inspect(engine).get_columns("orders")}
    engine.dispose()
    assert differences(database_url) == []


def test_an_empty_database_is_upgraded_to_the_models(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="storage.db"):
        prepare_database(database_url)
    # A model changed without a revision shows up here.
    assert differences(database_url) == []
    assert contents(database_url)["alembic_version"] == [(head_revision(),)]
    lines = upgraded_lines(caplog)
    assert lines[0].startswith(f"{UPGRADED} 0001 ")
    assert lines[-1].startswith(f"{UPGRADED} {head_revision()} ")
    assert len(lines) == len(set(lines))  # one line per revision


def failing_revision(folder: Path) -> Path:
    """A test-only revision after the head that creates a table, then fails."""
    folder.mkdir()
    (folder / "9001_fails.py").write_text(
        f'''"""Creates a table, then fails."""

import sqlalchemy as sa
from alembic import op

revision = "9001"
down_revision = "{head_revision()}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("half_done", sa.Column("id", sa.Integer, primary_key=True))
    op.execute("INSERT INTO half_done (id) VALUES (1)")
    raise RuntimeError("the disk is full at " + str(op.get_bind().engine.url))


def downgrade() -> None:
    pass
'''
    )
    return folder


@pytest.mark.parametrize("start", ["at head", "empty"])
def test_a_failing_revision_leaves_the_database_as_it_was(
    database_url: str, tmp_path: Path, start: str
) -> None:
    if start == "at head":
        load_snapshot(database_url)
        prepare_database(database_url)
    elif engine_kind(database_url) == "sqlite":
        # Empty: every pending revision, 0001 too, is undone with the failing one.
        sqlite_file(database_url).parent.mkdir(parents=True, exist_ok=True)
    before = contents(database_url)
    extra = failing_revision(tmp_path / "failing")

    with pytest.raises(DatabaseError) as failure:
        prepare_database(database_url, extra_versions=extra)

    assert str(failure.value) == (
        "database upgrade to 9001 failed (RuntimeError); the database was left as it was"
    )
    after = contents(database_url)
    assert "half_done" not in after
    assert after == before  # alembic_version and every row as they were
    if engine_kind(database_url) == "sqlite":
        assert not list(sqlite_file(database_url).parent.glob("*before-upgrade*"))
    # The database still works with this version's revisions.
    prepare_database(database_url)
    assert differences(database_url) == []


def test_a_database_from_a_newer_version_is_refused_in_one_line(database_url: str) -> None:
    prepare_database(database_url)
    engine = create_engine(parse_url(database_url))
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    before = contents(database_url)
    with pytest.raises(DatabaseError) as refused:
        prepare_database(database_url)
    assert str(refused.value) == (
        "the database was upgraded by a newer version of the bot (revision 9999); "
        "install that version"
    )
    assert contents(database_url) == before


def bot_env(**variables: str) -> dict[str, str]:
    setting_names = {name.upper() for name in Settings.model_fields}
    env = {name: value for name, value in os.environ.items() if name.upper() not in setting_names}
    env["PYTHONPATH"] = str(ROOT)
    env.update(variables)
    return env


def test_python_m_bot_on_a_newer_database_says_so_in_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'data' / 'bot.db'}"
    prepare_database(url)
    with sqlite3.connect(sqlite_file(url)) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'ffff'")
    connection.close()
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env=bot_env(BOT_TOKEN=TOKEN, TELEGRAM_API_URL="http://127.0.0.1:9", DATABASE_URL=url),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "error: the database was upgraded by a newer version of the bot (revision ffff); "
        "install that version"
    ]


def test_two_processes_starting_at_once_migrate_once(postgres_url: str) -> None:
    """Two bots started together on one PostgreSQL database: one upgrades, the other waits
    on the advisory lock and finds nothing left to do."""
    program = (
        "import logging, sys\n"
        "from storage.db import prepare_database\n"
        "logging.basicConfig(level=logging.INFO, stream=sys.stdout, format='%(message)s')\n"
        "print('ready', flush=True)\n"
        "sys.stdin.readline()\n"
        "prepare_database(sys.argv[1])\n"
    )
    starts = [
        subprocess.Popen(
            [sys.executable, "-c", program, postgres_url],
            env=bot_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for process in starts:  # both imported…
        assert process.stdout is not None
        assert process.stdout.readline() == "ready\n"
    for process in starts:  # …the upgrades start together
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    outputs = [process.communicate(timeout=120) for process in starts]
    assert [process.returncode for process in starts] == [0, 0], outputs
    logged = "".join(out for out, _ in outputs).splitlines()
    applied = [line for line in logged if line.startswith(UPGRADED)]
    assert len(applied) == len(set(applied))  # each revision applied by one process only
    assert applied[-1].startswith(f"{UPGRADED} {head_revision()} ")
    assert differences(postgres_url) == []


# --- SQLite's safety copy ----------------------------------------------------------------------


def test_a_copy_left_by_an_interrupted_upgrade_is_put_back_first(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"sqlite:///{tmp_path / 'data' / 'bot.db'}"
    load_snapshot(url)
    before = contents(url)
    path = sqlite_file(url)
    # kill -9 in the middle of an upgrade: the copy taken before it is still there, and the
    # file itself is half-upgraded (rows gone with a rebuilt table, a revision recorded).
    backup = path.with_name(path.name + ".before-upgrade")
    backup.write_bytes(path.read_bytes())
    with sqlite3.connect(path) as connection:
        connection.execute("DELETE FROM users")
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        connection.execute(f"INSERT INTO alembic_version VALUES ('{head_revision()}')")
    connection.close()

    with caplog.at_level(logging.INFO, logger="storage.db"):
        prepare_database(url)

    interrupted = [r for r in caplog.records if "upgrade was interrupted" in r.getMessage()]
    assert len(interrupted) == 1
    assert interrupted[0].levelno == logging.WARNING
    after = contents(url)
    assert after.pop("alembic_version") == [(head_revision(),)]
    assert {table: rows for table, rows in after.items() if table in before} == before
    assert len(after["users"]) == 3
    assert not backup.exists()
    assert differences(url) == []


def harmless_revision(folder: Path) -> Path:
    folder.mkdir()
    (folder / "9002_adds.py").write_text(
        f'''"""Adds a table."""

import sqlalchemy as sa
from alembic import op

revision = "9002"
down_revision = "{head_revision()}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("later", sa.Column("id", sa.Integer, primary_key=True))


def downgrade() -> None:
    op.drop_table("later")
'''
    )
    return folder


def test_a_database_another_process_holds_is_not_upgraded(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'data' / 'bot.db'}"
    load_snapshot(url)
    prepare_database(url)
    path = sqlite_file(url)
    # Another process in the middle of a read: the WAL cannot be emptied into the file, so a
    # copy of the file alone would miss commits.
    writer = sqlite3.connect(path)
    writer.execute("UPDATE users SET language = 'de'")
    writer.commit()
    reader = sqlite3.connect(path)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM users").fetchall()
    try:
        with pytest.raises(DatabaseError) as refused:
            prepare_database(url, extra_versions=harmless_revision(tmp_path / "later"))
    finally:
        reader.rollback()
        reader.close()
        writer.close()
    assert str(refused.value) == (
        f"cannot upgrade the database file {path}: another program is using it "
        "(stop it, then start the bot again); nothing was changed"
    )
    after = contents(url)
    assert after["alembic_version"] == [(head_revision(),)]
    assert "later" not in after
    assert not path.with_name(path.name + ".before-upgrade").exists()
