"""staff TOTP and deletion requests

Revision ID: 0003_security
Revises: 0002
Create Date: 2026-11-24 05:05:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import sabidamu.models.base


revision = '0003_security'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('staff_totp',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('key_id', sa.Uuid(), nullable=False),
    sa.Column('secret_ct', sa.LargeBinary(), nullable=True),
    sa.Column('pending_secret_ct', sa.LargeBinary(), nullable=True),
    sa.Column('enabled_at', sabidamu.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_step', sa.BigInteger(), nullable=True),
    sa.Column('recovery_hashes', sa.JSON(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['key_id'], ['datakey.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id')
    )
    op.create_index(op.f('ix_staff_totp_key_id'), 'staff_totp', ['key_id'], unique=False)
    op.create_table('deletion_request',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('child_id', sa.Uuid(), nullable=False),
    sa.Column('requested_by', sa.Uuid(), nullable=True),
    sa.Column('requested_at', sabidamu.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('rule', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('completed_at', sabidamu.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['requested_by'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_deletion_request_child_id'), 'deletion_request', ['child_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_deletion_request_child_id'), table_name='deletion_request')
    op.drop_table('deletion_request')
    op.drop_index(op.f('ix_staff_totp_key_id'), table_name='staff_totp')
    op.drop_table('staff_totp')
