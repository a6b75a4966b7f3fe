"""What residents report (temperature morning and evening, symptoms) and ask for (diet, medicine, a
call back), and the staff's side: the flags on the site page, the lists, seen and handled.

A self-reported temperature is also a temperature reading of the day (source "self"), so the
temperature lists and the daily report count it; a reading the staff take replaces it, and a
resident never overwrites the staff's.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import func, or_, select

from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.health.routine import FEVER_CELSIUS
from quarantine.i18n import _
from quarantine.localtime import local_day, local_today
from quarantine.models import (
    READING_PERIODS,
    REQUEST_KINDS,
    SYMPTOMS,
    Building,
    Person,
    ResidentRequest,
    Room,
    SelfReport,
    SelfReportLink,
    Site,
    Stay,
    TemperatureReading,
    User,
)
from quarantine.selfreport.links import Resident

# A resident with this many requests waiting is asked to wait for answers before sending more.
OPEN_REQUESTS_MAX = 5


def record_report(resident: Resident, link: SelfReportLink, period: str, celsius: float | None,
                  symptoms: list[str], note: str, now: datetime | None = None) -> SelfReport:
    """Save (or correct) this period's report of today, and the temperature as a self-reported reading."""
    now = now or datetime.now(timezone.utc)
    day = local_day(now)
    if period not in READING_PERIODS:
        raise DomainError(_("Choose morning or evening."))
    if celsius is None and not symptoms:
        raise DomainError(_("Enter your temperature, or tick how you feel."))
    codes = ",".join(c for c in SYMPTOMS if c in set(symptoms))
    person = resident.person
    report = db.session.scalar(select(SelfReport).where(SelfReport.person_id == person.id, SelfReport.day == day,
                                                        SelfReport.period == period))
    if report is None:
        report = SelfReport(person_id=person.id, site_id=resident.site.id, day=day, period=period)
        db.session.add(report)
    changed = (report.celsius, report.symptoms) != (celsius, codes)
    report.link_id, report.celsius, report.symptoms, report.note = link.id, celsius, codes, note.strip()[:200]
    report.reported_at = now
    if changed:
        report.seen_at, report.seen_by_id = None, None  # something new: flagged again
    if celsius is not None:
        _self_reading(resident, day, period, celsius)
    db.session.commit()
    return report


def _self_reading(resident: Resident, day: date, period: str, celsius: float) -> None:
    reading = db.session.scalar(select(TemperatureReading).where(
        TemperatureReading.person_id == resident.person.id, TemperatureReading.day == day,
        TemperatureReading.period == period))
    if reading is None:
        db.session.add(TemperatureReading(person_id=resident.person.id, site_id=resident.site.id, day=day,
                                          period=period, celsius=celsius, source="self"))
    elif reading.source == "self":
        reading.celsius = celsius
    # A reading the staff took stays: the report itself keeps what the resident said.


def reports_today(person_id: int, today: date | None = None) -> dict[str, SelfReport]:
    rows = db.session.scalars(select(SelfReport).where(SelfReport.person_id == person_id,
                                                       SelfReport.day == (today or local_today())))
    return {r.period: r for r in rows}


def add_request(resident: Resident, kind: str, text: str) -> ResidentRequest:
    if kind not in REQUEST_KINDS:
        raise DomainError(_("Choose what you need."))
    text = text.strip()
    if kind != "call_back" and not text:
        raise DomainError(_("Say in a few words what you need."))
    waiting = db.session.scalar(select(func.count(ResidentRequest.id)).where(
        ResidentRequest.person_id == resident.person.id, ResidentRequest.handled_at.is_(None))) or 0
    if waiting >= OPEN_REQUESTS_MAX:
        raise DomainError(_("You have %(n)d requests waiting; the staff will answer them before you send more.",
                            n=waiting))
    request = ResidentRequest(person_id=resident.person.id, site_id=resident.site.id, kind=kind, text=text[:300])
    db.session.add(request)
    db.session.commit()
    return request


def my_requests(person_id: int, limit: int = 10) -> list[ResidentRequest]:
    return list(db.session.scalars(select(ResidentRequest).where(ResidentRequest.person_id == person_id)
                                   .order_by(ResidentRequest.created_at.desc()).limit(limit)))


# --- the staff's side -----------------------------------------------------------------------------

