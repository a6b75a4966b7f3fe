"""The administrators' page of the audit trail, filtered by person, user, site and date."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request
from sqlalchemy import select

from quarantine.access import roles_required
from quarantine.audit.services import AuditFilter, events_query
from quarantine.extensions import db
from quarantine.models import Site, User
from quarantine.paging import page_arg, paginate, row_id

bp = Blueprint("audit", __name__, url_prefix="/audit")
PAGE_SIZE = 100


def _day(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


@bp.route("/")
@roles_required("admin")
def list_events():
    f = AuditFilter(person=request.args.get("person", "").strip()[:40], user=request.args.get("user", "").strip()[:64],
                    site_id=request.args.get("site", type=row_id), day_from=_day("from"), day_to=_day("to"))
    page = paginate(events_query(f), page_arg(), PAGE_SIZE)
    sites = {s.id: s.name for s in db.session.scalars(select(Site).order_by(Site.name))}
    users = db.session.scalars(select(User.username).order_by(User.username)).all()
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("audit/list.html", page=page, f=f, sites=sites, users=users, args=args)
