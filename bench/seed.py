"""Bench-only seeding: many users, keys and orders in one bulk insert each.

The bot's own code talks SQL only inside storage/; the bench may seed the database directly,
because inserting 50,000 rows one repository call at a time would take longer than the
benchmark. Rows are built from the bot's own models, so they look exactly like stored ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.engine import make_url
from sqlmodel import Session, create_engine

from bot.app import build_keyring
from bot.config import Settings
from storage.db import prepare_database
from storage.models import Order, Placement, User, utcnow

CHUNK = 5_000


def database_path(settings: Settings) -> Path:
    """The SQLite file the bot will use (whatever driver its URL names)."""
    database = make_url(settings.effective_database_url).database
    if not database or database == ":memory:":
        raise ValueError("the bench seeds a SQLite file database")
    return Path(database)


def seed(
    settings: Settings,
    users: Iterable[tuple[int, str | None]],
    orders: Iterable[tuple[int, str]] = (),
    *,
    placement: str = Placement.PLACED,
) -> None:
    """Insert users `(telegram_id, api_key or None)` and open orders
    `(user_id, panel_order_id)` (status Pending, already announced)."""
    path = database_path(settings)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    keyring = build_keyring(settings)
    # The schema as the bot makes it (its migrations), so the bot starts on it as on its own.
    prepare_database(f"sqlite:///{path}")
    engine = create_engine(f"sqlite:///{path}")
    now = utcnow()
    fingerprints: dict[str, str] = {}
    user_template = User(telegram_id=0, created_at=now, updated_at=now).model_dump()
    user_rows = []
    for telegram_id, key in users:
        row = dict(user_template, telegram_id=telegram_id)
        if key is not None:
            if key not in fingerprints:
                fingerprints[key] = keyring.fingerprint(key)
            row.update(api_key_encrypted=keyring.encrypt(key), key_fingerprint=fingerprints[key])
        user_rows.append(row)
    order_template = Order(
        user_id=0,
        placement=placement,
        service_id="1",
        service_name="Instagram Followers [Refill 30D]",
        service_type="default",
        quantity=100,
        fields_json="{}",
        price=Decimal("0.09"),
        charge=Decimal("0.09"),
        currency="USD",
        status="pending",
        status_raw="Pending",
        announced_status="Pending",
        remains=100,
        created_at=now,
        placed_at=now,
    ).model_dump(exclude={"id"})
    order_rows = [
        dict(
            order_template,
            user_id=user_id,
            panel_order_id=panel_order_id,
            link=f"https://instagram.com/p{panel_order_id}",
        )
        for user_id, panel_order_id in orders
    ]
    with Session(engine) as session:
        for table, rows in ((User, user_rows), (Order, order_rows)):
            for start in range(0, len(rows), CHUNK):
                session.execute(insert(table), rows[start : start + CHUNK])
        session.commit()
    engine.dispose()
