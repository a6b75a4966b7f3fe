"""The guided "prepare this site" page: every step from nothing to ready, each with what is
missing and a link to the page that fixes it, and the delivery of beds and bedding."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from quarantine.access import COUNTY_SUPPLIES, EDIT_SITES, MANAGE_SITE, roles_required, site_or_404
from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.localtime import local_today
from quarantine.models import Site, Store
from quarantine.sites import prepare, services
from quarantine.sites.routes import bp
from quarantine.staff.services import effective_capacity_limit, staffing_check
from quarantine.supplies.forms import DeliveryForm
from quarantine.supplies.services import county_stores


def _delivery_form(site: Site, reserves: list[Store]) -> DeliveryForm:
    form = DeliveryForm(prefix="beds")
    form.source_id.choices = [(s.id, s.name) for s in reserves]
    if not form.is_submitted():
        source = reserves[0] if reserves else None
        for need in prepare.bed_needs(site, source):
            form.rows.append_entry({"item_id": str(need.item.id), "quantity": min(need.shortfall, need.in_reserve)})
    return form


def _render(site: Site, delivery_form: DeliveryForm | None, reserves: list[Store], status: int = 200):
    source = next((s for s in reserves if delivery_form and s.id == delivery_form.source_id.data), None) \
        or (reserves[0] if reserves else None)
    today = local_today()
    return render_template("sites/prepare.html", site=site, steps=prepare.prepare_steps(site, source, today),
                           needs=prepare.bed_needs(site, source), beds=prepare.site_beds(site),
                           delivery_form=delivery_form, source=source, staffing=staffing_check(site, today),
                           effective_limit=effective_capacity_limit(site, today),
                           may_set_ready=current_user.role in EDIT_SITES and not site.receiving,
                           may_start_preparing="preparing" in services.status_choices(site, current_user.role)
                           and site.status == "standby",
                           gaps=services.readiness_gaps(site, today)), status


@bp.route("/<int:site_id>/prepare", endpoint="prepare")
@roles_required(*MANAGE_SITE)
def prepare_site(site_id: int):
    site = site_or_404(site_id)
    reserves = county_stores()
    form = _delivery_form(site, reserves) if current_user.role in COUNTY_SUPPLIES else None
    return _render(site, form, reserves)


@bp.route("/<int:site_id>/prepare/beds", methods=["POST"])
@roles_required(*COUNTY_SUPPLIES)
def deliver_beds(site_id: int):
    site = site_or_404(site_id)
    reserves = county_stores()
    form = _delivery_form(site, reserves)
    if form.validate_on_submit():
        source = next(s for s in reserves if s.id == form.source_id.data)
        try:
            movements = prepare.deliver_beds(site, source, form.quantities(), current_user)
        except DomainError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            flash(_("%(n)d items sent from %(store)s to %(site)s.", n=sum(m.quantity for m in movements if m.quantity > 0),
                    store=source.name, site=site.name), "success")
            return redirect(url_for("sites.prepare", site_id=site.id) + "#step-beds")
    return _render(site, form, reserves, status=400 if request.method == "POST" else 200)
