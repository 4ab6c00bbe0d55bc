"""a returned item knows the unlock request that reopened it (the unit asked; it carries no arahan)

Items reopened by an unlock granted before this migration are found again: the item of the request's indicator in
the latest return of its form made at or before the grant.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 23:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

requests = sa.table('unlock_requests', sa.column('id', sa.Integer), sa.column('form_id', sa.Integer),
                    sa.column('indicator_id', sa.Integer), sa.column('status', sa.String),
                    sa.column('decided_at'))
reviews = sa.table('reviews', sa.column('id', sa.Integer), sa.column('form_id', sa.Integer),
                   sa.column('decision', sa.String), sa.column('created_at'))
items = sa.table('review_items', sa.column('id', sa.Integer), sa.column('review_id', sa.Integer),
                 sa.column('indicator_id', sa.Integer), sa.column('unlock_request_id', sa.Integer))


def upgrade() -> None:
    with op.batch_alter_table('review_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unlock_request_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_review_items_unlock_request_id_unlock_requests'),
                                    'unlock_requests', ['unlock_request_id'], ['id'])
    connection = op.get_bind()
    granted = connection.execute(sa.select(requests.c.id, requests.c.form_id, requests.c.indicator_id)
                                 .where(requests.c.status == 'granted').order_by(requests.c.id)).all()
    for request in granted:  # compared in SQL: the stored form of a time differs by backend
        decided_at = sa.select(requests.c.decided_at).where(requests.c.id == request.id)
        item = connection.execute(
            sa.select(items.c.id).join(reviews, reviews.c.id == items.c.review_id)
            .where(reviews.c.form_id == request.form_id, reviews.c.decision == 'return',
                   reviews.c.created_at <= decided_at.scalar_subquery(), items.c.indicator_id == request.indicator_id,
                   items.c.unlock_request_id.is_(None))
            .order_by(reviews.c.id.desc()).limit(1)).first()
        if item is not None:
            connection.execute(items.update().where(items.c.id == item.id).values(unlock_request_id=request.id))


def downgrade() -> None:
    with op.batch_alter_table('review_items', schema=None) as batch_op:
        batch_op.drop_constraint('fk_review_items_unlock_request_id_unlock_requests', type_='foreignkey')
        batch_op.drop_column('unlock_request_id')
