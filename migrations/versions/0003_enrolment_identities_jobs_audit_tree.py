"""Enrolment ending and requests, sealed identities, resets, notices, paper consents,
sealed job results, Merkle audit tree, refusals

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 18:15:47.729502
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

import sabidamu.models.base

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('auditcheckpoint',
    sa.Column('tree_size', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('root_hash', sa.LargeBinary(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('at', sabidamu.models.base.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('tree_size')
    )
    op.create_table('auditnode',
    sa.Column('last_leaf', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('level', sa.SmallInteger(), autoincrement=False, nullable=False),
    sa.Column('hash', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('last_leaf', 'level')
    )
    op.create_table('refused_attempt',
    sa.Column('actor_id', sa.Uuid(), nullable=False),
    sa.Column('child_id', sa.Uuid(), nullable=False),
    sa.Column('logged_at', sabidamu.models.base.UTCDateTime(), nullable=False),
    sa.Column('unlogged', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('actor_id', 'child_id')
    )
    op.create_table('job_result',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('key_id', sa.Uuid(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('child_ids', sa.JSON(), nullable=False),
    sa.Column('mimetype', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('result_ct', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', sabidamu.models.base.UTCDateTime(), nullable=False),
    sa.Column('finished_at', sabidamu.models.base.UTCDateTime(), nullable=True),
    sa.Column('expires_at', sabidamu.models.base.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['key_id'], ['datakey.id'], ),
    sa.ForeignKeyConstraint(['org_id'], ['organization.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('job_result', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_result_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_result_key_id'), ['key_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_result_org_id'), ['org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_result_user_id'), ['user_id'], unique=False)

    op.create_table('passwordreset',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('secret_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sabidamu.models.base.UTCDateTime(), nullable=False),
    sa.Column('expires_at', sabidamu.models.base.UTCDateTime(), nullable=True),
    sa.Column('used_at', sabidamu.models.base.UTCDateTime(), nullable=True),
    sa.Column('issued_by', sa.Uuid(), nullable=True),
    sa.Column('payload_ct', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['issued_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('secret_hash')
    )
    with op.batch_alter_table('passwordreset', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_passwordreset_user_id'), ['user_id'], unique=False)

    op.create_table('notification',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('child_id', sa.Uuid(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('created_at', sabidamu.models.base.UTCDateTime(), nullable=False),
    sa.Column('read_at', sabidamu.models.base.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_user_id'), ['user_id'], unique=False)
        batch_op.create_index('ix_notification_user_unread', ['user_id', 'read_at'], unique=False)

    op.create_table('pendingpaperconsent',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('child_id', sa.Uuid(), nullable=False),
    sa.Column('purpose', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('recipient_org_id', sa.Uuid(), nullable=False),
    sa.Column('recipient_user_id', sa.Uuid(), nullable=True),
    sa.Column('parts', sa.JSON(), nullable=False),
    sa.Column('paper_date', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('key_id', sa.Uuid(), nullable=False),
    sa.Column('guardian_name_ct', sa.LargeBinary(), nullable=True),
    sa.Column('recorded_by', sa.Uuid(), nullable=False),
    sa.Column('recorded_role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('recorded_at', sabidamu.models.base.UTCDateTime(), nullable=False),
    sa.Column('decision', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('decided_by', sa.Uuid(), nullable=True),
    sa.Column('decided_at', sabidamu.models.base.UTCDateTime(), nullable=True),
    sa.Column('consent_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['child_id'], ['child.id'], ),
    sa.ForeignKeyConstraint(['consent_id'], ['consent.id'], ),
    sa.ForeignKeyConstraint(['decided_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['key_id'], ['datakey.id'], ),
    sa.ForeignKeyConstraint(['recipient_org_id'], ['organization.id'], ),
    sa.ForeignKeyConstraint(['recipient_user_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['recorded_by'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('pendingpaperconsent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pendingpaperconsent_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pendingpaperconsent_key_id'), ['key_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pendingpaperconsent_recipient_org_id'), ['recipient_org_id'], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        # A national log outgrows 2^31 events: the sequence number becomes 64-bit (SQLite's integer already is).
        op.alter_column('auditevent', 'seq', existing_type=sa.Integer(), type_=sa.BigInteger(), existing_nullable=False)
        op.execute("ALTER SEQUENCE IF EXISTS auditevent_seq_seq AS bigint")
    with op.batch_alter_table('auditevent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mac', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('leaf_index', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
                                      nullable=True))
        batch_op.create_index('ix_auditevent_pending', ['seq'], unique=False,
                              postgresql_where=sa.text('leaf_index IS NULL AND chain_hash IS NULL'),
                              sqlite_where=sa.text('leaf_index IS NULL AND chain_hash IS NULL'))
        batch_op.create_unique_constraint('uq_auditevent_leaf_index', ['leaf_index'])

    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirm_org_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('ended_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('end_reason', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True))
        batch_op.create_foreign_key('fk_enrollment_confirm_org_id', 'organization', ['confirm_org_id'], ['id'])

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('full_name_ct', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('email_ct', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('phone_ct', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('email_index', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('phone_index', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('unconfirmed', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('privacy_version', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('deactivated_at', sabidamu.models.base.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_user_key_id'), ['key_id'], unique=False)
        batch_op.create_unique_constraint('uq_user_email_index', ['email_index'])
        batch_op.create_unique_constraint('uq_user_phone_index', ['phone_index'])
        batch_op.create_foreign_key('fk_user_key_id', 'datakey', ['key_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint('fk_user_key_id', type_='foreignkey')
        batch_op.drop_constraint('uq_user_phone_index', type_='unique')
        batch_op.drop_constraint('uq_user_email_index', type_='unique')
        batch_op.drop_index(batch_op.f('ix_user_key_id'))
        batch_op.drop_column('deactivated_at')
        batch_op.drop_column('must_change_password')
        batch_op.drop_column('privacy_version')
        batch_op.drop_column('unconfirmed')
        batch_op.drop_column('phone_index')
        batch_op.drop_column('email_index')
        batch_op.drop_column('phone_ct')
        batch_op.drop_column('email_ct')
        batch_op.drop_column('full_name_ct')
        batch_op.drop_column('key_id')

    with op.batch_alter_table('enrollment', schema=None) as batch_op:
        batch_op.drop_constraint('fk_enrollment_confirm_org_id', type_='foreignkey')
        batch_op.drop_column('end_reason')
        batch_op.drop_column('ended_on')
        batch_op.drop_column('confirm_org_id')

    with op.batch_alter_table('auditevent', schema=None) as batch_op:
        batch_op.drop_constraint('uq_auditevent_leaf_index', type_='unique')
        batch_op.drop_index('ix_auditevent_pending',
                            postgresql_where=sa.text('leaf_index IS NULL AND chain_hash IS NULL'),
                            sqlite_where=sa.text('leaf_index IS NULL AND chain_hash IS NULL'))
        batch_op.drop_column('leaf_index')
        batch_op.drop_column('mac')

    with op.batch_alter_table('pendingpaperconsent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pendingpaperconsent_recipient_org_id'))
        batch_op.drop_index(batch_op.f('ix_pendingpaperconsent_key_id'))
        batch_op.drop_index(batch_op.f('ix_pendingpaperconsent_child_id'))

    op.drop_table('pendingpaperconsent')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_unread')
        batch_op.drop_index(batch_op.f('ix_notification_user_id'))
        batch_op.drop_index(batch_op.f('ix_notification_child_id'))

    op.drop_table('notification')
    with op.batch_alter_table('passwordreset', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_passwordreset_user_id'))

    op.drop_table('passwordreset')
    with op.batch_alter_table('job_result', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_result_user_id'))
        batch_op.drop_index(batch_op.f('ix_job_result_org_id'))
        batch_op.drop_index(batch_op.f('ix_job_result_key_id'))
        batch_op.drop_index(batch_op.f('ix_job_result_expires_at'))

    op.drop_table('job_result')
    op.drop_table('refused_attempt')
    op.drop_table('auditnode')
    op.drop_table('auditcheckpoint')
