"""Planning batches against the live state: small ones in the request, large ones in a
background thread that reports progress to the database and honours a cancel request."""
from __future__ import annotations

import json
import threading
import time

from flask import Flask, current_app
from sqlalchemy import select, update

import planner
from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.models import PlanRun, TransferBatch, User
from quarantine.transfers.reasons import TAKEN_OUT_BY_HAND, explain_violation
from quarantine.transfers.scenario import build_scenario

# Up to this many people the plan is made while the user waits (well under a second).
INLINE_LIMIT = 400
PROGRESS_INTERVAL = 0.5  # seconds between progress writes and cancel checks


def start_plan(batches: list[TransferBatch], user: User, time_limit: float = 10.0,
               inline_limit: int | None = None) -> PlanRun:
    if not batches:
        raise DomainError(_("Choose at least one batch to plan."))
    scenario = build_scenario(batches, name="+".join(b.code for b in batches))
    total = sum(len(b.people) for b in scenario.batches)
    if total == 0:
        raise DomainError(_("These batches have nobody waiting for a room. Import their rosters first."))
    run = PlanRun(created_by_id=user.id, batch_codes=",".join(b.code for b in batches), status="running",
                  time_limit=time_limit, people_total=total,
                  scenario_json=json.dumps(planner.scenario_to_dict(scenario), ensure_ascii=False))
    db.session.add(run)
    db.session.commit()
    limit = INLINE_LIMIT if inline_limit is None else inline_limit
    if total <= limit:
        _solve_into(run.id, scenario, time_limit=min(time_limit, 5.0))
        db.session.refresh(run)
    else:
        app = current_app._get_current_object()
        thread = threading.Thread(target=_solve_in_background, args=(app, run.id, scenario, time_limit),
                                  name=f"plan-{run.id}", daemon=True)
        thread.start()
    return run


def _solve_in_background(app: Flask, run_id: int, scenario: planner.Scenario, time_limit: float) -> None:
    with app.app_context():
        try:
            _solve_into(run_id, scenario, time_limit)
        except Exception as exc:  # the run must never stay "running" forever
            db.session.rollback()
            db.session.execute(update(PlanRun).where(PlanRun.id == run_id).values(status="failed", error=str(exc)))
            db.session.commit()
            app.logger.exception("planning run %s failed", run_id)
        finally:
            db.session.remove()


def _solve_into(run_id: int, scenario: planner.Scenario, time_limit: float) -> None:
    cancel = threading.Event()
    last_write = [0.0]
    # The planner calls back from its own worker thread, where there is no app context and the
    # request's session must not be touched: progress goes through a connection of its own.
    engine = db.engine
    db.session.commit()  # hold no transaction open while the solver's thread writes

    def on_progress(progress: planner.Progress) -> None:
        now = time.monotonic()
        if now - last_write[0] < PROGRESS_INTERVAL:
            return
        last_write[0] = now
        with engine.begin() as conn:
            conn.execute(update(PlanRun).where(PlanRun.id == run_id).values(
                placed=progress.placed, objective=progress.objective, bound=progress.bound,
                elapsed=progress.elapsed))
            if conn.scalar(select(PlanRun.cancel_requested).where(PlanRun.id == run_id)):
                cancel.set()

    result = planner.solve(scenario, time_limit=time_limit, workers=2, seed=0, progress=on_progress, cancel=cancel)
    plan = result.plan
    cancelled = cancel.is_set()
    db.session.execute(update(PlanRun).where(PlanRun.id == run_id).values(
        status="cancelled" if cancelled else "done", placed=len(plan.assignments), objective=result.objective,
        bound=result.bound, elapsed=result.seconds, summary=result.summary(),
        plan_json=json.dumps(planner.plan_to_dict(plan), ensure_ascii=False)))
    db.session.commit()


def request_cancel(run: PlanRun) -> None:
    if run.status != "running":
        raise DomainError(_("This planning run has already finished."))
    run.cancel_requested = True
    db.session.commit()


def scenario_of(run: PlanRun) -> planner.Scenario:
    return planner.scenario_from_dict(json.loads(run.scenario_json))


def plan_of(run: PlanRun) -> planner.Plan:
    return planner.plan_from_dict(json.loads(run.plan_json))


def save_plan(run: PlanRun, plan: planner.Plan) -> None:
    run.plan_json = json.dumps(planner.plan_to_dict(plan), ensure_ascii=False)
    run.placed = len(plan.assignments)
    db.session.commit()


def move_in_plan(run: PlanRun, person: str, room: str | None) -> list[str]:
    """Move one person of the plan to another room (or to unassigned); refused with reasons
    when the changed plan breaks any hard rule. Returns the reasons (empty when saved)."""
    if run.status not in ("done", "cancelled"):
        return [_("Only a finished, uncommitted plan can be changed.")]
    scenario, plan = scenario_of(run), plan_of(run)
    site_of_room = {r.id: s.id for s in scenario.sites for r in s.rooms}
    if room is not None and room not in site_of_room:
        return [_("Room %(room)s is not part of this plan's state.", room=room)]
    known = {a.person for a in plan.assignments} | {u.person for u in plan.unassigned}
    if person not in known:
        return [_("Person %(person)s is not in this plan.", person=person)]
    assignments = [a for a in plan.assignments if a.person != person]
    unassigned = [u for u in plan.unassigned if u.person != person]
    if room is None:
        unassigned.append(planner.Unassigned(person=person, reason=TAKEN_OUT_BY_HAND))
    else:
        assignments.append(planner.Assignment(person=person, site=site_of_room[room], room=room))
    changed = planner.Plan(assignments=tuple(assignments), unassigned=tuple(unassigned), stats=plan.stats)
    violations = planner.validate(scenario, changed)
    if violations:
        return [explain_violation(v) for v in violations]
    save_plan(run, changed)
    return []

