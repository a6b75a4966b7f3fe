"""County roll-ups: the daily reports summed over the visible sites, and the batches on their way.

The daily report's figures follow the same definitions as one site's report (health.report),
counted over all sites in one query each, never one report per site.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import Select, case, distinct, func, or_, select

from quarantine.extensions import db
from quarantine.health.residents import day_bounds
from quarantine.health.routine import FEVER_CELSIUS
from quarantine.models import PcrTest, Person, Reservation, Room, Site, Stay, TemperatureReading, TransferBatch
from quarantine.policies.services import policy_in_force
from quarantine.transfers.manifests import bus_capacity

# Batches still to come: announced (waiting for a plan), planned or committed, not yet arrived.
ON_THE_WAY = ("announced", "planned", "committed")
# A batch expected more than this long ago without arriving is shown still (it is late), not forgotten.
LATE_AFTER = timedelta(days=2)



def _visible_ids(sites_query: Select):
    return sites_query.with_only_columns(Site.id).order_by(None).scalar_subquery()


def report_totals(sites_query: Select, day: date, every_site: bool = False) -> dict[str, int]:
    """The daily report's main figures for `day`, summed over the sites `sites_query` selects
    (`every_site`: all of them, so no filter is needed). The stays are read once for four figures."""
    start, end = day_bounds(day)

    def where(column):
        return [] if every_site else [column.in_(_visible_ids(sites_query))]

    in_day = lambda column: (column >= start) & (column < end)  # noqa: E731
    staying = (Stay.check_in_at < end) & (Stay.check_out_at.is_(None) | (Stay.check_out_at >= end))
    arrived = in_day(Stay.check_in_at) & in_day(Person.arrival_at)
    ended = lambda reason: func.coalesce(func.sum(case(((Stay.end_reason == reason) & in_day(Stay.check_out_at), 1),  # noqa: E731
                                                       else_=0)), 0)
    stays = db.session.execute(
        select(func.count(distinct(case((staying, Stay.person_id)))), func.count(distinct(case((arrived, Stay.person_id)))),
               ended("released"), ended("transferred_out"))
        .select_from(Stay).join(Room, Room.id == Stay.room_id).join(Person, Person.id == Stay.person_id)
        .where(*where(Room.site_id), Stay.check_in_at < end,
               Stay.check_out_at.is_(None) | (Stay.check_out_at >= start))).one()
    tests = db.session.execute(
        select(func.count(PcrTest.id), func.coalesce(func.sum(case((PcrTest.result == "positive", 1), else_=0)), 0))
        .where(*where(PcrTest.site_id), PcrTest.sample_day == day)).one()
    fevers = db.session.scalar(select(func.count(distinct(TemperatureReading.person_id))).where(
        *where(TemperatureReading.site_id), TemperatureReading.day == day, TemperatureReading.celsius >= FEVER_CELSIUS))
    return {"residents": int(stays[0]), "arrivals": int(stays[1]), "releases": int(stays[2]),
            "transfers_out": int(stays[3]), "tests": int(tests[0]), "positives": int(tests[1]), "fevers": int(fevers or 0)}


@dataclass
class BatchOnTheWay:
    batch: TransferBatch
    people: int  # people on the roster, else the announced count
    buses: int
    sites: list[str] = field(default_factory=list)  # where its reserved beds are

    @property
    def expected_at(self) -> datetime | None:
        return self.batch.expected_arrival


def batches_on_the_way(today: date, now: datetime | None = None, limit: int = 50) -> list[BatchOnTheWay]:
    """Batches not yet arrived, soonest first, with their people, buses and the sites they go to."""
    now = now or datetime.now(timezone.utc)
    batches = list(db.session.scalars(
        select(TransferBatch).where(TransferBatch.status.in_(ON_THE_WAY),
                                    or_(TransferBatch.expected_arrival.is_(None),
                                        TransferBatch.expected_arrival >= now - LATE_AFTER))
        .order_by(TransferBatch.expected_arrival.is_(None), TransferBatch.expected_arrival, TransferBatch.code)
        .limit(limit)))
    ids = [b.id for b in batches]
    if not ids:
        return []
    people = dict(db.session.execute(select(Person.batch_id, func.count(Person.id)).where(
        Person.batch_id.in_(ids), Person.status == "expected").group_by(Person.batch_id)).all())
    site_rows = db.session.execute(
        select(Person.batch_id, Site.name).distinct()
        .join(Reservation, (Reservation.person_id == Person.id) & (Reservation.status == "reserved"))
        .join(Site, Site.id == Person.site_id).where(Person.batch_id.in_(ids)).order_by(Site.name)).all()
    sites: dict[int, list[str]] = {}
    for batch_id, name in site_rows:
        sites.setdefault(batch_id, []).append(name)
    seats = bus_capacity(policy_in_force(today))
    result = []
    for batch in batches:
        count = people.get(batch.id) or batch.expected_count or 0
        result.append(BatchOnTheWay(batch, count, math.ceil(count / seats) if count else 0, sites.get(batch.id, [])))
    return result
