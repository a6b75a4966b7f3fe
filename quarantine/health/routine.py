"""The daily routine: temperatures morning and evening, disinfection twice a day per zone,
health rounds at the three meals ("两监测、两消毒、三巡查")."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.health.clock import CLOCK_TOLERANCE
from quarantine.health.residents import floor_rows, residents
from quarantine.i18n import _
from quarantine.labels import vocab_label
from quarantine.localtime import local_datetime, local_day, local_today
from quarantine.models import (
    MEALS,
    READING_PERIODS,
    TEMPERATURE_MAX,
    TEMPERATURE_MIN,
    Building,
    DisinfectionRound,
    HealthRound,
    Room,
    Site,
    Stay,
    TemperatureReading,
    User,
    Zone,
)

# A fever in the national guidance for quarantine sites: 37.3 °C and above.
FEVER_CELSIUS = 37.3
# "两消毒": each zone is disinfected twice a day.
DISINFECTIONS_PER_ZONE = 2


def parse_celsius(text: str) -> float:
    """A temperature as typed on a phone or a Chinese keyboard: "36.5", "36,5", "36.5℃"."""
    cleaned = text.strip().replace(",", ".").replace("，", ".").replace("℃", "").replace("°C", "").replace("°", "")
    return round(float(cleaned), 1)


def temperature_problem(celsius: float) -> str | None:
    """Readings outside 34.0–43.0 °C are typing errors (a 55, a 3.65), never temperatures."""
    if TEMPERATURE_MIN <= celsius <= TEMPERATURE_MAX:
        return None
    return _("%(value)s °C is outside %(low).1f–%(high).1f °C.", value=f"{celsius:g}", low=TEMPERATURE_MIN,
             high=TEMPERATURE_MAX)


def is_fever(celsius: float) -> bool:
    return celsius >= FEVER_CELSIUS


@dataclass
class TemperatureEntry:
    person_id: int
    celsius: float


@dataclass(frozen=True)
class FloorTemperatures:
    """One floor's temperature round on a day: residents, and readings taken and fevers per period."""
    building: Building
    floor: int
    residents: int
    taken: dict[str, int]
    fevers: dict[str, int]
    self_reported: dict[str, int] = field(default_factory=dict)  # of `taken`, reported by the residents


def floor_temperatures(site: Site, day: date) -> list[FloorTemperatures]:
    """Every floor with residents, counted in the database (a 2,000-room hotel is one page)."""
    here = (Room.site_id == site.id) & Stay.check_out_at.is_(None)
    people = db.session.execute(
        select(Room.building_id, Room.floor, func.count(Stay.id)).join(Stay, Stay.room_id == Room.id).where(here)
        .group_by(Room.building_id, Room.floor)).all()
    readings = db.session.execute(
        select(Room.building_id, Room.floor, TemperatureReading.period, func.count(TemperatureReading.id),
               func.sum(case((TemperatureReading.celsius >= FEVER_CELSIUS, 1), else_=0)),
               func.sum(case((TemperatureReading.source == "self", 1), else_=0)))
        .join(Stay, Stay.room_id == Room.id)
        # The site as well as the day: the (site, day) index then reads this site's readings only,
        # where the day alone would read every site's.
        .join(TemperatureReading, (TemperatureReading.person_id == Stay.person_id) & (TemperatureReading.day == day)
              & (TemperatureReading.site_id == site.id))
        .where(here).group_by(Room.building_id, Room.floor, TemperatureReading.period)).all()
    taken: dict[tuple[int, int], dict[str, int]] = {}
    fevers: dict[tuple[int, int], dict[str, int]] = {}
    selves: dict[tuple[int, int], dict[str, int]] = {}
    for building_id, floor, period, n, hot, own in readings:
        taken.setdefault((building_id, floor), {})[period] = n
        fevers.setdefault((building_id, floor), {})[period] = int(hot or 0)
        selves.setdefault((building_id, floor), {})[period] = int(own or 0)
    buildings = {b.id: b for b in site.buildings}
    return [FloorTemperatures(buildings[b], f, n, taken.get((b, f), {}), fevers.get((b, f), {}),
                              selves.get((b, f), {}))
            for b, f, n in sorted(people, key=lambda row: (buildings[row[0]].code, row[1]))]


def readings_on(person_ids: list[int], day: date, period: str) -> dict[int, TemperatureReading]:
    if not person_ids:
        return {}
    rows = db.session.scalars(select(TemperatureReading).where(
        TemperatureReading.person_id.in_(person_ids), TemperatureReading.day == day,
        TemperatureReading.period == period))
    return {r.person_id: r for r in rows}


