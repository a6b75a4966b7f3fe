"""quarantine clock, PCR tests, daily checks and reports

Revision ID: b8d4e6f0a202
Revises: a7c3d5e9f101
Create Date: 2026-11-23 16:00:01
"""
from alembic import op
import sqlalchemy as sa

revision = "b8d4e6f0a202"
down_revision = "a7c3d5e9f101"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
