"""County roll-ups: the daily reports summed over the visible sites, and the batches on their way.

The daily report's figures follow the same definitions as one site's report (health.report),
counted over all sites in one query each, never one report per site.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import Select, distinct, func, or_, select

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

REPORT_FIGURES = ("residents", "arrivals", "releases", "transfers_out", "tests", "positives", "fevers")


def _visible_ids(sites_query: Select):
    return sites_query.with_only_columns(Site.id).order_by(None).scalar_subquery()


def report_totals(sites_query: Select, day: date) -> dict[str, int]:
    """The daily report's main figures for `day`, summed over the sites `sites_query` selects."""
    start, end = day_bounds(day)
    visible = _visible_ids(sites_query)
    at_sites = Room.site_id.in_(visible)

    def count(query) -> int:
        return int(db.session.scalar(query) or 0)

    def stays_ended(reason: str) -> int:
        return count(select(func.count(Stay.id)).join(Room, Room.id == Stay.room_id).where(
            at_sites, Stay.end_reason == reason, Stay.check_out_at >= start, Stay.check_out_at < end))

    return {
        "residents": count(select(func.count(distinct(Stay.person_id))).join(Room, Room.id == Stay.room_id).where(
            at_sites, Stay.check_in_at < end, or_(Stay.check_out_at.is_(None), Stay.check_out_at >= end))),
        "arrivals": count(select(func.count(distinct(Stay.person_id))).join(Room, Room.id == Stay.room_id)
                          .join(Person, Person.id == Stay.person_id).where(
            at_sites, Stay.check_in_at >= start, Stay.check_in_at < end,
            Person.arrival_at >= start, Person.arrival_at < end)),
        "releases": stays_ended("released"),
        "transfers_out": stays_ended("transferred_out"),
        "tests": count(select(func.count(PcrTest.id)).where(PcrTest.site_id.in_(visible), PcrTest.sample_day == day)),
        "positives": count(select(func.count(PcrTest.id)).where(
            PcrTest.site_id.in_(visible), PcrTest.sample_day == day, PcrTest.result == "positive")),
        "fevers": count(select(func.count(distinct(TemperatureReading.person_id))).where(
            TemperatureReading.site_id.in_(visible), TemperatureReading.day == day,
            TemperatureReading.celsius >= FEVER_CELSIUS)),
    }


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
