"""measurement cycles (SOP procedure B) and archived documents (the filed Laporan PDF of a period)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 20:16:23.002292
"""

import sqlalchemy as sa
from alembic import op

import models.store.types

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('archived_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_code', sa.String(length=20), nullable=False),
    sa.Column('procedure', sa.Enum('pengumpulan', 'pengukuran', name='procedure', native_enum=False, length=19), nullable=False),
    sa.Column('filename', sa.String(length=120), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', models.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_archived_documents')),
    sa.UniqueConstraint('period_code', 'procedure', name=op.f('uq_archived_documents_period_code_procedure'))
    )
    op.create_table('measurement_cycles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', 'returned', 'approved', 'reported', 'archived', name='measurementstatus', native_enum=False, length=17), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('analysis', sa.Text(), nullable=True),
    sa.Column('return_arahan', sa.Text(), nullable=True),
    sa.Column('ready_at', models.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', models.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', models.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', models.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reported_at', models.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reported_by_id', sa.Integer(), nullable=True),
    sa.Column('disposed_at', models.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('kepala_id', sa.Integer(), nullable=True),
    sa.Column('decision', sa.Enum('setuju', 'arahan', name='dispositiondecision', native_enum=False, length=14), nullable=True),
    sa.Column('arahan', sa.Text(), nullable=True),
    sa.Column('archived_at', models.store.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['members.id'], name=op.f('fk_measurement_cycles_decided_by_id_members')),
    sa.ForeignKeyConstraint(['kepala_id'], ['members.id'], name=op.f('fk_measurement_cycles_kepala_id_members')),
    sa.ForeignKeyConstraint(['reported_by_id'], ['members.id'], name=op.f('fk_measurement_cycles_reported_by_id_members')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['members.id'], name=op.f('fk_measurement_cycles_submitted_by_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measurement_cycles')),
    sa.UniqueConstraint('year', 'quarter', name=op.f('uq_measurement_cycles_year_quarter'))
    )


def downgrade() -> None:
    op.drop_table('measurement_cycles')
    op.drop_table('archived_documents')
