"""the audit log indexed by the thing an entry is about (a form's mark is read at every summary)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 18:35:00
"""

from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_audit_log_entity', 'audit_log', ['entity', 'entity_id'])


def downgrade() -> None:
    op.drop_index('ix_audit_log_entity', table_name='audit_log')
