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

def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader (registered in the app factory)."""
    return db.session.get(User, int(user_id))


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
COUNTY_SUPPLIES = EDIT_SITES          # county reserves, sending stock between stores, items, daily use
