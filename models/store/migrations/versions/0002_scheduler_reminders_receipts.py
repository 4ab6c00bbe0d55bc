"""scheduler: reminders, form receipts, the period's opening moment, outbox parts

Periods opened before this revision get their creation time as their opening moment (the best record there
is), so the mutu baku clock has a start for them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 18:46:36.031105
"""

import sqlalchemy as sa
from alembic import op

import models.store.types

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('form_receipts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('received_at', models.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_form_receipts_member_id_members')),
    sa.ForeignKeyConstraint(['period_id'], ['periods.id'], name=op.f('fk_form_receipts_period_id_periods')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_receipts')),
    sa.UniqueConstraint('period_id', 'member_id', name=op.f('uq_form_receipts_period_id_member_id'))
    )
    with op.batch_alter_table('form_receipts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_receipts_period_id'), ['period_id'], unique=False)

    op.create_table('reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('task', sa.Enum('isi', 'verifikasi', 'laporan', 'disposisi', name='task', native_enum=False, length=18), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('sent_count', sa.Integer(), nullable=False),
    sa.Column('last_slot_at', models.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('snoozed_until', models.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('message_id', sa.BigInteger(), nullable=True),
    sa.Column('closed_at', models.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', models.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_reminders_member_id_members')),
    sa.ForeignKeyConstraint(['period_id'], ['periods.id'], name=op.f('fk_reminders_period_id_periods')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_reminders_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders')),
    sa.UniqueConstraint('period_id', 'member_id', 'task', name=op.f('uq_reminders_period_id_member_id_task'))
    )
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminders_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminders_period_id'), ['period_id'], unique=False)

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parts_sent', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('claimed_until', models.store.types.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('periods', schema=None) as batch_op:
        batch_op.add_column(sa.Column('opened_at', models.store.types.UTCDateTime(timezone=True), nullable=True))
    op.execute("UPDATE periods SET opened_at = created_at WHERE status <> 'draft'")


def downgrade() -> None:
    with op.batch_alter_table('periods', schema=None) as batch_op:
        batch_op.drop_column('opened_at')

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('claimed_until')
        batch_op.drop_column('parts_sent')

    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminders_period_id'))
        batch_op.drop_index(batch_op.f('ix_reminders_member_id'))

    op.drop_table('reminders')
    with op.batch_alter_table('form_receipts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_receipts_period_id'))

    op.drop_table('form_receipts')
