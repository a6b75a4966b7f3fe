"""CP-SAT over counts: the most people any valid plan can place, then the other tiers.

Each floor group gives a number of its floors to each cohort (rule 5). A household
taking one room whole only needs a room with enough beds (accessible if it needs
one) on the floors its cohort holds, so per floor group and cohort it suffices that
Hall's condition holds over size thresholds: for every pair (t, u) the households of
size >= t without access needs plus those of size >= u with them must not outnumber
the rooms with >= t beds or accessible with >= u beds. Split households take a room
pattern on one floor, which removes those rooms. Households whose own members hold
a room may join it. Every solution turns into rooms (``planner.placement_rooms``).
"""
from __future__ import annotations

import os
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable

from ortools.sat import cp_model_pb2
from ortools.sat.python import cp_model

from planner.inventory import Group
from planner.metrics import WEIGHT_BACKUP, WEIGHT_KM, WEIGHT_SITE_PER_BATCH
from planner.placement_data import PlacementData
from planner.splits import Kind, Pattern

INFINITE = 10**6
Term = tuple[cp_model.IntVar, int]


def total(terms: list[Term]) -> cp_model.LinearExpr:
    return cp_model.LinearExpr.weighted_sum([v for v, _ in terms], [c for _, c in terms])


@dataclass
class PlacementModel:
    """Variables kept together so each constraint can be its own small function."""

    data: PlacementData
    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    take: dict[tuple[int, Group], cp_model.IntVar] = field(default_factory=dict)  # (floor group, cohort)
    pool: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)  # (floor group, class)
    split: dict[tuple[int, int, int], cp_model.IntVar] = field(default_factory=dict)  # (group, split, pattern)
    join: dict[int, cp_model.IntVar] = field(default_factory=dict)  # index into data.joins
    used: dict[tuple[int, Group, Kind], cp_model.IntVar] = field(default_factory=dict)  # rooms split households take
    used_by: dict[tuple[int, Group, Kind], list[Term]] = field(default_factory=dict)  # the split counts each sums
    people_at: dict[tuple[int, int], list[Term]] = field(default_factory=lambda: defaultdict(list))  # (batch, site)
    # Constraints tying households to the floors their cohort holds. Implied for whole floors by the
    # room counts; they only tighten the LP, which on large models solves far faster without them.
    links: list[int] = field(default_factory=list)

    def placed(self) -> cp_model.LinearExpr:
        return total([t for terms in self.people_at.values() for t in terms])

    def placed_by(self, values: dict[int, int]) -> int:
        """People a solution given as variable values places."""
        return sum(c * values.get(v.index, 0) for terms in self.people_at.values() for v, c in terms)

    def completed(self, decisions: dict[int, int]) -> dict[int, int]:
        """A solution given by its decisions, with the variables that follow from them."""
        out = dict(decisions)
        for key, var in self.used.items():
            out[var.index] = sum(n * decisions.get(v.index, 0) for v, n in self.used_by[key])
        return out

    def decisions(self) -> list[cp_model.IntVar]:
        """The variables a solution is made of; the others follow from them."""
        return [*self.take.values(), *self.pool.values(), *self.split.values(), *self.join.values()]

    def variables(self) -> list[cp_model.IntVar]:
        return [*self.decisions(), *self.used.values()]


def build_placement_model(data: PlacementData) -> PlacementModel:
    pm = PlacementModel(data)
    add_floor_takes(pm)
    add_pool_households(pm)
    add_split_households(pm)
    add_joins(pm)
    add_one_placement_per_household(pm)
    add_room_matching(pm)
    add_site_limits(pm)
    return pm


def add_floor_takes(pm: PlacementModel) -> None:
    """Each floor of a group goes to at most one cohort (the group's cohorts already respect occupants)."""
    for group in pm.data.groups:
        takes = []
        for cohort in group.cohorts:
            var = pm.model.new_int_var(0, group.count, f"take_{group.index}_{'/'.join(cohort)}")
            pm.take[(group.index, cohort)] = var
            takes.append(var)
        if len(takes) > 1:
            pm.model.add(cp_model.LinearExpr.sum(takes) <= group.count)


