"""Webhook mode (WEBHOOK_URL set): Telegram POSTs each update to us instead of being polled.

A tornado server on LISTEN_HOST:PORT serves
- `POST <path of WEBHOOK_URL>`: an update, answered only after it was handled (see
  `_Endpoint._update`); a request without Telegram's secret header has no effect (403);
- `GET /healthz`: database reachable, age of the last poll cycle (bot/services/liveness.py);
- anything else: 404.

PTB's own webhook server answers before the update is handled; ours must not (per-user order
across processes), so PTB's Updater is not used and `WebhookRunner` mirrors what
`Application.run_polling` does around it: initialize, post_init, start, serve until SIGTERM or
SIGINT, then stop taking requests, let the ones in progress finish, stop (post_stop), shutdown
(post_shutdown).
"""

from __future__ import annotations

import asyncio
import errno
import hmac
import json
import logging
import secrets
import signal
import socket
import time
from typing import Any
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application as TornadoApplication
from tornado.web import RequestHandler

from bot.config import Settings
from bot.context import app_services
from bot.logs import redact_also
from bot.services import liveness
from storage.crypto import KeyringError
from storage.repository import Repository

logger = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_PATH = "/healthz"
# runtime_state row holding the generated secret, encrypted like the API keys.
SECRET_STATE = "webhook_secret"
SECRET_BYTES = 32  # token_urlsafe(32): 43 characters of A-Z a-z 0-9 _ -, as Telegram allows
# Updates are small (a message is at most 4096 characters); anything bigger is not Telegram.
MAX_BODY_BYTES = 1024 * 1024
# The longest SIGTERM waits for the updates in progress: less than the 30 s service managers
# give before SIGKILL (compose's stop_grace_period, systemd's TimeoutStopSec, Heroku), so the
# stop itself still ends cleanly. An update still running then is answered by no one:
# Telegram delivers it again, and its id, if it was handled meanwhile, makes that a no-op.
DRAIN_SECONDS = 25.0
# Requests refused for a missing or wrong secret are logged at most this often, with a count.
REFUSED_LOG_SECONDS = 60.0


class ListenError(Exception):
    """The webhook port cannot be listened on; the message is one line for the operator."""


class WebhookRefused(Exception):
    """Telegram refused setWebhook; the message names WEBHOOK_URL, never the secret."""


def hook_path(webhook_url: str) -> str:
    """The path Telegram posts to: https://bot.example.com/telegram → /telegram ("/" if none)."""
    return urlsplit(webhook_url).path or "/"


async def webhook_secret(settings: Settings, repository: Repository) -> str:
    """WEBHOOK_SECRET, or the one generated on a first start and kept in the database
    (encrypted), so every process and every restart checks the same one. Processes starting
    at once all get the first one stored (insert-if-absent, then read back)."""
    if settings.webhook_secret:
        return settings.webhook_secret
    keyring = repository.keyring
    candidate = secrets.token_urlsafe(SECRET_BYTES)
    stored = await repository.claim_runtime_state(
        SECRET_STATE, {"ciphertext": keyring.encrypt(candidate)}
    )
    try:
        return keyring.decrypt(str(stored["ciphertext"]))
    except (KeyringError, KeyError, TypeError):
        # ENCRYPTION_KEY changed without the old key kept: Telegram learns a new secret below.
        logger.warning("Stored webhook secret unreadable with ENCRYPTION_KEY; a new one is used")
        await repository.save_runtime_state(
            SECRET_STATE, {"ciphertext": keyring.encrypt(candidate)}
        )
        return candidate


class _Endpoint(RequestHandler):
    """Every request: the hook path (POST), /healthz (GET), else 404."""

    SUPPORTED_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")

    def initialize(self, runner: WebhookRunner) -> None:
        self.runner = runner

    async def post(self) -> None:
        if self.request.path != self.runner.path:
            self._answer(404, {"error": "not found"})
            return
        self.runner.in_progress += 1
        try:
            await self._update()
        finally:
            self.runner.request_done()

    async def get(self) -> None:
        if self.request.path != HEALTH_PATH:
            self._answer(404, {"error": "not found"})
            return
        services = app_services(self.runner.application)
        state = await liveness.check(
            services.engine, services.repository, services.settings.status_poll_seconds
        )
        self._answer(state.http_status, state.as_json())

    async def _update(self) -> None:
        runner = self.runner
        given = self.request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, runner.secret.encode()):
            # Without the header's value (it may be a near-miss of the real one), and at most
            # one line a minute: anyone can post here.
            runner.refused()
            self._answer(403, {"error": "forbidden"})
            return
        if runner.closing:
            # Not handled here: Telegram delivers it again, to the next process up.
            self._answer(503, {"error": "shutting down"})
            return
        try:
            data = json.loads(self.request.body)
            if not isinstance(data, dict):
                raise ValueError("not an object")
            update = Update.de_json(data, runner.application.bot)
        except (ValueError, TypeError, KeyError):
            logger.warning("Webhook request refused: not a Telegram update")
            self._answer(400, {"error": "not an update"})
            return
        application = runner.application
        # Answered only once the update was handled: Telegram sends a chat's next update only
        # after this answer, so one user's updates stay in order even when a load balancer
        # spreads them over several processes. Through the application's processor, so the
        # per-user ordering (bot/updates.py) and what it does around each update apply.
        try:
            await application.update_processor.process_update(
                update, application.process_update(update)
            )
        except Exception:
            # Handlers' errors go to the error handler inside process_update; what reaches
            # here failed around it (storage): Telegram delivers the update again.
            logger.exception(
                "Update %s not handled; Telegram will deliver it again", update.update_id
            )
            self._answer(500, {"error": "not handled"})
            return
        self._answer(200, {"ok": True})

    async def head(self) -> None:
        await self.get()  # a balancer's HEAD /healthz: the same status (tornado drops the body)

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))

    async def _not_found(self) -> None:
        self._answer(404, {"error": "not found"})

    put = delete = patch = options = _not_found


