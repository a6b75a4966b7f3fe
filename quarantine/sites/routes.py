from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from quarantine.access import EDIT_SITES, MANAGE_SITE, READ_ROSTERS, roles_required, site_or_404
from quarantine.county.forms import ConfirmFiguresForm
from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.labels import status_label, vocab_label
from quarantine.localtime import local_today
from quarantine.models import AreaType, FunctionalArea, Site, Zone, ZoneType
from quarantine.occupancy import expected_arrival_count
from quarantine.paging import page_arg
from quarantine.rooms.services import floor_grid
from quarantine.selfreport.reports import site_flags as resident_flags
from quarantine.sites import services
from quarantine.sites.forms import (
    AreaForm,
    ConfirmPassagesForm,
    PassageForm,
    SiteForm,
    StatusForm,
    ZoneBuildingsForm,
    ZoneForm,
)
from quarantine.sites.listing import site_page
from quarantine.staff.services import effective_capacity_limit, staffing_check
from quarantine.supplies.flags import site_flags

bp = Blueprint("sites", __name__, url_prefix="/sites")


def _status_form(site: Site, statuses: list[str] | tuple[str, ...]) -> StatusForm:
    form = StatusForm()
    form.status.choices = [(s, status_label(s)) for s in statuses]
    return form


def _offered_status_form(site: Site) -> StatusForm:
    """The status form as shown: only the changes the user's role may make."""
    return _status_form(site, services.status_choices(site, current_user.role))


@bp.route("/")
@roles_required(*READ_ROSTERS)
def list_sites():
    q = request.args.get("q", "")
    page = site_page(q, page_arg())
    return render_template("sites/list.html", page=page, sites=page.items, q=q,
                           caps=services.capacities([s.id for s in page.items]))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*EDIT_SITES)
def new_site():
    form = SiteForm()
    if form.validate_on_submit():
        site = Site(status="standby")
        form.populate_obj(site)
        site.name = site.name.strip()
        db.session.add(site)
        db.session.commit()
        flash(_("Site %(name)s created. Next: buildings and rooms, then the layout.", name=site.name), "success")
        return redirect(url_for("sites.show_site", site_id=site.id))
    return render_template("sites/form.html", form=form, site=None)


@bp.route("/<int:site_id>")
@roles_required(*MANAGE_SITE)
def show_site(site_id: int):
    site = site_or_404(site_id)
    today = local_today()
    checklist = services.readiness_checklist(site, today)
    return render_template("sites/show.html", site=site, checklist=checklist,
                           cap=services.capacities([site.id])[site.id], grid=floor_grid(site),
                           status_form=_offered_status_form(site), expected_count=expected_arrival_count(site),
                           staffing=staffing_check(site, today),
                           effective_limit=effective_capacity_limit(site, today),
                           supply_flags=site_flags(site, today), resident_flags=resident_flags(site),
                           confirm_form=ConfirmFiguresForm())


@bp.route("/<int:site_id>/edit", methods=["GET", "POST"])
@roles_required(*EDIT_SITES)
def edit_site(site_id: int):
    site = site_or_404(site_id)
    form = SiteForm(obj=site, site_id=site.id)
    if form.validate_on_submit():
        form.populate_obj(site)
        site.name = site.name.strip()
        db.session.commit()
        flash(_("Site saved."), "success")
        return redirect(url_for("sites.show_site", site_id=site.id))
    return render_template("sites/form.html", form=form, site=site)


@bp.route("/<int:site_id>/status", methods=["POST"])
@roles_required(*MANAGE_SITE)
def change_status(site_id: int):
    site = site_or_404(site_id)
    # Every structurally possible change is accepted by the form, so that the service can say
    # why the user's role may not make it.
    form = _status_form(site, services.TRANSITIONS.get(site.status, ()))
    if form.validate_on_submit():
        try:
            services.change_status(site, form.status.data, current_user.role)
            flash(_("Status is now %(status)s.", status=status_label(site.status)), "success")
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc), "error")
    else:
        flash(_("Choose one of the statuses offered."), "error")
    # The prepare page's last step posts here too and wants to come back to the steps.
    back_to = "sites.prepare" if request.form.get("back_to") == "prepare" else "sites.show_site"
    return redirect(url_for(back_to, site_id=site.id))


def _layout_forms(site: Site):
    zone_types = db.session.scalars(select(ZoneType).where(ZoneType.active).order_by(ZoneType.sort)).all()
    area_types = db.session.scalars(select(AreaType).where(AreaType.active).order_by(AreaType.sort)).all()
    zone_form = ZoneForm(prefix="zone")
    zone_form.type_code.choices = [(z.code, vocab_label(z)) for z in zone_types]
    zone_form.buildings.choices = services.building_choices(site)
    area_form = AreaForm(prefix="area", area_zone_rules={a.code: a.zone_type_code for a in area_types},
                         zone_types={z.id: z.type_code for z in site.zones})
    area_form.type_code.choices = [(a.code, vocab_label(a)) for a in area_types]
    area_form.zone_id.choices = [(z.id, f"{vocab_label(z.type)} {z.name}".strip()) for z in site.zones]
    passage_form = PassageForm(prefix="passage")
    confirm_form = ConfirmPassagesForm(prefix="confirm")
    return zone_form, area_form, passage_form, confirm_form


