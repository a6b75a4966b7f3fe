"""Site staff in closed loop: the staff form, ending duty with post-duty quarantine, the staffing
arithmetic against the policy, and the capacity limit the planner gets from it."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from quarantine.localtime import local_today
from quarantine.models import Policy, StaffMember
from quarantine.policies.services import policy_in_force
from quarantine.staff import services
from quarantine.staff.services import StaffCount, StaffingRatios

DEFAULT = StaffingRatios(50, 50, 3.0, 4.0)
TODAY = date.today()


@pytest.fixture
def site(make_site):
    # Laid out but without the factory's staff: these tests count staff themselves.
    return make_site("Yinghe Hotel", ready=True, staffed=False)


def text(response) -> str:
    return response.get_data(as_text=True)


def staff_count(db) -> int:
    return db.session.scalar(select(func.count(StaffMember.id)))


def add_staff(db, site, *, doctors=0, nurses=0, others=0, start=None, end=None, until=None) -> list[StaffMember]:
    start = start or local_today() - timedelta(days=3)
    members = []
    for role, n in (("doctor", doctors), ("nurse", nurses), ("none", others)):
        for i in range(n):
            group = "health_observation" if role != "none" else "security"
            members.append(StaffMember(site_id=site.id, name=f"{role}{i}", work_group=group, medical_role=role,
                                       on_duty_from=start, on_duty_to=end, quarantine_until=until))
    db.session.add_all(members)
    db.session.commit()
    return members


# --- the staffing arithmetic -----------------------------------------------------------------

@pytest.mark.parametrize("residents,doctors,nurses,others_min,others_max", [
    (0, 0, 0, 0, 0),
    (1, 1, 1, 6, 8),
    (50, 1, 1, 6, 8),
    (51, 2, 2, 12, 16),
    (100, 2, 2, 12, 16),
    (120, 3, 3, 18, 24),
    (2000, 40, 40, 240, 320),
])
def test_staff_needed_for_residents(residents, doctors, nurses, others_min, others_max):
    need = services.staff_needed(residents, DEFAULT)
    assert (need.doctors, need.nurses, need.others_min, need.others_max) == (doctors, nurses, others_min, others_max)


@pytest.mark.parametrize("staff,ratios,supported", [
    pytest.param(StaffCount(2, 2, 10), DEFAULT, 100, id="2+2+10 support 100"),
    pytest.param(StaffCount(3, 3, 18), DEFAULT, 150, id="3+3 support 150"),
    pytest.param(StaffCount(3, 2, 20), DEFAULT, 100, id="the scarcer of doctors and nurses counts"),
    pytest.param(StaffCount(0, 4, 20), DEFAULT, 0, id="no doctor, nobody"),
    pytest.param(StaffCount(5, 0, 20), DEFAULT, 0, id="no nurse, nobody"),
    pytest.param(StaffCount(2, 2, 0), StaffingRatios(30, 40, 3, 4), 60, id="policy ratios 1:30 and 1:40"),
])
def test_residents_supported(staff, ratios, supported):
    assert services.residents_supported(staff, ratios) == supported


def test_other_staff_range_follows_the_medical_staff():
    assert services.other_staff_range(4, DEFAULT) == (12, 16)
    assert services.other_staff_range(3, StaffingRatios(50, 50, 2.5, 3.5)) == (8, 10)


@pytest.mark.parametrize("manual,staffing,expected", [
    (None, None, None), (80, None, 80), (None, 100, 100), (80, 100, 80), (150, 100, 100), (0, 100, 0),
])
def test_combine_limits_takes_the_stricter(manual, staffing, expected):
    assert services.combine_limits(manual, staffing) == expected


# --- duty, post-duty quarantine and the counts ------------------------------------------------

def test_status_on_follows_the_dates():
    member = StaffMember(on_duty_from=date(2022, 11, 1), on_duty_to=date(2022, 11, 14),
                         quarantine_until=date(2022, 11, 21))
    assert member.status_on(date(2022, 10, 31)) == "scheduled"
    assert member.status_on(date(2022, 11, 1)) == "on_duty"
    assert member.status_on(date(2022, 11, 14)) == "on_duty"  # the last day on duty is a day on duty
    assert member.status_on(date(2022, 11, 15)) == "post_duty_quarantine"
    assert member.status_on(date(2022, 11, 21)) == "post_duty_quarantine"
    assert member.status_on(date(2022, 11, 22)) == "off_duty"


def test_on_duty_count_excludes_post_duty_quarantine_and_other_sites(db, site, make_site):
    other = make_site("Other site")
    day = date(2022, 11, 20)
    add_staff(db, site, doctors=1, nurses=1, others=3, start=date(2022, 11, 1))           # on duty: 5
    add_staff(db, site, others=2, start=date(2022, 11, 1), end=date(2022, 11, 19),
              until=date(2022, 11, 26))                                                    # in quarantine
    add_staff(db, site, others=1, start=date(2022, 11, 21))                                # not yet
    add_staff(db, site, others=1, start=date(2022, 11, 10), end=date(2022, 11, 20),
              until=date(2022, 11, 27))                                                    # last day: counts
    add_staff(db, other, others=4, start=date(2022, 11, 1))
    assert services.on_duty_count(site, day) == 6
    assert services.on_duty_count(site, date(2022, 11, 21)) == 6  # 5 + the one starting; the last-day one left
    assert services.on_duty_count(other, day) == 4


def test_staffing_limit_is_zero_without_staff_and_follows_staff_on_duty(db, site):
    """A site without doctors and nurses on duty takes nobody, whatever its beds or manual limit."""
    today = local_today()
    assert services.staffing_limit(site, today) == 0
    assert services.effective_capacity_limit(site, today) == 0
    add_staff(db, site, others=5)
    assert services.staffing_limit(site, today) == 0  # security and logistics alone look after nobody
    add_staff(db, site, doctors=2, nurses=2, others=5)
    assert services.staffing_limit(site, today) == 100
    assert services.effective_capacity_limit(site, today) == 100
    site.capacity_limit = 80
    db.session.commit()
    assert services.effective_capacity_limit(site, today) == 80
    site.capacity_limit = 300
    db.session.commit()
    assert services.effective_capacity_limit(site, today) == 100
    # Staff recorded but none on duty on that day: the site supports nobody.
    assert services.staffing_limit(site, today - timedelta(days=30)) == 0


def test_effective_capacity_limits_for_many_sites(db, site, make_site):
    other = make_site("Other site", capacity_limit=40)
    add_staff(db, site, doctors=3, nurses=3, others=18)
    add_staff(db, other, doctors=1, nurses=1)  # support 50; the manual 40 is stricter
    limits = services.effective_capacity_limits([site, other], local_today())
    assert limits == {site.id: 150, other.id: 40}


def test_staffing_uses_the_policy_in_force(db, site):
    policy = Policy(name="Strict", effective_from=local_today() - timedelta(days=1), quarantine_days=10,
                    pcr_test_days="1,5,10", residents_per_doctor=30, residents_per_nurse=25)
    db.session.add(policy)
    db.session.commit()
    add_staff(db, site, doctors=2, nurses=2, others=12)
    assert services.staffing_limit(site, local_today()) == 50  # nurses: 2 × 25
    member = services.site_staff(site)[0]
    assert services.default_quarantine_until(local_today()) == local_today() + timedelta(days=10)
    services.end_duty(member, local_today(), None)
    assert member.quarantine_until == local_today() + timedelta(days=10)


# --- the staff pages -------------------------------------------------------------------------

def staff_data(**fields):
    data = {"name": "王医生", "phone": "138 0000 2222", "work_group": "health_observation", "medical_role": "doctor",
            "zone_id": "0", "shift": "day", "on_duty_from": "2022-11-20", "on_duty_to": ""}
    data.update(fields)
    return data


def test_add_edit_and_list_staff(db, site, signed_in):
    client = signed_in("site_manager", sites=[site])
    clean_zone = next(z for z in site.zones if z.type_code == "clean")
    response = client.post(f"/staff/sites/{site.id}/new", data=staff_data(zone_id=str(clean_zone.id)))
    assert response.status_code == 302
    member = db.session.scalars(select(StaffMember)).one()
    assert (member.site_id, member.name, member.phone, member.work_group, member.medical_role, member.zone_id,
            member.shift, member.on_duty_from, member.on_duty_to) == (
        site.id, "王医生", "138 0000 2222", "health_observation", "doctor", clean_zone.id, "day",
        date(2022, 11, 20), None)

    response = client.post(f"/staff/{member.id}/edit", data=staff_data(name="王医生 ", shift="night",
                                                                       on_duty_to="2030-01-01"))
    assert response.status_code == 302
    db.session.expire_all()
    assert (member.name, member.shift, member.on_duty_to) == ("王医生", "night", date(2030, 1, 1))

    page = text(client.get(f"/staff/sites/{site.id}"))
    on_duty = page.split('id="staff-on_duty"')[1].split("</table>")[0]
    assert "王医生" in on_duty and "Health observation" in on_duty and "Doctor" in on_duty
    assert 'id="staffing-check"' in page


def test_new_staff_form_offers_only_this_sites_zones(db, site, make_site, signed_in):
    other = make_site("Other site", ready=True)
    client = signed_in("site_manager", sites=[site])
    page = text(client.get(f"/staff/sites/{site.id}/new"))
    for zone in site.zones:
        assert f'value="{zone.id}"' in page
    for zone in other.zones:
        assert f'value="{zone.id}"' not in page


@pytest.mark.parametrize("fields,message", [
    pytest.param({"name": ""}, "This field is required.", id="name-missing"),
    pytest.param({"name": "   "}, "This field is required.", id="name-blank"),
    pytest.param({"name": "张" * 61}, "longer than 60", id="name-too-long"),
    pytest.param({"phone": "call me"}, "Enter a phone number", id="phone-not-a-number"),
    pytest.param({"work_group": "cooking"}, "Not a valid choice", id="unknown-work-group"),
    pytest.param({"medical_role": "surgeon"}, "Not a valid choice", id="unknown-medical-role"),
    pytest.param({"work_group": "security", "medical_role": "nurse"},
                 "Doctors and nurses work in the health-observation group.", id="nurse-in-security"),
    pytest.param({"shift": "afternoon"}, "Not a valid choice", id="unknown-shift"),
    pytest.param({"zone_id": "99999"}, "Not a valid choice", id="zone-of-no-site"),
    pytest.param({"on_duty_from": ""}, "Enter the first day on duty.", id="start-missing"),
    pytest.param({"on_duty_from": "20.11.2022"}, "Not a valid date value.", id="start-unreadable"),
    pytest.param({"on_duty_to": "2022-11-19"}, "The last day on duty cannot be before the first.",
                 id="end-before-start"),
])
def test_staff_form_refuses_bad_input_and_writes_nothing(db, site, signed_in, fields, message):
    client = signed_in("site_manager", sites=[site])
    response = client.post(f"/staff/sites/{site.id}/new", data=staff_data(**fields))
    assert response.status_code == 400
    assert message in text(response)
    assert staff_count(db) == 0


def test_staff_form_refuses_zone_of_another_site(db, site, make_site, signed_in):
    other = make_site("Other site", ready=True, staffed=False)
    client = signed_in("site_manager", sites=[site])
    response = client.post(f"/staff/sites/{site.id}/new", data=staff_data(zone_id=str(other.zones[0].id)))
    assert response.status_code == 400
    assert "Not a valid choice" in text(response)
    assert staff_count(db) == 0


def test_end_duty_with_quarantine_from_the_policy(db, site, signed_in):
    member = add_staff(db, site, others=1, start=date(2022, 11, 1))[0]
    client = signed_in("site_manager", sites=[site])
    assert "End duty" in text(client.get(f"/staff/{member.id}/end-duty"))
    response = client.post(f"/staff/{member.id}/end-duty", data={"last_day": "2022-11-20", "quarantine_until": ""})
    assert response.status_code == 302
    db.session.expire_all()
    days = policy_in_force(date(2022, 11, 20)).quarantine_days
    assert (member.on_duty_to, member.quarantine_until) == (date(2022, 11, 20), date(2022, 11, 20) + timedelta(days))
    assert member.status_on(date(2022, 11, 21)) == "post_duty_quarantine"


def test_end_duty_with_quarantine_entered(db, site, signed_in):
    member = add_staff(db, site, others=1, start=date(2022, 11, 1))[0]
    client = signed_in("site_manager", sites=[site])
    response = client.post(f"/staff/{member.id}/end-duty", data={"last_day": "2022-11-20",
                                                                   "quarantine_until": "2022-12-04"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (member.on_duty_to, member.quarantine_until) == (date(2022, 11, 20), date(2022, 12, 4))
    page = text(client.get(f"/staff/sites/{site.id}"))
    assert "Post-duty quarantine" in page and "2022-12-04" in page


@pytest.mark.parametrize("data,message", [
    pytest.param({"last_day": "", "quarantine_until": ""}, "Enter the last day on duty.", id="last-day-missing"),
    pytest.param({"last_day": "yesterday", "quarantine_until": ""}, "Not a valid date value.", id="last-day-unreadable"),
    pytest.param({"last_day": "2022-10-31", "quarantine_until": ""}, "cannot be before the first (2022-11-01)",
                 id="last-day-before-start"),
    pytest.param({"last_day": "2022-11-20", "quarantine_until": "2022-11-20"},
                 "Post-duty quarantine must end after the last day on duty.", id="quarantine-not-after-duty"),
    pytest.param({"last_day": "2022-11-20", "quarantine_until": "2022-11-02"},
                 "Post-duty quarantine must end after the last day on duty.", id="quarantine-before-duty-end"),
])
def test_end_duty_refuses_bad_input_and_writes_nothing(db, site, signed_in, data, message):
    member = add_staff(db, site, others=1, start=date(2022, 11, 1))[0]
    client = signed_in("site_manager", sites=[site])
    response = client.post(f"/staff/{member.id}/end-duty", data=data)
    assert response.status_code == 400
    assert message in text(response)
    db.session.expire_all()
    assert (member.on_duty_to, member.quarantine_until) == (None, None)


def test_end_duty_without_policy_asks_for_the_date(db, site, signed_in):
    member = add_staff(db, site, others=1, start=date(2019, 1, 1))[0]
    client = signed_in("site_manager", sites=[site])
    response = client.post(f"/staff/{member.id}/end-duty", data={"last_day": "2020-01-05", "quarantine_until": ""})
    assert response.status_code == 400
    assert "No policy is in force on 2020-01-05" in text(response)
    db.session.expire_all()
    assert member.on_duty_to is None


def test_edit_cannot_move_the_end_of_a_closed_duty(db, site, signed_in):
    member = add_staff(db, site, others=1, start=date(2022, 11, 1), end=date(2022, 11, 10),
                       until=date(2022, 11, 17))[0]
    client = signed_in("site_manager", sites=[site])
    response = client.post(f"/staff/{member.id}/edit", data=staff_data(
        work_group="security", medical_role="none", on_duty_from="2022-11-01", on_duty_to="2022-11-30"))
    assert response.status_code == 400
    assert "Duty has ended" in text(response)
    db.session.expire_all()
    assert member.on_duty_to == date(2022, 11, 10)


# --- the staffing check on the site page ------------------------------------------------------

def test_site_page_shows_staffing_check_and_limit(db, site, signed_in, make_person):
    for i in range(120):
        make_person(f"居民{i}", birth=f"1980{1 + i // 28:02d}{1 + i % 28:02d}", site_id=site.id,
                    status="in_quarantine")
    add_staff(db, site, doctors=2, nurses=2, others=10)
    site.capacity_limit = 300
    db.session.commit()
    page = text(signed_in("site_manager", sites=[site]).get(f"/sites/{site.id}"))
    check = page.split('id="staffing-check"')[1].split("</div>")[0]
    assert "Needed for 120 residents" in check
    doctors = check.split('id="check-doctors"')[1].split("</tr>")[0]
    assert 'class="short"' in check.split('id="check-doctors"')[0][-40:]  # 2 doctors where 3 are needed
    assert ">2<" in doctors and ">3<" in doctors
    assert "The staff on duty support 100 residents." in check
    assert "120 residents are more than that." in check
    assert "call for at least 12 other staff; 10 are on duty" in check
    assert page.split('id="effective-limit">')[1].strip().startswith("100")


def test_site_page_without_staff_shows_it_takes_nobody(db, site, signed_in):
    site.capacity_limit = 60
    db.session.commit()
    page = text(signed_in("hq").get(f"/sites/{site.id}"))
    assert "No staff recorded: the site can take nobody" in page
    assert page.split('id="effective-limit">')[1].strip().startswith("0")
    readiness = page.split('id="readiness"')[1].split("</ul>")[0]
    assert '<li class="missing">Staff on duty who support at least one resident' in readiness


# --- who may use the staff pages ---------------------------------------------------------------

@pytest.mark.parametrize("role,own_site,expected", [
    ("admin", False, 200), ("hq", False, 200), ("site_manager", True, 200),
    ("site_manager", False, 404), ("catering", True, 403),
])
@pytest.mark.parametrize("page", ["list", "new", "edit", "end-duty"])
def test_staff_page_access(db, site, make_site, signed_in, role, own_site, expected, page):
    other = make_site("Other site")
    member = add_staff(db, site, others=1)[0]
    client = signed_in(role, sites=[site] if own_site else [other] if role in ("site_manager", "catering") else [])
    url = {"list": f"/staff/sites/{site.id}", "new": f"/staff/sites/{site.id}/new",
           "edit": f"/staff/{member.id}/edit", "end-duty": f"/staff/{member.id}/end-duty"}[page]
    assert client.get(url).status_code == expected


@pytest.mark.parametrize("role,expected", [("catering", 403), ("site_manager", 404)])
def test_staff_posts_refused_to_foreign_roles_and_sites(db, site, make_site, signed_in, role, expected):
    other = make_site("Other site")
    member = add_staff(db, site, others=1)[0]
    client = signed_in(role, sites=[site] if role == "catering" else [other])
    assert client.post(f"/staff/sites/{site.id}/new", data=staff_data()).status_code == expected
    assert client.post(f"/staff/{member.id}/end-duty", data={"last_day": str(TODAY)}).status_code == expected
    db.session.expire_all()
    assert staff_count(db) == 1 and member.on_duty_to is None
