"""CP-SAT over floors: which cohort gets which floor, and how many of each batch go to each site.

Rooms are aggregated: a floor's capacity for a cohort is the most of that
cohort's people its rooms could take with one household per room, so the
model stays small (one boolean per cohort and candidate floor) and its bound
is a relaxation of the room-level problem. The chosen floors are turned into
room assignments by the constructive packer.
"""
from __future__ import annotations

import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Callable

from ortools.sat.python import cp_model

from planner.construct import Occupancy
from planner.inventory import Group, Inventory, Unit
from planner.metrics import WEIGHT_BACKUP, WEIGHT_KM, WEIGHT_SITE_PER_BATCH, WEIGHT_UNPLACED

CANDIDATE_CAPACITY_FACTOR = 3
MIN_CANDIDATE_SITES = 4


@dataclass
class FloorModel:
    """Variables kept together so each constraint can be its own small function."""

    inv: Inventory
    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    take: dict[tuple[Group, int], cp_model.IntVar] = field(default_factory=dict)
    people: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    households: dict[tuple[int, int, int], cp_model.IntVar] = field(default_factory=dict)
    size_classes: dict[tuple[int, int], int] = field(default_factory=dict)
    batch_uses: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    activated: dict[int, cp_model.IntVar] = field(default_factory=dict)
    unplaced: dict[int, cp_model.IntVar] = field(default_factory=dict)
    sites_of_group: dict[Group, list[int]] = field(default_factory=dict)


@dataclass(frozen=True)
class FloorChoice:
    status: str
    objective: float | None
    bound: float | None
    floors: dict[Group, list[int]]
    sites_of_batch: dict[int, set[int]]


# --------------------------------------------------------------------------- capacities

def _size_classes(inv: Inventory) -> dict[tuple[int, int], int]:
    """Households per (unit, size); split households get size 0 (they only count against beds)."""
    unit_of = {(u.batch, u.category): i for i, u in enumerate(inv.units)}
    counts: Counter = Counter()
    for hh in inv.households:
        if hh.group is not None:
            counts[(unit_of[(hh.batch, hh.members[0].category)], 0 if hh.must_split else hh.size)] += 1
    return dict(counts)


def rooms_at_least(frees: list[int], size: int) -> int:
    return sum(1 for free in frees if free >= size)


# --------------------------------------------------------------------------- candidates

def candidate_sites(inv: Inventory, units: list[Unit], occ: Occupancy) -> list[int]:
    """Nearest ready sites holding a few times the cohort, plus every site the first plan used."""
    need = sum(u.size for u in units)
    batches = {u.batch for u in units}
    dist = [min(inv.distance[b][s] for b in batches) for s in range(len(inv.sites))]
    beds_at: dict[int, int] = defaultdict(int)
    for slot in inv.slots:
        beds_at[slot.site] += slot.free
    chosen: list[int] = []
    total = 0
    for s in sorted(beds_at, key=lambda s: dist[s]):
        if total >= CANDIDATE_CAPACITY_FACTOR * need and len(chosen) >= MIN_CANDIDATE_SITES:
            break
        chosen.append(s)
        total += min(beds_at[s], inv.sites[s].room_for)
    used = {occ.inv.floors[f].site for f, owner in enumerate(occ.owner)
            if owner is not None and owner == units[0].group}
    return sorted(set(chosen) | used)


# --------------------------------------------------------------------------- model parts

def add_floor_choices(fm: FloorModel, occ: Occupancy) -> None:
    inv = fm.inv
    units_of: dict[Group, list[Unit]] = defaultdict(list)
    for unit in inv.units:
        if unit.group is not None:
            units_of[unit.group].append(unit)
    floors_at: dict[int, list[int]] = defaultdict(list)
    for floor in inv.floors:
        if floor.slots:
            floors_at[floor.site].append(floor.index)
    for group, units in units_of.items():
        fm.sites_of_group[group] = candidate_sites(inv, units, occ)
        for s in fm.sites_of_group[group]:
            for f in floors_at[s]:
                if inv.floors[f].allows(group):
                    fm.take[(group, f)] = fm.model.new_bool_var(f"take_{f}_{'/'.join(group)}")


