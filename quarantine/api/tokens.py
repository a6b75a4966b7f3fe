"""API tokens: made once and shown once, stored as a SHA-256 hash, revoked by administrators."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timezone

from sqlalchemy import select, update

from quarantine.extensions import db
from quarantine.models import ApiToken, User

PREFIX = "qt_"
SHOWN = 10  # characters of the token kept in clear, to tell tokens apart on the list


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def make_token(user: User, label: str = "") -> tuple[str, ApiToken]:
    """A new token for `user` (the caller commits); the clear token exists only in the return value."""
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=digest(token), prefix=token[:SHOWN], label=label.strip()[:100])
    db.session.add(row)
    return token, row


def user_for(token: str) -> User | None:
    """The active user an active token belongs to; notes when the token was last used."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token)))
    if row is None or not row.active or not row.user.active:
        return None
    now = datetime.now(timezone.utc)
    last = row.last_used_at.replace(tzinfo=timezone.utc) if row.last_used_at and row.last_used_at.tzinfo is None \
        else row.last_used_at
    if last is None or (now - last).total_seconds() > 60:  # one write a minute per token, not one per request
        db.session.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
        db.session.commit()
    return row.user


def revoke(row: ApiToken, by: User) -> None:
    """The caller commits; revoking twice keeps the first time."""
    if row.revoked_at is None:
        row.revoked_at, row.revoked_by_id = datetime.now(timezone.utc), by.id


def all_tokens(limit: int = 500) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).order_by(ApiToken.revoked_at.is_not(None),
                                                             ApiToken.created_at.desc()).limit(limit)))
