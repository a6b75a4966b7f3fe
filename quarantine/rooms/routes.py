"""Rooms: buildings and rooms set up in bulk, single-room edits, and room turnover."""
from __future__ import annotations

from typing import Callable, TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from quarantine.access import MANAGE_SITE, building_or_404, roles_required, site_or_404
from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.localtime import local_today
from quarantine.models import Room
from quarantine.rooms import services, turnover
from quarantine.rooms.forms import BuildingForm, BulkCreateForm, BulkEditForm, OutOfServiceForm, RoomForm
from quarantine.sites.services import building_choices, get_building

bp = Blueprint("rooms", __name__)

T = TypeVar("T")


def _setup_forms(site):
    building_form = BuildingForm(prefix="building", existing_codes={b.code for b in site.buildings})
    create_form = BulkCreateForm(prefix="create")
    create_form.building_id.choices = building_choices(site)
    edit_form = BulkEditForm(prefix="edit")
    edit_form.building_id.choices = [(0, _("All buildings"))] + building_choices(site)
    return building_form, create_form, edit_form


def _render_setup(site, building_form, create_form, edit_form, status=200):
    return render_template("rooms/setup.html", site=site, building_form=building_form, create_form=create_form,
                           edit_form=edit_form), status


@bp.route("/sites/<int:site_id>/rooms")
@roles_required(*MANAGE_SITE)
def setup(site_id: int):
    site = site_or_404(site_id)
    return _render_setup(site, *_setup_forms(site))


@bp.route("/sites/<int:site_id>/buildings", methods=["POST"])
@roles_required(*MANAGE_SITE)
def add_building(site_id: int):
    site = site_or_404(site_id)
    forms = _setup_forms(site)
    form = forms[0]
    if form.validate_on_submit():
        building = services.add_building(site, form.code.data, form.name.data or "", form.has_lift.data)
        flash(_("Building %(code)s added.", code=building.code), "success")
        return redirect(url_for("rooms.setup", site_id=site.id))
    return _render_setup(site, *forms, status=400)


@bp.route("/sites/<int:site_id>/rooms/bulk-create", methods=["POST"])
@roles_required(*MANAGE_SITE)
def bulk_create(site_id: int):
    site = site_or_404(site_id)
    forms = _setup_forms(site)
    form = forms[1]
    if form.validate_on_submit():
        building = get_building(site, form.building_id.data)
        try:
            rooms = services.bulk_create_rooms(
                building, current_user, floor_from=form.floor_from.data, floor_to=form.floor_to.data,
                room_from=form.room_from.data, room_to=form.room_to.data, beds=form.beds.data,
                own_bathroom=form.own_bathroom.data, accessible=form.accessible.data,
                accessible_ground_floor=form.accessible_ground_floor.data)
            flash(_("%(n)d rooms created in building %(b)s.", n=len(rooms), b=building.code), "success")
            return redirect(url_for("sites.show_site", site_id=site.id))
        except DomainError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
    return _render_setup(site, *forms, status=400)


@bp.route("/sites/<int:site_id>/rooms/bulk-edit", methods=["POST"])
@roles_required(*MANAGE_SITE)
def bulk_edit(site_id: int):
    site = site_or_404(site_id)
    forms = _setup_forms(site)
    form = forms[2]
    if form.validate_on_submit():
        try:
            rooms = services.select_rooms(site, form.building_id.data or None, form.floor_from.data,
                                          form.floor_to.data, form.numbers.data or "")
            count = services.bulk_edit_rooms(
                rooms, current_user, beds=form.beds.data,
                accessible=None if form.accessible.data == "" else form.accessible.data == "1",
                status=form.status.data or None, reason=form.reason.data or "",
                expected_return=form.expected_return.data)
            flash(_("%(n)d rooms changed.", n=count), "success")
            return redirect(url_for("sites.show_site", site_id=site.id))
        except DomainError as exc:
            form.form_errors.append(str(exc))
    return _render_setup(site, *forms, status=400)


def _room_of_site_or_404(room_id: int) -> Room:
    """A room of a site the user may see; 404 otherwise."""
    room = db.session.get(Room, room_id)
    if room is None:
        abort(404)
    site_or_404(room.site_id)
    return room


