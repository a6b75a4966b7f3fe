"""Planning runs through the API: start one for some batches, follow it, fetch the plan in the
planner's exchange format (docs/scenario-format.md). Headquarters and administrators only."""
from __future__ import annotations

import json

from flask import Response
from flask_login import current_user
from flask_smorest import abort
from sqlalchemy import select

import planner
from quarantine.access import EDIT_SITES
from quarantine.api.auth import protected_blueprint, require_role
from quarantine.api.schemas import PlanDocument, PlanRunIn, PlanRunOut
from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.models import PlanRun, TransferBatch
from quarantine.transfers.plan_store import plan_of
from quarantine.transfers.planning import queue_plan, refresh_status

bp = protected_blueprint("api_plans", __name__, url_prefix="/api/v1/plan-runs", description="Planning runs")


def run_out(run: PlanRun) -> dict:
    return {"id": run.id, "status": run.status, "batches": run.batch_code_list, "people_total": run.people_total,
            "placed": run.placed, "placed_bound": run.placed_bound, "error": run.error,
            "created_at": run.created_at, "committed_at": run.committed_at}


MAX_ID = 2**31 - 1  # an id past the database's integers is as unknown as a missing one


def run_or_404(run_id: int) -> PlanRun:
    run = db.session.get(PlanRun, run_id) if run_id <= MAX_ID else None
    if run is None:
        abort(404, message=f"No planning run {run_id}.")
    return run


@bp.route("", methods=["POST"])
@bp.arguments(PlanRunIn)
@bp.response(202, PlanRunOut)
@bp.alt_response(404, description="No batch with one of these codes")
@bp.alt_response(422, description="Nobody in these batches is waiting for a bed")
def start_run(data):
    """Queue a run for the people of these batches still without a bed; a planning worker solves it."""
    require_role(*EDIT_SITES)
    codes = list(dict.fromkeys(c.strip() for c in data["batches"]))
    batches = list(db.session.scalars(select(TransferBatch).where(TransferBatch.code.in_(codes))))
    missing = sorted(set(codes) - {b.code for b in batches})
    if missing:
        abort(404, message="No batch " + ", ".join(missing) + ".")
    try:
        run = queue_plan(batches, current_user, time_limit=data["time_limit"])
    except DomainError as exc:
        abort(422, message=str(exc))
    return run_out(run)


@bp.route("/<int:run_id>")
@bp.response(200, PlanRunOut)
def run_status(run_id: int):
    """queued, running, done, failed, cancelled or committed, with the people placed so far."""
    require_role(*EDIT_SITES)
    return run_out(refresh_status(run_or_404(run_id)))


@bp.route("/<int:run_id>/plan")
@bp.response(200, PlanDocument, description="The plan, format quarantine-plan/1")
@bp.alt_response(409, description="The run has no plan yet")
def run_plan(run_id: int):
    """The plan exactly as the exchange format has it (the review page's plan.json download)."""
    require_role(*EDIT_SITES)
    run = run_or_404(run_id)
    if not run.plan_json:
        abort(409, message=f"Run {run.id} has no plan yet (status {run.status}).")
    body = json.dumps(planner.plan_to_dict(plan_of(run)), ensure_ascii=False)
    return Response(body, mimetype="application/json")
