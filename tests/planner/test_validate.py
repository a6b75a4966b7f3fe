"""validate catches each kind of violation in hand-built bad plans."""
import pytest
from planner_builders import person, room, scenario, site

from planner import Assignment, Occupant, Plan, Unassigned, validate

OTHER = (Occupant(category="secondary_contact", batch="OLD", household="X"),)
SC = scenario([site("S1", [room("R1", 2), room("R2", 1, accessible=False), room("R3", 1, status="cleaning"),
                           room("F2", 2, floor=2), room("F2b", 2, floor=2, occupants=OTHER, status="occupied"),
                           room("B4", 4, floor=3)], limit=4),
               site("S2", [room("N1", 2)], ready=False)],
              [person("P1", "H1"), person("P2", "H2"), person("C1", "H3", age=4), person("A3", "H3"),
               person("M1", "H4", needs=("mobility",))])


def plan(*placed, **left):
    assigned = [Assignment(person=p, site="S2" if r.startswith("N") else "S1", room=r) for p, r in placed]
    done = {p for p, _ in placed}
    rest = [Unassigned(person=p, reason="x") for p in ("P1", "P2", "C1", "A3", "M1") if p not in done]
    return Plan(assignments=assigned, unassigned=rest)


@pytest.mark.parametrize("bad, rule", [
    (plan(("P1", "R3")), 1),
    (plan(("P1", "N1")), 1),
    (plan(("P1", "R2"), ("C1", "R2"), ("A3", "R2")), 2),
    (plan(("P1", "R1"), ("P2", "R1")), 3),
    (plan(("C1", "R1"), ("A3", "F2")), 4),
    (plan(("C1", "R1")), 4),
    (plan(("P1", "F2")), 5),
    (plan(("M1", "R2")), 6),
    (plan(("A3", "B4"), ("C1", "B4")) if False else plan(("A3", "R1"), ("C1", "R1"), ("P1", "B4"), ("P2", "R2")), 8),
])
def test_each_violation_is_caught(bad, rule):
    assert rule in {v.rule for v in validate(SC, bad)}


def test_child_alone_in_room_is_rule7():
    sc = scenario([site("S1", [room("R1", 1), room("R2", 1)])], [person("C1", "H1", age=4), person("A1", "H1")])
    bad = Plan(assignments=[Assignment(person="C1", site="S1", room="R1"), Assignment(person="A1", site="S1", room="R2")])
    assert 7 in {v.rule for v in validate(sc, bad)}


def test_missing_duplicate_and_unknown_people_are_format_errors():
    bad = Plan(assignments=[Assignment(person="P1", site="S1", room="R1"), Assignment(person="ZZ", site="S1", room="R1")],
               unassigned=[Unassigned(person="P1", reason="x")])
    messages = [v.message for v in validate(SC, bad) if v.rule == "format"]
    assert any("unknown person ZZ" in m for m in messages)
    assert any("P1 appears 2 times" in m for m in messages)
    assert any("P2 appears neither" in m for m in messages)


def test_valid_plan_has_no_violations():
    good = plan(("A3", "R1"), ("C1", "R1"), ("M1", "B4"))
    assert validate(SC, good) == []
