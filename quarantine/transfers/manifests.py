"""Bus manifests, arrival room lists and door cards for a committed plan."""
from __future__ import annotations

import io
import math
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from quarantine.extensions import db
from quarantine.idnumbers import age_on, mask_id
from quarantine.localtime import local_today
from quarantine.models import Person, PlanRun, Policy, Reservation, Room, Site
from quarantine.policies.services import policy_in_force
from quarantine.spreadsheets import append_row, append_rows, csv_bytes
from quarantine.transfers.scenario import household_of

DEFAULT_BUS_SEATS, DEFAULT_LOAD_FACTOR = 45, 0.5


@dataclass
class Passenger:
    person: Person
    room: Room

    @property
    def age(self) -> int | None:
        return age_on(self.person.birth_date, local_today()) if self.person.birth_date else None


@dataclass
class Bus:
    number: int
    site: Site
    capacity: int
    households: list[list[Passenger]] = field(default_factory=list)

    @property
    def seats_used(self) -> int:
        return sum(len(h) for h in self.households)

    @property
    def passengers(self) -> list[Passenger]:
        return [p for h in self.households for p in h]


@dataclass
class SiteArrivals:
    site: Site
    rooms: list[tuple[Room, list[Person]]]

    @property
    def people(self) -> int:
        return sum(len(p) for _, p in self.rooms)


def bus_capacity(policy: Policy | None) -> int:
    """Seats that may be used: seats × load factor (e.g. 45 × 50 % = 22)."""
    seats = policy.bus_seats if policy else DEFAULT_BUS_SEATS
    factor = policy.bus_load_factor if policy else DEFAULT_LOAD_FACTOR
    return max(1, math.floor(seats * factor + 1e-9))


def sites_of_run(run: PlanRun) -> list[tuple[Site, int]]:
    """The sites a committed plan sends people to, with how many (one printout each)."""
    counts = dict(db.session.execute(select(Room.site_id, func.count(Reservation.id))
                                     .join(Room, Room.id == Reservation.room_id)
                                     .where(Reservation.plan_run_id == run.id).group_by(Room.site_id)).all())
    sites = db.session.scalars(select(Site).where(Site.id.in_(list(counts))).order_by(Site.name)).all()
    return [(s, counts[s.id]) for s in sites]


def passengers_by_site(run: PlanRun, site_id: int | None = None) -> dict[Site, list[Passenger]]:
    query = (select(Reservation).where(Reservation.plan_run_id == run.id)
             .options(selectinload(Reservation.person), selectinload(Reservation.room))
             .order_by(Reservation.room_id))
    if site_id is not None:
        query = query.join(Room, Room.id == Reservation.room_id).where(Room.site_id == site_id)
    rows = db.session.scalars(query).all()
    sites = {s.id: s for s in db.session.scalars(select(Site).where(Site.id.in_({r.room.site_id for r in rows})))}
    result: dict[Site, list[Passenger]] = defaultdict(list)
    for r in rows:
        result[sites[r.room.site_id]].append(Passenger(r.person, r.room))
    return dict(sorted(result.items(), key=lambda kv: kv[0].name))


def plan_buses(run: PlanRun, policy: Policy | None = None, site_id: int | None = None) -> list[Bus]:
    """Households stay on one bus; buses are filled largest household first (first fit)."""
    capacity = bus_capacity(policy or policy_in_force(local_today()))
    buses: list[Bus] = []
    for site, passengers in passengers_by_site(run, site_id).items():
        households: dict[str, list[Passenger]] = defaultdict(list)
        for p in passengers:
            households[household_of(p.person)].append(p)
        site_buses: list[Bus] = []
        for members in sorted(households.values(), key=len, reverse=True):
            # A household larger than a bus (rare) fills whole buses of its own, in order.
            while len(members) > capacity:
                bus = Bus(0, site, capacity, [members[:capacity]])
                site_buses.append(bus)
                members = members[capacity:]
            bus = next((b for b in site_buses if b.capacity - b.seats_used >= len(members)), None)
            if bus is None:
                bus = Bus(0, site, capacity)
                site_buses.append(bus)
            bus.households.append(members)
        buses.extend(site_buses)
    for number, bus in enumerate(buses, start=1):
        bus.number = number
    return buses


def arrival_lists(run: PlanRun, site_id: int | None = None) -> list[SiteArrivals]:
    lists = []
    for site, passengers in passengers_by_site(run, site_id).items():
        rooms: dict[int, tuple[Room, list[Person]]] = {}
        for p in passengers:
            rooms.setdefault(p.room.id, (p.room, []))[1].append(p.person)
        ordered = sorted(rooms.values(), key=lambda rp: (rp[0].building.code, rp[0].floor, rp[0].number))
        lists.append(SiteArrivals(site, ordered))
    return lists


MANIFEST_COLUMNS = ("bus", "site", "household", "name", "sex", "age", "id_number", "phone", "room")


def manifest_rows(buses: list[Bus]) -> list[list[object]]:
    rows = []
    for bus in buses:
        for household in bus.households:
            for p in household:
                rows.append([bus.number, bus.site.name, p.person.household, p.person.name, p.person.sex or "",
                             p.age if p.age is not None else "", mask_id(p.person.id_number), p.person.phone,
                             p.room.label])
    return rows


def manifest_csv(buses: list[Bus], headers: list[str]) -> bytes:
    return csv_bytes(headers, manifest_rows(buses))


def manifest_xlsx(buses: list[Bus], headers: list[str]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    book = Workbook()
    sheet = book.active
    sheet.title = "Manifest"
    append_row(sheet, headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    append_rows(sheet, manifest_rows(buses))
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
