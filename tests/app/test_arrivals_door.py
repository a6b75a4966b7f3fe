"""Check-in at the door: many people confirmed at once, households together, people found by their ID
number, no-shows confirmed and undone the same day, and the page coming back at the household."""
from __future__ import annotations

import html
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import func, select

from quarantine.errors import DomainError
from quarantine.localtime import local_today
from quarantine.models import Reservation, Stay, TransferBatch
from quarantine.stays import arrival, beds, lifecycle
from tests.app.transfer_helpers import counts


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def site(make_site):
    return make_site("Welfare centre", floors=(1, 2), rooms_per_floor=4, beds=3, ready=True)


@pytest.fixture
def batch(db):
    batch = TransferBatch(code="TK-0412", origin="太康县", status="committed",
                          expected_arrival=datetime.now(timezone.utc) + timedelta(hours=2))
    db.session.add(batch)
    db.session.commit()
    return batch


def reserve(db, people, room):
    for person in people:
        db.session.add(Reservation(person_id=person.id, room_id=room.id, status="reserved"))
        person.site_id = room.site_id
    beds.reserve_in_bulk({room.id: room.reserved + len(people)}, room.updated_at)
    db.session.commit()
    db.session.refresh(room)


@pytest.fixture
def expected(db, site, batch, make_person):
    """Household WANG (mother, father, a 6-year-old) in 101; LI alone in 102; ZHAO alone in 201."""
    rooms = {r.number: r for r in site.buildings[0].rooms}
    child_birth = local_today() - timedelta(days=365 * 6 + 10)
    wang = [make_person("王芳", birth="19880305", sex_digit=2, birth_date=date(1988, 3, 5), household="WANG",
                        batch_id=batch.id),
            make_person("王强", birth="19860101", birth_date=date(1986, 1, 1), household="WANG", batch_id=batch.id),
            make_person("王小宝", birth=child_birth.strftime("%Y%m%d"), birth_date=child_birth, household="WANG",
                        batch_id=batch.id)]
    li = make_person("李娜", birth="19920710", sex_digit=2, birth_date=date(1992, 7, 10), household="LI",
                     batch_id=batch.id)
    zhao = make_person("赵雷", birth="19750101", birth_date=date(1975, 1, 1), household="ZHAO", batch_id=batch.id)
    reserve(db, wang, rooms["101"])
    reserve(db, [li], rooms["102"])
    reserve(db, [zhao], rooms["201"])
    return {"wang": wang, "li": li, "zhao": zhao, "rooms": rooms}


def reservation_of(db, person) -> Reservation:
    return db.session.scalar(select(Reservation).where(Reservation.person_id == person.id))


def open_stays(db) -> int:
    return db.session.scalar(select(func.count(Stay.id)).where(Stay.check_out_at.is_(None)))


# --- the list -------------------------------------------------------------------------------------

def test_each_row_shows_masked_id_age_sex_household_and_room(db, site, expected, signed_in):
    page = text(signed_in("site_manager", sites=[site]).get(f"/transfers/arrivals/{site.id}"))
    mother = expected["wang"][0]
    assert mother.id_number not in page  # never the whole number
    assert f"{mother.id_number[:6]}********{mother.id_number[-4:]}" in page
    row = page.split(f'id="row-{reservation_of(db, mother).id}"')[1].split("</li>")[0]
    assert "王芳" in row and "Female" in row and f"{local_today().year - 1988 - (local_today() < date(local_today().year, 3, 5))} years" in row
    assert "Room A-101" in row and "TK-0412" in row
    household = page.split('data-household="')[1].split("</section>")[0]
    assert "Household WANG" in household and "3 people" in household and "Household arrived (3)" in household
    assert "5 still expected" in page


@pytest.mark.parametrize("typed, found, hidden", [
    ("last4:王小宝", {"王芳", "王强", "王小宝"}, {"李娜", "赵雷"}),
    ("whole:李娜", {"李娜"}, {"王芳", "赵雷"}),
    ("李娜", {"李娜"}, {"王芳", "赵雷"}),
    ("lower:赵雷", {"赵雷"}, {"李娜"}),
])
def test_search_by_id_number_last_digits_or_name_shows_the_whole_household(db, site, expected, signed_in, typed,
                                                                            found, hidden):
    people = {p.name: p for p in [*expected["wang"], expected["li"], expected["zhao"]]}
    how, _, name = typed.partition(":")
    if name:
        number = people[name].id_number
        typed = {"last4": number[-4:], "whole": number, "lower": " " + number.lower() + " "}[how]
    page = text(signed_in("site_manager", sites=[site]).get(f"/transfers/arrivals/{site.id}", query_string={"q": typed}))
    listed = page.split('id="arrivals"')[1]
    assert all(n in listed for n in found) and not any(n in listed for n in hidden)


