"""Supplies pages: the county overview, a site's stock with its days of cover, a county reserve,
the movements recorded there, sending between stores, the items, and daily use per policy."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from quarantine.access import COUNTY_SUPPLIES, SITE_SUPPLIES, roles_required, site_or_404, visible_sites_query
from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.localtime import local_today
from quarantine.models import Policy, Site, Store, SupplyItem
from quarantine.policies.services import policy_in_force
from quarantine.supplies import cover, services
from quarantine.supplies.forms import MOVEMENT_KINDS, ItemForm, MovementForm, RatesForm, SendForm

bp = Blueprint("supplies", __name__, url_prefix="/supplies")
# Labels every page may use (the home page's flags, the site page, the prepare page).
bp.add_app_template_global(services.unit_label, "unit_label")
bp.add_app_template_global(services.store_label, "store_label")


def _movement_form(kinds=tuple(MOVEMENT_KINDS)) -> MovementForm:
    form = MovementForm(prefix="move")
    form.kind.choices = [(k, str(MOVEMENT_KINDS[k])) for k in kinds]
    form.item_id.choices = [(i.id, f"{services.item_label(i)} ({services.unit_label(i)})") for i in services.items()]
    return form


def _send_form(source: Store | None) -> SendForm:
    form = SendForm(prefix="send")
    sites = db.session.scalars(visible_sites_query()).all()
    form.destination_id.choices = (
        [(f"c{s.id}", s.name) for s in services.county_stores() if source is None or s.id != source.id]
        + [(f"s{s.id}", s.name) for s in sites if source is None or s.id != source.site_id])
    form.item_id.choices = [(i.id, f"{services.item_label(i)} ({services.unit_label(i)})") for i in services.items()]
    return form


def _destination(value: str) -> Store:
    """'c<store id>' for a county reserve, 's<site id>' for a site's store (made if new)."""
    if value.startswith("c") and value[1:].isdigit():
        store = db.session.get(Store, int(value[1:]))
        if store is not None and store.kind == "county":
            return store
    elif value.startswith("s") and value[1:].isdigit():
        return services.site_store(site_or_404(int(value[1:])), create=True)
    abort(404)


def _record(store: Store, form: MovementForm) -> bool:
    """One movement in `store` from the form; False (the refusal on the form) when a rule says no."""
    item = db.session.get(SupplyItem, form.item_id.data)
    record = {"received": services.receive, "issued": services.issue, "count": services.count}[form.kind.data]
    try:
        record(store, item, form.quantity.data, current_user, form.note.data or "")
    except DomainError as exc:
        db.session.rollback()
        form.form_errors.append(str(exc))
        return False
    return True


@bp.route("/")
@roles_required(*SITE_SUPPLIES)
def index():
    sites = db.session.scalars(visible_sites_query()).all()
    county = cover.county_cover(sites) if current_user.sees_all_sites else None
    return render_template("supplies/index.html", sites=sites, county=county, reserves=services.county_stores(),
                           threshold=cover.warning_days())


# --- a site's store -------------------------------------------------------------------------------

def _render_site(site: Site, movement_form: MovementForm, send_form: SendForm | None, status: int = 200):
    store = services.site_store(site)
    occupancy, rows = cover.site_cover(site)
    return render_template("supplies/site.html", site=site, store=store, occupancy=occupancy, rows=rows,
                           movement_form=movement_form, send_form=send_form,
                           history=services.history(store) if store else [],
                           threshold=cover.warning_days()), status


def _site_send_form(site: Site) -> SendForm | None:
    if current_user.role not in COUNTY_SUPPLIES:
        return None
    return _send_form(services.site_store(site))


@bp.route("/sites/<int:site_id>")
@roles_required(*SITE_SUPPLIES)
def site_stock(site_id: int):
    site = site_or_404(site_id)
    return _render_site(site, _movement_form(), _site_send_form(site))


@bp.route("/sites/<int:site_id>/movements", methods=["POST"])
@roles_required(*SITE_SUPPLIES)
def site_movement(site_id: int):
    site = site_or_404(site_id)
    form = _movement_form()
    if form.validate_on_submit() and _record(services.site_store(site, create=True), form):
        flash(_("Recorded."), "success")
        return redirect(url_for("supplies.site_stock", site_id=site.id))
    return _render_site(site, form, _site_send_form(site), status=400)


@bp.route("/sites/<int:site_id>/send", methods=["POST"])
@roles_required(*COUNTY_SUPPLIES)
def site_send(site_id: int):
    site = site_or_404(site_id)
    source = services.site_store(site)
    form = _send_form(source)
    if source is not None and form.validate_on_submit() and _send(source, form):
        return redirect(url_for("supplies.site_stock", site_id=site.id))
    if source is None:
        form.form_errors.append(_("This site's store holds nothing yet."))
    return _render_site(site, _movement_form(), form, status=400)


