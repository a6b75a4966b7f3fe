"""The home page: figures over every visible site, and the sites a page at a time."""
from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import text

from quarantine.access import visible_sites_query
from quarantine.county.figures import only_stale, site_figures, stale_count, stale_cutoff, stale_hours
from quarantine.county.forms import AcknowledgeForm, ConfirmFiguresForm
from quarantine.county.notices import open_notices
from quarantine.county.roll_up import batches_on_the_way, report_totals
from quarantine.extensions import db
from quarantine.jobs.queue import backend_name, huey
from quarantine.localtime import local_today
from quarantine.models import Site
from quarantine.paging import page_arg
from quarantine.sites.listing import site_page
from quarantine.sites.services import totals
from quarantine.stays.reminders import today_at_sites
from quarantine.supplies.flags import supplies_and_waste_flags

bp = Blueprint("main", __name__)
FLAGS_SHOWN = 30  # supply and waste flags on the home page; the rest on the supplies page


@bp.route("/")
@login_required
def index():
    if current_user.role == "catering":
        return redirect(url_for("meals.index"))
    today, q, stale = local_today(), request.args.get("q", ""), request.args.get("stale") == "1"
    cutoff = stale_cutoff(today)
    page = site_page(q, page_arg(), narrow=(lambda query: only_stale(query, cutoff)) if stale else None)
    visible = db.session.scalars(visible_sites_query()).all()
    site_ids = visible_sites_query().with_only_columns(Site.id).order_by(None)
    return render_template(
        "main/index.html", page=page, q=q, stale=stale, figures=site_figures(page.items, today, cutoff),
        totals=totals(visible_sites_query()), stale_sites=stale_count(visible_sites_query(), cutoff),
        report=report_totals(visible_sites_query(), today, current_user.sees_all_sites), today=today, stale_hours=stale_hours(today),
        batches=batches_on_the_way(today) if current_user.sees_all_sites else [],
        notices=open_notices(site_ids), ack_form=AcknowledgeForm(), confirm_form=ConfirmFiguresForm(),
        supply_flags=supplies_and_waste_flags(visible, include_county=current_user.sees_all_sites),
        flags_shown=FLAGS_SHOWN,
        today_at_sites=[] if current_user.sees_all_sites else today_at_sites(visible, today))


@bp.route("/healthz")
def healthz():
    """For the load balancer and monitoring: the database and the job queue answer (no sign-in)."""
    checks = {"database": _database_answers(), "queue": _queue_answers()}
    healthy = all(checks.values())
    return jsonify(status="ok" if healthy else "failing", **{k: "ok" if v else "failing" for k, v in checks.items()},
                   queue_backend=backend_name()), (200 if healthy else 503)


def _database_answers() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means "not healthy"; details go to the log
        db.session.rollback()
        current_app.logger.exception("health check: database")
        return False


def _queue_answers() -> bool:
    try:
        huey.pending_count()
        return True
    except Exception:  # noqa: BLE001
        current_app.logger.exception("health check: job queue")
        return False
