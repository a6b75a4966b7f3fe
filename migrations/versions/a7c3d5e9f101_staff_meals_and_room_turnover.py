"""staff, meal times and room turnover

Revision ID: a7c3d5e9f101
Revises: bffa5f48e60c
Create Date: 2026-11-23 16:00:00

Room turnover needs no new columns: rooms already carry status, status_reason and
expected_return, and room_events records who changed what and when.
"""
from alembic import op
import sqlalchemy as sa

revision = "a7c3d5e9f101"
down_revision = "bffa5f48e60c"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "staff_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("phone", sa.String(length=30), nullable=False),
        sa.Column("work_group", sa.String(length=20), nullable=False),
        sa.Column("medical_role", sa.String(length=10), nullable=False),
        sa.Column("zone_id", sa.Integer(), nullable=True),
        sa.Column("shift", sa.String(length=10), nullable=False),
        sa.Column("on_duty_from", sa.Date(), nullable=False),
        sa.Column("on_duty_to", sa.Date(), nullable=True),
        sa.Column("quarantine_until", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "work_group IN ('disinfection', 'health_observation', 'liaison', 'security', 'logistics', "
            "'transfer', 'care')",
            name=op.f("ck_staff_members_work_group_known")),
        sa.CheckConstraint("medical_role IN ('doctor', 'nurse', 'none')",
                           name=op.f("ck_staff_members_medical_role_known")),
        sa.CheckConstraint("medical_role = 'none' OR work_group = 'health_observation'",
                           name=op.f("ck_staff_members_medical_in_health_observation")),
        sa.CheckConstraint("shift IN ('day', 'night', 'rotating')", name=op.f("ck_staff_members_shift_known")),
        sa.CheckConstraint("on_duty_to IS NULL OR on_duty_to >= on_duty_from",
                           name=op.f("ck_staff_members_duty_ends_after_start")),
        sa.CheckConstraint(
            "quarantine_until IS NULL OR (on_duty_to IS NOT NULL AND quarantine_until > on_duty_to)",
            name=op.f("ck_staff_members_quarantine_after_duty")),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_staff_members_site_id_sites"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["zone_id"], ["zones.id"], name=op.f("fk_staff_members_zone_id_zones"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_members")),
    )
    with op.batch_alter_table("staff_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_members_site_id"), ["site_id"], unique=False)

    op.create_table(
        "meal_times",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("meal", sa.String(length=10), nullable=False),
        sa.Column("served_at", sa.Time(), nullable=False),
        sa.CheckConstraint("meal IN ('breakfast', 'lunch', 'dinner')", name=op.f("ck_meal_times_meal_known")),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_meal_times_site_id_sites"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meal_times")),
        sa.UniqueConstraint("site_id", "meal", name="uq_meal_times_site_meal"),
    )


def downgrade():
    op.drop_table("meal_times")
    with op.batch_alter_table("staff_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_members_site_id"))
    op.drop_table("staff_members")
