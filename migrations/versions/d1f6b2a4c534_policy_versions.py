"""policy versions: an edit of a policy in use makes a new dated version

Revision ID: d1f6b2a4c534
Revises: c9e5a1f3b423
Create Date: 2026-12-01 14:55:00.000000

A policy people were placed under is never rewritten: the edit becomes a new row, the earlier one is
marked superseded (superseded_at, superseded_by_id) and kept for its residents. Names and start days
are unique among the current versions only.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd1f6b2a4c534'
down_revision = 'c9e5a1f3b423'
branch_labels = None
depends_on = None

CURRENT = sa.text("superseded_at IS NULL")


def upgrade():
    with op.batch_alter_table('policies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('superseded_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_policies_superseded_by_id_policies'), 'policies',
                                    ['superseded_by_id'], ['id'], ondelete='SET NULL')
        batch_op.drop_constraint('uq_policies_name', type_='unique')
        batch_op.drop_constraint('uq_policies_effective_from', type_='unique')
    with op.batch_alter_table('policies', schema=None) as batch_op:
        batch_op.create_index('uq_policies_current_name', ['name'], unique=True,
                              sqlite_where=CURRENT, postgresql_where=CURRENT)
        batch_op.create_index('uq_policies_current_effective_from', ['effective_from'], unique=True,
                              sqlite_where=CURRENT, postgresql_where=CURRENT)


def downgrade():
    # Earlier versions cannot keep their names once they must be unique again: their people move to the
    # version that replaced them (following chains of edits), then the earlier versions go.
    for _ in range(20):
        op.execute("UPDATE people SET policy_id = (SELECT p.superseded_by_id FROM policies p WHERE p.id = people.policy_id) "
                   "WHERE policy_id IN (SELECT id FROM policies WHERE superseded_by_id IS NOT NULL)")
    op.execute("DELETE FROM policies WHERE superseded_at IS NOT NULL")
    with op.batch_alter_table('policies', schema=None) as batch_op:
        batch_op.drop_index('uq_policies_current_effective_from')
        batch_op.drop_index('uq_policies_current_name')
    with op.batch_alter_table('policies', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_policies_effective_from', ['effective_from'])
        batch_op.create_unique_constraint('uq_policies_name', ['name'])
        batch_op.drop_constraint(batch_op.f('fk_policies_superseded_by_id_policies'), type_='foreignkey')
        batch_op.drop_column('superseded_by_id')
        batch_op.drop_column('superseded_at')
