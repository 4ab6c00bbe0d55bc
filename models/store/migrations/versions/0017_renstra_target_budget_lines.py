"""an indicator's Renstra end target (and its year), and the budget line of a program or kegiatan

`budget_of_id`: the indicator is the realisasi anggaran of that program or kegiatan (its annual target is the
pagu), created by the PK import from the `pagu` column.

Revision ID: 0017
Revises: 0013
Create Date: 2026-12-06 01:00:00
"""

import sqlalchemy as sa
from alembic import op

import models.store.types

revision = '0017'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE (no batch copy of `indicators`, which the other tables reference): `budget_of_id` is an
    # indexed id without a foreign key, so SQLite can drop the columns again.
    op.add_column('indicators', sa.Column('target_renstra', models.store.types.DecimalValue(precision=28, scale=8),
                                          nullable=True))
    op.add_column('indicators', sa.Column('tahun_renstra', sa.Integer(), nullable=True))
    op.add_column('indicators', sa.Column('budget_of_id', sa.Integer(), nullable=True))
    op.create_index(op.f('ix_indicators_budget_of_id'), 'indicators', ['budget_of_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_indicators_budget_of_id'), table_name='indicators')
    op.drop_column('indicators', 'budget_of_id')
    op.drop_column('indicators', 'tahun_renstra')
    op.drop_column('indicators', 'target_renstra')