def add_one_cohort_per_floor(fm: FloorModel) -> None:
    by_floor: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    for (_, f), var in fm.take.items():
        by_floor[f].append(var)
    for variables in by_floor.values():
        if len(variables) > 1:
            fm.model.add_at_most_one(variables)


def add_people_flows(fm: FloorModel) -> None:
    """Households of each unit and size per site; people follow from the sizes."""
    inv = fm.inv
    fm.size_classes = _size_classes(inv)
    split_size = {u: sum(inv.households[h].size for h in unit.households if inv.households[h].must_split)
                  for u, unit in enumerate(inv.units)}
    for u, unit in enumerate(inv.units):
        if unit.group is None:
            continue
        flows = []
        for s in fm.sites_of_group[unit.group]:
            terms = []
            for (v, size), count in fm.size_classes.items():
                if v == u:
                    n = fm.model.new_int_var(0, count, f"households_{u}_{s}_{size}")
                    fm.households[(u, s, size)] = n
                    terms.append(n * size if size else None)
            var = fm.model.new_int_var(0, unit.size, f"people_{u}_{s}")
            split_people = fm.model.new_int_var(0, split_size[u], f"split_people_{u}_{s}")
            fm.model.add(var == sum(t for t in terms if t is not None) + split_people)
            fm.people[(u, s)] = var
            flows.append(var)
            key = (unit.batch, s)
            if key not in fm.batch_uses:
                fm.batch_uses[key] = fm.model.new_bool_var(f"uses_{unit.batch}_{s}")
            fm.model.add(var <= unit.size * fm.batch_uses[key])
        fm.unplaced[u] = fm.model.new_int_var(0, unit.size, f"unplaced_{u}")
        fm.model.add(sum(flows) + fm.unplaced[u] == unit.size)


