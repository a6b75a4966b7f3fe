"""beds checked in and beds reserved counted apart; indexes for who is in a room now

Revision ID: c1a2b3d4e5f6
Revises: b8d4e6f0a202
Create Date: 2026-12-01 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c1a2b3d4e5f6'
down_revision = 'b8d4e6f0a202'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rooms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reserved', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('slept_in', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.drop_constraint(op.f('ck_rooms_occupants_within_beds'), type_='check')
        batch_op.drop_constraint(op.f('ck_rooms_occupied_iff_occupants'), type_='check')
    # Until now `occupants` counted both; split it by what actually holds each bed.
    op.execute("""
        UPDATE rooms SET
          reserved = (SELECT count(*) FROM reservations r WHERE r.room_id = rooms.id AND r.status = 'reserved'),
          occupants = (SELECT count(*) FROM stays s WHERE s.room_id = rooms.id AND s.check_out_at IS NULL)
    """)
    op.execute("UPDATE rooms SET slept_in = (occupants > 0)")
    with op.batch_alter_table('rooms', schema=None) as batch_op:
        batch_op.create_check_constraint('reserved_not_negative', 'reserved >= 0')
        batch_op.create_check_constraint('held_within_beds', 'occupants + reserved <= beds')
        batch_op.create_check_constraint('occupied_iff_held', "(status = 'occupied') = (occupants + reserved > 0)")
        batch_op.alter_column('reserved', server_default=None)
        batch_op.alter_column('slept_in', server_default=None)
    op.create_index('ix_stays_open_room', 'stays', ['room_id'], unique=False,
                    sqlite_where=sa.text('check_out_at IS NULL'), postgresql_where=sa.text('check_out_at IS NULL'))
    op.create_index('ix_reservations_live_room', 'reservations', ['room_id'], unique=False,
                    sqlite_where=sa.text("status = 'reserved'"), postgresql_where=sa.text("status = 'reserved'"))


def downgrade():
    op.drop_index('ix_reservations_live_room', table_name='reservations')
    op.drop_index('ix_stays_open_room', table_name='stays')
    with op.batch_alter_table('rooms', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_rooms_occupied_iff_held'), type_='check')
        batch_op.drop_constraint(op.f('ck_rooms_held_within_beds'), type_='check')
        batch_op.drop_constraint(op.f('ck_rooms_reserved_not_negative'), type_='check')
    op.execute("UPDATE rooms SET occupants = occupants + reserved")
    with op.batch_alter_table('rooms', schema=None) as batch_op:
        batch_op.drop_column('slept_in')
        batch_op.drop_column('reserved')
        batch_op.create_check_constraint('occupants_within_beds', 'occupants <= beds')
        batch_op.create_check_constraint('occupied_iff_occupants', "(status = 'occupied') = (occupants > 0)")
