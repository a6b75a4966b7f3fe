"""Medical-waste pages: every site's store at a glance, a site's daily entries and collections,
and the printable handover sheets (one A4 page per collection)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from quarantine.access import SITE_SUPPLIES, roles_required, site_or_404, visible_sites_query
from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.health.lookups import day_arg
from quarantine.i18n import _
from quarantine.localtime import local_to_utc, local_today, utc_to_local
from quarantine.models import Site, WasteCollection
from quarantine.waste import services
from quarantine.waste.forms import OTHER_AREAS, CapacityForm, CollectionForm, WasteDayForm

bp = Blueprint("waste", __name__, url_prefix="/waste")


@bp.route("/")
@roles_required(*SITE_SUPPLIES)
def index():
    sites = db.session.scalars(visible_sites_query()).all()
    statuses = services.store_statuses(sites)
    return render_template("waste/index.html", rows=[(s, statuses[s.id]) for s in sites])


# --- a site's store: the day's entries --------------------------------------------------------------

def _source_key(building_id: int | None) -> str:
    return OTHER_AREAS if building_id is None else str(building_id)


def _day_form(site: Site, day: date) -> WasteDayForm:
    form = WasteDayForm(prefix="day")
    if request.method == "GET":
        existing = services.uncollected_on(site, day)
        for building_id, _building in services.sources(site):
            entry = existing.get(building_id)
            form.rows.append_entry({"source": _source_key(building_id), "bags": entry.bags if entry else None,
                                    "weight_kg": f"{entry.weight_kg:g}" if entry else ""})
    return form


def _render_site(site: Site, day: date, form: WasteDayForm, capacity_form: CapacityForm, status: int = 200):
    names = {_source_key(bid): (f"{_('Building')} {b.code} {b.name}".strip() if b else _("Other areas"))
             for bid, b in services.sources(site)}
    collected = {_source_key(bid): amounts for bid, amounts in services.collected_on(site, day).items()}
    return render_template("waste/site.html", site=site, day=day, form=form, capacity_form=capacity_form,
                           names=names, collected=collected, store=services.store_status(site),
                           collections=services.collections(site), entries=services.recent_entries(site),
                           previous_day=day - timedelta(days=1),
                           next_day=day + timedelta(days=1) if day < local_today() else None), status


@bp.route("/sites/<int:site_id>", methods=["GET", "POST"])
@roles_required(*SITE_SUPPLIES)
def site_waste(site_id: int):
    site = site_or_404(site_id)
    day = day_arg()
    form = _day_form(site, day)
    if form.validate_on_submit():
        rows = [services.WasteRow(building_id, bags, kg) for building_id, bags, kg in form.entries()]
        try:
            count = services.record_day(site, day, rows, current_user)
        except DomainError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            flash(_("Waste of %(day)s saved: %(n)d sources.", day=day.isoformat(), n=count), "success")
            return redirect(url_for("waste.site_waste", site_id=site.id, day=day.isoformat()))
    status = 400 if request.method == "POST" else 200
    return _render_site(site, day, form, CapacityForm(prefix="cap", capacity_kg=services.capacity_kg(site)), status)


@bp.route("/sites/<int:site_id>/capacity", methods=["POST"])
@roles_required(*SITE_SUPPLIES)
def store_capacity(site_id: int):
    site = site_or_404(site_id)
    form = CapacityForm(prefix="cap")
    if form.validate_on_submit():
        services.set_capacity(site, form.capacity_kg.data, current_user)
        flash(_("Capacity of the medical-waste store saved."), "success")
        return redirect(url_for("waste.site_waste", site_id=site.id))
    day = local_today()
    return _render_site(site, day, _day_form(site, day), form, status=400)


# --- collections and handover sheets ---------------------------------------------------------------

@bp.route("/sites/<int:site_id>/collections/new", methods=["GET", "POST"])
@roles_required(*SITE_SUPPLIES)
def new_collection(site_id: int):
    site = site_or_404(site_id)
    store = services.store_status(site)
    form = CollectionForm()
    if request.method == "GET":
        form.collected_at.data = utc_to_local(datetime.now(timezone.utc)).replace(second=0, microsecond=0)
        form.bags.data = store.held.bags or None
        form.weight_kg.data = store.held.weight_kg or None
        last = store.last_collection
        if last is not None:
            form.collector.data, form.vehicle.data = last.collector, last.vehicle
    if form.validate_on_submit():
        try:
            collection = services.record_collection(
                site, collected_at=local_to_utc(form.collected_at.data), collector=form.collector.data,
                collector_person=form.collector_person.data or "", vehicle=form.vehicle.data, bags=form.bags.data,
                weight_kg=form.weight_kg.data, seal_numbers=form.seal_numbers.data,
                handed_over_by=form.handed_over_by.data, handed_over_by_2=form.handed_over_by_2.data,
                notes=form.notes.data or "", user=current_user)
        except DomainError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            logged = sum(e.bags for e in collection.entries)
            flash(_("Collection recorded. Print the handover sheet for both signatures."), "success")
            if logged != collection.bags:
                flash(_("%(n)d bags were handed over but the log holds %(m)d: note why on the sheet.",
                        n=collection.bags, m=logged), "warning")
            return redirect(url_for("waste.handover_sheet", collection_id=collection.id))
    status = 400 if request.method == "POST" else 200
    return render_template("waste/collection_form.html", site=site, form=form, store=store), status


def _collection_or_404(collection_id: int) -> WasteCollection:
    collection = db.session.get(WasteCollection, collection_id)
    if collection is None:
        abort(404)
    site_or_404(collection.site_id)
    return collection


@bp.route("/collections/<int:collection_id>/sheet")
@roles_required(*SITE_SUPPLIES)
def handover_sheet(collection_id: int):
    collection = _collection_or_404(collection_id)
    return render_template("waste/sheets.html", site=collection.site, sheets=[_sheet(collection)],
                           title=_("Handover sheet") + f" · {collection.site.name} · #{collection.id}")


@bp.route("/sites/<int:site_id>/sheets")
@roles_required(*SITE_SUPPLIES)
def handover_sheets(site_id: int):
    """Every collection of a span of days, one A4 sheet each (e.g. to file a month's handovers)."""
    site = site_or_404(site_id)
    last = day_arg("to")
    first = day_arg("from") if request.args.get("from") else last - timedelta(days=30)
    sheets = [_sheet(c) for c in services.collections_between(site, first, last)]
    return render_template("waste/sheets.html", site=site, sheets=sheets, first=first, last=last,
                           title=_("Handover sheets") + f" · {site.name} · {first.isoformat()}–{last.isoformat()}")


def _sheet(collection: WasteCollection) -> dict:
    days = services.logged_by_day(collection)
    return {"collection": collection, "days": days, "logged_bags": sum(d.bags for d in days),
            "logged_kg": round(sum(d.weight_kg for d in days), 1)}