@dataclass(frozen=True)
class ResidentFlags:
    """For the site page: self-reports not yet seen (a fever, a symptom) and requests still open."""
    fevers: int
    symptoms: int
    requests: int

    @property
    def any(self) -> bool:
        return bool(self.fevers or self.symptoms or self.requests)


def _unseen(site_id: int):
    return (SelfReport.site_id == site_id) & SelfReport.seen_at.is_(None) & or_(
        SelfReport.celsius >= FEVER_CELSIUS, SelfReport.symptoms != "")


def site_flags(site: Site) -> ResidentFlags:
    fevers, symptoms = db.session.execute(select(
        func.count(SelfReport.id).filter(SelfReport.celsius >= FEVER_CELSIUS),
        func.count(SelfReport.id).filter(SelfReport.symptoms != "")).where(_unseen(site.id))).one()
    requests = db.session.scalar(select(func.count(ResidentRequest.id)).where(
        ResidentRequest.site_id == site.id, ResidentRequest.handled_at.is_(None))) or 0
    return ResidentFlags(fevers or 0, symptoms or 0, requests)


@dataclass(frozen=True)
class Reported:
    """A line of the staff list: what was reported or asked, by whom, in which room."""
    item: SelfReport | ResidentRequest
    name: str
    room_label: str


def _where(site: Site, person_ids) -> dict[int, tuple[str, str]]:
    """(name, room) of the people, from their open stays at this site (left the site: no room)."""
    ids = list(set(person_ids))
    if not ids:
        return {}
    names = dict(db.session.execute(select(Person.id, Person.name).where(Person.id.in_(ids))).all())
    rooms = dict(db.session.execute(
        select(Stay.person_id, Building.code + "-" + Room.number).select_from(Stay)
        .join(Room, Room.id == Stay.room_id).join(Building, Building.id == Room.building_id)
        .where(Stay.person_id.in_(ids), Stay.check_out_at.is_(None), Room.site_id == site.id)).all())
    return {pid: (names.get(pid, ""), rooms.get(pid, "—")) for pid in ids}


def attention_list(site: Site, today: date | None = None) -> tuple[list[Reported], list[Reported]]:
    """Self-reports with a fever or a symptom not yet seen (any day), then today's seen ones."""
    today = today or local_today()
    unseen = db.session.scalars(select(SelfReport).where(_unseen(site.id))
                                .order_by(SelfReport.reported_at.desc()).limit(500)).all()
    seen = db.session.scalars(select(SelfReport).where(SelfReport.site_id == site.id, SelfReport.day == today,
                                                       SelfReport.seen_at.is_not(None))
                              .order_by(SelfReport.reported_at.desc()).limit(200)).all()
    where = _where(site, [r.person_id for r in [*unseen, *seen]])
    return ([Reported(r, *where[r.person_id]) for r in unseen], [Reported(r, *where[r.person_id]) for r in seen])


def request_list(site: Site) -> tuple[list[Reported], list[Reported]]:
    """Open requests, oldest first, and the last ones handled."""
    open_ = db.session.scalars(select(ResidentRequest).where(ResidentRequest.site_id == site.id,
                                                             ResidentRequest.handled_at.is_(None))
                               .order_by(ResidentRequest.created_at).limit(500)).all()
    done = db.session.scalars(select(ResidentRequest).where(ResidentRequest.site_id == site.id,
                                                            ResidentRequest.handled_at.is_not(None))
                              .order_by(ResidentRequest.handled_at.desc()).limit(30)).all()
    where = _where(site, [r.person_id for r in [*open_, *done]])
    return ([Reported(r, *where[r.person_id]) for r in open_], [Reported(r, *where[r.person_id]) for r in done])


def mark_seen(site: Site, report_id: int, user: User) -> SelfReport:
    report = db.session.get(SelfReport, report_id)
    if report is None or report.site_id != site.id:
        raise DomainError(_("No such report at this site."))
    if report.seen_at is None:
        report.seen_at, report.seen_by_id = datetime.now(timezone.utc), user.id
        db.session.commit()
    return report


def mark_handled(site: Site, request_id: int, user: User, note: str = "") -> ResidentRequest:
    request = db.session.get(ResidentRequest, request_id)
    if request is None or request.site_id != site.id:
        raise DomainError(_("No such request at this site."))
    if request.handled_at is not None:
        raise DomainError(_("This request was already marked handled."))
    request.handled_at, request.handled_by_id, request.handled_note = datetime.now(timezone.utc), user.id, note.strip()
    db.session.commit()
    return request
