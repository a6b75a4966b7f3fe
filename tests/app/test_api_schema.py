"""The API keeps its own spec: schemathesis generates requests from /api/v1/openapi.json (property-based,
a modest number of examples per operation so the run stays short, the same examples on every run so CI
is steady) and checks every answer against it."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from quarantine.api.tokens import make_token
from quarantine.extensions import limiter
from tests.app.transfer_helpers import add_people, make_batch

EXAMPLES = 25


@pytest.fixture
def api_token(app, db, make_user, make_site):
    """An hq token, a ready site and a batch with people, so some requests find real rows."""
    make_site("Ready one", ready=True)
    batch = make_batch(db, "TK-1")
    add_people(db, batch, 3)
    token, _row = make_token(make_user("hq"))
    db.session.commit()
    limiter.reset()
    app.config["API_RATE_LIMIT"] = "100000 per minute"
    yield token
    app.config["API_RATE_LIMIT"] = "120 per minute"
    limiter.reset()


def _spec() -> dict:
    """The spec as the app serves it (an app of its own: the spec needs no database)."""
    from quarantine import create_app
    spec_app = create_app({"TESTING": True, "SECRET_KEY": "spec", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return spec_app.test_client().get("/api/v1/openapi.json").json


# Loaded when the tests are collected, so pytest shows one test per operation. (schemathesis's
# from_fixture would load it from the app fixture, but does not run under pytest 9.)
schema = schemathesis.openapi.from_dict(_spec())


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_its_spec_says(case, app, api_token):
    case.operation.schema.app = app  # every request, the checks' own probes too, goes to this test's app
    case.call_and_validate(base_url="http://localhost", app=app, headers={"Authorization": f"Bearer {api_token}"})
