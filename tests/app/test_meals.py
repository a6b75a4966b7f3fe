"""Meal rosters and meal times: the roster of one meal floor by floor, with diets, notes and
the kitchen's totals; staff meals counted apart; who may see which roster."""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from quarantine.localtime import local_today
from quarantine.meals import services
from quarantine.models import MealTime, Need, StaffMember
from quarantine.stays import lifecycle


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def site(make_site):
    """Building A, floors 1-2, rooms x01-x04 with three beds."""
    return make_site("Yinghe Hotel", floors=(1, 2), rooms_per_floor=4, beds=3, ready=True, staffed=False)  # staff counted here


@pytest.fixture
def residents(db, site, make_person, make_user):
    """Five people in four rooms on two floors, with special diets, needs and notes; four staff."""
    manager = make_user("site_manager", sites=[site])
    rooms = {r.number: r for r in site.buildings[0].rooms}
    pregnant = db.session.get(Need, "pregnant")
    placed = [
        ("101", make_person("张伟", household="ZH", site_id=site.id)),
        ("101", make_person("张小宝", birth="20250101", household="ZH", diet_code="infant", notes="牛奶过敏",
                            site_id=site.id)),
        ("102", make_person("马丽", diet_code="halal", needs=[pregnant], site_id=site.id)),
        ("201", make_person("王强", diet_code="vegetarian", site_id=site.id)),
        ("203", make_person("李娜", diet_code="diabetic", notes="低糖", site_id=site.id)),
    ]
    today = local_today()
    # Three on duty: a doctor and a nurse (check-in keeps what they support) and one other.
    db.session.add_all([
        StaffMember(site_id=site.id, name=f"员工{i}", work_group=group, medical_role=role,
                    on_duty_from=today - timedelta(days=2))
        for i, (group, role) in enumerate((("health_observation", "doctor"), ("health_observation", "nurse"),
                                           ("logistics", "none")))])
    db.session.commit()
    for number, person in placed:
        lifecycle.check_in(person, rooms[number].id, manager)
    db.session.add(StaffMember(site_id=site.id, name="已离岗", work_group="security",
                               on_duty_from=today - timedelta(days=20), on_duty_to=today - timedelta(days=1),
                               quarantine_until=today + timedelta(days=6)))
    db.session.commit()
    return dict(placed)


def floor_pages(page: str) -> dict[str, str]:
    parts = page.split('<section class="page floor-page" data-floor="')[1:]
    return {p.split('"')[0]: p.split("</section>")[0] for p in parts}


def totals_table(page: str) -> dict[str, int]:
    table = page.split('id="diet-totals"')[1].split("</table>")[0]
    return {code: int(n) for code, n in re.findall(r'data-diet="(\w+)"><td>[^<]*</td><td class="num">(\d+)<', table)}


def row_value(page: str, row_id: str) -> int:
    return int(re.search(rf'id="{row_id}"><th>[^<]*</th><th class="num">(\d+)<', page).group(1))


# --- the roster -------------------------------------------------------------------------------

def test_roster_lists_rooms_floor_by_floor_with_diets_needs_and_counts(db, site, residents, signed_in):
    page = text(signed_in("catering", sites=[site]).get(f"/meals/sites/{site.id}/roster?meal=lunch"))
    assert "Lunch 11:30" in page
    floors = floor_pages(page)
    assert list(floors) == ["A-1", "A-2"]

    first = floors["A-1"]
    assert "Floor 1" in first and "3 meals" in first
    rows = first.split("<tbody>")[1].split("</tbody>")[0].split("</tr>")[:-1]
    assert len(rows) == 2
    assert all(n in rows[0] for n in ("101", "张伟", "张小宝", "Infant", "Regular"))
    assert "牛奶过敏" not in page and "低糖" not in page  # a person's notes are health notes: never on catering sheets
    assert re.search(r'<td class="num">2</td>', rows[0])
    assert all(n in rows[1] for n in ("102", "马丽", "Halal", "Pregnant"))
    assert "王强" not in first and "102" in rows[1]

    second = floors["A-2"]
    assert "2 meals" in second and "王强" in second and "Vegetarian" in second
    assert 'room-no">202<' not in second  # empty rooms are left out
    assert "Diabetic 1" in second.split("<tfoot>")[1]


