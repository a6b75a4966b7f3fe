import json

import pytest

from planner import FormatError, Room, load_scenario, plan_from_dict, plan_to_dict, scenario_to_dict

SAMPLE = "tests/data/scenarios/county-100.json"


def test_round_trip_keeps_scenario():
    scenario = load_scenario(SAMPLE)
    assert load_scenario(scenario_to_dict(scenario)) == scenario


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["sites"][2]["rooms"][5].update(beds=-1), "sites[2].rooms[5].beds: must be a non-negative integer"),
    (lambda d: d["sites"][0].update(kind="spare"), "sites[0].kind: must be one of fixed, backup"),
    (lambda d: d["batches"][0]["people"][3].pop("household"), "batches[0].people[3].household: is required"),
    (lambda d: d["sites"][1]["location"].update(lat=123), "sites[1].location.lat: must be between"),
    (lambda d: d.update(format="x"), "format: must be"),
])
def test_malformed_scenario_names_the_path(mutate, message):
    data = json.load(open(SAMPLE))
    mutate(data)
    with pytest.raises(FormatError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_scenario(data)


def test_records_accept_plain_python():
    r = Room(id="R1", building="A", floor=1, beds=2, occupants=[{"category": "c", "batch": "b", "household": "h"}])
    assert r.occupants[0].household == "h"


def test_plan_round_trip_with_suggestions():
    data = {"format": "quarantine-plan/1", "assignments": [{"person": "P", "site": "S", "room": "R"}],
            "unassigned": [{"person": "Q", "reason": "r", "suggested_sites": ["S7"]}],
            "stats": {"solve_seconds": 0.1, "status": "OPTIMAL", "objective": 1, "bound": 1}}
    assert plan_to_dict(plan_from_dict(data)) == data
