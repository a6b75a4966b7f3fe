"""/healthz: what a load balancer asks before sending requests to a web machine."""
from __future__ import annotations

from sqlalchemy.exc import OperationalError

from quarantine.extensions import db as _db
from quarantine.jobs.queue import huey


def test_healthy_when_database_and_queue_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"
    assert response.get_json()["database"] == "ok" and response.get_json()["queue"] == "ok"


def test_failing_database_is_reported_with_503(client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))
    monkeypatch.setattr(_db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "failing" and response.get_json()["status"] == "failing"


def test_failing_queue_is_reported_with_503(client, monkeypatch):
    def broken():
        raise ConnectionError("redis down")
    monkeypatch.setattr(huey, "pending_count", broken)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.get_json()["queue"] == "failing"
