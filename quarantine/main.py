"""The dashboard: every visible site's status and free capacity at a glance."""
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from quarantine.access import visible_sites_query
from quarantine.extensions import db
from quarantine.sites.services import capacities
from quarantine.supplies.flags import supplies_and_waste_flags

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def index():
    if current_user.role == "catering":
        return redirect(url_for("meals.index"))
    sites = db.session.scalars(visible_sites_query()).all()
    caps = capacities([s.id for s in sites])
    totals = {
        "sites_ready": sum(1 for s in sites if s.receiving),
        "free_beds": sum(caps[s.id].free_beds for s in sites if s.receiving),
        "residents": sum(caps[s.id].residents for s in sites),
        "backup_beds": sum(caps[s.id].free_beds for s in sites if s.kind == "backup" and not s.receiving),
    }
    return render_template("main/index.html", sites=sites, caps=caps, totals=totals,
                           supply_flags=supplies_and_waste_flags(sites, include_county=current_user.sees_all_sites))