def add_pool_households(pm: PlacementModel) -> None:
    """Households of each class taking one room on the floors of each group; only where their cohort is."""
    for c in pm.data.classes:
        for group in pm.data.groups:
            take = pm.take.get((group.index, c.group))
            if take is None or not any(k[0] >= c.size and (k[1] or not c.access) for k in group.rooms):
                continue
            var = pm.model.new_int_var(0, len(c.households), f"pool_{group.index}_{c.index}")
            pm.pool[(group.index, c.index)] = var
            pm.people_at[(c.batch, group.site)].append((var, c.size))
            pm.links.append(pm.model.add(var <= len(c.households) * take).index)


def add_split_households(pm: PlacementModel) -> None:
    """Split households by floor and pattern (rule 4); the patterns of a floor share out its rooms."""
    data = pm.data
    usage: dict[tuple[int, Group, Kind], list[Term]] = defaultdict(list)
    for sc in data.splits:
        for g, patterns in sc.patterns.items():
            take = pm.take.get((g, sc.group))
            if take is None:
                continue
            own = sc.reserved.get(g, {})
            here = []
            for p, pattern in enumerate(patterns):
                var = pm.model.new_int_var(0, len(sc.households), f"split_{g}_{sc.index}_{p}")
                pm.split[(g, sc.index, p)] = var
                pm.people_at[(sc.batch, data.groups[g].site)].append((var, sc.size))
                for kind, n in consumed(pattern, own).items():
                    usage[(g, sc.group, kind)].append((var, n))
                if consumed(pattern, own):
                    here.append(var)
            if here:  # implied for whole floors; keeps the relaxation from using a floor it barely holds
                pm.links.append(pm.model.add(cp_model.LinearExpr.sum(here) <= len(sc.households) * take).index)
    for (g, cohort, kind), terms in usage.items():
        rooms = data.groups[g].rooms.get(kind, 0)
        var = pm.model.new_int_var(0, rooms * data.groups[g].count, f"used_{g}_{'/'.join(cohort)}_{kind[0]}{kind[1]:d}")
        pm.used[(g, cohort, kind)] = var
        pm.used_by[(g, cohort, kind)] = terms
        pm.model.add(var == total(terms))
        pm.model.add(var <= rooms * pm.take[(g, cohort)])


def consumed(pattern: Pattern, own: dict[Kind, int]) -> dict[Kind, int]:
    """Free rooms of the floor a pattern takes, once the household's own rooms there are used first."""
    out: dict[Kind, int] = defaultdict(int)
    for kind in pattern:
        out[kind] += 1
    return {kind: n - own.get(kind, 0) for kind, n in out.items() if n > own.get(kind, 0)}


def add_joins(pm: PlacementModel) -> None:
    """A household may join a room its own members hold; the room's free beds still cap who joins."""
    by_slot: dict[int, list[Term]] = defaultdict(list)
    for j, join in enumerate(pm.data.joins):
        hh = pm.data.inv.households[join.household]
        var = pm.model.new_bool_var(f"join_{j}")
        pm.join[j] = var
        pm.people_at[(hh.batch, join.site)].append((var, hh.size))
        by_slot[join.slot].append((var, hh.size))
    for slot, terms in by_slot.items():
        if len(terms) > 1:
            pm.model.add(total(terms) <= pm.data.inv.slots[slot].free)


def add_one_placement_per_household(pm: PlacementModel) -> None:
    """No class places more households than it has; a household with rooms of its own goes to one place."""
    data = pm.data
    groups: dict[tuple[str, int], tuple[int, list[cp_model.IntVar]]] = {}

    def option(kind: str, index: int, households: list[int], var: cp_model.IntVar) -> None:
        key = ("household", households[0]) if data.inv.households[households[0]].reserved else (kind, index)
        groups.setdefault(key, (len(households), []))[1].append(var)

    for (_, c), var in pm.pool.items():
        option("class", c, data.classes[c].households, var)
    for (_, sc, _), var in pm.split.items():
        option("split", sc, data.splits[sc].households, var)
    for j, var in pm.join.items():
        option("household", data.joins[j].household, [data.joins[j].household], var)
    for limit, variables in groups.values():
        if len(variables) > 1:
            pm.model.add(cp_model.LinearExpr.sum(variables) <= limit)


