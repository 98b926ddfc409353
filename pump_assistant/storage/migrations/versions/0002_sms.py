"""SMS channel state: handled message SIDs, opt-outs, numbered choices.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sms_inbound",
        sa.Column("message_sid", sa.String(64), primary_key=True),
        sa.Column("received_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "sms_opt_outs",
        sa.Column("phone", sa.String(32), primary_key=True),
        sa.Column("opted_out_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "sms_choices",
        sa.Column("phone", sa.String(32), primary_key=True),
        sa.Column("choices", sa.JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sms_choices")
    op.drop_table("sms_opt_outs")
    op.drop_table("sms_inbound")
