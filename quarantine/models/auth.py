"""Users and the sites they may work on."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, Column, DateTime, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from quarantine.extensions import db
from quarantine.models.common import utcnow

if TYPE_CHECKING:
    from quarantine.models.sites import Site

ROLES = ("admin", "hq", "site_manager", "catering")
# Roles that see every site; the others see only the sites assigned to them.
ALL_SITE_ROLES = ("admin", "hq")

user_sites = Table(
    "user_sites",
    db.metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("site_id", Integer, ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(f"role IN {ROLES!r}", name="role_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Part of the signed-in session's user id: raising it ends every session of the account at once
    # (sign-out, password reset or change, deactivation, role change).
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    sites: Mapped[list[Site]] = relationship(secondary=user_sites, order_by="Site.name")

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """What the session cookie holds: the account and its session version, never the password."""
        return f"{self.id}.{self.session_version}"

    def end_sessions(self) -> None:
        """Every session signed in so far stops working at its next request."""
        self.session_version = (self.session_version or 1) + 1

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def sees_all_sites(self) -> bool:
        return self.role in ALL_SITE_ROLES

    def can_see_site(self, site_id: int) -> bool:
        return self.sees_all_sites or any(s.id == site_id for s in self.sites)
