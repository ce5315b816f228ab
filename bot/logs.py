"""Logging for `python -m bot`: one line per event, secrets redacted, text or JSON lines.

Log platforms (journald, Docker, Heroku-style routers) treat every line as an event, so a
traceback is folded into its record's line: escaped newlines in text, the `exc` field in JSON.
Secrets are removed from the message and the traceback before anything is written (PTB's own
messages quote a rejected token; a driver's error may quote a connection URL).
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import quote

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.config import Settings

REDACTED = "<redacted>"

# Loggers that speak at INFO about routine work: every request URL (holding the token), every
# run of the poller's job. Kept at WARNING, so the default level shows events, not chatter.
_QUIET = ("httpx", "httpcore", "apscheduler")


class _Redactor:
    """Replaces every secret, in any letter case: PTB re-cases error texts ("Bad Request: …"
    comes out capitalized, the rest lower-cased), and a re-cased token is still a token."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self.secrets: list[str] = []
        self._pattern: re.Pattern[str] | None = None
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        for secret in secrets:
            if secret and secret not in self.secrets:
                self.secrets.append(secret)
        # Longest first: a token is replaced whole before its secret part could be.
        ordered = sorted(self.secrets, key=len, reverse=True)
        if ordered:
            alternatives = "|".join(re.escape(secret) for secret in ordered)
            self._pattern = re.compile(alternatives, re.IGNORECASE)

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub(REDACTED, text)


class RedactingFormatter(logging.Formatter):
    """`time LEVEL logger: message`, with the traceback (if any) on the same line, its
    newlines escaped as `\\n`; secrets redacted from the message and the traceback."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.redact = _Redactor(secrets)

    def format(self, record: logging.LogRecord) -> str:
        message = self.redact(record.getMessage())
        line = f"{self.formatTime(record)} {record.levelname} {record.name}: {message}"
        details = _details(self, record)
        if details:
            line = f"{line} | {self.redact(details)}"
        return _one_line(line)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (ISO 8601, UTC), level, logger, message, and exc when
    there is a traceback. Secrets redacted from message and exc."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.redact = _Redactor(secrets)

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        event: dict[str, str] = {
            "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": self.redact(record.getMessage()),
        }
        details = _details(self, record)
        if details:
            event["exc"] = self.redact(details)
        # ensure_ascii: the line stays one line and plain ASCII whatever the message holds.
        return json.dumps(event, ensure_ascii=True)


def _details(formatter: logging.Formatter, record: logging.LogRecord) -> str:
    """The record's traceback and stack, as logging would print them under the message."""
    parts = []
    if record.exc_info and not record.exc_text:
        record.exc_text = formatter.formatException(record.exc_info)
    if record.exc_text:
        parts.append(record.exc_text)
    if record.stack_info:
        parts.append(formatter.formatStack(record.stack_info))
    return "\n".join(parts)


def _one_line(text: str) -> str:
    return text.replace("\r", "\\r").replace("\n", "\\n")


def _not_bootstrap_failure(record: logging.LogRecord) -> bool:
    """PTB logs a start-up failure with a full traceback; main() reports it in one line."""
    return not (record.name.startswith("telegram.ext") and "Bootstrap" in record.getMessage())


def secrets_of(settings: Settings) -> list[str]:
    """What must never be logged: the bot token (and its secret part, which PTB may quote
    alone), the webhook secret, the encryption keys and the database password."""
    secrets = [settings.bot_token, settings.bot_token.partition(":")[2], settings.webhook_secret]
    secrets += settings.encryption_key
    if settings.database_url:
        try:
            password = make_url(settings.database_url).password
        except (ArgumentError, ValueError):  # reported by the start-up check, in one line
            password = None
        if password:
            # As given, and as it appears inside a URL (percent-encoded).
            secrets += [str(password), quote(str(password), safe="")]
    return [secret for secret in secrets if secret]


def configure_logging(
    settings: Settings, *, level: str | None = None, secrets: Iterable[str] = ()
) -> None:
    """Every record to stderr as one line (LOG_FORMAT: text or json) without the secrets of
    `settings` nor `secrets`; `level` overrides LOG_LEVEL."""
    level = level or settings.log_level
    everything = [*secrets_of(settings), *secrets]
    formatter: logging.Formatter
    if settings.log_format == "json":
        formatter = JsonFormatter(everything)
    else:
        formatter = RedactingFormatter(everything)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    handler.addFilter(_not_bootstrap_failure)
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # Python's warnings become records too, so stderr stays one event (one JSON object) a line.
    logging.captureWarnings(True)
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    # At DEBUG PTB logs whole updates, which may hold a key a user just sent. DEBUG is for
    # our own modules.
    logging.getLogger("telegram").setLevel(max(logging.getLevelName(level), logging.INFO))


def redact_also(*secrets: str) -> None:
    """Secrets learnt after start-up (a webhook secret generated and stored) are redacted from
    then on."""
    for handler in logging.getLogger().handlers:
        formatter = handler.formatter
        if isinstance(formatter, RedactingFormatter | JsonFormatter):
            formatter.redact.add(secrets)


def redacted(text: str) -> str:
    """`text` without any secret the configured log handlers know (for a line printed outside
    the log, such as `python -m bot`'s closing `error: …`)."""
    for handler in logging.getLogger().handlers:
        formatter = handler.formatter
        if isinstance(formatter, RedactingFormatter | JsonFormatter):
            text = formatter.redact(text)
    return text