def _send(source: Store, form: SendForm) -> bool:
    destination = _destination(form.destination_id.data)
    item = db.session.get(SupplyItem, form.item_id.data)
    try:
        services.send(source, destination, [(item, form.quantity.data)], current_user, form.note.data or "")
    except DomainError as exc:
        db.session.rollback()
        form.form_errors.append(str(exc))
        return False
    flash(_("%(n)d %(unit)s of %(item)s sent to %(store)s.", n=form.quantity.data, unit=services.unit_label(item),
            item=services.item_label(item), store=services.store_label(destination)), "success")
    return True


# --- a county reserve -----------------------------------------------------------------------------

def _county_store_or_404(store_id: int) -> Store:
    store = db.session.get(Store, store_id)
    if store is None or store.kind != "county":
        abort(404)
    return store


def _render_store(store: Store, movement_form: MovementForm, send_form: SendForm, status: int = 200):
    stock = services.stock_of(store)
    return render_template("supplies/store.html", store=store, stock=stock, items=services.items(),
                           movement_form=movement_form, send_form=send_form, history=services.history(store)), status


@bp.route("/stores/<int:store_id>")
@roles_required(*COUNTY_SUPPLIES)
def store_stock(store_id: int):
    store = _county_store_or_404(store_id)
    return _render_store(store, _movement_form(), _send_form(store))


@bp.route("/stores/<int:store_id>/movements", methods=["POST"])
@roles_required(*COUNTY_SUPPLIES)
def store_movement(store_id: int):
    store = _county_store_or_404(store_id)
    form = _movement_form()
    if form.validate_on_submit() and _record(store, form):
        flash(_("Recorded."), "success")
        return redirect(url_for("supplies.store_stock", store_id=store.id))
    return _render_store(store, form, _send_form(store), status=400)


@bp.route("/stores/<int:store_id>/send", methods=["POST"])
@roles_required(*COUNTY_SUPPLIES)
def store_send(store_id: int):
    store = _county_store_or_404(store_id)
    form = _send_form(store)
    if form.validate_on_submit() and _send(store, form):
        return redirect(url_for("supplies.store_stock", store_id=store.id))
    return _render_store(store, _movement_form(), form, status=400)


# --- items and daily use --------------------------------------------------------------------------

def _save_item(form: ItemForm, item: SupplyItem) -> SupplyItem:
    return services.save_item(item, code=form.code.data, label_zh=form.label_zh.data, label_en=form.label_en.data,
                              unit_zh=form.unit_zh.data, unit_en=form.unit_en.data, per_bed=form.per_bed.data,
                              sort=form.sort.data or 0, active=form.active.data)


@bp.route("/items", methods=["GET", "POST"])
@roles_required(*COUNTY_SUPPLIES)
def list_items():
    form = ItemForm()
    if form.validate_on_submit():
        item = _save_item(form, SupplyItem())
        flash(_("%(item)s added. Set its daily use on the policy.", item=services.item_label(item)), "success")
        return redirect(url_for("supplies.list_items"))
    status = 400 if request.method == "POST" else 200
    policy = policy_in_force(local_today())
    return render_template("supplies/items.html", items=services.items(include_inactive=True), form=form,
                           policy=policy, rates=cover.rates_for(policy)), status


@bp.route("/items/<int:item_id>", methods=["GET", "POST"])
@roles_required(*COUNTY_SUPPLIES)
def edit_item(item_id: int):
    item = db.session.get(SupplyItem, item_id) or abort(404)
    form = ItemForm(obj=item, item_id=item.id)
    if form.validate_on_submit():
        _save_item(form, item)
        flash(_("Item saved."), "success")
        return redirect(url_for("supplies.list_items"))
    status = 400 if request.method == "POST" else 200
    return render_template("supplies/item_form.html", item=item, form=form), status


@bp.route("/policies/<int:policy_id>/daily-use", methods=["GET", "POST"])
@roles_required(*COUNTY_SUPPLIES)
def policy_rates(policy_id: int):
    policy = db.session.get(Policy, policy_id) or abort(404)
    all_items = services.items(include_inactive=True)
    form = RatesForm()
    if request.method == "GET":
        rates = cover.rates_for(policy)
        for item in all_items:
            rate = rates.get(item.id, cover.Rate())
            form.rows.append_entry({"item_id": str(item.id), "per_resident": rate.per_resident,
                                    "per_staff": rate.per_staff})
    if form.validate_on_submit():
        known = {item.id for item in all_items}
        rates = {int(row.item_id.data): cover.Rate(row.per_resident.data, row.per_staff.data) for row in form.rows
                 if int(row.item_id.data) in known}
        cover.save_rates(policy, rates)
        flash(_("Daily use saved for %(policy)s.", policy=policy.name), "success")
        return redirect(url_for("policies.edit_policy", policy_id=policy.id))
    status = 400 if request.method == "POST" else 200
    return render_template("supplies/rates.html", policy=policy, form=form,
                           by_id={str(item.id): item for item in all_items}), status
