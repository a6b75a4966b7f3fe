"""The quality order after everyone is placed: no needless backups, a batch kept together, short travel."""
from planner_builders import person, room, scenario, site

from planner import solve, validate


def _solve(sc):
    result = solve(sc, time_limit=2)
    assert validate(sc, result.plan) == []
    assert len(result.plan.assignments) == len(sc.people)
    return result


def _singles(n):
    return [person(f"P{i}", f"H{i}") for i in range(n)]


def test_batch_kept_at_one_site_when_it_fits():
    near = site("S1", [room(f"N{i}", 1) for i in range(3)], lat=33.61)
    far = site("S2", [room(f"F{i}", 1) for i in range(6)], lat=33.70)
    result = _solve(scenario([near, far], _singles(5)))
    assert {a.site for a in result.plan.assignments} == {"S2"}
    assert result.metrics.sites_per_batch == 1.0


def test_nearer_site_preferred():
    far = site("S1", [room(f"F{i}", 2) for i in range(6)], lat=34.2)
    near = site("S2", [room(f"N{i}", 2) for i in range(6)], lat=33.65)
    result = _solve(scenario([far, near], _singles(4) + [person("Q1", "HQ"), person("Q2", "HQ")]))
    assert {a.site for a in result.plan.assignments} == {"S2"}


def test_no_backup_activated_when_fixed_sites_suffice():
    standby = site("B1", [room(f"B{i}", 2) for i in range(8)], kind="backup", lat=33.6)
    fixed_a = site("S1", [room(f"A{i}", 2) for i in range(3)], lat=34.0)
    fixed_b = site("S2", [room(f"C{i}", 2, floor=2) for i in range(3)], lat=34.1)
    result = _solve(scenario([standby, fixed_a, fixed_b], _singles(6)))
    assert result.metrics.backup_sites_activated == 0
    assert {a.site for a in result.plan.assignments} <= {"S1", "S2"}


def test_backup_activated_only_when_needed():
    standby = site("B1", [room(f"B{i}", 2) for i in range(8)], kind="backup", lat=34.0)
    fixed = site("S1", [room(f"A{i}", 1) for i in range(2)], lat=33.6)
    result = _solve(scenario([standby, fixed], _singles(5)))
    assert result.metrics.backup_sites_activated == 1
    assert result.metrics.sites_per_batch == 1.0  # everyone at the activated site rather than split


def test_whole_cohorts_move_with_their_household_rules():
    near = site("S1", [room("R1", 4), room("R2", 1), room("R3", 1)], lat=33.61)
    far = site("S2", [room(f"F{i}", 4) for i in range(3)] + [room(f"G{i}", 1) for i in range(3)], lat=33.9)
    people = [person("A1", "H1"), person("C1", "H1", age=5), person("A2", "H2"), person("C2", "H2", age=7),
              person("A3", "H3"), person("A4", "H4")]
    result = _solve(scenario([near, far], people))
    assert result.metrics.sites_per_batch == 1.0