def test_kitchen_totals_by_diet_and_staff_meals_apart(db, site, residents, signed_in):
    page = text(signed_in("hq").get(f"/meals/sites/{site.id}/roster?meal=dinner"))
    assert totals_table(page) == {"diabetic": 1, "halal": 1, "infant": 1, "regular": 1, "vegetarian": 1}
    assert row_value(page, "residents-total") == 5
    assert row_value(page, "staff-meals") == 3  # on duty; post-duty quarantine does not eat at the site
    assert row_value(page, "meals-total") == 8


def test_roster_totals_follow_check_out(db, site, residents, signed_in, make_user):
    lifecycle.check_out(residents["102"], "released", make_user("admin"))
    page = text(signed_in("hq").get(f"/meals/sites/{site.id}/roster?meal=breakfast"))
    assert "halal" not in totals_table(page)
    assert row_value(page, "residents-total") == 4
    assert "马丽" not in page


def test_masked_names(db, site, residents, signed_in):
    page = text(signed_in("catering", sites=[site]).get(f"/meals/sites/{site.id}/roster?meal=lunch&masked=1"))
    assert "张*" in page and "张**" in page and "马*" in page
    assert "张伟" not in page and "马丽" not in page
    assert "Show full names" in page


def test_empty_site_roster(db, site, signed_in):
    page = text(signed_in("hq").get(f"/meals/sites/{site.id}/roster?meal=lunch"))
    assert "Nobody is checked in at this site." in page
    assert row_value(page, "meals-total") == 0


def test_meal_roster_service_matches_the_page(db, site, residents):
    roster = services.meal_roster(site, "breakfast", local_today())
    assert roster.residents == 5 and roster.staff_meals == 3 and roster.served_at == time(7, 30)
    assert [(f.floor, f.count, len(f.rooms)) for f in roster.floors] == [(1, 3, 2), (2, 2, 2)]


def test_unknown_meal_is_404(db, site, signed_in):
    assert signed_in("hq").get(f"/meals/sites/{site.id}/roster?meal=supper").status_code == 404


@pytest.mark.parametrize("clock,meal", [("06:00", "breakfast"), ("07:30", "breakfast"), ("09:00", "lunch"),
                                        ("12:00", "dinner"), ("20:00", "breakfast")])
def test_next_meal_by_the_clock(db, site, clock, meal):
    now = datetime.combine(local_today(), time.fromisoformat(clock))
    assert services.next_meal(site, now) == meal


# --- choosing a roster -------------------------------------------------------------------------

def test_choose_site_and_meal(db, site, signed_in):
    client = signed_in("catering", sites=[site])
    page = text(client.get("/meals/"))
    assert 'id="roster-choice"' in page and site.name in page
    response = client.get(f"/meals/?site_id={site.id}&meal=dinner")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/meals/sites/{site.id}/roster?meal=dinner")


@pytest.mark.parametrize("query,message", [
    pytest.param("site_id=&meal=lunch", "Choose a site.", id="site-missing"),
    pytest.param("site_id={other}&meal=lunch", "Not a valid choice", id="site-not-assigned"),
    pytest.param("site_id={site}&meal=", "Choose a meal.", id="meal-missing"),
    pytest.param("site_id={site}&meal=supper", "Not a valid choice", id="meal-unknown"),
])
def test_choose_roster_refuses_bad_choices(db, site, make_site, signed_in, query, message):
    other = make_site("Other site")
    client = signed_in("catering", sites=[site])
    response = client.get("/meals/?" + query.format(site=site.id, other=other.id))
    assert response.status_code == 400
    assert message in text(response)


# --- meal times -------------------------------------------------------------------------------

