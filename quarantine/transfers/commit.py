"""Committing a plan: every room it uses is reserved in one transaction, or none is.

The plan was made from a snapshot; between planning and committing a room may have gone
out of service or another plan may have taken it. The commit locks the sites and the
floors it touches (row locks on PostgreSQL, the database write lock on SQLite), checks
each assumption against the current rows and refuses with the list of what changed.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timezone

from sqlalchemy import func, insert, select, tuple_, update

import planner
from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.labels import status_label
from quarantine.localtime import local_today
from quarantine.models import Person, PlanRun, Reservation, Room, Site, TransferBatch, User
from quarantine.occupancy import holders_in_rooms
from quarantine.staff.services import effective_capacity_limits
from quarantine.stays import beds
from quarantine.transfers.planning import plan_of, scenario_of
from quarantine.transfers.reasons import explain_violation
from quarantine.transfers.scenario import key_id


class PlanIsStale(DomainError):
    """The state changed since planning; `changes` says what, so the user can re-plan."""

    def __init__(self, changes: list[str]):
        super().__init__(_("The plan can no longer be committed: %(n)d change(s) since planning.", n=len(changes)))
        self.changes = changes


def commit_plan(run: PlanRun, user: User) -> int:
    """Reserve the rooms of the plan; returns the number of people reserved."""
    if run.status not in ("done", "cancelled"):
        raise DomainError(_("Only a finished, uncommitted plan can be committed."))
    plan = plan_of(run)
    if not plan.assignments:
        raise DomainError(_("The plan places nobody; there is nothing to commit."))
    scenario = scenario_of(run)
    violations = planner.validate(scenario, plan)
    if violations:
        raise PlanIsStale([explain_violation(v) for v in violations])
    try:
        changes = _check_and_reserve(run, plan)
    except Exception:
        db.session.rollback()
        raise
    if changes:
        db.session.rollback()
        raise PlanIsStale(changes)
    db.session.commit()
    return len(plan.assignments)


def _check_and_reserve(run: PlanRun, plan: planner.Plan) -> list[str]:
    by_room: dict[int, list[int]] = defaultdict(list)
    for a in plan.assignments:
        by_room[key_id(a.room)].append(key_id(a.person))
    person_ids = [pid for pids in by_room.values() for pid in pids]
    site_ids = sorted({key_id(a.site) for a in plan.assignments})

    # Take the write lock first: on SQLite this serialises commits; on PostgreSQL it locks the
    # run so the same plan cannot be committed twice.
    db.session.execute(update(PlanRun).where(PlanRun.id == run.id).values(status=PlanRun.status))
    if db.session.scalar(select(PlanRun.status).where(PlanRun.id == run.id)) == "committed":
        return [_("This plan has already been committed.")]

    # Lock in a fixed order (sites, then rooms by id) so concurrent commits cannot deadlock.
    sites = {s.id: s for s in db.session.scalars(
        select(Site).where(Site.id.in_(site_ids)).order_by(Site.id).with_for_update()
        .execution_options(populate_existing=True))}
    target_rooms = {r.id: r for r in db.session.scalars(
        select(Room).where(Room.id.in_(list(by_room))).order_by(Room.id).with_for_update(of=Room)
        .execution_options(populate_existing=True))}
    floors = {(r.building_id, r.floor) for r in target_rooms.values()}
    db.session.scalars(select(Room.id).where(tuple_(Room.building_id, Room.floor).in_(list(floors)))
                       .order_by(Room.id).with_for_update(of=Room)).all()
    people = {p.id: p for p in db.session.scalars(select(Person).where(Person.id.in_(person_ids)))}

    changes: list[str] = []
    for site_id in site_ids:
        site = sites.get(site_id)
        if site is None or not site.receiving:
            changes.append(_("Site %(site)s no longer receives people.", site=site.name if site else site_id))
    for room_id, pids in sorted(by_room.items()):
        room = target_rooms.get(room_id)
        if room is None:
            changes.append(_("Room %(room)s no longer exists.", room=room_id))
            continue
        if room.status != "available" or room.held:
            changes.append(_("Room %(room)s is now %(status)s.", room=room.label, status=status_label(room.status)))
        elif room.beds < len(pids):
            changes.append(_("Room %(room)s now has %(beds)d beds for %(n)d people.", room=room.label,
                             beds=room.beds, n=len(pids)))
    changes.extend(_floor_changes(target_rooms, by_room, people))
    changes.extend(_capacity_changes(sites, by_room, target_rooms))
    live = set(db.session.scalars(select(Reservation.person_id).where(
        Reservation.person_id.in_(person_ids), Reservation.status == "reserved")))
    for pid in person_ids:
        person = people.get(pid)
        if person is None or person.status != "expected" or pid in live:
            changes.append(_("%(name)s is no longer waiting for a room.", name=person.name if person else pid))
    if changes:
        return changes

    now = datetime.now(timezone.utc)
    db.session.execute(insert(Reservation), [
        {"person_id": pid, "room_id": room_id, "plan_run_id": run.id, "status": "reserved",
         "created_at": now, "updated_at": now}
        for room_id, pids in by_room.items() for pid in pids])
    # Bulk updates by primary key: one statement per table, not one per row.
    beds.reserve_in_bulk({room_id: len(pids) for room_id, pids in by_room.items()}, now)
    db.session.execute(update(Person), [{"id": pid, "site_id": target_rooms[room_id].site_id}
                                        for room_id, pids in by_room.items() for pid in pids])
    run.status, run.committed_at = "committed", now
    codes = run.batch_code_list
    db.session.execute(update(TransferBatch).where(TransferBatch.code.in_(codes),
                                                   TransferBatch.status.in_(("announced", "planned")))
                       .values(status="committed"))
    return []


def _floor_changes(target_rooms: dict[int, Room], by_room: dict[int, list[int]],
                   people: dict[int, Person]) -> list[str]:
    """Each floor must still hold only the plan's cohort: nobody of another category or batch moved in."""
    floors: dict[tuple[int, int], set[tuple[str, int | None]]] = defaultdict(set)
    for room_id, pids in by_room.items():
        room = target_rooms[room_id]
        for pid in pids:
            if pid in people:
                floors[(room.building_id, room.floor)].add((people[pid].category_code, people[pid].batch_id))
    if not floors:
        return []
    floor_of_room = dict(((room_id, (building_id, floor)) for room_id, building_id, floor in db.session.execute(
        select(Room.id, Room.building_id, Room.floor).where(tuple_(Room.building_id, Room.floor).in_(list(floors))))))
    present: dict[tuple[int, int], set[tuple[str, int | None]]] = defaultdict(set)
    for room_id, holders in holders_in_rooms(floor_of_room).items():
        present[floor_of_room[room_id]].update((p.category_code, p.batch_id) for p in holders)
    changes = []
    for (building_id, floor), cohorts in floors.items():
        if len(cohorts | present[(building_id, floor)]) > 1:
            room = next(r for r in target_rooms.values() if (r.building_id, r.floor) == (building_id, floor))
            changes.append(_("Floor %(floor)s of building %(b)s now holds another category or batch.",
                             floor=floor, b=room.building.code))
    return changes


def _capacity_changes(sites: dict[int, Site], by_room: dict[int, list[int]], target_rooms: dict[int, Room]) -> list[str]:
    adding = Counter()
    for room_id, pids in by_room.items():
        adding[target_rooms[room_id].site_id] += len(pids)
    limits = effective_capacity_limits(list(sites.values()), local_today())
    limited = [site_id for site_id in adding if site_id in sites and limits.get(site_id) is not None]
    holding = dict(db.session.execute(select(Room.site_id, func.sum(Room.occupants + Room.reserved))
                                      .where(Room.site_id.in_(limited)).group_by(Room.site_id)).all())
    changes = []
    for site_id in limited:
        total = (holding.get(site_id) or 0) + adding[site_id]
        if total > limits[site_id]:
            changes.append(_("Site %(site)s would hold %(n)d people, above its limit of %(limit)d.",
                             site=sites[site_id].name, n=total, limit=limits[site_id]))
    return changes