def _log_request(handler: RequestHandler) -> None:
    """Tornado logs every request at INFO; one per update is noise (DEBUG, path only)."""
    logger.debug("%s %s -> %s", handler.request.method, handler.request.path, handler.get_status())


def bind_port(settings: Settings) -> list[socket.socket]:
    """Claim LISTEN_HOST:PORT; `python -m bot` does it before touching the database, so a port
    in use is one line with nothing else done."""
    host, port = settings.listen_host, settings.port
    try:
        return bind_sockets(port, host or None)
    except OSError as error:
        reason = (
            "address already in use"
            if error.errno == errno.EADDRINUSE
            else (error.strerror or type(error).__name__).lower()
        )
        raise ListenError(f"cannot listen on {host}:{port} ({reason})") from None


class WebhookRunner:
    """Serves one application in webhook mode; `start()` then `stop()` (tests drive these
    directly; `python -m bot` through `run_webhook`)."""

    def __init__(
        self,
        application: AnyApplication,
        settings: Settings,
        sockets: list[socket.socket] | None = None,
    ) -> None:
        self.application = application
        self.settings = settings
        self.path = hook_path(settings.webhook_url)
        self.secret = ""
        self.closing = False
        self.in_progress = 0
        self._idle = asyncio.Event()
        self._server: HTTPServer | None = None
        self._sockets: list[socket.socket] = sockets or []
        self._refused = 0
        self._refused_logged: float | None = None

    def refused(self) -> None:
        """One request refused for its secret: a WARNING now, or counted into the next."""
        self._refused += 1
        now = time.monotonic()
        if self._refused_logged is None or now - self._refused_logged >= REFUSED_LOG_SECONDS:
            logger.warning(
                "Webhook request(s) refused: missing or wrong secret token (%d since the "
                "last such line)",
                self._refused,
            )
            self._refused, self._refused_logged = 0, now

    def request_done(self) -> None:
        self.in_progress -= 1
        if not self.in_progress:
            self._idle.set()

    async def start(self) -> None:
        """Claim the port first (a port in use fails before Telegram is told anything), then
        run_polling's steps, then serve, then register the webhook."""
        if not self._sockets:
            self._sockets = bind_port(self.settings)
        application = self.application
        await application.initialize()
        if application.post_init is not None:
            await application.post_init(application)
        self.secret = await webhook_secret(self.settings, app_services(application).repository)
        redact_also(self.secret)  # a generated one is not among the settings' secrets
        await application.start()
        tornado_app = TornadoApplication(
            [(r"/.*", _Endpoint, {"runner": self})], log_function=_log_request
        )
        self._server = HTTPServer(tornado_app, max_body_size=MAX_BODY_BYTES)
        self._server.add_sockets(self._sockets)
        try:
            await application.bot.set_webhook(
                url=self.settings.webhook_url,
                secret_token=self.secret,
                allowed_updates=Update.ALL_TYPES,
                drop_pending_updates=False,
            )
        except TelegramError as error:
            # The URL is the operator's to check; the secret is never part of the message.
            raise WebhookRefused(
                f"Telegram refused WEBHOOK_URL {self.settings.webhook_url}: {error.message}"
            ) from None
        logger.info("Webhook mode: listening on %s:%s", self.settings.listen_host, self.port)

    @property
    def port(self) -> int:
        return int(self._sockets[0].getsockname()[1]) if self._sockets else self.settings.port

    async def stop(self) -> None:
        """No new connection; requests in progress finish their update (a request arriving on
        an open connection meanwhile gets 503); then the application stops as run_polling's
        does. The webhook stays registered: Telegram keeps the updates for the next start."""
        self.closing = True
        server = self._server
        if server is not None:
            server.stop()
            if self.in_progress:
                logger.info("Stopping: finishing %d update(s) in progress", self.in_progress)
                self._idle.clear()
                try:
                    await asyncio.wait_for(self._idle.wait(), DRAIN_SECONDS)
                except TimeoutError:
                    logger.warning("Stopping with %d update(s) unfinished", self.in_progress)
            await server.close_all_connections()
        else:
            for sock in self._sockets:
                sock.close()
        application = self.application
        if application.running:
            await application.stop()
            if application.post_stop is not None:
                await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


async def serve_until_signalled(
    application: AnyApplication, settings: Settings, sockets: list[socket.socket] | None = None
) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    runner = WebhookRunner(application, settings, sockets)
    try:
        await runner.start()
        await stop.wait()
        logger.info("Stop signal received")
    finally:
        await runner.stop()


def run_webhook(
    application: AnyApplication, settings: Settings, sockets: list[socket.socket] | None = None
) -> None:
    """`python -m bot` in webhook mode; returns after SIGTERM/SIGINT and a clean stop."""
    asyncio.run(serve_until_signalled(application, settings, sockets))
