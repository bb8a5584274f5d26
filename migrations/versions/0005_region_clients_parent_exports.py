"""API clients of one region (org_id or region), job results of a parent's export (no organization)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 12:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('apiclient', schema=None) as batch_op:
        batch_op.add_column(sa.Column('region', sa.String(length=10), nullable=True))
        batch_op.alter_column('org_id', existing_type=sa.Uuid(), nullable=True)
        batch_op.create_index(batch_op.f('ix_apiclient_region'), ['region'], unique=False)
        batch_op.create_check_constraint('ck_apiclient_one_area', '(org_id IS NULL) <> (region IS NULL)')
    with op.batch_alter_table('job_result', schema=None) as batch_op:
        batch_op.alter_column('org_id', existing_type=sa.Uuid(), nullable=True)


def downgrade() -> None:
    # Region clients and parents' exports have no organization: they cannot stay in the older schema.
    op.execute("DELETE FROM job_result WHERE org_id IS NULL")
    op.execute("DELETE FROM apiratewindow WHERE client_id IN (SELECT id FROM apiclient WHERE org_id IS NULL)")
    op.execute("DELETE FROM apitoken WHERE client_id IN (SELECT id FROM apiclient WHERE org_id IS NULL)")
    op.execute("DELETE FROM apiclient WHERE org_id IS NULL")
    with op.batch_alter_table('job_result', schema=None) as batch_op:
        batch_op.alter_column('org_id', existing_type=sa.Uuid(), nullable=False)
    with op.batch_alter_table('apiclient', schema=None) as batch_op:
        batch_op.drop_constraint('ck_apiclient_one_area', type_='check')
        batch_op.drop_index(batch_op.f('ix_apiclient_region'))
        batch_op.alter_column('org_id', existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_column('region')
