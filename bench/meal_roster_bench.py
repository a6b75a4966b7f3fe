"""Render the meal roster of a 2,000-resident site through the Flask test client.

A site of 4 buildings × 10 floors × 25 rooms, two people per room (2,000 residents, 40 floor
pages) with mixed diets, needs and notes, plus 160 staff, is written by bulk inserts into a
fresh database built by the migrations (SQLite, and PostgreSQL when reachable). A catering
user signs in and the roster page is rendered several times; the table gives seconds per
render (the target: at most 1 s).

    python -m bench.meal_roster_bench [--residents 2000] [--repeat 5] [--no-postgres]
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import insert
from werkzeug.security import generate_password_hash

from bench.databases import sqlite_url, throwaway_postgres
from quarantine import create_app
from quarantine.extensions import db
from quarantine.idnumbers import check_digit
from quarantine.models import Building, Person, Room, Site, StaffMember, Stay, User, person_needs, user_sites

BUDGET_SECONDS = 1.0
PG_BENCH_DB = "bench_meal_roster"
BUILDINGS, FLOORS, PEOPLE_PER_ROOM = 4, 10, 2
PASSWORD = "bench-password"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂"
DIETS = ["regular"] * 12 + ["halal", "vegetarian", "diabetic", "soft", "infant"]
NEEDS = [None] * 20 + ["mobility", "carer", "chronic_illness", "pregnant"]


def _resident_id(n: int) -> str:
    first17 = f"4116231980{1 + (n // 28000) % 12:02d}{1 + (n // 1000) % 28:02d}{n % 1000:03d}"
    return first17 + check_digit(first17)


def load_site(residents: int) -> int:
    """One ready site filled by bulk inserts; returns its id."""
    now = datetime.now(timezone.utc)
    rooms_per_floor = -(-residents // (BUILDINGS * FLOORS * PEOPLE_PER_ROOM))
    site_id = db.session.execute(insert(Site).returning(Site.id), [dict(
        name="Bench site", address="", kind="fixed", responsible_unit="", manager_name="", manager_phone="",
        status="in_use", notes="", passages_separate_confirmed=True, created_at=now)]).scalar_one()
    room_rows = []
    for b in range(BUILDINGS):
        building_id = db.session.execute(insert(Building).returning(Building.id), [dict(
            site_id=site_id, code="ABCD"[b], name="", has_lift=True)]).scalar_one()
        for floor in range(1, FLOORS + 1):
            for i in range(1, rooms_per_floor + 1):
                room_rows.append(dict(site_id=site_id, building_id=building_id, floor=floor,
                                      number=f"{floor}{i:02d}", beds=PEOPLE_PER_ROOM, occupants=0,
                                      own_bathroom=True, accessible=floor == 1, status="available",
                                      status_reason="", updated_at=now))
    room_ids = list(db.session.execute(insert(Room).returning(Room.id), room_rows).scalars())
    people = []
    for n in range(residents):
        people.append(dict(name=SURNAMES[n % 20] + GIVEN[n % 23] + GIVEN[(n // 23) % 23], id_kind="resident_id",
                           id_number=_resident_id(n), sex="M" if n % 2 else "F", phone="", household=f"H{n // 2}",
                           category_code="close_contact", diet_code=DIETS[n % len(DIETS)], origin="",
                           site_id=site_id, arrival_at=now, status="in_quarantine",
                           notes="花生过敏" if n % 37 == 0 else "", created_at=now))
    person_ids = list(db.session.execute(insert(Person).returning(Person.id), people).scalars())
    stays, occupants = [], {}
    for n, person_id in enumerate(person_ids):
        room_id = room_ids[n // PEOPLE_PER_ROOM]
        stays.append(dict(person_id=person_id, room_id=room_id, check_in_at=now, note=""))
        occupants[room_id] = occupants.get(room_id, 0) + 1
    db.session.execute(insert(Stay), stays)
    for room_id, count in occupants.items():
        db.session.execute(Room.__table__.update().where(Room.id == room_id).values(occupants=count, status="occupied"))
    needs = [dict(person_id=pid, need_code=NEEDS[n % len(NEEDS)]) for n, pid in enumerate(person_ids)
             if NEEDS[n % len(NEEDS)]]
    db.session.execute(insert(person_needs), needs)
    today = date.today()
    db.session.execute(insert(StaffMember), [dict(
        site_id=site_id, name=f"员工{i}", phone="", work_group="logistics", medical_role="none", shift="day",
        on_duty_from=today - timedelta(days=3), created_at=now, updated_at=now) for i in range(160)])
    user_id = db.session.execute(insert(User).returning(User.id), [dict(
        username="kitchen", role="catering", display_name="", active=True, created_at=now,
        password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"))]).scalar_one()
    db.session.execute(insert(user_sites), [dict(user_id=user_id, site_id=site_id)])
    db.session.commit()
    return site_id


def measure(url: str, residents: int, repeat: int) -> dict[str, object]:
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        site_id = load_site(residents)
        load_s = time.perf_counter() - started
        db.session.remove()
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh"
    assert client.post("/login", data={"username": "kitchen", "password": PASSWORD}).status_code == 302
    timings, size = [], 0
    for masked in ("0", "1"):
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(f"/meals/sites/{site_id}/roster?meal=lunch&masked={masked}")
            timings.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
            size = len(response.data)
    page = response.get_data(as_text=True)
    floors = page.count('class="page floor-page"')
    with app.app_context():
        db.engine.dispose()  # let the benchmark database be dropped afterwards
    return {"load": load_s, "first": timings[0], "median": statistics.median(timings), "max": max(timings),
            "renders": len(timings), "floors": floors, "kb": size // 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5, help="renders per name style (full, masked)")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()

    rows = []
    with throwaway_postgres(PG_BENCH_DB, wanted=not args.no_postgres) as pg:
        targets = [("SQLite", sqlite_url("bench-meals-"))] + ([("PostgreSQL", pg)] if pg else [])
        for name, url in targets:
            rows.append((name, measure(url, args.residents, args.repeat)))

    print(f"\nMeal roster, {args.residents:,} residents, {os.cpu_count()} cores; seconds per render "
          f"through the Flask test client (target ≤ {BUDGET_SECONDS:g} s)\n")
    print("| database | floor pages | page KB | renders | first s | median s | max s | data load s |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in rows:
        print(f"| {name} | {r['floors']} | {r['kb']:,} | {r['renders']} | {r['first']:.3f} | {r['median']:.3f} "
              f"| {r['max']:.3f} | {r['load']:.1f} |")
        if r["max"] > BUDGET_SECONDS:
            print(f"  over budget on {name}: {r['max']:.2f} s > {BUDGET_SECONDS:g} s")


if __name__ == "__main__":
    main()
