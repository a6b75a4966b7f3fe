"""The quarantine clock: release dates and test days from the policy in force on arrival,
the releases due today and tomorrow, releasing one person or a whole floor, and who may do it."""
from __future__ import annotations

from datetime import timedelta

import pytest

from quarantine.health import clock
from quarantine.localtime import local_today
from quarantine.stays import lifecycle
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

# --- the clock -----------------------------------------------------------------------------------

def test_release_date_and_test_days_follow_the_policy_in_force_on_arrival(db, tower, admin, make_person, policy14):
    arrived = days_ago(3)
    person = settle(make_person, tower, "A-101", admin, arrived=arrived)
    assert person.policy_id == policy14.id
    assert person.release_date == arrived + timedelta(days=14)
    assert clock.quarantine_start(person) == arrived
    assert clock.quarantine_day(person, arrived) == 1
    assert clock.pcr_dates(person) == [arrived + timedelta(days=n) for n in (0, 3, 6, 13)]
    assert clock.pcr_due(person, local_today())  # day 4
    assert not clock.pcr_due(person, local_today() - timedelta(days=1))


def test_arrival_late_at_night_counts_in_local_time(db, tower, admin, make_person):
    # 23:30 in Shanghai is still the same local day, although it is 15:30 UTC.
    day = days_ago(2)
    person = settle(make_person, tower, "A-101", admin, arrived=day, hour=23)
    assert clock.quarantine_start(person) == day


# --- releases due --------------------------------------------------------------------------------

def test_releases_page_lists_overdue_today_and_tomorrow_only(db, tower, admin, make_person, signed_in):
    settle(make_person, tower, "A-101", admin, arrived=days_ago(15), name="过期")
    settle(make_person, tower, "A-102", admin, arrived=days_ago(14), name="今天")
    settle(make_person, tower, "A-103", admin, arrived=days_ago(13), name="明天")
    settle(make_person, tower, "A-104", admin, arrived=days_ago(5), name="还早")
    page = text(signed_in("site_manager", sites=[tower]).get(f"/health/sites/{tower.id}/releases"))
    overdue, today, tomorrow = page.split("Overdue")[1], page.split("Due today")[1], page.split("Due tomorrow")[1]
    assert "过期" in overdue.split("Due today")[0]
    assert "今天" in today.split("Due tomorrow")[0] and "明天" not in today.split("Due tomorrow")[0]
    assert "明天" in tomorrow
    assert "还早" not in page


def test_release_a_due_person_room_goes_to_cleaning(db, tower, admin, make_person, signed_in):
    person = settle(make_person, tower, "A-101", admin, arrived=days_ago(14))
    client = signed_in("site_manager", sites=[tower])
    page = text(client.post(f"/health/sites/{tower.id}/people/{person.id}/release", data={}, follow_redirects=True))
    assert "released; the room goes to terminal disinfection" in page
    person = reload(db, person)
    assert person.status == "released" and person.current_stay is None
    assert person.stays[-1].end_reason == "released"
    released_room = reload(db, room(tower, "A-101"))
    assert (released_room.status, released_room.occupants) == ("cleaning", 0)


def test_early_release_with_a_reason_is_recorded(db, tower, admin, make_person, signed_in):
    person = settle(make_person, tower, "A-101", admin, arrived=days_ago(3))
    client = signed_in("site_manager", sites=[tower])
    client.post(f"/health/sites/{tower.id}/people/{person.id}/release",
                data={"early_reason": "Court order: released to home quarantine"})
    person = reload(db, person)
    assert person.status == "released"
    assert person.stays[-1].note == "Court order: released to home quarantine"


