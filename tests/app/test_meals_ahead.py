"""Meals for tomorrow and for arrivals: rosters and kitchen totals for any day of the coming week,
reserved beds counted from the first meal after their batch is expected, residents until release."""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import event

from quarantine.localtime import local_to_utc, local_today
from quarantine.meals import services
from quarantine.models import Reservation, TransferBatch
from quarantine.stays import beds, lifecycle


def text(response) -> str:
    return response.get_data(as_text=True)


def row_value(page: str, row_id: str) -> int:
    return int(re.search(rf'id="{row_id}"><th>[^<]*</th><th class="num">(\d+)<', page).group(1))


def totals_table(page: str) -> dict[str, int]:
    table = page.split('id="diet-totals"')[1].split("</table>")[0]
    return {code: int(n) for code, n in re.findall(r'data-diet="(\w+)"><td>[^<]*</td><td class="num">(\d+)<', table)}


@pytest.fixture
def site(make_site):
    return make_site("Yinghe Hotel", floors=(1, 2), rooms_per_floor=6, beds=2, ready=True)


def batch_at(db, code: str, day, clock: time) -> TransferBatch:
    batch = TransferBatch(code=code, origin="太康县", status="committed",
                          expected_arrival=local_to_utc(datetime.combine(day, clock)))
    db.session.add(batch)
    db.session.commit()
    return batch


def reserve(db, people, room):
    for person in people:
        db.session.add(Reservation(person_id=person.id, room_id=room.id, status="reserved"))
        person.site_id = room.site_id
    beds.reserve_in_bulk({room.id: room.reserved + len(people)}, room.updated_at)
    db.session.commit()


@pytest.fixture
def tonight(db, site, make_person, make_user):
    """Two residents (one released tomorrow), 3 people on the 06:29 bus tomorrow, 2 on the 13:00 one."""
    rooms = {r.number: r for r in site.buildings[0].rooms}
    clerk = make_user("admin")
    today = local_today()
    tomorrow = today + timedelta(days=1)
    staying = make_person("张伟", site_id=site.id, notes="高血压，需每日服药")
    leaving = make_person("马丽", site_id=site.id, diet_code="halal")
    lifecycle.check_in(staying, rooms["101"].id, clerk)
    lifecycle.check_in(leaving, rooms["102"].id, clerk)
    leaving.release_date = tomorrow
    db.session.commit()
    early = batch_at(db, "TK-0629", tomorrow, time(6, 29))
    late = batch_at(db, "TK-1300", tomorrow, time(13, 0))
    first = [make_person("王芳", household="WANG", batch_id=early.id, notes="青霉素过敏"),
             make_person("王小宝", household="WANG", batch_id=early.id, diet_code="infant")]
    reserve(db, first, rooms["201"])
    reserve(db, [make_person("李娜", household="LI", batch_id=early.id, diet_code="halal")], rooms["202"])
    reserve(db, [make_person("赵雷", household="ZHAO", batch_id=late.id),
                 make_person("赵敏", household="ZHAO", batch_id=late.id, diet_code="vegetarian")], rooms["203"])
    return {"today": today, "tomorrow": tomorrow}


def test_tomorrows_breakfast_counts_the_early_bus_and_not_the_afternoon_one(db, site, tonight):
    roster = services.meal_roster(site, "breakfast", tonight["tomorrow"])
    assert roster.residents == 5 and roster.arriving == 3 and roster.later == 2
    assert roster.diet_totals == {"regular": 2, "halal": 2, "infant": 1}
    lunch = services.meal_roster(site, "lunch", tonight["tomorrow"])
    assert (lunch.residents, lunch.arriving, lunch.later) == (5, 3, 2)  # 13:00 comes after the 11:30 lunch
    dinner = services.meal_roster(site, "dinner", tonight["tomorrow"])
    assert (dinner.residents, dinner.arriving, dinner.later) == (7, 5, 0)
    assert dinner.diet_totals == {"regular": 3, "halal": 2, "infant": 1, "vegetarian": 1}


def test_the_first_meal_follows_the_site_meal_times(db, site, tonight):
    services.save_meal_times(site, {"breakfast": time(6, 0), "lunch": time(13, 0), "dinner": time(18, 0)})
    breakfast = services.meal_roster(site, "breakfast", tonight["tomorrow"])
    assert breakfast.arriving == 0 and breakfast.later == 5  # 06:29 is after a 06:00 breakfast
    lunch = services.meal_roster(site, "lunch", tonight["tomorrow"])
    assert lunch.arriving == 5  # 13:00 arrivals eat the 13:00 lunch


