"""the inbox of updates, each chat's shared pace, the leader's term on outbox claims

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 18:46:02.021458
"""

import sqlalchemy as sa
from alembic import op

import models.store.types

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('chat_pace',
    sa.Column('chat_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('due', sa.Double(), nullable=False),
    sa.PrimaryKeyConstraint('chat_id', name=op.f('pk_chat_pace'))
    )
    op.create_table('inbox_updates',
    sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('received_at', models.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('claimed_until', models.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('handled_at', models.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('gave_up', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('update_id', name=op.f('pk_inbox_updates'))
    )
    with op.batch_alter_table('inbox_updates', schema=None) as batch_op:
        batch_op.create_index('ix_inbox_updates_chat', ['chat_id', 'update_id'], unique=False)
        batch_op.create_index('ix_inbox_updates_pending', ['handled_at', 'update_id'], unique=False)

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=64), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('claimed_by')

    with op.batch_alter_table('inbox_updates', schema=None) as batch_op:
        batch_op.drop_index('ix_inbox_updates_pending')
        batch_op.drop_index('ix_inbox_updates_chat')

    op.drop_table('inbox_updates')
    op.drop_table('chat_pace')
