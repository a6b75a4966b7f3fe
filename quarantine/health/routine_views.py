"""Daily routine pages: temperatures per floor, disinfection per zone, health rounds per meal."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from quarantine.access import MANAGE_SITE, building_or_404, roles_required, site_or_404
from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.health import residents, routine
from quarantine.health.forms import DisinfectionForm, HealthRoundForm, TemperatureFloorForm
from quarantine.health.lookups import day_arg
from quarantine.health.routes import bp
from quarantine.i18n import _
from quarantine.localtime import local_to_utc, local_today, utc_to_local
from quarantine.models import MEALS, READING_PERIODS


def _default_period() -> str:
    # Before 2 p.m. the nurses are taking the morning round.
    return "morning" if utc_to_local(datetime.now(timezone.utc)).hour < 14 else "evening"


@bp.route("/sites/<int:site_id>/temperatures")
@roles_required(*MANAGE_SITE)
def temperatures(site_id: int):
    site = site_or_404(site_id)
    day = day_arg()
    return render_template("health/temperatures.html", site=site, day=day,
                           floors=routine.floor_temperatures(site, day), periods=READING_PERIODS,
                           fever=routine.FEVER_CELSIUS)


@bp.route("/sites/<int:site_id>/floors/<int:building_id>/<int(signed=True):floor>/temperatures",
          methods=["GET", "POST"])
@roles_required(*MANAGE_SITE)
def temperatures_floor(site_id: int, building_id: int, floor: int):
    site = site_or_404(site_id)
    building = building_or_404(site, building_id)
    day = day_arg()
    period = request.args.get("period") or _default_period()
    if period not in READING_PERIODS:
        abort(404)
    on_floor = residents.residents(site, building.id, [floor])
    existing = routine.readings_on([r.person.id for r in on_floor], day, period)
    form = TemperatureFloorForm()
    if request.method == "GET":
        for resident in on_floor:
            reading = existing.get(resident.person.id)
            form.rows.append_entry({"person_id": str(resident.person.id),
                                    "celsius": f"{reading.celsius:.1f}" if reading else ""})
    if form.validate_on_submit():
        entries = [routine.TemperatureEntry(person_id, celsius) for person_id, celsius in form.entries()]
        try:
            count = routine.record_temperatures(site, building, floor, day, period, entries, current_user)
        except DomainError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            fevers = sum(1 for e in entries if routine.is_fever(e.celsius))
            flash(_("%(n)d temperatures saved.", n=count), "success")
            if fevers:
                flash(_("%(n)d with fever (≥ %(t).1f °C): tell the doctor.", n=fevers, t=routine.FEVER_CELSIUS),
                      "warning")
            return redirect(url_for("health.temperatures", site_id=site.id, day=day.isoformat()))
    status = 400 if request.method == "POST" else 200
    return render_template("health/temperatures_floor.html", site=site, building=building, floor=floor, day=day,
                           period=period, periods=READING_PERIODS, form=form,
                           by_id={str(r.person.id): r for r in on_floor}, fever=routine.FEVER_CELSIUS,
                           fevers={pid for pid, reading in existing.items() if routine.is_fever(reading.celsius)},
                           self_reported={str(pid) for pid, reading in existing.items() if reading.source == "self"}), status


@bp.route("/sites/<int:site_id>/disinfection", methods=["GET", "POST"])
@roles_required(*MANAGE_SITE)
def disinfection(site_id: int):
    site = site_or_404(site_id)
    day = day_arg()
    form = DisinfectionForm()
    form.zone_id.choices = [(z.id, routine.zone_label(z)) for z in site.zones]
    if request.method == "GET":
        form.done_at.data = utc_to_local(datetime.now(timezone.utc)).replace(second=0, microsecond=0)
    if form.validate_on_submit():
        try:
            routine.record_disinfection(site, form.zone_id.data, local_to_utc(form.done_at.data), form.done_by.data,
                                        form.notes.data or "", current_user)
        except DomainError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            flash(_("Disinfection recorded."), "success")
            return redirect(url_for("health.disinfection", site_id=site.id))
    status = 400 if request.method == "POST" else 200
    return render_template("health/disinfection.html", site=site, day=day, form=form,
                           zones=routine.disinfection_by_zone(site, day),
                           per_zone=routine.DISINFECTIONS_PER_ZONE), status


@bp.route("/sites/<int:site_id>/rounds", methods=["GET", "POST"])
@roles_required(*MANAGE_SITE)
def health_rounds(site_id: int):
    site = site_or_404(site_id)
    day = day_arg()
    form = HealthRoundForm()
    if request.method == "GET":
        form.day.data = day
    if form.validate_on_submit():
        try:
            routine.record_health_round(site, form.day.data, form.meal.data, form.done.data, form.done_by.data or "",
                                        form.notes.data or "", current_user)
        except DomainError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            flash(_("Health round recorded."), "success")
            return redirect(url_for("health.health_rounds", site_id=site.id, day=form.day.data.isoformat()))
    status = 400 if request.method == "POST" else 200
    return render_template("health/rounds.html", site=site, day=day, form=form, meals=MEALS,
                           rounds=routine.health_rounds_on(site, day), today=local_today()), status
