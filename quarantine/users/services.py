"""Accounts: creation with a generated first password, roles and site assignments, ending sessions."""
from __future__ import annotations

import secrets
import string

from sqlalchemy import select

from quarantine.audit import trail
from quarantine.extensions import db
from quarantine.models import Site, User

_ALPHABET = string.ascii_letters + string.digits


def generate_password(length: int = 14) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def create_user(username: str, role: str, display_name: str = "", site_ids: list[int] | None = None,
                password: str | None = None) -> tuple[User, str]:
    """Create an account; returns it with its password (generated when none given) to show once."""
    password = password or generate_password()
    user = User(username=username.strip(), role=role, display_name=display_name.strip())
    user.set_password(password)
    user.sites = list(db.session.scalars(select(Site).where(Site.id.in_(site_ids or []))))
    db.session.add(user)
    db.session.flush()
    _record_sites(user, set(), {s.id for s in user.sites})
    db.session.commit()
    return user, password


def reset_password(user: User) -> str:
    """A new generated password (to show once); every session of the account ends."""
    password = generate_password()
    user.set_password(password)
    user.end_sessions()
    db.session.commit()
    return password


def change_own_password(user: User, new_password: str) -> None:
    """The user's own choice (the form checked the rules); sessions elsewhere end, the caller signs in again."""
    user.set_password(new_password)
    user.end_sessions()
    db.session.commit()


def save_account(user: User, username: str, display_name: str, role: str, active: bool, site_ids: list[int]) -> None:
    """An administrator's edit; a new role, fewer sites or a disabled account ends the account's sessions."""
    sites = list(db.session.scalars(select(Site).where(Site.id.in_(site_ids))))
    before = {s.id for s in user.sites}
    narrower = role != user.role or (user.active and not active) or not before <= set(site_ids)
    user.username, user.display_name = username.strip(), display_name.strip()
    user.role, user.active, user.sites = role, active, sites
    if narrower:
        user.end_sessions()
    _record_sites(user, before, {s.id for s in sites})
    db.session.commit()


def _record_sites(user: User, before: set[int], after: set[int]) -> None:
    """Which sites an account may act on is access to personal data: each change goes into the trail
    (the flush listener sees the account's columns, not its list of sites)."""
    if before != after:
        trail.record("users.sites", entity="users", entity_id=user.id,
                     changes={"sites": [sorted(before), sorted(after)]})
