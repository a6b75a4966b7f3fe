"""The site staff's pages of a 2,000-room hotel on the night a bus of 2,000 people is expected.

The meal-roster benchmark's site (2,000 residents in 1,000 rooms) gets a fifth building of 1,000
empty rooms, all reserved for a batch of 2,000 people (households of two) expected at 06:29
tomorrow. A site manager then opens the door list, searches it by the last digits of an ID,
checks a household in, and prints tomorrow's breakfast roster and the week's kitchen totals
(SQLite, and PostgreSQL when reachable); the table gives the median of several renders.

    python -m bench.door_bench [--repeat 5] [--no-postgres]
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import date, datetime, timedelta, timezone
from datetime import time as clock

from sqlalchemy import insert, select
from werkzeug.security import generate_password_hash

from bench.databases import sqlite_url, throwaway_postgres
from bench.meal_roster_bench import PASSWORD, _resident_id, load_site
from quarantine import create_app
from quarantine.extensions import db
from quarantine.localtime import local_to_utc
from quarantine.models import Building, Person, Reservation, Room, TransferBatch, User, user_sites

TARGET_S = 0.300
PG_BENCH_DB = "bench_door"
ARRIVING_ROOMS = 1000


def add_arrivals(site_id: int) -> None:
    now = datetime.now(timezone.utc)
    tomorrow = date.today() + timedelta(days=1)
    batch_id = db.session.execute(insert(TransferBatch).returning(TransferBatch.id), [dict(
        code="TK-0629", origin="太康县", status="committed", created_at=now, notes="",
        expected_arrival=local_to_utc(datetime.combine(tomorrow, clock(6, 29))))]).scalar_one()
    building_id = db.session.execute(insert(Building).returning(Building.id), [dict(
        site_id=site_id, code="E", name="", has_lift=True)]).scalar_one()
    rooms = list(db.session.execute(insert(Room).returning(Room.id), [dict(
        site_id=site_id, building_id=building_id, floor=1 + n // 100, number=f"{1 + n // 100}{n % 100:02d}", beds=2,
        occupants=0, reserved=2, own_bathroom=True, accessible=False, status="occupied", status_reason="",
        updated_at=now) for n in range(ARRIVING_ROOMS)]).scalars())
    people = list(db.session.execute(insert(Person).returning(Person.id), [dict(
        name=f"到达{n:04d}", id_kind="resident_id", id_number=_resident_id(500_000 + n), sex="M" if n % 2 else "F",
        phone="", household=f"E{n // 2}", category_code="close_contact", diet_code="regular", origin="",
        batch_id=batch_id, site_id=site_id, status="expected", notes="", created_at=now)
        for n in range(2 * ARRIVING_ROOMS)]).scalars())
    db.session.execute(insert(Reservation), [dict(person_id=pid, room_id=rooms[n // 2], status="reserved",
                                                  created_at=now, updated_at=now) for n, pid in enumerate(people)])
    user_id = db.session.execute(insert(User).returning(User.id), [dict(
        username="manager", role="site_manager", display_name="", active=True, created_at=now,
        password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"))]).scalar_one()
    db.session.execute(insert(user_sites), [dict(user_id=user_id, site_id=site_id)])
    db.session.commit()


def measure(url: str, repeat: int) -> list[tuple[str, float, int]]:
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        upgrade()
        site_id = load_site(2000)
        add_arrivals(site_id)
        tail = db.session.scalar(select(Person.id_number).where(Person.status == "expected").limit(1))[-4:]
        households = [f"{b}:{h}" for b, h in db.session.execute(
            select(Person.batch_id, Person.household).where(Person.status == "expected").distinct()
            .order_by(Person.household).limit(repeat))]
        db.session.remove()
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh"
    assert client.post("/login", data={"username": "manager", "password": PASSWORD}).status_code == 302
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    rows = []

    def timed(name: str, call) -> None:
        seconds, size = [], 0
        for n in range(repeat):
            started = time.perf_counter()
            response = call(n)
            seconds.append(time.perf_counter() - started)
            assert response.status_code in (200, 302), (name, response.status_code)
            size = len(response.data)
        rows.append((name, statistics.median(seconds), size))

    timed("door list, 2,000 expected", lambda n: client.get(f"/transfers/arrivals/{site_id}"))
    timed("door list searched by the last 4 digits", lambda n: client.get(f"/transfers/arrivals/{site_id}?q={tail}"))
    timed("a household checked in (POST)", lambda n: client.post(f"/transfers/arrivals/{site_id}/check-in",
                                                                 data={"household": households[n]}))
    timed("tomorrow's breakfast roster, arrivals counted", lambda n: client.get(
        f"/meals/sites/{site_id}/roster?meal=breakfast&day={tomorrow}"))
    timed("kitchen totals for the week", lambda n: client.get(f"/meals/sites/{site_id}/week"))
    timed("site page", lambda n: client.get(f"/sites/{site_id}"))
    timed("residents' reports", lambda n: client.get(f"/selfreport/sites/{site_id}"))
    with app.app_context():
        db.engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    results = {}
    with throwaway_postgres(PG_BENCH_DB, wanted=not args.no_postgres) as pg:
        for name, url in [("SQLite", sqlite_url("bench-door-"))] + ([("PostgreSQL", pg)] if pg else []):
            results[name] = measure(url, args.repeat)
    names = list(results)
    print(f"\nA 2,000-room site with 2,000 residents and 2,000 people expected, median of {args.repeat}, "
          f"{os.cpu_count()} cores (target ≤ {TARGET_S:g} s)\n")
    print("| page | " + " | ".join(f"{n} s | {n} KB" for n in names) + " |")
    print("|---|" + "---|---|" * len(names))
    for i, (page, *_rest) in enumerate(results[names[0]]):
        cells = []
        for n in names:
            _page, seconds, size = results[n][i]
            cells.append(f"{seconds:.3f}{'' if seconds <= TARGET_S else ' ✗'} | {size // 1024}")
        print(f"| {page} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
