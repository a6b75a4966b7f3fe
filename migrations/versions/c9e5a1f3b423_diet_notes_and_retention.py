"""diet notes for the kitchen apart from health notes; data retention days per policy

Revision ID: c9e5a1f3b423
Revises: b8d4f0e2a312
Create Date: 2026-12-01 14:45:00.000000

people.diet_note is what the meal rosters print (allergies, diet details); people.notes stays with
the site's staff. policies.retention_days: people released longer ago are anonymised (anonymised_at).
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c9e5a1f3b423'
down_revision = 'b8d4f0e2a312'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('diet_note', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('policies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_days', sa.Integer(), server_default='180', nullable=False))
        batch_op.create_check_constraint(op.f('ck_policies_retention_days_range'), 'retention_days BETWEEN 1 AND 3650')


def downgrade():
    with op.batch_alter_table('policies', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_policies_retention_days_range'), type_='check')
        batch_op.drop_column('retention_days')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')
        batch_op.drop_column('diet_note')
