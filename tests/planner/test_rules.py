"""Each hard rule: a small case the planner solves, and one where it must leave the right people out."""
from planner_builders import person, room, scenario, site

from planner import Occupant, solve, validate


def _solve(sc):
    result = solve(sc, time_limit=2)
    assert validate(sc, result.plan) == []
    return result.plan


def _reasons(plan):
    return {u.person: u.reason for u in plan.unassigned}


def test_rule1_only_available_rooms_at_ready_sites():
    ok = scenario([site("S1", [room("R1", 1, status="cleaning"), room("R2", 1)])], [person("P1", "H1")])
    assert _solve(ok).assignments[0].room == "R2"
    bad = scenario([site("S1", [room("R1", 1)], ready=False), site("S2", [room("R2", 1, status="out_of_service")])],
                   [person("P1", "H1")])
    plan = _solve(bad)
    assert "no room" in _reasons(plan)["P1"] and plan.unassigned[0].suggested_sites == ("S1",)


def test_rule2_beds():
    ok = scenario([site("S1", [room("R1", 2)])], [person("P1", "H1"), person("P2", "H1")])
    assert len(_solve(ok).assignments) == 2
    bad = scenario([site("S1", [room("R1", 2)])], [person("P1", "H1"), person("P2", "H2"), person("P3", "H3")])
    assert len(_solve(bad).unassigned) == 2


def test_rule3_one_household_per_room():
    ok = scenario([site("S1", [room("R1", 2), room("R2", 2)])], [person("P1", "H1"), person("P2", "H2")])
    rooms = {a.room for a in _solve(ok).assignments}
    assert rooms == {"R1", "R2"}
    bad = scenario([site("S1", [room("R1", 2)])], [person("P1", "H1"), person("P2", "H2")])
    plan = _solve(bad)
    assert len(plan.unassigned) == 1 and "no room" in plan.unassigned[0].reason


def test_rule4_big_household_split_on_one_floor():
    ok = scenario([site("S1", [room("R1", 2), room("R2", 2), room("R3", 2, floor=2)])],
                  [person(f"P{i}", "H1") for i in range(4)])
    plan = _solve(ok)
    assert {a.room for a in plan.assignments} == {"R1", "R2"}
    bad = scenario([site("S1", [room("R1", 2), room("R2", 2, floor=2)])], [person(f"P{i}", "H1") for i in range(4)])
    reason = _reasons(_solve(bad))["P0"]
    assert "household of 4 needs 2 rooms on one floor" in reason


def test_rule5_floor_separation_counts_current_occupants():
    other = (Occupant(category="secondary_contact", batch="OLD", household="X"),)
    ok = scenario([site("S1", [room("R0", 1, status="occupied", occupants=other), room("R1", 1),
                               room("R2", 1, floor=2)])], [person("P1", "H1")])
    assert _solve(ok).assignments[0].room == "R2"
    bad = scenario([site("S1", [room("R0", 1, status="occupied", occupants=other), room("R1", 1)])],
                   [person("P1", "H1")])
    assert "another category or batch" in _reasons(_solve(bad))["P1"]


def test_rule6_mobility_needs_accessible_room():
    ok = scenario([site("S1", [room("R1", 1, accessible=False), room("R2", 1, floor=2)])],
                  [person("P1", "H1", needs=("mobility",))])
    assert _solve(ok).assignments[0].room == "R2"
    bad = scenario([site("S1", [room("R1", 1, accessible=False)])], [person("P1", "H1", needs=("mobility",))])
    assert "accessible" in _reasons(_solve(bad))["P1"]


def test_rule7_child_with_adult():
    ok = scenario([site("S1", [room("R1", 2), room("R2", 2)])],
                  [person("C1", "H1", age=5), person("C2", "H1", age=6), person("A1", "H1"), person("A2", "H1")])
    plan = _solve(ok)
    assert len(plan.assignments) == 4
    bad = scenario([site("S1", [room("R1", 2)])], [person("C1", "H1", age=5)])
    assert "no adult" in _reasons(_solve(bad))["C1"]


def test_rule8_capacity_limit():
    ok = scenario([site("S1", [room("R1", 1), room("R2", 1)], limit=1, lat=33.6),
                   site("S2", [room("R3", 1)], lat=34.0)], [person("P1", "H1"), person("P2", "H2")])
    assert {a.site for a in _solve(ok).assignments} == {"S1", "S2"}
    bad = scenario([site("S1", [room("R1", 1), room("R2", 1)], limit=1)], [person("P1", "H1"), person("P2", "H2")])
    assert "capacity limits reached" in _solve(bad).unassigned[0].reason
