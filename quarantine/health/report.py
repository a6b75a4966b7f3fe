"""The daily report (日报告) of one site and day, filled from the records, for print and XLSX."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, distinct, func, or_, select

from quarantine.extensions import db
from quarantine.health.residents import day_bounds
from quarantine.health.routine import (
    DISINFECTIONS_PER_ZONE,
    FEVER_CELSIUS,
    ZoneDisinfection,
    disinfection_by_zone,
    health_rounds_on,
    zone_label,
)
from quarantine.i18n import _
from quarantine.localtime import utc_to_local
from quarantine.models import MEALS, HealthRound, PcrTest, Person, PositiveCase, Room, Site, Stay, TemperatureReading
from quarantine.spreadsheets import append_row, append_rows
from quarantine.staff.services import on_duty_count


@dataclass
class FeverRow:
    person: Person
    room_label: str
    period: str
    celsius: float


@dataclass
class DailyReport:
    site: Site
    day: date
    residents: int
    arrivals: int
    releases: int
    transfers_out: int
    tests_done: int
    tests_positive: int
    morning_readings: int
    evening_readings: int
    fevers: list[FeverRow]
    disinfection: list[ZoneDisinfection]
    health_rounds: dict[str, HealthRound]
    staff_on_duty: int
    positive_cases: list[PositiveCase]

    @property
    def fever_people(self) -> int:
        return len({f.person.id for f in self.fevers})

    @property
    def disinfection_done(self) -> int:
        return sum(z.done for z in self.disinfection)

    @property
    def disinfection_required(self) -> int:
        return DISINFECTIONS_PER_ZONE * len(self.disinfection)

    @property
    def health_rounds_done(self) -> int:
        return sum(1 for r in self.health_rounds.values() if r.done)

    def figures(self) -> list[tuple[str, str]]:
        """The report's lines, label and value, shared by the printed page and the XLSX."""
        return [
            (_("Residents at end of day"), str(self.residents)),
            (_("Arrivals"), str(self.arrivals)),
            (_("Releases"), str(self.releases)),
            (_("Transfers out"), str(self.transfers_out)),
            (_("PCR tests done"), str(self.tests_done)),
            (_("PCR tests positive"), str(self.tests_positive)),
            (_("Temperature readings (morning / evening)"), f"{self.morning_readings} / {self.evening_readings}"),
            (_("People with fever (≥ %(t).1f °C)", t=FEVER_CELSIUS), str(self.fever_people)),
            (_("Disinfection rounds done / required"), f"{self.disinfection_done} / {self.disinfection_required}"),
            (_("Health rounds done / required"), f"{self.health_rounds_done} / {len(MEALS)}"),
            (_("Staff on duty"), str(self.staff_on_duty)),
        ]


def daily_report(site: Site, day: date) -> DailyReport:
    # Imported here, not at the top: the staff blueprint's package loads its views on import.

    start, end = day_bounds(day)
    at_site = Room.site_id == site.id
    return DailyReport(
        site=site, day=day,
        residents=_count(select(func.count(distinct(Stay.person_id))).join(Room, Room.id == Stay.room_id).where(
            at_site, Stay.check_in_at < end, or_(Stay.check_out_at.is_(None), Stay.check_out_at >= end))),
        arrivals=_count(select(func.count(distinct(Stay.person_id))).join(Room, Room.id == Stay.room_id)
                        .join(Person, Person.id == Stay.person_id).where(
            at_site, Stay.check_in_at >= start, Stay.check_in_at < end,
            Person.arrival_at >= start, Person.arrival_at < end)),
        releases=_stays_ended(site, "released", start, end),
        transfers_out=_stays_ended(site, "transferred_out", start, end),
        tests_done=_count(select(func.count(PcrTest.id)).where(PcrTest.site_id == site.id, PcrTest.sample_day == day)),
        tests_positive=_count(select(func.count(PcrTest.id)).where(
            PcrTest.site_id == site.id, PcrTest.sample_day == day, PcrTest.result == "positive")),
        morning_readings=_readings(site, day, "morning"),
        evening_readings=_readings(site, day, "evening"),
        fevers=_fevers(site, day),
        disinfection=disinfection_by_zone(site, day),
        health_rounds=health_rounds_on(site, day),
        staff_on_duty=on_duty_count(site, day),
        positive_cases=list(db.session.scalars(select(PositiveCase).where(
            PositiveCase.site_id == site.id, PositiveCase.positive_day == day).order_by(PositiveCase.id))),
    )


