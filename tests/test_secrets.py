"""The key detector (bot.secrets): keys of every panel format are caught, links and words not."""

from __future__ import annotations

import random
import string

import pytest

from bot.secrets import contains_api_key, key_candidates, looks_like_api_key

KEYS = [
    "a1b2c3d4e5f60718293a4b5c6d7e8f90",  # PerfectPanel: 32 hex
    "A1B2C3D4E5F60718293A4B5C6D7E8F90",  # the same in upper case
    "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12",  # 40 hex (sha1)
    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",  # 64 hex
    "uX3kP9qL2mZ8vB4nR7tW1yC6dF0gH5jK8sA2eQ4i",  # 40 mixed-case letters and digits
    "k7f2m9x4q8w1z5r3t6y0",  # 20 lower case and digits
    "550e8400-e29b-41d4-a716-446655440000",  # a UUID
]

MESSAGES_WITH_KEYS = [
    "/status a1b2c3d4e5f60718293a4b5c6d7e8f90",
    "/refill 2fd4e1c67a2d28fced849ee1bb76e7391b93eb12",
    "my key: 2fd4e1c67a2d28fced849ee1bb76e7391b93eb12.",
    "smm_8Kd2LpQ9xZ4vN7mR1tY6wB3cF5hJ0gS",  # a prefixed key
    "sk-live-uX3kP9qL2mZ8vB4nR7tW1yC6dF0gH5jK",
    "key=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "https://panel.example/api/v2?key=a1b2c3d4e5f60718293a4b5c6d7e8f90&action=balance",
    "panel.example/api/v2?action=balance&api_token=uX3kP9qL2mZ8vB4nR7tW1yC6dF0gH5jK8sA2eQ4i",
    "token 550e8400-e29b-41d4-a716-446655440000 thanks",
]

# What customers really type: links to order for, order ids, usernames, comments, searches.
NOT_KEYS = [
    "https://www.instagram.com/p/CxYz1AbC2dE/",
    "https://instagram.com/p/C4kR9xLtQ2bZ7mNpW3vYh8sJ0aE1fGd6uKc/",  # a long (private) code
    "instagram.com/p/C4kR9xLtQ2bZ7mNpW3vYh8sJ0aE1fGd6uKc",  # without https://
    "https://www.instagram.com/reel/C5aBcD1eFgH/?igsh=MWQ1ZGUxMzBkMA==",
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=PLFgquLnL59alCl_2TQvOiD5Vgm1hCaGSI",
    "https://youtu.be/dQw4w9WgXcQ?si=Jx9vK2mQp7LwZ4rTaB3c",
    "https://www.youtube.com/channel/UC_x5XG1OV2P6uZZ5FSM9Ttw",
    "https://www.tiktok.com/@user7283649201/video/7301234567890123456?lang=en",
    "https://vm.tiktok.com/ZMhKqR7aB/",
    "https://t.me/joinchat/AAAAAEd4b7Yb3bZ2p0Xn0w",
    "t.me/+Xy1AbCdEfGhIjKlM",
    "https://x.com/somebody/status/1790123456789012345?s=20",
    "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC?si=1a2b3c4d5e6f7a8b",
    "https://www.facebook.com/photo?fbid=122105432198765432&set=a.122098765432101234",
    "https://docs.google.com/document/d/1aBcD3fGhIjK4lMnOpQ5rStUvWx6YzAbC7dEfGh/edit",
    "7301234567890123456",  # an order or TikTok id
    "/status 12345 67890, 1790123456789012345",
    "@the_best_photographer_ever_2024",
    "john.smith.official.2024",
    "JohnSmith1985Official",
    "BestFollowersPackage2024 instagram followers 1000",
    "iPhone15ProMaxGiveaway",
    "#TBT2024SummerVibesForever #InstaGood",
    "COVID19vaccinationDrive2021",
    "info@business2024official.com",
    "Great post!!! 🔥🔥 Love it, keep going",
    "Подписчики Instagram 1000 быстро",
    "internationalization2024",
]


@pytest.mark.parametrize("key", KEYS)
def test_keys_of_every_format_look_like_keys(key: str) -> None:
    assert looks_like_api_key(key)
    assert contains_api_key(f"here it is {key} ok")


@pytest.mark.parametrize("text", MESSAGES_WITH_KEYS)
def test_messages_holding_a_key_are_caught(text: str) -> None:
    assert contains_api_key(text)


@pytest.mark.parametrize("text", NOT_KEYS)
def test_links_ids_usernames_and_comments_are_not_keys(text: str) -> None:
    assert not contains_api_key(text)


@pytest.mark.parametrize(
    ("alphabet", "length"),
    [
        (string.hexdigits.lower()[:16], 20),
        (string.hexdigits.lower()[:16], 32),
        (string.ascii_letters + string.digits, 24),
        (string.ascii_letters + string.digits, 40),
        (string.ascii_lowercase + string.digits, 24),
        (string.ascii_uppercase + string.digits, 32),
    ],
)
def test_random_keys_are_caught_almost_always(alphabet: str, length: int) -> None:
    generator = random.Random(f"{alphabet}{length}")  # the same sample on every run
    keys = ["".join(generator.choice(alphabet) for _ in range(length)) for _ in range(400)]
    caught = sum(looks_like_api_key(key) for key in keys)
    assert caught / len(keys) >= 0.93


def test_short_tokens_and_single_case_words_are_not_keys() -> None:
    assert not looks_like_api_key("a1b2c3d4e5f6")  # too short to be a key
    assert not looks_like_api_key("supercalifragilisticexpialidocious")
    assert not looks_like_api_key("12345678901234567890123")


def test_candidates_for_the_users_own_key_drop_the_punctuation_around_it() -> None:
    candidates = set(key_candidates("my key is short-Key.1 and then abcdefgh12."))
    assert {"short-Key.1", "abcdefgh12", "abcdefgh12."} <= candidates
    assert not set(key_candidates("hi there, ok"))


@pytest.mark.parametrize(
    "text",
    [
        "(https://drive.google.com/file/d/1A2bC3dE4fG5hI6jK7lM8nO9pQ0rS/view)",
        "<https://www.threads.net/@user/post/C5aBcD3eFgHiJkLmNoPq>",
        "Link:https://docs.google.com/forms/d/e/1FAIpQLSfD3kE9xYzT7uVwAbCdEf/viewform",
        "ссылка:https://youtube.com/watch?v=dQw4w9WgXcQ&list=PLrAXtmErZgOeiKm4sgNOknGvNjby9efdf",
    ],
)
def test_links_glued_to_a_label_or_bracket_are_not_keys(text: str) -> None:
    assert not contains_api_key(text)


def test_a_key_glued_to_a_label_is_still_a_key() -> None:
    assert contains_api_key("key:a1b2c3d4e5f60718293a4b5c6d7e8f90")
    assert contains_api_key("(https://panel.example/api?key=Xk29fLq81ZmP0tR7vB4nC6yW)")
