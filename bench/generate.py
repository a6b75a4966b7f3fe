"""Seeded scenario generator for the planner benchmark.

Presets mirror the planning scales headquarters meets: a county receiving one
batch, a city, a province. Scenarios include the awkward cases: occupied floors,
rooms under cleaning or out of service, sites not ready, backup sites, large
households, mobility needs, children, several batches and capacity limits.
"""
from __future__ import annotations

import argparse
import random
from dataclasses import dataclass
from typing import Any

from planner.model import SCENARIO_FORMAT, write_json

CATEGORIES = ("close_contact", "secondary_contact", "risk_area_arrival")
DIETS = ("regular",) * 8 + ("halal", "vegetarian", "diabetic", "soft")
HOUSEHOLD_SIZES = (1, 1, 1, 2, 2, 2, 3, 3, 4, 4, 5, 6, 7, 8)


BIG_HOUSEHOLD_SIZES = (2, 3, 4, 4, 5, 5, 6, 6, 7, 8, 9, 10)


@dataclass(frozen=True)
class Preset:
    """Scale of a scenario; ``occupied`` is the share of floors already holding an earlier cohort."""

    people: int
    sites: int
    rooms: int
    batches: int
    occupied: float = 0.15
    household_sizes: tuple[int, ...] = HOUSEHOLD_SIZES


PRESETS = {
    "county": Preset(100, 10, 1_500, 1),
    "city": Preset(10_000, 400, 45_000, 8),
    "province": Preset(50_000, 1_500, 170_000, 20),
    # Short capacity: more people than free beds, so the plan is about placing as many as possible.
    "overflow-900": Preset(900, 5, 580, 2, occupied=0.3),
    "overflow-600": Preset(600, 12, 570, 4, occupied=0.5),
    "overflow-2000": Preset(2_000, 8, 720, 4, occupied=0.3),
    "tight-big-households": Preset(800, 10, 380, 3, occupied=0.45, household_sizes=BIG_HOUSEHOLD_SIZES),
    # The upper end: 2,000 people and 20 sites, five batches, 40 % of floors occupied.
    "overflow-2000-20": Preset(2_000, 20, 1_100, 5, occupied=0.4),
    # Short capacity at city scale: 10,000 people for about 6,000 free beds at 400 sites.
    "overflow-city": Preset(10_000, 400, 6_000, 8, occupied=0.4),
    # And at province scale: 50,000 people for rooms worth about 44,000 free beds at 1,500 sites.
    "overflow-province": Preset(50_000, 1_500, 30_000, 20, occupied=0.4),
    # Small enough for the room-level model of bench/exact_check.py to prove its maximum.
    "overflow-small": Preset(120, 3, 80, 2, occupied=0.3),
}
CENTRE = (33.6, 114.6)


def _room(rng: random.Random, rid: str, building: str, floor: int, floor_cohort: tuple[str, str] | None) -> dict:
    beds = rng.choice((1, 1, 2, 2, 2, 3, 4, 6))
    status = rng.choices(("available", "cleaning", "out_of_service"), (92, 5, 3))[0]
    occupants: list[dict[str, str]] = []
    if floor_cohort and rng.random() < 0.6:
        status = "occupied"
        household = f"E{rid}"
        occupants = [{"category": floor_cohort[0], "batch": floor_cohort[1], "household": household}
                     for _ in range(rng.randint(1, beds))]
    return {"id": rid, "building": building, "floor": floor, "beds": beds,
            "accessible": floor == 1 or rng.random() < 0.3, "status": status, "occupants": occupants}


def _site(rng: random.Random, index: int, rooms: int, occupied_share: float) -> dict:
    kind = "fixed" if index % 10 == 0 else "backup"
    sid = f"S{index + 1}"
    out_rooms: list[dict] = []
    buildings = "ABC"[: rng.randint(1, 3)]
    per_floor = rng.randint(8, 24)
    n = 0
    floor_no = 0
    while n < rooms:
        for building in buildings:
            occupied = rng.random() < occupied_share
            cohort = (rng.choice(CATEGORIES), f"EARLIER-{rng.randint(1, 3)}") if occupied else None
            for k in range(per_floor):
                if n >= rooms:
                    break
                out_rooms.append(_room(rng, f"{sid}-{building}-{floor_no + 1}{k + 1:02d}", building, floor_no + 1,
                                       cohort))
                n += 1
        floor_no += 1
    beds = sum(r["beds"] for r in out_rooms)
    return {"id": sid, "name": f"Site {index + 1} ({rng.choice(('hotel', 'dorm', 'welfare centre'))})",
            "kind": kind, "ready": rng.random() < 0.9,
            "location": {"lat": round(CENTRE[0] + rng.uniform(-1.5, 1.5), 4),
                         "lon": round(CENTRE[1] + rng.uniform(-1.5, 1.5), 4)},
            "capacity_limit": int(beds * rng.uniform(0.6, 0.95)) if rng.random() < 0.5 else None,
            "rooms": out_rooms}


def _household(rng: random.Random, batch_id: str, hid: str, size: int, category: str, start: int) -> list[dict]:
    people = []
    for k in range(size):
        age = rng.randint(18, 80) if k < max(1, size // 3) else rng.choice((rng.randint(2, 13), rng.randint(14, 70)))
        people.append({"id": f"{batch_id}P{start + k}", "household": hid, "category": category,
                       "sex": rng.choice("FM"), "age": age,
                       "needs": ["mobility"] if rng.random() < 0.04 else [], "diet": rng.choice(DIETS)})
    return people


def _batch(rng: random.Random, index: int, size: int, sizes: tuple[int, ...]) -> dict:
    bid = f"B{index + 1}"
    people: list[dict] = []
    h = 0
    while len(people) < size:
        h += 1
        hh_size = min(rng.choice(sizes), size - len(people))
        people += _household(rng, bid, f"{bid}H{h}", hh_size, rng.choice(CATEGORIES), len(people) + 1)
    return {"id": bid, "origin": f"Origin {index + 1}",
            "location": {"lat": round(CENTRE[0] + rng.uniform(-2, 2), 4),
                         "lon": round(CENTRE[1] + rng.uniform(-2, 2), 4)},
            "people": people}


def generate(preset: str, seed: int = 0) -> dict[str, Any]:
    spec = PRESETS[preset]
    rng = random.Random(seed)
    per_site = spec.rooms // spec.sites
    sites = [_site(rng, i, max(4, int(per_site * rng.uniform(0.6, 1.4))), spec.occupied)
             for i in range(spec.sites)]
    per_batch = spec.people // spec.batches
    batches = [_batch(rng, i, per_batch if i < spec.batches - 1 else spec.people - per_batch * i,
                      spec.household_sizes) for i in range(spec.batches)]
    return {"format": SCENARIO_FORMAT, "name": f"{preset}-seed{seed}",
            "policy": {"household_rooms": True, "floor_separation": ["category", "batch"]},
            "sites": sites, "batches": batches}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__)
    parser.add_argument("preset", choices=sorted(PRESETS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()
    write_json(generate(args.preset, args.seed), args.output)


if __name__ == "__main__":
    main()