def add_room_matching(pm: PlacementModel) -> None:
    """Hall's condition per floor group and cohort for the households taking one room."""
    data = pm.data
    rooms: dict[tuple[int, Group], dict[Kind, list[Term]]] = defaultdict(lambda: defaultdict(list))
    for (g, cohort), var in pm.take.items():
        for kind, n in data.groups[g].rooms.items():
            rooms[(g, cohort)][kind].append((var, n))
    for (g, cohort, kind), var in pm.used.items():
        rooms[(g, cohort)][kind].append((var, -1))
    households: dict[tuple[int, Group], list[tuple[int, bool, cp_model.IntVar]]] = defaultdict(list)
    for (g, c), var in pm.pool.items():
        cls = data.classes[c]
        households[(g, cls.group)].append((cls.size, cls.access, var))
    for key, members in households.items():
        kinds = rooms[key]
        for plain_at, access_at in _thresholds(members):
            demand = [var for size, access, var in members if size >= (access_at if access else plain_at)]
            supply = [t for kind, terms in kinds.items()
                      if kind[0] >= plain_at or (kind[1] and kind[0] >= access_at) for t in terms]
            pm.model.add(cp_model.LinearExpr.sum(demand) <= total(supply))


def _thresholds(members: list[tuple[int, bool, object]]) -> list[tuple[int, int]]:
    """The (plain, accessible) size thresholds whose Hall conditions are not implied by others."""
    sizes = sorted({size for size, _, _ in members})
    plain = sorted({size for size, needs, _ in members if not needs})
    access = sorted({size for size, needs, _ in members if needs})
    return [(t, t) for t in sizes] + [(t, u) for t in plain + [INFINITE] for u in access if u < t]


def add_site_limits(pm: PlacementModel) -> None:
    """Rule 8: new people at a site stay within what its capacity limit leaves."""
    at_site: dict[int, list[Term]] = defaultdict(list)
    for (_, s), terms in pm.people_at.items():
        at_site[s].extend(terms)
    for s, terms in at_site.items():
        room_for = pm.data.inv.sites[s].room_for
        if room_for < sum(c * _upper(v) for v, c in terms):
            pm.model.add(total(terms) <= room_for)


def _upper(var: cp_model.IntVar) -> int:
    domain = var.proto.domain
    return domain[len(domain) - 1]


def plain_proto(model: cp_model.CpModel) -> cp_model_pb2.CpModelProto:
    """The model as a plain protobuf message: read field by field (to copy it into an LP, or to cut
    a step's model out of it), it is several times faster than through the model's own wrapper."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.pb")
        if not model.export_to_file(path):
            raise OSError(f"could not write the model to {path}")
        with open(path, "rb") as fh:
            return cp_model_pb2.CpModelProto.FromString(fh.read())


# --------------------------------------------------------------------------- the other tiers

def add_tier_objective(pm: PlacementModel, placed_at_least: int) -> Callable[[dict[int, int]], dict[int, int]]:
    """Keep the people placed, then fewer backups, fewer sites per batch, less travel (weights as in metrics).

    Returns how to complete a solution of the placement variables with the new ones (for a hint).
    """
    inv = pm.data.inv
    pm.model.add(pm.placed() >= placed_at_least)
    uses: dict[tuple[int, int], cp_model.IntVar] = {}
    activated: dict[int, cp_model.IntVar] = {}
    travel: list[Term] = []
    for (b, s), terms in pm.people_at.items():
        var = pm.model.new_bool_var(f"uses_{b}_{s}")
        uses[(b, s)] = var
        pm.model.add(total(terms) <= sum(c * _upper(v) for v, c in terms) * var)
        travel += [(v, c * round(WEIGHT_KM * inv.distance[b][s])) for v, c in terms]
        if inv.sites[s].activation_needed:
            if s not in activated:
                activated[s] = pm.model.new_bool_var(f"activate_{s}")
            pm.model.add(var <= activated[s])
    pm.model.minimize(WEIGHT_BACKUP * cp_model.LinearExpr.sum(list(activated.values()))
                      + WEIGHT_SITE_PER_BATCH * cp_model.LinearExpr.sum(list(uses.values())) + total(travel))

    def complete(values: dict[int, int]) -> dict[int, int]:
        used = {key for key, terms in pm.people_at.items() if any(values.get(v.index, 0) for v, _ in terms)}
        out = {var.index: int(key in used) for key, var in uses.items()}
        out.update({var.index: int(any(k[1] == s for k in used)) for s, var in activated.items()})
        return out

    return complete
