"""Small scenario builders for the planner tests."""
from __future__ import annotations

from typing import Any

from planner import Batch, Location, Occupant, Person, Policy, Room, Scenario, Site

HERE = Location(lat=33.6, lon=114.6)


def room(rid: str, beds: int = 2, *, building: str = "A", floor: int = 1, accessible: bool = True,
         status: str = "available", occupants: tuple[Occupant, ...] = ()) -> Room:
    return Room(id=rid, building=building, floor=floor, beds=beds, accessible=accessible, status=status,
                occupants=occupants)


def site(sid: str, rooms: list[Room], *, kind: str = "fixed", ready: bool = True, limit: int | None = None,
         lat: float = 33.6) -> Site:
    return Site(id=sid, name=f"Site {sid}", kind=kind, ready=ready, location=Location(lat=lat, lon=114.6),
                capacity_limit=limit, rooms=rooms)


def person(pid: str, household: str, *, category: str = "close_contact", age: int = 40,
           needs: tuple[str, ...] = ()) -> Person:
    return Person(id=pid, household=household, category=category, age=age, needs=needs)


def scenario(sites: list[Site], people: list[Person], **policy: Any) -> Scenario:
    return Scenario(name="t", sites=sites, batches=[Batch(id="B1", origin="O", location=HERE, people=people)],
                    policy=Policy(**policy))
