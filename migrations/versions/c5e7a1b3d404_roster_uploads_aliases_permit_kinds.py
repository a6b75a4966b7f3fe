"""roster uploads in the database, vocabulary aliases, permit ID kinds

Revision ID: c5e7a1b3d404
Revises: c5f1d3b7e909
Create Date: 2026-12-01 11:24:30.188809

Uploaded rosters move from instance/uploads into roster_uploads, so every web worker reads
the same files; vocabulary_aliases keeps the spellings saved from roster decisions; people
may carry Hong Kong/Macau and Taiwan permits beside resident IDs and passports.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c5e7a1b3d404'
down_revision = 'c5f1d3b7e909'
branch_labels = None
depends_on = None

ID_KINDS = ('resident_id', 'passport', 'hkmo_permit', 'tw_permit')
OLD_ID_KINDS = ('resident_id', 'passport')


def upgrade():
    op.create_table('roster_uploads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('decisions', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('size >= 0', name=op.f('ck_roster_uploads_size_not_negative')),
    sa.ForeignKeyConstraint(['batch_id'], ['transfer_batches.id'], name=op.f('fk_roster_uploads_batch_id_transfer_batches'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_roster_uploads_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_uploads')),
    sa.UniqueConstraint('token', name=op.f('uq_roster_uploads_token'))
    )
    with op.batch_alter_table('roster_uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_uploads_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roster_uploads_created_at'), ['created_at'], unique=False)

    op.create_table('vocabulary_aliases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('alias', sa.String(length=100), nullable=False),
    sa.Column('alias_key', sa.String(length=100), nullable=False),
    sa.Column('category_code', sa.String(length=40), nullable=True),
    sa.Column('need_code', sa.String(length=40), nullable=True),
    sa.Column('diet_code', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("(kind = 'category') = (category_code IS NOT NULL)", name=op.f('ck_vocabulary_aliases_category_term')),
    sa.CheckConstraint("(kind = 'diet') = (diet_code IS NOT NULL)", name=op.f('ck_vocabulary_aliases_diet_term')),
    sa.CheckConstraint("(kind = 'need') = (need_code IS NOT NULL)", name=op.f('ck_vocabulary_aliases_need_term')),
    sa.CheckConstraint("kind IN ('category', 'need', 'diet')", name=op.f('ck_vocabulary_aliases_kind_known')),
    sa.ForeignKeyConstraint(['category_code'], ['categories.code'], name=op.f('fk_vocabulary_aliases_category_code_categories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_vocabulary_aliases_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['diet_code'], ['diets.code'], name=op.f('fk_vocabulary_aliases_diet_code_diets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['need_code'], ['needs.code'], name=op.f('fk_vocabulary_aliases_need_code_needs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vocabulary_aliases')),
    sa.UniqueConstraint('kind', 'alias_key', name='uq_vocabulary_aliases_kind_key')
    )
    _id_kinds(ID_KINDS)


def _id_kinds(kinds: tuple[str, ...]) -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_people_id_kind_known'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_people_id_kind_known'), f"id_kind IN {kinds!r}")


def downgrade():
    # People with a permit cannot stay under the old constraint: they are recorded as passport holders.
    op.execute("UPDATE people SET id_kind = 'passport' WHERE id_kind NOT IN ('resident_id', 'passport')")
    _id_kinds(OLD_ID_KINDS)
    op.drop_table('vocabulary_aliases')
    with op.batch_alter_table('roster_uploads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_uploads_created_at'))
        batch_op.drop_index(batch_op.f('ix_roster_uploads_batch_id'))

    op.drop_table('roster_uploads')
