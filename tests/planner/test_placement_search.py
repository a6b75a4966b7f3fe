"""The neighbourhood search of the max-placement phase: cohorts trade floors, side-by-side steps merge safely.

Each case starts the search from a plan chosen by hand, so what the search must do is plain.
"""
import random
import threading
import time

import pytest
from ortools.sat.python import cp_model
from planner_builders import person, room, scenario, site
from test_max_placement import CASES

from planner import placement, solve, validate
from planner.inventory import build_inventory
from planner.model import scenario_from_dict
from planner.placement_data import build_placement_data
from planner.placement_lp import Relaxation
from planner.placement_model import build_placement_model
from planner.placement_rooms import realise
from planner.placement_search import Incumbent, _cohort_sets, _free_variables, _owners, _taken_in, counts_of, improve
from planner.placement_steps import StepAnswer, StepModels

CLOSE, SECONDARY = ("close_contact", "B1"), ("secondary_contact", "B1")


def _couple(household, category):
    return [person(f"{household}P{i}", household, category=category) for i in range(2)]


def _model(sc):
    data = build_placement_data(build_inventory(sc))
    pm = build_placement_model(data)
    pm.model.maximize(pm.placed())
    return data, pm


def _start(pm, floors: dict[int, tuple], households: dict[tuple[int, int], int]) -> Incumbent:
    """A plan given as the cohort of each floor group and the households of each class placed there."""
    values = {pm.take[(g, cohort)].index: 1 for g, cohort in floors.items()}
    values.update({pm.pool[key].index: n for key, n in households.items()})
    values = pm.completed(values)
    return Incumbent(values, pm.placed_by(values))


def _class(data, cohort, size):
    return next(c.index for c in data.classes if c.group == cohort and c.size == size)


def _people(data, incumbent, pm):
    occ = realise(data, counts_of(pm, incumbent.values))
    return sum(data.inv.households[h].size for h in occ.placed)


def _trading_scenario():
    return scenario([site("S1", [room("R4", 4), room("R2", 2, floor=2)])],
                    [person(f"H4P{i}", "H4") for i in range(4)] + _couple("H1", "close_contact")
                    + _couple("H2", "secondary_contact"))


def _holds(pm, values) -> bool:
    """Every constraint of the model holds for these values (CP-SAT with every variable fixed)."""
    model = pm.model.clone()
    for index in range(len(model.proto.variables)):
        domain = model.proto.variables[index].domain
        domain.clear()
        domain.extend([values.get(index, 0)] * 2)
    return cp_model.CpSolver().solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def test_two_cohorts_trade_floors():
    """The close contacts' household of 4 only fits the 4-bed room on floor 1, which the start gave to
    the secondary contacts' couple, while a close-contact couple holds floor 2. Neither cohort can
    mend that alone (each would have to give up its couple first); the two together can (4 + 2)."""
    data, pm = _model(_trading_scenario())
    floor1, floor2 = data.group_of_floor[0], data.group_of_floor[1]
    start = _start(pm, {floor1: SECONDARY, floor2: CLOSE},
                   {(floor1, _class(data, SECONDARY, 2)): 1, (floor2, _class(data, CLOSE, 2)): 1})
    assert start.placed == 4
    # alone, the close contacts have no idle bed and the secondary contacts nobody waiting: the
    # search goes straight to the pair
    assert _cohort_sets(pm, 1, random.Random(0), start.values) == []
    assert _cohort_sets(pm, 2, random.Random(0), start.values) == [(CLOSE, SECONDARY)]
    best = improve(pm, start, 6, deadline=time.perf_counter() + 5, workers=2, seed=0)
    assert best.placed == 6
    assert _people(data, best, pm) == 6  # the counts turn into rooms


def test_side_by_side_steps_keep_a_shared_site_limit():
    """Each cohort alone can place its couple on a floor of its own, but the site may take only two
    more people: the two steps run side by side and must not both be kept."""
    sc = scenario([site("S1", [room("R1", 2), room("R2", 2, floor=2)], limit=2)],
                  _couple("H1", "close_contact") + _couple("H2", "secondary_contact"))
    data, pm = _model(sc)
    best = improve(pm, Incumbent({}, 0), 4, deadline=time.perf_counter() + 2, workers=2, seed=0)
    assert best.placed == 2
    assert _people(data, best, pm) == 2
    taken = [cohort for (g, cohort), var in pm.take.items() if best.values.get(var.index)]
    assert len(taken) == 1


