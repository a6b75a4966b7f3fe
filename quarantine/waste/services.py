"""Medical waste at a site: what each day puts into the store, what the store holds, collections.

The store holds the entries no collection has taken yet. A collection by the licensed collector
takes all of them (the store is emptied at every handover) and is recorded as the signed
handover sheet says. The store is overdue when its oldest waste has waited longer than the
policy's collection interval, and over capacity when it holds more than the site says it can.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import func, select

from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.health.clock import CLOCK_TOLERANCE
from quarantine.i18n import _
from quarantine.localtime import as_utc, local_datetime, local_day, local_today
from quarantine.many import in_ids
from quarantine.models import Building, Site, User, WasteCollection, WasteEntry, WasteStore
from quarantine.policies.services import policy_in_force

# Used when no policy is in force (the policy record's own default).
DEFAULT_COLLECTION_DAYS = 2
# A medical-waste bag is filled to three quarters and weighs a few kilograms; more is a typing slip.
MAX_KG_PER_BAG = 30.0
MAX_BAGS_A_DAY = 1000


@dataclass(frozen=True)
class WasteRow:
    """What one source (a building, or None for the other areas) put into the store on a day."""
    building_id: int | None
    bags: int
    weight_kg: float


@dataclass(frozen=True)
class Held:
    bags: int
    weight_kg: float
    oldest_day: date | None
    entries: list[WasteEntry]


@dataclass(frozen=True)
class StoreStatus:
    held: Held
    last_collection: WasteCollection | None
    interval_days: int
    capacity_kg: float | None
    today: date

    @property
    def due_on(self) -> date | None:
        """The last day the waste now held may wait: oldest waste + the collection interval."""
        oldest = self.held.oldest_day
        return None if oldest is None else oldest + timedelta(days=self.interval_days)

    @property
    def overdue(self) -> bool:
        return self.due_on is not None and self.today > self.due_on

    @property
    def over_capacity(self) -> bool:
        return self.capacity_kg is not None and self.held.weight_kg > self.capacity_kg


def collection_interval(day: date | None = None) -> int:
    policy = policy_in_force(day or local_today())
    return DEFAULT_COLLECTION_DAYS if policy is None else policy.waste_collection_days


def sources(site: Site) -> list[tuple[int | None, Building | None]]:
    """Where waste comes from: each building of the site, then the other areas (None)."""
    return [(b.id, b) for b in site.buildings] + [(None, None)]


def uncollected_on(site: Site, day: date) -> dict[int | None, WasteEntry]:
    rows = db.session.scalars(select(WasteEntry).where(WasteEntry.site_id == site.id, WasteEntry.day == day,
                                                       WasteEntry.collection_id.is_(None)))
    return {row.building_id: row for row in rows}


def collected_on(site: Site, day: date) -> dict[int | None, tuple[int, float]]:
    """Per source, bags and kg of that day already taken by a collection (shown beside the entry)."""
    rows = db.session.execute(select(WasteEntry.building_id, func.sum(WasteEntry.bags), func.sum(WasteEntry.weight_kg))
                              .where(WasteEntry.site_id == site.id, WasteEntry.day == day,
                                     WasteEntry.collection_id.is_not(None))
                              .group_by(WasteEntry.building_id))
    return {building_id: (int(bags), float(kg)) for building_id, bags, kg in rows}


def row_problem(bags: int, weight_kg: float) -> str | None:
    """A row that cannot be right: amounts below zero, a bag count without weight or the other way
    round, or more per bag than a bag holds."""
    if bags < 0 or weight_kg < 0:
        return _("Bags and weight cannot be below zero.")
    if bags > MAX_BAGS_A_DAY:
        return _("%(n)d bags in a day is more than the store takes; check the number.", n=bags)
    if (bags == 0) != (weight_kg == 0):
        return _("Give both the number of bags and their weight (0 and 0 removes the entry).")
    if bags and weight_kg / bags > MAX_KG_PER_BAG:
        return _("%(kg)s kg in %(n)d bags is more than %(max)d kg a bag; check the weight.",
                 kg=f"{weight_kg:g}", n=bags, max=int(MAX_KG_PER_BAG))
    return None


def record_day(site: Site, day: date, rows: list[WasteRow], user: User, today: date | None = None) -> int:
    """Write one day's entries for several sources together, or none when any is wrong. A second
    entry for a source and day corrects the first while it is still in the store; 0 bags and 0 kg
    removes it. Waste already collected stays on its handover sheet."""
    today = today or local_today()
    if day > today:
        raise DomainError(_("%(day)s is in the future.", day=day.isoformat()))
    known = {building_id for building_id, _b in sources(site)}
    problems = []
    for row in rows:
        if row.building_id not in known:
            problems.append(_("Choose a building of this site."))
        elif (problem := row_problem(row.bags, row.weight_kg)) is not None:
            problems.append(problem)
    if problems:
        raise DomainError(" ".join(problems))
    existing = uncollected_on(site, day)
    site_id, user_id = site.id, user.id
    for row in rows:
        entry = existing.get(row.building_id)
        if row.bags == 0:
            if entry is not None:
                db.session.delete(entry)
        elif entry is None:
            db.session.add(WasteEntry(site_id=site_id, building_id=row.building_id, day=day, bags=row.bags,
                                      weight_kg=round(row.weight_kg, 1), recorded_by_id=user_id))
        else:
            entry.bags, entry.weight_kg, entry.recorded_by_id = row.bags, round(row.weight_kg, 1), user_id
    db.session.commit()
    return sum(1 for row in rows if row.bags)


def held(site: Site) -> Held:
    entries = list(db.session.scalars(select(WasteEntry).where(WasteEntry.site_id == site.id,
                                                               WasteEntry.collection_id.is_(None))
                                      .order_by(WasteEntry.day, WasteEntry.id)))
    return Held(sum(e.bags for e in entries), round(sum(e.weight_kg for e in entries), 1),
                entries[0].day if entries else None, entries)


def last_collection(site: Site) -> WasteCollection | None:
    return db.session.scalar(select(WasteCollection).where(WasteCollection.site_id == site.id)
                             .order_by(WasteCollection.collected_at.desc(), WasteCollection.id.desc()).limit(1))


def capacity_kg(site: Site) -> float | None:
    store = db.session.get(WasteStore, site.id)
    return None if store is None else store.capacity_kg


def store_status(site: Site, today: date | None = None, *, interval: int | None = None) -> StoreStatus:
    return store_statuses([site], today, interval=interval)[site.id]


def store_statuses(sites: list[Site], today: date | None = None, *, interval: int | None = None) -> dict[int, StoreStatus]:
    """store_status for many sites in three queries (the home page's flags over a province)."""
    today = today or local_today()
    interval = interval or collection_interval(today)
    ids = [site.id for site in sites]
    if not ids:
        return {}
    entries: dict[int, list[WasteEntry]] = {sid: [] for sid in ids}
    for entry in db.session.scalars(select(WasteEntry).where(in_ids(WasteEntry.site_id, ids),
                                                             WasteEntry.collection_id.is_(None))
                                    .order_by(WasteEntry.day, WasteEntry.id)):
        entries[entry.site_id].append(entry)
    latest = (select(WasteCollection.site_id, func.max(WasteCollection.collected_at).label("at"))
              .where(in_ids(WasteCollection.site_id, ids)).group_by(WasteCollection.site_id).subquery())
    last: dict[int, WasteCollection] = {}
    for collection in db.session.scalars(select(WasteCollection).join(
            latest, (latest.c.site_id == WasteCollection.site_id) & (latest.c.at == WasteCollection.collected_at))
            .order_by(WasteCollection.id)):
        last[collection.site_id] = collection  # the highest id wins a tie, as in last_collection
    capacities = dict(db.session.execute(select(WasteStore.site_id, WasteStore.capacity_kg)
                                         .where(in_ids(WasteStore.site_id, ids))).all())
    return {sid: StoreStatus(Held(sum(e.bags for e in rows), round(sum(e.weight_kg for e in rows), 1),
                                  rows[0].day if rows else None, rows),
                             last.get(sid), interval, capacities.get(sid), today)
            for sid, rows in entries.items()}


def set_capacity(site: Site, capacity: float | None, user: User) -> None:
    store = db.session.get(WasteStore, site.id) or WasteStore(site_id=site.id)
    store.capacity_kg, store.updated_by_id = capacity, user.id
    db.session.add(store)
    db.session.commit()


def record_collection(site: Site, *, collected_at: datetime, collector: str, collector_person: str, vehicle: str,
                      bags: int, weight_kg: float, seal_numbers: str, handed_over_by: str, handed_over_by_2: str,
                      notes: str, user: User, now: datetime | None = None) -> WasteCollection:
    """Record a handover: the collector takes everything the store holds up to that day."""
    now = now or datetime.now(timezone.utc)
    collected_at = as_utc(collected_at)
    if collected_at > now + CLOCK_TOLERANCE:
        raise DomainError(_("The time %(at)s is in the future.", at=local_datetime(collected_at)))
    previous = last_collection(site)
    if previous is not None and collected_at <= as_utc(previous.collected_at):
        raise DomainError(_("The last collection was at %(at)s; a new one comes after it.",
                            at=local_datetime(previous.collected_at)))
    first, second = handed_over_by.strip(), handed_over_by_2.strip()
    if not first or not second or first == second:
        raise DomainError(_("Two different people of the site hand the waste over; give both names."))
    collection = WasteCollection(site_id=site.id, collected_at=collected_at, collector=collector.strip(),
                                 collector_person=collector_person.strip(), vehicle=vehicle.strip().upper(), bags=bags,
                                 weight_kg=round(weight_kg, 1), seal_numbers=seal_numbers.strip(),
                                 handed_over_by=first, handed_over_by_2=second, notes=notes.strip(),
                                 recorded_by_id=user.id)
    db.session.add(collection)
    day = local_day(collected_at)
    for entry in held(site).entries:
        if entry.day <= day:
            entry.collection = collection
    db.session.commit()
    return collection


def collections(site: Site, limit: int = 30) -> list[WasteCollection]:
    return list(db.session.scalars(select(WasteCollection).where(WasteCollection.site_id == site.id)
                                   .order_by(WasteCollection.collected_at.desc()).limit(limit)))


def collections_between(site: Site, first: date, last: date) -> list[WasteCollection]:
    """Collections of local days first..last, oldest first (one handover sheet each)."""
    rows = db.session.scalars(select(WasteCollection).where(WasteCollection.site_id == site.id)
                              .order_by(WasteCollection.collected_at))
    return [c for c in rows if first <= local_day(c.collected_at) <= last]


@dataclass(frozen=True)
class SheetDay:
    day: date
    bags: int
    weight_kg: float


def logged_by_day(collection: WasteCollection) -> list[SheetDay]:
    """The entries a collection took, summed per day, as the handover sheet lists them."""
    days: dict[date, list[WasteEntry]] = {}
    for entry in collection.entries:
        days.setdefault(entry.day, []).append(entry)
    return [SheetDay(day, sum(e.bags for e in rows), round(sum(e.weight_kg for e in rows), 1))
            for day, rows in sorted(days.items())]


def recent_entries(site: Site, days: int = 14, today: date | None = None) -> list[WasteEntry]:
    since = (today or local_today()) - timedelta(days=days)
    return list(db.session.scalars(select(WasteEntry).where(WasteEntry.site_id == site.id, WasteEntry.day >= since)
                                   .order_by(WasteEntry.day.desc(), WasteEntry.building_id)))
