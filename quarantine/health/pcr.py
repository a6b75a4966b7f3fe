"""PCR tests: who is due, bulk results per floor, and what a positive result sets off.

A positive case leaves for a designated hospital (stay ended "transferred_out", the emptied room
to terminal disinfection) and the quarantine of everyone on the same floor and the floors
directly above and below, in the same building, restarts per the policy. Who was affected is
stored with the case so the notice can be printed again.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.health.clock import CLOCK_TOLERANCE, clock_policy, pcr_due
from quarantine.health.residents import Floor, Resident, building_floors, by_floor, floor_rows, residents
from quarantine.i18n import _
from quarantine.localtime import as_utc, local_datetime, local_day
from quarantine.models import PCR_RESULTS, AffectedResident, Building, PcrTest, PositiveCase, Site, User
from quarantine.policies.services import policy_in_force
from quarantine.stays.lifecycle import end_stay


@dataclass
class PcrEntry:
    """One row of a bulk entry: a person and a result; rows left blank are not entries."""
    person_id: int
    result: str


def tests_on(person_ids: list[int], day: date) -> dict[int, PcrTest]:
    """Results already recorded for these people on a day, by person."""
    if not person_ids:
        return {}
    rows = db.session.scalars(select(PcrTest).where(PcrTest.person_id.in_(person_ids), PcrTest.sample_day == day))
    return {t.person_id: t for t in rows}


def due_by_floor(site: Site, day: date, people: list[Resident] | None = None) -> list[Floor]:
    """Per floor, the residents whose test day it is and who have no result for the day yet
    (`people`: the site's residents, when the caller has them loaded already)."""
    people = residents(site) if people is None else people
    done = tests_on([r.person.id for r in people], day)
    return by_floor([r for r in people if pcr_due(r.person, day) and r.person.id not in done])


def affected_floors(building_id: int, floor: int) -> list[int]:
    """The floor and the floors directly above and below it in the same building.

    "Directly" means the next floor that has rooms, so a building without a 4th floor
    (a common superstition) still links the 3rd and the 5th.
    """
    floors = building_floors(building_id)
    if floor not in floors:
        return [floor]
    i = floors.index(floor)
    return floors[max(i - 1, 0):i + 2]


def record_results(site: Site, building: Building, floor: int, entries: list[PcrEntry], sampled_at: datetime,
                   hospital: str, user: User, now: datetime | None = None) -> list[PositiveCase]:
    """Write a floor's results together, or none of them when any row is wrong."""
    now = now or datetime.now(timezone.utc)
    on_floor = {r.person.id: r for r in residents(site, building.id, [floor])}
    problems = _result_problems(on_floor, entries, sampled_at, hospital, now, building, floor)
    if problems:
        raise DomainError(" ".join(problems))
    tests = [PcrTest(person_id=e.person_id, site_id=site.id, sampled_at=sampled_at, sample_day=local_day(sampled_at),
                     result=e.result, recorded_by_id=user.id) for e in entries]
    db.session.add_all(tests)
    db.session.flush()
    positives = [(t, on_floor[t.person_id]) for t in tests if t.result == "positive"]
    # Every positive case leaves first, so no case appears among another case's neighbours.
    cases = [transfer_out_positive(t, resident, hospital.strip(), user, now) for t, resident in positives]
    for case in cases:
        restart_neighbours(site, case)
    db.session.commit()
    return cases


def _result_problems(on_floor: dict[int, Resident], entries: list[PcrEntry], sampled_at: datetime, hospital: str,
                     now: datetime, building: Building, floor: int) -> list[str]:
    problems: list[str] = []
    if not entries:
        problems.append(_("Enter at least one result."))
    if sampled_at > now + CLOCK_TOLERANCE:
        problems.append(_("The sample time %(at)s is in the future.", at=local_datetime(sampled_at)))
    already = tests_on(list(on_floor), local_day(sampled_at))
    row_problems, rows = floor_rows(on_floor, entries, building, floor)
    problems += row_problems
    for entry, resident, who in rows:
        if entry.result not in PCR_RESULTS:
            problems.append(_("%(who)s: choose negative or positive.", who=who))
        arrived = resident.person.arrival_at
        if arrived is not None and sampled_at < as_utc(arrived):
            problems.append(_("%(who)s arrived on %(arrived)s, after the sample time.", who=who,
                              arrived=local_datetime(arrived)))
        if entry.person_id in already:
            problems.append(_("%(who)s already has a result for %(day)s.", who=who,
                              day=local_day(sampled_at).isoformat()))
    if any(e.result == "positive" for e in entries) and not hospital.strip():
        problems.append(_("Name the designated hospital the positive case goes to."))
    return problems


def transfer_out_positive(test: PcrTest, resident: Resident, hospital: str, user: User,
                          now: datetime) -> PositiveCase:
    """The case leaves for the designated hospital; an emptied room goes to terminal disinfection."""
    case = PositiveCase(pcr_test=test, person_id=resident.person.id, site_id=resident.room.site_id,
                        building_id=resident.building.id, floor=resident.room.floor, room_label=resident.room_label,
                        positive_day=local_day(now), hospital=hospital, created_by_id=user.id)
    db.session.add(case)
    end_stay(resident.person, "transferred_out", _("Positive PCR result; to %(hospital)s", hospital=hospital), now, user)
    return case


def restart_neighbours(site: Site, case: PositiveCase) -> list[AffectedResident]:
    """Restart the clock of everyone on the case's floor and the floors above and below.

    New release date = the day the case left + the quarantine days of the resident's policy;
    a later release date already set is kept (a restart never shortens a quarantine).
    """
    for resident in residents(site, case.building_id, affected_floors(case.building_id, case.floor)):
        person = resident.person
        policy = clock_policy(person) or policy_in_force(case.positive_day)
        if policy is None:
            raise DomainError(_("No policy is in force on %(day)s; add one before recording results.",
                                day=case.positive_day.isoformat()))
        person.policy = policy  # the clock runs on this policy from now on (clock_policy reads it)
        restarted = case.positive_day + timedelta(days=policy.quarantine_days)
        old = person.release_date
        person.release_date = max(old, restarted) if old else restarted
        case.affected.append(AffectedResident(person=person, floor=resident.room.floor,
                                              room_label=resident.room_label, old_release_date=old,
                                              new_release_date=person.release_date))
    return case.affected


def positive_cases(site: Site) -> list[PositiveCase]:
    """The site's cases, latest first, with each case's person and affected list (the listing shows both)."""
    return list(db.session.scalars(select(PositiveCase).where(PositiveCase.site_id == site.id)
                                   .options(selectinload(PositiveCase.person), selectinload(PositiveCase.affected))
                                   .order_by(PositiveCase.created_at.desc())))


def positive_case(case_id: int) -> PositiveCase | None:
    """One case with its person and everyone affected (the notice lists them all)."""
    return db.session.get(PositiveCase, case_id, options=[
        selectinload(PositiveCase.person),
        selectinload(PositiveCase.affected).selectinload(AffectedResident.person)])

