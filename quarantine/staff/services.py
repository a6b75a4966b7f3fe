"""Site staff in closed loop: duty, post-duty quarantine and the staffing the policy asks for.

The resident limit that on-duty staff support becomes part of the site's capacity limit
for the planner (`effective_capacity_limit`); a site without doctors and nurses on duty
supports nobody, so it can neither be set ready nor take people.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_, select

from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.models import Policy, Site, StaffMember
from quarantine.occupancy import current_residents
from quarantine.policies.services import policy_in_force

# Used when no policy is in force: 1 doctor and 1 nurse per 50 residents, others 3–4× the medical staff.
DEFAULT_RESIDENTS_PER_DOCTOR = 50
DEFAULT_RESIDENTS_PER_NURSE = 50
DEFAULT_OTHER_STAFF_MIN = 3.0
DEFAULT_OTHER_STAFF_MAX = 4.0


@dataclass(frozen=True)
class StaffingRatios:
    residents_per_doctor: int
    residents_per_nurse: int
    other_staff_min: float
    other_staff_max: float

    @classmethod
    def of(cls, policy: Policy | None) -> StaffingRatios:
        if policy is None:
            return cls(DEFAULT_RESIDENTS_PER_DOCTOR, DEFAULT_RESIDENTS_PER_NURSE, DEFAULT_OTHER_STAFF_MIN,
                       DEFAULT_OTHER_STAFF_MAX)
        return cls(policy.residents_per_doctor, policy.residents_per_nurse, policy.other_staff_min,
                   policy.other_staff_max)


@dataclass(frozen=True)
class StaffCount:
    """Staff on duty on one day, as the staffing rules count them."""
    doctors: int = 0
    nurses: int = 0
    others: int = 0

    @property
    def medical(self) -> int:
        return self.doctors + self.nurses

    @property
    def total(self) -> int:
        return self.medical + self.others


@dataclass(frozen=True)
class StaffNeed:
    """Staff the policy asks for a number of residents."""
    doctors: int
    nurses: int
    others_min: int
    others_max: int


@dataclass(frozen=True)
class StaffingCheck:
    """What the site page shows: residents, staff on duty, what the policy asks and allows."""
    day: date
    policy: Policy | None
    residents: int
    on_duty: StaffCount
    need: StaffNeed
    # Other staff the policy asks for the medical staff actually on duty.
    others_for_medical: tuple[int, int]
    supported: int
    has_staff: bool

    @property
    def doctors_ok(self) -> bool:
        return self.on_duty.doctors >= self.need.doctors

    @property
    def nurses_ok(self) -> bool:
        return self.on_duty.nurses >= self.need.nurses

    @property
    def others_ok(self) -> bool:
        return self.on_duty.others >= self.others_for_medical[0]

    @property
    def residents_ok(self) -> bool:
        return self.residents <= self.supported


# --- duty and post-duty quarantine ------------------------------------------------------------

def _on_duty_filter(day: date):
    """Rows of staff on duty on `day`: started, and not yet past their last duty day."""
    return (StaffMember.on_duty_from <= day,
            or_(StaffMember.on_duty_to.is_(None), StaffMember.on_duty_to >= day))


on_duty_filter = _on_duty_filter  # for other areas counting staff on duty over many sites


def on_duty_count(site: Site, day: date) -> int:
    """Staff on duty at the site on that day; post-duty quarantine does not count."""
    return db.session.scalar(select(func.count(StaffMember.id))
                             .where(StaffMember.site_id == site.id, *_on_duty_filter(day))) or 0


def site_staff(site: Site) -> list[StaffMember]:
    return list(db.session.scalars(select(StaffMember).where(StaffMember.site_id == site.id)
                                   .order_by(StaffMember.work_group, StaffMember.name, StaffMember.id)))


def save_staff(member: StaffMember, *, name: str, phone: str, work_group: str, medical_role: str,
               zone_id: int | None, shift: str, on_duty_from: date, on_duty_to: date | None) -> StaffMember:
    """Add or edit a staff member. Once duty has ended, its last day changes only through end_duty
    (which also sets the post-duty quarantine)."""
    if member.quarantine_until and on_duty_to != member.on_duty_to:
        raise DomainError(_("Duty has ended; change the last day on duty with “End duty”."))
    member.name, member.phone = name.strip(), phone.strip()
    member.work_group, member.medical_role, member.zone_id, member.shift = work_group, medical_role, zone_id, shift
    member.on_duty_from, member.on_duty_to = on_duty_from, on_duty_to
    db.session.add(member)
    db.session.commit()
    return member


def default_quarantine_until(last_day: date) -> date | None:
    """Post-duty quarantine lasts as long as the quarantine of the policy in force on the last duty day."""
    policy = policy_in_force(last_day)
    return None if policy is None else last_day + timedelta(days=policy.quarantine_days)


def end_duty(member: StaffMember, last_day: date, quarantine_until: date | None) -> None:
    """Close the duty period; the person then stays in closed loop until `quarantine_until`."""
    if last_day < member.on_duty_from:
        raise DomainError(_("The last day on duty cannot be before the first (%(day)s).", day=member.on_duty_from))
    until = quarantine_until or default_quarantine_until(last_day)
    if until is None:
        raise DomainError(_("No policy is in force on %(day)s; enter the end of post-duty quarantine.",
                            day=last_day))
    if until <= last_day:
        raise DomainError(_("Post-duty quarantine must end after the last day on duty."))
    member.on_duty_to, member.quarantine_until = last_day, until
    db.session.commit()


# --- staffing arithmetic (pure functions, one rule each) ----------------------------------------

def staff_needed(residents: int, ratios: StaffingRatios) -> StaffNeed:
    """120 residents at 1:50 need 3 doctors and 3 nurses, and 18–24 other staff."""
    doctors = math.ceil(residents / ratios.residents_per_doctor)
    nurses = math.ceil(residents / ratios.residents_per_nurse)
    low, high = other_staff_range(doctors + nurses, ratios)
    return StaffNeed(doctors, nurses, low, high)


def other_staff_range(medical: int, ratios: StaffingRatios) -> tuple[int, int]:
    """Other staff the policy asks for `medical` doctors and nurses (3–4× by default)."""
    return math.ceil(medical * ratios.other_staff_min - 1e-9), math.floor(medical * ratios.other_staff_max + 1e-9)


def residents_supported(staff: StaffCount, ratios: StaffingRatios) -> int:
    """Residents the doctors and nurses on duty can look after: 2 doctors + 2 nurses at 1:50 support 100.

    The medical ratios set the limit; the other-staff range is a check shown beside it
    (a shortfall of other staff is flagged on the site page, it does not lower the limit).
    """
    return min(staff.doctors * ratios.residents_per_doctor, staff.nurses * ratios.residents_per_nurse)


# --- per site ---------------------------------------------------------------------------------

def _on_duty_by_site(site_ids: list[int], day: date) -> dict[int, StaffCount]:
    rows = db.session.execute(select(StaffMember.site_id, StaffMember.medical_role, func.count(StaffMember.id))
                              .where(StaffMember.site_id.in_(site_ids), *_on_duty_filter(day))
                              .group_by(StaffMember.site_id, StaffMember.medical_role)).all()
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for site_id, role, n in rows:
        counts[site_id][role] = n
    return {sid: StaffCount(c.get("doctor", 0), c.get("nurse", 0), c.get("none", 0)) for sid, c in counts.items()}


def _sites_with_staff(site_ids: list[int]) -> set[int]:
    return set(db.session.scalars(select(StaffMember.site_id).where(StaffMember.site_id.in_(site_ids)).distinct()))


def staffing_limits(site_ids: list[int], day: date) -> dict[int, int]:
    """staffing_limit for many sites in two queries (for the planner's scenario)."""
    if not site_ids:
        return {}
    ratios = StaffingRatios.of(policy_in_force(day))
    on_duty = _on_duty_by_site(site_ids, day)
    return {sid: residents_supported(on_duty.get(sid, StaffCount()), ratios) for sid in site_ids}


def staffing_limit(site: Site, day: date) -> int:
    """Residents the staff on duty that day support. A site without staff on duty supports nobody:
    it takes no one, whatever its beds, until doctors and nurses are recorded on duty there."""
    return staffing_limits([site.id], day)[site.id]


def combine_limits(manual: int | None, staffing: int | None) -> int | None:
    """The stricter of the manual limit and the staffing limit; None when neither is set."""
    limits = [limit for limit in (manual, staffing) if limit is not None]
    return min(limits) if limits else None


def can_take(receiving: bool, free_beds: int, held: int, limit: int | None) -> int:
    """People a site could take: its free beds within its limit, less those it holds (0 when not receiving).
    The county view, its forecast and the API all count with this."""
    if not receiving:
        return 0
    return free_beds if limit is None else max(0, min(free_beds, limit - held))


def effective_capacity_limits(sites: list[Site], day: date) -> dict[int, int]:
    staffing = staffing_limits([s.id for s in sites], day)
    return {s.id: combine_limits(s.capacity_limit, staffing[s.id]) for s in sites}


def effective_capacity_limit(site: Site, day: date) -> int:
    """The capacity limit the planner should use: manual limit and staffing limit, the stricter."""
    return combine_limits(site.capacity_limit, staffing_limit(site, day))


def staffing_check(site: Site, day: date) -> StaffingCheck:
    policy = policy_in_force(day)
    ratios = StaffingRatios.of(policy)
    on_duty = _on_duty_by_site([site.id], day).get(site.id, StaffCount())
    residents = current_residents(site.id)
    return StaffingCheck(day=day, policy=policy, residents=residents, on_duty=on_duty,
                         need=staff_needed(residents, ratios),
                         others_for_medical=other_staff_range(on_duty.medical, ratios),
                         supported=residents_supported(on_duty, ratios),
                         has_staff=bool(_sites_with_staff([site.id])))
