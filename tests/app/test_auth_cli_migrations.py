"""Signing in and out, CSRF, session expiry, the language switch, the command line, and the
migrations against the models."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from quarantine.models import Site, User
from tests.conftest import PASSWORD


def test_wrong_password_is_refused_without_saying_which_part(app, make_user):
    user = make_user("hq")
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post("/login", data={"username": user.username, "password": "wrong"})
    assert response.status_code == 200
    assert "username or password" in response.get_data(as_text=True).lower()
    assert client.get("/sites/").status_code == 302


def test_passwords_are_stored_hashed(db, make_user):
    user = make_user("hq")
    stored = db.session.scalar(select(User.password_hash).where(User.id == user.id))
    assert PASSWORD not in stored and stored.startswith(("scrypt:", "pbkdf2:"))


def test_logout_ends_the_session(signed_in):
    client = signed_in("hq")
    assert client.get("/sites/").status_code == 200
    assert client.get("/logout").status_code == 405  # only by POST, so a link cannot sign anyone out
    assert client.post("/logout").status_code == 302
    response = client.get("/sites/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_session_expires(app, signed_in):
    app.permanent_session_lifetime = timedelta(seconds=1)
    try:
        client = signed_in("hq")
        assert client.get("/sites/").status_code == 200
        time.sleep(2.1)
        response = client.get("/sites/")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    finally:
        app.permanent_session_lifetime = timedelta(hours=8)


def test_csrf_token_is_required_and_nothing_is_written_without_it(app, db, signed_in):
    client = signed_in("hq")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/sites/new", data={"name": "No token hotel", "kind": "backup"})
        assert response.status_code == 400
        assert "This form has expired or was not sent from this site" in response.get_data(as_text=True)
        assert client.post("/logout").status_code == 400  # not even sign-out
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert db.session.scalar(select(func.count(Site.id))) == 0


def test_language_switch_and_browser_language(app, signed_in):
    client = signed_in("hq")
    assert 'lang="en"' in client.get("/sites/").get_data(as_text=True)
    client.get("/lang/zh?next=/sites/")
    page = client.get("/sites/").get_data(as_text=True)
    assert 'lang="zh-CN"' in page and "隔离点" in page
    assert client.get("/lang/fr").status_code == 404
    fresh = app.test_client()
    fresh.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN,zh;q=0.9"
    assert "登录" in fresh.get("/login").get_data(as_text=True)


def test_language_switch_refuses_offsite_redirects(signed_in):
    client = signed_in("hq")
    response = client.get("/lang/en?next=https://example.com/")
    assert response.status_code == 302 and "example.com" not in response.headers["Location"]


# --- command line ---------------------------------------------------------------------------------

def test_ensure_admin_prints_the_password_once(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["users", "ensure-admin"])
    assert first.exit_code == 0 and "password" in first.output
    password = first.output.split("password / 密码:")[1].split()[0]
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    assert admin.check_password(password)
    second = runner.invoke(args=["users", "ensure-admin"])
    assert second.exit_code == 0 and password not in second.output and "exists already" in second.output


def test_demo_county_loads_once(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "10 sites" in result.output and "TK-1123" in result.output
    assert db.session.scalar(select(func.count(Site.id))) == 10
    assert db.session.scalar(select(func.count(Site.id)).where(Site.status.in_(("ready", "in_use")))) >= 2
    again = runner.invoke(args=["demo", "load"])
    assert again.exit_code == 1 and "already holds sites" in again.output
    skipped = runner.invoke(args=["demo", "load", "--if-empty"])
    assert skipped.exit_code == 0 and "not loaded" in skipped.output
    # The demo batch's roster file passes the import check as it is.
    roster = result.output.split("batch page: ")[1].split()[0]
    check = runner.invoke(args=["roster", "check", roster])
    assert check.exit_code == 0 and "people it would import: 100" in check.output


def test_users_create_refuses_a_taken_name(app, make_user):
    user = make_user("hq")
    result = app.test_cli_runner().invoke(args=["users", "create", user.username, "--role", "hq"])
    assert result.exit_code == 1 and "already exists" in result.output


# --- migrations --------------------------------------------------------------------------------

def test_migrations_match_the_models(app, db):
    """Every model change has its migration: autogenerate finds nothing to add."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(context, db.metadata)
    assert diffs == []


def test_migrations_downgrade_to_empty_and_upgrade_again(tmp_path):
    """On a fresh SQLite file: the whole chain up, down to nothing, and up again."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect

    from quarantine import create_app
    from quarantine.extensions import db as _db
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}", "TESTING": True})
    with app.app_context():
        upgrade()
        assert "rooms" in inspect(_db.engine).get_table_names()
        downgrade(revision="base")
        assert set(inspect(_db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "reservations" in inspect(_db.engine).get_table_names()
        _db.engine.dispose()


def test_the_webhook_secrets_migration_gives_existing_webhooks_a_key(tmp_path):
    """A site that had a webhook before messages were signed gets its own secret from the migration;
    a site without one gets none."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from quarantine import create_app
    from quarantine.extensions import db as _db
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'w.db'}", "TESTING": True})
    with app.app_context():
        upgrade(revision="f4b2d6e8a101")
        with _db.engine.begin() as conn:
            for name, url in (("Hooked", "https://gw.example.cn/hook"), ("Plain", "")):
                conn.execute(text("INSERT INTO sites (name, kind, status, address, lat, lon, responsible_unit, "
                                  "manager_name, manager_phone, notes, passages_separate_confirmed, created_at, "
                                  "webhook_url) VALUES (:n, 'fixed', 'standby', '', NULL, NULL, '', '', '', '', "
                                  "0, CURRENT_TIMESTAMP, :u)"), {"n": name, "u": url})
        upgrade()
        with _db.engine.connect() as conn:
            secrets = dict(conn.execute(text("SELECT name, webhook_secret FROM sites")).all())
        _db.engine.dispose()
    assert len(secrets["Hooked"]) == 64 and secrets["Plain"] == ""


@pytest.mark.postgres
def test_migrations_on_an_empty_postgres_database():
    """The session fixture already built the test database from nothing; here the chain is also
    taken down and up again on a database of its own."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import create_engine, inspect, text

    from quarantine import create_app
    from quarantine.extensions import db as _db
    admin = create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/test", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS migration_check"))
        conn.execute(text("CREATE DATABASE migration_check"))
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1:5432/migration_check",
                          "TESTING": True})
        with app.app_context():
            upgrade()
            assert "plan_runs" in inspect(_db.engine).get_table_names()
            downgrade(revision="base")
            assert set(inspect(_db.engine).get_table_names()) <= {"alembic_version"}
            upgrade()
            _db.engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS migration_check"))
        admin.dispose()
