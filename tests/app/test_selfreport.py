"""Residents reporting themselves: the link on the door card, temperatures and symptoms, requests,
what the staff see (marked self-reported, flagged on the site page), and what a link may not do."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from quarantine.extensions import limiter
from quarantine.localtime import local_today
from quarantine.models import ResidentRequest, SelfReport, SelfReportLink, TemperatureReading
from quarantine.selfreport import links
from quarantine.stays import lifecycle


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture(autouse=True)
def fresh_limits():
    limiter.reset()
    yield
    limiter.reset()


@pytest.fixture
def client(app):
    """A resident's phone, in English unless a test switches."""
    phone = app.test_client()
    phone.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return phone


@pytest.fixture
def site(make_site):
    return make_site("Welfare centre", floors=(1, 1), rooms_per_floor=3, beds=2, ready=True)


@pytest.fixture
def residents(db, site, make_person, make_user):
    clerk = make_user("admin")
    rooms = site.buildings[0].rooms
    first = make_person("王芳", site_id=site.id, notes="高血压")
    second = make_person("李娜", site_id=site.id)
    lifecycle.check_in(first, rooms[0].id, clerk)
    lifecycle.check_in(second, rooms[1].id, clerk)
    return first, second


def link_url(app, person) -> str:
    with app.test_request_context():
        return "/r/" + links.token_for(links.live_links([person.id])[person.id])


def counts(db):
    return (db.session.scalar(select(func.count(SelfReport.id))),
            db.session.scalar(select(func.count(TemperatureReading.id))),
            db.session.scalar(select(func.count(ResidentRequest.id))))


# --- the resident's page ----------------------------------------------------------------------------

def test_the_page_shows_only_the_residents_own_room_and_masked_name(app, db, site, residents, client):
    mother, other = residents
    page = text(client.get(link_url(app, mother)))
    assert "Room A-101" in page and "王*" in page
    assert "王芳" not in page and "李娜" not in page and "高血压" not in page and mother.id_number not in page
    assert "A-102" not in page


