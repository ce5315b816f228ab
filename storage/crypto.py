"""Panel API keys at rest: Fernet ciphertext plus a keyed fingerprint to recognise a key."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

logger = logging.getLogger(__name__)

KEY_FILE_NAME = "encryption.key"


class KeyringError(Exception):
    """A configured encryption key is malformed or cannot decrypt stored data."""


class Keyring:
    """Encrypts with the first Fernet key; decrypts with any of them (rotation)."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise KeyringError("ENCRYPTION_KEY is invalid: no key given")
        fernets = []
        for position, key in enumerate(keys, start=1):
            try:
                fernets.append(Fernet(key.encode()))
            except (ValueError, TypeError):
                raise KeyringError(
                    f"ENCRYPTION_KEY is invalid: key #{position} is not a Fernet key "
                    "(32 url-safe base64-encoded bytes)"
                ) from None
        self._fernet = MultiFernet(fernets)
        # The fingerprint key is derived from the primary key, so it changes on rotation and
        # `reencrypt` recomputes fingerprints together with ciphertexts.
        self._fingerprint_key = hashlib.sha256(b"fingerprint:" + keys[0].encode()).digest()

    def __repr__(self) -> str:
        return "Keyring(<redacted>)"

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken:
            raise KeyringError(
                "a stored API key cannot be decrypted with ENCRYPTION_KEY "
                "(was the old key removed before `python -m bot reencrypt`?)"
            ) from None

    def rotate(self, ciphertext: str) -> str:
        """Re-encrypt with the primary key."""
        try:
            return self._fernet.rotate(ciphertext.encode()).decode()
        except InvalidToken:
            raise KeyringError(
                "a stored API key cannot be decrypted with ENCRYPTION_KEY"
            ) from None

    def seal(self, plaintext: bytes) -> bytes:
        """Bytes encrypted with the primary key (conversation state at rest)."""
        return self._fernet.encrypt(plaintext)

    def open(self, token: bytes) -> bytes:
        """Bytes sealed with any configured key; KeyringError when none decrypts them (or they
        were altered: Fernet tokens are authenticated)."""
        try:
            return self._fernet.decrypt(token)
        except InvalidToken:
            raise KeyringError("stored data cannot be decrypted with ENCRYPTION_KEY") from None

    def reseal(self, token: bytes) -> bytes:
        """Re-encrypt sealed bytes with the primary key."""
        try:
            return self._fernet.rotate(token)
        except InvalidToken:
            raise KeyringError("stored data cannot be decrypted with ENCRYPTION_KEY") from None

    def fingerprint(self, plaintext: str) -> str:
        return hmac.new(self._fingerprint_key, plaintext.encode(), hashlib.sha256).hexdigest()


def load_or_create_keys(configured: list[str], data_dir: Path) -> list[str]:
    """Keys from ENCRYPTION_KEY, else from the data folder, generating that file on first start."""
    if configured:
        return configured
    key_file = data_dir / KEY_FILE_NAME
    if key_file.exists():
        return [line.strip() for line in key_file.read_text().splitlines() if line.strip()]
    data_dir.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key().decode()
    # Created with mode 0600 from the start: the key never exists world-readable, even briefly.
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key + "\n")
    logger.warning(
        "Generated a new encryption key in %s (mode 0600). Back it up: without it the stored "
        "API keys cannot be read. Set ENCRYPTION_KEY to manage it yourself.",
        key_file,
    )
    return [key]
