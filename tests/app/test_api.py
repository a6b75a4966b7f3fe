"""The REST API at /api/v1: tokens (hash only, revocable, the user's role and sites apply), rate limits,
sites, the forecast, batches with their roster, planning runs and the plan in the exchange format."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

import planner
from quarantine.api.tokens import digest, make_token
from quarantine.extensions import limiter
from quarantine.models import ApiToken, Person, PlanRun, TransferBatch
from quarantine.transfers.plan_store import plan_of
from tests.app.transfer_helpers import add_people, csv_file, make_batch, roster_rows


@pytest.fixture(autouse=True)
def _fresh_limits():
    limiter.reset()
    yield
    limiter.reset()


@pytest.fixture
def api_client(app, db, make_user):
    """A test client with a bearer token of a new account of the given role."""
    def make(role: str = "hq", sites=()):
        user = make_user(role, sites=sites)
        token, _row = make_token(user)
        db.session.commit()
        client = app.test_client()
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        client.user, client.token = user, token
        return client
    return make


def test_the_cli_prints_a_token_and_only_its_hash_is_kept(app, db, make_user):
    user = make_user("hq", username="dashboard")
    result = app.test_cli_runner().invoke(args=["users", "token", "dashboard", "--label", "province"])
    token = result.output.strip().splitlines()[-1]
    assert result.exit_code == 0 and token.startswith("qt_") and len(token) > 40
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert row.token_hash == digest(token) and token not in (row.token_hash, row.prefix) and row.label == "province"
    response = app.test_client().get("/api/v1/sites", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert app.test_cli_runner().invoke(args=["users", "token", "nobody"]).exit_code == 1


@pytest.mark.parametrize("header", [None, "Bearer ", "Bearer qt_wrong", "Basic abc", "qt_x"])
def test_without_a_valid_token_the_api_answers_401_json(client, header):
    for url in ("/api/v1/sites", "/api/v1/capacity/forecast", "/api/v1/batches/X", "/api/v1/plan-runs/1"):
        response = client.get(url, headers={"Authorization": header} if header else {})
        assert response.status_code == 401 and response.is_json and response.json["code"] == 401


def test_a_signed_in_browser_session_is_no_token(signed_in):
    assert signed_in("hq").get("/api/v1/sites").status_code == 401


def test_a_revoked_token_and_a_disabled_account_stop_working(db, api_client, signed_in):
    api = api_client("hq")
    assert api.get("/api/v1/sites").status_code == 200
    admin = signed_in("admin")
    page = admin.get("/api-tokens/").get_data(as_text=True)
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == api.user.id))
    assert f'data-token="{row.id}"' in page and row.prefix in page and api.token not in page
    assert admin.post(f"/api-tokens/{row.id}/revoke").status_code == 302
    assert api.get("/api/v1/sites").status_code == 401
    other = api_client("hq")
    other.user.active = False
    db.session.commit()
    assert other.get("/api/v1/sites").status_code == 401


def test_admins_make_a_token_on_the_page_and_others_may_not(db, make_user, signed_in):
    user = make_user("hq")
    admin = signed_in("admin")
    response = admin.post("/api-tokens/", data={"user_id": user.id, "label": "wall"}, follow_redirects=True)
    assert "qt_" in response.get_data(as_text=True)
    assert signed_in("hq").get("/api-tokens/").status_code == 403


def test_the_site_list_has_beds_status_and_last_confirmed(db, make_site, api_client):
    site = make_site("Ready one", ready=True, floors=(1, 1), rooms_per_floor=3, beds=2)
    body = api_client("hq").get("/api/v1/sites").json
    assert body["total"] == 1
    item = body["items"][0]
    assert item["id"] == site.id and item["status"] == "ready"
    assert (item["beds"], item["free_beds"], item["reserved_beds"]) == (6, 6, 0)
    assert item["last_confirmed"] == {"rooms": None, "staff": None, "report": None}
    assert item["stale"] == ["rooms", "staff", "report"]


def test_a_site_manager_token_sees_only_their_sites_and_may_not_plan(db, make_site, api_client):
    mine, other = make_site("Mine"), make_site("Other")
    api = api_client("site_manager", sites=[mine])
    assert [s["name"] for s in api.get("/api/v1/sites").json["items"]] == ["Mine"]
    assert [s["name"] for s in api.get("/api/v1/capacity/forecast").json["sites"]] == ["Mine"]
    assert api.post("/api/v1/batches", json={"code": "X-1", "origin": "A"}).status_code == 403
    assert api.post("/api/v1/plan-runs", json={"batches": ["X-1"]}).status_code == 403
    assert other  # exists, but is not listed


def test_the_forecast_lists_the_days_for_the_county_and_the_sites(db, make_site, api_client):
    site = make_site("Ready one", ready=True)
    body = api_client("hq").get("/api/v1/capacity/forecast?days=7").json
    assert len(body["days"]) == 7 and len(body["county"]) == 7
    assert body["county"][0]["takes"] == 8 and body["county"][0]["day"] == body["days"][0]
    assert body["sites"][0]["id"] == site.id and len(body["sites"][0]["days"]) == 7
    assert api_client("hq").get("/api/v1/capacity/forecast?days=99").status_code == 422


def test_batches_are_created_and_their_roster_uploaded_with_the_web_checks(db, api_client):
    api = api_client("hq")
    response = api.post("/api/v1/batches", json={"code": "TK-5", "origin": "太康县",
                                                 "origin_location": {"lat": 34.06, "lon": 114.85}, "expected_arrival": "2026-12-02T20:00:00+08:00"})
    assert response.status_code == 201 and response.json["status"] == "announced"
    assert api.post("/api/v1/batches", json={"code": "TK-5", "origin": "x"}).status_code == 409
    assert api.post("/api/v1/batches", json={"code": "TK 6", "origin": "x"}).status_code == 422
    rows = roster_rows(4)
    rows[2][2] = "411602198001010000"  # a wrong check digit on the file's 4th row (header first)
    bad = api.post("/api/v1/batches/TK-5/roster", data={"file": (io.BytesIO(csv_file(rows)), "tk5.csv")})
    assert bad.status_code == 422 and bad.json["imported"] == 0
    assert [p["row"] for p in bad.json["problems"]] == [4] and bad.json["problems"][0]["name"] == "测试002"
    assert not db.session.scalar(select(Person.id).limit(1))
    skipped = api.post("/api/v1/batches/TK-5/roster?skip_bad_rows=true",
                       data={"file": (io.BytesIO(csv_file(rows)), "tk5.csv")})
    assert skipped.status_code == 200 and skipped.json["imported"] == 3
    status = api.get("/api/v1/batches/TK-5").json
    assert status["people"] == 3 and status["waiting"] == 3
    assert api.get("/api/v1/batches/NOPE").status_code == 404


def test_a_plan_run_is_started_followed_and_its_plan_returned_in_the_exchange_format(db, make_site, api_client):
    make_site("Ready one", ready=True)
    batch = make_batch(db, "TK-8")
    add_people(db, batch, 5)
    api = api_client("hq")
    assert api.post("/api/v1/plan-runs", json={"batches": ["NOPE"]}).status_code == 404
    started = api.post("/api/v1/plan-runs", json={"batches": ["TK-8"], "time_limit": 5})
    assert started.status_code == 202
    run_id = started.json["id"]
    status = api.get(f"/api/v1/plan-runs/{run_id}").json  # the test queue runs it at once
    assert status["status"] == "done" and status["placed"] == 5 and status["batches"] == ["TK-8"]
    plan = api.get(f"/api/v1/plan-runs/{run_id}/plan")
    assert plan.status_code == 200 and plan.is_json
    assert plan.json["format"] == "quarantine-plan/1" and len(plan.json["assignments"]) == 5
    # Byte for byte what the review page's download gives, and a plan the planner reads back.
    assert planner.plan_to_dict(plan_of(db.session.get(PlanRun, run_id))) == plan.json
    assert planner.plan_from_dict(plan.json).assignments
    assert api.get("/api/v1/plan-runs/999/plan").status_code == 404
    assert db.session.scalar(select(TransferBatch.status).where(TransferBatch.code == "TK-8")) == "announced"


def test_the_api_is_rate_limited_per_token(app, api_client):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    try:
        api, other = api_client("hq"), api_client("hq")
        assert [api.get("/api/v1/sites").status_code for _ in range(4)] == [200, 200, 200, 429]
        assert api.get("/api/v1/sites").is_json
        assert other.get("/api/v1/sites").status_code == 200
    finally:
        app.config["API_RATE_LIMIT"] = "120 per minute"


def test_the_spec_is_openapi_3_with_bearer_tokens(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert {"/api/v1/sites", "/api/v1/capacity/forecast", "/api/v1/batches", "/api/v1/batches/{code}/roster",
            "/api/v1/plan-runs", "/api/v1/plan-runs/{run_id}", "/api/v1/plan-runs/{run_id}/plan"} <= set(spec["paths"])


def test_nul_characters_are_refused_not_passed_to_the_database(db, api_client, signed_in):
    api = api_client("hq")
    assert api.get("/api/v1/sites?q=%00").status_code == 422
    assert api.post("/api/v1/plan-runs", json={"batches": ["\x00"]}).status_code == 422
    assert api.get("/api/v1/batches/%00").status_code == 404
    assert signed_in("hq").get("/sites/?q=%00").status_code == 400  # the web pages refuse it with a message