def test_a_fever_reported_from_the_phone_reaches_the_staff(app, db, site, residents, client, signed_in):
    mother, _other = residents
    url = link_url(app, mother)
    response = client.post(url + "/report", data={"period": "morning", "celsius": "38,2",
                                                  "symptoms": ["cough", "fatigue"], "note": "头疼"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#today")
    assert "38.2 °C is a fever" in text(client.get(response.headers["Location"]))
    report = db.session.scalar(select(SelfReport))
    assert (report.celsius, report.symptoms, report.note, report.day) == (38.2, "cough,fatigue", "头疼", local_today())
    reading = db.session.scalar(select(TemperatureReading))
    assert (reading.celsius, reading.source, reading.period) == (38.2, "self", "morning")

    staff = signed_in("site_manager", sites=[site])
    site_page = text(staff.get(f"/sites/{site.id}"))
    flags = site_page.split('id="resident-flags"')[1].split("</div>")[0]
    assert "1 with fever" in flags and "1 with symptoms" in flags
    temperatures = text(staff.get(f"/health/sites/{site.id}/temperatures?day={local_today().isoformat()}"))
    assert "1 self-reported" in temperatures and "1 with fever" in temperatures
    floor = text(staff.get(f"/health/sites/{site.id}/floors/{site.buildings[0].id}/1/temperatures"
                           f"?day={local_today().isoformat()}&period=morning"))
    assert "self-reported" in floor and 'value="38.2"' in floor
    reports_page = text(staff.get(f"/selfreport/sites/{site.id}"))
    item = reports_page.split(f'id="report-{report.id}"')[1].split("</li>")[0]
    assert "A-101" in item and "王芳" in item and "38.2 °C" in item and "Cough" in item and "头疼" in item

    # Seen: the flag goes; the reading stays in the lists.
    staff.post(f"/selfreport/sites/{site.id}/reports/{report.id}/seen")
    assert 'id="resident-flags"' not in text(staff.get(f"/sites/{site.id}"))
    db.session.expire_all()
    assert report.seen_at is not None


def test_a_staff_reading_takes_precedence_over_the_residents(app, db, site, residents, client, signed_in):
    mother, other = residents
    client.post(link_url(app, mother) + "/report", data={"period": "evening", "celsius": "36.4"})
    staff = signed_in("site_manager", sites=[site])
    floor_url = (f"/health/sites/{site.id}/floors/{site.buildings[0].id}/1/temperatures"
                 f"?day={local_today().isoformat()}&period=evening")
    # Sent back unchanged with the floor's other readings, the resident's reading stays theirs.
    staff.post(floor_url, data={"rows-0-person_id": mother.id, "rows-0-celsius": "36.4",
                                "rows-1-person_id": other.id, "rows-1-celsius": "36.6"})
    db.session.expire_all()
    sources = dict(db.session.execute(select(TemperatureReading.person_id, TemperatureReading.source)).all())
    assert sources == {mother.id: "self", other.id: "staff"}
    # Measured by the staff: their value replaces it, and the resident cannot write over it again.
    staff.post(floor_url, data={"rows-0-person_id": mother.id, "rows-0-celsius": "37.0",
                                "rows-1-person_id": other.id, "rows-1-celsius": "36.6"})
    client.post(link_url(app, mother) + "/report", data={"period": "evening", "celsius": "35.9"})
    db.session.expire_all()
    reading = db.session.scalar(select(TemperatureReading).where(TemperatureReading.person_id == mother.id))
    assert (reading.celsius, reading.source) == (37.0, "staff")
    assert db.session.scalar(select(SelfReport.celsius)) == 35.9  # what the resident said is kept apart


@pytest.mark.parametrize("data, message", [
    ({"period": "morning", "celsius": "abc"}, "Enter the temperature as a number, for example 36.5."),
    ({"period": "morning", "celsius": "3.65"}, "3.6 °C is outside 34.0–43.0 °C."),
    ({"period": "morning", "celsius": "55"}, "55 °C is outside 34.0–43.0 °C."),
    ({"period": "morning"}, "Enter your temperature, or tick how you feel."),
    ({"period": "noon", "celsius": "36.5"}, "Not a valid choice"),
    ({"period": "morning", "symptoms": ["sneezing"], "celsius": "36.5"}, "'sneezing' is not a valid choice"),
])
def test_bad_reports_say_what_to_fix_and_write_nothing(app, db, site, residents, client, data, message):
    url = link_url(app, residents[0])
    before = counts(db)
    response = client.post(url + "/report", data=data)
    assert response.status_code == 400 and message in text(response)
    assert counts(db) == before


def test_requests_to_the_staff(app, db, site, residents, client, signed_in):
    url = link_url(app, residents[0])
    assert client.post(url + "/request", data={"kind": "call_back", "text": ""}).status_code == 302
    refused = client.post(url + "/request", data={"kind": "medicine", "text": " "})
    assert refused.status_code == 400 and "Say in a few words what you need." in text(refused)
    client.post(url + "/request", data={"kind": "diet", "text": "不吃猪肉"})
    page = text(client.get(url))
    assert "Call back" in page and "不吃猪肉" in page and page.count("waiting") == 2

    staff = signed_in("site_manager", sites=[site])
    assert "2 requests waiting" in text(staff.get(f"/sites/{site.id}"))
    diet = db.session.scalar(select(ResidentRequest).where(ResidentRequest.kind == "diet"))
    staff.post(f"/selfreport/sites/{site.id}/requests/{diet.id}/handled", data={"note": "已通知厨房"})
    assert "1 requests waiting" in text(staff.get(f"/sites/{site.id}"))
    assert "已通知厨房" in text(client.get(url))
    again = text(staff.post(f"/selfreport/sites/{site.id}/requests/{diet.id}/handled", follow_redirects=True))
    assert "already marked handled" in again


def test_a_resident_cannot_flood_the_staff_with_requests(app, db, site, residents, client):
    url = link_url(app, residents[0])
    for n in range(5):
        assert client.post(url + "/request", data={"kind": "other", "text": f"第{n}件"}).status_code == 302
    refused = client.post(url + "/request", data={"kind": "other", "text": "第六件"})
    assert refused.status_code == 400 and "You have 5 requests waiting" in text(refused)
    assert db.session.scalar(select(func.count(ResidentRequest.id))) == 5


# --- what a link may not do -------------------------------------------------------------------------

def test_forged_altered_and_unknown_tokens_open_nothing(app, db, site, residents, client):
    good = link_url(app, residents[0])
    link = db.session.scalar(select(SelfReportLink))
    with app.test_request_context():
        forged = "/r/" + links._signer().sign(f"{link.id}.wrong-nonce").decode()
    other_id = "/r/" + good.rsplit("/", 1)[1].replace(f"{link.id}.", f"{link.id + 1}.", 1)
    for url in (good[:-3] + "abc", other_id, forged, "/r/1.abc", "/r/garbage"):
        response = client.get(url)
        assert response.status_code == 404 and "This link is not valid" in text(response), url
        assert client.post(url + "/report", data={"period": "morning", "celsius": "36.5"}).status_code == 404
    assert counts(db) == (0, 0, 0)


def test_a_new_card_ends_the_old_link(app, db, site, residents, client, signed_in):
    old = link_url(app, residents[0])
    staff = signed_in("site_manager", sites=[site])
    response = staff.post(f"/selfreport/sites/{site.id}/people/{residents[0].id}/new-link")
    assert response.status_code == 302
    assert client.get(old).status_code == 404
    new = link_url(app, residents[0])
    assert new != old and client.get(new).status_code == 200


def test_the_link_ends_at_release_and_waits_for_check_in(app, db, site, residents, client, make_user, make_person):
    url = link_url(app, residents[0])
    lifecycle.check_out(residents[0], "released", make_user("admin"))
    assert client.get(url).status_code == 404
    assert db.session.scalar(select(SelfReportLink.revoked_at)) is not None
    expected = make_person("赵雷", site_id=site.id)
    page = text(client.get(link_url(app, expected)))
    assert "Your link works once the staff have checked you in" in page


def test_links_are_rate_limited(app, db, site, residents, client):
    url = link_url(app, residents[0])
    statuses = [client.post(url + "/report", data={"period": "morning", "celsius": "36.5"}).status_code
                for _ in range(21)]
    assert statuses[:20] == [302] * 20 and statuses[20] == 429
    assert "Too many tries" in text(client.post(url + "/report", data={"period": "morning", "celsius": "36.5"}))
    # Another resident's link is not held up by it.
    assert client.post(link_url(app, residents[1]) + "/report",
                       data={"period": "morning", "celsius": "36.5"}).status_code == 302


def test_trying_tokens_is_rate_limited_per_address(app, db, site, residents, client):
    statuses = [client.get(f"/r/{n}.guess.nosig").status_code for n in range(31)]
    assert statuses[:30] == [404] * 30 and statuses[30] == 429
    # Tokens that open a page are not counted against the address: residents share the site's Wi-Fi.
    limiter.reset()
    good = link_url(app, residents[0])
    assert all(client.get(good).status_code == 200 for _ in range(40))


def test_the_form_needs_its_csrf_token(app, db, site, residents, client):
    url = link_url(app, residents[0])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(url + "/report", data={"period": "morning", "celsius": "36.5"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert counts(db) == (0, 0, 0)


def test_the_page_speaks_chinese(app, db, site, residents, client):
    url = link_url(app, residents[0])
    client.get(f"/lang/zh?next={url}")
    page = text(client.get(url))
    assert "体温" in page and 'lang="zh-CN"' in page


# --- staff pages -----------------------------------------------------------------------------------

def test_door_cards_carry_one_qr_code_per_person(app, db, site, residents, signed_in, make_person):
    staff = signed_in("site_manager", sites=[site])
    page = text(staff.get(f"/selfreport/sites/{site.id}/cards"))
    assert page.count('<div class="qr"') == 2 and page.count("<svg") == 2
    assert db.session.scalar(select(func.count(SelfReportLink.id))) == 2
    # Printing again reuses the same links.
    staff.get(f"/selfreport/sites/{site.id}/cards")
    assert db.session.scalar(select(func.count(SelfReportLink.id))) == 2
    one = text(staff.get(f"/selfreport/sites/{site.id}/cards?room={site.buildings[0].rooms[0].id}"))
    assert one.count("<svg") == 1 and "王芳" in one and "李娜" not in one
    assert "onclick" not in page and "<script>" not in page


@pytest.mark.parametrize("role, status", [("catering", 403), ("site_manager_elsewhere", 404)])
def test_only_the_sites_staff_see_its_residents_reports(db, site, make_site, signed_in, role, status):
    other = make_site("Elsewhere")
    client = signed_in("site_manager", sites=[other]) if role == "site_manager_elsewhere" else \
        signed_in("catering", sites=[site])
    for url in (f"/selfreport/sites/{site.id}", f"/selfreport/sites/{site.id}/cards"):
        assert client.get(url).status_code == status


def test_the_hq_door_cards_of_a_plan_carry_qr_codes(db, make_site, make_user, signed_in):
    from quarantine.transfers import planning
    from quarantine.transfers.commit import commit_plan
    from tests.app.transfer_helpers import add_people, make_batch
    make_site("Hotel", ready=True, floors=(1, 1), rooms_per_floor=4, beds=1)
    batch = make_batch(db)
    add_people(db, batch, 3)
    hq = signed_in("hq")
    run = planning.queue_plan([batch], hq.user, time_limit=2)
    db.session.refresh(run)
    commit_plan(run, hq.user)
    page = text(hq.get(f"/transfers/plans/{run.id}/door-cards"))
    assert len(re.findall(r'<div class="qr" data-person="\d+"><svg', page)) == 3


def test_a_large_site_prints_door_cards_floor_by_floor(app, db, site, residents, signed_in, monkeypatch):
    from quarantine.selfreport import staff_views
    monkeypatch.setattr(staff_views, "ALL_AT_ONCE", 1)
    staff = signed_in("site_manager", sites=[site])
    page = text(staff.get(f"/selfreport/sites/{site.id}/cards"))
    assert "<svg" not in page and "Floor 1 · 2 people" in page
    floor = text(staff.get(f"/selfreport/sites/{site.id}/cards?building={site.buildings[0].id}&floor=1"))
    assert floor.count("<svg") == 2
    assert staff.get(f"/selfreport/sites/{site.id}/cards?building={site.buildings[0].id}&floor=9").status_code == 404
