"""staff, meal times and room turnover

Revision ID: a7c3d5e9f101
Revises: bffa5f48e60c
Create Date: 2026-11-23 16:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = "a7c3d5e9f101"
down_revision = "bffa5f48e60c"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
