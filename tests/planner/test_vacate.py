"""Vacating floors: a cohort spread thin gives up a floor to people waiting, at any scale.

Each case starts from a plan set by hand, so what the move must do is plain.
"""
import time

from planner_builders import person, room, scenario, site

from planner import Occupant, solve, validate
from planner.construct import Occupancy
from planner.improve import occupancy_key
from planner.inventory import build_inventory
from planner.model import scenario_from_dict
from planner.outcome import as_best
from planner.placement import capacity_bound
from planner.solver import _first_plan
from planner.vacate import vacate_floors

FAR = 10**9


def _couple(household, category="close_contact"):
    return [person(f"{household}P{i}", household, category=category) for i in range(2)]


def _by_hand(sc, rooms: dict[str, str]) -> Occupancy:
    """The plan that puts each named household whole into the named room."""
    inv = build_inventory(sc)
    occ = Occupancy.empty(inv)
    slot = {s.room_id: s.index for s in inv.slots}
    for hh in inv.households:
        if hh.id in rooms:
            occ.put(hh, [(p, slot[rooms[hh.id]]) for p in hh.members])
    return occ


def _placed(occ: Occupancy) -> int:
    return sum(occ.inv.households[h].size for h in occ.placed)


def _room_of(occ: Occupancy, household: str) -> str:
    hh = next(h for h in occ.inv.households if h.id == household)
    return occ.inv.slots[occ.placed[hh.index][0][1]].room_id


def test_a_cohort_spread_over_two_floors_gives_one_up():
    # Two close-contact couples hold one room on each floor; the two secondary-contact couples
    # waiting need a floor of their own. One close-contact couple moves beside the other.
    sc = scenario([site("S1", [room("A1", 2), room("A2", 2), room("B1", 2, floor=2), room("B2", 2, floor=2)])],
                  _couple("C1") + _couple("C2") + _couple("S1", "secondary_contact")
                  + _couple("S2", "secondary_contact"))
    occ = _by_hand(sc, {"C1": "A1", "C2": "B1"})
    assert vacate_floors(occ, FAR) == 4
    assert _placed(occ) == 8 and validate(sc, as_best(occ.inv, occ).plan) == []
    assert {_room_of(occ, "C1")[0], _room_of(occ, "C2")[0]} in ({"A"}, {"B"})


def test_a_big_part_used_floor_is_traded_for_a_small_full_one():
    # The close-contact couple has the four-room floor to itself; the secondary contacts hold the
    # one-room floor and three more of their couples wait. Nowhere else for the close contacts, so
    # they take the small floor and the secondary contacts the big one: four couples instead of two.
    big = [room(f"A{i}", 2) for i in range(4)]
    sc = scenario([site("S1", big + [room("B1", 2, floor=2)])],
                  _couple("C1") + [p for i in range(4) for p in _couple(f"S{i}", "secondary_contact")])
    occ = _by_hand(sc, {"C1": "A0", "S0": "B1"})
    assert vacate_floors(occ, FAR) == 6
    assert _placed(occ) == 10 and validate(sc, as_best(occ.inv, occ).plan) == []
    assert _room_of(occ, "C1") == "B1"


def test_nothing_changes_when_no_move_places_more():
    # The close contacts fill their floor; the waiting secondary contacts' only way in would be a
    # floor nobody can give up.
    sc = scenario([site("S1", [room("A1", 2), room("B1", 2, floor=2)])],
                  _couple("C1") + _couple("C2") + _couple("S1", "secondary_contact"))
    occ = _by_hand(sc, {"C1": "A1", "C2": "B1"})
    before, rooms = occupancy_key(occ), dict(occ.placed)
    assert vacate_floors(occ, FAR) == 0
    assert occupancy_key(occ) == before and occ.placed == rooms


def test_a_site_limit_holds_while_floors_are_vacated():
    # The site may take 6 more: the move may give the floor to the waiting couples only so far.
    sc = scenario([site("S1", [room("A1", 2), room("A2", 2), room("B1", 2, floor=2), room("B2", 2, floor=2)],
                        limit=6)],
                  _couple("C1") + _couple("C2") + _couple("S1", "secondary_contact")
                  + _couple("S2", "secondary_contact"))
    occ = _by_hand(sc, {"C1": "A1", "C2": "B1"})
    assert vacate_floors(occ, FAR) == 2
    assert _placed(occ) == 6 and validate(sc, as_best(occ.inv, occ).plan) == []


def test_a_city_sized_short_night_places_more_with_every_rule_kept():
    """10,000 people for about 7,000 usable beds at 400 sites (too big for the count model): the first
    plan leaves cohorts' last floors part used while others wait; vacating floors places hundreds more."""
    from bench.generate import generate

    sc = scenario_from_dict(generate("overflow-city", seed=1))
    inv = build_inventory(sc)
    first = _first_plan(inv)
    occ = first.occ.copy()
    gained = vacate_floors(occ, FAR)
    after = as_best(inv, occ)
    assert gained == after.metrics.placed - first.metrics.placed >= 500
    assert after.metrics.placed <= capacity_bound(inv)
    assert validate(sc, after.plan) == []


def test_cohorts_of_one_site_trade_floors_on_the_model_of_the_floors_as_planned():
    # Close contacts hold the floor with the one 4-bed room (a couple in it), the secondary contacts
    # the floor with a 2-bed room; the close contacts' household of 4 waits. No floor can be vacated
    # (neither cohort has another), but on the model of the floors as planned, where both floors may
    # go to either cohort of the site, the household of 4 takes the big room and a couple the other.
    from planner.placement_large import floors_as_planned, improve_large

    sc = scenario([site("S1", [room("R4", 4), room("R2", 2, floor=2)])],
                  [person(f"H4P{i}", "H4") for i in range(4)] + _couple("H1") + _couple("H2", "secondary_contact"))
    occ = _by_hand(sc, {"H1": "R4", "H2": "R2"})
    assert vacate_floors(occ.copy(), FAR) == 0
    owners = {occ.owner[f.index] for f in occ.inv.floors}
    assert all(set(allowed) == owners for allowed in floors_as_planned(occ).values())
    better = improve_large(occ.inv, occ, capacity_bound(occ.inv), deadline=time.perf_counter() + 3, workers=2,
                           seed=0)
    assert _placed(better) == 6 and _room_of(better, "H4") == "R4"
    assert validate(sc, as_best(better.inv, better).plan) == []


def test_the_limit_counts_no_bed_that_nobody_arriving_may_use():
    # Floor 1 holds earlier secondary contacts (closed to the close contacts arriving), floor 2 holds
    # two cohorts already (closed to everyone), floor 3 is empty: only its 4 beds count.
    old = Occupant(category="secondary_contact", batch="OLD", household="X")
    mixed = (Occupant(category="close_contact", batch="OLD", household="Y"),
             Occupant(category="secondary_contact", batch="OLD", household="Z"))
    sc = scenario([site("S1", [room("A0", 2, status="occupied", occupants=(old,)), room("A1", 3),
                               room("B0", 3, floor=2, occupants=mixed), room("B1", 3, floor=2),
                               room("C1", 2, floor=3), room("C2", 2, floor=3)])],
                  [p for i in range(4) for p in _couple(f"C{i}")])
    result = solve(sc, time_limit=2)
    assert capacity_bound(build_inventory(sc)) == 4
    assert result.placed_bound == 4 and len(result.plan.assignments) == 4
