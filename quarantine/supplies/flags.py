"""Supplies and waste flags: items that run out within the policy's warning days, waste stores
overdue for collection or over capacity. Shown on the home page (templates/supplies/_flags.html)
and the site page; one function each, so the home page can move them where it likes."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import url_for
from flask_babel import LazyString

from quarantine.i18n import _
from quarantine.localtime import local_today
from quarantine.models import Site
from quarantine.supplies.cover import basis, county_cover, occupancies, site_cover
from quarantine.supplies.services import item_label, site_stores, stock_levels
from quarantine.waste.services import collection_interval, store_status, store_statuses


@dataclass(frozen=True)
class Flag:
    kind: str        # "low_stock", "county_low_stock", "waste_overdue", "waste_over_capacity"
    place: str       # the site's name, or the county
    message: str
    endpoint: str
    args: dict = field(default_factory=dict)

    @property
    def url(self) -> str:
        return url_for(self.endpoint, **self.args)


def _days(days: float) -> str:
    return f"{days:.1f}"


def _short_list(rows) -> str:
    """'Protective suit 0.9, Antigen test 1.7' (days at the forecast occupancy), shortest first."""
    pairs = sorted(((min(d for d in (r.now.days, r.forecast.days) if d is not None), item_label(r.item)) for r in rows))
    return ", ".join(_("%(item)s %(days)s", item=label, days=_days(days)) for days, label in pairs)


def site_flags(site: Site, day: date | None = None) -> list[Flag]:
    """The site's items that last fewer days than the policy's warning (at the current or the
    forecast occupancy), as one flag, and its waste store when overdue or over capacity."""
    day = day or local_today()
    _occupancy, rows = site_cover(site, day)
    return _flags_of(site, rows, store_status(site, day))


def supplies_and_waste_flags(sites: list[Site], include_county: bool, day: date | None = None) -> list[Flag]:
    """Every site's flags, and (for headquarters) the items the whole county runs short of."""
    day = day or local_today()
    on = basis(day)
    by_site = occupancies(sites, day)
    stores = site_stores(by_site.keys())
    levels = stock_levels(store.id for store in stores.values())
    interval = collection_interval(day)
    flags = []
    if include_county:
        _total, rows = county_cover(sites, day, on=on, by_site=by_site)
        short = [row.cover for row in rows if row.cover.short]
        if short:
            flags.append(Flag("county_low_stock", _("The county"), _(
                "All stores together hold fewer than %(n)d days (days): %(items)s.", n=on.threshold,
                items=_short_list(short)), "supplies.index"))
    waste = store_statuses(sites, day, interval=interval)
    for site in sites:
        occ, rows = by_site[site.id], []
        if occ.residents or occ.expected or occ.staff:  # an empty site uses nothing, so runs short of nothing
            stock = levels.get(stores[site.id].id, {}) if site.id in stores else {}
            _occupancy, rows = site_cover(site, day, on=on, occ=occ, stock=stock)
        flags.extend(_flags_of(site, rows, waste[site.id]))
    return flags


def _flags_of(site: Site, rows, status) -> list[Flag]:
    flags = []
    short = [row for row in rows if row.short]
    if short:
        # Worded only when shown: the home page shows the first few of a province's flags.
        flags.append(Flag("low_stock", site.name, LazyString(lambda: _(
            "Fewer than %(n)d days of supplies left (days): %(items)s.", n=short[0].threshold,
            items=_short_list(short))), "supplies.site_stock", {"site_id": site.id}))
    if status.overdue:
        flags.append(Flag("waste_overdue", site.name, _(
            "Medical waste waiting since %(day)s: collection was due by %(due)s (every %(n)d days).",
            day=status.held.oldest_day.isoformat(), due=status.due_on.isoformat(), n=status.interval_days),
            "waste.site_waste", {"site_id": site.id}))
    if status.over_capacity:
        flags.append(Flag("waste_over_capacity", site.name, _(
            "The medical-waste store holds %(kg)s kg, more than its %(cap)s kg.",
            kg=f"{status.held.weight_kg:g}", cap=f"{status.capacity_kg:g}"), "waste.site_waste", {"site_id": site.id}))
    return flags
