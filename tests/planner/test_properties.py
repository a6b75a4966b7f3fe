"""Every plan the planner makes is valid, and it places everyone whenever the greedy baseline does."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.greedy import greedy_plan
from planner import Batch, Location, Person, Policy, Room, Scenario, Site, solve, validate


@st.composite
def scenarios(draw):
    sites = []
    for s in range(draw(st.integers(1, 3))):
        rooms = [Room(id=f"S{s}R{r}", building=draw(st.sampled_from("AB")), floor=draw(st.integers(1, 3)),
                      beds=draw(st.integers(1, 4)), accessible=draw(st.booleans()),
                      status=draw(st.sampled_from(["available"] * 4 + ["cleaning"])))
                 for r in range(draw(st.integers(1, 8)))]
        sites.append(Site(id=f"S{s}", name="", kind=draw(st.sampled_from(["fixed", "backup"])),
                          ready=draw(st.booleans()) or s == 0, location=Location(lat=33 + s / 10, lon=114),
                          capacity_limit=draw(st.one_of(st.none(), st.integers(0, 12))), rooms=rooms))
    people = []
    for h in range(draw(st.integers(1, 6))):
        category = draw(st.sampled_from(["close_contact", "secondary_contact"]))
        for k in range(draw(st.integers(1, 5))):
            people.append(Person(id=f"H{h}P{k}", household=f"H{h}", category=category,
                                 age=draw(st.integers(2, 80)), needs=draw(st.sampled_from([(), (), ("mobility",)]))))
    return Scenario(name="prop", sites=sites, policy=Policy(),
                    batches=[Batch(id="B1", origin="", location=Location(lat=33, lon=114), people=people)])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_planner_plans_are_valid_and_not_worse_than_greedy(scenario):
    result = solve(scenario, time_limit=1)
    assert validate(scenario, result.plan) == []
    greedy = greedy_plan(scenario)
    assert validate(scenario, greedy) == []
    assert len(result.plan.assignments) >= len(greedy.assignments)
    assert all(u.reason for u in result.plan.unassigned)
