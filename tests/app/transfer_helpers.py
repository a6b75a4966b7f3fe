"""Builders shared by the transfer tests: roster files, batches with people, committed plans."""
from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from sqlalchemy import func, select

from quarantine.idnumbers import check_digit
from quarantine.models import Person, PlanRun, Reservation, Room, Stay, TransferBatch

HEADER = ["姓名", "性别", "身份证号", "联系电话", "家庭编号", "人员类别", "特殊需求", "饮食"]


def resident_id(n: int, birth: str = "19800101", female: bool = False) -> str:
    """A valid resident ID, distinct for each n (0–499)."""
    sequence = 2 * n + (0 if female else 1)
    first17 = f"411602{birth}{sequence:03d}"
    return first17 + check_digit(first17)


def roster_rows(count: int, *, household_size: int = 2, start: int = 0, category: str = "密接") -> list[list[str]]:
    rows = []
    for i in range(start, start + count):
        female = i % 2 == 1
        rows.append([f"测试{i:03d}", "女" if female else "男", resident_id(i, female=female),
                     f"1390000{i // household_size:04d}", f"H{i // household_size:03d}", category, "", "普通"])
    return rows


def csv_file(rows: list[list[object]], *, encoding: str = "utf-8", title: str | None = None,
             header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if title:
        writer.writerow([title])
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_file(rows: list[list[object]], *, title: str | None = None, header: list[str] = HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def make_batch(db, code: str = "TK-1", *, origin: str = "太康县", lat: float = 34.06, lon: float = 114.85) -> TransferBatch:
    batch = TransferBatch(code=code, origin=origin, origin_lat=lat, origin_lon=lon, status="announced")
    db.session.add(batch)
    db.session.commit()
    return batch


def add_people(db, batch: TransferBatch, count: int, *, household_size: int = 1, start: int = 0,
               category: str = "close_contact", needs: tuple[str, ...] = ()) -> list[Person]:
    from quarantine.people.services import set_needs
    people = []
    for i in range(start, start + count):
        person = Person(name=f"{batch.code}-{i}", id_kind="resident_id", id_number=resident_id(i),
                        sex="M", category_code=category, diet_code="regular", status="expected",
                        household=f"H{i // household_size}", batch_id=batch.id, origin=batch.origin)
        db.session.add(person)
        if needs:
            set_needs(person, list(needs))
        people.append(person)
    db.session.commit()
    return people


def counts(db) -> dict[str, object]:
    """A fingerprint of everything a commit or check-in may write."""
    return {
        "reservations": db.session.scalar(select(func.count(Reservation.id))),
        "stays": db.session.scalar(select(func.count(Stay.id))),
        "rooms": sorted(db.session.execute(select(Room.id, Room.status, Room.occupants, Room.reserved)).all()),
        "people": sorted(db.session.execute(select(Person.id, Person.status, Person.site_id)).all()),
        "runs": sorted(db.session.execute(select(PlanRun.id, PlanRun.status)).all()),
        "batches": sorted(db.session.execute(select(TransferBatch.id, TransferBatch.status)).all()),
    }
