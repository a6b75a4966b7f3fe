"""Every page at province scale: server time, queries and HTML size, on SQLite and PostgreSQL.

Builds a province in a fresh database made by the migrations: 1,500 sites (one of them a hotel of
2,000 rooms), about 170,000 rooms, 50,000 residents with a week of temperatures and PCR tests, and
4 batches of 10,000 people waiting. Then, as headquarters and as the big site's manager would,
it asks for each page through the app (the test client: server time, no network), the quietest
of 3 runs, and times the Plan button, a planning job, the review, a hand move and the commit of
10,000 reservations.

    python -m bench.pages_bench [--no-postgres] [--keep DIR] [--runs 3] [--time-limit 20] [--county-only]
"""
from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import event, insert, select

from bench.databases import sqlite_url, throwaway_postgres

PG_BENCH_DB = os.environ.get("BENCH_PG_DB", "bench_pages")  # another name when two benches share a server
SITES, BIG_SITE_ROOMS, ROOMS_TOTAL, RESIDENTS, BATCHES, WAITING = 1_500, 2_000, 170_000, 50_000, 4, 10_000
TARGET_PAGE_S, TARGET_PRINT_S = 0.300, 2.0


# --- the province -----------------------------------------------------------------------------

def build_province(db, seed: int = 1) -> dict:
    """Sites, buildings, rooms, residents with stays and a week of records, batches waiting: bulk inserts."""
    from quarantine.idnumbers import check_digit
    from quarantine.models import (
        Building,
        PcrTest,
        Person,
        Policy,
        Room,
        Site,
        StaffMember,
        Stay,
        TemperatureReading,
        TransferBatch,
    )
    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    today = now.date()
    policy_id = db.session.scalar(select(Policy.id).order_by(Policy.effective_from.desc()).limit(1))
    sites, buildings, rooms = [], [], []
    per_site = (ROOMS_TOTAL - BIG_SITE_ROOMS) // (SITES - 1)
    room_id = building_id = 0
    for s in range(1, SITES + 1):
        count = BIG_SITE_ROOMS if s == 1 else per_site
        sites.append(dict(id=s, name=f"{'大酒店' if s == 1 else '隔离点'} {s:04d}", address="", lat=33 + rng.random(),
                          lon=114 + rng.random(), kind="fixed" if s % 10 == 1 else "backup", responsible_unit="局",
                          manager_name="张", manager_phone="13800000000", capacity_limit=None,
                          status="in_use" if s % 10 == 1 or s % 3 == 0 else "standby", notes="",
                          passages_separate_confirmed=True, created_at=now))
        per_floor = 25 if s == 1 else 12
        blocks = 4 if s == 1 else 1
        for b in range(blocks):
            building_id += 1
            buildings.append(dict(id=building_id, site_id=s, code="ABCD"[b], name="", has_lift=True))
            for k in range(count // blocks):
                room_id += 1
                rooms.append(dict(id=room_id, site_id=s, building_id=building_id, floor=1 + k // per_floor,
                                  number=f"{1 + k // per_floor}{k % per_floor + 1:02d}", beds=rng.choice((1, 1, 2, 2, 3)),
                                  occupants=0, reserved=0, slept_in=False, own_bathroom=True,
                                  accessible=k % per_floor < 3, status="available", status_reason="",
                                  updated_at=now))
    db.session.execute(insert(Site), sites)
    db.session.execute(insert(Building), buildings)
    for start in range(0, len(rooms), 20_000):
        db.session.execute(insert(Room), rooms[start:start + 20_000])
    batch_rows = [dict(id=1, code="EARLIER", origin="earlier", status="arrived", created_at=now)] + [
        dict(id=b + 2, code=f"PB-{b + 1}", origin=f"County {b + 1}", origin_lat=33.5, origin_lon=114.5,
             status="announced", expected_arrival=now + timedelta(hours=6), created_at=now) for b in range(BATCHES)]
    db.session.execute(insert(TransferBatch), batch_rows)

    serial = iter(range(10**8))

    def resident_id() -> str:
        n = next(serial)  # unique: a sequence number per birth day, 336 days a year, from 1960 on
        day = n // 1000
        first17 = f"411623{1960 + day // 336}{1 + day % 336 // 28:02d}{1 + day % 28:02d}{n % 1000:03d}"
        return first17 + check_digit(first17)

    people, stays, temps, tests = [], [], [], []
    # Residents: the big site full, the rest spread over the sites in use, one per room.
    in_use = [r for r in rooms if sites[r["site_id"] - 1]["status"] == "in_use"]
    chosen = [r for r in in_use if r["site_id"] == 1] + [r for r in in_use if r["site_id"] != 1]
    pid = 0
    for room in chosen[:RESIDENTS]:
        pid += 1
        arrived = now - timedelta(days=rng.randint(0, 10), hours=rng.randint(0, 12))
        people.append(dict(id=pid, name=f"住{pid}", id_kind="resident_id", id_number=resident_id(), sex="M",
                           phone="13900000000", household=f"E{pid}", category_code="close_contact",
                           diet_code="regular", origin="", batch_id=1, site_id=room["site_id"], arrival_at=arrived,
                           policy_id=policy_id, release_date=(arrived + timedelta(days=14)).date(),
                           status="in_quarantine", notes="", created_at=now))
        stays.append(dict(person_id=pid, room_id=room["id"], check_in_at=arrived))
        room.update(occupants=1, status="occupied", slept_in=True)
        for d in range(7):
            day = today - timedelta(days=d)
            for period in ("morning", "evening"):
                temps.append(dict(person_id=pid, site_id=room["site_id"], day=day, period=period,
                                  celsius=36.0 + rng.random(), recorded_at=now))
        if pid % 3 == 0:
            tests.append(dict(person_id=pid, site_id=room["site_id"], sampled_at=now - timedelta(days=1),
                              sample_day=today - timedelta(days=1), result="negative", recorded_at=now))
    for b in range(BATCHES):
        for k in range(WAITING):
            pid += 1
            people.append(dict(id=pid, name=f"待{b}-{k}", id_kind="resident_id", id_number=resident_id(),
                               sex="F", phone="", household=f"H{k // 3}", category_code="close_contact",
                               diet_code="regular", origin=f"County {b + 1}", batch_id=b + 2, status="expected",
                               notes="", created_at=now))
    for rows, model, size in ((people, Person, 10_000), (stays, Stay, 20_000), (temps, TemperatureReading, 50_000),
                              (tests, PcrTest, 20_000)):
        for start in range(0, len(rows), size):
            db.session.execute(insert(model), rows[start:start + size])
    occupied = [dict(id=r["id"], occupants=1, status="occupied", slept_in=True) for r in chosen[:RESIDENTS]]
    from sqlalchemy import update
    for start in range(0, len(occupied), 20_000):
        db.session.execute(update(Room), occupied[start:start + 20_000])
    staff = [dict(site_id=s["id"], name=f"医{s['id']}{k}", phone="", work_group="health_observation",
                  medical_role=role, shift="day", on_duty_from=today - timedelta(days=5), created_at=now,
                  updated_at=now)
             for s in sites if s["status"] == "in_use" for k, role in enumerate(("doctor",) * 20 + ("nurse",) * 20)]
    db.session.execute(insert(StaffMember), staff)
    db.session.commit()
    return {"sites": len(sites), "rooms": len(rooms), "residents": len(stays), "waiting": BATCHES * WAITING,
            "temperatures": len(temps)}


# --- measuring --------------------------------------------------------------------------------

class Queries:
    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._one)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._one)

    def _one(self, *args):
        self.count += 1


