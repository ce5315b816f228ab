"""Settings from the environment and `.env`; a problem is one line naming the variable."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATA_DIR = Path("data")


class ConfigError(Exception):
    """Configuration is missing or malformed; the message is one line fit for the operator."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: str = Field(default="", repr=False)
    telegram_api_url: str = "https://api.telegram.org"
    smm_api_url: str = "https://smmsend.com/api/v2"
    # The panel's website (customers' "Top up" and "orders page" links); default: the API's origin.
    panel_web_url: str = ""
    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str = ""
    encryption_key: Annotated[list[str], NoDecode] = Field(default_factory=list, repr=False)
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    status_poll_seconds: float = Field(default=120, gt=0)
    catalogue_ttl_seconds: float = Field(default=600, ge=0)
    conversation_timeout_seconds: float = Field(default=900, gt=0)
    panel_concurrency: int = Field(default=4, ge=1, le=64)
    panel_timeout_seconds: float = Field(default=30, gt=0)
    # A customer waiting on a button or a command: the whole panel call, retries included.
    panel_interactive_seconds: float = Field(default=15, gt=0, le=60)
    # Reads (balance, services, status) the panel failed are asked again after 0.5 s, 1 s, …
    panel_read_retries: int = Field(default=2, ge=0, le=5)
    panel_retry_seconds: float = Field(default=0.5, ge=0, le=30)
    # Operators are alerted once every panel call has failed for this long (and on recovery).
    panel_alert_seconds: float = Field(default=180, gt=0)
    log_level: str = "INFO"
    # "text": one readable line per event; "json": one JSON object per line (log platforms).
    log_format: str = "text"
    # Webhook mode when set: the public https URL Telegram posts updates to. Empty: polling.
    webhook_url: str = ""
    # Telegram sends it in X-Telegram-Bot-Api-Secret-Token; empty: generated once and stored.
    webhook_secret: str = Field(default="", repr=False)
    port: int = Field(default=8080, ge=1, le=65535)
    listen_host: str = "0.0.0.0"
    # An http:// WEBHOOK_URL is refused unless this is set (local stand-ins and tests only).
    webhook_allow_http: bool = False

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: str) -> str:
        value = value.strip()
        if not value:
            return value  # required only to run the bot: see load_settings(require_token=...)
        bot_id, _, secret = value.partition(":")
        if not bot_id.isdigit() or not secret:
            raise ValueError("must look like 123456789:AA… (the token BotFather gave you)")
        return value

    @field_validator("telegram_api_url", "smm_api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.strip()
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("panel_web_url")
    @classmethod
    def _optional_http_url(cls, value: str) -> str:
        value = value.strip()
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("encryption_key", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            if not all(part.lstrip("-").isdigit() for part in parts):
                raise ValueError("must be comma-separated numeric Telegram user ids")
            return [int(part) for part in parts]
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        value = value.strip().upper()
        if value not in logging.getLevelNamesMapping():
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return value

    @field_validator("log_format")
    @classmethod
    def _known_format(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in {"text", "json"}:
            raise ValueError("must be text or json")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str) -> str:
        value = value.strip()
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must be the public https:// URL Telegram posts updates to")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: str) -> str:
        # Telegram's rule for secret_token: 1-256 characters of A-Z, a-z, 0-9, _ and -.
        value = value.strip()
        if value and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", value):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @property
    def webhook_mode(self) -> bool:
        return bool(self.webhook_url)

    @property
    def effective_panel_web_url(self) -> str:
        if self.panel_web_url:
            return self.panel_web_url
        parts = urlsplit(self.smm_api_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'bot.db'}"


def load_settings(*, require_token: bool = True, **overrides: object) -> Settings:
    """Build Settings, turning pydantic's report into one line that names the variable.
    Maintenance commands (reencrypt) do not talk to Telegram and pass require_token=False."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "configuration"
        if first["type"] == "missing":
            raise ConfigError(f"{name} is not set (see .env.example)") from None
        reason = first["msg"].removeprefix("Value error, ")
        raise ConfigError(f"{name} is invalid: {reason}") from None
    if require_token and not settings.bot_token:
        raise ConfigError("BOT_TOKEN is not set (see .env.example)")
    if settings.webhook_url.startswith("http://") and not settings.webhook_allow_http:
        raise ConfigError(
            "WEBHOOK_URL is invalid: Telegram posts only to https:// "
            "(WEBHOOK_ALLOW_HTTP=1 allows http:// for a local stand-in)"
        )
    return settings
