"""Moving people of a plan by hand: checked against every hard rule on the floors and sites the move
touches only, with the functions of planner.rules the validator uses, so a move at province scale
reads one or two sites of the stored scenario instead of all of it.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

import planner
from planner import rules
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.labels import status_label
from quarantine.models import PlanRun, Room
from quarantine.transfers.plan_store import (
    StoredReason,
    cached,
    plan_of,
    reasons_of,
    save_plan,
    scenario_dict,
    scenario_meta,
)
from quarantine.transfers.reasons import TAKEN_OUT_CODE
from quarantine.transfers.scenario import key_id

FloorKey = tuple[str, str, int]


@dataclass(frozen=True)
class PlanPerson:
    key: str
    batch: str
    household: str
    category: str
    age: int | None
    needs_access: bool


def _people(run: PlanRun) -> dict[str, PlanPerson]:
    def build() -> dict[str, PlanPerson]:
        meta = scenario_meta(run)
        return {p["id"]: PlanPerson(p["id"], b["id"], p["household"], p["category"], p.get("age"),
                                    "mobility" in p.get("needs", ()))
                for b in meta.get("batches", []) for p in b["people"]}
    return cached(run, "people", build)


def household_of(run: PlanRun, person_key: str) -> list[str]:
    """The person's household in the plan (themselves included), in plan order."""
    people = _people(run)
    me = people.get(person_key)
    if me is None:
        return []
    return [p.key for p in people.values() if p.batch == me.batch and p.household == me.household]


class _Touched:
    """The sites a move touches, with their rooms as the scenario has them."""

    def __init__(self, run: PlanRun, site_keys: set[str]) -> None:
        self.sites = {s["id"]: s for s in scenario_dict(run, site_keys)["sites"]}
        self.room: dict[str, dict] = {}
        self.site_of: dict[str, str] = {}
        for site in self.sites.values():
            for room in site["rooms"]:
                self.room[room["id"]] = room
                self.site_of[room["id"]] = site["id"]
        numbers = dict(db.session.execute(select(Room.id, Room.number).where(
            Room.id.in_([key_id(k) for k in self.room]))).all()) if self.room else {}
        self.labels = {k: f"{r['building']}-{numbers.get(key_id(k), k)}" for k, r in self.room.items()}

    def floor(self, room_key: str) -> FloorKey:
        room = self.room[room_key]
        return (self.site_of[room_key], room["building"], room["floor"])


def check_move(run: PlanRun, moving: list[str], room_key: str | None) -> tuple[list[str], planner.Plan | None]:
    """The changed plan if `moving` (person keys) can go to `room_key` (None: out of the plan), else the
    broken rules in the user's language."""
    plan = plan_of(run)
    people = _people(run)
    policy = planner.Policy.from_dict(scenario_meta(run).get("policy", {}))
    largest = scenario_meta(run).get("largest_free_rooms", {"any": 0, "accessible": 0})
    site_of_assignment = {a.person: a.site for a in plan.assignments}
    households = {(people[k].batch, people[k].household) for k in moving}
    members = [p.key for p in people.values() if (p.batch, p.household) in households]
    target_site = None
    site_keys = {site_of_assignment[k] for k in members if k in site_of_assignment}
    if room_key is not None:
        target_site = _site_of_room(run, room_key)
        if target_site is None:
            return [_("That room is not part of this plan's state.")], None
        site_keys.add(target_site)
    touched = _Touched(run, site_keys)
    moved = set(moving)
    assignments = [a for a in plan.assignments if a.person not in moved]
    if room_key is not None:
        assignments += [planner.Assignment(k, target_site, room_key) for k in moving]
    problems: list[str] = []
    room_of = {a.person: a.room for a in assignments if a.site in touched.sites}
    by_room: dict[str, list[PlanPerson]] = defaultdict(list)
    for key, room in room_of.items():
        by_room[room].append(people[key])
    if room_key is not None:
        problems += _room_rules(touched, policy, room_key, by_room, [people[k] for k in moving], assignments)
    problems += _household_rules(touched, policy, largest, members, room_of, people)
    for old_room in {plan_room for plan_room in (_room_in(plan, k) for k in moving) if plan_room}:
        problems += _child_rule(touched, policy, old_room, by_room.get(old_room, []), left_behind=True)
    if problems:
        return list(dict.fromkeys(problems)), None
    unassigned = [u for u in plan.unassigned if u.person not in moved]
    if room_key is None:
        unassigned += [planner.Unassigned(k, "taken out of the plan by hand") for k in moving]
    return [], planner.Plan(tuple(assignments), tuple(unassigned), plan.stats)


def _room_in(plan: planner.Plan, person: str) -> str | None:
    return next((a.room for a in plan.assignments if a.person == person), None)


def _site_of_room(run: PlanRun, room_key: str) -> str | None:
    room = db.session.get(Room, key_id(room_key)) if room_key[:1] == "R" and room_key[1:].isdigit() else None
    if room is None:
        return None
    site = f"S{room.site_id}"
    return site if any(s["id"] == site for s in scenario_meta(run).get("sites", [])) else None


