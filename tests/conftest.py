"""Shared fixtures: the two stand-in servers and the real application polling the Bot API one.

Databases: `postgres_server_url` is one throw-away PostgreSQL server for the whole run, started
by the first test that needs it (skipped, with the reason, only where PostgreSQL's binaries are
absent); `postgres_url` is a fresh empty database on it, dropped after the test.
`database_url` is a database of each engine in turn ("sqlite", "postgresql"). A module runs on
both engines with one line, ``pytestmark = on_both_databases``: its `settings`, `app`,
`console_settings` and `console_app` then use `database_url` (a test calling `make_settings`
itself passes ``database_url=database_url``).
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from cryptography.fernet import Fernet
from telegram.ext import Application

from bot.app import build_application
from bot.config import Settings, load_settings
from tests.fakes.panel import DIALECTS, Dialect, FakePanel
from tests.fakes.telegram import FakeTelegram
from tests.postgres import postgres_bin, postgres_server

TOKEN = "123456:TEST-token-for-the-stand-in"
USER = 1001
OTHER_USER = 2002
USER_KEY = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
OTHER_KEY = "ffeeddccbbaa99887766554433221100"
OPERATOR = 7001  # in ADMIN_IDS of `console_settings`
SECOND_OPERATOR = 7002


def _stand_in_panel(dialect: Dialect) -> Iterator[FakePanel]:
    with FakePanel(dialect=dialect) as fake:
        fake.add_key(USER_KEY, balance="100")
        fake.add_key(OTHER_KEY, balance="50")
        yield fake
        assert not fake.handler_errors, fake.handler_errors


@pytest.fixture
def panel(request: pytest.FixtureRequest) -> Iterator[FakePanel]:
    """The stand-in panel (seed dialect), or the dialect given by ``on_every_dialect``."""
    yield from _stand_in_panel(getattr(request, "param", "seed"))


on_every_dialect = pytest.mark.parametrize("panel", DIALECTS, indirect=True)
"""Run a test (and the ``settings``/``app`` built on ``panel``) once per panel dialect:
``@on_every_dialect`` on the test; ``settings.smm_api_url`` is then that panel's ``url``
(``/api/v1`` on SmartPanel)."""


@pytest.fixture(params=DIALECTS)
def dialect_panel(request: pytest.FixtureRequest) -> Iterator[FakePanel]:
    """A stand-in panel of each dialect in turn, with the ``panel`` fixture's keys; for tests
    that talk to the panel directly (a flow test uses ``@on_every_dialect`` instead)."""
    yield from _stand_in_panel(request.param)


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """One throw-away PostgreSQL server for the whole run (its `postgres` database)."""
    if postgres_bin() is None:
        pytest.skip("no PostgreSQL binaries here (apt-get install postgresql; .ci/run does)")
    # Not pytest's tmp_path: the server runs as the "postgres" user, who cannot enter it.
    base = Path(tempfile.mkdtemp(prefix="smm-bot-pg-"))
    try:
        with postgres_server(base) as url:
            yield url
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped after it."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = postgres_server_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield postgres_server_url.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database of each engine in turn: SQLite in tmp_path/data, or PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'bot.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


on_both_databases = pytest.mark.usefixtures("database_url")
"""``pytestmark = on_both_databases``: the module's tests run once per engine (see above)."""


def _chosen_database(request: pytest.FixtureRequest) -> dict[str, Any]:
    if "database_url" in request.fixturenames:
        return {"database_url": request.getfixturevalue("database_url")}
    return {}


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram(token=TOKEN) as fake:
        yield fake


@pytest.fixture
def fernet_key() -> str:
    return Fernet.generate_key().decode()


@pytest.fixture
def settings(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    panel: FakePanel,
    telegram: FakeTelegram,
    fernet_key: str,
) -> Settings:
    return make_settings(tmp_path, panel, telegram, fernet_key, **_chosen_database(request))


def make_settings(
    tmp_path: Path, panel: FakePanel, telegram: FakeTelegram, fernet_key: str, **extra: Any
) -> Settings:
    values: dict[str, Any] = {
        "_env_file": None,
        "bot_token": TOKEN,
        "telegram_api_url": telegram.base_url,
        "smm_api_url": panel.url,
        "data_dir": tmp_path / "data",
        "encryption_key": fernet_key,
        "status_poll_seconds": 3600,  # tests run the job themselves
        "panel_timeout_seconds": 2,
        # The retries still happen (tests count them), without sleeping through real back-off.
        "panel_retry_seconds": 0.01,
    }
    values.update(extra)
    return load_settings(**values)


@pytest.fixture
def console_settings(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    panel: FakePanel,
    telegram: FakeTelegram,
    fernet_key: str,
) -> Settings:
    """`settings` with two operators (ADMIN_IDS)."""
    return make_settings(
        tmp_path,
        panel,
        telegram,
        fernet_key,
        admin_ids=[OPERATOR, SECOND_OPERATOR],
        **_chosen_database(request),
    )


@pytest.fixture
async def console_app(
    console_settings: Settings,
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """The application with two operators."""
    async with running(console_settings) as application:
        yield application


@pytest.fixture
async def customer(app: Any, telegram: FakeTelegram) -> Any:
    """USER, with the key connected, on the running application (a tests.customer.Customer)."""
    from tests.customer import Customer  # it imports this module's ids

    customer = Customer(telegram)
    await customer.connect()
    return customer


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    async with running(settings) as application:
        yield application


class running:
    """The real application, polling the stand-in Bot API as `python -m bot` would."""

    def __init__(self, settings: Settings) -> None:
        self.application = build_application(settings)

    async def __aenter__(self) -> Application[Any, Any, Any, Any, Any, Any]:
        # The same steps as Application.run_polling, which the tests cannot block on.
        await self.application.initialize()
        assert self.application.post_init is not None
        await self.application.post_init(self.application)
        await self.application.start()
        assert self.application.updater is not None
        await self.application.updater.start_polling(poll_interval=0, timeout=1)
        return self.application

    async def __aexit__(self, *exc_info: object) -> None:
        assert self.application.updater is not None
        await self.application.updater.stop()
        await self.application.stop()
        assert self.application.post_stop is not None
        await self.application.post_stop(self.application)
        await self.application.shutdown()
        assert self.application.post_shutdown is not None
        await self.application.post_shutdown(self.application)
