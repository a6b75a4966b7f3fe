"""Plan batches, follow progress, review, move people by hand, commit, re-plan."""
import json

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

import planner
from quarantine.access import roles_required
from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.models import PlanRun, Site, TransferBatch
from quarantine.sites.services import activate_site
from quarantine.transfers import planning
from quarantine.transfers.commit import PlanIsStale, commit_plan
from quarantine.transfers.forms import MoveInPlanForm, PlanForm, PlanUploadForm
from quarantine.transfers.reasons import explain_violation
from quarantine.transfers.review import build_review
from quarantine.transfers.routes import bp
from quarantine.transfers.scenario import pending_batches, pending_people

HQ = ("admin", "hq")


def _run_or_404(run_id: int) -> PlanRun:
    return db.session.get(PlanRun, run_id) or abort(404)


def _plan_form() -> tuple[PlanForm, dict[int, int]]:
    form = PlanForm()
    batches = pending_batches()
    waiting = {b.id: len(pending_people([b.id])) for b in batches}
    form.batches.choices = [(b.id, f"{b.code} · {b.origin} · " + _("%(n)d waiting", n=waiting[b.id]))
                            for b in batches]
    return form, waiting


@bp.route("/plan", methods=["GET", "POST"])
@roles_required(*HQ)
def plan_batches():
    form, waiting = _plan_form()
    if request.method == "GET":
        form.batches.data = [b for b, n in waiting.items() if n] or request.args.getlist("batch", type=int)
    if form.validate_on_submit():
        batches = list(db.session.scalars(select(TransferBatch).where(TransferBatch.id.in_(form.batches.data))))
        try:
            run = planning.start_plan(batches, current_user, float(form.time_limit.data))
            return redirect(url_for("transfers.show_plan", run_id=run.id))
        except DomainError as exc:
            form.batches.errors = list(form.batches.errors) + [str(exc)]
    runs = db.session.scalars(select(PlanRun).order_by(PlanRun.created_at.desc()).limit(20)).all()
    return render_template("transfers/plan_start.html", form=form, runs=runs, upload_form=PlanUploadForm())


@bp.route("/plans/<int:run_id>")
@roles_required(*HQ)
def show_plan(run_id: int):
    run = _run_or_404(run_id)
    if run.status == "running":
        return render_template("transfers/plan_progress.html", run=run)
    if run.status == "failed":
        return render_template("transfers/plan_failed.html", run=run)
    review = build_review(run)
    move_form = MoveInPlanForm()
    move_form.room.choices = [("", _("— not placed —"))] + review.room_choices
    return render_template("transfers/plan_review.html", run=run, review=review, move_form=move_form)


@bp.route("/plans/<int:run_id>/progress.json")
@roles_required(*HQ)
def plan_progress(run_id: int):
    run = _run_or_404(run_id)
    return jsonify(status=run.status, placed=run.placed, total=run.people_total, percent=run.progress_percent,
                   objective=run.objective, bound=run.bound, elapsed=round(run.elapsed or 0, 1),
                   cancel_requested=run.cancel_requested)


@bp.route("/plans/<int:run_id>/cancel", methods=["POST"])
@roles_required(*HQ)
def cancel_plan(run_id: int):
    run = _run_or_404(run_id)
    try:
        planning.request_cancel(run)
        flash(_("Cancelling: the best plan found so far will be kept."), "info")
    except DomainError as exc:
        flash(str(exc), "error")
    return redirect(url_for("transfers.show_plan", run_id=run.id))


@bp.route("/plans/<int:run_id>/move", methods=["POST"])
@roles_required(*HQ)
def move_in_plan(run_id: int):
    run = _run_or_404(run_id)
    form = MoveInPlanForm()
    if form.validate_on_submit():
        reasons = planning.move_in_plan(run, form.person.data, form.room.data or None)
        if reasons:
            flash(_("Move refused: %(reasons)s", reasons=" ".join(reasons)), "error")
        else:
            flash(_("Moved; the plan still keeps every rule."), "success")
    else:
        flash(_("Choose a person and a room."), "error")
    return redirect(url_for("transfers.show_plan", run_id=run.id) + "#unassigned")


