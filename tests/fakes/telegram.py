"""A stand-in for the Telegram Bot API: a real HTTP server on 127.0.0.1 for end-to-end tests.

The bot under test talks to it over real HTTP through python-telegram-bot::

    with FakeTelegram() as tg:
        bot = Bot(tg.token, base_url=f"{tg.base_url}/bot")
        tg.send_text(42, "/start")                 # a user writes to the bot
        msg = await tg.wait_for_message(42, "Welcome")
        tg.press_button(42, "Order")               # the user presses an inline button

Requests arrive as ``POST /bot<token>/<method>`` (GET works too) with form-urlencoded,
multipart or JSON bodies; answers are Bot API JSON (``{"ok": true, "result": ...}``).
Everything the bot does is recorded (``calls``, ``messages()``, ``deleted``...), users are
simulated by queueing updates for ``getUpdates``, and faults (429 flood control, 403 blocked
user, arbitrary errors, late answers with ``slow_down``) can be injected. All public methods are
thread-safe.

Webhooks work as Telegram's do: once the bot calls ``setWebhook`` (https only, unless the
stand-in was made with ``allow_http_webhook=True``), ``getUpdates`` answers 409 Conflict and the
updates tests inject are POSTed to the webhook (or to ``deliver_to(url)``, e.g. a load balancer)
with the ``X-Telegram-Bot-Api-Secret-Token`` header: one user's updates one at a time, in order
(the next only after the previous was answered 2xx), different users at once, and a failed
delivery (refused, timed out, non-2xx) tried again after a short back-off. Every attempt is
recorded in ``deliveries``.

Telegram's broadcast limits are opt-in (``FakeTelegram(enforce_limits=True)`` or
``tg.enforce_limits(...)``): a chat-bound send beyond 30 in one second overall, or sooner than
about one second after the previous one to the same chat, answers 429 with ``retry_after``, is
not delivered, and is recorded in ``limit_violations``.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.parser
import email.policy
import html
import http.client
import json
import math
import re
import socket
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, TypeVar, cast
from urllib.parse import parse_qsl, unquote, urlsplit

__all__ = [
    "BOT_USERNAME",
    "DEFAULT_TOKEN",
    "BotMessage",
    "FakeTelegram",
    "LimitViolation",
    "Webhook",
    "WebhookDelivery",
]

DEFAULT_TOKEN = "123456:TEST-token-for-the-stand-in"
BOT_USERNAME = "test_smm_bot"

#: Methods that ``flood()`` makes answer 429.
FLOOD_METHODS = frozenset({"sendMessage", "editMessageText"})
#: ``block()`` makes methods with one of these prefixes answer 403 for the blocked chat.
BLOCKED_PREFIXES = ("send", "edit", "copy", "forward")
#: With limits enforced, methods with one of these prefixes count as messages sent to a chat.
LIMITED_PREFIXES = ("send", "copy", "forward")
UNLIMITED_METHODS = frozenset({"sendChatAction"})
# Telegram's published limits: about 30 messages a second overall, about 1 a second per chat.
OVERALL_MESSAGES_PER_SECOND = 30
PER_CHAT_MESSAGES_PER_SECOND = 1.0
# Real Telegram is not exact to the millisecond: a send this much early is still accepted
# (network jitter between the bot's clock and ours).
LIMIT_TOLERANCE_SECONDS = 0.05

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are"
    " exactly the same as a current content and reply markup of the message"
)
POLL_INTERVAL = 0.02
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
#: Methods ``slow_down()`` answers late unless told otherwise (the chat-bound sends).
SLOW_METHODS = ("sendMessage", "sendPhoto")

T = TypeVar("T")
Params = dict[str, Any]
Button = tuple[str, str | None]

_PATH_RE = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>[A-Za-z0-9_]+)/?$")
# A file's download: GET /file/bot<token>/<file_path> (file_path as getFile returned it).
_FILE_RE = re.compile(r"^/file/bot(?P<token>[^/]+)/(?P<path>.+)$")
_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?")
_BOT_COMMAND_NAME_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_HTML_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s[^<>]*)?)>")
_HTML_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a"}
    | {"tg-emoji", "code", "pre", "blockquote"}
)
# Form values of these parameters are kept as strings; all others are JSON-decoded if possible
# (PTB sends numbers, booleans and objects as JSON text in form bodies).
_STRING_PARAMS = frozenset(
    {"text", "caption", "parse_mode", "callback_query_id", "description", "short_description"}
    | {"name", "language_code", "action", "url", "inline_message_id", "title", "emoji", "query"}
    | {"business_connection_id", "message_effect_id", "secret_token", "ip_address"}
    | {"photo", "document", "sticker", "video", "audio", "animation", "voice", "payload"}
)
_TEXT_PARAMS = ("text", "caption", "description", "short_description")
# Telegram's rule for a webhook's secret_token.
_SECRET_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: A failed webhook delivery is tried again after this, doubled per failure up to the maximum
#: (Telegram's own back-off is longer; the tests want to see the retry soon).
WEBHOOK_RETRY_SECONDS = 0.1
WEBHOOK_RETRY_MAX_SECONDS = 1.0
#: How long a delivery waits for the bot's answer (Telegram waits about a minute).
WEBHOOK_TIMEOUT_SECONDS = 30.0


class _ApiError(Exception):
    """An error answer of the Bot API."""

    def __init__(self, code: int, description: str, parameters: Params | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> Params:
        body: Params = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad_request(description: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {description}")


@dataclass
class BotMessage:
    """A message the bot sent, with its edits applied (a snapshot; it does not change later)."""

    message_id: int
    chat_id: int
    text: str  # a photo's caption ("" without one)
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    photo: str | None = None  # a photo message: the photo's file_id as sent
    edited: int = 0
    deleted: bool = False
    date: int = 0
    edit_date: int | None = None
    changed_at: int = 0  # the change counter (see FakeTelegram.mark) of the last send/edit

    @property
    def buttons(self) -> list[list[Button]]:
        """Inline keyboard rows as ``(text, callback_data or url)`` tuples (``[]`` if none)."""
        return [
            [(b.get("text", ""), b.get("callback_data", b.get("url"))) for b in row]
            for row in _inline_rows(self.reply_markup)
        ]

    @property
    def plain(self) -> str:
        """The text as the user sees it (HTML tags removed and entities unescaped)."""
        if (self.parse_mode or "").upper() == "HTML":
            return html.unescape(re.sub(r"<[^<>]*>", "", self.text))
        return self.text


@dataclass
class _Fault:
    remaining: int
    code: int
    description: str
    parameters: Params | None = None
    chat_id: int | None = None


@dataclass(frozen=True)
class LimitViolation:
    """A send refused with 429 because it broke a limit (``limit``: "overall" or "chat")."""

    method: str
    chat_id: int
    limit: str
    retry_after: int


@dataclass
class _Limits:
    """Telegram's broadcast limits, enforced on chat-bound sends; guarded by FakeTelegram._cond."""

    overall_per_second: int
    per_chat_interval: float
    tolerance: float
    recent: deque[float] = field(default_factory=deque)  # accepted sends, oldest first
    last_in_chat: dict[int, float] = field(default_factory=dict)

    def check(self, chat_id: int, now: float) -> tuple[str, int] | None:
        """The limit this send would break and the seconds to wait, or None if it may go."""
        last = self.last_in_chat.get(chat_id)
        allowed_at = None if last is None else last + self.per_chat_interval
        if allowed_at is not None and now < allowed_at - self.tolerance:
            return "chat", max(1, math.ceil(allowed_at - now))
        window = 1.0 - self.tolerance
        while self.recent and self.recent[0] <= now - window:
            self.recent.popleft()
        if len(self.recent) >= self.overall_per_second:
            return "overall", max(1, math.ceil(self.recent[0] + window - now))
        return None

    def accept(self, chat_id: int, now: float) -> None:
        self.recent.append(now)
        self.last_in_chat[chat_id] = now


