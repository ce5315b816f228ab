"""build_application(): the one factory used by `python -m bot` and by the tests."""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

from telegram import BotCommand, BotCommandScopeChat, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, Defaults

from bot import notifier, texts
from bot.config import Settings
from bot.context import SERVICES_KEY, BotServices, app_services
from bot.i18n import LANGUAGES, SOURCE_LANGUAGE, load_catalogues, reading_as
from bot.persistence import DatabasePersistence
from bot.services.health import start_alerts, sync_alerts
from bot.services.lease import RENEW_SECONDS
from bot.updates import PerUserUpdateProcessor
from handlers import register_handlers
from storage.crypto import Keyring, load_or_create_keys
from storage.db import build_engine, prepare_database
from storage.repository import Repository, StorageUnavailable
from storage.single_process import hold_database

logger = logging.getLogger(__name__)

# Telegram allows about 30 messages a second overall; a 429 is waited out and retried.
OVERALL_MAX_RATE = 30
MAX_RETRIES_AFTER_FLOOD = 5


def build_keyring(settings: Settings) -> Keyring:
    return Keyring(load_or_create_keys(settings.encryption_key, settings.data_dir))


def build_application(
    settings: Settings, keyring: Keyring | None = None
) -> Application[Any, Any, Any, Any, Any, Any]:
    # Opt in to PTB's timedelta durations (RetryAfter.retry_after & co.) now, instead of a
    # deprecation warning on every flood answer.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    # Given keys are checked first (a malformed one is one line, the database untouched); a
    # key is generated only once the database is known to work.
    if keyring is None and settings.encryption_key:
        keyring = build_keyring(settings)
    # SQLite: this process's alone (DatabaseInUse otherwise), before anything opens it.
    hold_database(settings.effective_database_url)
    prepare_database(settings.effective_database_url)
    keyring = keyring or build_keyring(settings)
    load_catalogues()  # compiled once, before the first update; a broken one is logged now
    engine = build_engine(settings.effective_database_url)
    repository = Repository(engine, keyring)
    api_root = settings.telegram_api_url
    # Conversations and user data in the database, written after each update of a user by
    # the update processor (and, on PostgreSQL, read before it).
    persistence = DatabasePersistence(
        repository, settings.conversation_timeout_seconds, redeliveries=settings.webhook_mode
    )
    processor = PerUserUpdateProcessor(persistence.max_turns)
    processor.turns = persistence
    application = (
        ApplicationBuilder()
        .token(settings.bot_token)
        .base_url(f"{api_root}/bot")
        .base_file_url(f"{api_root}/file/bot")
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .concurrent_updates(processor)
        .persistence(persistence)
        .rate_limiter(
            AIORateLimiter(overall_max_rate=OVERALL_MAX_RATE, max_retries=MAX_RETRIES_AFTER_FLOOD)
        )
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
        .build()
    )
    application.bot_data[SERVICES_KEY] = BotServices(settings, engine, repository)
    persistence.attach(application)
    register_handlers(application, settings)
    return application


async def _post_init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    services = app_services(application)
    services.open()
    await services.load_capabilities()  # before the poller's first status call
    unreadable = await services.repository.count_unreadable_keys()
    if unreadable:
        logger.warning(
            "%d stored API key(s) cannot be decrypted with ENCRYPTION_KEY; "
            "their users are asked to connect their key again",
            unreadable,
        )
    await services.leases.start()  # SQLite: a dead process's leases would only delay work
    notifier.schedule(application, services.settings.status_poll_seconds)
    # Conversations left idle past the timeout end with a message (in any process, once).
    persistence = application.persistence
    assert isinstance(persistence, DatabasePersistence)
    persistence.schedule(application)
    await services.broadcasts.resume(application.bot)  # a broadcast cut short goes on
    # … also one another process stopped delivering (it died or stopped: its lease is free),
    # and the panel alert another process recorded.
    assert application.job_queue is not None
    application.job_queue.run_repeating(
        _shared_work, interval=RENEW_SECONDS, first=RENEW_SECONDS, name="shared-work"
    )
    # Operators' alerts (the panel failing and back, unknown outcomes) from now on.
    await start_alerts(services, application.bot)
    await _register_command_menus(application)
    me = application.bot.bot
    logger.info("Bot @%s is up", me.username)


async def _shared_work(context: ContextTypes.DEFAULT_TYPE) -> None:
    services = app_services(context.application)
    try:
        await services.broadcasts.resume(context.bot)
    except StorageUnavailable:
        logger.info("Broadcasts to resume not read: database unavailable")
    await sync_alerts(services)


async def _register_command_menus(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """The command menu in each language: English as the default (no language code), and one
    per other language under its ISO 639-1 code ("pt" for pt_BR: Telegram's codes are the
    app's language, without a region). Sent at once: start-up waits for one round trip."""
    menus = []
    for language in LANGUAGES:
        with reading_as(language):
            commands = [
                BotCommand(command, description)
                for command, description in texts.common.command_menu()
            ]
        code = None if language == SOURCE_LANGUAGE else language.split("_")[0]
        menus.append(application.bot.set_my_commands(commands, language_code=code))
    operators = app_services(application).settings.admin_ids
    menus += [_register_operator_menu(application, operator) for operator in operators]
    await asyncio.gather(*menus)


async def _register_operator_menu(
    application: Application[Any, Any, Any, Any, Any, Any], operator: int
) -> None:
    """An operator's chat gets everyone's commands and /admin, /stats, in the operator's
    stored language (English if unknown); the default menu never shows them. An operator who
    never opened the bot cannot have a chat menu yet: skipped (set at the next start)."""
    try:
        stored = await app_services(application).repository.reader_settings(operator)
    except Exception:  # the menu in English rather than none
        logger.info("Operator %s: language not read; menu in English", operator)
        stored = None
    with reading_as(stored.language if stored else None):
        commands = [
            BotCommand(command, description)
            for command, description in (
                *texts.common.command_menu(),
                *texts.console.operator_command_menu(),
            )
        ]
    try:
        await application.bot.set_my_commands(commands, scope=BotCommandScopeChat(operator))
    except (Forbidden, BadRequest) as error:
        logger.info("Operator %s: command menu not set (%s)", operator, error.message)


async def _post_stop(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    # While the bot can still send: queued status messages get their chance to go out.
    await notifier.shutdown(application)
    await app_services(application).broadcasts.close()  # unfinished: resumed at next start
    # Operators' alerts under way, likewise.
    alerts = app_services(application).alerts
    if alerts is not None:
        await alerts.close()


async def _post_shutdown(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    await app_services(application).close()
