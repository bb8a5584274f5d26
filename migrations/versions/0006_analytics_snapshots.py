"""Stored analytics tables (analyticssnapshot) and the organizations whose counts changed since (analyticschange)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 02:30:00
"""
import sqlalchemy as sa
from alembic import op

from sabidamu.models.base import UTCDateTime

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'analyticssnapshot',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('region', sa.String(length=10), nullable=False),
        sa.Column('academic_year', sa.Integer(), nullable=False),
        sa.Column('part', sa.String(length=12), nullable=False),
        sa.Column('computed_at', UTCDateTime(), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('region', 'academic_year', 'part'),
    )
    op.create_table(
        'analyticschange',
        sa.Column('org_id', sa.Uuid(), nullable=False),
        sa.Column('academic_year', sa.Integer(), nullable=False),
        sa.Column('part', sa.String(length=12), nullable=False),
        sa.PrimaryKeyConstraint('org_id', 'academic_year', 'part'),
    )


def downgrade() -> None:
    op.drop_table('analyticschange')
    op.drop_table('analyticssnapshot')