@bp.route("/rooms/<int:room_id>", methods=["GET", "POST"])
@roles_required(*MANAGE_SITE)
def edit_room(room_id: int):
    room = _room_of_site_or_404(room_id)
    site = room.building.site  # the site _room_of_site_or_404 checked
    form = RoomForm(obj=room, stored_return=room.expected_return)
    if request.method == "GET":
        form.reason.data = room.status_reason
    if form.validate_on_submit():
        try:
            services.set_beds(room, form.beds.data, current_user)
            services.set_accessible(room, form.accessible.data, current_user)
            if form.own_bathroom.data != room.own_bathroom:
                room.own_bathroom = form.own_bathroom.data
            services.set_status(room, form.status.data, current_user, form.reason.data or "",
                                form.expected_return.data)
            db.session.commit()
            flash(_("Room %(room)s saved.", room=room.label), "success")
            return redirect(url_for("rooms.edit_room", room_id=room.id))
        except DomainError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
    return render_template("rooms/edit.html", site=site, room=room, form=form)


# --- room turnover: terminal disinfection and out of service -----------------------------------

def _out_of_service_form(site) -> OutOfServiceForm:
    form = OutOfServiceForm(prefix="oos", find_room=lambda building_id, number: turnover.find_room(
        site, building_id, number))
    form.building_id.choices = building_choices(site)
    return form


def _render_turnover(site, form, status=200):
    return render_template("rooms/turnover.html", site=site, turnover=turnover.site_turnover(site), form=form,
                           today=local_today()), status


@bp.route("/sites/<int:site_id>/turnover")
@roles_required(*MANAGE_SITE)
def site_turnover(site_id: int):
    site = site_or_404(site_id)
    return _render_turnover(site, _out_of_service_form(site))


@bp.route("/sites/<int:site_id>/turnover/out-of-service", methods=["POST"])
@roles_required(*MANAGE_SITE)
def take_out_of_service(site_id: int):
    site = site_or_404(site_id)
    form = _out_of_service_form(site)
    if form.validate_on_submit():
        try:
            turnover.take_out_of_service(form.room, current_user, form.reason.data, form.expected_return.data,
                                         local_today())
            flash(_("Room %(room)s is out of service.", room=form.room.label), "success")
            return redirect(url_for("rooms.site_turnover", site_id=site.id))
        except DomainError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
    return _render_turnover(site, form, status=400)


def _turnover_change(site_id: int, change: Callable[[], T], done: Callable[[T], str]):
    """Make one turnover change; flash `done(result)` or the refusal, back to the turnover page."""
    try:
        result = change()
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        flash(done(result), "success")
    return redirect(url_for("rooms.site_turnover", site_id=site_id))


@bp.route("/rooms/<int:room_id>/confirm-clean", methods=["POST"])
@roles_required(*MANAGE_SITE)
def confirm_clean(room_id: int):
    room = _room_of_site_or_404(room_id)
    return _turnover_change(room.site_id, lambda: turnover.confirm_clean(room, current_user),
                            lambda _result: _("Room %(room)s is clean and available again.", room=room.label))


@bp.route("/sites/<int:site_id>/turnover/buildings/<int:building_id>/floors/<int(signed=True):floor>/confirm-clean",
          methods=["POST"])
@roles_required(*MANAGE_SITE)
def confirm_floor_clean(site_id: int, building_id: int, floor: int):
    site = site_or_404(site_id)
    building = building_or_404(site, building_id)
    return _turnover_change(
        site.id, lambda: turnover.confirm_floor_clean(site, building.id, floor, current_user),
        lambda n: _("%(n)d rooms on floor %(floor)s of building %(b)s are clean and available again.", n=n,
                    floor=floor, b=building.code))


@bp.route("/rooms/<int:room_id>/back-in-service", methods=["POST"])
@roles_required(*MANAGE_SITE)
def return_to_service(room_id: int):
    room = _room_of_site_or_404(room_id)
    return _turnover_change(room.site_id, lambda: turnover.return_to_service(room, current_user),
                            lambda _result: _("Room %(room)s is back in service.", room=room.label))
