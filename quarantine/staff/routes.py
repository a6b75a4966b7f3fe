from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from quarantine.access import MANAGE_SITE, roles_required, site_or_404
from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.labels import vocab_label
from quarantine.localtime import local_today
from quarantine.models import Site, StaffMember
from quarantine.staff import services
from quarantine.staff.forms import EndDutyForm, StaffForm

bp = Blueprint("staff", __name__, url_prefix="/staff")


def _member_or_404(member_id: int) -> tuple[StaffMember, Site]:
    member = db.session.get(StaffMember, member_id)
    if member is None:
        abort(404)
    return member, site_or_404(member.site_id)


def _staff_form(site: Site, **kwargs) -> StaffForm:
    form = StaffForm(**kwargs)
    form.zone_id.choices = [(0, _("Not set"))] + [(z.id, f"{vocab_label(z.type)} {z.name}".strip())
                                                 for z in site.zones]
    return form


def _save(form: StaffForm, member: StaffMember) -> bool:
    """Save the form's fields to the member; False (the refusal shown on the form) when a rule says no."""
    try:
        services.save_staff(member, name=form.name.data, phone=form.phone.data or "", work_group=form.work_group.data,
                            medical_role=form.medical_role.data, zone_id=form.zone_id.data or None,
                            shift=form.shift.data, on_duty_from=form.on_duty_from.data,
                            on_duty_to=form.on_duty_to.data)
    except DomainError as exc:
        db.session.rollback()
        form.form_errors.append(str(exc))
        return False
    return True


@bp.route("/sites/<int:site_id>")
@roles_required(*MANAGE_SITE)
def list_staff(site_id: int):
    site = site_or_404(site_id)
    today = local_today()
    members = services.site_staff(site)
    by_status: dict[str, list[StaffMember]] = {s: [] for s in ("on_duty", "scheduled", "post_duty_quarantine",
                                                               "off_duty")}
    for member in members:
        by_status[member.status_on(today)].append(member)
    return render_template("staff/list.html", site=site, by_status=by_status, today=today,
                           check=services.staffing_check(site, today))


@bp.route("/sites/<int:site_id>/new", methods=["GET", "POST"])
@roles_required(*MANAGE_SITE)
def new_staff(site_id: int):
    site = site_or_404(site_id)
    form = _staff_form(site)
    if request.method == "GET":
        form.on_duty_from.data = local_today()
    member = StaffMember(site_id=site.id)
    if form.validate_on_submit() and _save(form, member):
        flash(_("%(name)s added to the staff of %(site)s.", name=member.name, site=site.name), "success")
        return redirect(url_for("staff.list_staff", site_id=site.id))
    status = 400 if request.method == "POST" else 200
    return render_template("staff/form.html", site=site, form=form, member=None), status


@bp.route("/<int:member_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGE_SITE)
def edit_staff(member_id: int):
    member, site = _member_or_404(member_id)
    form = _staff_form(site, obj=member)
    if request.method == "GET":
        form.zone_id.data = member.zone_id or 0
    if form.validate_on_submit() and _save(form, member):
        flash(_("%(name)s saved.", name=member.name), "success")
        return redirect(url_for("staff.list_staff", site_id=site.id))
    status = 400 if request.method == "POST" else 200
    return render_template("staff/form.html", site=site, form=form, member=member), status


@bp.route("/<int:member_id>/end-duty", methods=["GET", "POST"])
@roles_required(*MANAGE_SITE)
def end_duty(member_id: int):
    member, site = _member_or_404(member_id)
    form = EndDutyForm(on_duty_from=member.on_duty_from)
    if request.method == "GET":
        form.last_day.data = member.on_duty_to or max(local_today(), member.on_duty_from)
        form.quarantine_until.data = member.quarantine_until
    if form.validate_on_submit():
        try:
            services.end_duty(member, form.last_day.data, form.quarantine_until.data)
            flash(_("%(name)s ends duty on %(day)s; post-duty quarantine until %(until)s.", name=member.name,
                    day=member.on_duty_to, until=member.quarantine_until), "success")
            return redirect(url_for("staff.list_staff", site_id=site.id))
        except DomainError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
    status = 400 if request.method == "POST" else 200
    return render_template("staff/end_duty.html", site=site, form=form, member=member,
                           default_until=services.default_quarantine_until(form.last_day.data or local_today())), status
