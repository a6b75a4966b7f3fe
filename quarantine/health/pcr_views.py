"""PCR pages: who is due today per floor, bulk results for one floor, positive cases and their notices."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from quarantine.access import MANAGE_SITE, building_or_404, roles_required, site_or_404
from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.health import clock, pcr, residents
from quarantine.health.forms import PcrFloorForm
from quarantine.health.routes import bp
from quarantine.i18n import _
from quarantine.localtime import local_to_utc, local_today, utc_to_local


@bp.route("/sites/<int:site_id>/pcr")
@roles_required(*MANAGE_SITE)
def pcr_due(site_id: int):
    site = site_or_404(site_id)
    today = local_today()
    people = residents.residents(site)
    return render_template("health/pcr_due.html", site=site, today=today,
                           floors=pcr.due_by_floor(site, today, people), all_floors=residents.by_floor(people))


@bp.route("/sites/<int:site_id>/floors/<int:building_id>/<int(signed=True):floor>/pcr", methods=["GET", "POST"])
@roles_required(*MANAGE_SITE)
def pcr_floor(site_id: int, building_id: int, floor: int):
    site = site_or_404(site_id)
    building = building_or_404(site, building_id)
    today = local_today()
    on_floor = residents.residents(site, building.id, [floor])
    form = PcrFloorForm()
    if request.method == "GET":
        form.sampled_at.data = utc_to_local(datetime.now(timezone.utc)).replace(second=0, microsecond=0)
        for resident in on_floor:
            form.rows.append_entry({"person_id": str(resident.person.id), "result": ""})
    status = 200
    if form.validate_on_submit():
        entries = [pcr.PcrEntry(person_id, result) for person_id, result in form.entries()]
        try:
            cases = pcr.record_results(site, building, floor, entries, local_to_utc(form.sampled_at.data),
                                       form.hospital.data or "", current_user)
        except DomainError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            flash(_("%(n)d results saved.", n=len(entries)), "success")
            if cases:
                flash(_("Positive case transferred out; quarantine restarted for %(n)d people nearby. "
                        "Print the notice.", n=sum(len(c.affected) for c in cases)), "warning")
                return redirect(url_for("health.positive_notice", case_id=cases[-1].id))
            return redirect(url_for("health.pcr_due", site_id=site.id))
    if request.method == "POST":
        status = 400
    by_id = {str(r.person.id): r for r in on_floor}
    done = pcr.tests_on([r.person.id for r in on_floor], today)
    return render_template("health/pcr_floor.html", site=site, building=building, floor=floor, form=form,
                           by_id=by_id, done=done, today=today, quarantine_day=clock.quarantine_day,
                           pcr_dates=clock.pcr_dates,
                           due={r.person.id for r in on_floor if clock.pcr_due(r.person, today)}), status


@bp.route("/sites/<int:site_id>/positive-cases")
@roles_required(*MANAGE_SITE)
def positive_cases(site_id: int):
    site = site_or_404(site_id)
    return render_template("health/positive_cases.html", site=site, cases=pcr.positive_cases(site))


@bp.route("/positive-cases/<int:case_id>/notice")
@roles_required(*MANAGE_SITE)
def positive_notice(case_id: int):
    case = pcr.positive_case(case_id)
    if case is None:
        abort(404)
    site = site_or_404(case.site_id)
    return render_template("health/positive_notice.html", site=site, case=case)
