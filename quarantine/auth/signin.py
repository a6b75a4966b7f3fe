"""Checking a sign-in at the same cost whether the account exists or not, and its limits."""
from __future__ import annotations

import logging

from flask import request
from sqlalchemy import select
from werkzeug.security import check_password_hash

from quarantine.audit import trail
from quarantine.extensions import db
from quarantine.models import User
from quarantine.models import auth as accounts

log = logging.getLogger(__name__)

# Refused sign-ins per account name and per address (Flask-Limiter syntax); a success does not count.
PER_ACCOUNT = "5 per minute;20 per hour"
PER_ADDRESS = "30 per minute;200 per hour"

_dummy_hash: str | None = None


def _dummy() -> str:
    """A hash made once, with the cost of real ones, to check when the user name is unknown."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = accounts.generate_password_hash("not-a-password-of-anyone")  # as User.set_password does
    return _dummy_hash


def account_key() -> str:
    return "account:" + (request.form.get("username") or "").strip().lower()[:64]


def authenticate(username: str, password: str) -> User | None:
    """The active account these credentials open, or None; an unknown name costs one hash check too,
    so timing does not tell which names exist."""
    user = db.session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        check_password_hash(_dummy(), password)
    elif user.check_password(password) and user.active:
        return user
    # What was typed as a name is kept only when it names an account: people type passwords there.
    trail.record("sign_in_refused", entity="users", entity_id=user.id if user else None,
                 detail=f"as {user.username}" if user else "unknown name", commit=True)
    return None


def signed_in(user: User) -> None:
    trail.record("sign_in", entity="users", entity_id=user.id, commit=True)


def throttled() -> None:
    """A refused attempt past the limit goes to the log, not the trail: the limit caps refused
    sign-ins, not requests, and the trail cannot be cleaned up."""
    log.warning("sign-in throttled from %s", request.remote_addr)


def sign_out(user: User) -> None:
    """Sign-out ends every session of the account, copies of the cookie included."""
    user.end_sessions()
    trail.record("sign_out", entity="users", entity_id=user.id)
    db.session.commit()
