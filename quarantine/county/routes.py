"""The county view's own pages: the 7-day forecast, the command centre's big screen, and what a site
does from its home page (confirming its figures, acknowledging arrivals)."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from quarantine.access import EDIT_SITES, MANAGE_SITE, roles_required, site_or_404, visible_sites_query
from quarantine.county import chart
from quarantine.county.figures import confirm, stale_count, stale_cutoff, stale_kinds
from quarantine.county.forecast import MAX_DAYS, forecast, forecast_sites
from quarantine.county.forms import AcknowledgeForm, ConfirmFiguresForm
from quarantine.county.notices import acknowledge
from quarantine.county.roll_up import batches_on_the_way, report_totals
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.localtime import local_today
from quarantine.models import RECEIVING_STATUSES, ArrivalNotice, Site
from quarantine.paging import page_arg
from quarantine.sites.listing import site_page
from quarantine.sites.services import totals

bp = Blueprint("county", __name__, url_prefix="/county")

BIG_SCREEN_REFRESH = 60  # seconds
BIG_SCREEN_SITES = 24  # the receiving sites that can take the most, as many as fit on one screen


def days_arg(default: int = 7) -> int:
    raw = request.args.get("days", "")
    return min(max(int(raw), 1), MAX_DAYS) if raw.isdigit() and len(raw) <= 3 else default


@bp.route("/forecast")
@roles_required(*MANAGE_SITE)
def forecast_page():
    today, days, q = local_today(), days_arg(), request.args.get("q", "")
    page = site_page(q, page_arg())
    county = forecast(forecast_sites(visible_sites_query()), today, days)
    return render_template("county/forecast.html", page=page, q=q, days=days, forecast=county,
                           sites=page.items, svg=chart.forecast_chart(county.county))


@bp.route("/big-screen")
@roles_required(*EDIT_SITES)
def big_screen():
    today = local_today()
    receiving = visible_sites_query().where(Site.status.in_(RECEIVING_STATUSES))
    county, cutoff = forecast(forecast_sites(receiving), today, 7), stale_cutoff(today)
    best = sorted(county.sites, key=lambda sid: -county.sites[sid][0].takes)[:BIG_SCREEN_SITES]
    shown = {site.id: site for site in db.session.scalars(select(Site).where(Site.id.in_(best)))}
    rows = sorted(((shown[sid], county.sites[sid][0], stale_kinds(shown[sid], cutoff)) for sid in best),
                  key=lambda row: (-row[1].takes, row[0].name))
    return render_template("county/big_screen.html", totals=totals(visible_sites_query()),
                           stale=stale_count(visible_sites_query(), cutoff),
                           report=report_totals(visible_sites_query(), today, current_user.sees_all_sites), forecast=county,
                           batches=batches_on_the_way(today, limit=8), sites=rows,
                           refresh=BIG_SCREEN_REFRESH, now=datetime.now(timezone.utc), svg=chart.forecast_chart(county.county))


@bp.route("/sites/<int:site_id>/confirm", methods=["POST"])
@roles_required(*MANAGE_SITE)
def confirm_figures(site_id: int):
    site = site_or_404(site_id)
    form = ConfirmFiguresForm()
    if form.validate_on_submit():
        confirm(site, form.kinds.data)
        db.session.commit()
        flash(_("Thank you: headquarters sees the figures of %(site)s as confirmed now.", site=site.name), "success")
    else:
        flash(_("Tick at least one of the figures."), "error")
    return redirect(_back(url_for("sites.show_site", site_id=site.id)))


@bp.route("/notices/<int:notice_id>/acknowledge", methods=["POST"])
@roles_required(*MANAGE_SITE)
def acknowledge_notice(notice_id: int):
    notice = db.session.get(ArrivalNotice, notice_id)
    if notice is None or not current_user.can_see_site(notice.site_id):
        abort(404)
    if AcknowledgeForm().validate_on_submit():
        acknowledge(notice, current_user)
        db.session.commit()
        flash(_("Arrivals acknowledged."), "success")
    return redirect(url_for("main.index"))


def _back(default: str) -> str:
    """Back to the page the form was on (same site only)."""
    target = request.form.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else default