@dataclass(frozen=True)
class Webhook:
    """What the bot registered with ``setWebhook``."""

    url: str
    secret_token: str | None
    allowed_updates: list[str] | None


@dataclass(frozen=True)
class WebhookDelivery:
    """One attempt to POST an update to the webhook: the HTTP status of the answer, or None
    with ``error`` when none came (connection refused, timeout)."""

    update_id: int
    owner: Any  # whose updates are kept in order (the user's id)
    url: str
    status: int | None
    error: str | None
    at: float  # time.monotonic() when it ended

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass
class _Deliveries:
    """Webhook delivery bookkeeping; guarded by FakeTelegram._cond."""

    busy: set[Any] = field(default_factory=set)  # owners with an update being posted
    failures: dict[Any, int] = field(default_factory=dict)  # owner -> failures in a row
    next_try: dict[Any, float] = field(default_factory=dict)  # owner -> monotonic time
    last_error: tuple[int, str] | None = None  # (unix time, Telegram's wording)


@dataclass
class _State:
    """All mutable state; guarded by FakeTelegram._cond."""

    version: int = 0
    next_update_id: int = 1
    next_callback_id: int = 1
    updates: list[Params] = field(default_factory=list)
    next_message_id: dict[int, int] = field(default_factory=dict)
    chats: dict[int, Params] = field(default_factory=dict)
    bot_messages: dict[tuple[int, int], BotMessage] = field(default_factory=dict)
    user_messages: dict[tuple[int, int], Params] = field(default_factory=dict)
    callback_ids: set[str] = field(default_factory=set)
    texts: list[str] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)
    # Files users sent (documents), by file_id: their bytes, and the path getFile gives.
    files: dict[str, bytes] = field(default_factory=dict)
    file_paths: dict[str, str] = field(default_factory=dict)
    floods: list[_Fault] = field(default_factory=list)
    method_faults: dict[str, list[_Fault]] = field(default_factory=dict)
    bot_info: dict[str, str] = field(default_factory=dict)
    limits: _Limits | None = None
    # A user's Telegram app language ("en" unless set; None: the field is absent).
    languages: dict[int, str | None] = field(default_factory=dict)
    # slow_down(): seconds each call of these methods is answered late (0: at once); a new
    # slow_down() bumps the generation, which answers the calls held so far.
    slow_seconds: float = 0.0
    slow_methods: frozenset[str] = frozenset()
    slow_generation: int = 0
    answers_held: int = 0
    webhook: Webhook | None = None
    deliver_to: str | None = None  # deliveries go here instead of the registered URL
    deliveries: _Deliveries = field(default_factory=_Deliveries)


def _owner(update: Params) -> Any:
    """Whose update this is: the sender's id (else the chat's); one user's updates are
    delivered one at a time, in order, as Telegram does."""
    for key, value in update.items():
        if key == "update_id" or not isinstance(value, dict):
            continue
        sender = value.get("from")
        if isinstance(sender, dict) and "id" in sender:
            return sender["id"]
        chat = value.get("chat")
        if isinstance(chat, dict) and "id" in chat:
            return chat["id"]
    return ("update", update.get("update_id"))


def _post_update(
    url: str, secret: str | None, update: Params, timeout: float
) -> tuple[int | None, str | None]:
    """POST one update as Telegram does; (status, None) or (None, what went wrong)."""
    parts = urlsplit(url)
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
    headers = {"Content-Type": "application/json"}
    if secret:
        headers[SECRET_HEADER] = secret
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, json.dumps(update).encode(), headers)
        answer = connection.getresponse()
        answer.read()
        return answer.status, None
    except ConnectionRefusedError:
        return None, "Connection refused"
    except TimeoutError:
        return None, "Read timeout expired"
    except OSError as error:  # reset, closed without an answer
        return None, f"Connection failed: {error.__class__.__name__}"
    except http.client.HTTPException as error:
        return None, f"Connection failed: {error.__class__.__name__}"
    finally:
        connection.close()


def _inline_rows(markup: Params | None) -> list[list[Params]]:
    if not markup:
        return []
    return cast(list[list[Params]], markup.get("inline_keyboard") or [])


def _decode_form_value(name: str, value: str) -> Any:
    if name in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _parse_multipart(content_type: str, body: bytes) -> Params:
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    params: Params = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        if part.get_filename() is not None:
            params[name] = content  # an uploaded file: keep the raw bytes
        else:
            params[name] = _decode_form_value(name, content.decode("utf-8"))
    return params


def _check_html(text: str) -> None:
    """Reject HTML that Telegram would refuse with "can't parse entities"."""
    stack: list[str] = []
    pos = 0
    while (start := text.find("<", pos)) != -1:
        offset = len(text[:start].encode())
        match = _HTML_TAG_RE.match(text, start)
        if match is None:
            raise _bad_request(
                f"can't parse entities: Unsupported start tag at byte offset {offset}"
            )
        closing, tag = match.group(1) == "/", match.group(2).lower()
        if tag not in _HTML_TAGS:
            raise _bad_request(
                f'can\'t parse entities: Unsupported start tag "{tag}" at byte offset {offset}'
            )
        if not closing:
            stack.append(tag)
        elif not stack or stack[-1] != tag:
            expected = f'"</{stack[-1]}>"' if stack else "nothing"
            raise _bad_request(
                f"can't parse entities: Unmatched end tag at byte offset {offset}, "
                f'expected {expected}, found "</{tag}>"'
            )
        else:
            stack.pop()
        pos = match.end()
    if stack:
        raise _bad_request(
            f"can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1]}\""
        )


def _maybe_int(value: Any) -> Any:
    with contextlib.suppress(_ApiError):
        return _as_int(value, "value")
    return value