def _room_rules(touched: _Touched, policy: planner.Policy, room_key: str, by_room: dict[str, list[PlanPerson]],
                group: list[PlanPerson], assignments: list[planner.Assignment]) -> list[str]:
    room = touched.room.get(room_key)
    if room is None:
        return [_("That room is not part of this plan's state.")]
    label = touched.labels[room_key]
    site = touched.sites[touched.site_of[room_key]]
    out = []
    if not rules.room_takes_people(site["ready"], room.get("status", "available")):
        out.append(_("Room %(room)s cannot take people now (%(why)s).", room=label,
                     why=_("site not ready") if not site["ready"] else status_label(room.get("status", ""))))
    occupants = room.get("occupants", [])
    inside = by_room.get(room_key, [])
    if not rules.beds_enough(room["beds"], len(occupants) + len(inside)):
        out.append(_("Room %(room)s has %(beds)d beds for %(n)d people.", room=label, beds=room["beds"],
                     n=len(occupants) + len(inside)))
    if not rules.one_household_per_room({p.household for p in inside} | {o["household"] for o in occupants},
                                        policy):
        out.append(_("Room %(room)s holds another household; one household per room.", room=label))
    floor = touched.floor(room_key)
    cohorts = {rules.cohort(p.category, p.batch, policy) for r, ps in by_room.items()
               if touched.floor(r) == floor for p in ps}
    cohorts |= {rules.cohort(o["category"], o["batch"], policy) for r, doc in touched.room.items()
                if touched.floor(r) == floor for o in doc.get("occupants", [])}
    if not rules.one_cohort_per_floor(cohorts, policy):
        out.append(_("Floor %(floor)s of building %(b)s would hold another category or batch.",
                     floor=room["floor"], b=room["building"]))
    for p in group:
        if not rules.accessible_enough(p.needs_access, room.get("accessible", False)):
            out.append(_("Someone moved needs an accessible room; %(room)s is not.", room=label))
            break
    out += _child_rule(touched, policy, room_key, inside)
    out += _capacity_rule(site, assignments)
    return out


def _child_rule(touched: _Touched, policy: planner.Policy, room_key: str, inside: list[PlanPerson],
                left_behind: bool = False) -> list[str]:
    for child in inside:
        if rules.is_child(child.age, policy):
            family = [p.age for p in inside if (p.batch, p.household) == (child.batch, child.household)]
            if not rules.child_has_adult(family, policy):
                label = touched.labels.get(room_key, room_key)
                if left_behind:
                    return [_("A child would stay in room %(room)s without an adult of the household; "
                              "move the household together.", room=label)]
                return [_("A child in room %(room)s would have no adult of the household with them.", room=label)]
    return []


def _capacity_rule(site: dict, assignments: list[planner.Assignment]) -> list[str]:
    limit = site.get("capacity_limit")
    if limit is None:
        return []
    existing = sum(len(r.get("occupants", [])) for r in site["rooms"])
    total = existing + sum(1 for a in assignments if a.site == site["id"])
    if rules.within_capacity(total, limit):
        return []
    return [_("Site %(site)s would hold %(n)d people, above its limit of %(limit)d.", site=site.get("name", ""),
              n=total, limit=limit)]


def _household_rules(touched: _Touched, policy: planner.Policy, largest: dict, members: list[str],
                     room_of: dict[str, str], people: dict[str, PlanPerson]) -> list[str]:
    by_household: dict[tuple[str, str], list[str]] = defaultdict(list)
    for key in members:
        by_household[(people[key].batch, people[key].household)].append(key)
    out = []
    for keys in by_household.values():
        placed = [k for k in keys if k in room_of]
        if placed and len(placed) < len(keys):
            out.append(_("A household must stay together: %(placed)d of its %(n)d people would be placed.",
                         placed=len(placed), n=len(keys)))
            continue
        rooms = {room_of[k] for k in placed}
        if len(rooms) <= 1:
            continue
        if not rules.household_on_one_floor({touched.floor(r) for r in rooms}):
            out.append(_("A household split over rooms must stay on one floor."))
        needs = any(people[k].needs_access for k in keys)
        if not rules.split_allowed(len(keys), largest["accessible" if needs else "any"]):
            out.append(_("The household of %(n)d fits one room; it may not be split.", n=len(keys)))
    return out


def move_in_plan(run: PlanRun, person: str, room: str | None, whole_household: bool = True) -> list[str]:
    """Move one person (with their household by default) in the plan, or take them out; saved only when
    every rule still holds. Returns the broken rules (empty when saved)."""
    if run.status not in ("done", "cancelled"):
        return [_("Only a finished, uncommitted plan can be changed.")]
    people = _people(run)
    if person not in people:
        return [_("That person is not in this plan.")]
    moving = household_of(run, person) if whole_household else [person]
    problems, changed = check_move(run, moving, room)
    if changed is None:
        return problems
    reasons = {k: r for k, r in reasons_of(run).items() if k not in moving}
    if room is None:
        reasons.update({k: StoredReason(TAKEN_OUT_CODE, {}) for k in moving})
    touched = {a.site for plan in (plan_of(run), changed) for a in plan.assignments if a.person in moving}
    save_plan(run, changed, reasons, changed_sites=touched)
    db.session.commit()
    return []