def record_temperatures(site: Site, building: Building, floor: int, day: date, period: str,
                        entries: list[TemperatureEntry], user: User, today: date | None = None) -> int:
    """Write a floor's readings together, or none when any row is wrong; a second entry corrects the first."""
    today = today or local_today()
    on_floor = {r.person.id: r for r in residents(site, building.id, [floor])}
    problems: list[str] = []
    if period not in READING_PERIODS:
        problems.append(_("Choose morning or evening."))
    if day > today:
        problems.append(_("%(day)s is in the future.", day=day.isoformat()))
    row_problems, rows = floor_rows(on_floor, entries, building, floor)
    problems += row_problems
    for entry, resident, who in rows:
        if (problem := temperature_problem(entry.celsius)) is not None:
            problems.append(_("%(who)s: %(problem)s", who=who, problem=problem))
        arrived = resident.person.arrival_at
        if arrived is not None and day < local_day(arrived):
            problems.append(_("%(who)s arrived on %(arrived)s, after %(day)s.", who=who,
                              arrived=local_datetime(arrived), day=day.isoformat()))
    if problems:
        raise DomainError(" ".join(problems))
    existing = readings_on([e.person_id for e in entries], day, period)
    for entry in entries:
        reading = existing.get(entry.person_id)
        if reading is None:
            db.session.add(TemperatureReading(person_id=entry.person_id, site_id=site.id, day=day, period=period,
                                              celsius=entry.celsius, recorded_by_id=user.id))
        elif reading.source == "self" and reading.celsius == entry.celsius:
            continue  # the resident's own reading, shown in the form and sent back unchanged
        else:  # a reading the staff take replaces what the resident reported
            reading.celsius, reading.recorded_by_id, reading.source = entry.celsius, user.id, "staff"
    try:
        db.session.commit()
    except IntegrityError:  # the same floor saved at the same moment by someone else: theirs stays
        db.session.rollback()
        raise DomainError(_("Someone else saved temperatures for these residents at the same moment. Nothing of "
                            "yours was saved: check the readings now shown and save again.")) from None
    return len(entries)


def zone_label(zone: Zone) -> str:
    """The site's own name for the zone, else its type (clean, buffer, contaminated)."""
    return zone.name or vocab_label(zone.type)


@dataclass
class ZoneDisinfection:
    zone: Zone
    rounds: list[DisinfectionRound]

    @property
    def done(self) -> int:
        """Rounds that count towards the two required; a third round does not cover another zone."""
        return min(len(self.rounds), DISINFECTIONS_PER_ZONE)

    @property
    def complete(self) -> bool:
        return len(self.rounds) >= DISINFECTIONS_PER_ZONE


def disinfection_by_zone(site: Site, day: date) -> list[ZoneDisinfection]:
    rounds = db.session.scalars(select(DisinfectionRound).where(DisinfectionRound.site_id == site.id,
                                                                DisinfectionRound.day == day)
                                .order_by(DisinfectionRound.done_at)).all()
    return [ZoneDisinfection(zone, [r for r in rounds if r.zone_id == zone.id]) for zone in site.zones]


def record_disinfection(site: Site, zone_id: int, done_at: datetime, done_by: str, notes: str, user: User,
                        now: datetime | None = None) -> DisinfectionRound:
    now = now or datetime.now(timezone.utc)
    if not any(z.id == zone_id for z in site.zones):
        raise DomainError(_("Choose a zone of this site."))
    if done_at > now + CLOCK_TOLERANCE:
        raise DomainError(_("The time %(at)s is in the future.", at=local_datetime(done_at)))
    if not done_by.strip():
        raise DomainError(_("Say who disinfected the zone."))
    entry = DisinfectionRound(site_id=site.id, zone_id=zone_id, done_at=done_at, day=local_day(done_at),
                              done_by=done_by.strip(), notes=notes.strip(), recorded_by_id=user.id)
    db.session.add(entry)
    db.session.commit()
    return entry


def health_rounds_on(site: Site, day: date) -> dict[str, HealthRound]:
    rows = db.session.scalars(select(HealthRound).where(HealthRound.site_id == site.id, HealthRound.day == day))
    return {r.meal: r for r in rows}


def record_health_round(site: Site, day: date, meal: str, done: bool, done_by: str, notes: str, user: User,
                        today: date | None = None) -> HealthRound:
    """Record (or correct) the round at one meal; a round not done needs a note saying why."""
    today = today or local_today()
    if meal not in MEALS:
        raise DomainError(_("Choose breakfast, lunch or dinner."))
    if day > today:
        raise DomainError(_("%(day)s is in the future.", day=day.isoformat()))
    if not done and not notes.strip():
        raise DomainError(_("Say in the notes why the round was not done."))
    health_round = health_rounds_on(site, day).get(meal)
    if health_round is None:
        health_round = HealthRound(site_id=site.id, day=day, meal=meal)
        db.session.add(health_round)
    health_round.done, health_round.done_by, health_round.notes = done, done_by.strip(), notes.strip()
    health_round.recorded_by_id = user.id
    db.session.commit()
    return health_round
