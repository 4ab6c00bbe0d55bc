"""reminders of procedure B: a reminder is about a period or a triwulan's measurement

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 09:30:00
"""

import json

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

OLD_TASKS = ('isi', 'verifikasi', 'laporan', 'disposisi')
NEW_TASKS = OLD_TASKS + ('ukur_laporan', 'ukur_verifikasi', 'ukur_laporan_kepala', 'ukur_disposisi')


def upgrade() -> None:
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('measurement_id', sa.Integer(), nullable=True))
        batch_op.alter_column('period_id', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('task', existing_type=sa.Enum(*OLD_TASKS, name='task', native_enum=False, length=18),
                              type_=sa.Enum(*NEW_TASKS, name='task', native_enum=False, length=27),
                              existing_nullable=False)
        batch_op.create_index(batch_op.f('ix_reminders_measurement_id'), ['measurement_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_reminders_measurement_id_measurement_cycles'),
                                    'measurement_cycles', ['measurement_id'], ['id'])
        batch_op.create_unique_constraint(batch_op.f('uq_reminders_measurement_id_member_id_task'),
                                          ['measurement_id', 'member_id', 'task'])


def downgrade() -> None:
    connection = op.get_bind()
    gone = {row.id for row in connection.execute(sa.text("SELECT id FROM reminders WHERE measurement_id IS NOT NULL"))}
    if gone:  # their pending notifications too, or delivery would look for reminders that are no longer there
        pending = connection.execute(sa.text("SELECT id, params FROM outbox WHERE kind = 'reminder' "
                                             "AND status = 'pending'")).all()
        doomed = [row.id for row in pending if json.loads(row.params).get("reminder_id") in gone]
        if doomed:
            connection.execute(sa.text("DELETE FROM outbox WHERE id IN :ids")
                               .bindparams(sa.bindparam("ids", expanding=True)), {"ids": doomed})
        op.execute("DELETE FROM reminders WHERE measurement_id IS NOT NULL")
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_reminders_measurement_id_member_id_task'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_reminders_measurement_id_measurement_cycles'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_reminders_measurement_id'))
        batch_op.alter_column('task', existing_type=sa.Enum(*NEW_TASKS, name='task', native_enum=False, length=27),
                              type_=sa.Enum(*OLD_TASKS, name='task', native_enum=False, length=18),
                              existing_nullable=False)
        batch_op.alter_column('period_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('measurement_id')
