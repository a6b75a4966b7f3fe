"""Error pages 400/403/404/413/429/500 in the user's language, inside the layout."""
from __future__ import annotations

import io

import pytest


def text(response) -> str:
    return response.get_data(as_text=True)


def in_layout(page: str) -> bool:
    return 'class="topbar' in page and "app.css" in page


@pytest.mark.parametrize("lang,title", [("en", "Page not found"), ("zh", "页面不存在")])
def test_not_found_in_the_users_language(client, lang, title):
    response = client.get("/no-such-page", headers={"Accept-Language": lang})
    assert response.status_code == 404
    assert title in text(response) and in_layout(text(response))


@pytest.mark.parametrize("lang,title", [("en", "No access"), ("zh", "无权访问")])
def test_forbidden_in_the_layout(signed_in, lang, title):
    client = signed_in("catering")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
    response = client.get("/users/")
    assert response.status_code == 403
    assert title in text(response) and in_layout(text(response))


def test_a_form_without_its_token_is_a_400_page(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/login", data={"username": "x", "password": "y"}, headers={"Accept-Language": "en"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert "This form has expired" in text(response) and in_layout(text(response))


def test_too_large_an_upload_is_a_413_page(app, db, signed_in):
    from tests.app.transfer_helpers import make_batch
    batch = make_batch(db)
    client = signed_in("hq")
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    try:
        response = client.post(f"/transfers/{batch.id}/roster", content_type="multipart/form-data",
                               data={"file": (io.BytesIO(b"x" * (2 * 1024 * 1024)), "r.csv")})
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 20 * 1024 * 1024
    assert response.status_code == 413
    assert "larger than 1 MB" in text(response) and in_layout(text(response))


@pytest.mark.parametrize("lang,title", [("en", "Something went wrong"), ("zh", "出错了")])
def test_a_crash_is_a_500_page_in_the_layout(app, client, monkeypatch, lang, title):
    def crash():
        raise RuntimeError("boom")
    monkeypatch.setitem(app.view_functions, "auth.login", crash)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.get("/login", headers={"Accept-Language": lang})
    assert response.status_code == 500
    assert title in text(response) and in_layout(text(response)) and "boom" not in text(response)


def test_too_many_requests_is_a_429_page(app, client, monkeypatch):
    from werkzeug.exceptions import TooManyRequests

    def limited():
        raise TooManyRequests()
    monkeypatch.setitem(app.view_functions, "sites.list_sites", limited)
    response = client.get("/sites/", headers={"Accept-Language": "zh"})
    assert response.status_code == 429
    assert "尝试次数过多" in text(response) and in_layout(text(response))


def test_only_write_conflicts_of_the_database_are_answered_as_a_conflict():
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from quarantine.error_pages import _is_write_conflict

    class Busy(Exception):
        sqlstate = "40P01"  # PostgreSQL: deadlock detected

    def wrapped(orig):
        return OperationalError("UPDATE rooms ...", {}, orig)

    assert _is_write_conflict(wrapped(Busy()))
    assert _is_write_conflict(wrapped(sqlite3.OperationalError("database is locked")))
    # The database gone or a table missing is a fault to log with its traceback, not "try again".
    assert not _is_write_conflict(wrapped(sqlite3.OperationalError("no such table: rooms")))
    assert not _is_write_conflict(wrapped(ConnectionRefusedError("connection refused")))
