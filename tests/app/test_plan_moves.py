"""Hand moves in a plan are checked on the floors they touch only; the verdict must be the validator's.

For generated sites, residents and batches, random moves (a person, or their household, to a random
room or out of the plan) are checked by the incremental move check and, independently, by
`planner.validate` on the whole changed plan: both must accept or both must refuse.
"""
from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import select

import planner
from quarantine.localtime import local_today
from quarantine.models import Person, PlanRun, Room
from quarantine.stays import lifecycle
from quarantine.transfers import plan_store, planning
from quarantine.transfers.plan_moves import check_move, household_of, move_in_plan
from tests.app.transfer_helpers import make_batch

CATEGORIES = ("close_contact", "secondary_contact")


def _world(db, make_site, make_person, make_user, rng: random.Random):
    sites = []
    for s in range(rng.randint(1, 2)):
        site = make_site(f"Site {s}", floors=(1, rng.randint(1, 3)), rooms_per_floor=rng.randint(2, 4),
                         beds=rng.choice((1, 2, 3)), ready=True, capacity_limit=rng.choice((None, None, 14)))
        for room in site.buildings[0].rooms:
            room.beds = rng.choice((1, 2, 3))
            room.accessible = rng.random() < 0.4
        sites.append(site)
    db.session.commit()
    clerk = make_user("admin")
    # A few residents already there, so floors have cohorts of their own.
    for site in sites:
        for room in rng.sample(site.buildings[0].rooms, k=min(2, len(site.buildings[0].rooms))):
            resident = make_person(f"住{room.id}", category_code=rng.choice(CATEGORIES), site_id=site.id)
            try:
                lifecycle.check_in(resident, room.id, clerk)
            except Exception:
                db.session.rollback()
    batches = [make_batch(db, f"B-{b}") for b in range(rng.randint(1, 2))]
    today = local_today()
    n = 0
    for batch in batches:
        for h in range(rng.randint(2, 6)):
            category = rng.choice(CATEGORIES)
            for k in range(rng.randint(1, 3)):
                n += 1
                age = rng.choice((40, 35, 70, 8, 16)) if k else rng.choice((40, 60, 30))
                person = Person(name=f"{batch.code}-{n}", id_kind="passport", id_number=f"E{rng.randint(10**7, 10**8)}{n}",
                                category_code=category, diet_code="regular", status="expected", household=f"H{h}",
                                batch_id=batch.id, birth_date=today - timedelta(days=365 * age + 30))
                db.session.add(person)
                if rng.random() < 0.15:
                    db.session.flush()
                    from quarantine.people.services import set_needs
                    set_needs(person, ["mobility"])
    db.session.commit()
    return sites, batches, clerk


def _moved(plan: planner.Plan, moving: list[str], room: str | None, site: str | None) -> planner.Plan:
    assignments = [a for a in plan.assignments if a.person not in moving]
    unassigned = [u for u in plan.unassigned if u.person not in moving]
    if room is None:
        unassigned += [planner.Unassigned(k, "taken out by hand") for k in moving]
    else:
        assignments += [planner.Assignment(k, site, room) for k in moving]
    return planner.Plan(tuple(assignments), tuple(unassigned), plan.stats)


@pytest.mark.parametrize("seed", range(10))
def test_move_check_agrees_with_the_validator(db, make_site, make_person, make_user, seed):
    rng = random.Random(seed)
    sites, batches, clerk = _world(db, make_site, make_person, make_user, rng)
    run = planning.queue_plan(batches, clerk, time_limit=2)
    assert run.status == "done"
    scenario = plan_store.scenario_of(run)
    rooms = db.session.scalars(select(Room).where(Room.site_id.in_([s.id for s in sites]))).all()
    people = [p.id for b in scenario.batches for p in b.people]
    agreed = refused = 0
    for _ in range(12):
        plan = plan_store.plan_of(run)
        person = rng.choice(people)
        moving = household_of(run, person) if rng.random() < 0.6 else [person]
        # Half the time a room the plan leaves empty, so accepted moves are tried as often as refused ones.
        empty = [r for r in rooms if f"R{r.id}" not in {a.room for a in plan.assignments} and not r.held]
        target = rng.choice(empty) if empty and rng.random() < 0.5 else rng.choice(rooms + [None])
        room_key = f"R{target.id}" if target else None
        site_key = f"S{target.site_id}" if target else None
        problems, changed = check_move(run, moving, room_key)
        expected = planner.validate(scenario, _moved(plan, moving, room_key, site_key))
        assert (changed is not None) == (expected == []), (moving, room_key, problems, expected)
        if changed is not None:
            assert planner.validate(scenario, changed) == []
            agreed += 1
        else:
            assert problems and all("R" + str(r.id) not in " ".join(problems) for r in rooms)
            refused += 1
    assert agreed + refused == 12


def test_a_saved_move_updates_plan_reasons_and_summary(db, make_site, make_person, make_user):
    site = make_site("Hotel", floors=(1, 2), rooms_per_floor=3, beds=2, ready=True)
    batch = make_batch(db)
    for i in range(3):
        db.session.add(Person(name=f"甲{i}", id_kind="passport", id_number=f"E0000{i}", category_code="close_contact",
                              diet_code="regular", status="expected", household=f"H{i}", batch_id=batch.id,
                              birth_date=date(1980, 1, 1)))
    db.session.commit()
    run = planning.queue_plan([batch], make_user("hq"), time_limit=2)
    plan = plan_store.plan_of(run)
    mover = plan.assignments[0].person
    assert move_in_plan(run, mover, None) == []
    db.session.refresh(run)
    assert mover in {u.person for u in plan_store.plan_of(run).unassigned}
    assert plan_store.reasons_of(run)[mover].code == "taken_out_by_hand"
    assert sum(s["people"] for s in plan_store.review_summary(run)["sites"]) == 2
    free = next(r for r in site.buildings[0].rooms
                if f"R{r.id}" not in {a.room for a in plan_store.plan_of(run).assignments})
    assert move_in_plan(run, mover, f"R{free.id}") == []
    db.session.refresh(run)
    assert mover not in plan_store.reasons_of(run)
    assert sum(s["people"] for s in plan_store.review_summary(run)["sites"]) == 3
    assert isinstance(db.session.get(PlanRun, run.id).placed, int) and run.placed == 3
