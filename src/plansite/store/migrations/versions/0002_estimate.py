"""Estimating: price-book versions, bid counters, bids and their events, corrections, accuracy.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ID = sa.String(length=32)


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _index(table: str, *columns: str, unique: bool = False) -> None:
    with op.batch_alter_table(table) as batch:
        for column in columns:
            batch.create_index(batch.f(f"ix_{table}_{column}"), [column], unique=unique)


def upgrade() -> None:
    op.create_table(
        "estimate_pricebooks",
        sa.Column("id", ID, nullable=False),
        sa.Column("company_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        _when("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_estimate_pricebooks")),
        sa.UniqueConstraint("company_id", "version",
                            name=op.f("uq_estimate_pricebooks_company_id")),
    )
    _index("estimate_pricebooks", "company_id")

    op.create_table(
        "estimate_bid_counters",
        sa.Column("company_id", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("company_id", "year", name=op.f("pk_estimate_bid_counters")),
    )

    op.create_table(
        "estimate_bids",
        sa.Column("id", ID, nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("company_id", sa.String(length=64), nullable=False),
        sa.Column("plan_set_id", ID, nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("customer", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("pricebook_id", ID, nullable=True),
        sa.Column("pricebook_doc", sa.JSON(), nullable=False),
        sa.Column("takeoff", sa.JSON(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("total", sa.String(length=32), nullable=False),
        _when("created_at"),
        _when("updated_at"),
        _when("sent_at", nullable=True),
        _when("expires_at", nullable=True),
        sa.ForeignKeyConstraint(["pricebook_id"], ["estimate_pricebooks.id"],
                                name=op.f("fk_estimate_bids_pricebook_id_estimate_pricebooks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_estimate_bids")),
        sa.UniqueConstraint("number", name=op.f("uq_estimate_bids_number")),
    )
    _index("estimate_bids", "company_id", "plan_set_id", "status")

    op.create_table(
        "estimate_bid_events",
        sa.Column("id", ID, nullable=False),
        sa.Column("bid_id", ID, nullable=False),
        _when("at"),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["bid_id"], ["estimate_bids.id"],
                                name=op.f("fk_estimate_bid_events_bid_id_estimate_bids")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_estimate_bid_events")),
    )
    _index("estimate_bid_events", "bid_id")

    op.create_table(
        "estimate_corrections",
        sa.Column("id", ID, nullable=False),
        sa.Column("plan_set_id", ID, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        _when("at"),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("correction", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_estimate_corrections")),
    )
    _index("estimate_corrections", "plan_set_id")

    op.create_table(
        "estimate_accuracy",
        sa.Column("plan_set_id", ID, nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("machine_counts", sa.JSON(), nullable=False),
        sa.Column("reviewed_counts", sa.JSON(), nullable=False),
        _when("updated_at"),
        sa.PrimaryKeyConstraint("plan_set_id", name=op.f("pk_estimate_accuracy")),
    )


def downgrade() -> None:
    for table in ("estimate_accuracy", "estimate_corrections", "estimate_bid_events",
                  "estimate_bids", "estimate_bid_counters", "estimate_pricebooks"):
        op.drop_table(table)
