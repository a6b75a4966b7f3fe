"""What the planner tells its callers: the people limit in plan stats, reasons as codes, how many fit."""
import pytest
from planner_builders import person, room, scenario, site

from planner import FormatError, load_scenario, most_placeable, plan_from_dict, plan_to_dict, solve
from planner.reasons import SITES_NOT_READY, TEMPLATES, TEMPLATES_BY_CODE


def test_placed_bound_round_trips_in_plan_stats():
    data = {"format": "quarantine-plan/1", "assignments": [], "unassigned": [{"person": "P", "reason": "r"}],
            "stats": {"solve_seconds": 0.1, "status": "FEASIBLE", "objective": 1, "bound": 1,
                      "placed_bound": 12, "placed_bound_status": "best known"}}
    plan = plan_from_dict(data)
    assert plan.stats.placed_bound == 12 and plan.stats.placed_bound_status == "best known"
    assert plan_to_dict(plan) == data
    data["stats"]["placed_bound_status"] = "maybe"
    with pytest.raises(FormatError, match="stats.placed_bound_status: must be one of proven, best known"):
        plan_from_dict(data)


def test_one_template_per_code_and_texts_follow_them():
    assert TEMPLATES == tuple(TEMPLATES_BY_CODE.values()) and len(set(TEMPLATES)) == len(TEMPLATES)
    sc = load_scenario("tests/data/scenarios/demo-county-short.json")
    result = solve(sc, time_limit=3)
    texts = {u.person: u.reason for u in result.plan.unassigned}
    assert result.reasons and set(result.reasons) == set(texts)
    for pid, reason in result.reasons.items():
        main = TEMPLATES_BY_CODE[reason.code] % reason.params
        assert reason.text == texts[pid] and reason.text.startswith(main)
        rest = reason.text[len(main):]
        assert rest == "" or rest.startswith(SITES_NOT_READY.split("%")[0])


def test_suggested_sites_come_with_the_reason():
    sc = scenario([site("S1", [room("R1", 2)]), site("S2", [room("R2", 2)], ready=False, lat=33.7)],
                  [person("P0", "H1"), person("P1", "H1"), person("P2", "H2"), person("P3", "H2")])
    reason = solve(sc, time_limit=2).reasons["P2"]
    assert reason.code == "no_room" and reason.params == {"size": 2} and reason.suggested_sites == ("S2",)


def test_most_placeable_answers_without_a_plan_when_everyone_fits():
    sc = load_scenario("tests/data/scenarios/county-100.json")
    answer = most_placeable(sc, time_limit=1)
    assert answer.placed == answer.bound == len(sc.people) and answer.proven
    assert sum(answer.per_site.values()) == answer.placed


def test_most_placeable_when_beds_run_short():
    sc = load_scenario("tests/data/scenarios/demo-county-short.json")
    answer = most_placeable(sc, time_limit=3)
    assert (answer.placed, answer.bound, answer.proven) == (94, 94, True)
    assert sum(answer.per_site.values()) == 94 and set(answer.per_site) <= {s.id for s in sc.sites if s.ready}
