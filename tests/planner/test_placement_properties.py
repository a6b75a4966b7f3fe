"""On small generated short-capacity scenarios the planner places exactly the most any plan can.

The maximum comes from trying plans with ``validate`` as the judge (``brute_force``),
so it shares nothing with the planner's count model.
"""
from brute_force import most_placed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner import Batch, Location, Occupant, Person, Policy, Room, Scenario, Site, solve, validate

CATEGORIES = ("close_contact", "secondary_contact")


@st.composite
def short_scenarios(draw):
    sites = []
    for s in range(draw(st.integers(1, 2))):
        rooms = []
        for r in range(draw(st.integers(1, 4 - s))):
            occupants = ()
            if draw(st.integers(0, 5)) == 0:
                occupants = (Occupant(category=draw(st.sampled_from(CATEGORIES)),
                                      batch=draw(st.sampled_from(["B1", "OLD"])),
                                      household=draw(st.sampled_from(["H0", "X"]))),)
            rooms.append(Room(id=f"S{s}R{r}", building="A", floor=draw(st.integers(1, 2)),
                              beds=draw(st.integers(1, 3)), accessible=draw(st.booleans()),
                              status=draw(st.sampled_from(["available"] * 5 + ["cleaning"])), occupants=occupants))
        sites.append(Site(id=f"S{s}", name="", kind="fixed", ready=s == 0 or draw(st.booleans()),
                          location=Location(lat=33 + s / 10, lon=114),
                          capacity_limit=draw(st.one_of(st.none(), st.integers(0, 6))), rooms=rooms))
    people: dict[str, list[Person]] = {"B1": [], "B2": []}
    for h in range(draw(st.integers(1, 4))):
        category = draw(st.sampled_from(CATEGORIES))
        batch = draw(st.sampled_from(["B1", "B1", "B2"]))
        for k in range(draw(st.integers(1, 3))):
            people[batch].append(Person(id=f"H{h}P{k}", household=f"H{h}", category=category,
                                        age=draw(st.sampled_from([5, 15, 40, 70, None])),
                                        needs=draw(st.sampled_from([(), (), (), ("mobility",)]))))
    separation = draw(st.sampled_from([("category", "batch"), ("category", "batch"), ("category",), ()]))
    shared = draw(st.integers(0, 3)) == 0
    return Scenario(name="short", sites=sites, policy=Policy(floor_separation=separation, household_rooms=not shared),
                    batches=[Batch(id=b, origin="", location=Location(lat=33, lon=114), people=members)
                             for b, members in people.items() if members])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(short_scenarios())
def test_places_the_most_possible_and_proves_it(scenario):
    result = solve(scenario, time_limit=2)
    assert validate(scenario, result.plan) == []
    placed = len(result.plan.assignments)
    assert placed <= result.placed_bound
    assert placed == result.placed_bound and result.placed_bound_status == "proven"
    assert placed == most_placed(scenario)
    assert set(result.reasons) == {u.person for u in result.plan.unassigned}
