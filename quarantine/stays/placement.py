"""The planner's hard rules for people placed by hand: check-in, arrival in another room, moves.

Each rule is the function of ``planner.rules`` the plan validator uses, applied here to the
live state of one site: the room's holders, the floor's cohort, where the household already
is, the site's capacity limit (the manual limit lowered to what the staff on duty support)
and children beside an adult. A site's state is read in a handful of set-based queries, so
listing every room a person may go to at a 2,000-room site costs no query per room.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select, tuple_

import planner
from planner import rules
from quarantine.extensions import db
from quarantine.i18n import _, _l
from quarantine.idnumbers import age_on
from quarantine.labels import status_label
from quarantine.localtime import local_today
from quarantine.models import Building, Person, Room, Site
from quarantine.occupancy import Holder, held_at_site, holders, household_key, on_floors
from quarantine.staff.services import effective_capacity_limits

# The policy every plan and every placement by hand keeps (the planner's scenarios carry the same).
PLACEMENT_POLICY = planner.Policy()
FloorKey = tuple[int, int, int]  # site, building, floor


@dataclass(frozen=True)
class Newcomer:
    """Someone going into a room, as the rules see them."""

    person_id: int
    name: str
    household: str
    cohort: rules.Cohort
    age: int | None
    needs_access: bool

    @classmethod
    def of(cls, person: Person, today: date) -> Newcomer:
        return cls(person.id, person.name, household_key(person.id, person.batch_id, person.household),
                   cohort_of(person.category_code, person.batch_id),
                   age_on(person.birth_date, today) if person.birth_date else None,
                   "mobility" in person.need_codes)


def cohort_of(category: str, batch_id: int | None) -> rules.Cohort:
    return rules.cohort(category, str(batch_id or "none"), PLACEMENT_POLICY)


@dataclass
class SiteState:
    """What the rules need to know about one site, read once for any number of rooms."""

    site: Site
    limit: int | None
    held: int
    today: date
    buildings: dict[int, str]
    by_room: dict[int, list[Holder]] = field(default_factory=lambda: defaultdict(list))
    by_floor: dict[FloorKey, list[Holder]] = field(default_factory=lambda: defaultdict(list))
    households: dict[str, list[Holder]] = field(default_factory=lambda: defaultdict(list))
    holding_here: set[int] = field(default_factory=set)  # newcomers who already hold a bed at this site
    _cohorts: dict[FloorKey, set] = field(default_factory=dict)

    def add(self, holder: Holder) -> None:
        if holder.site_id == self.site.id:
            self.by_room[holder.room_id].append(holder)
            self.by_floor[holder.floor_key].append(holder)

    def label(self, room: Room) -> str:
        return f"{self.buildings.get(room.building_id, '?')}-{room.number}"

    def age(self, holder: Holder) -> int | None:
        return age_on(holder.birth_date, self.today) if holder.birth_date else None

    def cohorts_on(self, floor: FloorKey, leaving: set[int]) -> set[rules.Cohort]:
        """Cohorts of the people on a floor, apart from those leaving it (the mover's household)."""
        here = self.by_floor.get(floor, ())
        if leaving and any(h.person_id in leaving for h in here):
            return {cohort_of(h.category, h.batch_id) for h in here if h.person_id not in leaving}
        if floor not in self._cohorts:
            self._cohorts[floor] = {cohort_of(h.category, h.batch_id) for h in here}
        return self._cohorts[floor]


def site_state(site: Site, floors: Iterable[tuple[int, int]] | None, newcomers: Sequence[Newcomer],
               today: date | None = None) -> SiteState:
    """The state of `site` on the given (building, floor) pairs (None: the whole site)."""
    today = today or local_today()
    state = SiteState(site, effective_capacity_limits([site], today)[site.id], held_at_site(site.id), today,
                      dict(db.session.execute(select(Building.id, Building.code).where(Building.site_id == site.id)).all()))
    room_filter = Room.site_id == site.id
    pairs = None if floors is None else sorted(set(floors))
    if pairs is not None:
        room_filter = room_filter & on_floors(pairs)
    for holder in holders(room_filter):
        state.add(holder)
    for holder in _household_holders(newcomers):
        state.households[holder.household].append(holder)
    ids = [n.person_id for n in newcomers]
    if ids:
        state.holding_here = {h.person_id for h in holders(Room.site_id == site.id, Person.id.in_(ids))}
    return state


def _household_holders(newcomers: Sequence[Newcomer]) -> list[Holder]:
    """Where members of the newcomers' households already hold beds (any site)."""
    wanted = {n.household for n in newcomers if not n.household.startswith("single-")}
    if not wanted:
        return []
    pairs = []
    for key in wanted:
        batch, _sep, code = key.partition(":")
        pairs.append((int(batch) or None, code))
    people = select(Person.id).where(tuple_(Person.batch_id, Person.household).in_(
        [(b, c) for b, c in pairs if b is not None]) | (Person.batch_id.is_(None) & Person.household.in_(
            [c for b, c in pairs if b is None])))
    return [h for h in holders(person_filter=Person.id.in_(people)) if h.household in wanted]


Broken = tuple[str, dict]  # a message (marked for translation) and its parameters


def problems(state: SiteState, group: Sequence[Newcomer], room: Room) -> list[str]:
    """Every rule the group (one household, or one person) would break by going into `room` together."""
    return [str(message) % params for message, params in broken_rules(state, group, room)]


def acceptable(state: SiteState, group: Sequence[Newcomer], room: Room) -> bool:
    """True when no rule is broken (stops at the first broken one; nothing is formatted)."""
    return next(broken_rules(state, group, room), None) is None


def broken_rules(state: SiteState, group: Sequence[Newcomer], room: Room) -> Iterator[Broken]:
    ids = {n.person_id for n in group}
    label = state.label(room)
    if not rules.room_takes_people(state.site.receiving, "available"):
        yield _l("Site %(site)s is not ready to receive people."), {"site": state.site.name}
    # 'occupied' is the counter's word for "someone holds a bed here"; the household rule decides who may join.
    usable = "available" if room.status in ("available", "occupied") else room.status
    others = [h for h in state.by_room.get(room.id, ()) if h.person_id not in ids]
    if not rules.room_takes_people(True, usable):
        yield _l("Room %(room)s is %(status)s."), {"room": label, "status": status_label(room.status)}
    elif not rules.beds_enough(room.beds, len(others) + len(group)):
        if len(group) == 1 or room.beds - len(others) <= 0:
            yield _l("Room %(room)s has no free bed."), {"room": label}
        else:
            yield _l("Room %(room)s has %(free)d free beds for %(n)d people."), {
                "room": label, "free": room.beds - len(others), "n": len(group)}
    if not rules.one_household_per_room([h.household for h in others] + [n.household for n in group],
                                        PLACEMENT_POLICY):
        yield _l("Room %(room)s holds another household; one household per room."), {"room": label}
    yield from _household_floor_problems(state, group, room)
    yield from _cohort_problems(state, group, room, ids)
    for n in group:
        if not rules.accessible_enough(n.needs_access, room.accessible):
            yield _l("%(name)s needs an accessible room; %(room)s is not."), {"name": n.name, "room": label}
    yield from _child_problems(state, group, others, label)
    yield from _capacity_problems(state, group)


def _household_floor_problems(state: SiteState, group: Sequence[Newcomer], room: Room) -> Iterator[Broken]:
    ids = {n.person_id for n in group}
    target = (room.site_id, room.building_id, room.floor)
    for household in {n.household for n in group}:
        elsewhere = [h for h in state.households.get(household, []) if h.person_id not in ids]
        if not rules.household_on_one_floor({h.floor_key for h in elsewhere} | {target}):
            first = next(h for h in elsewhere if h.floor_key != target)
            yield _l("%(name)s of the same household is on another floor; a household stays on one floor."), {
                "name": first.name}


def _cohort_problems(state: SiteState, group: Sequence[Newcomer], room: Room, ids: set[int]) -> Iterator[Broken]:
    cohorts = state.cohorts_on((room.site_id, room.building_id, room.floor), ids)
    if rules.one_cohort_per_floor(cohorts | {n.cohort for n in group}, PLACEMENT_POLICY):
        return
    building = state.buildings.get(room.building_id, "?")
    mine = {n.cohort for n in group}
    if {c[0] for c in cohorts} - {c[0] for c in mine}:
        yield _l("Floor %(floor)s of building %(b)s holds another category of people."), {
            "floor": room.floor, "b": building}
    if {c[1:] for c in cohorts} - {c[1:] for c in mine}:
        yield _l("Floor %(floor)s of building %(b)s holds another transfer batch."), {
            "floor": room.floor, "b": building}


def _child_problems(state: SiteState, group: Sequence[Newcomer], others: list[Holder], label: str) -> Iterator[Broken]:
    for n in group:
        if not rules.is_child(n.age, PLACEMENT_POLICY):
            continue
        family = [state.age(h) for h in others if h.household == n.household] + \
                 [m.age for m in group if m.household == n.household]
        if not rules.child_has_adult(family, PLACEMENT_POLICY):
            yield _l("%(name)s is under %(age)d and needs an adult of the household in room %(room)s."), {
                "name": n.name, "age": PLACEMENT_POLICY.child_age_below, "room": label}


def _capacity_problems(state: SiteState, group: Sequence[Newcomer]) -> Iterator[Broken]:
    arriving = {n.person_id for n in group} - state.holding_here
    total = state.held + len(arriving)
    if arriving and not rules.within_capacity(total, state.limit):
        yield _l("Site %(site)s would hold %(n)d people, above its limit of %(limit)d."), {
            "site": state.site.name, "n": total, "limit": state.limit}


def left_behind_problems(state: SiteState, group: Sequence[Newcomer], room_id: int, label: str) -> list[str]:
    """Rule 7 for the room the group leaves: no child of the household stays there without an adult."""
    ids = {n.person_id for n in group}
    staying = [h for h in state.by_room.get(room_id, []) if h.person_id not in ids]
    out = []
    for child in staying:
        age = state.age(child)
        if not rules.is_child(age, PLACEMENT_POLICY):
            continue
        family = [state.age(h) for h in staying if h.household == child.household]
        if not rules.child_has_adult(family, PLACEMENT_POLICY):
            out.append(_("%(child)s would stay in room %(room)s without an adult of the household; "
                         "move them together.", child=child.name, room=label))
    return out


def placement_problems(people: Sequence[Person], room: Room, today: date | None = None) -> list[str]:
    """Every rule broken by `people` (one household going in together) moving into `room` now."""
    today = today or local_today()
    group = [Newcomer.of(p, today) for p in people]
    site = db.session.get(Site, room.site_id)
    state = site_state(site, [(room.building_id, room.floor)], group, today)
    return problems(state, group, room)


def rooms_open_to(people: Sequence[Person], site: Site, today: date | None = None) -> list[RoomChoice]:
    """Rooms of the site the people could go into now, every rule kept; no query per room."""
    today = today or local_today()
    group = [Newcomer.of(p, today) for p in people]
    candidates = db.session.execute(
        select(Room.id, Room.site_id, Room.building_id, Room.floor, Room.number, Room.beds, Room.occupants,
               Room.reserved, Room.accessible, Room.status)
        .where(Room.site_id == site.id, Room.status.in_(("available", "occupied")),
               Room.occupants + Room.reserved < Room.beds)
        .order_by(Room.building_id, Room.floor, Room.number)).all()
    if not candidates:
        return []
    state = site_state(site, None, group, today)
    rooms = [RoomChoice(*row, label=f"{state.buildings.get(row.building_id, '?')}-{row.number}") for row in candidates]
    return [room for room in rooms if acceptable(state, group, room)]


@dataclass(frozen=True)
class RoomChoice:
    """A room as a list of choices shows it; the rules read the same attributes as on a Room."""

    id: int
    site_id: int
    building_id: int
    floor: int
    number: str
    beds: int
    occupants: int
    reserved: int
    accessible: bool
    status: str
    label: str

    @property
    def held(self) -> int:
        return self.occupants + self.reserved
