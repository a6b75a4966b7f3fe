"""Site operations shared by views, the command line and the demo loader."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from flask import url_for
from sqlalchemy import case, func, select

from quarantine.access import EDIT_SITES, MANAGE_SITE, may_change_status, status_changes_from
from quarantine.errors import DomainError
from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.labels import status_label, vocab_label
from quarantine.localtime import local_today
from quarantine.models import (
    CURRENT_STATUSES,
    RECEIVING_STATUSES,
    SITE_STATUSES,
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
from quarantine.staff.services import staffing_limit

# Which status may follow which (the pairs of access.SITE_STATUS_CHANGES, whoever makes them);
# `ready` additionally needs the readiness checklist and `closed` an empty site.
TRANSITIONS: dict[str, tuple[str, ...]] = {status: tuple(status_changes_from(status)) for status in SITE_STATUSES}

# The steps of preparing a site, in order (the "prepare this site" page walks through them).
PREPARE_STEPS = ("details", "layout", "rooms", "beds", "staff", "capacity", "ready")


@dataclass(frozen=True)
class Gap:
    """One thing that stops a site taking people, and the page that fixes it.

    `code` is stable ("zone:clean", "area:warehouse", "passage:staff", "passages_confirmed",
    "responsible_unit", "manager", "rooms", "staff", "capacity", "status"); `roles` are the
    roles that may open the page `endpoint` with `args`."""
    code: str
    label: str
    hint: str
    step: str
    endpoint: str
    args: dict = field(default_factory=dict)
    roles: tuple[str, ...] = MANAGE_SITE

    @property
    def url(self) -> str:
        return url_for(self.endpoint, **self.args)


@dataclass(frozen=True)
class ChecklistItem:
    """A readiness item with its outcome; the missing ones are the site's gaps."""
    label: str
    ok: bool
    hint: str = ""
    code: str = ""
    step: str = ""
    endpoint: str = ""
    args: dict = field(default_factory=dict)
    roles: tuple[str, ...] = MANAGE_SITE

    @property
    def gap(self) -> Gap:
        return Gap(self.code, self.label, self.hint, self.step, self.endpoint, self.args, self.roles)


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


def readiness_checklist(site: Site, day: date | None = None) -> list[ChecklistItem]:
    """Everything a site needs before it may be set ready: details, the three zones and two
    passages, rooms, staff on duty, a capacity limit that lets people in. All must pass."""
    return (_layout_items(site) + _details_items(site) + _rooms_items(site)
            + _staff_items(site, day or local_today()) + _capacity_items(site))


def readiness_gaps(site: Site, day: date | None = None) -> list[Gap]:
    """What stops the site taking people, in the order of the prepare page: the missing readiness
    items, then (for a site not yet receiving) setting it ready. Empty for a receiving site
    whose checklist is complete."""
    gaps = [item.gap for item in readiness_checklist(site, day) if not item.ok]
    if not site.receiving:
        gaps.append(Gap("status", _("Site set ready"),
                        _("Headquarters sets the site ready once everything above is done."), "ready",
                        "sites.prepare", {"site_id": site.id}, EDIT_SITES))
    return gaps


def missing_for_ready(site: Site) -> list[ChecklistItem]:
    return [item for item in readiness_checklist(site) if not item.ok]


def _item(site: Site, code: str, label: str, ok: bool, hint: str, step: str, endpoint: str,
          roles: tuple[str, ...] = MANAGE_SITE) -> ChecklistItem:
    return ChecklistItem(label, ok, hint, code, step, endpoint, {"site_id": site.id}, roles)


def _details_items(site: Site) -> list[ChecklistItem]:
    return [
        _item(site, "responsible_unit", _("Responsible unit named"), bool(site.responsible_unit.strip()),
              _("Edit the site and name its responsible unit."), "details", "sites.edit_site", EDIT_SITES),
        _item(site, "manager", _("Site manager and phone named"),
              bool(site.manager_name.strip() and site.manager_phone.strip()),
              _("Edit the site and name its manager and phone."), "details", "sites.edit_site", EDIT_SITES),
    ]


