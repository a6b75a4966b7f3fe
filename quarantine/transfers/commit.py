"""Committing a plan: every room it uses is reserved in one transaction, or none is.

The plan was made from a snapshot and checked against every rule when it was stored; between
planning and committing a room may have gone out of service or another plan may have taken it.
The commit locks the sites and the floors it touches (row locks on PostgreSQL, the database
write lock on SQLite), checks the rules that depend on the live state against the current rows
(with planner.rules, as everything else does) and refuses with the list of what changed.
People the plan leaves out stay waiting for a bed; their batch says so.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timezone

from sqlalchemy import Row, func, insert, select, update

from planner import rules
from quarantine.county.notices import queue_webhooks, record_notices
from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.labels import status_label
from quarantine.localtime import local_today
from quarantine.models import Person, PlanRun, Reservation, Room, Site, TransferBatch, User, person_needs
from quarantine.occupancy import holders, on_floors
from quarantine.staff.services import effective_capacity_limits
from quarantine.stays import beds
from quarantine.stays.placement import PLACEMENT_POLICY, cohort_of
from quarantine.transfers.plan_store import plan_of
from quarantine.transfers.scenario import key_id, pending_count


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
    try:
        changes = _check_and_reserve(run, plan)
    except Exception:
        db.session.rollback()
        raise
    if changes:
        db.session.rollback()
        raise PlanIsStale(changes)
    db.session.commit()
    queue_webhooks(run.id)
    return len(plan.assignments)


def _check_and_reserve(run: PlanRun, plan) -> list[str]:
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
    floors = sorted({(r.building_id, r.floor) for r in target_rooms.values()})
    db.session.scalars(select(Room.id).where(on_floors(floors))
                       .order_by(Room.id).with_for_update(of=Room)).all()
    # Plain rows: the checks read four columns of up to tens of thousands of people.
    people = {p.id: p for p in db.session.execute(select(Person.id, Person.name, Person.status, Person.category_code,
                                                          Person.batch_id).where(Person.id.in_(person_ids)))}

    changes = _site_changes(sites, site_ids)
    changes += _room_changes(target_rooms, by_room, people)
    changes += _floor_changes(target_rooms, by_room, people, floors)
    changes += _capacity_changes(sites, by_room, target_rooms)
    changes += _people_changes(person_ids, people)
    if changes:
        return changes

    now = datetime.now(timezone.utc)
    db.session.execute(insert(Reservation), [
        {"person_id": pid, "room_id": room_id, "plan_run_id": run.id, "status": "reserved",
         "created_at": now, "updated_at": now}
        for room_id, pids in by_room.items() for pid in pids])
    beds.reserve_in_bulk({room_id: len(pids) for room_id, pids in by_room.items()}, now)
    # Each person's site from their new reservation, in one statement rather than one per person.
    reserved_here = (select(Room.site_id).join(Reservation, Reservation.room_id == Room.id)
                     .where(Reservation.person_id == Person.id, Reservation.plan_run_id == run.id,
                            Reservation.status == "reserved").scalar_subquery())
    db.session.execute(update(Person).where(Person.id.in_(select(Reservation.person_id).where(
        Reservation.plan_run_id == run.id, Reservation.status == "reserved"))).values(site_id=reserved_here)
        .execution_options(synchronize_session=False))
    run.status, run.committed_at = "committed", now
    _update_batches(run.batch_code_list)
    record_notices(run)  # each receiving site is told, in the same transaction
    return []


def _site_changes(sites: dict[int, Site], site_ids: list[int]) -> list[str]:
    return [_("Site %(site)s no longer receives people.", site=sites[s].name if s in sites else s)
            for s in site_ids if s not in sites or not rules.room_takes_people(sites[s].receiving, "available")]


def _room_changes(target_rooms: dict[int, Room], by_room: dict[int, list[int]],
                  people: dict[int, Row]) -> list[str]:
    mobility = set(db.session.scalars(select(person_needs.c.person_id).where(
        person_needs.c.person_id.in_(list(people)), person_needs.c.need_code == "mobility")))
    changes = []
    for room_id, pids in sorted(by_room.items()):
        room = target_rooms.get(room_id)
        if room is None:
            changes.append(_("Room %(room)s no longer exists.", room=room_id))
            continue
        # The plan gave the room to one household; anyone holding a bed there now is someone else.
        status = "occupied" if room.held else room.status
        if not rules.room_takes_people(True, status):
            changes.append(_("Room %(room)s is now %(status)s.", room=room.label, status=status_label(room.status)))
        elif not rules.beds_enough(room.beds, len(pids)):
            changes.append(_("Room %(room)s now has %(beds)d beds for %(n)d people.", room=room.label,
                             beds=room.beds, n=len(pids)))
        if any(pid in mobility for pid in pids) and not rules.accessible_enough(True, room.accessible):
            changes.append(_("Room %(room)s is no longer accessible.", room=room.label))
    return changes


def _floor_changes(target_rooms: dict[int, Room], by_room: dict[int, list[int]], people: dict[int, Row],
                   floors: list[tuple[int, int]]) -> list[str]:
    """Each floor must still hold only the plan's cohort: nobody of another category or batch moved in."""
    cohorts: dict[tuple[int, int], set] = defaultdict(set)
    for room_id, pids in by_room.items():
        room = target_rooms.get(room_id)
        if room is None:
            continue
        for pid in pids:
            if pid in people:
                cohorts[(room.building_id, room.floor)].add(cohort_of(people[pid].category_code, people[pid].batch_id))
    for holder in holders(on_floors(floors)):
        cohorts[(holder.building_id, holder.floor)].add(cohort_of(holder.category, holder.batch_id))
    changes = []
    codes = {r.building_id: r.building.code for r in target_rooms.values()}
    for (building_id, floor), found in sorted(cohorts.items()):
        if not rules.one_cohort_per_floor(found, PLACEMENT_POLICY):
            changes.append(_("Floor %(floor)s of building %(b)s now holds another category or batch.",
                             floor=floor, b=codes.get(building_id, building_id)))
    return changes