def _count(query) -> int:
    return db.session.scalar(query) or 0


def _stays_ended(site: Site, reason: str, start, end) -> int:
    return _count(select(func.count(Stay.id)).join(Room, Room.id == Stay.room_id).where(
        Room.site_id == site.id, Stay.end_reason == reason, Stay.check_out_at >= start, Stay.check_out_at < end))


def _readings(site: Site, day: date, period: str) -> int:
    return _count(select(func.count(TemperatureReading.id)).where(
        TemperatureReading.site_id == site.id, TemperatureReading.day == day, TemperatureReading.period == period))


def _fevers(site: Site, day: date) -> list[FeverRow]:
    """Fever readings with the room the person was in at the end of that day (or last, if they left)."""
    _, end = day_bounds(day)
    rows = db.session.execute(
        select(TemperatureReading, Person, Room)
        .join(Person, Person.id == TemperatureReading.person_id)
        .join(Stay, and_(Stay.person_id == Person.id, Stay.check_in_at < end))
        .join(Room, and_(Room.id == Stay.room_id, Room.site_id == site.id))
        .where(TemperatureReading.site_id == site.id, TemperatureReading.day == day,
               TemperatureReading.celsius >= FEVER_CELSIUS)
        .order_by(Stay.check_in_at)).all()
    latest: dict[int, FeverRow] = {}
    for reading, person, room in rows:  # later stays overwrite earlier ones: the last room of the day wins
        latest[reading.id] = FeverRow(person, room.label, reading.period, reading.celsius)
    return sorted(latest.values(), key=lambda f: (f.room_label, f.period != "morning"))


def period_label(period: str) -> str:
    return _("Morning") if period == "morning" else _("Evening")


def meal_label(meal: str) -> str:
    return {"breakfast": _("Breakfast"), "lunch": _("Lunch"), "dinner": _("Dinner")}.get(meal, meal)


def report_xlsx(report: DailyReport) -> bytes:
    """The report as a workbook: the figures first, then one sheet per list."""
    from openpyxl import Workbook  # import cost only when someone exports
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Daily report")[:31]
    append_row(sheet, [_("Daily report"), report.site.name, report.day.isoformat()])
    sheet.append([])
    append_rows(sheet, ([label, _cell(value)] for label, value in report.figures()))
    sheet.column_dimensions["A"].width = 42

    _sheet(book, _("Fevers"), [_("Room"), _("Name"), _("Time"), _("°C")],
           [[f.room_label, f.person.name, period_label(f.period), f.celsius] for f in report.fevers])
    _sheet(book, _("Disinfection"), [_("Zone"), _("Done"), _("Required"), _("Times and by whom")],
           [[zone_label(z.zone), len(z.rounds), DISINFECTIONS_PER_ZONE,
             "; ".join(f"{utc_to_local(r.done_at):%H:%M} {r.done_by}" for r in z.rounds)] for z in report.disinfection])
    _sheet(book, _("Health rounds"), [_("Meal"), _("Done"), _("By"), _("Notes")],
           [[meal_label(m), _("yes") if (r := report.health_rounds.get(m)) and r.done else _("no"),
             r.done_by if r else "", r.notes if r else ""] for m in MEALS])
    _sheet(book, _("Positive cases"), [_("Room"), _("Name"), _("Hospital"), _("People affected")],
           [[c.room_label, c.person.name, c.hospital, len(c.affected)] for c in report.positive_cases])
    for ws in book.worksheets:
        for cell in ws[1]:
            cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: str) -> int | str:
    """Whole numbers as numbers, so the county's own sheets can add them up."""
    return int(value) if value.isdigit() else value


def _sheet(book, title: str, headers: list[str], rows: list[list]) -> None:
    sheet = book.create_sheet(title[:31])  # Excel's limit on sheet names
    append_row(sheet, headers)
    append_rows(sheet, rows)