def _layout_items(site: Site) -> list[ChecklistItem]:
    """The three zones (the isolation zone covering every building with rooms), the functional
    areas in their zones, the two passages and the confirmation that they do not cross."""
    items: list[ChecklistItem] = []
    zone_types = db.session.scalars(select(ZoneType).where(ZoneType.active).order_by(ZoneType.sort)).all()
    zones_by_type: dict[str, list[Zone]] = {}
    for zone in site.zones:
        zones_by_type.setdefault(zone.type_code, []).append(zone)
    for zt in zone_types:
        if zt.required:
            items.append(_item(site, f"zone:{zt.code}", _("Zone: %(zone)s", zone=_vocab(zt)), zt.code in zones_by_type,
                               _("Add this zone on the layout page."), "layout", "sites.layout"))
        if zt.holds_rooms:
            covered = {b.id for z in zones_by_type.get(zt.code, []) for b in z.buildings}
            with_rooms = [b for b in site.buildings if b.rooms]
            uncovered = [b.code for b in with_rooms if b.id not in covered]
            items.append(_item(
                site, f"zone_rooms:{zt.code}", _("Rooms of quarantined people lie in the %(zone)s", zone=_vocab(zt)),
                bool(with_rooms) and not uncovered,
                _("Buildings not yet in this zone: %(codes)s", codes=", ".join(uncovered)) if uncovered
                else _("Add buildings and rooms, then name the buildings this zone covers."), "layout", "sites.layout"))
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
        items.append(_item(site, f"area:{at.code}", _("Area: %(area)s", area=_vocab(at)), ok, hint, "layout",
                           "sites.layout"))
    for kind, label in (("staff", _("Staff passage with entrance and route")),
                        ("quarantined", _("Quarantined-person passage with entrance and route"))):
        passage = site.passage(kind)
        items.append(_item(site, f"passage:{kind}", label,
                           bool(passage and passage.entrance.strip() and passage.route.strip()),
                           _("Describe its entrance and route on the layout page."), "layout", "sites.layout"))
    items.append(_item(site, "passages_confirmed", _("Confirmed that the two passages do not cross"),
                       site.passages_separate_confirmed,
                       _("Confirm it on the layout page once both routes are described."), "layout", "sites.layout"))
    return items


def _rooms_items(site: Site) -> list[ChecklistItem]:
    available = db.session.scalar(select(func.count(Room.id)).where(Room.site_id == site.id,
                                                                  Room.status == "available", Room.beds > 0))
    return [_item(site, "rooms", _("At least one available room with beds"), bool(available),
                  _("Create rooms or put rooms back in service."), "rooms", "rooms.setup")]


def _staff_items(site: Site, day: date) -> list[ChecklistItem]:
    supported = staffing_limit(site, day)
    return [_item(site, "staff", _("Staff on duty who support at least one resident"), supported >= 1,
                  _("Record at least one doctor and one nurse on duty; the staff on duty decide how many "
                    "people the site may take."), "staff", "staff.list_staff")]


def _capacity_items(site: Site) -> list[ChecklistItem]:
    return [_item(site, "capacity", _("Capacity limit lets people in"), site.capacity_limit != 0,
                  _("The capacity limit is 0: edit the site and raise it, or leave it empty for beds and staff "
                    "only."), "capacity", "sites.edit_site", EDIT_SITES)]


def _vocab(item) -> str:
    return vocab_label(item)


def status_choices(site: Site, role: str) -> list[str]:
    """The statuses this role may move the site to now (the status form offers only these)."""
    return status_changes_from(site.status, role)


def change_status(site: Site, new_status: str, role: str) -> None:
    """Change the status under the role rules of access.SITE_STATUS_CHANGES, the readiness
    checklist (to ready) and an empty site (to closed); a refusal says what to do instead."""
    if new_status == site.status:
        return
    _check_change(site, new_status, role)
    site.status = new_status
    db.session.commit()


def _check_change(site: Site, new_status: str, role: str) -> None:
    if new_status not in TRANSITIONS.get(site.status, ()):
        raise DomainError(_("A site cannot go from %(old)s to %(new)s.", old=status_label(site.status),
                            new=status_label(new_status)))
    if not may_change_status(role, site.status, new_status):
        raise DomainError(_("Only headquarters may change a site from %(old)s to %(new)s; ask headquarters.",
                            old=status_label(site.status), new=status_label(new_status)))
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
    # The rooms are summed per site first, then the 1,500 sums joined to their sites (not 170,000 rooms).
    per_site = (select(Room.site_id.label("site_id"),
                       func.sum(case((Room.status == "available", Room.beds), else_=0)).label("free"),
                       func.sum(Room.reserved).label("reserved"))
                .group_by(Room.site_id).subquery())
    row = db.session.execute(
        select(func.count(case((receiving, Site.id))),
               func.coalesce(func.sum(case((receiving, per_site.c.free), else_=0)), 0),
               func.coalesce(func.sum(case((receiving, per_site.c.reserved), else_=0)), 0),
               func.coalesce(func.sum(case(((Site.kind == "backup") & ~receiving, per_site.c.free), else_=0)), 0))
        .select_from(Site).outerjoin(per_site, per_site.c.site_id == Site.id).where(Site.id.in_(visible))).one()
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


def activate_site(site: Site, role: str = "hq") -> None:
    """Headquarters brings a backup site into service for a transfer (from plan review, a
    headquarters page): from standby through preparing to ready in one step, under the same rules
    as any status change (the caller rolls back if it is refused)."""
    if site.receiving:
        return
    if site.status == "standby":
        _check_change(site, "preparing", role)
        site.status = "preparing"  # written only together with "ready"
    change_status(site, "ready", role)
