"""Plan batches, follow progress, review, move people by hand, commit, plan the waiting people."""
import json

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

import planner
from quarantine.access import roles_required
from quarantine.audit import trail
from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.models import PlanRun, Site, TransferBatch
from quarantine.paging import row_id
from quarantine.sites.services import activate_site
from quarantine.transfers import plan_moves, planning, review
from quarantine.transfers.commit import PlanIsStale, commit_plan
from quarantine.transfers.forms import MoveInPlanForm, PlanForm, PlanUploadForm
from quarantine.transfers.plan_pickers import people_matching, rooms_matching, sites_matching
from quarantine.transfers.plan_store import plan_of, scenario_json
from quarantine.transfers.plan_uploads import load_plan_file as load_uploaded_plan
from quarantine.transfers.routes import bp
from quarantine.transfers.scenario import pending_batches, waiting_by_batch

HQ = ("admin", "hq")
RECENT_RUNS = 20


def _run_or_404(run_id: int) -> PlanRun:
    return db.session.get(PlanRun, run_id) or abort(404)


def _plan_form() -> tuple[PlanForm, dict[int, int]]:
    form = PlanForm()
    batches = pending_batches()
    waiting = waiting_by_batch([b.id for b in batches])
    form.batches.choices = [(b.id, f"{b.code} · {b.origin} · " + _("%(n)d waiting", n=waiting.get(b.id, 0)))
                            for b in batches]
    return form, waiting


@bp.route("/plan", methods=["GET", "POST"])
@roles_required(*HQ)
def plan_batches():
    form, waiting = _plan_form()
    if request.method == "GET":
        form.batches.data = request.args.getlist("batch", type=row_id) or [b for b, n in waiting.items() if n]
    if form.validate_on_submit():
        batches = list(db.session.scalars(select(TransferBatch).where(TransferBatch.id.in_(form.batches.data))))
        try:
            run = planning.queue_plan(batches, current_user, float(form.time_limit.data))
            return redirect(url_for("transfers.show_plan", run_id=run.id))
        except DomainError as exc:
            form.batches.errors = list(form.batches.errors) + [str(exc)]
    runs = db.session.scalars(select(PlanRun).order_by(PlanRun.created_at.desc()).limit(RECENT_RUNS)).all()
    return render_template("transfers/plan_start.html", form=form, runs=runs)


@bp.route("/plans/<int:run_id>")
@roles_required(*HQ)
def show_plan(run_id: int):
    run = planning.refresh_status(_run_or_404(run_id))
    if not run.finished:
        return render_template("transfers/plan_progress.html", run=run, position=planning.queue_position(run))
    if run.status == "failed":
        return render_template("transfers/plan_failed.html", run=run)
    if run.status == "cancelled" and not run.plan_json:
        return render_template("transfers/plan_failed.html", run=run)
    return render_template("transfers/plan_review.html", run=run, review=review.overview(run),
                           move_form=MoveInPlanForm(), upload_form=PlanUploadForm())


@bp.route("/plans/<int:run_id>/sites/<site>")
@roles_required(*HQ)
def plan_site(run_id: int, site: str):
    """One site's floors and rooms in the plan, loaded when the user opens it."""
    run = _run_or_404(run_id)
    if not run.finished or not run.plan_json:
        abort(404)
    floors = review.site_floors(run, site)
    template = "transfers/_plan_site.html" if request.args.get("part") else "transfers/plan_site.html"
    return render_template(template, run=run, site=site, floors=floors,
                           site_name=db.session.scalar(select(Site.name).where(Site.id == _site_id(site))))


def _site_id(key: str) -> int:
    return int(key[1:]) if key[:1] == "S" and key[1:].isdigit() else 0


@bp.route("/plans/<int:run_id>/progress.json")
@roles_required(*HQ)
def plan_progress(run_id: int):
    run = planning.refresh_status(_run_or_404(run_id))
    return jsonify(status=run.status, placed=run.placed, total=run.people_total, percent=run.progress_percent,
                   position=planning.queue_position(run), elapsed=round(run.elapsed or 0, 1),
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
        reasons = plan_moves.move_in_plan(run, form.person.data, form.room.data or None,
                                          whole_household=not form.only_this_person.data)
        if reasons:
            flash(_("Move refused: %(reasons)s", reasons=" ".join(reasons)), "error")
        else:
            flash(_("Moved; the plan still keeps every rule."), "success")
    else:
        flash(_("Choose a person and a room."), "error")
    return redirect(url_for("transfers.show_plan", run_id=run.id))


@bp.route("/plans/<int:run_id>/people.json")
@roles_required(*HQ)
def plan_people(run_id: int):
    """People of the plan matching a name, household or the end of an ID number (the move picker)."""
    return jsonify(people_matching(_run_or_404(run_id), request.args.get("q", "")))


@bp.route("/plans/<int:run_id>/sites.json")
@roles_required(*HQ)
def plan_sites(run_id: int):
    return jsonify(sites_matching(_run_or_404(run_id), request.args.get("q", "")))


@bp.route("/plans/<int:run_id>/rooms.json")
@roles_required(*HQ)
def plan_rooms(run_id: int):
    """Rooms of one site with free beds, the floor's cohort and accessibility (the move picker)."""
    return jsonify(rooms_matching(_run_or_404(run_id), request.args.get("site", ""), request.args.get("q", "")))


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
    """Plan again the people of the run's batches who still have no bed; committed reservations stay."""
    run = _run_or_404(run_id)
    batches = list(db.session.scalars(select(TransferBatch).where(TransferBatch.code.in_(run.batch_code_list))))
    try:
        new_run = planning.queue_plan(batches, current_user, run.time_limit)
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
        activate_site(site, current_user.role)
        flash(_("%(site)s is ready. Plan the waiting people to use it.", site=site.name), "success")
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return redirect(url_for("transfers.show_plan", run_id=run.id))


@bp.route("/plans/<int:run_id>/<any(scenario, plan):part>.json")
@roles_required(*HQ)
def download_json(run_id: int, part: str):
    run = _run_or_404(run_id)
    if part == "scenario":
        body = scenario_json(run) if run.scenario_meta_json else ""
    else:
        body = json.dumps(planner.plan_to_dict(plan_of(run)), ensure_ascii=False) if run.plan_json else ""
    if not body:
        abort(404)
    trail.record("export", entity="plan_runs", entity_id=run.id, detail=f"{part}.json", commit=True)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f"attachment; filename=run-{run.id}-{part}.json"})


@bp.route("/plans/<int:run_id>/load", methods=["POST"])
@roles_required(*HQ)
def load_plan_file(run_id: int):
    """Load a plan made elsewhere for this run's scenario; it is checked before it is kept."""
    run = _run_or_404(run_id)
    form = PlanUploadForm()
    if not form.validate_on_submit():
        flash(" ".join(map(str, form.file.errors)) or _("Choose a file to upload."), "error")
        return redirect(url_for("transfers.show_plan", run_id=run.id))
    try:
        new_run = load_uploaded_plan(run, form.file.data.read(), form.file.data.filename, current_user)
    except DomainError as exc:
        flash(str(exc), "error")
        return redirect(url_for("transfers.show_plan", run_id=run.id))
    flash(_("Plan loaded and checked: it keeps every rule."), "success")
    return redirect(url_for("transfers.show_plan", run_id=new_run.id))