def add_floor_capacity(fm: FloorModel) -> None:
    """Beds, and with own rooms per household Hall's condition: households of size >= t need rooms of >= t."""
    inv = fm.inv
    taken: dict[tuple[Group, int], list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    for (group, f), var in fm.take.items():
        taken[(group, inv.floors[f].site)].append((f, var))
    people: dict[tuple[Group, int], list[cp_model.IntVar]] = defaultdict(list)
    for (u, s), var in fm.people.items():
        people[(inv.units[u].group, s)].append(var)
    by_size: dict[tuple[Group, int], dict[int, list[cp_model.IntVar]]] = defaultdict(lambda: defaultdict(list))
    for (u, s, size), var in fm.households.items():
        if size:
            by_size[(inv.units[u].group, s)][size].append(var)
    for key, variables in people.items():
        floors = taken.get(key, [])
        frees = {f: [inv.slots[i].free for i in inv.floors[f].slots] for f, _ in floors}
        fm.model.add(sum(variables) <= sum(sum(frees[f]) * var for f, var in floors))
        if not inv.scenario.policy.household_rooms:
            continue
        sizes = by_size[key]
        for t in sorted(sizes):
            bigger = [n for size, ns in sizes.items() if size >= t for n in ns]
            fm.model.add(sum(bigger) <= sum(rooms_at_least(frees[f], t) * var for f, var in floors))


def add_site_limits(fm: FloorModel) -> None:
    at_site: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    for (_, s), var in fm.people.items():
        at_site[s].append(var)
    for s, variables in at_site.items():
        if fm.inv.sites[s].room_for < sum(fm.inv.units[u].size for (u, t) in fm.people if t == s):
            fm.model.add(sum(variables) <= fm.inv.sites[s].room_for)


def add_backup_activation(fm: FloorModel) -> None:
    for (b, s), uses in fm.batch_uses.items():
        if fm.inv.sites[s].activation_needed:
            if s not in fm.activated:
                fm.activated[s] = fm.model.new_bool_var(f"activate_{s}")
            fm.model.add_implication(uses, fm.activated[s])


def set_objective(fm: FloorModel) -> None:
    """The plan's scalar objective without idle beds (which only the room packing knows)."""
    inv = fm.inv
    travel = [round(WEIGHT_KM * inv.distance[inv.units[u].batch][s]) * var for (u, s), var in fm.people.items()]
    fm.model.minimize(WEIGHT_UNPLACED * sum(fm.unplaced.values())
                      + WEIGHT_BACKUP * sum(fm.activated.values())
                      + WEIGHT_SITE_PER_BATCH * sum(fm.batch_uses.values())
                      + sum(travel))


def add_hints(fm: FloorModel, occ: Occupancy) -> None:
    """Start from the constructive plan so the search begins at a known good point."""
    inv = fm.inv
    counts: Counter = Counter()
    sizes: Counter = Counter()
    unit_of = {(u.batch, u.category): i for i, u in enumerate(inv.units)}
    for h, rooms in occ.placed.items():
        hh = inv.households[h]
        u = unit_of[(hh.batch, hh.members[0].category)]
        site = inv.slots[rooms[0][1]].site
        counts[(u, site)] += hh.size
        sizes[(u, site, 0 if hh.must_split else hh.size)] += 1
    for key, var in fm.take.items():
        fm.model.add_hint(var, occ.owner[key[1]] == key[0])
    for (u, s), var in fm.people.items():
        fm.model.add_hint(var, counts[(u, s)])
    for (u, s, size), var in fm.households.items():
        fm.model.add_hint(var, sizes[(u, s, size)])
    for (b, s), var in fm.batch_uses.items():
        fm.model.add_hint(var, s in occ.batch_sites[b])
    for s, var in fm.activated.items():
        fm.model.add_hint(var, occ.active[s] and s in {t for b in occ.batch_sites for t in occ.batch_sites[b]})
    for u, var in fm.unplaced.items():
        placed = sum(counts[(u, s)] for s in fm.sites_of_group.get(inv.units[u].group, []))
        fm.model.add_hint(var, inv.units[u].size - placed)


def build_floor_model(inv: Inventory, occ: Occupancy) -> FloorModel:
    fm = FloorModel(inv)
    add_floor_choices(fm, occ)
    add_one_cohort_per_floor(fm)
    add_people_flows(fm)
    add_floor_capacity(fm)
    add_site_limits(fm)
    add_backup_activation(fm)
    set_objective(fm)
    add_hints(fm, occ)
    return fm


# --------------------------------------------------------------------------- solve

class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self, report: Callable[[float, float], None]) -> None:
        super().__init__()
        self._report = report

    def on_solution_callback(self) -> None:
        self._report(self.objective_value, self.best_objective_bound)


def solve_floor_model(fm: FloorModel, *, time_limit: float, workers: int, seed: int,
                      cancel: threading.Event | None,
                      on_solution: Callable[[float, float], None] | None = None) -> FloorChoice:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit)
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    stop = threading.Event()
    watcher = threading.Thread(target=_stop_on_cancel, args=(solver, cancel, stop), daemon=True)
    if cancel is not None:
        watcher.start()
    try:
        status = solver.solve(fm.model, _Progress(on_solution) if on_solution else None)
    finally:
        stop.set()
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return FloorChoice(name, None, None, {}, {})
    floors: dict[Group, list[int]] = defaultdict(list)
    for (group, f), var in fm.take.items():
        if solver.boolean_value(var):
            floors[group].append(f)
    used: dict[int, set[int]] = defaultdict(set)
    for (u, s), var in fm.people.items():
        if solver.value(var) > 0:
            used[fm.inv.units[u].batch].add(s)
    return FloorChoice(name, solver.objective_value, solver.best_objective_bound, dict(floors), dict(used))


def _stop_on_cancel(solver: cp_model.CpSolver, cancel: threading.Event | None, done: threading.Event) -> None:
    while cancel is not None and not done.is_set():
        if cancel.wait(0.05):
            solver.stop_search()
            return
