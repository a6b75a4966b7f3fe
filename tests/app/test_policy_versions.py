"""Policies are versioned: editing a policy people were placed under makes a new dated version; the
residents keep the version in force when they arrived (release day and test days do not move)."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from quarantine.localtime import local_to_utc, local_today
from quarantine.models import Person, Policy
from quarantine.people import services as people
from quarantine.policies.services import policy_in_force


def form_of(policy: Policy, **changes) -> dict:
    fields = ("name", "quarantine_days", "home_days", "pcr_test_days", "residents_per_doctor", "residents_per_nurse",
              "other_staff_min", "other_staff_max", "bus_seats", "bus_load_factor", "waste_collection_days",
              "supply_warning_days", "retention_days")
    return {**{f: getattr(policy, f) for f in fields}, "effective_from": policy.effective_from.isoformat(),
            "notes": "", **changes}


def arrive(db, make_person, days_ago: int) -> Person:
    person = make_person("李明")
    person.arrival_at = local_to_utc(datetime.combine(local_today() - timedelta(days=days_ago), time(9)))
    people.apply_release_date(person)
    db.session.commit()
    return person


def test_editing_a_policy_in_use_makes_a_version_and_residents_keep_theirs(db, make_person, signed_in):
    resident = arrive(db, make_person, 2)
    old = resident.policy
    old_id, old_days, old_tests, old_release = old.id, old.quarantine_days, old.pcr_test_days, resident.release_date
    client = signed_in("admin")
    response = client.post(f"/policy/{old_id}", data=form_of(old, quarantine_days=old_days + 3, pcr_test_days="1,3"),
                           follow_redirects=True)
    assert "new version" in response.get_data(as_text=True)
    db.session.expire_all()
    earlier = db.session.get(Policy, old_id)
    assert (earlier.quarantine_days, earlier.pcr_test_days) == (old_days, old_tests)
    assert earlier.superseded_at is not None
    current = db.session.get(Policy, earlier.superseded_by_id)
    assert (current.name, current.effective_from) == (earlier.name, earlier.effective_from)
    assert (current.quarantine_days, current.pcr_test_days) == (old_days + 3, "1,3")
    assert policy_in_force(local_today()).id == current.id

    resident = db.session.get(Person, resident.id)
    assert resident.policy_id == old_id and resident.release_date == old_release
    people.apply_release_date(resident)  # a later edit of the person does not move them either
    assert resident.policy_id == old_id and resident.release_date == old_release

    newcomer = arrive(db, make_person, 1)
    assert newcomer.policy_id == current.id

    page = client.get("/policy/").get_data(as_text=True)
    assert page.count(f">{current.name}</a>") == 1
    # The earlier version's address leads to the current one.
    assert client.get(f"/policy/{old_id}").headers["Location"].endswith(f"/policy/{current.id}")


def test_an_edit_that_leaves_residents_days_alone_changes_the_policy_in_place(db, make_person, signed_in):
    resident = arrive(db, make_person, 2)
    policy = resident.policy
    count = len(db.session.scalars(select(Policy)).all())
    response = signed_in("admin").post(f"/policy/{policy.id}", data=form_of(policy, bus_seats=30, notes="changed"))
    assert response.status_code == 302
    db.session.expire_all()
    same = db.session.get(Policy, policy.id)
    assert (same.bus_seats, same.superseded_at) == (30, None)
    assert len(db.session.scalars(select(Policy)).all()) == count


def test_a_policy_nobody_was_placed_under_changes_in_place(db, signed_in):
    policy = db.session.scalar(select(Policy).order_by(Policy.effective_from).limit(1))
    count = len(db.session.scalars(select(Policy)).all())
    assert signed_in("admin").post(f"/policy/{policy.id}", data=form_of(policy, pcr_test_days="1,2")).status_code == 302
    db.session.expire_all()
    assert db.session.get(Policy, policy.id).pcr_test_days == "1,2"
    assert len(db.session.scalars(select(Policy)).all()) == count


def test_a_new_version_starts_with_the_daily_use_of_supplies_of_the_earlier_one(db, make_person, signed_in):
    from quarantine.models import PolicySupplyRate, SupplyItem
    resident = arrive(db, make_person, 2)
    old = resident.policy
    item = db.session.scalar(select(SupplyItem).limit(1))
    if item is None:
        item = SupplyItem(code="mask", label_zh="口罩", label_en="Masks", unit_zh="个", unit_en="pcs")
        db.session.add(item)
        db.session.flush()
    db.session.merge(PolicySupplyRate(policy_id=old.id, item_id=item.id, per_resident=2.0, per_staff=3.0))
    db.session.commit()
    old_id = old.id
    signed_in("admin").post(f"/policy/{old_id}", data=form_of(old, pcr_test_days="1,5"))
    db.session.expire_all()
    current = db.session.get(Policy, db.session.get(Policy, old_id).superseded_by_id)
    rate = db.session.get(PolicySupplyRate, (current.id, item.id))
    assert (rate.per_resident, rate.per_staff) == (2.0, 3.0)
