"""planning runs carried out by workers: queued status, heartbeat, attempts; the scenario split per site

Revision ID: d2b3c4e5f6a7
Revises: c1a2b3d4e5f6
Create Date: 2026-12-01 13:00:00

"""
import json

from alembic import op
import sqlalchemy as sa


revision = 'd2b3c4e5f6a7'
down_revision = 'c1a2b3d4e5f6'
branch_labels = None
depends_on = None

OLD_STATUSES = "status IN ('running', 'done', 'failed', 'cancelled', 'committed')"
NEW_STATUSES = "status IN ('queued', 'running', 'done', 'failed', 'cancelled', 'committed')"


def upgrade():
    op.create_table('plan_run_sites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('site_key', sa.String(length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('site_json', sa.Text(), nullable=False),
    sa.Column('assignments_json', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['plan_runs.id'], name=op.f('fk_plan_run_sites_run_id_plan_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_run_sites')),
    sa.UniqueConstraint('run_id', 'site_key', name='uq_plan_run_sites_run_site')
    )
    with op.batch_alter_table('plan_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('placed_bound', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('placed_bound_status', sa.String(length=12), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('worker', sa.String(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('enqueued_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('started_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('scenario_meta_json', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('reasons_json', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('review_json', sa.Text(), nullable=False, server_default=''))
        batch_op.drop_constraint(op.f('ck_plan_runs_status_known'), type_='check')
        batch_op.create_check_constraint('status_known', NEW_STATUSES)
        batch_op.create_check_constraint('attempts_not_negative', 'attempts >= 0')
        batch_op.create_index(batch_op.f('ix_plan_runs_status'), ['status'], unique=False)

    # Existing runs: their stored scenario, split into its sites and the rest.
    bind = op.get_bind()
    runs = sa.table('plan_runs', sa.column('id', sa.Integer), sa.column('scenario_json', sa.Text),
                    sa.column('scenario_meta_json', sa.Text), sa.column('status', sa.String),
                    sa.column('plan_json', sa.Text))
    sites = sa.table('plan_run_sites', sa.column('run_id', sa.Integer), sa.column('site_key', sa.String),
                     sa.column('position', sa.Integer), sa.column('site_json', sa.Text),
                     sa.column('assignments_json', sa.Text))
    for run_id, body, plan_body in bind.execute(sa.select(runs.c.id, runs.c.scenario_json, runs.c.plan_json)).all():
        scenario = json.loads(body) if body else None
        if not scenario:
            continue
        placed = {}
        for a in (json.loads(plan_body) if plan_body else {}).get("assignments", []):
            placed.setdefault(a["site"], []).append([a["person"], a["room"]])
        parts = scenario.pop("sites", [])
        scenario["sites"] = [{k: v for k, v in s.items() if k != "rooms"} for s in parts]
        bind.execute(runs.update().where(runs.c.id == run_id).values(scenario_meta_json=json.dumps(scenario, ensure_ascii=False)))
        if parts:
            bind.execute(sites.insert(), [{"run_id": run_id, "site_key": s["id"], "position": i,
                                           "site_json": json.dumps(s, ensure_ascii=False),
                                           "assignments_json": json.dumps(placed.get(s["id"], []))}
                                          for i, s in enumerate(parts)])
    # A run left "running" by the old in-process threads can never finish now.
    bind.execute(runs.update().where(runs.c.status == 'running').values(status='failed'))

    with op.batch_alter_table('plan_runs', schema=None) as batch_op:
        batch_op.drop_column('scenario_json')
        for name in ('placed_bound_status', 'attempts', 'worker', 'scenario_meta_json', 'reasons_json', 'review_json'):
            batch_op.alter_column(name, server_default=None)


def downgrade():
    with op.batch_alter_table('plan_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scenario_json', sa.Text(), nullable=False, server_default=''))
    bind = op.get_bind()
    runs = sa.table('plan_runs', sa.column('id', sa.Integer), sa.column('scenario_json', sa.Text),
                    sa.column('scenario_meta_json', sa.Text), sa.column('status', sa.String))
    sites = sa.table('plan_run_sites', sa.column('run_id', sa.Integer), sa.column('position', sa.Integer),
                     sa.column('site_json', sa.Text))
    for run_id, meta in bind.execute(sa.select(runs.c.id, runs.c.scenario_meta_json)).all():
        if not meta:
            continue
        scenario = json.loads(meta)
        scenario["sites"] = [json.loads(body) for (body,) in bind.execute(
            sa.select(sites.c.site_json).where(sites.c.run_id == run_id).order_by(sites.c.position))]
        bind.execute(runs.update().where(runs.c.id == run_id).values(scenario_json=json.dumps(scenario, ensure_ascii=False)))
    bind.execute(runs.update().where(runs.c.status == 'queued').values(status='failed'))
    with op.batch_alter_table('plan_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_runs_status'))
        batch_op.drop_constraint(op.f('ck_plan_runs_attempts_not_negative'), type_='check')
        batch_op.drop_constraint(op.f('ck_plan_runs_status_known'), type_='check')
        batch_op.create_check_constraint('status_known', OLD_STATUSES)
        for name in ('review_json', 'reasons_json', 'scenario_meta_json', 'heartbeat_at', 'started_at',
                     'enqueued_at', 'worker', 'attempts', 'placed_bound_status', 'placed_bound'):
            batch_op.drop_column(name)
        batch_op.alter_column('scenario_json', server_default=None)
    op.drop_table('plan_run_sites')
