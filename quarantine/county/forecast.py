"""The capacity forecast: free beds per site and for the county, day by day for the coming week.

Day 0 is today. A bed comes free for new people when its room is available: rooms free now;
rooms under terminal disinfection come back tomorrow, rooms out of service on their expected
return day; a room whose people are all due out (quarantine clock) is disinfected the day they
leave and comes back the day after. Rooms holding reservations stay held: those people are on
their way. What a site may take is also bounded by its capacity limit, the stricter of the manual
limit and what the staff on duty that day support, less the people it still holds. For the county,
people of batches still without a bed are subtracted from the day their batch is expected on.

Everything is counted with grouped queries per site and day (releases, room returns, staffing),
so a province's 1,500 sites cost a handful of queries, not one per site.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, case, func, select

from quarantine.extensions import db
from quarantine.localtime import local_day
from quarantine.many import in_ids
from quarantine.models import RECEIVING_STATUSES, Person, Room, Site, StaffMember, Stay, TransferBatch
from quarantine.policies.services import policy_in_force
from quarantine.staff.services import StaffCount, StaffingRatios, can_take, combine_limits, residents_supported
from quarantine.transfers.scenario import waiting_by_batch

MAX_DAYS = 14
CLEANING_DAYS = 1  # terminal disinfection: a room emptied today takes people again tomorrow


@dataclass(frozen=True)
class DayFigure:
    day: date
    free_beds: int  # beds in rooms that take people that day
    releases: int  # people due out that day
    returning_beds: int  # beds back from cleaning, out of service or released rooms that day
    takes: int  # people the site(s) could take that day, within capacity limits


@dataclass(frozen=True)
class CountyDay:
    figure: DayFigure
    waiting: int  # people of batches expected by that day who still have no bed

    @property
    def after_waiting(self) -> int:
        return self.figure.takes - self.waiting


@dataclass(frozen=True)
class SiteLimits:
    """What the forecast needs of a site (read as four columns, not as 1,500 full rows)."""
    id: int
    name: str
    status: str
    capacity_limit: int | None

    @property
    def receiving(self) -> bool:
        return self.status in RECEIVING_STATUSES


def forecast_sites(sites_query: Select) -> list[SiteLimits]:
    return [SiteLimits(*row) for row in db.session.execute(
        sites_query.with_only_columns(Site.id, Site.name, Site.status, Site.capacity_limit))]


@dataclass
class Forecast:
    days: list[date]
    sites: dict[int, list[DayFigure]]
    county: list[CountyDay]


def _room_returns(site_ids: list[int], today: date, last: date) -> dict[tuple[int, date], int]:
    """Beds that become available per (site, day): out-of-service returns, cleaning, emptied rooms."""
    returns: dict[tuple[int, date], int] = defaultdict(int)
    tomorrow = today + timedelta(days=CLEANING_DAYS)
    for site_id, back, beds in db.session.execute(
            select(Room.site_id, Room.expected_return, func.sum(Room.beds))
            .where(in_ids(Room.site_id, site_ids), Room.status == "out_of_service", Room.expected_return <= last)
            .group_by(Room.site_id, Room.expected_return)):
        returns[(site_id, max(back, today))] += int(beds)
    for site_id, beds in db.session.execute(
            select(Room.site_id, func.sum(Room.beds)).where(in_ids(Room.site_id, site_ids), Room.status == "cleaning")
            .group_by(Room.site_id)):
        returns[(site_id, tomorrow)] += int(beds)
    # Rooms held only by people checked in whose release dates are all known: free after the last leaves.
    per_room = (select(Stay.room_id.label("room_id"), func.max(Person.release_date).label("last_out"),
                       func.count(Stay.id).label("n"), func.count(Person.release_date).label("dated"))
                .join(Person, Person.id == Stay.person_id)
                .where(Stay.check_out_at.is_(None)).group_by(Stay.room_id).subquery())
    for site_id, last_out, beds in db.session.execute(
            select(Room.site_id, per_room.c.last_out, func.sum(Room.beds))
            .join(per_room, per_room.c.room_id == Room.id)
            .where(in_ids(Room.site_id, site_ids), Room.reserved == 0, per_room.c.n == per_room.c.dated,
                   per_room.c.last_out <= last - timedelta(days=CLEANING_DAYS))
            .group_by(Room.site_id, per_room.c.last_out)):
        returns[(site_id, max(last_out, today - timedelta(days=CLEANING_DAYS)) + timedelta(days=CLEANING_DAYS))] \
            += int(beds)
    return returns


def _beds_now(site_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per site, beds in available rooms and beds held (checked in or reserved), in one grouped query."""
    rows = db.session.execute(
        select(Room.site_id, func.coalesce(func.sum(case((Room.status == "available", Room.beds), else_=0)), 0),
               func.coalesce(func.sum(Room.occupants + Room.reserved), 0))
        .where(in_ids(Room.site_id, site_ids)).group_by(Room.site_id)).all()
    return {site_id: (int(free), int(held)) for site_id, free, held in rows}


