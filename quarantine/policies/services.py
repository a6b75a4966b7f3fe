"""The policy in force on a day, and what follows from it."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from quarantine.extensions import db
from quarantine.models import Policy


def policy_in_force(day: date) -> Policy | None:
    """The latest policy whose effective date is on or before `day`."""
    return db.session.scalar(select(Policy).where(Policy.effective_from <= day)
                             .order_by(Policy.effective_from.desc()).limit(1))


def release_date(arrival: date, policy: Policy) -> date:
    """Release after `quarantine_days` full days: arriving on the 1st with 14 days, leave on the 15th."""
    return arrival + timedelta(days=policy.quarantine_days)
