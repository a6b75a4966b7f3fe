"""PCR tests: the schedule from the policy, who is due per floor, bulk results per floor (all or
nothing), and the positive-result cascade: the case is transferred out, the room goes to
cleaning, release dates restart on the floor and the floors directly above and below."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from quarantine.health import clock, pcr
from quarantine.localtime import local_today, utc_to_local
from quarantine.models import AffectedResident, Building, PcrTest, PositiveCase, Room
from quarantine.stays import lifecycle, release
from tests.app.health_helpers import (  # noqa: F401  (fixtures)
    admin,
    days_ago,
    local_at,
    policy14,
    reload,
    room,
    settle,
    text,
    tower,
)


def now_local() -> str:
    from datetime import datetime, timezone
    return utc_to_local(datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M")


def results_form(rows: list[tuple[object, str]], sampled_at: str | None = None, hospital: str = "") -> dict:
    data = {"sampled_at": sampled_at if sampled_at is not None else now_local(), "hospital": hospital}
    for i, (person_id, result) in enumerate(rows):
        data[f"rows-{i}-person_id"] = str(person_id)
        data[f"rows-{i}-result"] = result
    return data


def post_results(client, site, floor, rows, building=None, **kwargs):
    building = building or site.buildings[0]
    return client.post(f"/health/sites/{site.id}/floors/{building.id}/{floor}/pcr",
                       data=results_form(rows, **kwargs))


def count_tests(db) -> int:
    return db.session.scalar(select(func.count(PcrTest.id)))


# --- schedule and due lists ------------------------------------------------------------------------

def test_due_list_per_floor_follows_the_test_days(db, tower, admin, make_person, signed_in):
    day1 = settle(make_person, tower, "A-101", admin, arrived=local_today(), name="第一天")
    settle(make_person, tower, "A-102", admin, arrived=days_ago(2), name="第三天")
    day4 = settle(make_person, tower, "A-201", admin, arrived=days_ago(3), name="第四天")
    due = pcr.due_by_floor(tower, local_today())
    assert [(f.floor, [r.person.name for r in f.residents]) for f in due] == [(1, ["第一天"]), (2, ["第四天"])]

    client = signed_in("site_manager", sites=[tower])
    page = text(client.get(f"/health/sites/{tower.id}/pcr"))
    assert "第一天" in page and "第四天" in page and "第三天" not in page

    response = post_results(client, tower, 1, [(day1.id, "negative")])
    assert response.status_code == 302
    assert [f.floor for f in pcr.due_by_floor(tower, local_today())] == [2]
    test = db.session.scalar(select(PcrTest))
    assert (test.person_id, test.result, test.sample_day, test.recorded_by_id) == (
        day1.id, "negative", local_today(), client.user.id)
    assert day4.id not in [t.person_id for t in db.session.scalars(select(PcrTest))]


def test_floor_form_lists_everyone_on_the_floor_marking_who_is_due(db, tower, admin, make_person, signed_in):
    settle(make_person, tower, "A-101", admin, arrived=local_today(), name="今天到")
    settle(make_person, tower, "A-102", admin, arrived=days_ago(1), name="昨天到")
    page = text(signed_in("hq").get(f"/health/sites/{tower.id}/floors/{tower.buildings[0].id}/1/pcr"))
    assert "今天到" in page and "昨天到" in page
    assert page.count('name="rows-') == 4  # person id and result for each of the two


def test_blank_rows_are_not_entries(db, tower, admin, make_person, signed_in):
    a = settle(make_person, tower, "A-101", admin, arrived=local_today())
    b = settle(make_person, tower, "A-102", admin, arrived=local_today())
    response = post_results(signed_in("hq"), tower, 1, [(a.id, "negative"), (b.id, "")])
    assert response.status_code == 302
    assert [t.person_id for t in db.session.scalars(select(PcrTest))] == [a.id]


# --- bad input: nothing is written ---------------------------------------------------------------

@pytest.fixture
def floor_two(db, tower, admin, make_person, make_site):
    """Two residents on A floor 2, one on A floor 3, one at another site."""
    first = settle(make_person, tower, "A-201", admin, arrived=days_ago(3), name="王一")
    second = settle(make_person, tower, "A-202", admin, arrived=days_ago(3), name="王二")
    upstairs = settle(make_person, tower, "A-301", admin, arrived=days_ago(3), name="楼上")
    other = make_site("Other hotel", ready=True)
    elsewhere = make_person("别处人", site_id=other.id)
    lifecycle.check_in(elsewhere, other.buildings[0].rooms[0].id, admin)
    return {"first": first, "second": second, "upstairs": upstairs, "elsewhere": elsewhere}


@pytest.mark.parametrize("rows,extra,message", [
    pytest.param([("first", "negative"), ("elsewhere", "negative")], {},
                 "Row 2: that person is not checked in on floor 2 of building A at this site.",
                 id="person-of-another-site"),
    pytest.param([("first", "negative"), ("upstairs", "negative")], {},
                 "Row 2: that person is not checked in on floor 2 of building A at this site.",
                 id="person-of-another-floor"),
    pytest.param([("first", "negative"), (999999, "negative")], {},
                 "Row 2: that person is not checked in on floor 2", id="unknown-person"),
    pytest.param([("first", "negative"), ("abc", "negative")], {}, "Not a person of this floor.",
                 id="person-id-not-a-number"),
    pytest.param([("first", "negative"), ("second", "maybe")], {}, "Not a valid choice", id="unknown-result"),
    pytest.param([("first", "negative"), ("second", "positive")], {},
                 "Name the designated hospital the positive case goes to.", id="positive-without-hospital"),
    pytest.param([("first", "negative"), ("first", "positive")], {"hospital": "县医院"},
                 "A-201 王一 appears twice.", id="same-person-twice"),
    pytest.param([("first", "negative")], {"sampled_at": "{tomorrow}T08:00"}, "is in the future",
                 id="sample-in-the-future"),
    pytest.param([("first", "negative")], {"sampled_at": "{before_arrival}T08:00"},
                 "A-201 王一 arrived on", id="sample-before-arrival"),
    pytest.param([("first", "negative")], {"sampled_at": ""}, "This field is required.", id="no-sample-time"),
    pytest.param([("first", "negative")], {"sampled_at": "8 o'clock"}, "Not a valid datetime value",
                 id="sample-time-not-a-time"),
    pytest.param([("first", ""), ("second", "")], {}, "Enter at least one result.", id="nothing-entered"),
    pytest.param([("first", "negative")], {"hospital": "x" * 121}, "Field cannot be longer than 120 characters",
                 id="hospital-too-long"),
])
def test_bad_results_are_refused_and_none_written(db, tower, floor_two, signed_in, rows, extra, message):
    client = signed_in("site_manager", sites=[tower])
    ids = [(floor_two[who].id if who in floor_two else who, result) for who, result in rows]
    fields = {k: v.format(tomorrow=(local_today() + timedelta(days=1)).isoformat(),
                          before_arrival=days_ago(4).isoformat()) for k, v in extra.items()}
    response = post_results(client, tower, 2, ids, **fields)
    assert response.status_code == 400
    page = text(response)
    assert message in page and "Nothing was saved" in page
    assert count_tests(db) == 0
    assert all(reload(db, p).status == "in_quarantine" for p in floor_two.values())


def test_a_second_result_on_the_same_day_is_refused(db, tower, floor_two, signed_in):
    client = signed_in("hq")
    assert post_results(client, tower, 2, [(floor_two["first"].id, "negative")]).status_code == 302
    response = post_results(client, tower, 2, [(floor_two["second"].id, "negative"),
                                               (floor_two["first"].id, "negative")])
    assert response.status_code == 400
    assert f"A-201 王一 already has a result for {local_today().isoformat()}." in text(response)
    assert count_tests(db) == 1


def test_the_database_refuses_an_unknown_result(db, tower, floor_two):
    from sqlalchemy.exc import IntegrityError
    db.session.add(PcrTest(person_id=floor_two["first"].id, site_id=tower.id, sampled_at=local_at(local_today()),
                           sample_day=local_today(), result="unclear"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


# --- the positive cascade ------------------------------------------------------------------------

@pytest.fixture
def populated(db, tower, admin, make_person):
    """One resident on every floor of A (rooms x01, x02) and of B (x01), all arrived 10 days ago."""
    people = {}
    for floor in range(1, 6):
        for n in (1, 2):
            label = f"A-{floor}0{n}"
            people[label] = settle(make_person, tower, label, admin, arrived=days_ago(10), name=f"住{label}")
    for floor in range(1, 4):
        label = f"B-{floor}01"
        people[label] = settle(make_person, tower, label, admin, arrived=days_ago(10), name=f"住{label}")
    return people


def test_positive_result_transfers_out_and_restarts_the_floor_and_its_neighbours(db, tower, populated, signed_in):
    case_person = populated["A-301"]
    client = signed_in("site_manager", sites=[tower])
    response = post_results(client, tower, 3, [(case_person.id, "positive"), (populated["A-302"].id, "negative")],
                            hospital="县人民医院 (designated)")
    assert response.status_code == 302 and "/notice" in response.headers["Location"]

    case_person = reload(db, case_person)
    assert case_person.status == "transferred_out" and case_person.current_stay is None
    assert case_person.stays[-1].end_reason == "transferred_out"
    assert "县人民医院" in case_person.stays[-1].note
    assert reload(db, room(tower, "A-301")).status == "cleaning"

    restarted = local_today() + timedelta(days=14)
    original = days_ago(10) + timedelta(days=14)
    affected = {"A-201", "A-202", "A-302", "A-401", "A-402"}
    for label, person in populated.items():
        if label == "A-301":
            continue
        expected = restarted if label in affected else original
        assert reload(db, person).release_date == expected, label

    case = db.session.scalar(select(PositiveCase))
    assert (case.floor, case.room_label, case.positive_day, case.hospital) == (
        3, "A-301", local_today(), "县人民医院 (designated)")
    assert {a.room_label for a in case.affected} == affected
    assert all(a.old_release_date == original and a.new_release_date == restarted for a in case.affected)

    # The restart also restarts the test schedule: today is day 1 again, so a test is due.
    neighbour = reload(db, populated["A-401"])
    assert clock.quarantine_start(neighbour) == local_today()
    assert clock.pcr_due(neighbour, local_today())


def test_notice_lists_who_was_affected_and_can_be_reprinted(db, tower, populated, signed_in):
    client = signed_in("site_manager", sites=[tower])
    post_results(client, tower, 1, [(populated["A-101"].id, "positive")], hospital="县人民医院")
    case = db.session.scalar(select(PositiveCase))
    first = text(client.get(f"/health/positive-cases/{case.id}/notice"))
    assert "Notice: quarantine restarted after a positive case" in first
    for label in ("A-102", "A-201", "A-202"):
        assert f"住{label}" in first
    assert "住A-301" not in first and "住B-101" not in first
    assert (local_today() + timedelta(days=14)).isoformat() in first
    # Later releases or moves do not change the stored list.
    release.release(reload(db, populated["A-202"]), client.user, early_reason="test")
    again = text(client.get(f"/health/positive-cases/{case.id}/notice"))
    assert again.count("住A-") == first.count("住A-")
    listing = text(client.get(f"/health/sites/{tower.id}/positive-cases"))
    assert "县人民医院" in listing and f"/health/positive-cases/{case.id}/notice" in listing


def test_a_restart_never_shortens_a_later_release_date(db, tower, admin, make_person, signed_in):
    case_person = settle(make_person, tower, "A-201", admin, arrived=days_ago(10))
    # Arrived yesterday with another policy that kept them 21 days: later than a restart today.
    late = settle(make_person, tower, "A-202", admin, arrived=days_ago(1))
    late.release_date = local_today() + timedelta(days=20)
    db.session.commit()
    post_results(signed_in("hq"), tower, 2, [(case_person.id, "positive")], hospital="县医院")
    assert reload(db, late).release_date == local_today() + timedelta(days=20)
    entry = db.session.scalar(select(AffectedResident))
    assert entry.old_release_date == entry.new_release_date == local_today() + timedelta(days=20)


def test_a_restart_gives_a_resident_without_a_policy_its_test_schedule(db, tower, admin, make_person, policy14,
                                                                       signed_in):
    # Arrived before any policy was in force (the earliest seeded one starts 2021-05-11): no policy,
    # no release date, no test days.
    early = settle(make_person, tower, "A-102", admin, arrived=date(2021, 1, 4))
    assert early.policy_id is None and early.release_date is None and clock.pcr_dates(early) == []
    case_person = settle(make_person, tower, "A-101", admin, arrived=days_ago(10))
    post_results(signed_in("hq"), tower, 1, [(case_person.id, "positive")], hospital="县医院")
    early = reload(db, early)
    assert early.policy_id == policy14.id
    assert early.release_date == local_today() + timedelta(days=14)
    assert clock.pcr_dates(early) == [local_today() + timedelta(days=n) for n in (0, 3, 6, 13)]
    assert clock.pcr_due(early, local_today())


def test_two_positives_on_adjacent_floors_are_not_each_others_neighbours(db, tower, populated, signed_in):
    client = signed_in("hq")
    post_results(client, tower, 2, [(populated["A-201"].id, "positive")], hospital="县医院")
    post_results(client, tower, 3, [(populated["A-301"].id, "positive")], hospital="县医院")
    cases = db.session.scalars(select(PositiveCase).order_by(PositiveCase.id)).all()
    assert {a.room_label for a in cases[0].affected} == {"A-101", "A-102", "A-202", "A-301", "A-302"}
    assert {a.room_label for a in cases[1].affected} == {"A-202", "A-302", "A-401", "A-402"}


def test_floors_above_and_below_skip_a_missing_floor(db, tower):
    building = Building(site=tower, code="C")
    db.session.add(building)
    for floor in (1, 2, 3, 5):  # no 4th floor
        building.rooms.append(Room(floor=floor, number=f"{floor}01", beds=1))
    db.session.commit()
    assert pcr.affected_floors(building.id, 3) == [2, 3, 5]
    assert pcr.affected_floors(building.id, 5) == [3, 5]
    assert pcr.affected_floors(building.id, 1) == [1, 2]


def test_notice_of_another_sites_case_is_404(db, tower, populated, make_site, signed_in):
    post_results(signed_in("hq"), tower, 1, [(populated["A-101"].id, "positive")], hospital="县医院")
    case = db.session.scalar(select(PositiveCase))
    other = make_site("Other hotel", ready=True)
    assert signed_in("site_manager", sites=[other]).get(f"/health/positive-cases/{case.id}/notice").status_code == 404
    assert signed_in("catering", sites=[tower]).get(f"/health/positive-cases/{case.id}/notice").status_code == 403
    assert signed_in("hq").get("/health/positive-cases/9999/notice").status_code == 404


def test_floor_form_shows_each_residents_schedule(db, tower, admin, make_person, signed_in):
    arrived = days_ago(3)
    settle(make_person, tower, "A-101", admin, arrived=arrived, name="第四天")
    page = text(signed_in("hq").get(f"/health/sites/{tower.id}/floors/{tower.buildings[0].id}/1/pcr"))
    row = page.split("第四天")[1].split("</tr>")[0]
    assert '<td class="num">4</td>' in row
    for n in (0, 3, 6, 13):
        assert (arrived + timedelta(days=n)).strftime("%m-%d") in row
    assert f'<span class="chip">{local_today():%m-%d}</span>' in row