def _staffing(site_ids: list[int], dates: list[date]) -> list[dict[int, int]]:
    """Per day, the residents each site's doctors and nurses on duty support (staff.services' rule):
    the duty periods that touch the window are read once, and counted per day here."""
    rows = db.session.execute(
        select(StaffMember.site_id, StaffMember.medical_role, StaffMember.on_duty_from, StaffMember.on_duty_to,
               func.count(StaffMember.id))
        .where(in_ids(StaffMember.site_id, site_ids), StaffMember.medical_role.in_(("doctor", "nurse")),
               StaffMember.on_duty_from <= dates[-1],
               StaffMember.on_duty_to.is_(None) | (StaffMember.on_duty_to >= dates[0]))
        .group_by(StaffMember.site_id, StaffMember.medical_role, StaffMember.on_duty_from, StaffMember.on_duty_to)).all()
    result = []
    for day in dates:
        ratios = StaffingRatios.of(policy_in_force(day))
        counts: dict[int, dict[str, int]] = defaultdict(lambda: {"doctor": 0, "nurse": 0})
        for site_id, role, start, end, n in rows:
            if start <= day and (end is None or day <= end):
                counts[site_id][role] += n
        result.append({sid: residents_supported(StaffCount(c["doctor"], c["nurse"]), ratios) if sid in counts else 0
                       for sid, c in ((sid, counts.get(sid, {})) for sid in site_ids)})
    return result


def _releases(site_ids: list[int], today: date, last: date) -> dict[tuple[int, date], int]:
    """People due out per (site, day); anyone overdue counts today."""
    rows = db.session.execute(
        select(Person.site_id, Person.release_date, func.count(Person.id))
        .where(in_ids(Person.site_id, site_ids), Person.status == "in_quarantine", Person.release_date <= last)
        .group_by(Person.site_id, Person.release_date))
    out: dict[tuple[int, date], int] = defaultdict(int)
    for site_id, day, n in rows:
        out[(site_id, max(day, today))] += n
    return out


def _waiting_by_day(days: list[date]) -> dict[date, int]:
    """People without a bed, by the day their batch is expected (a batch without a time counts today)."""
    batches = db.session.execute(select(TransferBatch.id, TransferBatch.expected_arrival).where(
        TransferBatch.status.in_(("announced", "planned")))).all()
    waiting = waiting_by_batch([b.id for b in batches])
    by_day: dict[date, int] = defaultdict(int)
    for batch_id, expected in batches:
        day = local_day(expected) if expected else days[0]
        if day <= days[-1] and waiting.get(batch_id):
            by_day[max(day, days[0])] += waiting[batch_id]
    return by_day


def forecast(sites: list[Site] | list[SiteLimits], today: date, days: int = 7) -> Forecast:
    days = max(1, min(days, MAX_DAYS))
    dates = [today + timedelta(days=i) for i in range(days)]
    ids = [s.id for s in sites]
    beds = _beds_now(ids) if ids else {}
    returns = _room_returns(ids, today, dates[-1]) if ids else {}
    releases = _releases(ids, today, dates[-1]) if ids else {}
    limits = _staffing(ids, dates) if ids else [{} for _ in dates]
    result: dict[int, list[DayFigure]] = {}
    for site in sites:
        (free, held), row = beds.get(site.id, (0, 0)), []
        for i, day in enumerate(dates):
            back, out = returns.get((site.id, day), 0), releases.get((site.id, day), 0)
            free, held = free + back, max(0, held - out)
            limit = combine_limits(site.capacity_limit, limits[i][site.id])
            takes = can_take(site.receiving, free, held, limit)
            row.append(DayFigure(day, free, out, back, takes))
        result[site.id] = row
    waiting, total_waiting, county = _waiting_by_day(dates), 0, []
    for i, day in enumerate(dates):
        total_waiting += waiting.get(day, 0)
        figures = [row[i] for row in result.values()]
        # Free beds of the county as the home page counts them: at sites that receive people.
        receiving_free = sum(row[i].free_beds for site in sites if site.receiving for row in [result[site.id]])
        county.append(CountyDay(DayFigure(day, receiving_free, sum(f.releases for f in figures),
                                          sum(f.returning_beds for f in figures), sum(f.takes for f in figures)),
                                total_waiting))
    return Forecast(dates, result, county)

