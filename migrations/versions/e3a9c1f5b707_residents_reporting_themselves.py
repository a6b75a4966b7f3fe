"""residents reporting themselves: door-card links, self-reported temperatures and symptoms, requests

Revision ID: e3a9c1f5b707
Revises: c5e7a1b3d404
Create Date: 2026-12-01 12:42:36.272514

self_report_links holds the personal link of each resident (revocable, ended with the stay);
self_reports what residents report for a morning or evening; resident_requests their requests to
the staff; temperature readings say whether staff measured them or the resident reported them.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e3a9c1f5b707'
down_revision = 'c5e7a1b3d404'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('resident_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('handled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('handled_by_id', sa.Integer(), nullable=True),
    sa.Column('handled_note', sa.String(length=200), nullable=False),
    sa.CheckConstraint("kind IN ('diet', 'medicine', 'call_back', 'other')", name=op.f('ck_resident_requests_kind_known')),
    sa.ForeignKeyConstraint(['handled_by_id'], ['users.id'], name=op.f('fk_resident_requests_handled_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_resident_requests_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_resident_requests_site_id_sites'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resident_requests'))
    )
    with op.batch_alter_table('resident_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resident_requests_person_id'), ['person_id'], unique=False)
        batch_op.create_index('ix_resident_requests_site_open', ['site_id', 'handled_at'], unique=False)

    op.create_table('self_report_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('nonce', sa.String(length=24), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_self_report_links_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_self_report_links_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_self_report_links'))
    )
    with op.batch_alter_table('self_report_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_self_report_links_person_id'), ['person_id'], unique=False)
        batch_op.create_index('uq_self_report_links_one_live_per_person', ['person_id'], unique=True, sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))

    op.create_table('self_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=True),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('celsius', sa.Float(), nullable=True),
    sa.Column('symptoms', sa.String(length=120), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('seen_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("celsius IS NOT NULL OR symptoms != ''", name=op.f('ck_self_reports_something_reported')),
    sa.CheckConstraint("period IN ('morning', 'evening')", name=op.f('ck_self_reports_period_known')),
    sa.CheckConstraint('celsius IS NULL OR (celsius >= 34.0 AND celsius <= 43.0)', name=op.f('ck_self_reports_celsius_range')),
    sa.ForeignKeyConstraint(['link_id'], ['self_report_links.id'], name=op.f('fk_self_reports_link_id_self_report_links'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_self_reports_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['seen_by_id'], ['users.id'], name=op.f('fk_self_reports_seen_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_self_reports_site_id_sites'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_self_reports')),
    sa.UniqueConstraint('person_id', 'day', 'period', name='uq_self_reports_person_day_period')
    )
    with op.batch_alter_table('self_reports', schema=None) as batch_op:
        batch_op.create_index('ix_self_reports_site_day', ['site_id', 'day'], unique=False)

    with op.batch_alter_table('temperature_readings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=5), server_default='staff', nullable=False))
        batch_op.create_check_constraint(op.f('ck_temperature_readings_source_known'), "source IN ('staff', 'self')")



def downgrade():
    # Readings residents reported stay as readings; only who took them is forgotten.
    with op.batch_alter_table('temperature_readings', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_temperature_readings_source_known'), type_='check')
        batch_op.drop_column('source')

    with op.batch_alter_table('self_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_self_reports_site_day')

    op.drop_table('self_reports')
    with op.batch_alter_table('self_report_links', schema=None) as batch_op:
        batch_op.drop_index('uq_self_report_links_one_live_per_person', sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_self_report_links_person_id'))

    op.drop_table('self_report_links')
    with op.batch_alter_table('resident_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_resident_requests_site_open')
        batch_op.drop_index(batch_op.f('ix_resident_requests_person_id'))

    op.drop_table('resident_requests')
