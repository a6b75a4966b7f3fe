"""Who may see what: role checks and site scoping shared by every blueprint."""
from __future__ import annotations

from functools import wraps
from typing import Callable, TypeVar

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import Select, select

from quarantine.extensions import db
from quarantine.models import Building, Site, User, user_sites

F = TypeVar("F", bound=Callable)

def load_user(session_id: str) -> User | None:
    """Flask-Login's user loader: "<id>.<session version>"; a session of an earlier version is over."""
    user_id, _, version = session_id.partition(".")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version):
        return None
    return user


def roles_required(*roles: str) -> Callable[[F], F]:
    """Only signed-in users with one of `roles` pass; others get 403."""
    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapped  # type: ignore[return-value]
    return decorator


def visible_sites_query() -> Select[tuple[Site]]:
    query = select(Site).order_by(Site.kind.desc(), Site.name)  # fixed before backup
    if not current_user.sees_all_sites:
        query = query.join(user_sites, user_sites.c.site_id == Site.id).where(
            user_sites.c.user_id == current_user.id)
    return query


def site_or_404(site_id: int) -> Site:
    """The site if the user may see it; 404 otherwise, so other sites' existence never leaks."""
    site = db.session.get(Site, site_id)
    if site is None or not current_user.can_see_site(site_id):
        abort(404)
    return site


def building_or_404(site: Site, building_id: int) -> Building:
    """A building of this site; another site's building is as unknown as a missing one."""
    building = next((b for b in site.buildings if b.id == building_id), None)
    if building is None:
        abort(404)
    return building


# Who may do what, by area of work.
EDIT_SITES = ("admin", "hq")          # create sites, change status, kind, capacity
MANAGE_SITE = ("admin", "hq", "site_manager")  # layout, rooms, people at their sites
READ_ROSTERS = ("admin", "hq", "site_manager", "catering")
# Supplies and medical waste: site managers record their own site's stock use and waste;
# headquarters moves the county's stock and sees every site; catering sees none of it.
SITE_SUPPLIES = MANAGE_SITE           # receipts, use and counts in a site's store; the site's waste
# Full ID numbers (elsewhere masked): the staff who check IDs at the door and correct records; each view is audited.
SEE_FULL_ID = MANAGE_SITE
COUNTY_SUPPLIES = EDIT_SITES          # county reserves, sending stock between stores, items, daily use

# Who may change a site's status, and to what: (from, to) -> roles. Nothing else is a status
# change; the readiness checklist (to ready) and an empty site (to closed) are checked on top.
# Headquarters decides which sites receive people, because its plans send people there: only
# headquarters sets a site ready, takes it out of receiving or closes it. A site manager starts
# preparing (and may go back to standby) and switches a receiving site between ready and in use,
# so every change a site manager may make, the site manager may also undo.
SITE_STATUS_CHANGES: dict[tuple[str, str], tuple[str, ...]] = {
    ("standby", "preparing"): MANAGE_SITE,
    ("preparing", "standby"): MANAGE_SITE,
    ("preparing", "ready"): EDIT_SITES,
    ("ready", "preparing"): EDIT_SITES,
    ("ready", "in_use"): MANAGE_SITE,
    ("ready", "closed"): EDIT_SITES,
    ("in_use", "ready"): MANAGE_SITE,
    ("in_use", "closed"): EDIT_SITES,
    ("closed", "standby"): EDIT_SITES,
    ("closed", "preparing"): EDIT_SITES,
}


def status_changes_from(status: str, role: str | None = None) -> list[str]:
    """The statuses that may follow `status` (for `role`, when given), in the table's order."""
    return [new for (old, new), roles in SITE_STATUS_CHANGES.items()
            if old == status and (role is None or role in roles)]


def may_change_status(role: str, old: str, new: str) -> bool:
    return role in SITE_STATUS_CHANGES.get((old, new), ())
