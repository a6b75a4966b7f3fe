"""Site operations shared by views, the command line and the demo loader."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import case, func, select

from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.labels import status_label, vocab_label
from quarantine.models import (
    CURRENT_STATUSES,
    RECEIVING_STATUSES,
    AreaType,
    Building,
    FunctionalArea,
    Passage,
    Person,
    Room,
    Site,
    User,
    Zone,
    ZoneType,
)
from quarantine.occupancy import current_residents

# Which status may follow which; `ready` additionally needs the readiness checklist
# and `closed` an empty site.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "standby": ("preparing",),
    "preparing": ("standby", "ready"),
    "ready": ("preparing", "in_use", "closed"),
    "in_use": ("ready", "closed"),
    "closed": ("standby", "preparing"),
}


@dataclass(frozen=True)
class ChecklistItem:
    label: str
    ok: bool
    hint: str = ""


@dataclass(frozen=True)
class SiteCapacity:
    """A site's beds, counted so they add up: beds = occupants + reserved + spare + free + unusable."""
    rooms: int
    beds: int
    occupants: int  # beds of people checked in
    available_rooms: int
    free_beds: int  # beds in available rooms (only those take new people)
    out_of_service_rooms: int
    cleaning_rooms: int
    residents: int
    reserved: int = 0  # beds held for people on their way
    spare_beds: int = 0  # beds left over in rooms a household holds (one household per room)
    unusable_beds: int = 0  # beds in rooms under terminal disinfection or out of service

    @property
    def held(self) -> int:
        return self.occupants + self.reserved


def readiness_checklist(site: Site) -> list[ChecklistItem]:
    """The three-zones-two-passages checklist; a site may be set ready only when all pass."""
    items: list[ChecklistItem] = []
    zone_types = db.session.scalars(select(ZoneType).where(ZoneType.active).order_by(ZoneType.sort)).all()
    zones_by_type = {}
    for zone in site.zones:
        zones_by_type.setdefault(zone.type_code, []).append(zone)
    for zt in zone_types:
        if zt.required:
            items.append(ChecklistItem(_("Zone: %(zone)s", zone=_vocab(zt)), zt.code in zones_by_type,
                                       _("Add this zone on the layout page.")))
        if zt.holds_rooms:
            covered = {b.id for z in zones_by_type.get(zt.code, []) for b in z.buildings}
            with_rooms = [b for b in site.buildings if b.rooms]
            uncovered = [b.code for b in with_rooms if b.id not in covered]
            items.append(ChecklistItem(
                _("Rooms of quarantined people lie in the %(zone)s", zone=_vocab(zt)),
                bool(with_rooms) and not uncovered,
                _("Buildings not yet in this zone: %(codes)s", codes=", ".join(uncovered)) if uncovered
                else _("Add buildings and rooms, then name the buildings this zone covers.")))
    area_types = db.session.scalars(select(AreaType).where(AreaType.active).order_by(AreaType.sort)).all()
    for at in area_types:
        if not at.required:
            continue
        areas = [a for a in site.areas if a.type_code == at.code]
        ok = bool(areas)
        hint = _("Add it on the layout page.")
        if ok and at.zone_type_code:
            ok = any(a.zone is not None and a.zone.type_code == at.zone_type_code for a in areas)
            hint = _("It must lie in the %(zone)s.", zone=_vocab(db.session.get(ZoneType, at.zone_type_code)))
        items.append(ChecklistItem(_("Area: %(area)s", area=_vocab(at)), ok, hint))
    for kind, label in (("staff", _("Staff passage with entrance and route")),
                        ("quarantined", _("Quarantined-person passage with entrance and route"))):
        passage = site.passage(kind)
        items.append(ChecklistItem(label, bool(passage and passage.entrance.strip() and passage.route.strip()),
                                   _("Describe its entrance and route on the layout page.")))
    items.append(ChecklistItem(_("Confirmed that the two passages do not cross"), site.passages_separate_confirmed,
                               _("Confirm it on the layout page once both routes are described.")))
    items.append(ChecklistItem(_("Responsible unit named"), bool(site.responsible_unit.strip()),
                               _("Edit the site and name its responsible unit.")))
    items.append(ChecklistItem(_("Site manager and phone named"),
                               bool(site.manager_name.strip() and site.manager_phone.strip()),
                               _("Edit the site and name its manager and phone.")))
    available = db.session.scalar(select(func.count(Room.id)).where(Room.site_id == site.id,
                                                                  Room.status == "available", Room.beds > 0))
    items.append(ChecklistItem(_("At least one available room with beds"), bool(available),
                               _("Create rooms or put rooms back in service.")))
    return items


def _vocab(item) -> str:
    return vocab_label(item)


def missing_for_ready(site: Site) -> list[ChecklistItem]:
    return [item for item in readiness_checklist(site) if not item.ok]


def change_status(site: Site, new_status: str) -> None:
    if new_status == site.status:
        return
    if new_status not in TRANSITIONS.get(site.status, ()):
        raise DomainError(_("A site cannot go from %(old)s to %(new)s.", old=status_label(site.status),
                            new=status_label(new_status)))
    if new_status == "ready":
        missing = missing_for_ready(site)
        if missing:
            raise DomainError(_("The site cannot be set ready; still missing: %(items)s",
                                items="; ".join(item.label for item in missing)))
    if new_status == "closed":
        residents = current_residents(site.id)
        if residents:
            raise DomainError(_("The site still holds %(n)d people; move or release them before closing it.",
                                n=residents))
    site.status = new_status
    db.session.commit()




