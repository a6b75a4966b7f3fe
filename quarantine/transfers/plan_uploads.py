"""A plan made elsewhere, loaded for review: checked against the run's scenario with every rule first."""
from __future__ import annotations

import json

from sqlalchemy import insert, select

import planner
from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.models import PlanRun, PlanRunSite, User
from quarantine.transfers.plan_store import StoredReason, save_plan, scenario_of
from quarantine.transfers.reasons import FILE_TEXT_CODE, explain_violation


def load_plan_file(run: PlanRun, data: bytes, filename: str, user: User) -> PlanRun:
    """A new run with the same scenario and the uploaded plan; refused with the first broken rule."""
    if not run.scenario_meta_json:
        raise DomainError(_("This run has no scenario to check a plan against."))
    try:
        plan = planner.plan_from_dict(json.loads(data.decode("utf-8-sig")))
    except (ValueError, UnicodeDecodeError) as exc:
        raise DomainError(_("Not a plan file: %(error)s", error=str(exc))) from None
    violations = planner.validate(scenario_of(run), plan)
    if violations:
        raise DomainError(_("The plan breaks %(n)d rule(s); first: %(first)s", n=len(violations),
                            first=explain_violation(violations[0])))
    new_run = PlanRun(created_by_id=user.id, batch_codes=run.batch_codes, status="done", time_limit=run.time_limit,
                      people_total=run.people_total, scenario_meta_json=run.scenario_meta_json,
                      summary=_("Loaded from %(file)s", file=filename))
    db.session.add(new_run)
    db.session.flush()
    db.session.execute(insert(PlanRunSite).from_select(
        ["run_id", "site_key", "position", "site_json", "assignments_json"],
        select(db.literal(new_run.id), PlanRunSite.site_key, PlanRunSite.position, PlanRunSite.site_json,
               db.literal("[]"))
        .where(PlanRunSite.run_id == run.id)))
    # A file's reasons are its own English text; they are shown as they are.
    save_plan(new_run, plan, {u.person: StoredReason(FILE_TEXT_CODE, {"text": u.reason}, tuple(u.suggested_sites))
                              for u in plan.unassigned})
    db.session.commit()
    return new_run
