"""Initial schema: every table of storage/models.py when migrations began.

A database made before migrations existed is brought to this schema by the baseline step
(storage.db: missing tables created, missing nullable columns added) and stamped with it.

Revision ID: 0001
Revises:
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def schema() -> sa.MetaData:
    """This revision's tables, frozen here (never imported from storage.models, which moves
    on): money as decimal text (String 40), Telegram ids as BigInteger, panel ids as text."""
    metadata = sa.MetaData()
    sa.Table(
        "audit_log",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("setting", sa.String(length=64), nullable=True),
        sa.Column("before_json", sa.Text(), nullable=True),
        sa.Column("after_json", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.Index("ix_audit_log_created_at", "created_at"),
        sa.Index("ix_audit_log_operator_id", "operator_id"),
    )
    sa.Table(
        "broadcast_deliveries",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("broadcast_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("broadcast_id", "user_id", name="uq_broadcast_user"),
        sa.Index("ix_broadcast_deliveries_broadcast_id", "broadcast_id"),
        sa.Index("ix_broadcast_deliveries_state", "state"),
    )
    sa.Table(
        "broadcasts",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.BigInteger(), nullable=False),
        sa.Column("progress_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("progress_message_id", sa.BigInteger(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("photo_file_id", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.Index("ix_broadcasts_state", "state"),
    )
    sa.Table(
        "console_settings",
        metadata,
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value_json", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    sa.Table(
        "favourites",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("service_name", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "service_id", name="uq_favourite_user_service"),
        sa.Index("ix_favourites_user_id", "user_id"),
    )
    sa.Table(
        "invites",
        metadata,
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("max_uses", sa.Integer(), nullable=True),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("code"),
    )
    sa.Table(
        "mass_orders",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("lines_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.Index("ix_mass_orders_user_id", "user_id"),
    )
    sa.Table(
        "orders",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("placement", sa.String(length=16), nullable=False),
        sa.Column("panel_order_id", sa.String(length=64), nullable=True),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("service_name", sa.Text(), nullable=False),
        sa.Column("service_type", sa.String(length=64), nullable=False),
        sa.Column("link", sa.Text(), nullable=True),
        sa.Column("quantity", sa.BigInteger(), nullable=True),
        sa.Column("fields_json", sa.Text(), nullable=False),
        sa.Column("price", sa.String(length=40), nullable=True),
        sa.Column("charge", sa.String(length=40), nullable=True),
        sa.Column("currency", sa.String(length=16), nullable=True),
        sa.Column("can_refill", sa.Boolean(), nullable=True),
        sa.Column("can_cancel", sa.Boolean(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=64), nullable=True),
        sa.Column("status_raw", sa.Text(), nullable=True),
        sa.Column("remains", sa.BigInteger(), nullable=True),
        sa.Column("start_count", sa.BigInteger(), nullable=True),
        sa.Column("announced_status", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "panel_order_id", name="uq_order_owner_panel_id"),
        sa.Index("ix_orders_panel_order_id", "panel_order_id"),
        sa.Index("ix_orders_placement", "placement"),
        sa.Index("ix_orders_user_id", "user_id"),
    )
    sa.Table(
        "panel_profiles",
        metadata,
        sa.Column("api_url", sa.Text(), nullable=False),
        sa.Column("capabilities_json", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("api_url"),
    )
    sa.Table(
        "panel_tasks",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("panel_order_id", sa.String(length=64), nullable=False),
        sa.Column("panel_task_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=64), nullable=True),
        sa.Column("status_raw", sa.Text(), nullable=True),
        sa.Column("announced_status", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.Index("ix_panel_tasks_kind", "kind"),
        sa.Index("ix_panel_tasks_user_id", "user_id"),
    )
    sa.Table(
        "push_log",
        metadata,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.Index("ix_push_log_created_at", "created_at"),
    )
    sa.Table(
        "runtime_state",
        metadata,
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value_json", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    sa.Table(
        "users",
        metadata,
        sa.Column("telegram_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("api_key_encrypted", sa.Text(), nullable=True),
        sa.Column("key_fingerprint", sa.String(length=64), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=True),
        sa.Column("notify", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("key_rejected", sa.Boolean(), nullable=False),
        sa.Column("blocked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("admitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("telegram_id"),
        sa.Index("ix_users_key_fingerprint", "key_fingerprint"),
    )
    return metadata


def upgrade() -> None:
    schema().create_all(op.get_bind())


def downgrade() -> None:
    schema().drop_all(op.get_bind())
