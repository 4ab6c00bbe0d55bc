"""sent cards: every copy of a decision card as delivered, so that a decision edits all of them

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 00:45:00
"""

import sqlalchemy as sa
from alembic import op

import models.store.types

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sent_cards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('review', 'unlock', 'report_ready', 'kepala_report', 'measurement_review', 'measurement_report', name='cardkind', native_enum=False, length=26), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('chat_id', sa.BigInteger(), nullable=True),
    sa.Column('message_id', sa.BigInteger(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('buttons', sa.Text(), nullable=False),
    sa.Column('created_at', models.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.Enum('approved', 'returned', 'granted', 'refused', 'reported', 'agreed', 'arahan', name='outcome', native_enum=False, length=16), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', models.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['members.id'], name=op.f('fk_sent_cards_decided_by_id_members')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_sent_cards_member_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sent_cards'))
    )
    with op.batch_alter_table('sent_cards', schema=None) as batch_op:
        batch_op.create_index('ix_sent_cards_card', ['kind', 'entity_id', 'version'], unique=False)
        batch_op.create_index('ix_sent_cards_message', ['chat_id', 'message_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sent_cards', schema=None) as batch_op:
        batch_op.drop_index('ix_sent_cards_message')
        batch_op.drop_index('ix_sent_cards_card')
    op.drop_table('sent_cards')
