"""county view: confirmations, arrival notices, API tokens

Revision ID: f4b2d6e8a101
Revises: f4c8d2e6a915
Create Date: 2026-12-01 14:21:37.737822

Sites say when their rooms, staff and daily report were last confirmed (a policy says after how many
hours headquarters flags them as stale) and may name a webhook; arrival_notices tell each receiving
site what a committed plan sends it; api_tokens hold the hashes of the REST API's tokens.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f4b2d6e8a101'
down_revision = 'f4c8d2e6a915'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_api_tokens_revoked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('arrival_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_run_id', sa.Integer(), nullable=True),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('batch_codes', sa.String(length=400), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('rooms', sa.Integer(), nullable=False),
    sa.Column('expected_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
    sa.Column('webhook_status', sa.String(length=10), nullable=False),
    sa.Column('webhook_attempts', sa.Integer(), nullable=False),
    sa.Column('webhook_error', sa.Text(), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("webhook_status IN ('', 'pending', 'delivered', 'failed')", name=op.f('ck_arrival_notices_webhook_status_known')),
    sa.CheckConstraint('people >= 0 AND rooms >= 0', name=op.f('ck_arrival_notices_counts_not_negative')),
    sa.CheckConstraint('webhook_attempts >= 0', name=op.f('ck_arrival_notices_webhook_attempts_not_negative')),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['users.id'], name=op.f('fk_arrival_notices_acknowledged_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['plan_run_id'], ['plan_runs.id'], name=op.f('fk_arrival_notices_plan_run_id_plan_runs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_arrival_notices_site_id_sites'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_arrival_notices')),
    sa.UniqueConstraint('plan_run_id', 'site_id', name='uq_arrival_notices_run_site')
    )
    with op.batch_alter_table('arrival_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_arrival_notices_site_id'), ['site_id'], unique=False)

    with op.batch_alter_table('policies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('figures_stale_hours', sa.Integer(), server_default='24', nullable=False))
        batch_op.create_check_constraint('figures_stale_hours_range', 'figures_stale_hours BETWEEN 1 AND 720')

    with op.batch_alter_table('temperature_readings', schema=None) as batch_op:
        batch_op.create_index('ix_temperature_readings_day_celsius', ['day', 'celsius'], unique=False)

    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rooms_confirmed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('staff_confirmed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('report_confirmed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('webhook_url', sa.String(length=500), server_default='', nullable=False))



def downgrade():
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.drop_column('webhook_url')
        batch_op.drop_column('report_confirmed_at')
        batch_op.drop_column('staff_confirmed_at')
        batch_op.drop_column('rooms_confirmed_at')

    with op.batch_alter_table('temperature_readings', schema=None) as batch_op:
        batch_op.drop_index('ix_temperature_readings_day_celsius')

    with op.batch_alter_table('policies', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_policies_figures_stale_hours_range'), type_='check')
        batch_op.drop_column('figures_stale_hours')

    with op.batch_alter_table('arrival_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_arrival_notices_site_id'))

    op.drop_table('arrival_notices')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