def _capacity_changes(sites: dict[int, Site], by_room: dict[int, list[int]], target_rooms: dict[int, Room]) -> list[str]:
    adding = Counter()
    for room_id, pids in by_room.items():
        if room_id in target_rooms:
            adding[target_rooms[room_id].site_id] += len(pids)
    limits = effective_capacity_limits(list(sites.values()), local_today())
    holding = dict(db.session.execute(select(Room.site_id, func.sum(Room.occupants + Room.reserved))
                                      .where(Room.site_id.in_(list(adding))).group_by(Room.site_id)).all())
    changes = []
    for site_id, n in sorted(adding.items()):
        total = (holding.get(site_id) or 0) + n
        if site_id in sites and not rules.within_capacity(total, limits.get(site_id)):
            changes.append(_("Site %(site)s would hold %(n)d people, above its limit of %(limit)d.",
                             site=sites[site_id].name, n=total, limit=limits[site_id]))
    return changes


def _people_changes(person_ids: list[int], people: dict[int, Row]) -> list[str]:
    live = set(db.session.scalars(select(Reservation.person_id).where(
        Reservation.person_id.in_(person_ids), Reservation.status == "reserved")))
    return [_("%(name)s is no longer waiting for a room.", name=people[pid].name if pid in people else pid)
            for pid in person_ids if pid not in people or people[pid].status != "expected" or pid in live]


def _update_batches(codes: list[str]) -> None:
    """A batch is committed once everybody in it has a bed; with people still waiting it stays planned."""
    for batch in db.session.scalars(select(TransferBatch).where(TransferBatch.code.in_(codes),
                                                                TransferBatch.status.in_(("announced", "planned")))):
        batch.status = "planned" if pending_count([batch.id]) else "committed"
