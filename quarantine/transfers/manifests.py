"""Bus manifests, arrival room lists and door cards for a committed plan."""
from __future__ import annotations

import heapq
import io
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from quarantine.extensions import db
from quarantine.idnumbers import age_on, mask_id
from quarantine.localtime import local_today
from quarantine.models import Building, Person, PlanRun, Policy, Reservation, Room, Site
from quarantine.policies.services import policy_in_force
from quarantine.spreadsheets import append_row, append_rows, csv_bytes
from quarantine.transfers.scenario import household_of

DEFAULT_BUS_SEATS, DEFAULT_LOAD_FACTOR = 45, 0.5


@dataclass(frozen=True, slots=True)
class Traveller:
    """What a bus manifest shows of a person: read as plain columns, so 10,000 of them load in one query."""
    id: int
    batch_id: int | None
    household: str
    name: str
    sex: str | None
    birth_date: date | None
    id_number: str
    phone: str


@dataclass(frozen=True, slots=True)
class Berth:
    """The room a traveller is going to, by its label (building-number)."""
    id: int
    label: str


@dataclass
class Passenger:
    person: Person | Traveller
    room: Room | Berth

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
             .options(selectinload(Reservation.person).options(selectinload(Person.needs), selectinload(Person.category),
                                                               selectinload(Person.diet)),
                      selectinload(Reservation.room).joinedload(Room.building))
             .order_by(Reservation.room_id))
    if site_id is not None:
        query = query.join(Room, Room.id == Reservation.room_id).where(Room.site_id == site_id)
    rows = db.session.scalars(query).all()
    sites = {s.id: s for s in db.session.scalars(select(Site).where(Site.id.in_({r.room.site_id for r in rows})))}
    result: dict[Site, list[Passenger]] = defaultdict(list)
    for r in rows:
        result[sites[r.room.site_id]].append(Passenger(r.person, r.room))
    return dict(sorted(result.items(), key=lambda kv: kv[0].name))


def travellers_by_site(run: PlanRun, site_id: int | None = None) -> dict[Site, list[Passenger]]:
    """The people reserved under the plan with their rooms, per site, as plain rows (one query)."""
    query = (select(Person.id, Person.batch_id, Person.household, Person.name, Person.sex, Person.birth_date,
                    Person.id_number, Person.phone, Room.id, Building.code, Room.number, Room.site_id)
             .join(Reservation, Reservation.person_id == Person.id)
             .join(Room, Room.id == Reservation.room_id).join(Building, Building.id == Room.building_id)
             .where(Reservation.plan_run_id == run.id).order_by(Room.id, Person.id))
    if site_id is not None:
        query = query.where(Room.site_id == site_id)
    by_site: dict[int, list[Passenger]] = defaultdict(list)
    for pid, batch_id, household, name, sex, born, id_number, phone, room_id, code, number, room_site in \
            db.session.execute(query):
        by_site[room_site].append(Passenger(Traveller(pid, batch_id, household, name, sex, born, id_number, phone),
                                            Berth(room_id, f"{code}-{number}")))
    sites = db.session.scalars(select(Site).where(Site.id.in_(list(by_site)))).all()
    return {s: by_site[s.id] for s in sorted(sites, key=lambda s: s.name)}


def first_fit(sizes: list[int], capacity: int) -> list[list[tuple[int, int]]]:
    """First fit, largest first: each bus as (index into `sizes`, seats taken), buses in order.

    A household larger than a bus fills whole buses of its own and its remainder is fitted like
    any other household. Buses are kept in buckets by free seats, so finding the first bus with
    room costs at most `capacity` heap looks rather than a scan of every bus.
    """
    buses: list[list[tuple[int, int]]] = []
    by_free: list[list[int]] = [[] for _ in range(capacity + 1)]  # heaps of bus numbers, per free seats
    for i in sorted(range(len(sizes)), key=lambda i: sizes[i], reverse=True):  # stable: ties keep their order
        size = sizes[i]
        while size > capacity:
            buses.append([(i, capacity)])
            size -= capacity
        heads = [(by_free[f][0], f) for f in range(size, capacity + 1) if by_free[f]]
        if heads:
            bus, seats = min(heads)
            heapq.heappop(by_free[seats])
        else:
            bus, seats = len(buses), capacity
            buses.append([])
        buses[bus].append((i, size))
        heapq.heappush(by_free[seats - size], bus)
    return buses


def plan_buses(run: PlanRun, policy: Policy | None = None, site_id: int | None = None) -> list[Bus]:
    """Households stay on one bus (unless larger than a bus); buses are filled largest household first."""
    capacity = bus_capacity(policy or policy_in_force(local_today()))
    buses: list[Bus] = []
    for site, passengers in travellers_by_site(run, site_id).items():
        households: dict[str, list[Passenger]] = defaultdict(list)
        for p in passengers:
            households[household_of(p.person)].append(p)
        groups = list(households.values())
        seated = [0] * len(groups)  # how many of each household already have a seat
        for seats in first_fit([len(g) for g in groups], capacity):
            bus = Bus(0, site, capacity)
            for i, n in seats:
                bus.households.append(groups[i][seated[i]:seated[i] + n])
                seated[i] += n
            buses.append(bus)
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
    today = local_today()
    rows = []
    for bus in buses:
        for household in bus.households:
            for p in household:
                person = p.person
                age = age_on(person.birth_date, today) if person.birth_date else ""
                rows.append([bus.number, bus.site.name, person.household, person.name, person.sex or "", age,
                             mask_id(person.id_number), person.phone, p.room.label])
    return rows


def manifest_csv(buses: list[Bus], headers: list[str]) -> bytes:
    return csv_bytes(headers, manifest_rows(buses))


def manifest_xlsx(buses: list[Bus], headers: list[str]) -> bytes:
    """Written row by row (openpyxl's write-only mode), so 10,000 rows take a second, not several."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Manifest")
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for title in headers:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    append_row(sheet, header)
    append_rows(sheet, manifest_rows(buses))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
