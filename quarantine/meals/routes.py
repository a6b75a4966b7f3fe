from flask import render_template, request
from sqlalchemy import select

from quarantine.access import READ_ROSTERS, roles_required, site_or_404, visible_sites_query
from quarantine.extensions import db
from quarantine.meals import bp, services
from quarantine.models import Diet


@bp.route("/")
@roles_required(*READ_ROSTERS)
def index():
    sites = db.session.scalars(visible_sites_query()).all()
    return render_template("meals/index.html", sites=sites)


@bp.route("/sites/<int:site_id>/roster")
@roles_required(*READ_ROSTERS)
def roster(site_id: int):
    site = site_or_404(site_id)
    floors = services.delivery_roster(site)
    diets = {d.code: d for d in db.session.scalars(select(Diet))}
    return render_template("meals/roster.html", site=site, floors=floors, totals=services.diet_totals(floors),
                           diets=diets, masked=request.args.get("masked") == "1")