def test_a_search_that_finds_nobody_says_so(db, site, expected, signed_in):
    page = text(signed_in("site_manager", sites=[site]).get(f"/transfers/arrivals/{site.id}?q=9999999"))
    assert "Nobody expected here matches “9999999”" in page


# --- checking in ----------------------------------------------------------------------------------

def test_ticked_people_are_checked_in_with_one_confirmation(db, site, expected, signed_in):
    client = signed_in("site_manager", sites=[site])
    li, zhao = reservation_of(db, expected["li"]), reservation_of(db, expected["zhao"])
    response = client.post(f"/transfers/arrivals/{site.id}/check-in", data={"reservations": [li.id, zhao.id]})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#hh-{expected['li'].batch_id}-LI")
    db.session.expire_all()
    assert {li.status, zhao.status} == {"checked_in"} and open_stays(db) == 2
    assert expected["li"].status == "in_quarantine" and expected["li"].release_date is not None
    room = expected["rooms"]["102"]
    assert (room.occupants, room.reserved, room.status) == (1, 0, "occupied")
    page = text(client.get(response.headers["Location"]))
    notice = page.split('id="door-notice"')[1].split("</div>")[0]
    assert "Checked in (2): 李娜、赵雷." in notice
    # Today's arrivals stay in place on the list, marked, so rows do not jump under the user's finger.
    assert "✓ Checked in" in page.split(f'id="row-{li.id}"')[1].split("</li>")[0]
    assert "3 still expected" in page and "2 checked in today" in page


def test_a_household_button_checks_the_whole_household_in(db, site, expected, signed_in):
    client = signed_in("site_manager", sites=[site])
    key = f"{expected['wang'][0].batch_id}:WANG"
    response = client.post(f"/transfers/arrivals/{site.id}/check-in", data={"household": key})
    assert response.headers["Location"].endswith(f"#hh-{expected['wang'][0].batch_id}-WANG")
    db.session.expire_all()
    assert {p.status for p in expected["wang"]} == {"in_quarantine"}
    assert expected["rooms"]["101"].occupants == 3 and expected["rooms"]["101"].reserved == 0


def test_a_child_is_not_checked_in_without_an_adult_of_the_household(db, site, expected, signed_in):
    client = signed_in("site_manager", sites=[site])
    mother, father, child = (reservation_of(db, p) for p in expected["wang"])
    before = counts(db)
    response = client.post(f"/transfers/arrivals/{site.id}/check-in", data={"reservations": [child.id]},
                           follow_redirects=True)
    assert "王小宝 is under 14: check them in together with an adult of their household." in text(response)
    db.session.expire_all()
    assert counts(db) == before
    # With the mother it goes through; the father, still on his way, comes later.
    client.post(f"/transfers/arrivals/{site.id}/check-in", data={"reservations": [child.id, mother.id]})
    db.session.expire_all()
    assert (mother.status, child.status, father.status) == ("checked_in", "checked_in", "reserved")


def test_a_teenager_is_not_the_adult_a_child_needs(db, site, batch, make_person, signed_in):
    """Rule 7 as the planner has it: the adult is 18 or older; a 16-year-old brother does not count."""
    room = next(r for r in site.buildings[0].rooms if r.number == "202")
    teen_birth, child_birth = (local_today() - timedelta(days=365 * years + 10) for years in (16, 8))
    teen = make_person("孙大", birth=teen_birth.strftime("%Y%m%d"), birth_date=teen_birth, household="SUN",
                       batch_id=batch.id)
    child = make_person("孙小", birth=child_birth.strftime("%Y%m%d"), birth_date=child_birth, household="SUN",
                        batch_id=batch.id)
    reserve(db, [teen, child], room)
    response = signed_in("site_manager", sites=[site]).post(
        f"/transfers/arrivals/{site.id}/check-in",
        data={"reservations": [reservation_of(db, teen).id, reservation_of(db, child).id]}, follow_redirects=True)
    assert "孙小 is under 14: check them in together with an adult of their household." in text(response)
    db.session.expire_all()
    assert {reservation_of(db, p).status for p in (teen, child)} == {"reserved"}


def test_someone_already_handled_refuses_the_whole_confirmation(db, site, expected, signed_in, make_user):
    client = signed_in("site_manager", sites=[site])
    li, zhao = reservation_of(db, expected["li"]), reservation_of(db, expected["zhao"])
    lifecycle.arrived(site, li.id, make_user("site_manager", sites=[site]))  # a colleague was quicker
    before = counts(db)
    page = text(client.post(f"/transfers/arrivals/{site.id}/check-in", data={"reservations": [li.id, zhao.id]},
                            follow_redirects=True))
    assert "李娜 has already been checked in." in page
    db.session.expire_all()
    assert counts(db) == before and zhao.status == "reserved"


