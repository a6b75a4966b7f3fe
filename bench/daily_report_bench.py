"""Time the daily report of a large site, rendered through the Flask test client.

A site with 2,000 residents (4 buildings × 25 floors × 20 one-bed rooms) and a day of records
(two temperature readings each, a PCR test for a third of them, one positive case with its
neighbours' clocks restarted, disinfection and health rounds) is written into a fresh database
built by the migrations: a temporary SQLite file, and PostgreSQL when it answers. Printed per
database and page: the first request and the median of the next five. Target: the report
page in at most 1 s.

    python -m bench.daily_report_bench [--residents 2000] [--no-postgres]
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import datetime, timedelta, timezone
from datetime import time as clock_time

from sqlalchemy import insert, select

from bench.databases import sqlite_url, throwaway_postgres
from quarantine import create_app
from quarantine.demo import _lay_out
from quarantine.extensions import db
from quarantine.idnumbers import check_digit
from quarantine.models import Building, PcrTest, Person, Room, Site, Stay, TemperatureReading

TARGET_SECONDS = 1.0
PASSWORD = "bench-password-123"
PG_BENCH_DB = "bench_daily_report"
BUILDINGS, FLOORS = 4, 25
WARM_RUNS = 5


def _resident_id(n: int) -> str:
    first17 = f"4116231980{1 + (n // 28000) % 12:02d}{1 + (n // 1000) % 28:02d}{n % 1000:03d}"
    return first17 + check_digit(first17)


def load_site(residents: int) -> Site:
    """The site, its residents checked in, and today's records; returns the site."""
    from quarantine.health import pcr, routine
    from quarantine.localtime import local_to_utc, local_today
    from quarantine.people.services import apply_release_date
    from quarantine.users.services import create_user

    today = local_today()
    rooms_per_floor = -(-residents // (BUILDINGS * FLOORS))  # ceiling
    site = Site(name="Bench hotel", status="ready", responsible_unit="财政局", manager_name="张三")
    db.session.add(site)
    for b in range(BUILDINGS):
        building = Building(site=site, code="ABCD"[b])
        for floor in range(1, FLOORS + 1):
            for n in range(1, rooms_per_floor + 1):
                building.rooms.append(Room(floor=floor, number=f"{floor}{n:02d}", beds=1))
        db.session.add(building)
    db.session.flush()
    _lay_out(site)
    admin, _ = create_user("bench-admin", "admin", site_ids=[], password=PASSWORD)

    rooms = db.session.scalars(select(Room).where(Room.site_id == site.id)
                               .order_by(Room.building_id, Room.floor, Room.number)).all()[:residents]
    people = []
    for i, room in enumerate(rooms):
        # Each floor is one arriving batch; floors arrived on different days, so tests are due on some.
        arrived = local_to_utc(datetime.combine(today - timedelta(days=room.floor % 6), clock_time(0, 0)))
        person = Person(name=f"住户{i:04d}", id_kind="resident_id", id_number=_resident_id(i), sex="M",
                        household=f"H{i:04d}", category_code="close_contact", diet_code="regular",
                        site_id=site.id, arrival_at=arrived, status="in_quarantine")
        apply_release_date(person)
        people.append(person)
        room.occupants, room.status = 1, "occupied"
    db.session.add_all(people)
    db.session.flush()
    db.session.execute(insert(Stay), [dict(person_id=p.id, room_id=r.id, check_in_at=p.arrival_at, note="")
                                      for p, r in zip(people, rooms)])
    readings = []
    for i, person in enumerate(people):
        for period in ("morning", "evening"):
            celsius = 37.6 if i % 97 == 0 and period == "evening" else 36.2 + (i % 8) / 10
            readings.append(dict(person_id=person.id, site_id=site.id, day=today, period=period, celsius=celsius,
                                 recorded_by_id=admin.id))
    db.session.execute(insert(TemperatureReading), readings)
    sampled = datetime.now(timezone.utc)  # records can never be in the future, whatever the hour
    db.session.execute(insert(PcrTest), [dict(person_id=p.id, site_id=site.id, sampled_at=sampled, sample_day=today,
                                              result="negative", recorded_by_id=admin.id)
                                         for i, p in enumerate(people) if i % 3 == 0])
    db.session.commit()

    # One positive case, through the real cascade: the floor and the floors above and below restart.
    case_room = next(r for i, r in enumerate(rooms) if i % 3 == 1 and r.floor == 10)
    building = db.session.get(Building, case_room.building_id)
    case_person = next(p for p, r in zip(people, rooms) if r.id == case_room.id)
    pcr.record_results(site, building, case_room.floor, [pcr.PcrEntry(case_person.id, "positive")], sampled,
                       "县人民医院", admin)
    for zone in site.zones:
        routine.record_disinfection(site, zone.id, sampled, "消杀组", "", admin)
    routine.record_health_round(site, today, "breakfast", True, "张医生", "", admin)
    return site


def _time(client, url: str) -> tuple[float, float, int]:
    """First request, median of the next runs, and the response size."""
    started = time.perf_counter()
    response = client.get(url)
    first = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    warm = []
    for _ in range(WARM_RUNS):
        started = time.perf_counter()
        client.get(url)
        warm.append(time.perf_counter() - started)
    return first, statistics.median(warm), len(response.data)


def measure(url: str, residents: int) -> list[tuple[str, float, float, int]]:
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        upgrade()
        site_id = load_site(residents).id
        db.session.remove()
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh"
    assert client.post("/login", data={"username": "bench-admin", "password": PASSWORD}).status_code == 302
    pages = [("daily report (HTML)", f"/health/sites/{site_id}/report"),
             ("daily report (XLSX)", f"/health/sites/{site_id}/report.xlsx"),
             ("site day overview", f"/health/sites/{site_id}"),
             ("PCR due by floor", f"/health/sites/{site_id}/pcr"),
             ("temperatures by floor", f"/health/sites/{site_id}/temperatures"),
             ("releases due", f"/health/sites/{site_id}/releases")]
    rows = [(label, *_time(client, page)) for label, page in pages]
    with app.app_context():
        db.engine.dispose()  # let the benchmark database be dropped afterwards
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=2000)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()

    results = []
    with throwaway_postgres(PG_BENCH_DB, wanted=not args.no_postgres) as pg:
        targets = [("SQLite", sqlite_url("bench-report-"))] + ([("PostgreSQL", pg)] if pg else [])
        for name, url in targets:
            results.append((name, measure(url, args.residents)))

    print(f"\nDaily report of a {args.residents:,}-resident site, {os.cpu_count()} cores, "
          f"started {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC\n")
    print("| database | page | first s | warm s (median of %d) | KB |" % WARM_RUNS)
    print("|---|---|---|---|---|")
    for name, rows in results:
        for label, first, warm, size in rows:
            print(f"| {name} | {label} | {first:.3f} | {warm:.3f} | {size // 1024} |")
    for name, rows in results:
        first = rows[0][1]
        verdict = "within" if first <= TARGET_SECONDS else "OVER"
        print(f"{name}: report {first:.3f} s first request, {verdict} the {TARGET_SECONDS:g} s target")


if __name__ == "__main__":
    main()