def timed(db, runs: int, call: Callable[[], object]) -> tuple[float, int, object]:
    """Quietest of `runs` (seconds), the queries of that run, and its result."""
    best = None
    for _ in range(runs):
        db.session.expire_all()
        with Queries(db.engine) as q:
            started = time.perf_counter()
            result = call()
            seconds = time.perf_counter() - started
        if best is None or seconds < best[0]:
            best = (seconds, q.count, result)
    return best


def signed_in_client(app, role: str):
    """A client signed in through the login form, in Chinese, with a new account of `role`."""
    from quarantine.users.services import create_user
    user, password = create_user(f"bench-{role}", role, password="bench-password-123")
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh"
    assert client.post("/login", data={"username": user.username, "password": password}).status_code == 302
    return user, client


def measure(url: str, runs: int, time_limit: float, county_only: bool = False) -> list[tuple]:
    from flask_migrate import upgrade

    from quarantine import create_app
    from quarantine.extensions import db
    from quarantine.models import Person, PlanRun, Reservation, Room, Site, TransferBatch
    from quarantine.transfers import plan_moves, plan_store, planning
    from quarantine.transfers.commit import commit_plan
    from quarantine.transfers.plan_job import run_plan

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, "SECRET_KEY": "bench"})
    rows: list[tuple] = []
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        sizes = build_province(db)
        print(f"  built {sizes} in {time.perf_counter() - started:.0f} s", flush=True)
        if db.engine.dialect.name == "postgresql":
            # Statistics as autovacuum would have gathered them on a database in use (bulk-loaded a moment ago).
            db.session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE")
        hq, client = signed_in_client(app, "hq")
        big = db.session.get(Site, 1)
        resident = db.session.scalar(select(Person).where(Person.site_id == 1).limit(1))

        def page(name: str, path: str, target: float = TARGET_PAGE_S) -> None:
            def get():
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code)
                return len(response.data)
            seconds, queries, size = timed(db, runs, get)
            rows.append((name, seconds, queries, size, target))
            print(f"  {name}: {seconds:.3f} s, {queries} queries, {size / 1024:.0f} KB", flush=True)

        page("home (HQ): county view, a page of 50 sites", "/")
        page("home, only sites with stale figures", "/?stale=1")
        page("capacity forecast, 7 days (county + 50 sites)", "/county/forecast?days=7")
        page("big screen", "/county/big-screen")
        from quarantine.api.tokens import make_token
        token, _row = make_token(hq)
        db.session.commit()
        app.config["API_RATE_LIMIT"] = "100000 per minute"
        api_headers = {"Authorization": f"Bearer {token}"}

        def api(name: str, path: str) -> None:
            def get():
                response = client.get(path, headers=api_headers)
                assert response.status_code == 200, (path, response.status_code)
                return len(response.data)
            seconds, queries, size = timed(db, runs, get)
            rows.append((name, seconds, queries, size, TARGET_PAGE_S))
            print(f"  {name}: {seconds:.3f} s, {queries} queries, {size / 1024:.0f} KB", flush=True)
        api("API: sites, 100 a page", "/api/v1/sites")
        api("API: capacity forecast, 7 days (county + 100 sites)", "/api/v1/capacity/forecast?days=7")
        if county_only:
            db.session.remove()
            db.engine.dispose()
            return rows
        page("sites list", "/sites/")
        page("sites list, searched", "/sites/?q=0042")
        page("meal rosters index", "/meals/")
        page("people list", "/people/")
        page("people search by ID end", f"/people/?q={resident.id_number[-4:]}")
        page("site page (2,000 rooms)", f"/sites/{big.id}")
        page("resident's person page (2,000-room site)", f"/people/{resident.id}")
        page("temperatures of a floor (2,000-room site)", f"/health/sites/{big.id}/temperatures")
        page("daily report (2,000-room site)", f"/health/sites/{big.id}/report")
        page("meal roster (2,000-room site)", f"/meals/sites/{big.id}/roster")
        tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).date().isoformat()
        page("meal roster for tomorrow (2,000-room site)", f"/meals/sites/{big.id}/roster?meal=breakfast&day={tomorrow}")
        page("kitchen totals for the week (2,000-room site)", f"/meals/sites/{big.id}/week")
        page("residents' reports (2,000-room site)", f"/selfreport/sites/{big.id}")
        page("door cards: floors of the 2,000-room site", f"/selfreport/sites/{big.id}/cards")
        big_floor = db.session.execute(select(Room.building_id, Room.floor).where(Room.site_id == big.id).limit(1)).one()
        page("door cards of one floor, QR codes (2,000-room site)",
             f"/selfreport/sites/{big.id}/cards?building={big_floor[0]}&floor={big_floor[1]}", TARGET_PRINT_S)
        with app.test_request_context():
            from quarantine.selfreport import links
            resident_url = "/r/" + links.token_for(links.live_links([resident.id])[resident.id])
        page("resident's own page (QR link)", resident_url)

        # The Plan button: the run is queued (a worker takes it); the page answers at once.
        batches = list(db.session.scalars(select(TransferBatch).where(TransferBatch.status == "announced")))
        queued: list[int] = []
        real_task = planning.plan_task
        planning.plan_task = queued.append
        try:
            seconds, queries, _ = timed(db, 1, lambda: client.post(
                "/transfers/plan", data={"batches": [b.id for b in batches], "time_limit": int(time_limit)}))
        finally:
            planning.plan_task = real_task
        rows.append(("Plan button, until the progress page", seconds, queries, 0, 1.0))
        run_id = queued[-1]
        page("progress page (queued)", f"/transfers/plans/{run_id}")
        started = time.perf_counter()
        run_plan(run_id, "bench")
        job_s = time.perf_counter() - started
        run = db.session.get(PlanRun, run_id)
        rows.append((f"planning job (worker): {run.placed:,} of {run.people_total:,} placed", job_s, 0, 0, None))
        print(f"  job {job_s:.1f} s, placed {run.placed}", flush=True)

        page("plan list", "/transfers/plan", 0.2)
        page("plan review, 40,000 people", f"/transfers/plans/{run_id}", 1.0)
        site_key = plan_store.review_summary(run)["sites"][0]["key"]
        page("plan review: one site opened", f"/transfers/plans/{run_id}/sites/{site_key}?part=1")
        page("move picker: people search", f"/transfers/plans/{run_id}/people.json?q=待1-1")
        page("move picker: rooms of a site", f"/transfers/plans/{run_id}/rooms.json?site={site_key}&q=1")

        plan = plan_store.plan_of(run)
        mover = plan.assignments[0].person
        empty = db.session.scalar(select(Room.id).where(Room.site_id == int(site_key[1:]), Room.status == "available",
                                                        Room.id.not_in([int(a.room[1:]) for a in plan.assignments
                                                                        if a.site == site_key])).limit(1))

        def move_and_back():
            refused = plan_moves.move_in_plan(db.session.get(PlanRun, run_id), mover, f"R{empty}",
                                              whole_household=False)
            return refused
        seconds, queries, refused = timed(db, runs, move_and_back)
        rows.append((f"hand move ({'refused' if refused else 'saved'})", seconds, queries, 0, 0.5))

        seconds, queries, reserved = timed(db, 1, lambda: commit_plan(db.session.get(PlanRun, run_id), hq))
        rows.append((f"commit of {reserved:,} reservations", seconds, queries, 0, 2.0))
        page("arrivals of the 2,000-room site", f"/transfers/arrivals/{big.id}")
        arriving = db.session.scalar(select(Person).join(Reservation, Reservation.person_id == Person.id)
                                     .join(Room, Room.id == Reservation.room_id)
                                     .where(Room.site_id == big.id, Reservation.status == "reserved").limit(1))
        if arriving is not None:
            page("arrivals searched by the last 4 digits of an ID", f"/transfers/arrivals/{big.id}?q={arriving.id_number[-4:]}")
        page("meal roster for tomorrow, after the commit (2,000-room site)",
             f"/meals/sites/{big.id}/roster?meal=dinner&day={tomorrow}")
        first_site = db.session.scalar(select(Room.site_id).join(Reservation, Reservation.room_id == Room.id)
                                       .where(Reservation.plan_run_id == run_id).limit(1))
        page("printouts index", f"/transfers/plans/{run_id}/prints")
        page("bus manifests of one site", f"/transfers/plans/{run_id}/manifests?site={first_site}", TARGET_PRINT_S)
        page("door cards of one site", f"/transfers/plans/{run_id}/door-cards?site={first_site}", TARGET_PRINT_S)
        page("room lists of one site", f"/transfers/plans/{run_id}/room-lists?site={first_site}", TARGET_PRINT_S)
        page("manifest XLSX, all sites", f"/transfers/plans/{run_id}/manifests.xlsx", TARGET_PRINT_S)
        page("manifest CSV, all sites", f"/transfers/plans/{run_id}/manifests.csv", TARGET_PRINT_S)
        db.session.remove()
        db.engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--county-only", action="store_true", help="only the county view's pages and API")
    args = parser.parse_args()
    os.environ.setdefault("JOBS_DB", str(Path(tempfile.mkdtemp(prefix="bench-jobs-")) / "jobs.db"))
    results = {}
    with throwaway_postgres(PG_BENCH_DB, wanted=not args.no_postgres) as pg:
        targets = ([] if args.no_sqlite else [("SQLite", sqlite_url("bench-pages-"))]) + ([("PostgreSQL", pg)] if pg else [])
        for name, url in targets:
            print(f"{name}:", flush=True)
            results[name] = measure(url, args.runs, args.time_limit, args.county_only)
    names = list(results)
    print(f"\nPages at province scale ({SITES:,} sites, {ROOMS_TOTAL:,} rooms, {RESIDENTS:,} residents, "
          f"{BATCHES} batches of {WAITING:,}), quietest of {args.runs}, {os.cpu_count()} cores\n")
    print("| page | target | " + " | ".join(f"{n} s | {n} queries | {n} KB" for n in names) + " |")
    print("|---|---|" + "---|---|---|" * len(names))
    for i, row in enumerate(results[names[0]]):
        cells = []
        for n in names:
            name, seconds, queries, size, target = results[n][i]
            mark = "" if target is None or seconds <= target else " ✗"
            cells.append(f"{seconds:.3f}{mark} | {queries} | {size / 1024:.0f}" if size else f"{seconds:.3f}{mark} | {queries} | ")
        target = row[4]
        print(f"| {row[0]} | {'' if target is None else f'≤ {target:g} s'} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
