"""The planner's hard rules for people placed by hand: check-in, arrival in another room, moves.

Each rule is the function of ``planner.rules`` the plan validator uses, applied here to the
live state of one site: the room's holders, the floor's cohort, where the household already
is, the site's capacity limit (the manual limit lowered to what the staff on duty support)
and children beside an adult. A site's state is read in a handful of set-based queries, so
listing every room a person may go to at a 2,000-room site costs no query per room.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select, tuple_

import planner
from planner import rules
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.idnumbers import age_on
from quarantine.labels import status_label
from quarantine.localtime import local_today
from quarantine.models import Building, Person, Room, Site
from quarantine.occupancy import Holder, held_at_site, holders, household_key
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

    def add(self, holder: Holder) -> None:
        if holder.site_id == self.site.id:
            self.by_room[holder.room_id].append(holder)
            self.by_floor[holder.floor_key].append(holder)

    def label(self, room: Room) -> str:
        return f"{self.buildings.get(room.building_id, '?')}-{room.number}"

    def age(self, holder: Holder) -> int | None:
        return age_on(holder.birth_date, self.today) if holder.birth_date else None


def site_state(site: Site, floors: Iterable[tuple[int, int]] | None, newcomers: Sequence[Newcomer],
               today: date | None = None) -> SiteState:
    """The state of `site` on the given (building, floor) pairs (None: the whole site)."""
    today = today or local_today()
    state = SiteState(site, effective_capacity_limits([site], today)[site.id], held_at_site(site.id), today,
                      dict(db.session.execute(select(Building.id, Building.code).where(Building.site_id == site.id)).all()))
    room_filter = Room.site_id == site.id
    pairs = None if floors is None else sorted(set(floors))
    if pairs is not None:
        room_filter = room_filter & tuple_(Room.building_id, Room.floor).in_(pairs)
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


def problems(state: SiteState, group: Sequence[Newcomer], room: Room) -> list[str]:
    """Every rule the group (one household, or one person) would break by going into `room` together."""
    ids = {n.person_id for n in group}
    label = state.label(room)
    out: list[str] = []
    if not rules.room_takes_people(state.site.receiving, "available"):
        out.append(_("Site %(site)s is not ready to receive people.", site=state.site.name))
    # 'occupied' is the counter's word for "someone holds a bed here"; the household rule decides who may join.
    usable = "available" if room.status in ("available", "occupied") else room.status
    others = [h for h in state.by_room.get(room.id, []) if h.person_id not in ids]
    if not rules.room_takes_people(True, usable):
        out.append(_("Room %(room)s is %(status)s.", room=label, status=status_label(room.status)))
    elif not rules.beds_enough(room.beds, len(others) + len(group)):
        if len(group) == 1 or room.beds - len(others) <= 0:
            out.append(_("Room %(room)s has no free bed.", room=label))
        else:
            out.append(_("Room %(room)s has %(free)d free beds for %(n)d people.", room=label,
                         free=room.beds - len(others), n=len(group)))
    if not rules.one_household_per_room([h.household for h in others] + [n.household for n in group],
                                        PLACEMENT_POLICY):
        out.append(_("Room %(room)s holds another household; one household per room.", room=label))
    out.extend(_household_floor_problems(state, group, room))
    out.extend(_cohort_problems(state, group, room, ids))
    for n in group:
        if not rules.accessible_enough(n.needs_access, room.accessible):
            out.append(_("%(name)s needs an accessible room; %(room)s is not.", name=n.name, room=label))
    out.extend(_child_problems(state, group, others, label))
    out.extend(_capacity_problems(state, group))
    return out


def _household_floor_problems(state: SiteState, group: Sequence[Newcomer], room: Room) -> list[str]:
    ids = {n.person_id for n in group}
    target = (room.site_id, room.building_id, room.floor)
    out = []
    for household in {n.household for n in group}:
        elsewhere = [h for h in state.households.get(household, []) if h.person_id not in ids]
        if not rules.household_on_one_floor({h.floor_key for h in elsewhere} | {target}):
            first = next(h for h in elsewhere if h.floor_key != target)
            out.append(_("%(name)s of the same household is on another floor; a household stays on one floor.",
                         name=first.name))
    return out


def _cohort_problems(state: SiteState, group: Sequence[Newcomer], room: Room, ids: set[int]) -> list[str]:
    on_floor = [h for h in state.by_floor.get((room.site_id, room.building_id, room.floor), [])
                if h.person_id not in ids]
    building = state.buildings.get(room.building_id, "?")
    out = []
    cohorts = {cohort_of(h.category, h.batch_id) for h in on_floor}
    for n in group:
        if rules.one_cohort_per_floor(cohorts | {n.cohort}, PLACEMENT_POLICY):
            continue
        if any(h.category != n.cohort[0] for h in on_floor):
            out.append(_("Floor %(floor)s of building %(b)s holds another category of people.",
                         floor=room.floor, b=building))
        if any(cohort_of(h.category, h.batch_id)[1:] != n.cohort[1:] for h in on_floor):
            out.append(_("Floor %(floor)s of building %(b)s holds another transfer batch.",
                         floor=room.floor, b=building))
        break
    return out


def _child_problems(state: SiteState, group: Sequence[Newcomer], others: list[Holder], label: str) -> list[str]:
    out = []
    for n in group:
        if not rules.is_child(n.age, PLACEMENT_POLICY):
            continue
        family = [state.age(h) for h in others if h.household == n.household] + \
                 [m.age for m in group if m.household == n.household]
        if not rules.child_has_adult(family, PLACEMENT_POLICY):
            out.append(_("%(name)s is under %(age)d and needs an adult of the household in room %(room)s.",
                         name=n.name, age=PLACEMENT_POLICY.child_age_below, room=label))
    return out


def _capacity_problems(state: SiteState, group: Sequence[Newcomer]) -> list[str]:
    arriving = {n.person_id for n in group} - state.holding_here
    total = state.held + len(arriving)
    if arriving and not rules.within_capacity(total, state.limit):
        return [_("Site %(site)s would hold %(n)d people, above its limit of %(limit)d.",
                  site=state.site.name, n=total, limit=state.limit)]
    return []


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


def rooms_open_to(people: Sequence[Person], site: Site, today: date | None = None) -> list[Room]:
    """Rooms of the site the people could go into now, every rule kept; no query per room."""
    today = today or local_today()
    group = [Newcomer.of(p, today) for p in people]
    candidates = db.session.scalars(select(Room).where(Room.site_id == site.id,
                                                       Room.status.in_(("available", "occupied")),
                                                       Room.occupants + Room.reserved < Room.beds)
                                    .order_by(Room.building_id, Room.floor, Room.number)).all()
    if not candidates:
        return []
    state = site_state(site, None, group, today)
    return [room for room in candidates if not problems(state, group, room)]
