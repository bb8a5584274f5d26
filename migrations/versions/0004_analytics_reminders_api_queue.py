"""Analytics (department scopes, screening zone counts, districts), reminders, the open API's clients and tokens,
the queue's job attempts and heartbeat

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 07:21:29.373002
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

import sabidamu.models.base

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('screeningzonecount',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('academic_year', sa.Integer(), nullable=False),
    sa.Column('domain', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('zone', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('updated_at', sabidamu.models.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['org_id'], ['organization.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('org_id', 'academic_year', 'domain', 'zone')
    )
    with op.batch_alter_table('screeningzonecount', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screeningzonecount_academic_year'), ['academic_year'], unique=False)
        batch_op.create_index(batch_op.f('ix_screeningzonecount_org_id'), ['org_id'], unique=False)

    op.create_table('apiclient',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('secret_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', sabidamu.models.base.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', sabidamu.models.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['org_id'], ['organization.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('apiclient', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apiclient_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_apiclient_user_id'), ['user_id'], unique=False)

    op.create_table('departmentscope',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('region', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('district', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', sabidamu.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id')
    )
    op.create_table('reminderoptout',
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('created_at', sabidamu.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('user_id', 'kind')
    )
    op.create_table('apiratewindow',
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('window_start', sabidamu.models.base.UTCDateTime(), nullable=False),
    sa.Column('calls', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['apiclient.id'], ),
    sa.PrimaryKeyConstraint('client_id')
    )
    op.create_table('apitoken',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('created_at', sabidamu.models.base.UTCDateTime(), nullable=False),
    sa.Column('expires_at', sabidamu.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['apiclient.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('apitoken', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apitoken_client_id'), ['client_id'], unique=False)

    op.create_table('cardhomeshare',
    sa.Column('child_id', sa.Uuid(), nullable=False),
    sa.Column('agreed_by', sa.Uuid(), nullable=False),
    sa.Column('agreed_at', sabidamu.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agreed_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], ),
    sa.PrimaryKeyConstraint('child_id')
    )
    op.create_table('sentreminder',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('object_id', sa.Uuid(), nullable=False),
    sa.Column('occasion', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('child_id', sa.Uuid(), nullable=True),
    sa.Column('notification_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sabidamu.models.base.UTCDateTime(), nullable=False),
    sa.Column('mailed_at', sabidamu.models.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kind', 'user_id', 'object_id', 'occasion')
    )
    with op.batch_alter_table('sentreminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sentreminder_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sentreminder_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('job_result', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('heartbeat_at', sabidamu.models.base.UTCDateTime(), nullable=True))

    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('district', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
        batch_op.create_index(batch_op.f('ix_organization_district'), ['district'], unique=False)

    with op.batch_alter_table('screening', schema=None) as batch_op:
        batch_op.add_column(sa.Column('counted_org_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('counted_year', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_screening_counted_org_id', 'organization', ['counted_org_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('screening', schema=None) as batch_op:
        batch_op.drop_constraint('fk_screening_counted_org_id', type_='foreignkey')
        batch_op.drop_column('counted_year')
        batch_op.drop_column('counted_org_id')

    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organization_district'))
        batch_op.drop_column('district')

    with op.batch_alter_table('job_result', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_at')
        batch_op.drop_column('attempts')

    with op.batch_alter_table('sentreminder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sentreminder_user_id'))
        batch_op.drop_index(batch_op.f('ix_sentreminder_child_id'))

    op.drop_table('sentreminder')
    op.drop_table('cardhomeshare')
    with op.batch_alter_table('apitoken', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apitoken_client_id'))

    op.drop_table('apitoken')
    op.drop_table('apiratewindow')
    op.drop_table('reminderoptout')
    op.drop_table('departmentscope')
    with op.batch_alter_table('apiclient', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apiclient_user_id'))
        batch_op.drop_index(batch_op.f('ix_apiclient_org_id'))

    op.drop_table('apiclient')
    with op.batch_alter_table('screeningzonecount', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screeningzonecount_org_id'))
        batch_op.drop_index(batch_op.f('ix_screeningzonecount_academic_year'))

    op.drop_table('screeningzonecount')
