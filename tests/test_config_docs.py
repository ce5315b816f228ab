"""Every setting is documented where a reseller looks: `.env.example` and the README's table."""

from __future__ import annotations

import re
from pathlib import Path

from bot.config import Settings

ROOT = Path(__file__).resolve().parent.parent


def _variables() -> list[str]:
    return sorted(name.upper() for name in Settings.model_fields)


def test_every_setting_is_in_env_example_with_a_comment() -> None:
    lines = (ROOT / ".env.example").read_text().splitlines()
    missing = []
    for name in _variables():
        index = next((i for i, line in enumerate(lines) if line.startswith(f"{name}=")), None)
        if index is None:
            missing.append(name)
            continue
        # A comment right above, or above the variables it documents together with this one.
        while index > 0 and re.match(r"[A-Z_]+=", lines[index - 1]):
            index -= 1
        if index == 0 or not lines[index - 1].startswith("#"):
            missing.append(name)
    assert missing == []


def test_every_setting_is_in_the_readme_table() -> None:
    table = set(re.findall(r"^\| `([A-Z_]+)` \|", (ROOT / "README.md").read_text(), re.M))
    assert sorted(set(_variables()) - table) == []
