"""A site's day at a glance, and releases (one resident, or a whole floor in one step)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable, TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from quarantine.access import MANAGE_SITE, building_or_404, roles_required, site_or_404
from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.health import clock, pcr, report, residents
from quarantine.health.forms import ReleaseForm
from quarantine.i18n import _
from quarantine.localtime import local_to_utc, local_today
from quarantine.models import MEALS, Person
from quarantine.stays import release

bp = Blueprint("health", __name__, url_prefix="/health")

T = TypeVar("T")


@bp.route("/sites/<int:site_id>")
@roles_required(*MANAGE_SITE)
def site_day(site_id: int):
    site = site_or_404(site_id)
    today = local_today()
    people = residents.residents(site)
    return render_template("health/site_day.html", site=site, today=today, floors=residents.by_floor(people),
                           day_report=report.daily_report(site, today), meals=MEALS,
                           releases_due=clock.releases_due(site, today, people),
                           pcr_due=sum(len(f.residents) for f in pcr.due_by_floor(site, today, people)))


@bp.route("/sites/<int:site_id>/releases")
@roles_required(*MANAGE_SITE)
def releases(site_id: int):
    site = site_or_404(site_id)
    today = local_today()
    due = clock.releases_due(site, today)
    groups = [
        (_("Overdue"), [r for r in due if r.person.release_date < today]),
        (_("Due today, %(day)s", day=today.isoformat()), [r for r in due if r.person.release_date == today]),
        (_("Due tomorrow, %(day)s", day=(today + timedelta(days=1)).isoformat()),
         [r for r in due if r.person.release_date > today]),
    ]
    # Floors with someone due today or earlier can be released together.
    floors = residents.by_floor(sorted([r for r in due if r.person.release_date <= today],
                                       key=lambda r: (r.building.code, r.room.floor, r.room.number)))
    return render_template("health/releases.html", site=site, groups=groups, floors=floors, today=today)


def _release(site, release: Callable[[datetime | None, str], T], done: Callable[[T], str]):
    """Read the release form, run `release(when, early_reason)`, flash `done(result)` or what was wrong,
    and go back to the site's releases."""
    form = ReleaseForm()
    if form.validate_on_submit():
        when = local_to_utc(form.released_at.data) if form.released_at.data else None
        try:
            result = release(when, form.early_reason.data or "")
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            flash(done(result), "success")
    else:
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
    return redirect(url_for("health.releases", site_id=site.id))


@bp.route("/sites/<int:site_id>/people/<int:person_id>/release", methods=["POST"])
@roles_required(*MANAGE_SITE)
def release_person(site_id: int, person_id: int):
    site = site_or_404(site_id)
    person = db.session.get(Person, person_id)
    if person is None or person.current_stay is None or person.current_stay.room.site_id != site.id:
        abort(404)
    return _release(site, lambda when, reason: release.release(person, current_user, when, reason),
                    lambda _result: _("%(name)s released; the room goes to terminal disinfection.", name=person.name))


@bp.route("/sites/<int:site_id>/floors/<int:building_id>/<int(signed=True):floor>/release", methods=["POST"])
@roles_required(*MANAGE_SITE)
def release_floor(site_id: int, building_id: int, floor: int):
    site = site_or_404(site_id)
    building = building_or_404(site, building_id)
    return _release(site, lambda when, reason: release.release_floor(site, building, floor, current_user, when, reason),
                    lambda released: _("%(n)d people released from floor %(floor)s of building %(b)s.",
                                       n=len(released), floor=floor, b=building.code))
