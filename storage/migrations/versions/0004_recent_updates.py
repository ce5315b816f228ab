"""user_state: the last handled update ids (recent_updates), instead of the newest one alone

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_state") as batch:
        batch.add_column(sa.Column("recent_updates", sa.Text(), nullable=True))
    # The one id a row remembered stays remembered (a redelivery of it is still skipped).
    op.execute(
        "UPDATE user_state SET recent_updates = '[' || CAST(last_update_id AS TEXT) || ']' "
        "WHERE last_update_id IS NOT NULL"
    )
    with op.batch_alter_table("user_state") as batch:
        batch.drop_column("last_update_id")


def downgrade() -> None:
    with op.batch_alter_table("user_state") as batch:
        batch.add_column(sa.Column("last_update_id", sa.BigInteger(), nullable=True))
        batch.drop_column("recent_updates")