def test_meal_times_default_then_saved(db, site, signed_in):
    client = signed_in("catering", sites=[site])
    page = text(client.get(f"/meals/sites/{site.id}/times"))
    assert 'value="07:30"' in page and 'value="11:30"' in page and 'value="17:30"' in page
    response = client.post(f"/meals/sites/{site.id}/times", data={"breakfast": "07:00", "lunch": "12:00",
                                                                 "dinner": "18:00"})
    assert response.status_code == 302
    assert services.meal_times(site) == {"breakfast": time(7), "lunch": time(12), "dinner": time(18)}
    assert "Dinner 18:00" in text(client.get(f"/meals/sites/{site.id}/roster?meal=dinner"))
    # Saving again updates the rows, it does not add more.
    client.post(f"/meals/sites/{site.id}/times", data={"breakfast": "06:45", "lunch": "12:00", "dinner": "18:00"})
    assert db.session.scalar(select(func.count(MealTime.id))) == 3
    assert services.meal_times(site)["breakfast"] == time(6, 45)


@pytest.mark.parametrize("fields,message", [
    pytest.param({"breakfast": ""}, "Enter a time such as 07:30.", id="breakfast-missing"),
    pytest.param({"lunch": "noon"}, "Not a valid time value.", id="lunch-unreadable"),
    pytest.param({"dinner": "25:00"}, "Not a valid time value.", id="dinner-impossible"),
    pytest.param({"lunch": "07:00"}, "Lunch must come after breakfast.", id="lunch-before-breakfast"),
    pytest.param({"dinner": "11:30"}, "Dinner must come after lunch.", id="dinner-at-lunch"),
])
def test_meal_times_refuse_bad_input_and_write_nothing(db, site, signed_in, fields, message):
    client = signed_in("site_manager", sites=[site])
    data = {"breakfast": "07:30", "lunch": "11:30", "dinner": "17:30", **fields}
    response = client.post(f"/meals/sites/{site.id}/times", data=data)
    assert response.status_code == 400
    assert message in text(response)
    assert db.session.scalar(select(func.count(MealTime.id))) == 0


# --- who may see which roster ------------------------------------------------------------------

@pytest.mark.parametrize("url,expected", [
    ("/meals/", 200),
    ("/meals/sites/{a}/roster", 200),
    ("/meals/sites/{a}/roster?meal=lunch&masked=1", 200),
    ("/meals/sites/{a}/times", 200),
    ("/meals/sites/{b}/roster", 404),
    ("/meals/sites/{b}/times", 404),
    ("/sites/{a}", 403),
    ("/sites/{a}/turnover", 403),
    ("/staff/sites/{a}", 403),
    ("/people/", 403),
    ("/transfers/", 403),
    ("/rooms/{room_a}", 403),
])
def test_catering_sees_only_the_meal_pages_of_its_sites(db, make_site, signed_in, url, expected):
    a, b = make_site("Alpha", ready=True), make_site("Bravo", ready=True)
    client = signed_in("catering", sites=[a])
    response = client.get(url.format(a=a.id, b=b.id, room_a=a.buildings[0].rooms[0].id))
    assert response.status_code == expected


def test_catering_cannot_change_another_sites_meal_times(db, make_site, signed_in):
    a, b = make_site("Alpha"), make_site("Bravo")
    client = signed_in("catering", sites=[a])
    response = client.post(f"/meals/sites/{b.id}/times", data={"breakfast": "07:00", "lunch": "12:00",
                                                               "dinner": "18:00"})
    assert response.status_code == 404
    assert db.session.scalar(select(func.count(MealTime.id))) == 0


def test_site_manager_sees_only_own_sites_rosters(db, make_site, signed_in):
    a, b = make_site("Alpha"), make_site("Bravo")
    client = signed_in("site_manager", sites=[a])
    assert client.get(f"/meals/sites/{a.id}/roster").status_code == 200
    assert client.get(f"/meals/sites/{b.id}/roster").status_code == 404
    assert "Bravo" not in text(client.get("/meals/"))


def test_catering_navigation_leads_to_meal_rosters(db, site, signed_in):
    page = text(signed_in("catering", sites=[site]).get("/meals/"))
    nav = page.split("<nav>")[1].split("</nav>")[0]
    assert "/meals/" in nav and "/people/" not in nav and "/transfers/" not in nav
