"""the Perjanjian Kinerja of each year and its PK Perubahan: target rows valid from a date, and dropped rows

Every existing target row is its year's PK, valid from 1 January.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 19:30:00
"""

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

targets = sa.table('indicator_targets', sa.column('id', sa.Integer), sa.column('indicator_id', sa.Integer),
                   sa.column('year', sa.Integer),
                   sa.column('valid_from', sa.Date), sa.column('dropped', sa.Boolean))


def upgrade() -> None:
    with op.batch_alter_table('indicator_targets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('valid_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('dropped', sa.Boolean(), nullable=False, server_default=sa.false()))
    connection = op.get_bind()
    for year, in connection.execute(sa.select(targets.c.year).distinct()).all():
        connection.execute(targets.update().where(targets.c.year == year).values(valid_from=date(year, 1, 1)))
    with op.batch_alter_table('indicator_targets', schema=None) as batch_op:
        batch_op.alter_column('valid_from', existing_type=sa.Date(), nullable=False)
        batch_op.alter_column('dropped', existing_type=sa.Boolean(), server_default=None)
        batch_op.drop_constraint('uq_indicator_targets_indicator_id_year', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_indicator_targets_indicator_id_year_valid_from'),
                                          ['indicator_id', 'year', 'valid_from'])


def downgrade() -> None:
    """Back to one row per indicator and year: each year's first row stays (the PK of 1 January), unless it
    was dropped; PK Perubahan rows go."""
    connection = op.get_bind()
    rows = connection.execute(sa.select(targets.c.id, targets.c.indicator_id, targets.c.year, targets.c.dropped)
                              .order_by(targets.c.valid_from, targets.c.id)).all()
    seen, gone = set(), []
    for row in rows:
        if (row.indicator_id, row.year) in seen or row.dropped:
            gone.append(row.id)
        seen.add((row.indicator_id, row.year))
    if gone:
        connection.execute(targets.delete().where(targets.c.id.in_(gone)))
    with op.batch_alter_table('indicator_targets', schema=None) as batch_op:
        batch_op.drop_constraint('uq_indicator_targets_indicator_id_year_valid_from', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_indicator_targets_indicator_id_year'),
                                          ['indicator_id', 'year'])
        batch_op.drop_column('dropped')
        batch_op.drop_column('valid_from')
