"""Preparing a site to take people, step by step (the welfare centre that became a site in a day).

The steps group the readiness checklist (sites.services.readiness_checklist) in the order the
work is done, and add the one step that is not a readiness rule: beds and bedding delivered
from the county reserve (hotels have their own, a welfare centre or a school does not).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.i18n import _, _l
from quarantine.localtime import local_today
from quarantine.models import Room, Site, StockMovement, Store, SupplyItem, User
from quarantine.sites.services import PREPARE_STEPS, ChecklistItem, readiness_checklist
from quarantine.supplies.services import items, send, site_store, stock_levels, stock_of

STEP_TITLES = {
    "details": _l("Site details and responsible unit"),
    "layout": _l("Zones and passages"),
    "rooms": _l("Buildings and rooms"),
    "beds": _l("Beds and bedding from the county reserve"),
    "staff": _l("Staff on duty and the residents they support"),
    "capacity": _l("Capacity limit"),
    "ready": _l("Set ready"),
}


@dataclass(frozen=True)
class BedNeed:
    """One furnishing item (beds, bedding sets): what the site's rooms need against what it holds."""
    item: SupplyItem
    needed: int
    held: int
    in_reserve: int

    @property
    def shortfall(self) -> int:
        return max(self.needed - self.held, 0)


@dataclass(frozen=True)
class PrepareStep:
    code: str
    items: list[ChecklistItem]
    done: bool
    # Not a readiness rule: the site can be set ready without it.
    advisory: bool = False

    @property
    def title(self) -> str:
        return str(STEP_TITLES[self.code])

    @property
    def missing(self) -> list[ChecklistItem]:
        return [item for item in self.items if not item.ok]


def site_beds(site: Site) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(Room.beds), 0)).where(Room.site_id == site.id)) or 0


def bed_needs(site: Site, source: Store | None) -> list[BedNeed]:
    """For each item needed per bed: the site's beds times that, what the site's store holds,
    and what `source` (a county reserve) holds."""
    beds = site_beds(site)
    held = stock_of(site_store(site))
    reserve = stock_levels([source.id]).get(source.id, {}) if source is not None else {}
    return [BedNeed(item, beds * item.per_bed, held.get(item.id, 0), reserve.get(item.id, 0))
            for item in items() if item.per_bed > 0]


def prepare_steps(site: Site, source: Store | None, day: date | None = None) -> list[PrepareStep]:
    checklist = readiness_checklist(site, day or local_today())
    steps = []
    for code in PREPARE_STEPS:
        if code == "beds":
            needs = bed_needs(site, source)
            steps.append(PrepareStep(code, [], bool(needs) and site_beds(site) > 0
                                     and all(n.shortfall == 0 for n in needs), advisory=True))
        elif code == "ready":
            steps.append(PrepareStep(code, [], site.receiving))
        else:
            own = [item for item in checklist if item.step == code]
            steps.append(PrepareStep(code, own, all(item.ok for item in own)))
    return steps


def deliver_beds(site: Site, source: Store, quantities: list[tuple[int, int]], user: User) -> list[StockMovement]:
    """Send beds and bedding from a county reserve to the site's store in one action."""
    furnishing = {item.id: item for item in items() if item.per_bed > 0}
    if source.kind != "county":
        raise DomainError(_("Beds and bedding come from a county reserve."))
    if any(item_id not in furnishing for item_id, _q in quantities):
        raise DomainError(_("Only beds and bedding are delivered here; send other items from the reserve's page."))
    destination = site_store(site, create=True)
    return send(source, destination, [(furnishing[item_id], quantity) for item_id, quantity in quantities], user,
                _("Furnishing %(site)s", site=site.name))
