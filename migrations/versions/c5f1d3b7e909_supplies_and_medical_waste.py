"""supplies (items, stores, stock movements, daily use per policy) and medical waste

Revision ID: c5f1d3b7e909
Revises: d2b3c4e5f6a7
Create Date: 2026-11-30 10:00:00

Written by hand to match quarantine/models/supplies.py, quarantine/models/waste.py and the
supplies block of quarantine/models/policy.py. Seeds the usual items with their daily use under
every existing policy, and one county reserve. Stock movements are append-only: besides the
ORM guard, a trigger refuses any UPDATE of what a movement recorded.
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa

revision = "c5f1d3b7e909"
down_revision = "d2b3c4e5f6a7"
branch_labels = None
depends_on = None

# code, English, Chinese, unit (en, zh), per bed, daily use per resident, per staff member on duty
ITEMS = [
    ("bed", "Bed", "床", "pcs", "张", 1, 0, 0),
    ("bedding_set", "Bedding set", "被褥", "sets", "套", 1, 0, 0),
    ("n95_mask", "N95 mask", "N95口罩", "pcs", "个", 0, 0, 4),
    ("medical_mask", "Medical mask", "医用外科口罩", "pcs", "个", 0, 2, 2),
    ("protective_suit", "Protective suit", "医用防护服", "pcs", "件", 0, 0, 2),
    ("gloves", "Gloves", "医用手套", "pairs", "副", 0, 0, 6),
    ("face_shield", "Face shield", "防护面屏", "pcs", "个", 0, 0, 1),
    ("disinfectant", "Disinfectant", "含氯消毒液", "litres", "升", 0, 0.2, 0.1),
    ("thermometer", "Thermometer", "体温计", "pcs", "支", 0, 0, 0),
    ("antigen_test", "Antigen test", "抗原检测试剂", "tests", "人份", 0, 1, 1),
    ("waste_bag", "Medical-waste bag", "医疗废物包装袋", "pcs", "个", 0, 1, 0.5),
]
GUARDED_COLUMNS = "store_id, item_id, kind, quantity, counted, other_store_id, note, at"
REFUSAL = "stock movements are never changed: record a new movement"


def _recorded(by_column: str) -> list:
    return [sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column(by_column, sa.Integer(), nullable=True)]


def upgrade():
    op.create_table(
        "supply_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("label_zh", sa.String(length=100), nullable=False),
        sa.Column("label_en", sa.String(length=100), nullable=False),
        sa.Column("unit_zh", sa.String(length=20), nullable=False),
        sa.Column("unit_en", sa.String(length=20), nullable=False),
        sa.Column("per_bed", sa.Integer(), nullable=False),
        sa.Column("sort", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint("per_bed >= 0", name=op.f("ck_supply_items_per_bed_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supply_items")),
        sa.UniqueConstraint("code", name=op.f("uq_supply_items_code")),
    )
    op.create_table(
        "stores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('county', 'site')", name=op.f("ck_stores_kind_known")),
        sa.CheckConstraint("(kind = 'site') = (site_id IS NOT NULL)", name=op.f("ck_stores_site_store_has_site")),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_stores_site_id_sites"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stores")),
        sa.UniqueConstraint("name", name=op.f("uq_stores_name")),
        sa.UniqueConstraint("site_id", name=op.f("uq_stores_site_id")),
    )
    op.create_table(
        "stock_movements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("counted", sa.Integer(), nullable=True),
        sa.Column("other_store_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('received', 'transfer_out', 'transfer_in', 'issued', 'count')",
                           name=op.f("ck_stock_movements_kind_known")),
        sa.CheckConstraint("kind NOT IN ('received', 'transfer_in') OR quantity > 0",
                           name=op.f("ck_stock_movements_incoming_positive")),
        sa.CheckConstraint("kind NOT IN ('transfer_out', 'issued') OR quantity < 0",
                           name=op.f("ck_stock_movements_outgoing_negative")),
        sa.CheckConstraint("(kind = 'count') = (counted IS NOT NULL)", name=op.f("ck_stock_movements_count_has_counted")),
        sa.CheckConstraint("counted IS NULL OR counted >= 0", name=op.f("ck_stock_movements_counted_not_negative")),
        sa.CheckConstraint("(kind IN ('transfer_out', 'transfer_in')) = (other_store_id IS NOT NULL)",
                           name=op.f("ck_stock_movements_transfer_has_other_store")),
        sa.CheckConstraint("other_store_id IS NULL OR other_store_id <> store_id",
                           name=op.f("ck_stock_movements_transfer_between_stores")),
        sa.ForeignKeyConstraint(["store_id"], ["stores.id"], name=op.f("fk_stock_movements_store_id_stores"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["other_store_id"], ["stores.id"], name=op.f("fk_stock_movements_other_store_id_stores")),
        sa.ForeignKeyConstraint(["item_id"], ["supply_items.id"], name=op.f("fk_stock_movements_item_id_supply_items")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_stock_movements_user_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_movements")),
    )
    op.create_index("ix_stock_movements_store_item", "stock_movements", ["store_id", "item_id"])
    op.create_table(
        "stock_balances",
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_stock_balances_quantity_not_negative")),
        sa.ForeignKeyConstraint(["store_id"], ["stores.id"], name=op.f("fk_stock_balances_store_id_stores"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["item_id"], ["supply_items.id"], name=op.f("fk_stock_balances_item_id_supply_items"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("store_id", "item_id", name=op.f("pk_stock_balances")),
    )
    op.create_table(
        "policy_supply_rates",
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("per_resident", sa.Float(), nullable=False),
        sa.Column("per_staff", sa.Float(), nullable=False),
        sa.CheckConstraint("per_resident >= 0 AND per_staff >= 0", name=op.f("ck_policy_supply_rates_rates_not_negative")),
        sa.ForeignKeyConstraint(["policy_id"], ["policies.id"], name=op.f("fk_policy_supply_rates_policy_id_policies"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["item_id"], ["supply_items.id"],
                                name=op.f("fk_policy_supply_rates_item_id_supply_items"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("policy_id", "item_id", name=op.f("pk_policy_supply_rates")),
    )
    with op.batch_alter_table("policies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("waste_collection_days", sa.Integer(), server_default="2", nullable=False))
        batch_op.add_column(sa.Column("supply_warning_days", sa.Integer(), server_default="3", nullable=False))
        batch_op.create_check_constraint(op.f("ck_policies_waste_collection_days_range"),
                                         "waste_collection_days BETWEEN 1 AND 30")
        batch_op.create_check_constraint(op.f("ck_policies_supply_warning_days_range"),
                                         "supply_warning_days BETWEEN 0 AND 60")

    op.create_table(
        "waste_stores",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("capacity_kg", sa.Float(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("capacity_kg IS NULL OR capacity_kg > 0", name=op.f("ck_waste_stores_capacity_positive")),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_waste_stores_site_id_sites"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name=op.f("fk_waste_stores_updated_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("site_id", name=op.f("pk_waste_stores")),
    )
    op.create_table(
        "waste_collections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("collected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("collector", sa.String(length=120), nullable=False),
        sa.Column("collector_person", sa.String(length=60), nullable=False),
        sa.Column("vehicle", sa.String(length=30), nullable=False),
        sa.Column("bags", sa.Integer(), nullable=False),
        sa.Column("weight_kg", sa.Float(), nullable=False),
        sa.Column("seal_numbers", sa.Text(), nullable=False),
        sa.Column("handed_over_by", sa.String(length=60), nullable=False),
        sa.Column("handed_over_by_2", sa.String(length=60), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        *_recorded("recorded_by_id"),
        sa.CheckConstraint("bags >= 1", name=op.f("ck_waste_collections_bags_positive")),
        sa.CheckConstraint("weight_kg > 0", name=op.f("ck_waste_collections_weight_positive")),
        sa.CheckConstraint("handed_over_by <> handed_over_by_2", name=op.f("ck_waste_collections_two_different_people")),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_waste_collections_site_id_sites"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name=op.f("fk_waste_collections_recorded_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waste_collections")),
    )
    op.create_index("ix_waste_collections_site_at", "waste_collections", ["site_id", "collected_at"])
    op.create_table(
        "waste_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("building_id", sa.Integer(), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("bags", sa.Integer(), nullable=False),
        sa.Column("weight_kg", sa.Float(), nullable=False),
        sa.Column("collection_id", sa.Integer(), nullable=True),
        *_recorded("recorded_by_id"),
        sa.CheckConstraint("bags >= 0 AND weight_kg >= 0", name=op.f("ck_waste_entries_amounts_not_negative")),
        sa.CheckConstraint("bags > 0 OR weight_kg > 0", name=op.f("ck_waste_entries_something_put_in")),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_waste_entries_site_id_sites"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["building_id"], ["buildings.id"], name=op.f("fk_waste_entries_building_id_buildings"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["collection_id"], ["waste_collections.id"],
                                name=op.f("fk_waste_entries_collection_id_waste_collections")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name=op.f("fk_waste_entries_recorded_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waste_entries")),
    )
    op.create_index("ix_waste_entries_site_day", "waste_entries", ["site_id", "day"])

    _refuse_movement_updates()
    _seed()


def _refuse_movement_updates() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""CREATE FUNCTION stock_movements_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$""")
        op.execute(f"""CREATE TRIGGER stock_movements_append_only BEFORE UPDATE OF {GUARDED_COLUMNS}
            ON stock_movements FOR EACH ROW EXECUTE FUNCTION stock_movements_append_only()""")
    else:
        op.execute(f"""CREATE TRIGGER stock_movements_append_only BEFORE UPDATE OF {GUARDED_COLUMNS}
            ON stock_movements BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END""")


