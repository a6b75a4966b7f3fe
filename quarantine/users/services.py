"""Accounts: creation with a generated first password, roles and site assignments."""
from __future__ import annotations

import secrets
import string

from sqlalchemy import select

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
    db.session.commit()
    return user, password


def reset_password(user: User) -> str:
    password = generate_password()
    user.set_password(password)
    db.session.commit()
    return password
