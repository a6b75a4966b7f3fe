""""How many can we take?": a headcount against the live sites, before a roster exists."""
from __future__ import annotations

import pytest

from quarantine.demo import _lay_out
from quarantine.transfers.capacity_check import Headcount, check_capacity, household_sizes


def test_households_are_as_even_as_can_be():
    assert sorted(household_sizes(100, 40)) == [2] * 20 + [3] * 20
    assert household_sizes(5, 9) == [1] * 5
    assert sum(household_sizes(7, 3)) == 7


@pytest.fixture
def county(db, make_site):
    fixed = make_site("Fixed", ready=True, floors=(1, 2), rooms_per_floor=5, beds=2)  # 10 rooms, 20 beds
    laid_out = make_site("Laid-out backup", kind="backup", floors=(1, 1), rooms_per_floor=6, beds=3)
    _lay_out(laid_out)
    bare = make_site("Bare backup", kind="backup", floors=(1, 1), rooms_per_floor=2, beds=2)
    db.session.commit()
    return fixed, laid_out, bare


def test_everyone_fits_and_no_backup_is_needed(db, county):
    answer = check_capacity(Headcount(people=12, households=6, category="close_contact"))
    assert (answer.fit, answer.bound, answer.proven, answer.short) == (12, 12, True, 0)
    assert answer.backups == []


def test_beds_short_names_the_proven_maximum_and_what_backups_add(db, county):
    fixed, laid_out, bare = county
    # 40 people in 20 households of 2: the fixed site's 10 rooms take 10 households, 20 people.
    answer = check_capacity(Headcount(people=40, households=20, category="close_contact"))
    assert (answer.fit, answer.bound, answer.proven, answer.short) == (20, 20, True, 20)
    options = {o.site.name: o for o in answer.backups}
    assert options["Laid-out backup"].more == 12 and options["Bare backup"].more == 4
    assert answer.backups[0].site.name == "Laid-out backup"
    missing = {g.code for g in options["Laid-out backup"].gaps}
    assert "staff" in missing and "status" in missing  # laid out, but nobody on duty yet
    assert "zone:clean" in {g.code for g in options["Bare backup"].gaps}


def test_the_page_answers_hq_and_refuses_bad_input(db, county, signed_in):
    client = signed_in("hq")
    page = client.get("/transfers/capacity?people=40&households=20&category=close_contact").get_data(as_text=True)
    assert "20 of 40 fit in the ready sites; 20 do not." in page and "Proven: no plan places more than 20" in page
    assert "Prepare Laid-out backup" in page
    bad = client.get("/transfers/capacity?people=5&households=9&category=close_contact")
    assert bad.status_code == 400 and "more households than people" in bad.get_data(as_text=True)
    assert client.get("/transfers/capacity?people=&category=close_contact").status_code == 400
    assert signed_in("site_manager").get("/transfers/capacity").status_code == 403


def test_backup_sites_share_what_the_ready_sites_leave_of_the_time(db, county, make_site, monkeypatch):
    """Ten backup sites to try: the planner's seconds on them come out of one budget with the ready
    sites', so the answer stays within its two seconds however many there are. With the budget
    spent each backup gets the least; with time to spare, the most."""
    import planner
    from quarantine.transfers import capacity_check

    for k in range(10):
        make_site(f"Backup {k}", kind="backup", floors=(1, 1), rooms_per_floor=2, beds=2)
    db.session.commit()
    limits = []
    solve = planner.most_placeable

    def recorded(scenario, *, time_limit, **kw):
        limits.append(time_limit)
        return solve(scenario, time_limit=time_limit, **kw)

    monkeypatch.setattr(capacity_check.planner, "most_placeable", recorded)
    for budget, each in ((0.0, capacity_check.MIN_BACKUP_SECONDS), (100.0, capacity_check.BACKUP_SECONDS)):
        monkeypatch.setattr(capacity_check, "TOTAL_SECONDS", budget)
        limits.clear()
        answer = check_capacity(Headcount(people=40, households=20, category="close_contact"))
        assert len(answer.backups) == capacity_check.MAX_BACKUP_SITES
        assert limits == [capacity_check.READY_SECONDS] + [each] * capacity_check.MAX_BACKUP_SITES
