"""Typed records for the planner exchange format and their JSON (de)serialisation.

The records are plain frozen dataclasses so the web app can build a scenario
straight from database rows (keyword arguments, lists or tuples). Every record
checks itself on construction; when a scenario is read from JSON the failing
field is reported with its full JSON path, e.g.
``sites[2].rooms[5].beds: must be a non-negative integer``.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, TypeVar

SCENARIO_FORMAT = "quarantine-plan-scenario/1"
PLAN_FORMAT = "quarantine-plan/1"
SITE_KINDS = ("fixed", "backup")
ROOM_STATUSES = ("available", "occupied", "cleaning", "out_of_service")
SEPARATION_KEYS = ("category", "batch")
PLACED_BOUND_STATUSES = ("proven", "best known")

T = TypeVar("T")


class FormatError(ValueError):
    """A malformed scenario or plan; ``path`` names the offending JSON field."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}" if path else problem)
        self.path = path
        self.problem = problem

    def under(self, prefix: str) -> "FormatError":
        """The same error seen from an enclosing record (path gets the prefix)."""
        if not prefix:
            return self
        joined = f"{prefix}.{self.path}" if self.path and not self.path.startswith("[") else prefix + self.path
        return FormatError(joined, self.problem)


# --------------------------------------------------------------------------- checks

def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)


def _text(value: object, name: str, *, allow_empty: bool = False) -> str:
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        raise FormatError(name, "must be a non-empty string")
    return value