@pytest.mark.parametrize("data, message", [
    ({}, "Tick the people who have arrived, or press their household's button."),
    ({"reservations": ["abc"]}, "Tick the people who have arrived."),
    ({"reservations": [99999]}, "No such expected arrival at this site."),
    ({"household": "7:NOBODY"}, "Nobody of this household is still expected"),
])
def test_bad_check_in_requests_say_what_to_fix_and_write_nothing(db, site, expected, signed_in, data, message):
    client = signed_in("site_manager", sites=[site])
    before = counts(db)
    page = html.unescape(text(client.post(f"/transfers/arrivals/{site.id}/check-in", data=data, follow_redirects=True)))
    assert message in page.split('id="door-bar"')[1].split('id="door-counts"')[0]
    db.session.expire_all()
    assert counts(db) == before


def test_another_sites_reservation_cannot_be_checked_in_here(db, site, expected, signed_in, make_site):
    other = make_site("Other", ready=True)
    client = signed_in("site_manager", sites=[other])
    before = counts(db)
    page = text(client.post(f"/transfers/arrivals/{other.id}/check-in",
                            data={"reservations": [reservation_of(db, expected["li"]).id]}, follow_redirects=True))
    assert "No such expected arrival at this site." in page
    db.session.expire_all()
    assert counts(db) == before


# --- did not arrive, and undo ---------------------------------------------------------------------

def test_no_show_is_confirmed_first_and_can_be_undone_the_same_day(db, site, expected, signed_in):
    client = signed_in("site_manager", sites=[site])
    zhao = reservation_of(db, expected["zhao"])
    room = expected["rooms"]["201"]
    before = counts(db)
    confirm = text(client.get(f"/transfers/arrivals/{site.id}/{zhao.id}/no-show"))
    assert "Record 赵雷 as not arrived?" in confirm and "A-201" in confirm
    assert counts(db) == before  # asking writes nothing

    response = client.post(f"/transfers/arrivals/{site.id}/{zhao.id}/no-show")
    assert "#hh-" in response.headers["Location"]
    db.session.expire_all()
    assert zhao.status == "no_show" and expected["zhao"].status == "no_show" and room.held == 0
    page = text(client.get(response.headers["Location"]))
    assert "赵雷 recorded as not arrived" in page and "1 did not arrive today" in page
    assert f'form="undo-{zhao.id}"' in page

    client.post(f"/transfers/arrivals/{site.id}/{zhao.id}/undo-no-show")
    db.session.expire_all()
    assert zhao.status == "reserved" and expected["zhao"].status == "expected"
    assert expected["zhao"].site_id == site.id and (room.reserved, room.status) == (1, "occupied")
    assert counts(db) == before


def test_undo_is_refused_once_the_bed_is_taken(db, site, expected, signed_in, make_person, make_user):
    client = signed_in("site_manager", sites=[site])
    zhao = reservation_of(db, expected["zhao"])
    lifecycle.did_not_arrive(site, zhao.id, make_user("admin"))
    walk_in = make_person("钱多", household="QIAN", site_id=site.id)
    lifecycle.check_in(walk_in, expected["rooms"]["201"].id, make_user("admin"))
    before = counts(db)
    page = text(client.post(f"/transfers/arrivals/{site.id}/{zhao.id}/undo-no-show", follow_redirects=True))
    assert "The bed in room A-201 is no longer free for 赵雷" in page and "holds another household" in page
    db.session.expire_all()
    assert counts(db) == before


def test_undo_only_on_the_day_of_the_no_show(db, site, expected, make_user):
    zhao = reservation_of(db, expected["zhao"])
    clerk = make_user("admin")
    lifecycle.did_not_arrive(site, zhao.id, clerk)
    with pytest.raises(DomainError, match="can only be undone the same day"):
        arrival.undo_no_show(site, zhao.id, clerk, today=local_today() + timedelta(days=1))
    db.session.expire_all()
    assert zhao.status == "no_show"
    with pytest.raises(DomainError, match="nothing to undo"):
        arrival.undo_no_show(site, reservation_of(db, expected["li"]).id, clerk)


def test_no_show_page_for_someone_already_checked_in_goes_back_with_a_message(db, site, expected, signed_in):
    client = signed_in("site_manager", sites=[site])
    li = reservation_of(db, expected["li"])
    client.post(f"/transfers/arrivals/{site.id}/check-in", data={"reservations": [li.id]})
    page = text(client.get(f"/transfers/arrivals/{site.id}/{li.id}/no-show", follow_redirects=True))
    assert "李娜 has already been checked in." in page