@pytest.mark.parametrize("arrived_days_ago,fields,message", [
    pytest.param(3, {}, "give the reason for an early release", id="early-without-reason"),
    pytest.param(3, {"early_reason": "   "}, "give the reason for an early release", id="blank-reason"),
    pytest.param(14, {"released_at": "{arrival_day}T08:00"}, "a release cannot be before arrival",
                 id="before-arrival"),
    pytest.param(3, {"released_at": "{arrival_day}T08:00", "early_reason": "family emergency"},
                 "a release cannot be before arrival", id="before-arrival-even-with-reason"),
    pytest.param(14, {"released_at": "{tomorrow}T09:00"}, "is in the future", id="in-the-future"),
    pytest.param(14, {"released_at": "yesterday"}, "Not a valid datetime value", id="not-a-time"),
    pytest.param(14, {"early_reason": "x" * 201}, "Field cannot be longer than 200 characters", id="reason-too-long"),
])
def test_bad_releases_are_refused_and_change_nothing(db, tower, admin, make_person, signed_in, arrived_days_ago,
                                                   fields, message):
    arrival_day = days_ago(arrived_days_ago)
    person = settle(make_person, tower, "A-101", admin, arrived=arrival_day, hour=10)
    client = signed_in("site_manager", sites=[tower])
    data = {k: v.format(arrival_day=arrival_day.isoformat(), tomorrow=(local_today() + timedelta(days=1)).isoformat())
            for k, v in fields.items()}
    page = text(client.post(f"/health/sites/{tower.id}/people/{person.id}/release", data=data,
                            follow_redirects=True))
    assert message in page
    person = reload(db, person)
    assert person.status == "in_quarantine" and person.current_stay is not None
    assert reload(db, room(tower, "A-101")).status == "occupied"


def test_release_of_someone_not_checked_in_here_is_404(db, tower, admin, make_person, make_site, signed_in):
    other = make_site("Other hotel", ready=True)
    elsewhere = make_person("别处", site_id=other.id)
    lifecycle.check_in(elsewhere, other.buildings[0].rooms[0].id, admin)
    client = signed_in("site_manager", sites=[tower])
    assert client.post(f"/health/sites/{tower.id}/people/{elsewhere.id}/release").status_code == 404
    assert client.post(f"/health/sites/{tower.id}/people/99999/release").status_code == 404
    assert reload(db, elsewhere).status == "in_quarantine"


# --- a whole floor ---------------------------------------------------------------------------------

def floor_people(make_person, site, admin, labels, arrived):
    return [settle(make_person, site, label, admin, arrived=arrived) for label in labels]


def test_release_a_whole_floor_in_one_step(db, tower, admin, make_person, signed_in):
    cohort = floor_people(make_person, tower, admin, ["A-201", "A-202", "A-203"], days_ago(14))
    upstairs = settle(make_person, tower, "A-301", admin, arrived=days_ago(14))
    building = tower.buildings[0]
    client = signed_in("site_manager", sites=[tower])
    page = text(client.post(f"/health/sites/{tower.id}/floors/{building.id}/2/release", data={},
                            follow_redirects=True))
    assert "3 people released from floor 2 of building A." in page
    assert all(reload(db, p).status == "released" for p in cohort)
    assert all(reload(db, room(tower, f"A-20{i}")).status == "cleaning" for i in (1, 2, 3))
    assert reload(db, upstairs).status == "in_quarantine"


def test_a_floor_release_ends_every_door_card_link_in_one_statement(app, db, tower, admin, make_person):
    from sqlalchemy import event, select

    from quarantine.models import SelfReportLink
    from quarantine.selfreport import links
    from quarantine.stays.release import release_floor

    cohort = floor_people(make_person, tower, admin, ["A-201", "A-202", "A-203"], days_ago(14))
    upstairs = settle(make_person, tower, "A-301", admin, arrived=days_ago(14))
    with app.test_request_context():
        links.live_links([p.id for p in cohort + [upstairs]])
    revokes = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE SELF_REPORT_LINKS"):
            revokes.append(statement)

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        release_floor(tower, tower.buildings[0], 2, admin)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    revoked = dict(db.session.execute(select(SelfReportLink.person_id, SelfReportLink.revoked_at)).all())
    assert all(revoked[p.id] is not None for p in cohort) and revoked[upstairs.id] is None
    assert len(revokes) == 1


def test_floor_release_with_one_person_not_due_releases_nobody(db, tower, admin, make_person, signed_in):
    cohort = floor_people(make_person, tower, admin, ["A-201", "A-202"], days_ago(14))
    late = settle(make_person, tower, "A-203", admin, arrived=days_ago(2), name="晚到者")
    building = tower.buildings[0]
    client = signed_in("site_manager", sites=[tower])
    page = text(client.post(f"/health/sites/{tower.id}/floors/{building.id}/2/release", data={},
                            follow_redirects=True))
    assert "晚到者 (A-203) is due for release on" in page
    assert all(reload(db, p).status == "in_quarantine" for p in cohort + [late])

    client.post(f"/health/sites/{tower.id}/floors/{building.id}/2/release",
                data={"early_reason": "Whole floor moved to home quarantine by HQ order"})
    assert all(reload(db, p).status == "released" for p in cohort + [late])


