"""follow-ups name their indicators and carry the unit's note; "Setuju" archives after an undo window

Revision ID: 0013
Revises: 0009
Create Date: 2026-12-06 00:30:00
"""

import sqlalchemy as sa
from alembic import op

import models.store.types

revision = '0013'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'follow_up_indicators',
        sa.Column('follow_up_id', sa.Integer(), nullable=False),
        sa.Column('indicator_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['follow_up_id'], ['follow_ups.id'],
                                name=op.f('fk_follow_up_indicators_follow_up_id_follow_ups')),
        sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'],
                                name=op.f('fk_follow_up_indicators_indicator_id_indicators')),
        sa.PrimaryKeyConstraint('follow_up_id', 'indicator_id', name=op.f('pk_follow_up_indicators')),
    )
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('done_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_follow_ups_done_by_id_members'), 'members', ['done_by_id'], ['id'])
    with op.batch_alter_table('dispositions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archive_after', models.store.types.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('dispositions', schema=None) as batch_op:
        batch_op.drop_column('archive_after')
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_constraint('fk_follow_ups_done_by_id_members', type_='foreignkey')
        batch_op.drop_column('note')
        batch_op.drop_column('done_by_id')
    op.drop_table('follow_up_indicators')
