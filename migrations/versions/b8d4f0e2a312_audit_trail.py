"""audit trail: who did what, when, to which record, before and after

Revision ID: b8d4f0e2a312
Revises: a7c3e9d1f201
Create Date: 2026-12-01 14:40:00.000000

audit_events is append-only: the app inserts and never changes or deletes a row (only the
retention job blanks the personal values of people it anonymises).
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b8d4f0e2a312'
down_revision = 'a7c3e9d1f201'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=45), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('entity', sa.String(length=30), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('detail', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_events_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_events_person_at', ['person_id', 'at'], unique=False)
        batch_op.create_index('ix_audit_events_site_at', ['site_id', 'at'], unique=False)
        batch_op.create_index('ix_audit_events_user_at', ['user_id', 'at'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        # The database itself refuses changes and deletions; the only updates let through are the
        # retention job's blanking (it sets quarantine.audit_redact in its transaction) and the
        # foreign key's SET NULL when an account is deleted.
        op.execute(APPEND_ONLY_FUNCTION)
        op.execute("CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
                   "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()")


def downgrade():
    op.drop_table('audit_events')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_events_append_only()")


# Every column but the one each allowed update may change must stay as it was.
SAME = " AND ".join(f"NEW.{c} IS NOT DISTINCT FROM OLD.{c}" for c in (
    "id", "at", "username", "address", "action", "entity", "entity_id", "person_id", "site_id", "detail"))
APPEND_ONLY_FUNCTION = f"""
CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND {SAME} AND (
       (current_setting('quarantine.audit_redact', true) = 'on' AND NEW.user_id IS NOT DISTINCT FROM OLD.user_id)
       OR (NEW.user_id IS NULL AND OLD.user_id IS NOT NULL AND NEW.changes::text = OLD.changes::text)) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only';
END
$$ LANGUAGE plpgsql
"""