def test_a_resident_eats_until_the_release_day(db, site, tonight):
    after = tonight["tomorrow"] + timedelta(days=1)
    names = {p.name for f in services.meal_roster(site, "lunch", after).floors for r in f.rooms for p in r.people}
    assert "马丽" not in names and "张伟" in names
    tomorrow = {p.name for f in services.meal_roster(site, "dinner", tonight["tomorrow"]).floors
                for r in f.rooms for p in r.people}
    assert "马丽" in tomorrow


def test_tonights_arrivals_are_not_on_todays_meals(db, site, tonight):
    roster = services.meal_roster(site, "dinner", tonight["today"])
    assert roster.residents == 2 and roster.arriving == 0 and roster.later == 5


def test_the_roster_page_for_tomorrow(db, site, tonight, signed_in):
    client = signed_in("catering", sites=[site])
    day = tonight["tomorrow"].isoformat()
    page = text(client.get(f"/meals/sites/{site.id}/roster?meal=breakfast&day={day}"))
    assert f"Breakfast 07:30 · {day}" in page
    assert row_value(page, "residents-total") == 5 and row_value(page, "arrivals-total") == 3
    assert totals_table(page) == {"halal": 2, "infant": 1, "regular": 2}
    assert "2 more people are expected after this meal" in page
    floor = page.split('data-floor="A-2"')[1].split("</section>")[0]
    assert "王芳" in floor and "arriving" in floor and "06:29" in floor and "赵雷" not in floor
    assert "青霉素过敏" not in page and "高血压" not in page  # notes are never printed for catering
    # The day links reach a week ahead and no further.
    days = page.split('id="roster-days"')[1].split("</nav>")[0]
    assert days.count("<a ") == 7 and "Tomorrow" in days


def test_kitchen_totals_for_the_week(db, site, tonight, signed_in):
    page = text(signed_in("catering", sites=[site]).get(f"/meals/sites/{site.id}/week"))
    tomorrow = page.split(f'data-day="{tonight["tomorrow"].isoformat()}"')[1].split("</section>")[0]
    meals = dict(re.findall(r'data-meal="(\w+)">.*?<b class="residents">(\d+)</b>', tomorrow, re.S))
    assert meals == {"breakfast": "5", "lunch": "5", "dinner": "7"}
    assert "3 arriving" in tomorrow and "5 arriving" in tomorrow
    assert page.count('class="card week-day"') == 7
    week = services.week_counts(site)
    assert [m.residents for m in week[1].meals] == [5, 5, 7] and [m.residents for m in week[2].meals] == [6, 6, 6]


@pytest.mark.parametrize("day", ["2019-01-01", "tomorrow-ish", "+8"])
def test_a_day_outside_the_coming_week_is_refused_with_the_reason(db, site, tonight, signed_in, day):
    client = signed_in("catering", sites=[site])
    if day == "+8":
        day = (tonight["today"] + timedelta(days=7)).isoformat()
    response = client.get(f"/meals/sites/{site.id}/roster?meal=lunch&day={day}", follow_redirects=True)
    assert "Rosters are printed for today and the coming week" in text(response)
    assert (tonight["today"] + timedelta(days=6)).isoformat() in text(response)


def test_the_choice_form_takes_a_day(db, site, tonight, signed_in):
    client = signed_in("catering", sites=[site])
    day = tonight["tomorrow"].isoformat()
    response = client.get(f"/meals/?site_id={site.id}&meal=breakfast&day={day}")
    assert response.headers["Location"].endswith(f"/meals/sites/{site.id}/roster?meal=breakfast&day={day}")
    bad = client.get(f"/meals/?site_id={site.id}&meal=breakfast&day=2019-01-01")
    assert bad.status_code == 400 and "Not a valid choice" in text(bad)


def test_the_roster_reads_the_same_number_of_queries_for_any_number_of_people(db, make_site, make_person,
                                                                                make_user, signed_in):
    def queries(n: int) -> int:
        site = make_site(f"Size {n}", floors=(1, 2), rooms_per_floor=n, beds=2, ready=True)
        rooms = site.buildings[0].rooms
        clerk = make_user("admin")
        batch = batch_at(db, f"B{n}", local_today() + timedelta(days=1), time(6, 0))
        for room in rooms[: n]:
            lifecycle.check_in(make_person(site_id=site.id, diet_code="halal"), room.id, clerk)
        for room in rooms[n:]:
            reserve(db, [make_person(batch_id=batch.id)], room)
        client = signed_in("catering", sites=[site])
        count = [0]

        def tick(*_args):
            count[0] += 1
        event.listen(db.engine, "before_cursor_execute", tick)
        try:
            day = (local_today() + timedelta(days=1)).isoformat()
            assert client.get(f"/meals/sites/{site.id}/roster?meal=lunch&day={day}").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", tick)
        return count[0]

    assert queries(3) == queries(25)
