"""The policy in force on a day, and what follows from it."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import func, select

from quarantine.extensions import db
from quarantine.models import Person, Policy, PolicySupplyRate
from quarantine.models.common import utcnow


def policy_in_force(day: date) -> Policy | None:
    """The latest current policy whose effective date is on or before `day`."""
    return db.session.scalar(select(Policy).where(Policy.effective_from <= day, Policy.superseded_at.is_(None))
                             .order_by(Policy.effective_from.desc()).limit(1))


VERSION_KEEPS = ("id", "created_at", "superseded_at", "superseded_by_id")
# What a resident's days follow: an edit of these makes a new version when people are placed under it.
CLOCK_FIELDS = ("quarantine_days", "home_days", "pcr_test_days")


def edit_policy(policy: Policy, apply: Callable[[Policy], None]) -> Policy:
    """Apply an edit. A policy nobody was placed under, or an edit that leaves the residents' days as they
    are (a name, a note, a staffing ratio), changes in place; otherwise the edit is a new version dated now,
    and the people placed under the earlier one keep it (their release days and test days do not move).
    Returns the policy that now holds the edit."""
    version = Policy(**{c.key: getattr(policy, c.key) for c in Policy.__table__.columns if c.key not in VERSION_KEEPS})
    apply(version)  # not in the session: only to see what the edit changes
    moves_days = any(getattr(version, f) != getattr(policy, f) for f in CLOCK_FIELDS)
    if not moves_days or not db.session.scalar(select(func.count(Person.id)).where(Person.policy_id == policy.id)):
        apply(policy)
        return policy
    policy.superseded_at = utcnow()
    db.session.flush()  # the earlier version steps aside before the new one takes its name and day
    db.session.add(version)
    db.session.flush()
    policy.superseded_by_id = version.id
    for rate in db.session.scalars(select(PolicySupplyRate).where(PolicySupplyRate.policy_id == policy.id)):
        db.session.add(PolicySupplyRate(policy_id=version.id, item_id=rate.item_id, per_resident=rate.per_resident,
                                        per_staff=rate.per_staff))
    return version


def current_version(policy: Policy) -> Policy:
    while policy.superseded_by_id is not None:
        policy = db.session.get(Policy, policy.superseded_by_id)
    return policy


def release_date(arrival: date, policy: Policy) -> date:
    """Release after `quarantine_days` full days: arriving on the 1st with 14 days, leave on the 15th."""
    return arrival + timedelta(days=policy.quarantine_days)
