"""Days of cover: how long each item lasts at a site, or in the whole county, at a given occupancy.

Daily use comes from the policy in force: so much per resident and so much per staff member on
duty (PolicySupplyRate). The occupancy is passed in, so the same arithmetic serves today's
figures and any forecast: for now the forecast is the residents plus the expected arrivals
(live reservations).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from quarantine.extensions import db
from quarantine.localtime import local_today
from quarantine.many import in_ids
from quarantine.models import (
    CURRENT_STATUSES,
    Person,
    Policy,
    PolicySupplyRate,
    Reservation,
    Room,
    Site,
    StaffMember,
    SupplyItem,
)
from quarantine.policies.services import policy_in_force
from quarantine.staff.services import on_duty_filter
from quarantine.supplies.services import county_stores, items, site_store, site_stores, stock_levels, stock_of

# Used when no policy is in force (the policy record's own defaults).
DEFAULT_WARNING_DAYS = 3


@dataclass(frozen=True)
class Rate:
    per_resident: float = 0.0
    per_staff: float = 0.0

    def daily_use(self, residents: int, staff: int) -> float:
        return residents * self.per_resident + staff * self.per_staff


@dataclass(frozen=True)
class Cover:
    """One item: stock, use a day at the occupancy given, and how many days the stock lasts."""
    item: SupplyItem
    stock: int
    daily_use: float

    @property
    def days(self) -> float | None:
        """None for an item not used up day by day (beds, thermometers) or at an empty site."""
        return None if self.daily_use <= 0 else self.stock / self.daily_use

    def short(self, threshold: int) -> bool:
        return self.days is not None and self.days < threshold


@dataclass(frozen=True)
class Occupancy:
    residents: int   # in quarantine at the site now
    expected: int    # on their way, with a reserved bed
    staff: int       # on duty today

    @property
    def forecast_residents(self) -> int:
        return self.residents + self.expected


@dataclass(frozen=True)
class CoverRow:
    """An item at the current and at the forecast occupancy, for the pages."""
    now: Cover
    forecast: Cover
    threshold: int

    @property
    def item(self) -> SupplyItem:
        return self.now.item

    @property
    def short(self) -> bool:
        return self.now.short(self.threshold) or self.forecast.short(self.threshold)


def rates_for(policy: Policy | None) -> dict[int, Rate]:
    """Item id -> daily use under `policy`; an item the policy does not list keeps the rate of the
    latest earlier policy that does (a new policy starts from its predecessor's figures)."""
    if policy is None:
        return {}
    rows = db.session.execute(select(PolicySupplyRate).join(Policy, Policy.id == PolicySupplyRate.policy_id)
                              .where(Policy.effective_from <= policy.effective_from,
                                     (Policy.superseded_at.is_(None)) | (Policy.id == policy.id))
                              .order_by(Policy.effective_from.desc())).scalars()
    rates: dict[int, Rate] = {}
    for row in rows:
        rates.setdefault(row.item_id, Rate(row.per_resident, row.per_staff))
    return rates


def warning_days(day: date | None = None) -> int:
    policy = policy_in_force(day or local_today())
    return DEFAULT_WARNING_DAYS if policy is None else policy.supply_warning_days


@dataclass(frozen=True)
class Basis:
    """What every site's figures on one day share: the items, their daily use under the policy in
    force, and the policy's warning threshold (worked out once for a page of many sites)."""
    items: list[SupplyItem]
    rates: dict[int, Rate]
    threshold: int


def basis(day: date | None = None) -> Basis:
    policy = policy_in_force(day or local_today())
    return Basis(items(), rates_for(policy),
                 DEFAULT_WARNING_DAYS if policy is None else policy.supply_warning_days)


def occupancy(site: Site, day: date | None = None) -> Occupancy:
    return occupancies([site], day)[site.id]


def occupancies(sites: list[Site], day: date | None = None) -> dict[int, Occupancy]:
    """occupancy for many sites in three grouped queries (the home page's flags over a province)."""
    ids = [site.id for site in sites]
    if not ids:
        return {}
    day = day or local_today()
    # Beds reserved = live reservations (the rooms' counters follow them): read through their partial index.
    expected = dict(db.session.execute(select(Room.site_id, func.count(Reservation.id))
                                       .join(Room, Room.id == Reservation.room_id)
                                       .where(Reservation.status == "reserved", in_ids(Room.site_id, ids))
                                       .group_by(Room.site_id)).all())
    current = dict(db.session.execute(select(Person.site_id, func.count(Person.id)).where(
        in_ids(Person.site_id, ids), Person.status.in_(CURRENT_STATUSES)).group_by(Person.site_id)).all())
    staff = dict(db.session.execute(select(StaffMember.site_id, func.count(StaffMember.id)).where(
        in_ids(StaffMember.site_id, ids), *on_duty_filter(day)).group_by(StaffMember.site_id)).all())
    return {sid: Occupancy(residents=max(current.get(sid, 0) - int(expected.get(sid, 0)), 0),
                           expected=int(expected.get(sid, 0)), staff=staff.get(sid, 0)) for sid in ids}


def days_of_cover(site: Site, residents: int, staff: int, day: date | None = None, *, on: Basis | None = None,
                  stock: dict[int, int] | None = None) -> list[Cover]:
    """Each active item at the site's store: its stock, its use a day by `residents` residents and
    `staff` staff on duty under the policy in force on `day`, and so the days it lasts. (`on` and
    `stock` save the queries when the caller has them already.)"""
    on = on or basis(day)
    stock = stock_of(site_store(site)) if stock is None else stock
    return [Cover(item, stock.get(item.id, 0), on.rates.get(item.id, Rate()).daily_use(residents, staff))
            for item in on.items]


def site_cover(site: Site, day: date | None = None, *, on: Basis | None = None, occ: Occupancy | None = None,
               stock: dict[int, int] | None = None) -> tuple[Occupancy, list[CoverRow]]:
    """The site's items at today's occupancy and at the forecast one."""
    day = day or local_today()
    on = on or basis(day)
    occ = occ or occupancy(site, day)
    stock = stock_of(site_store(site)) if stock is None else stock
    now = days_of_cover(site, occ.residents, occ.staff, day, on=on, stock=stock)
    forecast = days_of_cover(site, occ.forecast_residents, occ.staff, day, on=on, stock=stock)
    return occ, [CoverRow(n, f, on.threshold) for n, f in zip(now, forecast)]


@dataclass(frozen=True)
class CountyRow:
    """An item across the county: in the county reserves, at the sites, and how long all of it lasts."""
    item: SupplyItem
    in_reserve: int
    at_sites: int
    cover: CoverRow

    @property
    def total(self) -> int:
        return self.in_reserve + self.at_sites


def county_cover(sites: list[Site], day: date | None = None, *, on: Basis | None = None,
                 by_site: dict[int, Occupancy] | None = None) -> tuple[Occupancy, list[CountyRow]]:
    """Every store's stock against the use of every site, now and at the forecast occupancy."""
    day = day or local_today()
    on = on or basis(day)
    by_site = by_site if by_site is not None else occupancies(sites, day)
    total = Occupancy(sum(o.residents for o in by_site.values()), sum(o.expected for o in by_site.values()),
                      sum(o.staff for o in by_site.values()))
    reserves = [s.id for s in county_stores()]
    at_sites = [s.id for s in site_stores(s.id for s in sites).values()]
    levels = stock_levels(reserves + at_sites)
    rows = []
    for item in on.items:
        in_reserve = sum(levels.get(sid, {}).get(item.id, 0) for sid in reserves)
        at_site = sum(levels.get(sid, {}).get(item.id, 0) for sid in at_sites)
        rate = on.rates.get(item.id, Rate())
        stock = in_reserve + at_site
        cover = CoverRow(Cover(item, stock, rate.daily_use(total.residents, total.staff)),
                         Cover(item, stock, rate.daily_use(total.forecast_residents, total.staff)), on.threshold)
        rows.append(CountyRow(item, in_reserve, at_site, cover))
    return total, rows


def save_rates(policy: Policy, rates: dict[int, Rate]) -> None:
    """Write the policy's own daily use for every item given (item id -> rate)."""
    existing = {r.item_id: r for r in db.session.scalars(select(PolicySupplyRate)
                                                          .where(PolicySupplyRate.policy_id == policy.id))}
    for item_id, rate in rates.items():
        row = existing.get(item_id) or PolicySupplyRate(policy_id=policy.id, item_id=item_id)
        row.per_resident, row.per_staff = rate.per_resident, rate.per_staff
        db.session.add(row)
    db.session.commit()