def _seed() -> None:
    items = sa.table("supply_items", *[sa.column(c) for c in (
        "code", "label_en", "label_zh", "unit_en", "unit_zh", "per_bed", "sort", "active")])
    op.bulk_insert(items, [dict(code=code, label_en=en, label_zh=zh, unit_en=unit_en, unit_zh=unit_zh, per_bed=per_bed,
                                sort=(i + 1) * 10, active=True)
                           for i, (code, en, zh, unit_en, unit_zh, per_bed, _r, _s) in enumerate(ITEMS)])
    bind = op.get_bind()
    item_ids = dict(bind.execute(sa.text("SELECT code, id FROM supply_items")).all())
    policy_ids = [row[0] for row in bind.execute(sa.text("SELECT id FROM policies"))]
    rates = sa.table("policy_supply_rates", *[sa.column(c) for c in ("policy_id", "item_id", "per_resident", "per_staff")])
    rows = [dict(policy_id=pid, item_id=item_ids[code], per_resident=float(r), per_staff=float(s))
            for pid in policy_ids for code, *_labels, r, s in ITEMS if r or s]
    if rows:
        op.bulk_insert(rates, rows)
    stores = sa.table("stores", *[sa.column(c) for c in ("kind", "name", "site_id", "created_at")])
    op.bulk_insert(stores, [dict(kind="county", name="县级储备库 County reserve", site_id=None,
                                 created_at=datetime.now(timezone.utc))])


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS stock_movements_append_only ON stock_movements")
        op.execute("DROP FUNCTION IF EXISTS stock_movements_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS stock_movements_append_only")
    op.drop_index("ix_waste_entries_site_day", table_name="waste_entries")
    op.drop_table("waste_entries")
    op.drop_index("ix_waste_collections_site_at", table_name="waste_collections")
    op.drop_table("waste_collections")
    op.drop_table("waste_stores")
    with op.batch_alter_table("policies", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_policies_supply_warning_days_range"), type_="check")
        batch_op.drop_constraint(op.f("ck_policies_waste_collection_days_range"), type_="check")
        batch_op.drop_column("supply_warning_days")
        batch_op.drop_column("waste_collection_days")
    op.drop_table("policy_supply_rates")
    op.drop_table("stock_balances")
    op.drop_index("ix_stock_movements_store_item", table_name="stock_movements")
    op.drop_table("stock_movements")
    op.drop_table("stores")
    op.drop_table("supply_items")
