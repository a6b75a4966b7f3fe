"""quarantine clock, PCR tests, daily checks and reports

Revision ID: b8d4e6f0a202
Revises: a7c3d5e9f101
Create Date: 2026-11-23 16:00:01

Written by hand to match quarantine/models/health.py; constraint names follow the naming
convention in quarantine/extensions.py. The CHECK constraints make the database itself refuse
impossible values (a 55 °C reading, a result other than negative/positive).
"""
from alembic import op
import sqlalchemy as sa

revision = "b8d4e6f0a202"
down_revision = "a7c3d5e9f101"
branch_labels = None
depends_on = None


def _recorded_columns(by_column: str = "recorded_by_id") -> list:
    """When a record was written and by which user (users may be deleted, the record stays)."""
    return [
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(by_column, sa.Integer(), nullable=True),
    ]


def upgrade():
    op.create_table(
        "pcr_tests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("sampled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sample_day", sa.Date(), nullable=False),
        sa.Column("result", sa.String(length=10), nullable=False),
        *_recorded_columns(),
        sa.CheckConstraint("result IN ('negative', 'positive')", name=op.f("ck_pcr_tests_result_known")),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_pcr_tests_person_id_people"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_pcr_tests_site_id_sites"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name=op.f("fk_pcr_tests_recorded_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pcr_tests")),
        sa.UniqueConstraint("person_id", "sample_day", name="uq_pcr_tests_person_day"),
    )
    op.create_index("ix_pcr_tests_site_day", "pcr_tests", ["site_id", "sample_day"])

    op.create_table(
        "temperature_readings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("celsius", sa.Float(), nullable=False),
        *_recorded_columns(),
        sa.CheckConstraint("celsius >= 34.0 AND celsius <= 43.0", name=op.f("ck_temperature_readings_celsius_range")),
        sa.CheckConstraint("period IN ('morning', 'evening')", name=op.f("ck_temperature_readings_period_known")),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_temperature_readings_person_id_people"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_temperature_readings_site_id_sites"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"],
                                name=op.f("fk_temperature_readings_recorded_by_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_temperature_readings")),
        sa.UniqueConstraint("person_id", "day", "period", name="uq_temperature_readings_person_day_period"),
    )
    op.create_index("ix_temperature_readings_site_day", "temperature_readings", ["site_id", "day"])

    op.create_table(
        "disinfection_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("zone_id", sa.Integer(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("done_by", sa.String(length=60), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        *_recorded_columns(),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_disinfection_rounds_site_id_sites"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["zone_id"], ["zones.id"], name=op.f("fk_disinfection_rounds_zone_id_zones"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"],
                                name=op.f("fk_disinfection_rounds_recorded_by_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disinfection_rounds")),
    )
    op.create_index("ix_disinfection_rounds_site_day", "disinfection_rounds", ["site_id", "day"])
    op.create_index(op.f("ix_disinfection_rounds_zone_id"), "disinfection_rounds", ["zone_id"])

    op.create_table(
        "health_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("meal", sa.String(length=10), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("done_by", sa.String(length=60), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        *_recorded_columns(),
        sa.CheckConstraint("meal IN ('breakfast', 'lunch', 'dinner')", name=op.f("ck_health_rounds_meal_known")),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_health_rounds_site_id_sites"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name=op.f("fk_health_rounds_recorded_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_health_rounds")),
        sa.UniqueConstraint("site_id", "day", "meal", name="uq_health_rounds_site_day_meal"),
    )

    op.create_table(
        "positive_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pcr_test_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("building_id", sa.Integer(), nullable=False),
        sa.Column("floor", sa.Integer(), nullable=False),
        sa.Column("room_label", sa.String(length=50), nullable=False),
        sa.Column("positive_day", sa.Date(), nullable=False),
        sa.Column("hospital", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("floor BETWEEN -5 AND 200", name=op.f("ck_positive_cases_floor_range")),
        sa.ForeignKeyConstraint(["pcr_test_id"], ["pcr_tests.id"], name=op.f("fk_positive_cases_pcr_test_id_pcr_tests"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_positive_cases_person_id_people"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_positive_cases_site_id_sites"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["building_id"], ["buildings.id"],
                                name=op.f("fk_positive_cases_building_id_buildings"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_positive_cases_created_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_positive_cases")),
        sa.UniqueConstraint("pcr_test_id", name=op.f("uq_positive_cases_pcr_test_id")),
    )
    op.create_index(op.f("ix_positive_cases_person_id"), "positive_cases", ["person_id"])
    op.create_index(op.f("ix_positive_cases_site_id"), "positive_cases", ["site_id"])

    op.create_table(
        "affected_residents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("floor", sa.Integer(), nullable=False),
        sa.Column("room_label", sa.String(length=50), nullable=False),
        sa.Column("old_release_date", sa.Date(), nullable=True),
        sa.Column("new_release_date", sa.Date(), nullable=False),
        sa.CheckConstraint("new_release_date >= old_release_date OR old_release_date IS NULL",
                           name=op.f("ck_affected_residents_release_not_earlier")),
        sa.ForeignKeyConstraint(["case_id"], ["positive_cases.id"],
                                name=op.f("fk_affected_residents_case_id_positive_cases"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_affected_residents_person_id_people"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_affected_residents")),
        sa.UniqueConstraint("case_id", "person_id", name="uq_affected_residents_case_person"),
    )
    op.create_index(op.f("ix_affected_residents_person_id"), "affected_residents", ["person_id"])


def downgrade():
    op.drop_index(op.f("ix_affected_residents_person_id"), table_name="affected_residents")
    op.drop_table("affected_residents")
    op.drop_index(op.f("ix_positive_cases_site_id"), table_name="positive_cases")
    op.drop_index(op.f("ix_positive_cases_person_id"), table_name="positive_cases")
    op.drop_table("positive_cases")
    op.drop_table("health_rounds")
    op.drop_index(op.f("ix_disinfection_rounds_zone_id"), table_name="disinfection_rounds")
    op.drop_index("ix_disinfection_rounds_site_day", table_name="disinfection_rounds")
    op.drop_table("disinfection_rounds")
    op.drop_index("ix_temperature_readings_site_day", table_name="temperature_readings")
    op.drop_table("temperature_readings")
    op.drop_index("ix_pcr_tests_site_day", table_name="pcr_tests")
    op.drop_table("pcr_tests")
