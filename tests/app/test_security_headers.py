"""Security headers from Flask-Talisman: a Content-Security-Policy with no inline scripts or handlers (and no
template that needs them), HSTS, https redirects and Secure cookies in production."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from quarantine import create_app

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)


def test_pages_send_a_strict_content_security_policy(signed_in):
    response = signed_in("hq").get("/sites/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in response.headers  # plain http in development


@pytest.mark.parametrize("path", sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html")))
def test_no_template_has_inline_scripts_handlers_or_styles(path):
    source = (TEMPLATES / path).read_text()
    assert not INLINE_HANDLER.search(source), path
    assert not INLINE_SCRIPT.search(source), path
    assert "style=" not in source and "<style" not in source and "javascript:" not in source, path


def test_the_residents_pages_send_no_referrer(client):
    response = client.get("/r/not-a-token")
    assert response.headers["Referrer-Policy"] == "no-referrer"


@pytest.fixture
def production(app, database_url, monkeypatch):
    """The app as production runs it (the test app's database, already migrated)."""
    monkeypatch.setenv("HTTPS_ONLY", "1")
    monkeypatch.setenv("TRUSTED_PROXIES", "1")
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "prod-test",
                       "WTF_CSRF_ENABLED": False})


def test_production_redirects_to_https_and_sends_hsts(production):
    client = production.test_client()
    response = client.get("/login")
    assert response.status_code == 302 and response.headers["Location"].startswith("https://")
    secure = client.get("/login", base_url="https://quarantine.example")
    assert secure.status_code == 200
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31556926")  # a year
    assert production.config["SESSION_COOKIE_SECURE"] is True


def test_production_behind_the_proxy_takes_the_clients_address_and_scheme(production, db):
    from sqlalchemy import select

    from quarantine.models import AuditEvent
    client = production.test_client()
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    response = client.get("/login", headers=headers)
    assert response.status_code == 200 and "Strict-Transport-Security" in response.headers
    with production.app_context():
        client.post("/login", data={"username": "nobody", "password": "x"}, headers=headers)
    db.session.expire_all()
    assert db.session.scalars(select(AuditEvent.address).where(AuditEvent.action == "sign_in_refused")).all() \
        == ["203.0.113.7"]


def test_the_session_cookie_is_secure_in_production(production):
    client = production.test_client()
    response = client.get("/lang/en", base_url="https://quarantine.example")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
