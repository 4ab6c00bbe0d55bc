"""acting officials (Plt/Plh Sekretaris or Kepala Dinas for a range of days), and the capacity an audit row's
member acted in

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 00:40:00
"""

import sqlalchemy as sa
from alembic import op

from models.store.types import UTCDateTime

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'acting_officials',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('office', sa.Enum('admin', 'kepala', 'sekretaris', 'tim_sakip', 'kabid', 'staf', name='role',
                                    native_enum=False, length=18), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('plh', 'plt', name='actingkind', native_enum=False, length=11), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('starts_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('ends_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('ended_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('ended_by', sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_acting_officials_member_id_members')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_acting_officials')),
    )
    with op.batch_alter_table('acting_officials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_acting_officials_member_id'), ['member_id'], unique=False)
        batch_op.create_index('ix_acting_officials_office_ends_at', ['office', 'ends_at'], unique=False)
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('acting_as', sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_column('acting_as')
    with op.batch_alter_table('acting_officials', schema=None) as batch_op:
        batch_op.drop_index('ix_acting_officials_office_ends_at')
        batch_op.drop_index(batch_op.f('ix_acting_officials_member_id'))
    op.drop_table('acting_officials')
