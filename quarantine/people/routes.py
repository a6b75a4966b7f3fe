from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from quarantine.access import MANAGE_SITE, SEE_FULL_ID, roles_required, site_or_404, visible_sites_query
from quarantine.audit import trail
from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.labels import status_label, vocab_label
from quarantine.localtime import local_to_utc, utc_to_local
from quarantine.models import (
    PERSON_STATUSES,
    Category,
    Diet,
    Need,
    Person,
    Room,
    Site,
    TransferBatch,
    user_sites,
)
from quarantine.paging import page_arg, row_id
from quarantine.people import services
from quarantine.people.forms import CheckInForm, CheckOutForm, MoveForm, PersonForm
from quarantine.stays import lifecycle
from quarantine.stays.placement import rooms_open_to
from quarantine.stays.release import release

bp = Blueprint("people", __name__, url_prefix="/people")

PAGE_SIZE = 100
SITE_CHOICES = 30


def _person_or_404(person_id: int) -> Person:
    """A person is visible to headquarters, or to managers of the site they are at."""
    person = db.session.get(Person, person_id)
    if person is None:
        abort(404)
    if not current_user.sees_all_sites and (person.site_id is None or not current_user.can_see_site(person.site_id)):
        abort(404)
    return person


def _fill_choices(form: PersonForm) -> None:
    form.category_code.choices = [(c.code, vocab_label(c)) for c in db.session.scalars(
        select(Category).where(Category.active).order_by(Category.sort))]
    form.diet_code.choices = [(d.code, vocab_label(d)) for d in db.session.scalars(
        select(Diet).where(Diet.active).order_by(Diet.sort))]
    form.needs.choices = [(n.code, vocab_label(n)) for n in db.session.scalars(
        select(Need).where(Need.active).order_by(Need.sort))]
    batches = db.session.scalars(select(TransferBatch).order_by(TransferBatch.created_at.desc())).all() \
        if current_user.sees_all_sites else []
    form.batch_id.choices = [(0, "—")] + [(b.id, f"{b.code} · {b.origin}") for b in batches]
    form.site_id.choices = ([(0, "—")] if current_user.sees_all_sites else []) + \
        [(s.id, s.name) for s in db.session.scalars(visible_sites_query())]


def _save(form: PersonForm, person: Person) -> None:
    services.apply_identity(person, form.id_number.data, form.sex.data or None, form.birth_date.data)
    person.name = form.name.data.strip()
    person.phone = (form.phone.data or "").strip()
    person.household = (form.household.data or "").strip()
    person.category_code = form.category_code.data
    person.diet_code = form.diet_code.data
    person.origin = (form.origin.data or "").strip()
    person.batch_id = form.batch_id.data or None
    person.site_id = form.site_id.data or None
    person.notes = form.notes.data or ""
    person.diet_note = (form.diet_note.data or "").strip()
    if form.arrival_at.data is not None:
        person.arrival_at = local_to_utc(form.arrival_at.data)
    services.apply_release_date(person)
    services.set_needs(person, form.needs.data or [])
    db.session.commit()


@bp.route("/")
@roles_required(*MANAGE_SITE)
def list_people():
    query = select(Person).options(selectinload(Person.category), selectinload(Person.batch))
    if not current_user.sees_all_sites:
        query = query.join(user_sites, user_sites.c.site_id == Person.site_id).where(
            user_sites.c.user_id == current_user.id)
    q = request.args.get("q", "").strip()
    if q:
        like = f"%{q}%"
        query = query.where(or_(Person.name.ilike(like), Person.id_number.ilike(like), Person.phone.ilike(like),
                                Person.household.ilike(like)))
    status = request.args.get("status", "")
    if status in PERSON_STATUSES:
        query = query.where(Person.status == status)
    site_id = request.args.get("site", type=row_id)
    if site_id:
        query = query.where(Person.site_id == site_id)
    site_name = request.args.get("site_name", "").strip()[:60]
    if site_name:
        query = query.where(Person.site_id.in_(select(Site.id).where(Site.name.contains(site_name, autoescape=True))))
    batch_id = request.args.get("batch", type=row_id)
    if batch_id:
        query = query.where(Person.batch_id == batch_id)
    page = page_arg()
    people = db.session.scalars(query.order_by(Person.household, Person.name)
                                .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    # A short list of sites is a choice; a province's 1,500 are searched by name.
    sites = db.session.scalars(visible_sites_query().limit(SITE_CHOICES + 1)).all()
    return render_template("people/list.html", people=people[:PAGE_SIZE], more=len(people) > PAGE_SIZE,
                           page=page, q=q, status=status, site_id=site_id, site_name=site_name,
                           sites=sites if len(sites) <= SITE_CHOICES else None,
                           statuses=[(s, status_label(s)) for s in PERSON_STATUSES])


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*MANAGE_SITE)
def new_person():
    form = PersonForm()
    _fill_choices(form)
    if request.method == "GET":
        form.diet_code.data = "regular"
        form.batch_id.data = request.args.get("batch", 0, type=row_id)
    if form.validate_on_submit():
        person = Person(status="expected")
        db.session.add(person)
        _save(form, person)
        flash(_("%(name)s recorded.", name=person.name), "success")
        return redirect(url_for("people.show_person", person_id=person.id))
    return render_template("people/form.html", form=form, person=None)


