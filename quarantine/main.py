"""The home page: figures over every visible site, and the sites a page at a time."""
from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from quarantine.access import visible_sites_query
from quarantine.extensions import db
from quarantine.paging import page_arg
from quarantine.sites.listing import site_page
from quarantine.sites.services import capacities, totals
from quarantine.supplies.flags import supplies_and_waste_flags

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def index():
    if current_user.role == "catering":
        return redirect(url_for("meals.index"))
    q = request.args.get("q", "")
    page = site_page(q, page_arg())
    visible = db.session.scalars(visible_sites_query()).all()
    return render_template("main/index.html", page=page, sites=page.items, q=q,
                           caps=capacities([s.id for s in page.items]), totals=totals(visible_sites_query()),
                           supply_flags=supplies_and_waste_flags(visible, include_county=current_user.sees_all_sites))