def _render_layout(site: Site, zone_form, area_form, passage_form, confirm_form):
    building_forms = {}
    for zone in site.zones:
        f = ZoneBuildingsForm(prefix=f"zb{zone.id}", formdata=None)
        f.buildings.choices = services.building_choices(site)
        f.buildings.data = [b.id for b in zone.buildings]
        building_forms[zone.id] = f
    return render_template("sites/layout.html", site=site, zone_form=zone_form, area_form=area_form,
                           passage_form=passage_form, confirm_form=confirm_form, building_forms=building_forms,
                           checklist=[item for item in services.readiness_checklist(site)
                                      if item.step in ("details", "layout", "rooms")])


@bp.route("/<int:site_id>/layout")
@roles_required(*MANAGE_SITE)
def layout(site_id: int):
    site = site_or_404(site_id)
    return _render_layout(site, *_layout_forms(site))


@bp.route("/<int:site_id>/layout/zones", methods=["POST"])
@roles_required(*MANAGE_SITE)
def add_zone(site_id: int):
    site = site_or_404(site_id)
    forms = _layout_forms(site)
    zone_form = forms[0]
    if zone_form.validate_on_submit():
        services.add_zone(site, zone_form.type_code.data, zone_form.name.data or "",
                          zone_form.description.data or "", zone_form.buildings.data or [])
        flash(_("Zone added."), "success")
        return redirect(url_for("sites.layout", site_id=site.id))
    return _render_layout(site, *forms), 400


@bp.route("/<int:site_id>/layout/zones/<int:zone_id>/buildings", methods=["POST"])
@roles_required(*MANAGE_SITE)
def set_zone_buildings(site_id: int, zone_id: int):
    site = site_or_404(site_id)
    zone = db.session.get(Zone, zone_id)
    if zone is None or zone.site_id != site.id:
        abort(404)
    form = ZoneBuildingsForm(prefix=f"zb{zone.id}")
    form.buildings.choices = services.building_choices(site)
    if form.validate_on_submit():
        services.update_zone_buildings(zone, form.buildings.data or [])
        flash(_("Zone buildings saved."), "success")
    else:
        flash(_("Choose buildings of this site."), "error")
    return redirect(url_for("sites.layout", site_id=site.id))


@bp.route("/<int:site_id>/layout/zones/<int:zone_id>/delete", methods=["POST"])
@roles_required(*MANAGE_SITE)
def delete_zone(site_id: int, zone_id: int):
    site = site_or_404(site_id)
    zone = db.session.get(Zone, zone_id)
    if zone is None or zone.site_id != site.id:
        abort(404)
    services.delete_zone(zone)
    flash(_("Zone removed."), "success")
    return redirect(url_for("sites.layout", site_id=site.id))


@bp.route("/<int:site_id>/layout/areas", methods=["POST"])
@roles_required(*MANAGE_SITE)
def add_area(site_id: int):
    site = site_or_404(site_id)
    forms = _layout_forms(site)
    area_form = forms[1]
    if area_form.validate_on_submit():
        services.add_area(site, area_form.type_code.data, area_form.zone_id.data, area_form.description.data or "")
        flash(_("Area added."), "success")
        return redirect(url_for("sites.layout", site_id=site.id))
    return _render_layout(site, *forms), 400


@bp.route("/<int:site_id>/layout/areas/<int:area_id>/delete", methods=["POST"])
@roles_required(*MANAGE_SITE)
def delete_area(site_id: int, area_id: int):
    site = site_or_404(site_id)
    area = db.session.get(FunctionalArea, area_id)
    if area is None or area.site_id != site.id:
        abort(404)
    services.delete_area(area)
    flash(_("Area removed."), "success")
    return redirect(url_for("sites.layout", site_id=site.id))


@bp.route("/<int:site_id>/layout/passages", methods=["POST"])
@roles_required(*MANAGE_SITE)
def save_passage(site_id: int):
    site = site_or_404(site_id)
    forms = _layout_forms(site)
    passage_form = forms[2]
    if passage_form.validate_on_submit():
        services.save_passage(site, passage_form.kind.data, passage_form.entrance.data, passage_form.route.data)
        flash(_("Passage saved. Confirm again that the passages do not cross."), "success")
        return redirect(url_for("sites.layout", site_id=site.id))
    return _render_layout(site, *forms), 400


@bp.route("/<int:site_id>/layout/confirm", methods=["POST"])
@roles_required(*MANAGE_SITE)
def confirm_passages(site_id: int):
    site = site_or_404(site_id)
    forms = _layout_forms(site)
    confirm_form = forms[3]
    if confirm_form.validate_on_submit():
        try:
            services.confirm_passages_separate(site, current_user)
            flash(_("Confirmed: the passages do not cross."), "success")
            return redirect(url_for("sites.layout", site_id=site.id))
        except DomainError as exc:
            confirm_form.confirm.errors.append(str(exc))
    return _render_layout(site, *forms), 400
