"""Residents' personal links: issued for the door card, opened from its QR code, revoked by staff
(a lost card) and ended with the stay (release, transfer out).

The URL token is "<link id>.<nonce>.<signature>": the signature (the app's secret key) means a
guessed or altered token is refused before the database is asked, the nonce that a copy of the
database alone opens nobody's page, and the row that a token is revoked for good. A link opens
only its own resident's page, and only while that resident is checked in.
"""
from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from flask import current_app, request, url_for
from itsdangerous import BadSignature, Signer
from sqlalchemy import select, update

from quarantine.extensions import db
from quarantine.models import Building, Person, Room, SelfReportLink, Site, Stay, User

SALT = "self-report-link"


def _signer() -> Signer:
    return Signer(current_app.config["SECRET_KEY"], salt=SALT)


def token_for(link: SelfReportLink) -> str:
    return _signer().sign(f"{link.id}.{link.nonce}").decode()


def url_for_link(link: SelfReportLink) -> str:
    """The absolute address printed in the QR code (PUBLIC_BASE_URL, or the address of this request)."""
    path = url_for("selfreport.resident", token=token_for(link))
    base = (current_app.config.get("PUBLIC_BASE_URL") or request.host_url).rstrip("/")
    return base + path


def live_links(person_ids: Iterable[int], user: User | None = None) -> dict[int, SelfReportLink]:
    """The live link of each person, issuing the missing ones (one insert for all); commits."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    links = {link.person_id: link for link in db.session.scalars(
        select(SelfReportLink).where(SelfReportLink.person_id.in_(ids), SelfReportLink.revoked_at.is_(None)))}
    missing = [SelfReportLink(person_id=pid, nonce=secrets.token_urlsafe(9), created_by_id=user.id if user else None)
               for pid in ids if pid not in links]
    if missing:
        db.session.add_all(missing)
        db.session.commit()
        links.update({link.person_id: link for link in missing})
    return links


def reissue(person: Person, user: User) -> SelfReportLink:
    """A new link for a lost or shared card: the old one stops working at once."""
    revoke_for([person.id])
    link = SelfReportLink(person_id=person.id, nonce=secrets.token_urlsafe(9), created_by_id=user.id)
    db.session.add(link)
    db.session.commit()
    return link


def revoke_for(person_ids: Iterable[int]) -> None:
    """End the people's live links (without committing: part of the action that ends their stay)."""
    ids = list(person_ids)
    if ids:
        db.session.execute(update(SelfReportLink).where(SelfReportLink.person_id.in_(ids),
                                                        SelfReportLink.revoked_at.is_(None))
                           .values(revoked_at=datetime.now(timezone.utc)))


def link_from_token(token: str) -> SelfReportLink | None:
    """The live link a token names, or None for anything forged, altered, unknown or revoked."""
    try:
        payload = _signer().unsign(token.encode()).decode()
    except (BadSignature, UnicodeError):
        return None
    link_id, _sep, nonce = payload.partition(".")
    if not link_id.isdigit():
        return None
    link = db.session.get(SelfReportLink, int(link_id))
    if link is None or link.revoked_at is not None or not hmac.compare_digest(link.nonce, nonce):
        return None
    return link


@dataclass(frozen=True)
class Resident:
    """What the resident's own page may know: who they are (masked), their room and site."""
    person: Person
    site: Site
    room_label: str

    @property
    def masked_name(self) -> str:
        return self.person.masked_name


def resident_of(link: SelfReportLink) -> Resident | None:
    """The resident behind a live link, while they are checked in (None before arrival)."""
    row = db.session.execute(
        select(Site, Building.code, Room.number).select_from(Stay).join(Room, Room.id == Stay.room_id)
        .join(Building, Building.id == Room.building_id).join(Site, Site.id == Room.site_id)
        .where(Stay.person_id == link.person_id, Stay.check_out_at.is_(None))).first()
    person = link.person
    if row is None or person.status != "in_quarantine":
        return None
    site, code, number = row
    return Resident(person, site, f"{code}-{number}")