@bp.route("/plans/<int:run_id>/commit", methods=["POST"])
@roles_required(*HQ)
def commit(run_id: int):
    run = _run_or_404(run_id)
    try:
        count = commit_plan(run, current_user)
        flash(_("Plan committed: %(n)d beds reserved. Print the manifests and tell the sites.", n=count), "success")
    except PlanIsStale as exc:
        return render_template("transfers/plan_stale.html", run=run, message=str(exc), changes=exc.changes), 409
    except DomainError as exc:
        flash(str(exc), "error")
    return redirect(url_for("transfers.show_plan", run_id=run.id))


@bp.route("/plans/<int:run_id>/replan", methods=["POST"])
@roles_required(*HQ)
def replan(run_id: int):
    run = _run_or_404(run_id)
    batches = list(db.session.scalars(select(TransferBatch).where(TransferBatch.code.in_(run.batch_code_list))))
    try:
        new_run = planning.start_plan(batches, current_user, run.time_limit)
        return redirect(url_for("transfers.show_plan", run_id=new_run.id))
    except DomainError as exc:
        flash(str(exc), "error")
        return redirect(url_for("transfers.show_plan", run_id=run.id))


@bp.route("/plans/<int:run_id>/activate/<int:site_id>", methods=["POST"])
@roles_required(*HQ)
def activate(run_id: int, site_id: int):
    run = _run_or_404(run_id)
    site = db.session.get(Site, site_id) or abort(404)
    try:
        activate_site(site)
        flash(_("%(site)s is ready. Re-plan to use it.", site=site.name), "success")
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return redirect(url_for("transfers.show_plan", run_id=run.id) + "#unassigned")


@bp.route("/plans/<int:run_id>/<any(scenario, plan):part>.json")
@roles_required(*HQ)
def download_json(run_id: int, part: str):
    run = _run_or_404(run_id)
    body = run.scenario_json if part == "scenario" else run.plan_json
    if not body:
        abort(404)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f"attachment; filename=run-{run.id}-{part}.json"})


@bp.route("/plans/<int:run_id>/load", methods=["POST"])
@roles_required(*HQ)
def load_plan_file(run_id: int):
    """Load a plan made elsewhere for this run's scenario; it is checked before it is kept."""
    run = _run_or_404(run_id)
    form = PlanUploadForm()
    if not form.validate_on_submit():
        flash(" ".join(form.file.errors) or _("Choose a file to upload."), "error")
        return redirect(url_for("transfers.show_plan", run_id=run.id))
    try:
        plan = planner.plan_from_dict(json.loads(form.file.data.read().decode("utf-8-sig")))
    except (ValueError, UnicodeDecodeError) as exc:
        flash(_("Not a plan file: %(error)s", error=str(exc)), "error")
        return redirect(url_for("transfers.show_plan", run_id=run.id))
    violations = planner.validate(planning.scenario_of(run), plan)
    if violations:
        flash(_("The plan breaks %(n)d rule(s); first: %(first)s", n=len(violations), first=explain_violation(violations[0])),
              "error")
        return redirect(url_for("transfers.show_plan", run_id=run.id))
    new_run = PlanRun(created_by_id=current_user.id, batch_codes=run.batch_codes, status="done",
                      time_limit=run.time_limit, people_total=run.people_total, placed=len(plan.assignments),
                      scenario_json=run.scenario_json, summary=_("Loaded from %(file)s", file=form.file.data.filename),
                      plan_json=json.dumps(planner.plan_to_dict(plan), ensure_ascii=False))
    db.session.add(new_run)
    db.session.commit()
    flash(_("Plan loaded and checked: it keeps every rule."), "success")
    return redirect(url_for("transfers.show_plan", run_id=new_run.id))
