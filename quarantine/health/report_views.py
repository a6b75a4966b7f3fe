"""The daily report of a site: a printable page and an XLSX export."""
from __future__ import annotations

from datetime import timedelta

from flask import Response, render_template

from quarantine.access import MANAGE_SITE, roles_required, site_or_404
from quarantine.audit import trail
from quarantine.health import report, routine
from quarantine.health.lookups import day_arg
from quarantine.health.routes import bp
from quarantine.localtime import local_today
from quarantine.models import MEALS

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/sites/<int:site_id>/report")
@roles_required(*MANAGE_SITE)
def daily_report(site_id: int):
    site = site_or_404(site_id)
    day = day_arg()
    return render_template("health/report.html", site=site, report=report.daily_report(site, day), meals=MEALS,
                           meal_label=report.meal_label, period_label=report.period_label,
                           zone_label=routine.zone_label, per_zone=routine.DISINFECTIONS_PER_ZONE,
                           previous_day=day - timedelta(days=1),
                           next_day=day + timedelta(days=1) if day < local_today() else None)


@bp.route("/sites/<int:site_id>/report.xlsx")
@roles_required(*MANAGE_SITE)
def daily_report_xlsx(site_id: int):
    site = site_or_404(site_id)
    day = day_arg()
    body = report.report_xlsx(report.daily_report(site, day))
    trail.record("export", entity="sites", entity_id=site.id, site_id=site.id,
                 detail=f"daily-report {day.isoformat()}.xlsx", commit=True)
    return Response(body, mimetype=XLSX_MIMETYPE, headers={
        "Content-Disposition": f"attachment; filename=daily-report-site-{site.id}-{day.isoformat()}.xlsx"})