@pytest.mark.parametrize("name", CASES)
def test_without_the_whole_model_search_the_known_maximum_is_still_found(name, monkeypatch):
    """The cases with a known maximum, with the whole-model search that settles small models switched
    off: the neighbourhood search has to find and prove it."""
    monkeypatch.setattr(placement, "WHOLE_MODEL_VARIABLES", 0)
    sc, most = CASES[name]
    result = solve(sc, time_limit=3)
    assert validate(sc, result.plan) == []
    assert len(result.plan.assignments) == most
    assert result.placed_bound == most and result.placed_bound_status == "proven"


def test_the_dive_ends_in_a_plan_the_search_fills():
    """On a small model the LP is dived on until every floor is whole; rounded down, its solution keeps
    every constraint, and the search from it places the most (4 + 2)."""
    data, pm = _model(_trading_scenario())
    lp = Relaxation(pm.model, dive=True)
    assert lp.solve(5) and lp.bound == 6
    takes, finished = lp.dive([columns for _, columns in placement._take_groups(pm)], time.perf_counter() + 5, 0.5)
    assert finished and all(value in (0, 1) for value in takes.values())
    rounded = pm.completed(lp.rounded_down([v.index for v in pm.decisions()]))
    assert _holds(pm, rounded)
    start = Incumbent(rounded, pm.placed_by(rounded))
    assert improve(pm, start, 6, deadline=time.perf_counter() + 5, workers=2, seed=0).placed == 6


@pytest.mark.parametrize("links", ["kept", "left out"])
def test_floors_as_the_lp_leans(links):
    """Only the close contacts fill the 4-bed room of floor 1 (the LP gives them all of it); floor 2
    goes whole to one cohort at most. With the LP's households rounded down where a cohort got its
    share of floors, the start keeps every constraint, and the search fills it. Large models leave
    the household-to-floor links out of the LP: the bound is the same here."""
    data, pm = _model(_trading_scenario())
    lp = Relaxation(pm.model, dive=False, leave_out=pm.links if links == "left out" else ())
    assert lp.solve(5) and lp.bound == 6
    floors = lp.leaning(placement._take_groups(pm))
    floor1, floor2 = data.group_of_floor[0], data.group_of_floor[1]
    assert floors[pm.take[(floor1, CLOSE)].index] == 1 and floors[pm.take[(floor1, SECONDARY)].index] == 0
    assert floors[pm.take[(floor2, CLOSE)].index] + floors[pm.take[(floor2, SECONDARY)].index] <= 1
    values = pm.completed(placement._households_as_lp_leans(pm, lp, floors))
    assert _holds(pm, values)
    assert pm.placed_by(values) >= 4  # the close contacts' household of 4 on floor 1, as the LP has it
    start = Incumbent(values, pm.placed_by(values))
    assert improve(pm, start, 6, deadline=time.perf_counter() + 5, workers=2, seed=0).placed == 6


@pytest.mark.parametrize("name", CASES)
def test_the_lp_without_links_still_bounds_the_known_maximum(name):
    """Leaving the links out loosens the LP, never past what can be placed: its bound is at least
    the known maximum and at least the full LP's."""
    sc, most = CASES[name]
    _, pm = _model(sc)
    full, loose = Relaxation(pm.model, dive=False), Relaxation(pm.model, dive=False, leave_out=pm.links)
    assert full.solve(5) and loose.solve(5)
    assert loose.bound >= full.bound >= most


def _two_couples(limit):
    sc = scenario([site("S1", [room("R1", 2), room("R2", 2, floor=2)], limit=limit)],
                  _couple("H1", "close_contact") + _couple("H2", "secondary_contact"))
    data, pm = _model(sc)
    close = _start(pm, {data.group_of_floor[0]: CLOSE}, {(data.group_of_floor[0], _class(data, CLOSE, 2)): 1})
    secondary = _start(pm, {data.group_of_floor[1]: SECONDARY},
                       {(data.group_of_floor[1], _class(data, SECONDARY, 2)): 1})
    return pm, close, secondary


