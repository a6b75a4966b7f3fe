"""release reminders: one per site and day, with the webhook delivery of each

Revision ID: f4c8d2e6a915
Revises: d1f6b2a4c534
Create Date: 2026-12-01 15:30:00.000000
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f4c8d2e6a915'
down_revision = 'd1f6b2a4c534'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'release_reminders',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('due', sa.Integer(), nullable=False),
        sa.Column('overdue', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('webhook_status', sa.String(length=10), nullable=False),
        sa.Column('webhook_attempts', sa.Integer(), nullable=False),
        sa.Column('webhook_error', sa.Text(), nullable=False),
        sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint('due >= 0 AND overdue >= 0 AND due + overdue > 0',
                           name=op.f('ck_release_reminders_someone_due')),
        sa.CheckConstraint("webhook_status IN ('', 'pending', 'delivered', 'failed')",
                           name=op.f('ck_release_reminders_webhook_status_known')),
        sa.CheckConstraint('webhook_attempts >= 0', name=op.f('ck_release_reminders_webhook_attempts_not_negative')),
        sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_release_reminders_site_id_sites'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_release_reminders')),
        sa.UniqueConstraint('site_id', 'day', name='uq_release_reminders_site_day'),
    )
    with op.batch_alter_table('release_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_release_reminders_site_id'), ['site_id'], unique=False)


def downgrade():
    with op.batch_alter_table('release_reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_release_reminders_site_id'))
    op.drop_table('release_reminders')