def _flag(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise FormatError(name, "must be true or false")
    return value


def _count(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise FormatError(name, "must be a non-negative integer")
    return value


def _number(value: object, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise FormatError(name, "must be a number")
    if not low <= value <= high:
        raise FormatError(name, f"must be between {low:g} and {high:g}")
    return float(value)


def _choice(value: object, name: str, allowed: Iterable[str]) -> str:
    options = tuple(allowed)
    if value not in options:
        raise FormatError(name, "must be one of " + ", ".join(options))
    return str(value)


def _records(value: object, name: str, kind: type[T], build: Callable[[Mapping[str, Any]], T]) -> tuple[T, ...]:
    """A tuple of records from a list of records or dicts, errors carrying the index."""
    if type(value) is tuple and all(type(item) is kind for item in value):
        return value  # already typed records (the app builds scenarios in memory): nothing to convert
    # Exact-type checks first: JSON gives lists and dicts, and the ABC checks cost seconds at 45,000 rooms.
    if type(value) not in (list, tuple) and (isinstance(value, (str, bytes, Mapping))
                                             or not isinstance(value, Iterable)):
        raise FormatError(name, "must be a list")
    out: list[T] = []
    for i, item in enumerate(value):
        try:
            if type(item) is kind:
                out.append(item)
            elif type(item) is dict or isinstance(item, Mapping):
                out.append(build(item))
            elif isinstance(item, kind):
                out.append(item)
            else:
                raise FormatError("", f"must be an object ({kind.__name__})")
        except FormatError as err:
            raise err.under(f"{name}[{i}]") from None
    return tuple(out)


def _strings(value: object, name: str) -> tuple[str, ...]:
    if type(value) not in (list, tuple) and (isinstance(value, (str, bytes)) or not isinstance(value, Iterable)):
        raise FormatError(name, "must be a list of strings")
    items = tuple(value)
    for i, item in enumerate(items):
        _text(item, f"{name}[{i}]")
    return items


def _unique_ids(records: Iterable[Any], name: str) -> None:
    seen: set[str] = set()
    for i, record in enumerate(records):
        if record.id in seen:
            raise FormatError(f"{name}[{i}].id", f"duplicate id {record.id!r}")
        seen.add(record.id)


def _field(data: Mapping[str, Any], key: str, default: Any = ...) -> Any:
    if key in data:
        return data[key]
    if default is ...:
        raise FormatError(key, "is required")
    return default


# --------------------------------------------------------------------------- scenario

@dataclass(frozen=True)
class Location:
    lat: float
    lon: float

    def __post_init__(self) -> None:
        _set(self, "lat", _number(self.lat, "lat", -90, 90))
        _set(self, "lon", _number(self.lon, "lon", -180, 180))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Location":
        return cls(lat=_field(data, "lat"), lon=_field(data, "lon"))


def _location(value: object, name: str) -> Location:
    if isinstance(value, Location):
        return value
    if isinstance(value, Mapping):
        try:
            return Location.from_dict(value)
        except FormatError as err:
            raise err.under(name) from None
    raise FormatError(name, "must be an object with lat and lon")


@dataclass(frozen=True)
class Policy:
    """Placement policy; the age limits are defaults a county may change."""

    household_rooms: bool = True
    floor_separation: tuple[str, ...] = ("category", "batch")
    child_age_below: int = 14
    adult_age: int = 18

    def __post_init__(self) -> None:
        _flag(self.household_rooms, "household_rooms")
        keys = _strings(self.floor_separation, "floor_separation")
        for i, key in enumerate(keys):
            _choice(key, f"floor_separation[{i}]", SEPARATION_KEYS)
        _set(self, "floor_separation", keys)
        _count(self.child_age_below, "child_age_below")
        _count(self.adult_age, "adult_age")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Policy":
        return cls(household_rooms=_field(data, "household_rooms", True),
                   floor_separation=_field(data, "floor_separation", ("category", "batch")),
                   child_age_below=_field(data, "child_age_below", 14),
                   adult_age=_field(data, "adult_age", 18))


@dataclass(frozen=True)
class Occupant:
    """Someone already in a room; only what floor separation needs."""

    category: str
    batch: str
    household: str

    def __post_init__(self) -> None:
        for name in ("category", "batch", "household"):
            _text(getattr(self, name), name)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Occupant":
        return cls(category=_field(data, "category"), batch=_field(data, "batch"),
                   household=_field(data, "household"))


@dataclass(frozen=True)
class Room:
    id: str
    building: str
    floor: int
    beds: int
    accessible: bool = False
    status: str = "available"
    occupants: tuple[Occupant, ...] = ()

    def __post_init__(self) -> None:
        _text(self.id, "id")
        _text(self.building, "building")
        if isinstance(self.floor, bool) or not isinstance(self.floor, int):
            raise FormatError("floor", "must be an integer")
        _count(self.beds, "beds")
        _flag(self.accessible, "accessible")
        _choice(self.status, "status", ROOM_STATUSES)
        _set(self, "occupants", _records(self.occupants, "occupants", Occupant, Occupant.from_dict))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Room":
        return cls(id=_field(data, "id"), building=_field(data, "building"), floor=_field(data, "floor"),
                   beds=_field(data, "beds"), accessible=_field(data, "accessible", False),
                   status=_field(data, "status", "available"), occupants=_field(data, "occupants", ()))


@dataclass(frozen=True)
class Site:
    id: str
    name: str
    kind: str
    ready: bool
    location: Location
    capacity_limit: int | None = None
    rooms: tuple[Room, ...] = ()

    def __post_init__(self) -> None:
        _text(self.id, "id")
        _text(self.name, "name", allow_empty=True)
        _choice(self.kind, "kind", SITE_KINDS)
        _flag(self.ready, "ready")
        _set(self, "location", _location(self.location, "location"))
        if self.capacity_limit is not None:
            _count(self.capacity_limit, "capacity_limit")
        _set(self, "rooms", _records(self.rooms, "rooms", Room, Room.from_dict))
        _unique_ids(self.rooms, "rooms")

    @property
    def occupant_count(self) -> int:
        return sum(len(room.occupants) for room in self.rooms)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Site":
        return cls(id=_field(data, "id"), name=_field(data, "name", ""), kind=_field(data, "kind"),
                   ready=_field(data, "ready"), location=_field(data, "location"),
                   capacity_limit=_field(data, "capacity_limit", None), rooms=_field(data, "rooms", ()))


@dataclass(frozen=True)
class Person:
    id: str
    household: str
    category: str
    sex: str = ""
    age: int | None = None
    needs: tuple[str, ...] = ()
    diet: str = "regular"

    def __post_init__(self) -> None:
        _text(self.id, "id")
        _text(self.household, "household")
        _text(self.category, "category")
        if not isinstance(self.sex, str):
            raise FormatError("sex", "must be a string")
        if self.age is not None:
            _count(self.age, "age")
        _set(self, "needs", _strings(self.needs, "needs"))
        if not isinstance(self.diet, str):
            raise FormatError("diet", "must be a string")

    @property
    def needs_accessible(self) -> bool:
        return "mobility" in self.needs

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Person":
        return cls(id=_field(data, "id"), household=_field(data, "household"), category=_field(data, "category"),
                   sex=_field(data, "sex", ""), age=_field(data, "age", None), needs=_field(data, "needs", ()),
                   diet=_field(data, "diet", "regular"))


@dataclass(frozen=True)
class Batch:
    id: str
    origin: str
    location: Location
    people: tuple[Person, ...] = ()

    def __post_init__(self) -> None:
        _text(self.id, "id")
        _text(self.origin, "origin", allow_empty=True)
        _set(self, "location", _location(self.location, "location"))
        _set(self, "people", _records(self.people, "people", Person, Person.from_dict))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Batch":
        return cls(id=_field(data, "id"), origin=_field(data, "origin", ""), location=_field(data, "location"),
                   people=_field(data, "people", ()))


@dataclass(frozen=True)
class Scenario:
    name: str
    sites: tuple[Site, ...]
    batches: tuple[Batch, ...]
    policy: Policy = field(default_factory=Policy)

    def __post_init__(self) -> None:
        _text(self.name, "name", allow_empty=True)
        if isinstance(self.policy, Mapping):
            try:
                _set(self, "policy", Policy.from_dict(self.policy))
            except FormatError as err:
                raise err.under("policy") from None
        elif not isinstance(self.policy, Policy):
            raise FormatError("policy", "must be an object")
        _set(self, "sites", _records(self.sites, "sites", Site, Site.from_dict))
        _set(self, "batches", _records(self.batches, "batches", Batch, Batch.from_dict))
        _unique_ids(self.sites, "sites")
        _unique_ids(self.batches, "batches")
        self._check_global_ids()

    def _check_global_ids(self) -> None:
        """Room and person ids are referenced alone in plans, so they must be unique scenario-wide."""
        rooms: set[str] = set()
        for s, site in enumerate(self.sites):
            for r, room in enumerate(site.rooms):
                if room.id in rooms:
                    raise FormatError(f"sites[{s}].rooms[{r}].id", f"duplicate room id {room.id!r}")
                rooms.add(room.id)
        people: set[str] = set()
        for b, batch in enumerate(self.batches):
            for p, person in enumerate(batch.people):
                if person.id in people:
                    raise FormatError(f"batches[{b}].people[{p}].id", f"duplicate person id {person.id!r}")
                people.add(person.id)

    @property
    def people(self) -> list[Person]:
        return [person for batch in self.batches for person in batch.people]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Scenario":
        if not isinstance(data, Mapping):
            raise FormatError("", "a scenario must be a JSON object")
        if data.get("format") != SCENARIO_FORMAT:
            raise FormatError("format", f"must be {SCENARIO_FORMAT!r}")
        return cls(name=_field(data, "name", ""), policy=_field(data, "policy", Policy()),
                   sites=_field(data, "sites"), batches=_field(data, "batches"))


# --------------------------------------------------------------------------- plan

@dataclass(frozen=True)
class Assignment:
    person: str
    site: str
    room: str

    def __post_init__(self) -> None:
        for name in ("person", "site", "room"):
            _text(getattr(self, name), name)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Assignment":
        return cls(person=_field(data, "person"), site=_field(data, "site"), room=_field(data, "room"))


@dataclass(frozen=True)
class Unassigned:
    """A person left out, with a reason staff can act on and sites that would help."""

    person: str
    reason: str
    suggested_sites: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _text(self.person, "person")
        _text(self.reason, "reason")
        _set(self, "suggested_sites", _strings(self.suggested_sites, "suggested_sites"))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Unassigned":
        return cls(person=_field(data, "person"), reason=_field(data, "reason"),
                   suggested_sites=_field(data, "suggested_sites", ()))


@dataclass(frozen=True)
class Stats:
    """Solve statistics; everything past ``bound`` is an optional extension.

    ``placed_bound`` is a proven upper limit on how many people any valid plan of the
    scenario can place; ``placed_bound_status`` says whether the plan is proven to
    reach it (``proven``) or the limit is only the best bound found (``best known``).
    """

    solve_seconds: float = 0.0
    status: str = "UNKNOWN"
    objective: float | None = None
    bound: float | None = None
    placed: int | None = None
    first_plan_seconds: float | None = None
    backup_sites_activated: int | None = None
    sites_per_batch: float | None = None
    person_km: float | None = None
    idle_beds: int | None = None
    placed_bound: int | None = None
    placed_bound_status: str | None = None

    def __post_init__(self) -> None:
        _number(self.solve_seconds, "solve_seconds", 0, math.inf)
        _text(self.status, "status")
        if self.placed_bound_status is not None:
            _choice(self.placed_bound_status, "placed_bound_status", PLACED_BOUND_STATUSES)
        for name in ("objective", "bound", "first_plan_seconds", "sites_per_batch", "person_km"):
            value = getattr(self, name)
            if value is not None:
                _number(value, name, -math.inf, math.inf)
        for name in ("placed", "backup_sites_activated", "idle_beds", "placed_bound"):
            value = getattr(self, name)
            if value is not None:
                _count(value, name)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Stats":
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})


@dataclass(frozen=True)
class Plan:
    assignments: tuple[Assignment, ...] = ()
    unassigned: tuple[Unassigned, ...] = ()
    stats: Stats = field(default_factory=Stats)

    def __post_init__(self) -> None:
        _set(self, "assignments", _records(self.assignments, "assignments", Assignment, Assignment.from_dict))
        _set(self, "unassigned", _records(self.unassigned, "unassigned", Unassigned, Unassigned.from_dict))
        if isinstance(self.stats, Mapping):
            try:
                _set(self, "stats", Stats.from_dict(self.stats))
            except FormatError as err:
                raise err.under("stats") from None
        elif not isinstance(self.stats, Stats):
            raise FormatError("stats", "must be an object")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Plan":
        if not isinstance(data, Mapping):
            raise FormatError("", "a plan must be a JSON object")
        if data.get("format") != PLAN_FORMAT:
            raise FormatError("format", f"must be {PLAN_FORMAT!r}")
        return cls(assignments=_field(data, "assignments"), unassigned=_field(data, "unassigned"),
                   stats=_field(data, "stats", Stats()))


# --------------------------------------------------------------------------- JSON

def _read_json(source: str | Path | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(source, Mapping):
        return source
    try:
        with open(source, encoding="utf-8") as handle:
            return json.load(handle)
    except json.JSONDecodeError as err:
        raise FormatError("", f"{source}: not valid JSON ({err.msg} at line {err.lineno})") from None


def load_scenario(source: str | Path | Mapping[str, Any]) -> Scenario:
    """Read a scenario from a path or an already parsed dict; raises FormatError."""
    return Scenario.from_dict(_read_json(source))


def load_plan(source: str | Path | Mapping[str, Any]) -> Plan:
    """Read a plan from a path or an already parsed dict; raises FormatError."""
    return Plan.from_dict(_read_json(source))


def scenario_from_dict(data: Mapping[str, Any]) -> Scenario:
    return Scenario.from_dict(data)


def plan_from_dict(data: Mapping[str, Any]) -> Plan:
    return Plan.from_dict(data)


def _location_dict(location: Location) -> dict[str, float]:
    return {"lat": location.lat, "lon": location.lon}


def _room_dict(room: Room) -> dict[str, Any]:
    return {"id": room.id, "building": room.building, "floor": room.floor, "beds": room.beds,
            "accessible": room.accessible, "status": room.status,
            "occupants": [{"category": o.category, "batch": o.batch, "household": o.household}
                          for o in room.occupants]}


def _policy_dict(policy: Policy) -> dict[str, Any]:
    out: dict[str, Any] = {"household_rooms": policy.household_rooms,
                           "floor_separation": list(policy.floor_separation)}
    if policy.child_age_below != 14:
        out["child_age_below"] = policy.child_age_below
    if policy.adult_age != 18:
        out["adult_age"] = policy.adult_age
    return out


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    return {
        "format": SCENARIO_FORMAT,
        "name": scenario.name,
        "policy": _policy_dict(scenario.policy),
        "sites": [{"id": s.id, "name": s.name, "kind": s.kind, "ready": s.ready,
                   "location": _location_dict(s.location), "capacity_limit": s.capacity_limit,
                   "rooms": [_room_dict(r) for r in s.rooms]} for s in scenario.sites],
        "batches": [{"id": b.id, "origin": b.origin, "location": _location_dict(b.location),
                     "people": [{"id": p.id, "household": p.household, "category": p.category, "sex": p.sex,
                                 "age": p.age, "needs": list(p.needs), "diet": p.diet} for p in b.people]}
                    for b in scenario.batches],
    }


def _stats_dict(stats: Stats) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(stats):
        value = getattr(stats, f.name)
        if value is not None or f.name in ("objective", "bound"):
            out[f.name] = value
    return out


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    unassigned = []
    for u in plan.unassigned:
        entry: dict[str, Any] = {"person": u.person, "reason": u.reason}
        if u.suggested_sites:
            entry["suggested_sites"] = list(u.suggested_sites)
        unassigned.append(entry)
    return {
        "format": PLAN_FORMAT,
        "assignments": [{"person": a.person, "site": a.site, "room": a.room} for a in plan.assignments],
        "unassigned": unassigned,
        "stats": _stats_dict(plan.stats),
    }


def write_json(data: Mapping[str, Any], path: str | Path) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=1)
        handle.write("\n")
