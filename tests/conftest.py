"""Shared fixtures: a migrated database (SQLite by default, PostgreSQL when
TEST_DATABASE_URL points at one), the app, clients signed in per role, factories."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert, select, text

os.environ.setdefault("JOBS_IMMEDIATE", "1")  # jobs run in the test process (a worker test starts real ones)

from quarantine import create_app  # noqa: E402
from quarantine.extensions import db as _db

PASSWORD = "correct-horse-battery"
# Tests never write into the real instance/ folder (secret key, demo roster, SQLite files): every app
# made by a test, and every server a test starts, gets a throwaway one.
os.environ["QUARANTINE_INSTANCE_PATH"] = tempfile.mkdtemp(prefix="qtest-instance-")


def _database_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{Path(tempfile.mkdtemp(prefix='qtest-')) / 'test.db'}"


def _empty_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url() -> str:
    url = _database_url()
    if url.startswith("postgresql"):
        _empty_postgres(url)
    return url


@pytest.fixture(scope="session")
def _migrated_app(database_url, tmp_path_factory):
    """One app per test session, its database built by the real migrations."""
    from flask_migrate import upgrade
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "WTF_CSRF_ENABLED": False,
                      "SECRET_KEY": "test-secret", "SERVER_NAME": None})
    with app.app_context():
        upgrade()
        # Reference rows written by the migration, restored after every test.
        snapshot = {}
        for table in _db.metadata.sorted_tables:
            rows = [dict(r._mapping) for r in _db.session.execute(select(table))]
            if rows:
                snapshot[table.name] = rows
    app.config["REFERENCE_SNAPSHOT"] = snapshot

    @app.teardown_request
    def _forget_signed_in_user(_exc):
        # Tests hold an app context open, and requests reuse it, so the per-context caches of
        # Flask-Login (the user) and Flask-Babel (the locale) would leak from one request to the next.
        from flask import g
        g.pop("_login_user", None)
        g.pop("_flask_babel", None)
    return app


def _reset(app) -> None:
    tables = list(reversed(_db.metadata.sorted_tables))
    with _db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(t.name for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())
        for table in _db.metadata.sorted_tables:
            rows = app.config["REFERENCE_SNAPSHOT"].get(table.name)
            if rows:
                conn.execute(insert(table), rows)
                if conn.dialect.name == "postgresql" and "id" in table.c:
                    # Rows were restored with their ids; move the sequence past them.
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                      f"(SELECT max(id) FROM {table.name}))"))


@pytest.fixture
def app(_migrated_app):
    from quarantine.extensions import limiter
    with _migrated_app.app_context():
        yield _migrated_app
        _db.session.remove()
        _reset(_migrated_app)
        limiter.reset()  # sign-in and self-report limits start afresh in every test


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user(db):
    from quarantine.users.services import create_user

    def factory(role: str = "admin", username: str | None = None, sites=()):
        user, _ = create_user(username or f"{role}-{os.urandom(3).hex()}", role,
                              site_ids=[s.id for s in sites], password=PASSWORD)
        return user
    return factory


@pytest.fixture
def login(client):
    def do(user):
        response = client.post("/login", data={"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, response.data
        return client
    return do


@pytest.fixture
def make_site(db):
    """A site with one building and a block of rooms; `ready=True` fills its layout too and puts
    doctors and nurses on duty who support all its beds (a ready site without staff takes nobody),
    unless `staffed=False` (for tests that count staff themselves)."""
    from quarantine.demo import _lay_out
    from quarantine.models import Building, Room, Site

    def factory(name: str = "Test site", *, kind: str = "fixed", floors=(1, 2), rooms_per_floor: int = 4,
                beds: int = 1, ready: bool = False, staffed: bool | None = None, **fields):
        values = dict(lat=33.5, lon=114.6, responsible_unit="财政局", manager_name="张三", manager_phone="13800000000")
        site = Site(name=name, kind=kind, status="standby", **{**values, **fields})
        db.session.add(site)
        building = Building(site=site, code="A", name="A栋", has_lift=True)
        db.session.add(building)
        for floor in range(floors[0], floors[1] + 1):
            for i in range(1, rooms_per_floor + 1):
                building.rooms.append(Room(floor=floor, number=f"{floor}{i:02d}", beds=beds, accessible=floor == 1))
        db.session.flush()
        if ready:
            _lay_out(site)
            site.status = "ready"
        if ready if staffed is None else staffed:
            staff_for_beds(db, site, sum(r.beds for r in building.rooms))
        db.session.commit()
        return site
    return factory


def staff_for_beds(db, site, beds: int) -> None:
    """Doctors and nurses on duty since a month ago, enough for `beds` residents at the default 1:50."""
    from datetime import date, timedelta

    from quarantine.models import StaffMember
    since = date.today() - timedelta(days=30)
    for i in range(max(1, -(-beds // 50))):
        for role in ("doctor", "nurse"):
            db.session.add(StaffMember(site=site, name=f"{role} {i + 1}", work_group="health_observation",
                                       medical_role=role, on_duty_from=since))


@pytest.fixture
def make_person(db):
    from quarantine.idnumbers import check_digit
    from quarantine.models import Person
    counter = {"n": 0}

    def factory(name: str = "李四", *, birth: str = "19800101", sex_digit: int = 1, **fields):
        counter["n"] += 1
        first17 = f"411623{birth}{counter['n']:02d}{sex_digit}"[:17]
        person = Person(name=name, id_kind="resident_id", id_number=first17 + check_digit(first17),
                        sex="M" if sex_digit % 2 else "F", category_code=fields.pop("category_code", "close_contact"),
                        diet_code=fields.pop("diet_code", "regular"), status=fields.pop("status", "expected"),
                        household=fields.pop("household", f"H{counter['n']}"), **fields)
        db.session.add(person)
        db.session.commit()
        return person
    return factory


def valid_resident_id(birth: str = "19900101", seq: str = "123") -> str:
    from quarantine.idnumbers import check_digit
    first17 = f"411623{birth}{seq}"
    return first17 + check_digit(first17)


@pytest.fixture
def signed_in(app, make_user):
    """A test client signed in with a new account of the given role (English pages)."""
    def make(role: str = "hq", sites=()):
        user = make_user(role, sites=sites)
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302
        client.user = user
        return client
    return make


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need real concurrent transactions: skipped on SQLite, with the reason."""
    if os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: run with TEST_DATABASE_URL=postgresql+psycopg://… (make test does)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    """Cheap password hashes in tests (hundreds of accounts are made); the hashing itself is
    Werkzeug's and production keeps its default cost."""
    from werkzeug.security import generate_password_hash
    monkeypatch.setattr("quarantine.models.auth.generate_password_hash",
                        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"))
