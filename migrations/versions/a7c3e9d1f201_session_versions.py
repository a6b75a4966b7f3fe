"""session versions: every session of an account can be ended at once

Revision ID: a7c3e9d1f201
Revises: e3a9c1f5b707
Create Date: 2026-12-01 14:30:00.000000

users.session_version is part of what the session cookie holds; sign-out, a password reset or
change, deactivation and a role change raise it, so every earlier session stops working.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a7c3e9d1f201'
down_revision = 'e3a9c1f5b707'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
