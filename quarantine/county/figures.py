"""Headquarters' county view: per site what it can take and how fresh its figures are.

Every figure is counted for a page of sites at once with grouped queries (a province has 1,500
sites): beds from `capacities`, staffing limits from `staffing_limits`, releases due from the
people's release dates, the confirmations from the sites' own columns.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import Select, func, or_, select

from quarantine.extensions import db
from quarantine.models import RECEIVING_STATUSES, Site
from quarantine.policies.services import policy_in_force
from quarantine.sites.services import SiteCapacity, capacities
from quarantine.staff.services import can_take, combine_limits, staffing_limits
from quarantine.stays.reminders import NONE_DUE, releases_due

DEFAULT_STALE_HOURS = 24
# What a site confirms, each with its column on Site.
CONFIRMED = ("rooms", "staff", "report")


def stale_hours(day: date) -> int:
    policy = policy_in_force(day)
    return policy.figures_stale_hours if policy else DEFAULT_STALE_HOURS


def stale_cutoff(day: date, now: datetime | None = None) -> datetime:
    """Confirmations older than this are stale."""
    return (now or datetime.now(timezone.utc)) - timedelta(hours=stale_hours(day))


def _column(kind: str):
    return getattr(Site, f"{kind}_confirmed_at")


def stale_filter(cutoff: datetime):
    """Receiving sites with any of their figures never confirmed or confirmed before `cutoff`.

    Only sites that receive people are flagged: a standby site's figures feed no plan.
    """
    old = [or_(_column(kind).is_(None), _column(kind) < cutoff) for kind in CONFIRMED]
    return Site.status.in_(RECEIVING_STATUSES) & or_(*old)


def only_stale(query: Select, cutoff: datetime) -> Select:
    return query.where(stale_filter(cutoff))


@dataclass
class SiteFigures:
    site: Site
    cap: SiteCapacity
    staff_limit: int
    limit: int | None  # the stricter of the manual and the staffing limit
    releases_today: int
    releases_tomorrow: int
    stale: list[str] = field(default_factory=list)  # which of CONFIRMED are stale

    @property
    def takes(self) -> int:
        """People the site could take now: free beds, within its limit (0 when not receiving)."""
        return can_take(self.site.receiving, self.cap.free_beds, self.cap.held, self.limit)

    def confirmed_at(self, kind: str) -> datetime | None:
        return getattr(self.site, f"{kind}_confirmed_at")


def site_figures(sites: list[Site], today: date, cutoff: datetime) -> list[SiteFigures]:
    ids = [s.id for s in sites]
    caps = capacities(ids)
    staffing = staffing_limits(ids, today)
    due = releases_due(today, ids)
    rows = []
    for site in sites:
        stale = stale_kinds(site, cutoff)
        rows.append(SiteFigures(site=site, cap=caps[site.id], staff_limit=staffing[site.id],
                                limit=combine_limits(site.capacity_limit, staffing[site.id]),
                                releases_today=due.get(site.id, NONE_DUE).due + due.get(site.id, NONE_DUE).overdue,
                                releases_tomorrow=due.get(site.id, NONE_DUE).tomorrow, stale=stale))
    return rows


def stale_kinds(site: Site, cutoff: datetime) -> list[str]:
    """Which of the site's figures are stale (none for a site that does not receive people)."""
    return [kind for kind in CONFIRMED if site.receiving and _is_stale(getattr(site, f"{kind}_confirmed_at"), cutoff)]


def _is_stale(moment: datetime | None, cutoff: datetime) -> bool:
    if moment is None:
        return True
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return moment < cutoff


def stale_count(sites_query: Select, cutoff: datetime) -> int:
    visible = sites_query.with_only_columns(Site.id).order_by(None).scalar_subquery()
    return db.session.scalar(select(func.count(Site.id)).where(Site.id.in_(visible), stale_filter(cutoff))) or 0


def confirm(site: Site, kinds: list[str], now: datetime | None = None) -> None:
    """The site manager says these figures are true now (the caller commits)."""
    moment = now or datetime.now(timezone.utc)
    for kind in kinds:
        if kind in CONFIRMED:
            setattr(site, f"{kind}_confirmed_at", moment)
