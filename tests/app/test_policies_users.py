"""Policy records, the editable vocabularies, and user accounts."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from quarantine.models import Category, Diet, Policy, User
from quarantine.policies.services import policy_in_force
from tests.conftest import PASSWORD


def new_client(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def sign_in(app, username, password=PASSWORD):
    client = new_client(app)
    return client, client.post("/login", data={"username": username, "password": password})


@pytest.fixture
def signed_in(app, make_user):
    def make(role: str = "admin", sites=()):
        user = make_user(role, sites=sites)
        client, response = sign_in(app, user.username)
        assert response.status_code == 302
        client.user = user
        return client
    return make


def text(response) -> str:
    return response.get_data(as_text=True)


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- policies ----------------------------------------------------------------------------

GOOD_POLICY = {
    "name": "县级补充方案 2023", "effective_from": "2023-01-08", "quarantine_days": "7", "home_days": "0",
    "pcr_test_days": "1,3,7", "residents_per_doctor": "50", "residents_per_nurse": "40",
    "other_staff_min": "3", "other_staff_max": "4", "bus_seats": "45", "bus_load_factor": "0.5", "notes": "",
    "waste_collection_days": "2", "supply_warning_days": "3",
}


@pytest.mark.parametrize("changes,message", [
    pytest.param({"pcr_test_days": "1,4,8"}, "Test days must lie between day 1 and the last day of quarantine.",
                 id="test-day-after-quarantine"),
    pytest.param({"pcr_test_days": "0,3"}, "Test days must lie between day 1", id="test-day-zero"),
    pytest.param({"pcr_test_days": "1,a,3"}, "List day numbers separated by commas", id="test-days-not-numbers"),
    pytest.param({"pcr_test_days": "-1,3"}, "List day numbers separated by commas", id="negative-test-day"),
    pytest.param({"pcr_test_days": " , "}, "List day numbers separated by commas", id="test-days-only-commas"),
    pytest.param({"quarantine_days": "seven"}, "Not a valid integer value.", id="days-not-a-number"),
    pytest.param({"quarantine_days": "0"}, "between 1 and 60", id="zero-quarantine-days"),
    pytest.param({"bus_load_factor": "0"}, "between 0.05 and 1", id="load-factor-0"),
    pytest.param({"bus_load_factor": "1.5"}, "between 0.05 and 1", id="load-factor-1.5"),
    pytest.param({"bus_seats": "0"}, "between 1 and 100", id="no-bus-seats"),
    pytest.param({"effective_from": "2022-06-28"}, "Another policy starts on this day", id="duplicate-effective-date"),
    pytest.param({"effective_from": "28/06/2023"}, "Not a valid date value.", id="bad-date"),
    pytest.param({"name": "防控方案第九版 9th edition"}, "Another policy already has this name.", id="duplicate-name"),
    pytest.param({"other_staff_min": "4", "other_staff_max": "3"}, "The upper ratio must not be below the lower one.",
                 id="other-staff-max-below-min"),
    pytest.param({"residents_per_doctor": "0"}, "between 1 and 1000", id="no-residents-per-doctor"),
    pytest.param({"waste_collection_days": "0"}, "between 1 and 30", id="waste-collected-every-0-days"),
    pytest.param({"waste_collection_days": ""}, "This field is required.", id="waste-interval-missing"),
    pytest.param({"supply_warning_days": "-1"}, "between 0 and 60", id="negative-warning-days"),
])
def test_policy_form_refuses_bad_input(db, signed_in, changes, message):
    client = signed_in("hq")
    before = count(db, Policy)
    response = client.post("/policy/new", data={**GOOD_POLICY, **changes})
    assert response.status_code == 200
    assert message in text(response)
    assert count(db, Policy) == before == 3


def test_policy_created_and_in_force_from_its_date(db, signed_in):
    client = signed_in("hq")
    response = client.post("/policy/new", data={**GOOD_POLICY, "pcr_test_days": "7 3，1"})
    assert response.status_code == 302
    policy = db.session.scalar(select(Policy).where(Policy.effective_from == date(2023, 1, 8)))
    assert policy.pcr_test_days == "1,3,7" and policy.test_days == [1, 3, 7]
    assert (policy.quarantine_days, policy.residents_per_nurse, policy.bus_load_factor) == (7, 40, 0.5)
    assert policy_in_force(date(2023, 1, 8)).id == policy.id
    assert policy_in_force(date(2023, 1, 7)).name.startswith("二十条")
    assert "县级补充方案 2023" in text(client.get("/policy/"))


def test_test_days_may_fall_in_home_monitoring(db, signed_in):
    """The 9th edition tests on day 3 of home monitoring after 7 days of quarantine."""
    response = signed_in("hq").post("/policy/new", data={**GOOD_POLICY, "home_days": "3", "pcr_test_days": "1,7,10"})
    assert response.status_code == 302


def test_policy_edit_keeps_its_own_date_and_name(db, signed_in):
    policy = db.session.scalar(select(Policy).where(Policy.effective_from == date(2022, 6, 28)))
    client = signed_in("admin")
    response = client.post(f"/policy/{policy.id}", data={**GOOD_POLICY, "name": policy.name,
                                                         "effective_from": "2022-06-28", "home_days": "3",
                                                         "pcr_test_days": "1,2,3,5,7"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Policy, policy.id).residents_per_nurse == 40
    clash = client.post(f"/policy/{policy.id}", data={**GOOD_POLICY, "effective_from": "2022-11-11"})
    assert clash.status_code == 200 and "Another policy starts on this day" in text(clash)
    db.session.expire_all()
    assert db.session.get(Policy, policy.id).effective_from == date(2022, 6, 28)


# --- vocabularies ----------------------------------------------------------------------------

def vocab_data(**fields):
    data = {"code": "medical_observation", "label_zh": "医学观察", "label_en": "Medical observation",
            "sort": "9", "active": "y"}
    data.update(fields)
    return data


@pytest.mark.parametrize("fields,message,status", [
    pytest.param({"code": "Close-Contact"}, "Lower-case letters, digits and _ only", 200, id="upper-case-and-dash"),
    pytest.param({"code": "1st_contact"}, "Lower-case letters, digits and _ only", 200, id="starts-with-digit"),
    pytest.param({"code": "密接"}, "Lower-case letters, digits and _ only", 200, id="chinese-code"),
    pytest.param({"code": ""}, "This field is required.", 200, id="empty-code"),
    pytest.param({"label_zh": ""}, "This field is required.", 200, id="missing-chinese-name"),
    pytest.param({"sort": "-1"}, "between 0 and 1000", 200, id="negative-order"),
    pytest.param({"code": "close_contact"}, "This code is already in the list.", 400, id="duplicate-code"),
])
def test_vocabulary_add_refuses_bad_input(db, signed_in, fields, message, status):
    client = signed_in("admin")
    before = count(db, Category)
    response = client.post("/policy/lists/categories/new", data=vocab_data(**fields))
    assert response.status_code == status
    assert message in text(response)
    assert count(db, Category) == before
    db.session.expire_all()
    assert db.session.get(Category, "close_contact").label_en == "Close contact"


def test_vocabulary_add_and_edit(db, signed_in):
    client = signed_in("admin")
    assert client.post("/policy/lists/categories/new", data=vocab_data()).status_code == 302
    added = db.session.get(Category, "medical_observation")
    assert (added.label_zh, added.label_en, added.sort, added.active) == ("医学观察", "Medical observation", 9, True)

    # editing keeps the code (it is referenced by people) even if another one is posted
    response = client.post("/policy/lists/diets/halal", data={"code": "pork", "label_zh": "清真餐",
                                                              "label_en": "Halal meal", "sort": "2"})
    assert response.status_code == 302
    db.session.expire_all()
    halal = db.session.get(Diet, "halal")
    assert (halal.label_zh, halal.label_en, halal.active) == ("清真餐", "Halal meal", False)
    assert db.session.get(Diet, "pork") is None
    form = text(client.get("/people/new"))
    assert 'value="halal"' not in form and 'value="vegetarian"' in form  # inactive: no longer offered


@pytest.mark.parametrize("url", ["/policy/lists/nothing/new", "/policy/lists/diets/no_such_diet"])
def test_vocabulary_unknown_list_or_item(signed_in, url):
    assert signed_in("admin").get(url).status_code == 404


# --- users ------------------------------------------------------------------------------------

def user_data(**fields):
    data = {"username": "wang.wu", "display_name": "王五", "role": "site_manager", "active": "y"}
    data.update(fields)
    return data


def test_admin_creates_user_whose_generated_password_works(app, db, make_site, signed_in):
    site = make_site("Yinghe Hotel")
    admin = signed_in("admin")
    response = admin.post("/users/new", data=user_data(sites=[str(site.id)]), follow_redirects=True)
    assert response.status_code == 200
    assert "Account wang.wu created." in text(response)
    match = re.search(r'id="new-password" class="password">([A-Za-z0-9]+)<', text(response))
    assert match, text(response)
    password = match.group(1)
    assert len(password) >= 12
    user = db.session.scalar(select(User).where(User.username == "wang.wu"))
    assert (user.role, user.display_name, [s.id for s in user.sites]) == ("site_manager", "王五", [site.id])
    assert password not in user.password_hash

    client, response = sign_in(app, "wang.wu", password)
    assert response.status_code == 302
    assert client.get(f"/sites/{site.id}").status_code == 200
    _, wrong = sign_in(app, "wang.wu", password + "x")
    assert wrong.status_code == 200 and "Wrong username or password" in text(wrong)
    # the password is shown once only
    assert password not in text(admin.get("/users/"))


@pytest.mark.parametrize("fields,message", [
    pytest.param({"role": "site_manager"}, "need at least one site", id="site-manager-without-sites"),
    pytest.param({"role": "catering"}, "need at least one site", id="catering-without-sites"),
    pytest.param({"username": "王五"}, "Letters, digits, _ . - only.", id="username-bad-characters"),
    pytest.param({"username": "wu"}, "between 3 and 64 characters", id="username-too-short"),
    pytest.param({"username": "ADMIN-ONE"}, "This username is taken.", id="username-taken-any-case"),
    pytest.param({"role": "root"}, "Not a valid choice", id="unknown-role"),
])
def test_user_form_refuses_bad_input(db, make_user, signed_in, fields, message):
    make_user("hq", username="admin-one")
    client = signed_in("admin")
    before = count(db, User)
    response = client.post("/users/new", data=user_data(**fields))
    assert response.status_code == 200
    assert message in text(response)
    assert count(db, User) == before


def test_hq_user_needs_no_site(db, signed_in):
    assert signed_in("admin").post("/users/new", data=user_data(role="hq")).status_code == 200  # the password page
    assert db.session.scalar(select(User.role).where(User.username == "wang.wu")) == "hq"


@pytest.mark.parametrize("fields", [
    pytest.param({"role": "hq", "active": "y"}, id="demote-self"),
    pytest.param({"role": "admin"}, id="deactivate-self"),
])
def test_admin_cannot_remove_own_admin_access(db, signed_in, fields):
    admin = signed_in("admin")
    me = admin.user
    response = admin.post(f"/users/{me.id}", data={"username": me.username, "display_name": "", **fields})
    assert response.status_code == 200
    assert "You cannot remove your own administrator access." in text(response)
    db.session.expire_all()
    stored = db.session.get(User, me.id)
    assert (stored.role, stored.active) == ("admin", True)
    assert admin.get("/users/").status_code == 200


def test_admin_changes_another_users_role_and_sites(db, make_site, make_user, signed_in):
    site = make_site("Yinghe Hotel")
    other = make_user("hq")
    admin = signed_in("admin")
    response = admin.post(f"/users/{other.id}", data={"username": other.username, "role": "catering",
                                                      "sites": [str(site.id)], "active": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(User, other.id)
    assert stored.role == "catering" and [s.id for s in stored.sites] == [site.id]


def test_inactive_user_cannot_sign_in(app, db, make_user):
    user = make_user("hq")
    user.active = False
    db.session.commit()
    client, response = sign_in(app, user.username)
    assert response.status_code == 200
    assert "Wrong username or password, or the account is disabled." in text(response)
    home = client.get("/")
    assert home.status_code == 302 and "/login" in home.headers["Location"]


def test_deactivated_user_is_shut_out_at_once(app, db, make_user, signed_in):
    user = make_user("hq")
    client, response = sign_in(app, user.username)
    assert response.status_code == 302 and client.get("/").status_code == 200
    admin = signed_in("admin")
    assert admin.post(f"/users/{user.id}", data={"username": user.username, "role": "hq"}).status_code == 302
    home = client.get("/")
    assert home.status_code == 302 and "/login" in home.headers["Location"]


def test_password_reset_replaces_the_old_password(app, db, make_user, signed_in):
    user = make_user("hq")
    response = signed_in("admin").post(f"/users/{user.id}/reset-password", follow_redirects=True)
    password = re.search(r'id="new-password" class="password">([A-Za-z0-9]+)<', text(response)).group(1)
    assert sign_in(app, user.username)[1].status_code == 200  # old password refused
    assert sign_in(app, user.username, password)[1].status_code == 302
