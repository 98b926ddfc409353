"""The front-desk inbox: ticket search text and resolution note, staff roles, draft review outcome.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("handoff_tickets") as batch:
        batch.add_column(sa.Column("search_text", sa.Text, nullable=True))
        batch.add_column(sa.Column("resolution_note", sa.Text, nullable=True))
        batch.add_column(sa.Column("resolved_by", sa.String(120), nullable=True))
    with op.batch_alter_table("staff_accounts") as batch:
        batch.add_column(sa.Column("role", sa.String(32), nullable=False, server_default="front_desk"))
    with op.batch_alter_table("draft_answers") as batch:
        batch.add_column(sa.Column("answer_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("answer_version", sa.Integer, nullable=True))
        batch.add_column(sa.Column("review_note", sa.Text, nullable=True))
    # Tickets raised before this revision become searchable too.
    from pump_assistant.storage.search import search_text

    tickets = sa.table(
        "handoff_tickets",
        sa.column("id", sa.String),
        sa.column("sender_id", sa.String),
        sa.column("trigger_message", sa.Text),
        sa.column("transcript", sa.JSON),
        sa.column("contact_name", sa.String),
        sa.column("contact_phone", sa.String),
        sa.column("search_text", sa.Text),
    )
    connection = op.get_bind()
    for row in connection.execute(sa.select(tickets)).mappings().all():
        text = search_text(
            sender_id=row["sender_id"],
            trigger_message=row["trigger_message"],
            transcript=row["transcript"] or [],
            contact_name=row["contact_name"],
            contact_phone=row["contact_phone"],
        )
        connection.execute(tickets.update().where(tickets.c.id == row["id"]).values(search_text=text))


def downgrade() -> None:
    with op.batch_alter_table("draft_answers") as batch:
        for column in ("review_note", "answer_version", "answer_id"):
            batch.drop_column(column)
    with op.batch_alter_table("staff_accounts") as batch:
        batch.drop_column("role")
    with op.batch_alter_table("handoff_tickets") as batch:
        for column in ("resolved_by", "resolution_note", "search_text"):
            batch.drop_column(column)
