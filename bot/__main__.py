"""`python -m bot` runs the bot; `python -m bot reencrypt` re-encrypts keys after a rotation;
`python -m bot panel-check` tells what the configured panel supports (the API key is read from
standard input, never from the command line, and never printed)."""

from __future__ import annotations

import asyncio
import getpass
import logging
import sys

from telegram import Update
from telegram.error import InvalidToken, NetworkError

from bot.app import build_application, build_keyring
from bot.config import ConfigError, Settings, load_settings
from bot.logs import configure_logging, redacted
from bot.panel import PanelClient
from bot.panel.capabilities import Capabilities
from bot.panel.check import check_panel, render
from bot.webhook import ListenError, WebhookRefused, bind_port, run_webhook
from storage.crypto import KeyringError
from storage.db import DatabaseError, build_engine, prepare_database
from storage.repository import Repository
from storage.single_process import DatabaseInUse, hold_database

USAGE = "usage: python -m bot [run|reencrypt|panel-check]"


logger = logging.getLogger(__name__)

SHORT_MESSAGE = 200


def fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def unexpected(error: Exception) -> int:
    """Anything else that stops start-up or the run (a database gone while the webhook secret
    is stored, say): one log line and one `error:` line, secrets removed, the traceback at
    DEBUG only (folded into one line by bot.logs) — never a raw traceback."""
    kind = type(error).__name__
    message = redacted(str(error)).strip().splitlines()
    short = message[0][:SHORT_MESSAGE] if message else "no details"
    logger.error("Stopped by an unexpected error: %s: %s", kind, short)
    logger.debug("The unexpected error's traceback", exc_info=error)
    print(f"error: {kind}: {short}", file=sys.stderr)
    return 1


def reencrypt(settings: Settings) -> int:
    # It rewrites every stored key: never beside a running bot on SQLite.
    hold_database(settings.effective_database_url)
    prepare_database(settings.effective_database_url)
    keys, states = asyncio.run(_reencrypt(settings))
    print(
        f"Re-encrypted {keys} stored API key(s) and {states} conversation state(s) "
        "with the first ENCRYPTION_KEY."
    )
    return 0


async def _reencrypt(settings: Settings) -> tuple[int, int]:
    engine = build_engine(settings.effective_database_url)
    try:
        repository = Repository(engine, build_keyring(settings))
        return await repository.reencrypt_all(), await repository.reencrypt_user_states()
    finally:
        await engine.dispose()


def read_key() -> str:
    """The panel API key from standard input (a hidden prompt on a terminal)."""
    if sys.stdin.isatty():
        return getpass.getpass("Panel API key: ", stream=sys.stderr).strip()
    return sys.stdin.readline().strip()


def panel_check(settings: Settings, key: str) -> int:
    prepare_database(settings.effective_database_url)
    lines, answered = asyncio.run(_panel_check(settings, key))
    if not answered:
        return fail(lines[0])
    for line in lines:
        print(line)
    return 0


async def _panel_check(settings: Settings, key: str) -> tuple[list[str], bool]:
    engine = build_engine(settings.effective_database_url)
    repository = Repository(engine, build_keyring(settings))

    async def save(capabilities: Capabilities) -> None:
        await repository.save_panel_profile(settings.smm_api_url, capabilities.to_json())

    try:
        # A fresh start: the check learns from the panel's answers, not from what is stored.
        async with PanelClient(
            settings.smm_api_url,
            read_timeout=settings.panel_timeout_seconds,
            read_retries=settings.panel_read_retries,
            backoff_seconds=settings.panel_retry_seconds,
            on_learn=save,
        ) as client:
            report = await check_panel(client, key)
        return render(report), report.answered
    finally:
        await engine.dispose()


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "run"
    if command not in {"run", "reencrypt", "panel-check"}:
        return fail(USAGE)
    try:
        settings = load_settings(require_token=command == "run")
        if command == "panel-check":
            key = read_key()
            if not key:
                return fail("no API key on standard input")
            # The report says what the client's warnings would; only errors go to stderr.
            configure_logging(settings, level="ERROR", secrets=[key])
            return panel_check(settings, key)
        configure_logging(settings)
        if command == "reencrypt":
            return reencrypt(settings)
        # The port first: a port in use is one line, with the database not yet touched.
        sockets = bind_port(settings) if settings.webhook_mode else None
        application = build_application(settings)
    except (ConfigError, KeyringError, DatabaseError, ListenError, DatabaseInUse) as error:
        return fail(str(error))
    except Exception as error:
        return unexpected(error)
    try:
        if settings.webhook_mode:
            run_webhook(application, settings, sockets)
        else:
            # Polling deletes any webhook a webhook-mode run left registered (PTB's bootstrap).
            application.run_polling(allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
    except (ListenError, WebhookRefused) as error:
        return fail(str(error))
    except InvalidToken:
        return fail("BOT_TOKEN was rejected by Telegram")
    except NetworkError as error:
        logging.getLogger(__name__).debug("Start-up network error", exc_info=error)
        return fail(f"cannot reach Telegram at {settings.telegram_api_url}")
    except Exception as error:
        return unexpected(error)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