def _as_int(value: Any, what: str) -> int:
    if isinstance(value, bool):
        raise _bad_request(f"invalid {what}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    raise _bad_request(f"{what} is invalid" if value is not None else f"{what} is empty")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without this, Nagle + delayed ACK add ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.fake._register_connection(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.fake._unregister_connection(self.connection)

    def do_POST(self) -> None:
        body = self._read_body()
        status, payload = self.server.fake._handle_http(
            self.path, self.headers.get("Content-Type", ""), body
        )
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if self.server.fake._stopping:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if not _FILE_RE.match(urlsplit(self.path).path):
            self.do_POST()
            return
        status, content = self.server.fake._download(self.path)
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline().strip():  # trailers
                pass
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request access log."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Bots (two processes at times) open many connections at once: the default backlog of 5
    # would turn a busy moment into refused connections, which Telegram never shows.
    request_queue_size = 64

    def __init__(self, fake: FakeTelegram) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return  # the client went away / we are stopping
        super().handle_error(request, client_address)


class FakeTelegram:
    """A fake Telegram Bot API server with helpers to play users and inspect the bot's output."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        enforce_limits: bool = False,
        allow_http_webhook: bool = False,
        webhook_timeout: float = WEBHOOK_TIMEOUT_SECONDS,
    ) -> None:
        self.token = token
        # Telegram posts only to https://; the tests' bots listen on http://127.0.0.1.
        self.allow_http_webhook = allow_http_webhook
        self.webhook_timeout = webhook_timeout
        #: Every webhook delivery attempt, in the order they ended.
        self.deliveries: list[WebhookDelivery] = []
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 123456
        self.bot_user: Params = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Test SMM Bot",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.calls: list[tuple[str, Params]] = []
        #: ``(method, error_code, description)`` of every error answer given (incl. injected).
        self.errors: list[tuple[str, int, str]] = []
        #: Every send refused because it broke the enforced limits (see ``enforce_limits``).
        self.limit_violations: list[LimitViolation] = []
        self._deleted: set[tuple[int, int]] = set()
        self._callback_answers: dict[str, Params] = {}
        # setMyCommands per (scope, language_code): scope "default" or ("chat", chat id)
        # (other scope types by their type name); language "" for none.
        self._commands: dict[tuple[Any, str], list[Params]] = {}
        self._cond = threading.Condition(threading.RLock())
        self._state = _State()
        self._async_waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        self._connections: dict[socket.socket, threading.Thread] = {}
        self._server: _Server | None = None
        self._port: int | None = None
        self._thread: threading.Thread | None = None
        self._dispatcher: threading.Thread | None = None
        self._stopping = False
        self._methods: dict[str, Callable[[Params], Any]] = {
            "getMe": lambda p: self.bot_user,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "logOut": lambda p: True,
            "close": lambda p: True,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": lambda p: list(self._commands.get(self._menu_key(p), [])),
            "deleteMyCommands": self._delete_my_commands,
            "setMyDescription": lambda p: self._set_info("description", p),
            "getMyDescription": lambda p: self._get_info("description"),
            "setMyShortDescription": lambda p: self._set_info("short_description", p),
            "getMyShortDescription": lambda p: self._get_info("short_description"),
            "setMyName": lambda p: self._set_info("name", p),
            "getMyName": lambda p: self._get_info("name"),
            "setChatMenuButton": lambda p: True,
            "getChatMenuButton": lambda p: {"type": "commands"},
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "deleteMessages": self._delete_messages,
            "answerCallbackQuery": self._answer_callback_query,
            "sendChatAction": self._send_chat_action,
            "getChat": self._get_chat,
            "getFile": self._get_file,
        }
        self._methods_lower = {name.lower(): name for name in self._methods}
        if enforce_limits:
            self.enforce_limits()

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeTelegram:
        """Start serving on a random free port of 127.0.0.1 (see ``base_url``)."""
        if self._server is not None:
            return self
        self._stopping = False
        self._server = _Server(self)
        self._port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-telegram",
            daemon=True,
        )
        self._thread.start()
        self._dispatcher = threading.Thread(
            target=self._dispatch_updates, name="fake-telegram-webhook", daemon=True
        )
        self._dispatcher.start()
        return self

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``; give the bot ``base_url=tg.base_url + "/bot"``."""
        if self._port is None:
            raise RuntimeError("FakeTelegram was never started")
        return f"http://127.0.0.1:{self._port}"

    def stop(self) -> None:
        """Stop the server, waking pending long polls (they answer ``[]``) and closing sockets."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        server.shutdown()
        thread.join()
        if self._dispatcher is not None:
            self._dispatcher.join()
            self._dispatcher = None
        with self._cond:
            connections = dict(self._connections)
        for conn in connections:
            # SHUT_RD wakes handlers idling on keep-alive reads but lets in-flight answers out.
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RD)
        for handler_thread in connections.values():
            handler_thread.join(timeout=2)
        server.server_close()
        self._server = self._thread = None

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _register_connection(self, conn: socket.socket) -> None:
        with self._cond:
            self._connections[conn] = threading.current_thread()
            if self._stopping:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RD)

    def _unregister_connection(self, conn: socket.socket) -> None:
        with self._cond:
            self._connections.pop(conn, None)

    # ------------------------------------------------------------------ playing users

    def send_text(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
        entities: list[Params] | None = None,
        date: int | None = None,
    ) -> int:
        """Queue a text message from a user; returns its message_id.

        Text starting with a command (``/start``, ``/start@bot``) gets a ``bot_command`` entity;
        ``entities`` (the formatting applied in the app: ``{"type": "bold", "offset": 0,
        "length": 4}``) come after it.
        """
        content: Params = {"text": text}
        if match := _COMMAND_RE.match(text):
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": match.end()}]
        if entities:
            content["entities"] = [*content.get("entities", []), *entities]
        if date is not None:  # when the user sent it (Unix time); default: now
            content["date"] = date
        return self._user_message(user_id, chat_id, chat_type, content)

    def edit_text(
        self, user_id: int, message_id: int, text: str, *, chat_id: int | None = None
    ) -> None:
        """The user edits a text message they sent earlier: an ``edited_message`` update."""
        chat = user_id if chat_id is None else chat_id
        with self._cond:
            original = self._state.user_messages[(chat, message_id)]
            edited = {**original, "text": text, "edit_date": int(time.time())}
            self._state.user_messages[(chat, message_id)] = edited
            self._enqueue({"edited_message": edited})

    def send_photo(
        self,
        user_id: int,
        *,
        caption: str | None = None,
        file_size: int | None = None,
        chat_id: int | None = None,
        chat_type: str = "private",
    ) -> int:
        """Queue a photo message from a user (two sizes; ``file_size`` of the larger one, if
        given), with an optional caption; returns its message_id."""
        photo = [
            {"file_id": f"photo-{user_id}-{size}", "file_unique_id": f"ph{user_id}{size}"}
            | {"width": size, "height": size, "file_size": size * 40}
            for size in (90, 320)
        ]
        if file_size is not None:
            photo[-1]["file_size"] = file_size
        content: Params = {"photo": photo}
        if caption is not None:
            content["caption"] = caption
        return self._user_message(user_id, chat_id, chat_type, content)

    def send_document(
        self,
        user_id: int,
        file_name: str = "file.pdf",
        content: bytes | None = None,
        mime_type: str | None = None,
        *,
        chat_id: int | None = None,
        chat_type: str = "private",
    ) -> int:
        """Queue a document (a file) from a user; returns its message_id. With ``content``
        the bot can fetch it (getFile, then the file's download URL)."""
        with self._cond:
            number = len(self._state.files) + 1
            file_id = f"document-{user_id}-{number}"
            document: Params = {
                "file_id": file_id,
                "file_unique_id": f"dc{user_id}x{number}",
                "file_name": file_name,
                "file_size": 2048 if content is None else len(content),
            }
            if mime_type is not None:
                document["mime_type"] = mime_type
            self._state.files[file_id] = content if content is not None else b"\0" * 2048
        return self._user_message(user_id, chat_id, chat_type, {"document": document})

    def send_sticker(
        self, user_id: int, *, chat_id: int | None = None, chat_type: str = "private"
    ) -> int:
        """Queue a sticker message from a user; returns its message_id."""
        sticker = {
            "file_id": f"sticker-{user_id}",
            "file_unique_id": f"st{user_id}",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
        return self._user_message(user_id, chat_id, chat_type, {"sticker": sticker})

    def press(
        self,
        user_id: int,
        message_id: int,
        data: str,
        *,
        chat_id: int | None = None,
        inaccessible: bool = False,
    ) -> str:
        """Queue a callback query for bot message ``message_id``; returns the query id.

        ``data`` need not be on the message's keyboard (to simulate stale buttons). With
        ``inaccessible`` the message comes as Telegram sends one older than 48 hours: an
        InaccessibleMessage (chat, id, date 0), which the bot cannot edit.
        """
        chat = user_id if chat_id is None else chat_id
        with self._cond:
            message = self._state.bot_messages.get((chat, message_id))
            if message is None or message.deleted:
                raise AssertionError(f"no bot message {message_id} in chat {chat} to press on")
            query_id = str(self._state.next_callback_id)
            self._state.next_callback_id += 1
            self._state.callback_ids.add(query_id)
            query = {
                "id": query_id,
                "from": self._user(user_id),
                "message": (
                    {"chat": self._chat(chat), "message_id": message_id, "date": 0}
                    if inaccessible
                    else self._message_payload(message)
                ),
                "chat_instance": f"ci{chat}",
                "data": data,
            }
            self._enqueue({"callback_query": query})
            return query_id

    def press_button(
        self,
        user_id: int,
        text_contains: str,
        *,
        chat_id: int | None = None,
        message_id: int | None = None,
    ) -> str:
        """Press the callback button whose text contains ``text_contains``; returns the query id.

        Searches the given message, or the bot's messages in the chat from the newest back.
        """
        chat = user_id if chat_id is None else chat_id
        with self._cond:
            messages = self.messages(chat)
            if message_id is not None:
                messages = [m for m in messages if m.message_id == message_id]
            for message in reversed(messages):
                for row in _inline_rows(message.reply_markup):
                    for button in row:
                        data = button.get("callback_data")
                        if text_contains in button.get("text", "") and data is not None:
                            return self.press(user_id, message.message_id, data, chat_id=chat)
            present = {m.message_id: [[t for t, _ in row] for row in m.buttons] for m in messages}
        raise AssertionError(
            f"no callback button containing {text_contains!r} in chat {chat}; "
            f"buttons per message: {present}"
        )

    def set_language(self, user_id: int, language_code: str | None) -> None:
        """The language of the user's Telegram app, sent with their updates (None: absent,
        as for a user who hides it)."""
        with self._cond:
            self._state.languages[user_id] = language_code

    def _user(self, user_id: int) -> Params:
        user: Params = {
            "id": user_id,
            "is_bot": False,
            "first_name": f"User{user_id}",
            "username": f"user{user_id}",
        }
        language = self._state.languages.get(user_id, "en")
        if language is not None:
            user["language_code"] = language
        return user

    def _user_message(
        self, user_id: int, chat_id: int | None, chat_type: str, content: Params
    ) -> int:
        chat = self._user_chat(user_id, chat_id, chat_type)
        with self._cond:
            self._state.chats[chat["id"]] = chat
            message_id = self._new_message_id(chat["id"])
            message = {
                "message_id": message_id,
                "from": self._user(user_id),
                "chat": chat,
                "date": int(time.time()),
                **content,
            }
            self._state.user_messages[(chat["id"], message_id)] = message
            self._enqueue({"message": message})
            return message_id

    def _user_chat(self, user_id: int, chat_id: int | None, chat_type: str) -> Params:
        if chat_type == "private":
            chat = user_id if chat_id is None else chat_id
            return {
                "id": chat,
                "type": "private",
                "first_name": f"User{user_id}",
                "username": f"user{user_id}",
            }
        if chat_type in ("group", "supergroup"):
            if chat_id is None or chat_id >= 0:
                raise ValueError(f"a {chat_type} chat needs a negative chat_id")
            return {"id": chat_id, "type": chat_type, "title": f"Group {chat_id}"}
        raise ValueError(f"unsupported chat_type {chat_type!r}")

    def _enqueue(self, update: Params) -> None:
        with self._cond:
            update = {"update_id": self._state.next_update_id, **update}
            self._state.next_update_id += 1
            self._state.updates.append(update)
            self._changed()

    # ------------------------------------------------------------------ reading the bot's output

    def calls_of(self, method: str) -> list[Params]:
        """Parameters of every call of ``method`` (including ones answered with an error)."""
        with self._cond:
            return [params for name, params in self.calls if name == method]

    def messages(self, chat_id: int) -> list[BotMessage]:
        """Snapshots of the bot's messages in ``chat_id``, in order, edits applied, no deleted."""
        with self._cond:
            return [
                replace(message)
                for (chat, _), message in sorted(self._state.bot_messages.items())
                if chat == chat_id and not message.deleted
            ]

    def last_message(self, chat_id: int) -> BotMessage | None:
        """The bot's newest (not deleted) message in ``chat_id``, or None."""
        messages = self.messages(chat_id)
        return messages[-1] if messages else None

    @property
    def deleted(self) -> set[tuple[int, int]]:
        """``(chat_id, message_id)`` of every message (user's or bot's) deleted by the bot."""
        with self._cond:
            return set(self._deleted)

    @property
    def callback_answers(self) -> dict[str, Params]:
        """Callback query id -> parameters of the answerCallbackQuery for it."""
        with self._cond:
            return dict(self._callback_answers)

    @property
    def commands(self) -> list[Params] | None:
        """The ``commands`` of the default menu (default scope, no language code; None if
        never set or deleted)."""
        return self.commands_for()

    def commands_for(
        self, chat_id: int | None = None, language_code: str | None = None
    ) -> list[Params] | None:
        """The menu set for one chat (``BotCommandScopeChat``; None: the default scope) and
        language code (None: none), as Telegram stores them: no fallback between them."""
        scope: Any = "default" if chat_id is None else ("chat", chat_id)
        with self._cond:
            menu = self._commands.get((scope, language_code or ""))
            return None if menu is None else list(menu)

    @property
    def command_menus(self) -> dict[tuple[Any, str], list[Params]]:
        """Every menu set: (scope, language code or "") -> commands."""
        with self._cond:
            return {key: list(menu) for key, menu in self._commands.items()}

    def all_text(self) -> str:
        """Every text the bot sent/edited to (incl. failed attempts), callback answers and
        descriptions, joined by newlines - for "no secret leaked" checks."""
        with self._cond:
            return "\n".join(self._state.texts)

    def mark(self) -> int:
        """The current change counter; pass it as ``after=`` to wait only for newer changes."""
        with self._cond:
            return self._state.version

    def dump(self, limit: int = 15) -> str:
        """A human-readable summary of recent calls, errors and messages (for failures)."""
        with self._cond:
            calls = [(m, p) for m, p in self.calls if m != "getUpdates"][-limit:]
            lines = [f"recent calls ({len(self.calls)} total incl. getUpdates):"]
            lines += [f"  {method} {_short(params)}" for method, params in calls]
            if self.errors:
                lines.append("recent error answers:")
                lines += [f"  {m}: {code} {desc}" for m, code, desc in self.errors[-limit:]]
            lines.append(f"pending updates: {len(self._state.updates)}")
            if self._state.webhook is not None:
                lines.append(f"webhook: {self._state.webhook.url}; recent deliveries:")
                lines += [
                    f"  update {d.update_id} -> {d.status or d.error}"
                    for d in self.deliveries[-limit:]
                ]
            chats = sorted({chat for chat, _ in self._state.bot_messages})
            for chat in chats:
                lines.append(f"bot messages in chat {chat} (newest last):")
                for message in self.messages(chat)[-5:]:
                    lines.append(
                        f"  #{message.message_id} edited={message.edited} "
                        f"{message.text[:200]!r} buttons={message.buttons}"
                    )
            return "\n".join(lines)

    # ------------------------------------------------------------------ waiting

    async def wait_for(
        self,
        predicate: Callable[[], T | bool | None],
        timeout: float = 10.0,
        *,
        what: str = "",
    ) -> T:
        """Await until ``predicate()`` is truthy and return its value.

        Re-checked on every recorded change and at least every 20 ms (so predicates may also look
        at state outside the fake). Raises AssertionError with ``dump()`` on timeout.
        """
        loop = asyncio.get_running_loop()
        event = asyncio.Event()
        waiter = (loop, event)
        deadline = loop.time() + timeout
        with self._cond:
            self._async_waiters.add(waiter)
        try:
            while True:
                event.clear()
                result = predicate()
                if result:
                    return cast(T, result)
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise AssertionError(self._timeout_message(predicate, timeout, what))
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(min(remaining, POLL_INTERVAL)):
                        await event.wait()
        finally:
            with self._cond:
                self._async_waiters.discard(waiter)

    def wait_for_sync(
        self, predicate: Callable[[], T | bool | None], timeout: float = 10.0, *, what: str = ""
    ) -> T:
        """Blocking version of ``wait_for`` (e.g. for tests driving the bot in a subprocess)."""
        deadline = time.monotonic() + timeout
        while True:
            version = self.mark()
            result = predicate()
            if result:
                return cast(T, result)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(self._timeout_message(predicate, timeout, what))
            with self._cond:
                if self._state.version == version:
                    self._cond.wait(min(remaining, POLL_INTERVAL))

    async def wait_for_message(
        self,
        chat_id: int,
        contains: str | None = None,
        *,
        after: int = 0,
        timeout: float = 10.0,
    ) -> BotMessage:
        """Await a bot message in ``chat_id`` sent or edited after change counter ``after`` whose
        text contains ``contains`` (None: any); returns the most recently changed match."""
        what = f"a bot message in chat {chat_id} containing {contains!r} after change #{after}"
        return await self.wait_for(
            lambda: self._find_message(chat_id, contains, after), timeout, what=what
        )

    def _find_message(self, chat_id: int, contains: str | None, after: int) -> BotMessage | None:
        matches = [
            message
            for message in self.messages(chat_id)
            if message.changed_at > after and (contains is None or contains in message.text)
        ]
        return max(matches, key=lambda m: m.changed_at) if matches else None

    def _timeout_message(self, predicate: Callable[[], object], timeout: float, what: str) -> str:
        name = what or getattr(predicate, "__qualname__", repr(predicate))
        return f"timed out after {timeout}s waiting for {name}\n{self.dump()}"

    def _changed(self) -> int:
        """Bump the change counter and wake every waiter. Call with the lock held."""
        self._state.version += 1
        self._cond.notify_all()
        for loop, event in list(self._async_waiters):
            with contextlib.suppress(RuntimeError):  # the loop is closed
                loop.call_soon_threadsafe(event.set)
        return self._state.version

    # ------------------------------------------------------------------ webhook delivery

    @property
    def webhook(self) -> Webhook | None:
        """The webhook the bot registered (None: none, the bot polls)."""
        with self._cond:
            return self._state.webhook

    def deliver_to(self, url: str | None) -> None:
        """Post webhook deliveries to ``url`` (a load balancer in front of several bots)
        instead of the URL the bot registered; None: back to the registered one."""
        with self._cond:
            self._state.deliver_to = url
            self._changed()

    @property
    def last_update_id(self) -> int:
        """The update_id of the update injected last (0: none yet)."""
        with self._cond:
            return self._state.next_update_id - 1

    @property
    def pending_updates(self) -> int:
        """Updates not yet fetched with getUpdates nor answered 2xx by the webhook."""
        with self._cond:
            return len(self._state.updates)

    def deliveries_of(self, update_id: int) -> list[WebhookDelivery]:
        """Every attempt to deliver one update, in order."""
        with self._cond:
            return [d for d in self.deliveries if d.update_id == update_id]

    def _dispatch_updates(self) -> None:
        """The delivery loop (its own thread): for each user, the oldest pending update is
        posted when nothing of theirs is in flight and their back-off has passed."""
        with self._cond:
            while not self._stopping:
                wait = POLL_INTERVAL * 5
                if self._state.webhook is not None:
                    wait = self._start_deliveries(wait)
                self._cond.wait(wait)

    def _start_deliveries(self, wait: float) -> float:
        state = self._state
        book = state.deliveries
        webhook = state.webhook
        assert webhook is not None
        url = state.deliver_to or webhook.url
        now = time.monotonic()
        seen: set[Any] = set()
        for update in state.updates:
            owner = _owner(update)
            if owner in seen:
                continue  # only a user's oldest pending update may go
            seen.add(owner)
            if owner in book.busy:
                continue
            ready_at = book.next_try.get(owner, 0.0)
            if ready_at > now:
                wait = min(wait, ready_at - now)
                continue
            book.busy.add(owner)
            threading.Thread(
                target=self._deliver,
                args=(update, owner, url, webhook.secret_token),
                name=f"fake-telegram-deliver-{update['update_id']}",
                daemon=True,
            ).start()
        return wait

    def _deliver(self, update: Params, owner: Any, url: str, secret: str | None) -> None:
        status, error = _post_update(url, secret, update, self.webhook_timeout)
        with self._cond:
            book = self._state.deliveries
            attempt = WebhookDelivery(
                update["update_id"], owner, url, status, error, time.monotonic()
            )
            self.deliveries.append(attempt)
            book.busy.discard(owner)
            if attempt.ok:
                book.failures.pop(owner, None)
                book.next_try.pop(owner, None)
                self._state.updates = [
                    u for u in self._state.updates if u["update_id"] != update["update_id"]
                ]
            else:
                failures = book.failures.get(owner, 0) + 1
                book.failures[owner] = failures
                pause = min(WEBHOOK_RETRY_SECONDS * 2 ** (failures - 1), WEBHOOK_RETRY_MAX_SECONDS)
                book.next_try[owner] = time.monotonic() + pause
                wording = error or f"Wrong response from the webhook: {status}"
                book.last_error = (int(time.time()), wording)
            self._changed()

    # ------------------------------------------------------------------ faults

    def flood(self, chat_id: int | None = None, retry_after: int = 1, times: int = 1) -> None:
        """Answer the next ``times`` sendMessage/editMessageText calls (to ``chat_id`` or any
        chat) with 429 flood control and ``retry_after``."""
        fault = _Fault(
            remaining=times,
            code=429,
            description=f"Too Many Requests: retry after {retry_after}",
            parameters={"retry_after": retry_after},
            chat_id=chat_id,
        )
        with self._cond:
            self._state.floods.append(fault)

    def block(self, user_id: int) -> None:
        """Make send*/edit*/copy*/forward* calls to chat ``user_id`` answer 403 (bot blocked)."""
        with self._cond:
            self._state.blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        """Undo ``block(user_id)``."""
        with self._cond:
            self._state.blocked.discard(user_id)

    def enforce_limits(
        self,
        overall_per_second: int = OVERALL_MESSAGES_PER_SECOND,
        per_chat_per_second: float = PER_CHAT_MESSAGES_PER_SECOND,
        tolerance: float = LIMIT_TOLERANCE_SECONDS,
    ) -> None:
        """Answer 429 to a send (``send*``/``copy*``/``forward*`` but ``sendChatAction``) when
        ``overall_per_second`` sends were accepted in the last second, or the previous accepted
        send to the same chat was less than ``1 / per_chat_per_second`` seconds ago; both
        windows are ``tolerance`` seconds shorter, as jitter. A refused send is not delivered,
        does not count, and is recorded in ``limit_violations``."""
        with self._cond:
            self._state.limits = _Limits(overall_per_second, 1 / per_chat_per_second, tolerance)

    def relax_limits(self) -> None:
        """Stop enforcing the limits set with ``enforce_limits``."""
        with self._cond:
            self._state.limits = None

    def slow_down(self, seconds: float, methods: tuple[str, ...] = SLOW_METHODS) -> None:
        """A slow network or Telegram: each call of ``methods`` is carried out at once (a
        message is delivered and recorded) but answered only ``seconds`` later. Calls held
        so far are answered now; ``slow_down(0)`` ends it. See ``answers_held``."""
        with self._cond:
            state = self._state
            state.slow_seconds = max(seconds, 0.0)
            state.slow_methods = frozenset(methods)
            state.slow_generation += 1
            self._changed()

    @property
    def answers_held(self) -> int:
        """Calls carried out whose answer ``slow_down`` is holding back right now."""
        with self._cond:
            return self._state.answers_held

    def _hold_answer(self, method: str) -> None:
        """Wait before answering a slowed-down call (the lock is free meanwhile)."""
        with self._cond:
            state = self._state
            if not state.slow_seconds or method not in state.slow_methods:
                return
            generation = state.slow_generation
            state.answers_held += 1
            self._changed()
            try:
                self._cond.wait_for(
                    lambda: self._stopping or state.slow_generation != generation,
                    state.slow_seconds,
                )
            finally:
                state.answers_held -= 1
                self._changed()

    def fail_method(
        self,
        method: str,
        times: int = 1,
        code: int = 400,
        description: str = "Bad Request: something",
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with the given error."""
        with self._cond:
            faults = self._state.method_faults.setdefault(method.lower(), [])
            faults.append(_Fault(remaining=times, code=code, description=description))

    def clear_failures(self, method: str) -> None:
        """Stop the failures set with fail_method for ``method``."""
        with self._cond:
            self._state.method_faults.pop(method.lower(), None)

    def _check_faults(self, method: str, params: Params) -> None:
        state = self._state
        faults = state.method_faults.get(method.lower())
        if faults:
            self._consume(faults, faults[0])
        chat_id = _maybe_int(params.get("chat_id"))
        if chat_id in state.blocked and method.startswith(BLOCKED_PREFIXES):
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        if method in FLOOD_METHODS:
            for fault in state.floods:
                if fault.chat_id is None or fault.chat_id == chat_id:
                    self._consume(state.floods, fault)
        if state.limits is not None and isinstance(chat_id, int) and _is_limited(method):
            broken = state.limits.check(chat_id, time.monotonic())
            if broken is not None:
                limit, retry_after = broken
                self.limit_violations.append(LimitViolation(method, chat_id, limit, retry_after))
                raise _ApiError(
                    429,
                    f"Too Many Requests: retry after {retry_after}",
                    {"retry_after": retry_after},
                )

    def _count_send(self, method: str, params: Params) -> None:
        """Count an accepted send against the enforced limits."""
        limits = self._state.limits
        chat_id = _maybe_int(params.get("chat_id"))
        if limits is not None and isinstance(chat_id, int) and _is_limited(method):
            limits.accept(chat_id, time.monotonic())

    @staticmethod
    def _consume(faults: list[_Fault], fault: _Fault) -> None:
        fault.remaining -= 1
        if fault.remaining <= 0:
            faults.remove(fault)
        raise _ApiError(fault.code, fault.description, fault.parameters)

    # ------------------------------------------------------------------ HTTP dispatch

    def _handle_http(self, path: str, content_type: str, body: bytes) -> tuple[int, Params]:
        url = urlsplit(path)
        match = _PATH_RE.match(url.path)
        if match is None:
            return 404, _ApiError(404, "Not Found").payload()
        if match["token"] != self.token:
            return 401, _ApiError(401, "Unauthorized").payload()
        raw_method = match["method"]
        method = self._methods_lower.get(raw_method.lower(), raw_method)
        try:
            params = self._parse_params(url.query, content_type, body)
        except ValueError as exc:
            error = _bad_request(f"can't parse request body: {exc}")
            return error.code, error.payload()
        with self._cond:
            self.calls.append((method, params))
            self._state.texts += [
                params[name] for name in _TEXT_PARAMS if isinstance(params.get(name), str)
            ]
            self._changed()
            try:
                self._check_faults(method, params)
                handler = self._methods.get(method)
                if handler is None:
                    raise _ApiError(404, "Not Found")
                result = handler(params)
                self._count_send(method, params)
            except _ApiError as error:
                self.errors.append((method, error.code, error.description))
                answer = error.code, error.payload()
            except Exception as exc:  # a bug in the stand-in: make it loud
                traceback.print_exc()
                crash = _ApiError(500, f"Internal Server Error: stand-in crashed: {exc!r}")
                self.errors.append((method, crash.code, crash.description))
                answer = crash.code, crash.payload()
            else:
                answer = 200, {"ok": True, "result": result}
        self._hold_answer(method)
        return answer

    @staticmethod
    def _parse_params(query: str, content_type: str, body: bytes) -> Params:
        params: Params = {k: _decode_form_value(k, v) for k, v in parse_qsl(query)}
        mime = content_type.split(";", 1)[0].strip().lower()
        if not body.strip():
            return params
        if mime == "application/json":
            decoded = json.loads(body)
            if not isinstance(decoded, dict):
                raise ValueError("the JSON body must be an object")
            params.update(decoded)
        elif mime == "multipart/form-data":
            params.update(_parse_multipart(content_type, body))
        else:  # application/x-www-form-urlencoded (also the default)
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
            params.update({k: _decode_form_value(k, v) for k, v in pairs})
        return params

    # ------------------------------------------------------------------ Bot API methods
    # All run with self._cond held.

    def _get_updates(self, params: Params) -> list[Params]:
        if self._state.webhook is not None:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _as_int(params.get("offset", 0), "offset")
        limit = min(max(_as_int(params.get("limit", 100), "limit"), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        state = self._state
        if offset > 0:
            state.updates = [u for u in state.updates if u["update_id"] >= offset]
        elif offset < 0:
            state.updates = state.updates[offset:]
        self._cond.wait_for(lambda: self._stopping or bool(state.updates), timeout)
        return [] if self._stopping else state.updates[:limit]

    def _set_webhook(self, params: Params) -> bool:
        url = str(params.get("url") or "")
        if not url:  # Telegram: an empty URL removes the webhook
            return self._delete_webhook(params)
        scheme = urlsplit(url).scheme
        if scheme != "https" and not (scheme == "http" and self.allow_http_webhook):
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_TOKEN_RE.match(str(secret)):
            raise _bad_request("secret token contains unallowed characters")
        allowed = params.get("allowed_updates")
        if params.get("drop_pending_updates") is True:
            self._state.updates.clear()
        self._state.webhook = Webhook(
            url, None if secret is None else str(secret), allowed if allowed else None
        )
        self._changed()
        return True

    def _delete_webhook(self, params: Params) -> bool:
        if params.get("drop_pending_updates") is True:
            self._state.updates.clear()
        self._state.webhook = None
        self._changed()
        return True

    def _get_webhook_info(self, params: Params) -> Params:
        webhook = self._state.webhook
        info: Params = {
            "url": "" if webhook is None else webhook.url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._state.updates),
        }
        if webhook is not None:
            info["max_connections"] = 40
            if webhook.allowed_updates:
                info["allowed_updates"] = webhook.allowed_updates
            last_error = self._state.deliveries.last_error
            if last_error is not None:
                info["last_error_date"], info["last_error_message"] = last_error
        return info

    def _set_my_commands(self, params: Params) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad_request("can't parse commands JSON object")
        for command in commands:
            if not _BOT_COMMAND_NAME_RE.match(str(command.get("command", ""))):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _bad_request("command description is empty or too long")
        self._commands[self._menu_key(params)] = commands
        self._changed()
        return True

    def _delete_my_commands(self, params: Params) -> bool:
        self._commands.pop(self._menu_key(params), None)
        self._changed()
        return True

    def _menu_key(self, params: Params) -> tuple[Any, str]:
        """(scope, language code) of a *MyCommands call. A chat scope for a user who blocked
        the bot answers 403, as Telegram does for a chat the bot cannot reach."""
        scope = params.get("scope") or {"type": "default"}
        if isinstance(scope, str):
            scope = json.loads(scope)
        if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
            raise _bad_request("can't parse BotCommandScope JSON object")
        key: Any = scope["type"]
        if key in ("chat", "chat_administrators", "chat_member"):
            chat_id = _as_int(scope.get("chat_id"), "chat_id")
            if chat_id in self._state.blocked:
                raise _ApiError(403, "Forbidden: bot was blocked by the user")
            key = (key, chat_id) if key == "chat" else (key, chat_id, scope.get("user_id"))
        return key, str(params.get("language_code") or "")

    def _set_info(self, key: str, params: Params) -> bool:
        self._state.bot_info[key] = str(params.get(key) or "")
        return True

    def _get_info(self, key: str) -> Params:
        return {key: self._state.bot_info.get(key, "")}

    def _send_message(self, params: Params) -> Params:
        chat_id = self._chat_id(params)
        text, parse_mode = self._text(params)
        markup = self._markup(params)
        message = BotMessage(
            message_id=self._new_message_id(chat_id),
            chat_id=chat_id,
            text=text,
            parse_mode=parse_mode,
            reply_markup=markup,
            date=int(time.time()),
        )
        self._state.bot_messages[(chat_id, message.message_id)] = message
        message.changed_at = self._changed()
        return self._message_payload(message)

    def _send_photo(self, params: Params) -> Params:
        chat_id = self._chat_id(params)
        photo = params.get("photo")
        if isinstance(photo, bytes):
            photo = f"uploaded-{len(photo)}"
        if not isinstance(photo, str) or not photo:
            raise _bad_request("there is no photo in the request")
        caption, parse_mode = self._caption(params)
        message = BotMessage(
            message_id=self._new_message_id(chat_id),
            chat_id=chat_id,
            text=caption,
            parse_mode=parse_mode,
            reply_markup=self._markup(params),
            photo=photo,
            date=int(time.time()),
        )
        self._state.bot_messages[(chat_id, message.message_id)] = message
        message.changed_at = self._changed()
        return self._message_payload(message)

    def _edit_message_caption(self, params: Params) -> Params:
        message = self._message_to_edit(params)
        if message.photo is None:
            raise _bad_request("there is no caption in the message to edit")
        caption, parse_mode = self._caption(params)
        markup = self._markup(params)
        if caption == message.text and markup == message.reply_markup:
            raise _ApiError(400, NOT_MODIFIED)
        message.text, message.parse_mode, message.reply_markup = caption, parse_mode, markup
        return self._apply_edit(message)

    def _edit_message_text(self, params: Params) -> Params:
        message = self._message_to_edit(params)
        if message.photo is not None:
            raise _bad_request("there is no text in the message to edit")
        text, parse_mode = self._text(params)
        markup = self._markup(params)  # no reply_markup = the keyboard is removed, as in Telegram
        if text == message.text and markup == message.reply_markup:
            raise _ApiError(400, NOT_MODIFIED)
        message.text, message.parse_mode, message.reply_markup = text, parse_mode, markup
        return self._apply_edit(message)

    def _edit_message_reply_markup(self, params: Params) -> Params:
        message = self._message_to_edit(params)
        markup = self._markup(params)
        if markup == message.reply_markup:
            raise _ApiError(400, NOT_MODIFIED)
        message.reply_markup = markup
        return self._apply_edit(message)

    def _apply_edit(self, message: BotMessage) -> Params:
        message.edited += 1
        message.edit_date = int(time.time())
        message.changed_at = self._changed()
        return self._message_payload(message)

    def _message_to_edit(self, params: Params) -> BotMessage:
        if "inline_message_id" in params:
            raise _bad_request("inline messages are not supported by the stand-in")
        key = (self._chat_id(params), _as_int(params.get("message_id"), "message_id"))
        message = self._state.bot_messages.get(key)
        if message is None or message.deleted:
            if key in self._state.user_messages and key not in self._deleted:
                raise _bad_request("message can't be edited")
            raise _bad_request("message to edit not found")
        return message

    def _delete_message(self, params: Params) -> bool:
        key = (self._chat_id(params), _as_int(params.get("message_id"), "message_id"))
        if not self._delete(key):
            raise _bad_request("message to delete not found")
        self._changed()
        return True

    def _delete_messages(self, params: Params) -> bool:
        chat_id = self._chat_id(params)
        ids = params.get("message_ids")
        if not isinstance(ids, list) or not ids:
            raise _bad_request("message identifiers are not specified")
        for message_id in ids:
            self._delete((chat_id, _as_int(message_id, "message_ids")))
        self._changed()
        return True

    def _delete(self, key: tuple[int, int]) -> bool:
        if key in self._deleted:
            return False
        message = self._state.bot_messages.get(key)
        if message is None and key not in self._state.user_messages:
            return False
        if message is not None:
            message.deleted = True
        self._deleted.add(key)
        return True

    def _answer_callback_query(self, params: Params) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        # Like Telegram: a query is answered once; a second answer is refused.
        if query_id not in self._state.callback_ids or query_id in self._callback_answers:
            raise _bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        self._callback_answers[query_id] = params
        self._changed()
        return True

    def _send_chat_action(self, params: Params) -> bool:
        self._chat_id(params)
        return True

    def _get_file(self, params: Params) -> Params:
        file_id = params.get("file_id")
        if not isinstance(file_id, str) or file_id not in self._state.files:
            raise _bad_request("invalid file_id")
        path = self._state.file_paths.setdefault(
            file_id, f"documents/file_{len(self._state.file_paths)}.txt"
        )
        return {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}"[:64],
            "file_size": len(self._state.files[file_id]),
            "file_path": path,
        }

    def _download(self, path: str) -> tuple[int, bytes]:
        """A file's bytes at the download URL getFile pointed to (404 for any other path)."""
        match = _FILE_RE.match(unquote(urlsplit(path).path))  # PTB quotes the token's ":"
        with self._cond:
            self.calls.append(("download", {"path": path}))
            self._changed()
            if match is None or match["token"] != self.token:
                return 401, b"Unauthorized"
            for file_id, file_path in self._state.file_paths.items():
                if file_path == match["path"]:
                    return 200, self._state.files[file_id]
        return 404, b"Not Found"

    def _get_chat(self, params: Params) -> Params:
        return {
            **self._chat(self._chat_id(params)),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    # ------------------------------------------------------------------ helpers (lock held)

    def _new_message_id(self, chat_id: int) -> int:
        message_id = self._state.next_message_id.get(chat_id, 1)
        self._state.next_message_id[chat_id] = message_id + 1
        return message_id

    def _chat_id(self, params: Params) -> int:
        value = params.get("chat_id")
        if isinstance(value, str) and value.startswith("@"):
            raise _bad_request("chat not found")
        return _as_int(value, "chat_id")

    def _chat(self, chat_id: int) -> Params:
        """The chat as users created it; unknown chats are assumed private (id > 0) or groups."""
        if chat_id in self._state.chats:
            return self._state.chats[chat_id]
        if chat_id > 0:
            return self._user_chat(chat_id, None, "private")
        return self._user_chat(chat_id, chat_id, "group")

    @staticmethod
    def _text(params: Params) -> tuple[str, str | None]:
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _bad_request("message text is empty")
        if len(text) > MAX_TEXT_LENGTH:
            raise _bad_request("message is too long")
        parse_mode = params.get("parse_mode") or None
        if isinstance(parse_mode, str) and parse_mode.upper() == "HTML":
            _check_html(text)
        return text, parse_mode

    @staticmethod
    def _caption(params: Params) -> tuple[str, str | None]:
        caption = params.get("caption")
        if caption is None:
            return "", None
        if not isinstance(caption, str):
            raise _bad_request("caption is invalid")
        if len(caption) > MAX_CAPTION_LENGTH:
            raise _bad_request("message caption is too long")
        parse_mode = params.get("parse_mode") or None
        if isinstance(parse_mode, str) and parse_mode.upper() == "HTML":
            _check_html(caption)
        return caption, parse_mode

    @staticmethod
    def _markup(params: Params) -> Params | None:
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        for row in _inline_rows(markup):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise _bad_request("BUTTON_DATA_INVALID")
        return markup

    def _message_payload(self, message: BotMessage) -> Params:
        payload: Params = {
            "message_id": message.message_id,
            "from": self.bot_user,
            "chat": self._chat(message.chat_id),
            "date": message.date,
        }
        if message.photo is None:
            payload["text"] = message.text
        else:
            payload["photo"] = [
                {"file_id": message.photo, "file_unique_id": f"u-{message.photo}"[:64]}
                | {"width": 320, "height": 320}
            ]
            if message.text:
                payload["caption"] = message.text
        if message.edit_date is not None:
            payload["edit_date"] = message.edit_date
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            payload["reply_markup"] = message.reply_markup  # Telegram echoes inline keyboards only
        return payload


def _is_limited(method: str) -> bool:
    return method.startswith(LIMITED_PREFIXES) and method not in UNLIMITED_METHODS


def _short(params: Params, width: int = 300) -> str:
    text = json.dumps(params, ensure_ascii=False, default=repr)
    return text if len(text) <= width else text[: width - 3] + "..."