def test_an_answer_to_an_older_plan_is_taken_in_where_the_shared_limits_hold():
    """A step on the secondary contacts started from the empty plan; meanwhile the close contacts'
    couple was placed. Its answer (the other couple on floor 2) carries over onto the best plan:
    both couples, as long as the site may take four more people."""
    pm, close, secondary = _two_couples(limit=4)
    taken = _taken_in(pm, close, Incumbent({}, 0), StepAnswer(secondary.values, secondary.placed))
    assert taken is not None and taken.placed == 4
    assert _holds(pm, taken.values)


def test_an_answer_to_an_older_plan_is_refused_where_a_site_limit_would_break():
    """The same two steps at a site that may take two more people: the later answer is refused (None,
    so the search tries that cohort again from the plan as it is now), and a worse answer leaves
    the best plan as it is."""
    pm, close, secondary = _two_couples(limit=2)
    assert _taken_in(pm, close, Incumbent({}, 0), StepAnswer(secondary.values, secondary.placed)) is None
    assert _taken_in(pm, close, close, StepAnswer({}, 0)) is close


def test_a_cohort_with_everyone_placed_is_not_freed_alone():
    """Freeing a cohort whose households all have a bed can place nobody more: the first round skips
    it, and each pair keeps at least one cohort with people waiting."""
    pm, close, _ = _two_couples(limit=4)
    assert _cohort_sets(pm, 1, random.Random(0), close.values) == [(SECONDARY,)]
    assert _cohort_sets(pm, 2, random.Random(0), close.values) == [(CLOSE, SECONDARY)]


def test_a_cancelled_short_night_stops_soon_with_a_valid_plan():
    """Cancelled while the LP of a 2,000-person short night is being solved and searched beside it:
    the run stops within a few seconds, not at its 60 s limit, and its plan is valid."""
    from bench.generate import generate

    sc = scenario_from_dict(generate("overflow-2000-20", seed=1))
    cancel = threading.Event()
    threading.Timer(2.5, cancel.set).start()
    start = time.perf_counter()
    result = solve(sc, time_limit=60, cancel=cancel)
    assert time.perf_counter() - start < 10
    assert validate(sc, result.plan) == []
    assert len(result.plan.assignments) <= result.placed_bound


def test_a_step_model_cut_from_the_whole_finds_the_trade():
    """Cut down to the two cohorts' variables on the trading scenario, the step's own model finds the
    plan placing 6 from the start placing 4, and the changes give a plan the whole model accepts."""
    data, pm = _model(_trading_scenario())
    floor1, floor2 = data.group_of_floor[0], data.group_of_floor[1]
    start = _start(pm, {floor1: SECONDARY, floor2: CLOSE},
                   {(floor1, _class(data, SECONDARY, 2)): 1, (floor2, _class(data, CLOSE, 2)): 1})
    free = _free_variables(pm, _owners(pm), start.values, {CLOSE, SECONDARY})
    answer = StepModels(pm).solve(free, start.values, start.placed, 6, time_limit=5, seed=0, cancel=None)
    assert answer is not None and answer.placed == 6
    assert set(answer.changes) <= free
    values = {**start.values, **answer.changes}
    assert _holds(pm, values) and pm.placed_by(values) == 6


def test_a_step_model_keeps_what_the_fixed_variables_hold():
    """The close contacts' couple fills the site's limit of two; freed alone, the secondary contacts
    can place nobody (the fixed couple's share of the limit is in the cut model's bounds), and the
    bound given to the step caps it too."""
    pm, close, _ = _two_couples(limit=2)
    steps = StepModels(pm)
    free = _free_variables(pm, _owners(pm), close.values, {SECONDARY})
    answer = steps.solve(free, close.values, close.placed, 4, time_limit=5, seed=0, cancel=None)
    assert answer is not None and answer.placed == 2
    pm, close, _ = _two_couples(limit=4)
    free = _free_variables(pm, _owners(pm), close.values, {SECONDARY})
    assert StepModels(pm).solve(free, close.values, close.placed, 4, time_limit=5, seed=0, cancel=None).placed == 4
    assert StepModels(pm).solve(free, close.values, close.placed, 3, time_limit=5, seed=0, cancel=None).placed == 2
