"""Sites are told: a commit leaves each receiving site a notice its manager acknowledges, and a site's
webhook gets the notice as JSON, tried again by the job queue while the gateway refuses."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from quarantine.jobs.queue import huey
from quarantine.models import ArrivalNotice
from quarantine.transfers import planning
from quarantine.transfers.commit import commit_plan
from tests.app.transfer_helpers import add_people, make_batch


class Receiver:
    """A real HTTP server on a free local port that answers with the statuses it is given, in turn."""

    def __init__(self, statuses: list[int]):
        self.statuses, self.received, self.raw = list(statuses), [], []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the standard library's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((self.headers["Content-Type"], json.loads(body)))
                receiver.raw.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def arriving(db, make_site, make_user):
    """Two ready sites and a batch of 10 expected tonight, planned; commit with `commit()`."""
    first = make_site("First", ready=True, floors=(1, 1), rooms_per_floor=6)
    second = make_site("Second", ready=True, floors=(1, 1), rooms_per_floor=6, lat=33.9)
    batch = make_batch(db, "TK-7")
    batch.expected_arrival = datetime.now(timezone.utc) + timedelta(hours=6)
    db.session.commit()
    add_people(db, batch, 10)
    user = make_user("hq")

    def commit():
        run = planning.queue_plan([batch], user, time_limit=5)
        db.session.refresh(run)
        commit_plan(run, user)
        return run
    return first, second, batch, commit


def later() -> datetime:
    """A moment past every retry's delay, in the queue's clock (naive UTC)."""
    return datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(days=1)


def notices(db) -> list[ArrivalNotice]:
    db.session.expire_all()
    return list(db.session.scalars(select(ArrivalNotice).order_by(ArrivalNotice.site_id)))


def test_a_commit_leaves_a_notice_for_each_receiving_site(db, arriving):
    first, second, batch, commit = arriving
    run = commit()
    found = notices(db)
    assert sum(n.people for n in found) == 10 and {n.site_id for n in found} == {first.id, second.id}
    assert all(n.batch_code_list == ["TK-7"] and n.plan_run_id == run.id for n in found)
    assert all(n.rooms == n.people for n in found)  # single rooms, one person each
    assert all(n.expected_at is not None and n.webhook_status == "" for n in found)


def test_the_manager_sees_the_arrivals_and_acknowledges_them(db, arriving, signed_in):
    first, second, batch, commit = arriving
    commit()
    mine = next(n for n in notices(db) if n.site_id == first.id)
    manager = signed_in("site_manager", sites=[first])
    page = manager.get("/").get_data(as_text=True)
    assert 'id="arrival-notices"' in page and f'data-notice="{mine.id}"' in page
    other = next(n for n in notices(db) if n.site_id == second.id)
    assert f'data-notice="{other.id}"' not in page
    assert manager.post(f"/county/notices/{other.id}/acknowledge").status_code == 404
    assert manager.post(f"/county/notices/{mine.id}/acknowledge").status_code == 302
    mine = next(n for n in notices(db) if n.site_id == first.id)
    assert mine.acknowledged_by_id == manager.user.id
    assert 'id="arrival-notices"' not in manager.get("/").get_data(as_text=True)


def test_the_sites_webhook_gets_the_notice_as_json(db, arriving):
    first, second, batch, commit = arriving
    with Receiver([200]) as receiver:
        first.webhook_url = receiver.url
        db.session.commit()
        commit()
    mine = next(n for n in notices(db) if n.site_id == first.id)
    assert mine.webhook_status == "delivered" and mine.webhook_attempts == 1
    content_type, body = receiver.received[0]
    assert content_type.startswith("application/json")
    assert body["type"] == "arrivals_committed" and body["site"] == {"id": first.id, "name": "First"}
    assert body["batches"] == ["TK-7"] and body["people"] == mine.people and body["expected_at"]
    # The site without a webhook gets nothing sent.
    assert next(n for n in notices(db) if n.site_id == second.id).webhook_status == ""


def test_a_refusing_gateway_is_tried_again_by_the_job_queue(db, arriving):
    first, second, batch, commit = arriving
    huey.flush()
    with Receiver([503, 500, 200]) as receiver:
        first.webhook_url = receiver.url
        db.session.commit()
        commit()
        mine = next(n for n in notices(db) if n.site_id == first.id)
        assert mine.webhook_status == "pending" and mine.webhook_attempts == 1 and "503" in mine.webhook_error
        # The retry waits in the queue's schedule; run what is due, as a worker would.
        for _ in range(2):
            due = huey.read_schedule(later())
            assert len(due) == 1
            huey.execute(due[0], later())
    mine = next(n for n in notices(db) if n.site_id == first.id)
    assert mine.webhook_status == "delivered" and mine.webhook_attempts == 3 and len(receiver.received) == 3


def test_a_gateway_that_never_answers_is_given_up_after_the_retries(db, arriving):
    first, second, batch, commit = arriving
    huey.flush()
    first.webhook_url = "http://127.0.0.1:9/nothing-listens-here"
    db.session.commit()
    commit()
    attempts = 1
    while due := huey.read_schedule(later()):
        huey.execute(due[0], later())
        attempts += 1
    mine = next(n for n in notices(db) if n.site_id == first.id)
    assert mine.webhook_status == "failed" and mine.webhook_attempts == attempts == 6


@pytest.mark.parametrize("url, ok", [("https://gw.example.cn/hook", True), ("http://10.0.0.5:8080/x", True),
                                     ("ftp://gw.example.cn/", False), ("javascript:alert(1)", False), ("", True)])
def test_the_webhook_address_is_checked_on_the_site_form(db, make_site, signed_in, url, ok):
    site = make_site("Hooked")
    response = signed_in("hq").post(f"/sites/{site.id}/edit", data={
        "name": "Hooked", "kind": "fixed", "webhook_url": url})
    assert (response.status_code == 302) is ok


def test_each_message_is_signed_with_the_sites_secret(db, arriving, signed_in):
    """Saving a webhook address gives the site its signing secret (shown on its edit page, kept when
    the address changes); the gateway recomputes the signature from the timestamp and the body as
    received and gets the same, and a body altered on the way would not match."""
    first, second, batch, commit = arriving
    with Receiver([200]) as receiver:
        hq = signed_in("hq")
        assert hq.post(f"/sites/{first.id}/edit", data={
            "name": "First", "kind": "fixed", "webhook_url": receiver.url}).status_code == 302
        db.session.refresh(first)
        secret = first.webhook_secret
        assert len(secret) == 64
        page = hq.get(f"/sites/{first.id}/edit").get_data(as_text=True)
        assert f'<code id="webhook-secret">{secret}</code>' in page
        assert hq.post(f"/sites/{first.id}/edit", data={
            "name": "First", "kind": "fixed", "webhook_url": receiver.url + "?v=2"}).status_code == 302
        db.session.refresh(first)
        assert first.webhook_secret == secret
        commit()
    headers, body = receiver.raw[0]
    timestamp = headers["X-Quarantine-Timestamp"]
    assert abs(int(timestamp) - datetime.now(timezone.utc).timestamp()) < 120
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert headers["X-Quarantine-Signature"] == f"sha256={expected}"
    forged = hmac.new(secret.encode(), timestamp.encode() + b"." + body.replace(b"TK-7", b"TK-8"), hashlib.sha256)
    assert headers["X-Quarantine-Signature"] != f"sha256={forged.hexdigest()}"
    # A site without a webhook has no secret, and its edit page shows none; given one by any path
    # (here straight on the model, as an import or the shell would), it gets its key there and then.
    assert second.webhook_secret == ""
    assert 'id="webhook-signing"' not in hq.get(f"/sites/{second.id}/edit").get_data(as_text=True)
    second.webhook_url = "https://gw.example.cn/hook"
    assert len(second.webhook_secret) == 64