@bp.route("/<int:person_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGE_SITE)
def edit_person(person_id: int):
    person = _person_or_404(person_id)
    form = PersonForm(obj=person, person_id=person.id)
    _fill_choices(form)
    if request.method == "GET":
        # The form holds the full ID number to correct it: opening it counts as a view of the number.
        trail.record("id_view", entity="people", entity_id=person.id, person_id=person.id, site_id=person.site_id,
                     detail="edit form", commit=True)
        form.needs.data = person.need_codes
        form.batch_id.data = person.batch_id or 0
        form.site_id.data = person.site_id or 0
        form.arrival_at.data = utc_to_local(person.arrival_at)
    if form.validate_on_submit():
        _save(form, person)
        flash(_("%(name)s saved.", name=person.name), "success")
        return redirect(url_for("people.show_person", person_id=person.id))
    return render_template("people/form.html", form=form, person=person)


def _room_choice(room: Room) -> tuple[int, str]:
    return room.id, _("%(room)s (floor %(floor)s, %(free)d of %(beds)d beds free)", room=room.label,
                      floor=room.floor, free=room.beds - room.held, beds=room.beds)


def _stay_forms(person: Person):
    check_in = CheckInForm(prefix="in")
    move = MoveForm(prefix="move")
    check_out = CheckOutForm(prefix="out")
    if person.site_id:
        rooms = rooms_open_to([person], db.session.get(Site, person.site_id))
        check_in.room_id.choices = move.room_id.choices = [_room_choice(r) for r in rooms]
    else:
        check_in.room_id.choices = move.room_id.choices = []
    return check_in, move, check_out


@bp.route("/<int:person_id>")
@roles_required(*MANAGE_SITE)
def show_person(person_id: int, full_id: bool = False):
    person = _person_or_404(person_id)
    check_in, move, check_out = _stay_forms(person)
    return render_template("people/show.html", person=person, check_in_form=check_in, move_form=move,
                           check_out_form=check_out, full_id=full_id, see_full_id=SEE_FULL_ID)


@bp.route("/<int:person_id>/id-number", methods=["POST"])
@roles_required(*SEE_FULL_ID)
def show_full_id(person_id: int):
    """The full ID number, on demand (a POST, so no link or prefetch shows it), and recorded."""
    person = _person_or_404(person_id)
    trail.record("id_view", entity="people", entity_id=person.id, person_id=person.id, site_id=person.site_id,
                 commit=True)
    return show_person(person_id, full_id=True)


@bp.route("/<int:person_id>/stay", methods=["POST"])
@roles_required(*MANAGE_SITE)
def change_stay(person_id: int):
    person = _person_or_404(person_id)
    check_in, move, check_out = _stay_forms(person)
    action = request.form.get("action")
    try:
        if action == "check_in" and check_in.validate_on_submit():
            site_or_404(db.session.get(Room, check_in.room_id.data).site_id)
            lifecycle.check_in(person, check_in.room_id.data, current_user)
            flash(_("%(name)s checked in.", name=person.name), "success")
        elif action == "move" and move.validate_on_submit():
            site_or_404(db.session.get(Room, move.room_id.data).site_id)
            lifecycle.move(person, move.room_id.data, current_user, move.note.data or "")
            flash(_("%(name)s moved.", name=person.name), "success")
        elif action == "check_out" and check_out.validate_on_submit():
            if check_out.reason.data == "released":
                # The quarantine clock's rule: before the release date only with a stated reason (the note).
                release(person, current_user, early_reason=check_out.note.data or "")
            else:
                lifecycle.check_out(person, check_out.reason.data, current_user, check_out.note.data or "")
            flash(_("%(name)s checked out.", name=person.name), "success")
        else:
            flash(_("Choose a room offered in the list (only rooms that keep every rule are offered)."), "error")
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return redirect(url_for("people.show_person", person_id=person.id))