def test_floor_release_of_an_empty_floor_or_another_sites_building(db, tower, admin, make_site, signed_in):
    other = make_site("Other hotel", ready=True)
    client = signed_in("hq")
    page = text(client.post(f"/health/sites/{tower.id}/floors/{tower.buildings[0].id}/4/release",
                            follow_redirects=True))
    assert "Nobody is checked in on floor 4 of building A." in page
    assert client.post(f"/health/sites/{tower.id}/floors/{other.buildings[0].id}/1/release").status_code == 404


# --- who may see and do what ----------------------------------------------------------------------

PAGES = ["/health/sites/{site}", "/health/sites/{site}/releases", "/health/sites/{site}/pcr",
         "/health/sites/{site}/floors/{building}/1/pcr", "/health/sites/{site}/temperatures",
         "/health/sites/{site}/floors/{building}/1/temperatures", "/health/sites/{site}/disinfection",
         "/health/sites/{site}/rounds", "/health/sites/{site}/positive-cases", "/health/sites/{site}/report",
         "/health/sites/{site}/report.xlsx"]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("role,own_site,expected", [
    ("admin", False, 200), ("hq", False, 200), ("site_manager", True, 200), ("site_manager", False, 404),
    ("catering", True, 403),
])
def test_roles(db, tower, make_site, signed_in, path, role, own_site, expected):
    other = make_site("Other hotel", ready=True)
    client = signed_in(role, sites=[tower] if own_site else [other])
    url = path.format(site=tower.id, building=tower.buildings[0].id)
    assert client.get(url).status_code == expected


@pytest.mark.parametrize("path", [
    "/health/sites/{site}/people/{person}/release", "/health/sites/{site}/floors/{building}/1/release",
    "/health/sites/{site}/floors/{building}/1/pcr", "/health/sites/{site}/floors/{building}/1/temperatures",
    "/health/sites/{site}/disinfection", "/health/sites/{site}/rounds",
])
@pytest.mark.parametrize("role,own_site,expected", [("site_manager", False, 404), ("catering", True, 403)])
def test_posts_refused_for_other_sites_and_catering(db, tower, admin, make_person, make_site, signed_in, path, role,
                                                    own_site, expected):
    person = settle(make_person, tower, "A-101", admin, arrived=days_ago(14))
    other = make_site("Other hotel", ready=True)
    client = signed_in(role, sites=[tower] if own_site else [other])
    url = path.format(site=tower.id, building=tower.buildings[0].id, person=person.id)
    assert client.post(url, data={}).status_code == expected
    assert reload(db, person).status == "in_quarantine"


def test_signed_out_is_sent_to_sign_in(client, tower):
    response = client.get(f"/health/sites/{tower.id}/report")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_site_page_links_to_the_daily_routine(db, tower, signed_in):
    page = text(signed_in("site_manager", sites=[tower]).get(f"/sites/{tower.id}"))
    assert f"/health/sites/{tower.id}" in page and f"/health/sites/{tower.id}/report" in page


def test_person_edit_keeps_a_restarted_release_date(db, tower, admin, make_person):
    """Editing a person recomputes the release date from arrival; a restart must survive it."""
    from quarantine.models import AffectedResident, PcrTest, PositiveCase
    from quarantine.people.services import apply_release_date
    person = settle(make_person, tower, "A-101", admin, arrived=days_ago(10))
    case_person = settle(make_person, tower, "A-102", admin, arrived=days_ago(10))
    test = PcrTest(person_id=case_person.id, site_id=tower.id, sampled_at=local_at(local_today()),
                   sample_day=local_today(), result="positive")
    case = PositiveCase(pcr_test=test, person_id=case_person.id, site_id=tower.id,
                        building_id=tower.buildings[0].id, floor=1, room_label="A-102", positive_day=local_today(),
                        hospital="县人民医院")
    restarted = local_today() + timedelta(days=14)
    case.affected.append(AffectedResident(person=person, floor=1, room_label="A-101",
                                          old_release_date=person.release_date, new_release_date=restarted))
    person.release_date = restarted
    db.session.add(case)
    db.session.commit()
    apply_release_date(person)
    assert person.release_date == restarted
