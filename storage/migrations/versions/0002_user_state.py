"""Users' conversation state (bot.persistence): a half-filled order survives a restart.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_state",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("conversations", sa.Text(), nullable=True),
        sa.Column("idle_since", sa.Float(), nullable=True),
        sa.Column("last_update_id", sa.BigInteger(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_index("ix_user_state_idle_since", "user_state", ["idle_since"])


def downgrade() -> None:
    op.drop_index("ix_user_state_idle_since", table_name="user_state")
    op.drop_table("user_state")
