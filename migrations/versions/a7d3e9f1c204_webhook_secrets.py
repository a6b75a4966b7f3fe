"""webhook secrets: each site's key for signing the messages to its webhook

Revision ID: a7d3e9f1c204
Revises: f4b2d6e8a101
Create Date: 2026-12-01 21:40:00.000000
"""
import secrets

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a7d3e9f1c204'
down_revision = 'f4b2d6e8a101'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.add_column(sa.Column('webhook_secret', sa.String(length=64), server_default='', nullable=False))
    # Sites that already have a webhook get their key now, so every message from here on is signed.
    sites = sa.table('sites', sa.column('id', sa.Integer), sa.column('webhook_url', sa.String),
                     sa.column('webhook_secret', sa.String))
    connection = op.get_bind()
    for (site_id,) in connection.execute(sa.select(sites.c.id).where(sites.c.webhook_url != '')).all():
        connection.execute(sites.update().where(sites.c.id == site_id).values(webhook_secret=secrets.token_hex(32)))


def downgrade():
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.drop_column('webhook_secret')