def capacities(site_ids: list[int]) -> dict[int, SiteCapacity]:
    """Room and bed figures for many sites in two queries (home page, site list, API)."""
    if not site_ids:
        return {}
    room_rows = db.session.execute(
        select(
            Room.site_id,
            func.count(Room.id),
            func.coalesce(func.sum(Room.beds), 0),
            func.coalesce(func.sum(Room.occupants), 0),
            func.sum(case((Room.status == "available", 1), else_=0)),
            func.coalesce(func.sum(case((Room.status == "available", Room.beds), else_=0)), 0),
            func.sum(case((Room.status == "out_of_service", 1), else_=0)),
            func.sum(case((Room.status == "cleaning", 1), else_=0)),
            func.coalesce(func.sum(Room.reserved), 0),
            func.coalesce(func.sum(case((Room.status == "occupied", Room.beds - Room.occupants - Room.reserved),
                                        else_=0)), 0),
            func.coalesce(func.sum(case((Room.status.in_(("cleaning", "out_of_service")), Room.beds), else_=0)), 0),
        ).where(Room.site_id.in_(site_ids)).group_by(Room.site_id)
    ).all()
    residents = dict(db.session.execute(
        select(Person.site_id, func.count(Person.id))
        .where(Person.site_id.in_(site_ids), Person.status.in_(CURRENT_STATUSES)).group_by(Person.site_id)
    ).all())
    result = {sid: SiteCapacity(0, 0, 0, 0, 0, 0, 0, residents.get(sid, 0)) for sid in site_ids}
    for sid, rooms, beds, occ, avail, free, oos, cleaning, reserved, spare, unusable in room_rows:
        result[sid] = SiteCapacity(rooms, int(beds), int(occ), int(avail or 0), int(free), int(oos or 0),
                                   int(cleaning or 0), residents.get(sid, 0), int(reserved), int(spare),
                                   int(unusable))
    return result


def totals(sites_query) -> dict[str, int]:
    """Figures over all the sites `sites_query` selects, summed in the database (a province has 170,000 rooms)."""
    visible = sites_query.with_only_columns(Site.id).order_by(None).scalar_subquery()
    receiving = Site.status.in_(RECEIVING_STATUSES)
    free = case((Room.status == "available", Room.beds), else_=0)
    row = db.session.execute(
        select(func.count(func.distinct(case((receiving, Site.id)))),
               func.coalesce(func.sum(case((receiving, free), else_=0)), 0),
               func.coalesce(func.sum(case((receiving, Room.reserved), else_=0)), 0),
               func.coalesce(func.sum(case(((Site.kind == "backup") & ~receiving, free), else_=0)), 0))
        .select_from(Site).outerjoin(Room, Room.site_id == Site.id).where(Site.id.in_(visible))).one()
    residents = db.session.scalar(select(func.count(Person.id)).where(
        Person.site_id.in_(visible), Person.status.in_(CURRENT_STATUSES))) or 0
    return {"sites_ready": row[0], "free_beds": int(row[1]), "reserved_beds": int(row[2]),
            "backup_beds": int(row[3]), "residents": residents}


def add_zone(site: Site, type_code: str, name: str, description: str, building_ids: list[int]) -> Zone:
    zone = Zone(site=site, type_code=type_code, name=name.strip(), description=description.strip())
    zone.buildings = [b for b in site.buildings if b.id in set(building_ids)]
    db.session.add(zone)
    db.session.commit()
    return zone


def update_zone_buildings(zone: Zone, building_ids: list[int]) -> None:
    zone.buildings = [b for b in zone.site.buildings if b.id in set(building_ids)]
    db.session.commit()


def delete_zone(zone: Zone) -> None:
    db.session.delete(zone)
    db.session.commit()


def add_area(site: Site, type_code: str, zone_id: int | None, description: str) -> FunctionalArea:
    area = FunctionalArea(site=site, type_code=type_code, zone_id=zone_id, description=description.strip())
    db.session.add(area)
    db.session.commit()
    return area


def delete_area(area: FunctionalArea) -> None:
    db.session.delete(area)
    db.session.commit()


def save_passage(site: Site, kind: str, entrance: str, route: str) -> Passage:
    passage = site.passage(kind)
    if passage is None:
        passage = Passage(site=site, kind=kind)
        db.session.add(passage)
    passage.entrance = entrance.strip()
    passage.route = route.strip()
    _layout_changed(site)
    db.session.commit()
    return passage


def confirm_passages_separate(site: Site, user: User) -> None:
    staff, quarantined = site.passage("staff"), site.passage("quarantined")
    if not (staff and staff.route and quarantined and quarantined.route):
        raise DomainError(_("Describe both passages' routes before confirming that they do not cross."))
    site.passages_separate_confirmed = True
    site.passages_confirmed_by_id = user.id
    site.passages_confirmed_at = datetime.now(timezone.utc)
    db.session.commit()


def _layout_changed(site: Site) -> None:
    """A changed passage invalidates the no-crossing confirmation; the routes must be looked at again."""
    site.passages_separate_confirmed = False
    site.passages_confirmed_by_id = None
    site.passages_confirmed_at = None


def building_choices(site: Site) -> list[tuple[int, str]]:
    return [(b.id, f"{b.code} {b.name}".strip()) for b in site.buildings]


def get_building(site: Site, building_id: int) -> Building | None:
    return next((b for b in site.buildings if b.id == building_id), None)


def activate_site(site: Site) -> None:
    """Bring a backup site into service for a transfer: from standby through preparing to ready in one
    step, under the same rules as any status change (the caller rolls back if it is refused)."""
    if site.receiving:
        return
    if site.status == "standby":
        site.status = "preparing"
    change_status(site, "ready")