def test_another_room_on_demand_then_back_at_the_household(db, site, expected, signed_in):
    client = signed_in("site_manager", sites=[site])
    li = reservation_of(db, expected["li"])
    page = text(client.get(f"/transfers/arrivals/{site.id}/{li.id}/rooms"))
    assert "Another room for 李娜" in page
    free = expected["rooms"]["103"]
    response = client.post(f"/transfers/arrivals/{site.id}/{li.id}/rooms", data={"room": free.id})
    assert response.status_code == 302 and "#hh-" in response.headers["Location"]
    db.session.expire_all()
    assert db.session.scalar(select(Stay.room_id).where(Stay.person_id == expected["li"].id)) == free.id
    refused = client.post(f"/transfers/arrivals/{site.id}/{reservation_of(db, expected['zhao']).id}/rooms",
                          data={"room": expected["rooms"]["101"].id})
    assert refused.status_code == 400 and "holds another household" in text(refused)


def test_arrivals_due_today_per_site(db, site, expected, batch, make_site):
    from quarantine.localtime import local_to_utc
    from quarantine.stays.expected import arrivals_due
    other = make_site("Quiet", ready=True)
    # Late tonight, local time: "today" whatever the hour the test runs at.
    batch.expected_arrival = local_to_utc(datetime.combine(local_today(), time(23, 0)))
    db.session.commit()
    assert arrivals_due([site.id, other.id]) == {site.id: 5}
    batch.expected_arrival = datetime.combine(local_today() + timedelta(days=3), datetime.min.time(),
                                              tzinfo=timezone.utc)
    db.session.commit()
    assert arrivals_due([site.id]) == {}
    assert arrivals_due([site.id], local_today() + timedelta(days=3)) == {site.id: 5}


def test_a_long_list_comes_in_pages_and_comes_back_at_the_households_page(db, site, expected, signed_in,
                                                                         monkeypatch):
    from quarantine.transfers import arrival_views
    monkeypatch.setattr(arrival_views, "DOOR_PAGE", 1)  # one household a page: WANG, LI, ZHAO
    client = signed_in("site_manager", sites=[site])
    first = text(client.get(f"/transfers/arrivals/{site.id}"))
    assert "Page 1 of 3" in first and "王芳" in first and "李娜" not in first
    zhao = reservation_of(db, expected["zhao"])
    # Found by the search, checked in: back at the whole list, on the page that holds the household.
    response = client.post(f"/transfers/arrivals/{site.id}/check-in",
                           data={"reservations": [zhao.id], "q": expected["zhao"].id_number[-4:]})
    assert "page=3" in response.headers["Location"] and "q=" not in response.headers["Location"]
    page = text(client.get(response.headers["Location"]))
    assert "Checked in (1): 赵雷." in page and "✓ Checked in" in page
    # Acting from page 2 comes back to page 2.
    li = reservation_of(db, expected["li"])
    response = client.post(f"/transfers/arrivals/{site.id}/{li.id}/no-show?page=2")
    assert "page=2" in response.headers["Location"]


def test_a_household_checked_in_from_a_search_builds_the_door_list_once(db, site, expected, batch, signed_in,
                                                                          make_person, monkeypatch):
    """The household's reservations come from one query; only finding its page in the whole list
    (the search is cleared after a check-in) needs the list."""
    from quarantine.stays import expected as door
    from quarantine.transfers import arrival_views

    built = []
    whole = door.door_list
    monkeypatch.setattr(arrival_views, "door_list", lambda *a, **kw: built.append(a) or whole(*a, **kw))
    monkeypatch.setattr(door, "door_list", lambda *a, **kw: built.append(a) or whole(*a, **kw))
    client = signed_in("site_manager", sites=[site])
    key = f"{expected['wang'][0].batch_id}:WANG"
    response = client.post(f"/transfers/arrivals/{site.id}/check-in", data={"household": key, "q": "王"})
    assert response.status_code == 302 and len(built) == 1
    db.session.expire_all()
    assert {p.status for p in expected["wang"]} == {"in_quarantine"}
    assert door.household_reservations(site, key) == []
    assert door.household_reservations(site, f"single-{expected['li'].id}") == []  # LI has a household code
    assert door.household_reservations(site, "x:") == door.household_reservations(site, "single-x") == []
    solo = make_person("孙一", household="", batch_id=batch.id)
    reserve(db, [solo], expected["rooms"]["202"])
    assert door.household_reservations(site, f"single-{solo.id}") == [reservation_of(db, solo).id]
    assert [h.key for h in door.door_list(site).households if h.rows[0].person_id == solo.id] == [f"single-{solo.id}"]
