"""a measurement's rencana aksi, kept apart from its analysis

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 17:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


# Plain ALTER TABLE, not a batch: SQLite (3.35+) adds and drops the column in place, where a batch would copy the
# table, which reminders refer to by foreign key.
def upgrade() -> None:
    op.add_column('measurement_cycles', sa.Column('rencana_aksi', sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column('measurement_cycles', 'rencana_aksi')
