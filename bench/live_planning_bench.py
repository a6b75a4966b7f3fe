"""Planning from the live database: what the app adds to the planner's own time.

A generated city (10,000 people in 8 batches, 400 sites, ~45,000 rooms, some floors already
occupied) is written into a fresh database built by the migrations, then the app plans it the
way the web page does: read the live state into a scenario, solve, save the run, commit the
reservations. Printed per database: load, solve, save, commit seconds, and load + save (the
target: at most 3 s on top of the planner).

    python -m bench.live_planning_bench [--preset city] [--time-limit 10] [--no-postgres]
"""
from __future__ import annotations

import argparse
import os
import time
from datetime import date, datetime, timezone

from sqlalchemy import insert, select, text

import planner
from bench.databases import sqlite_url, throwaway_postgres
from bench.generate import generate
from quarantine import create_app
from quarantine.extensions import db
from quarantine.idnumbers import check_digit
from quarantine.models import (
    Building,
    Person,
    PlanRun,
    Room,
    Site,
    StaffMember,
    Stay,
    TransferBatch,
    User,
    person_needs,
)

PG_BENCH_DB = "bench_live_planning"


def _resident_id(n: int) -> str:
    day = 1 + (n // 1000) % 28
    month = 1 + (n // 28000) % 12
    first17 = f"4116231980{month:02d}{day:02d}{n % 1000:03d}"
    return first17 + check_digit(first17)


def _staff_for_ready_sites(sites: list[dict], now: datetime) -> list[dict]:
    """Doctors and nurses on duty at every ready site, enough for its beds at 1:50 (a ready site
    without staff on duty takes nobody, so the generated capacity limits stay what they were)."""
    rows = []
    for s_index, s in enumerate(sites, start=1):
        if not s["ready"]:
            continue
        beds = sum(r["beds"] for r in s["rooms"])
        for i in range(max(1, -(-beds // 50))):
            rows.extend(dict(site_id=s_index, name=f"{role} {i + 1}", phone="", work_group="health_observation",
                             medical_role=role, shift="day", on_duty_from=date(2020, 1, 1), created_at=now,
                             updated_at=now) for role in ("doctor", "nurse"))
    return rows


def load_scenario_into_db(data: dict) -> dict[str, int]:
    """Sites, buildings, rooms, current residents and waiting people, by bulk inserts."""
    now = datetime.now(timezone.utc)
    serial = iter(range(10**7))
    site_rows, building_rows, room_rows = [], [], []
    residents: list[tuple[dict, int]] = []  # (person row, room id)
    building_id = room_id = 0
    for s_index, s in enumerate(data["sites"], start=1):
        site_rows.append(dict(id=s_index, name=s["name"] + f" #{s_index}", address="", lat=s["location"]["lat"],
                              lon=s["location"]["lon"], kind=s["kind"], responsible_unit="", manager_name="",
                              manager_phone="", capacity_limit=s["capacity_limit"],
                              status="ready" if s["ready"] else "standby", notes="",
                              passages_separate_confirmed=False, created_at=now))
        buildings: dict[str, int] = {}
        for r in s["rooms"]:
            if r["building"] not in buildings:
                building_id += 1
                buildings[r["building"]] = building_id
                building_rows.append(dict(id=building_id, site_id=s_index, code=r["building"], name="", has_lift=True))
            room_id += 1
            room_rows.append(dict(id=room_id, site_id=s_index, building_id=buildings[r["building"]], floor=r["floor"],
                                  number=r["id"].rsplit("-", 1)[1], beds=r["beds"], occupants=len(r["occupants"]),
                                  own_bathroom=True, accessible=r["accessible"], status=r["status"],
                                  status_reason="", updated_at=now))
            for o in r["occupants"]:
                residents.append((dict(category_code=o["category"], household=o["household"][:40],
                                       batch_code=o["batch"]), room_id))
    db.session.execute(insert(Site), site_rows)
    db.session.execute(insert(Building), building_rows)
    db.session.execute(insert(Room), room_rows)
    db.session.execute(insert(StaffMember), _staff_for_ready_sites(data["sites"], now))

    batch_codes = sorted({p["batch_code"] for p, _ in residents} | {b["id"] for b in data["batches"]})
    batch_rows = [dict(id=i, code=code, origin=code, status="arrived" if code.startswith("EARLIER") else "announced",
                       origin_lat=None, origin_lon=None, created_at=now) for i, code in enumerate(batch_codes, start=1)]
    for row, b in ((r, b) for r in batch_rows for b in data["batches"] if b["id"] == r["code"]):
        row.update(origin_lat=b["location"]["lat"], origin_lon=b["location"]["lon"], origin=b["origin"])
    db.session.execute(insert(TransferBatch), batch_rows)
    batch_id = {r["code"]: r["id"] for r in batch_rows}

    people, stays, needs = [], [], []
    pid = 0
    for row, rid in residents:
        pid += 1
        people.append(dict(id=pid, name=f"R{pid}", id_kind="resident_id", id_number=_resident_id(next(serial)),
                           sex="M", phone="", household=row["household"], category_code=row["category_code"],
                           diet_code="regular", origin="", batch_id=batch_id[row["batch_code"]],
                           status="in_quarantine", notes="", created_at=now))
        stays.append(dict(person_id=pid, room_id=rid, check_in_at=now))
    for b in data["batches"]:
        for p in b["people"]:
            pid += 1
            people.append(dict(id=pid, name=p["id"], id_kind="resident_id", id_number=_resident_id(next(serial)),
                               sex=p["sex"], phone="", household=p["household"][:40], category_code=p["category"],
                               diet_code=p["diet"], origin=b["origin"], batch_id=batch_id[b["id"]],
                               status="expected", notes="", created_at=now))
            needs.extend(dict(person_id=pid, need_code=n) for n in p["needs"])
    for start in range(0, len(people), 5000):
        db.session.execute(insert(Person), people[start:start + 5000])
    if stays:
        db.session.execute(insert(Stay), stays)
    if needs:
        db.session.execute(insert(person_needs), needs)
    db.session.execute(insert(User), [dict(username="bench", role="hq", display_name="", password_hash="x",
                                           active=True, created_at=now)])
    db.session.commit()
    if db.engine.dialect.name == "postgresql":  # explicit ids were inserted: move the sequences past them
        for table in ("sites", "buildings", "rooms", "transfer_batches", "people", "users"):
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"(SELECT max(id) FROM {table}))"))
        db.session.commit()
    waiting = sum(len(b["people"]) for b in data["batches"])
    return {"sites": len(site_rows), "rooms": len(room_rows), "residents": len(residents), "waiting": waiting}


def measure(url: str, data: dict, time_limit: float) -> dict[str, object]:
    from flask_migrate import upgrade

    from quarantine.transfers import plan_store
    from quarantine.transfers.commit import commit_plan
    from quarantine.transfers.plan_job import reasons_of_result
    from quarantine.transfers.scenario import build_scenario

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade()
        sizes = load_scenario_into_db(data)
        user = db.session.scalar(select(User))
        batches = list(db.session.scalars(select(TransferBatch).where(TransferBatch.status == "announced")))

        started = time.perf_counter()
        scenario = build_scenario(batches, name="bench")
        load_s = time.perf_counter() - started

        started = time.perf_counter()
        result = planner.solve(scenario, time_limit=time_limit, workers=2, seed=0)
        solve_s = time.perf_counter() - started

        started = time.perf_counter()
        run = PlanRun(created_by_id=user.id, batch_codes=",".join(b.code for b in batches), status="done",
                      time_limit=time_limit, people_total=sizes["waiting"], summary=result.summary())
        db.session.add(run)
        db.session.flush()
        plan_store.save_scenario(run, scenario)
        plan_store.save_plan(run, result.plan, reasons_of_result(result))
        db.session.commit()
        save_s = time.perf_counter() - started

        started = time.perf_counter()
        reserved = commit_plan(run, user)
        commit_s = time.perf_counter() - started
        assert plan_store.plan_of(run).assignments, "nothing planned"
        db.session.remove()
        db.engine.dispose()  # let the benchmark database be dropped afterwards
    return {**sizes, "placed": len(result.plan.assignments), "load": load_s, "solve": solve_s, "save": save_s,
            "commit": commit_s, "reserved": reserved}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="city", choices=("county", "city", "province"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    data = generate(args.preset, args.seed)

    rows = []
    with throwaway_postgres(PG_BENCH_DB, wanted=not args.no_postgres) as pg:
        targets = [("SQLite", sqlite_url("bench-live-"))] + ([("PostgreSQL", pg)] if pg else [])
        for name, url in targets:
            rows.append((name, measure(url, data, args.time_limit)))

    print(f"\nLive-database planning, preset {args.preset} (seed {args.seed}), planner time limit {args.time_limit:g} s, "
          f"{os.cpu_count()} cores\n")
    print("| database | sites | rooms | residents | waiting | placed | load s | solve s | save s | load+save s | commit s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, r in rows:
        print(f"| {name} | {r['sites']} | {r['rooms']:,} | {r['residents']:,} | {r['waiting']:,} | {r['placed']:,} "
              f"| {r['load']:.2f} | {r['solve']:.2f} | {r['save']:.2f} | {r['load'] + r['save']:.2f} "
              f"| {r['commit']:.2f} |")


if __name__ == "__main__":
    main()
