"""Sessions end when they should (sign-out, password reset or change, deactivation, role change), copies of
the cookie included; no password travels in the cookie; own password changes with minimum rules; sign-in
throttled per account and per address with a message; unknown and known names cost the same."""
from __future__ import annotations

import re

import pytest
from flask.sessions import SecureCookieSessionInterface

from quarantine.auth import signin
from quarantine.models import User
from tests.conftest import PASSWORD


def text(response) -> str:
    return response.get_data(as_text=True)


def copy_of(app, client):
    """A second client holding a copy of `client`'s session cookie (as an attacker who copied it would)."""
    thief = app.test_client()
    cookie = client.get_cookie("session")
    thief.set_cookie("session", cookie.value)
    return thief


def signed_in_page(client) -> int:
    return client.get("/sites/").status_code


def cookie_contents(app, client) -> dict:
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    return serializer.loads(client.get_cookie("session").value)


def test_a_copied_cookie_stops_working_after_sign_out(app, signed_in):
    client = signed_in("hq")
    thief = copy_of(app, client)
    assert signed_in_page(thief) == 200
    client.post("/logout")
    assert signed_in_page(thief) == 302  # back to sign-in


def test_password_reset_ends_every_session_and_the_password_is_not_in_the_cookie(app, db, signed_in):
    admin, victim = signed_in("admin"), signed_in("hq")
    thief = copy_of(app, victim)
    response = admin.post(f"/users/{victim.user.id}/reset-password")
    assert response.status_code == 200
    password = re.search(r'id="new-password" class="password">([A-Za-z0-9]+)<', text(response)).group(1)
    assert password not in str(cookie_contents(app, admin))
    assert response.headers["Cache-Control"] == "no-store"
    assert signed_in_page(victim) == 302 and signed_in_page(thief) == 302
    assert signed_in_page(admin) == 200
    fresh = app.test_client()
    assert fresh.post("/login", data={"username": victim.user.username, "password": password}).status_code == 302


def test_a_new_accounts_password_is_shown_on_the_page_not_flashed(app, db, signed_in):
    admin = signed_in("admin")
    response = admin.post("/users/new", data={"username": "night-hq", "role": "hq", "display_name": "",
                                              "active": "y"})
    assert response.status_code == 200
    password = re.search(r'id="new-password" class="password">([A-Za-z0-9]+)<', text(response)).group(1)
    assert password not in str(cookie_contents(app, admin))


@pytest.mark.parametrize("change", [{"role": "catering"}, {"active": ""}], ids=["role-change", "deactivated"])
def test_role_change_or_deactivation_ends_the_accounts_sessions(app, db, make_site, signed_in, change):
    site = make_site("Yinghe")
    admin, manager = signed_in("admin"), signed_in("site_manager", sites=[site])
    thief = copy_of(app, manager)
    data = {"username": manager.user.username, "display_name": "", "role": "site_manager", "sites": [site.id],
            "active": "y", **change}
    data = {k: v for k, v in data.items() if v != ""}
    assert admin.post(f"/users/{manager.user.id}", data=data).status_code == 302
    assert signed_in_page(manager) == 302 and signed_in_page(thief) == 302


def test_an_unchanged_save_keeps_the_session(app, db, make_site, signed_in):
    site = make_site("Yinghe")
    admin, manager = signed_in("admin"), signed_in("site_manager", sites=[site])
    data = {"username": manager.user.username, "display_name": "Wang", "role": "site_manager", "sites": [site.id],
            "active": "y"}
    assert admin.post(f"/users/{manager.user.id}", data=data).status_code == 302
    assert signed_in_page(manager) == 200


def test_users_change_their_own_password(app, db, signed_in):
    client = signed_in("hq")
    other_device = copy_of(app, client)
    response = client.post("/account/password", data={"current": PASSWORD, "new": "Lantern-river-42",
                                                       "confirm": "Lantern-river-42"})
    assert response.status_code == 302
    assert signed_in_page(client) == 200  # this session goes on
    assert signed_in_page(other_device) == 302  # the others have ended
    fresh = app.test_client()
    assert fresh.post("/login", data={"username": client.user.username, "password": "Lantern-river-42"}).status_code == 302


@pytest.mark.parametrize("new,message", [
    ("short1", "at least 10 characters"),
    ("aaaaaaaaaaaa", "at least 4 different characters"),
    ("1234567890", "most common"),
    ("USERNAME-and-more", "must not contain the username"),
])
def test_own_password_rules(db, signed_in, new, message):
    client = signed_in("hq")
    new = new.replace("USERNAME", client.user.username)
    response = client.post("/account/password", data={"current": PASSWORD, "new": new, "confirm": new})
    assert response.status_code == 200 and message in text(response)


def test_own_password_needs_the_current_one(db, signed_in):
    client = signed_in("hq")
    response = client.post("/account/password", data={"current": "wrong", "new": "Lantern-river-42",
                                                       "confirm": "Lantern-river-42"})
    assert "This is not your current password." in text(response)


def test_guessing_the_current_password_on_the_change_form_is_throttled(db, signed_in):
    client = signed_in("hq")
    wrong = {"current": "guess", "new": "Lantern-river-42", "confirm": "Lantern-river-42"}
    for _ in range(5):
        assert client.post("/account/password", data=wrong).status_code == 200
    response = client.post("/account/password", data={**wrong, "current": PASSWORD})
    assert response.status_code == 429 and "Too many wrong current passwords" in text(response)
    assert signed_in_page(client) == 200  # still signed in, the password unchanged


def test_wrong_passwords_are_throttled_per_account_with_a_message(app, db, make_user):
    user = make_user("hq")
    client = app.test_client()
    for _ in range(5):
        assert client.post("/login", data={"username": user.username, "password": "guess"}).status_code == 200
    # From another address, even the right password waits: the account is being guessed.
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    response = other.post("/login", data={"username": user.username, "password": PASSWORD},
                          headers={"Accept-Language": "zh"})
    assert response.status_code == 429
    assert "登录失败次数过多" in text(response)
    # Requests past the limit cost nothing in the audit trail, however many come.
    from sqlalchemy import func, select

    from quarantine.models import AuditEvent
    rows = db.session.scalar(select(func.count(AuditEvent.id)))
    for _ in range(20):
        assert other.post("/login", data={"username": user.username, "password": "guess"}).status_code == 429
    assert db.session.scalar(select(func.count(AuditEvent.id))) == rows


def test_wrong_passwords_are_throttled_per_address(app, db, make_user):
    users = [make_user("hq") for _ in range(31)]
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.1.1.1"
    statuses = [client.post("/login", data={"username": u.username, "password": "guess"},
                            headers={"Accept-Language": "en"}).status_code for u in users]
    assert statuses[:30] == [200] * 30 and statuses[30] == 429


def test_successful_sign_ins_do_not_count(app, db, make_user):
    user = make_user("hq")
    for _ in range(8):
        client = app.test_client()
        assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302


def test_unknown_names_cost_a_password_check_too(app, db, make_user, monkeypatch):
    user = make_user("hq")
    checks = []
    real = signin.check_password_hash

    def counting(hash_, password):
        checks.append(hash_)
        return real(hash_, password)
    monkeypatch.setattr(signin, "check_password_hash", counting)
    monkeypatch.setattr("quarantine.models.auth.check_password_hash", counting)
    assert signin.authenticate("nobody-by-that-name", "guess") is None
    assert signin.authenticate(user.username, "guess") is None
    assert len(checks) == 2
    # The dummy hash is made like a real one (same method and cost).
    assert checks[0].split("$")[0] == db.session.get(User, user.id).password_hash.split("$")[0]
