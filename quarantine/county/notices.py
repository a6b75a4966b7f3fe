"""Telling the sites: a commit leaves each receiving site a notice of who is coming, and its webhook
(when it has one) gets the same as JSON, delivered by the job queue with retries.

The notices are written in the commit's own transaction (all or nothing with the reservations);
the webhook messages are queued after it, so a gateway that is down never holds up a commit.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections import defaultdict
from datetime import datetime, timezone

from sqlalchemy import func, select, update

from quarantine.extensions import db
from quarantine.models import ArrivalNotice, Person, PlanRun, Reservation, Room, Site, TransferBatch, User

WEBHOOK_TIMEOUT = 10  # seconds a gateway may take to answer one message
SIGNATURE_HEADER = "X-Quarantine-Signature"
SIGNATURE_TIMESTAMP_HEADER = "X-Quarantine-Timestamp"
MAX_ERROR = 500


class DeliveryFailed(Exception):
    """The gateway refused or did not answer; the job queue tries again."""


def record_notices(run: PlanRun) -> list[ArrivalNotice]:
    """One notice per site the run's reservations go to (called inside the commit's transaction)."""
    rows = db.session.execute(
        select(Room.site_id, func.count(Reservation.id), func.count(func.distinct(Reservation.room_id)))
        .join(Room, Room.id == Reservation.room_id)
        .where(Reservation.plan_run_id == run.id, Reservation.status == "reserved").group_by(Room.site_id)).all()
    batches = db.session.execute(
        select(Room.site_id, TransferBatch.code, func.min(TransferBatch.expected_arrival))
        .join(Reservation, Reservation.room_id == Room.id).join(Person, Person.id == Reservation.person_id)
        .join(TransferBatch, TransferBatch.id == Person.batch_id)
        .where(Reservation.plan_run_id == run.id).group_by(Room.site_id, TransferBatch.code)).all()
    codes: dict[int, list[str]] = defaultdict(list)
    expected: dict[int, datetime | None] = {}
    for site_id, code, at in batches:
        codes[site_id].append(code)
        if at is not None and (expected.get(site_id) is None or at < expected[site_id]):
            expected[site_id] = at
    webhooks = dict(db.session.execute(select(Site.id, Site.webhook_url).where(
        Site.id.in_([r[0] for r in rows]))).all())
    notices = []
    for site_id, people, rooms in rows:
        notice = ArrivalNotice(plan_run_id=run.id, site_id=site_id, batch_codes=",".join(sorted(codes[site_id])),
                               people=people, rooms=rooms, expected_at=expected.get(site_id),
                               webhook_status="pending" if webhooks.get(site_id) else "")
        db.session.add(notice)
        notices.append(notice)
    db.session.flush()
    return notices


def queue_webhooks(run_id: int) -> None:
    """Hand the run's notices for sites with a webhook to the job queue (after the commit)."""
    from quarantine.jobs.tasks import deliver_notice_task
    for notice_id in db.session.scalars(select(ArrivalNotice.id).where(
            ArrivalNotice.plan_run_id == run_id, ArrivalNotice.webhook_status == "pending")).all():
        deliver_notice_task(notice_id)


def message(notice: ArrivalNotice) -> dict:
    """The JSON a site's gateway receives."""
    return {
        "type": "arrivals_committed",
        "notice": notice.id,
        "site": {"id": notice.site_id, "name": notice.site.name},
        "batches": notice.batch_code_list,
        "people": notice.people,
        "rooms": notice.rooms,
        "expected_at": _iso(notice.expected_at),
        "plan_run": notice.plan_run_id,
        "committed_at": _iso(notice.created_at),
    }


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.isoformat()


def post_json(url: str, payload: dict, secret: str = "") -> str | None:
    """POST `payload` to a site's gateway: None when it answered 2xx, else why not.

    With the site's secret the message is signed the way payment and code-hosting webhooks are: the
    gateway recomputes HMAC-SHA256(secret, timestamp + "." + body) and refuses a stale timestamp.
    """
    body = json.dumps(payload, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "quarantine-sites/1"}
    if secret:
        headers.update(signature_headers(secret, body, int(time.time())))
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:  # noqa: S310 - http(s) only (form)
            status = response.status
    except urllib.error.HTTPError as error:
        return f"HTTP {error.code}"
    except (urllib.error.URLError, OSError, ValueError) as error:
        return str(getattr(error, "reason", error))[:MAX_ERROR]
    return None if 200 <= status < 300 else f"HTTP {status}"


def signature_headers(secret: str, body: bytes, timestamp: int) -> dict[str, str]:
    """The headers that let a gateway check a message came from us, unaltered, just now."""
    signed = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return {SIGNATURE_TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: f"sha256={digest}"}


def deliver(notice_id: int, final_attempt: bool = False) -> bool:
    """POST the notice to its site's webhook; raises DeliveryFailed so the queue retries.

    Each attempt is counted on the notice; after the last one it is marked failed.
    """
    notice = db.session.get(ArrivalNotice, notice_id)
    if notice is None or notice.webhook_status != "pending" or not notice.site.webhook_url:
        return False
    return record_attempt(notice, post_json(notice.site.webhook_url, message(notice), notice.site.webhook_secret),
                          final_attempt)


def record_attempt(sent, refused: str | None, final_attempt: bool) -> bool:
    """Count one delivery attempt of a notice or reminder; a refusal raises so the queue tries again."""
    sent.webhook_attempts += 1
    if refused is None:
        sent.webhook_status, sent.delivered_at, sent.webhook_error = "delivered", datetime.now(timezone.utc), ""
        db.session.commit()
        return True
    sent.webhook_error = refused[:MAX_ERROR]
    if final_attempt:
        sent.webhook_status = "failed"
    db.session.commit()
    raise DeliveryFailed(refused)


def open_notices(site_ids_query) -> list[ArrivalNotice]:
    """Notices of the user's sites not yet acknowledged, soonest arrival first."""
    return list(db.session.scalars(
        select(ArrivalNotice).where(ArrivalNotice.site_id.in_(site_ids_query), ArrivalNotice.acknowledged_at.is_(None))
        .order_by(ArrivalNotice.expected_at.is_(None), ArrivalNotice.expected_at, ArrivalNotice.id).limit(100)))


def acknowledge(notice: ArrivalNotice, user: User) -> None:
    """The site manager has seen it (the caller commits); acknowledging twice keeps the first."""
    db.session.execute(update(ArrivalNotice).where(ArrivalNotice.id == notice.id,
                                                   ArrivalNotice.acknowledged_at.is_(None))
                       .values(acknowledged_at=datetime.now(timezone.utc), acknowledged_by_id=user.id))
