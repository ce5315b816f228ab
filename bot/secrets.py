"""Recognising panel API keys in what users type, so that a key is never shown back.

Pure functions, no I/O. Two questions are answered:

- `contains_api_key(text)`: does the text hold a token that looks like *some* panel's key?
  Panels differ: PerfectPanel keys are 32 hex characters, other scripts use 40 or 64 hex
  characters (sha1, `bin2hex(random_bytes(32))`), mixed-case letters and digits of 20 to 64
  characters (`Str::random(40)`), prefixes (`smm_…`, `sk-…`) or UUIDs. So a key is judged by
  shape, not format: a run of letters and digits of at least `MIN_LENGTH` characters, of at
  least two of lower case, upper case and digits, that does not read like words (words and
  numbers glued together, as in usernames and hashtags, read like words; random characters
  do not). Links are not keys (an Instagram post code, a YouTube or TikTok id lives in its
  path), except a `key=`/`token=` value in their query string.
- `key_candidates(text)`: every substring that could be a stored key exactly (the alphabet a
  stored key may use), to compare with the user's own key by fingerprint whatever its shape.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

MIN_LENGTH = 20
MAX_LENGTH = 256

# The characters a stored key may have (handlers/key.py KEY_SHAPE) and its length bounds.
KEY_ALPHABET_RUN = re.compile(r"[A-Za-z0-9_\-.]{8,256}")
KEY_PIECE_SEPARATORS = "._-"

_RUN = re.compile(r"[A-Za-z0-9_\-]+")
_HEX = re.compile(r"[0-9a-f]+|[0-9A-F]+")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# Camel-case words, upper-case words and digit groups: how words glued together split up.
_CHUNK = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")
_URL_START = re.compile(r"(?i)^(?:[a-z][a-z0-9+.\-]*://|www\.)")
_LINK_INSIDE = re.compile(r"(?i)(?:[a-z][a-z0-9+.\-]*://|www\.)[^\s<>()\[\]{}\"']+")
_BARE_DOMAIN = re.compile(r"(?i)^[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}(?:[/?#:]|$)")
_SECRET_PARAM = re.compile(r"(?i)key|token|secret|api|auth|pass")
_VOWELS = frozenset("aeiouy")

# Thresholds, measured on random keys of each alphabet and length against words, usernames,
# hashtags and product names (see tests/test_secrets.py): a key of 24+ characters is caught
# more than 93% of the time per alphabet, 32 hex characters always.
_MIN_WORDLIKE_SHARE = 0.6  # of the letters, in chunks that read like words
_MAX_DIGIT_GROUPS = 3  # words with numbers have a year or a count, not digits strewn about
_MAX_CONSONANT_RUN = 5


def looks_like_api_key(token: str) -> bool:
    """One token (no spaces): is it shaped like a random API key?"""
    token = token.strip()
    if _UUID.fullmatch(token):
        return True
    if not MIN_LENGTH <= len(token) <= MAX_LENGTH or not token.isascii() or not token.isalnum():
        return False
    has_digit = any(char.isdigit() for char in token)
    has_lower = any(char.islower() for char in token)
    has_upper = any(char.isupper() for char in token)
    if has_digit + has_lower + has_upper < 2:
        return False  # an order id, a word, an acronym
    if _HEX.fullmatch(token):
        return has_digit  # hex digits and letters mixed: a hash or a key, never prose
    return not _reads_like_words(token)


def contains_api_key(text: str) -> bool:
    """Does free text (a message, a command's arguments, a caption) hold a key-like token?"""
    for word in text.split():
        if _is_link(word):
            if any(looks_like_api_key(value) for value in _secret_params(word)):
                return True
            continue
        # A link glued to a label or bracket ("Link:https://…", "(https://…)") is still a
        # link: only its secret-named parameters count, the rest of the word is judged alone.
        for link in _LINK_INSIDE.findall(word):
            if any(looks_like_api_key(value) for value in _secret_params(link)):
                return True
        word = _LINK_INSIDE.sub(" ", word)
        if _UUID.search(word):
            return True
        for run in _RUN.findall(word):
            pieces = [piece for piece in re.split(r"[_\-]+", run) if piece]
            joined = "".join(pieces)
            if any(looks_like_api_key(piece) for piece in pieces) or (
                len(pieces) > 1 and looks_like_api_key(joined)
            ):
                return True
    return False


def key_candidates(text: str) -> Iterator[str]:
    """Every substring that could be a whole stored key (for an exact fingerprint match): runs
    of the key alphabet, also without the punctuation around them ("my key is K." → "K")."""
    seen: set[str] = set()
    for match in KEY_ALPHABET_RUN.finditer(text):
        run = match.group()
        variants = [run, run.strip(KEY_PIECE_SEPARATORS), *run.split(".")]
        for variant in variants:
            if len(variant) >= 8 and variant not in seen:
                seen.add(variant)
                yield variant


def _reads_like_words(token: str) -> bool:
    chunks = _CHUNK.findall(token)
    letters = [chunk for chunk in chunks if not chunk.isdigit()]
    digit_groups = len(chunks) - len(letters)
    if digit_groups > _MAX_DIGIT_GROUPS:
        return False
    letter_count = sum(len(chunk) for chunk in letters)
    if letter_count == 0:
        return False
    wordlike = sum(len(chunk) for chunk in letters if _wordlike(chunk))
    return wordlike / letter_count >= _MIN_WORDLIKE_SHARE


def _wordlike(chunk: str) -> bool:
    """A pronounceable chunk: a share of vowels like a language's, no long consonant runs."""
    lower = chunk.lower()
    if len(lower) < 3:
        return False
    vowels = sum(char in _VOWELS for char in lower)
    if not 0.2 <= vowels / len(lower) <= 0.75:
        return False
    run = 0
    for char in lower:
        run = 0 if char in _VOWELS else run + 1
        if run > _MAX_CONSONANT_RUN:
            return False
    return True


def _is_link(word: str) -> bool:
    return bool(_URL_START.match(word) or _BARE_DOMAIN.match(word))


def _secret_params(link: str) -> Iterator[str]:
    """Values of query parameters named like a secret (`?key=…`, `api_token=…`)."""
    try:
        query = urlsplit(link if "://" in link else f"https://{link}").query
    except ValueError:
        return
    for name, value in parse_qsl(query, keep_blank_values=False):
        if _SECRET_PARAM.search(name):
            yield value
