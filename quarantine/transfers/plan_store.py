"""How a planning run keeps its scenario and plan: the exchange format, stored so pages read only what they show.

The scenario is split per site (a province scenario is 25 MB, and a hand move touches one or two
sites); the rest of it (policy, batches, the sites without rooms) is one small document. The
review page reads neither: the worker stores a per-site summary of the plan beside it. Parsed
plans and scenarios are cached per run id, since a run's stored scenario never changes.
"""
from __future__ import annotations

import json
import threading
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, insert, select, update

import planner
from quarantine.extensions import db
from quarantine.models import PlanRun, PlanRunSite

CACHE_SIZE = 8


class _Cache:
    """A small per-process LRU cache of parsed documents, keyed by (run id, what, version)."""

    def __init__(self, size: int) -> None:
        self.size, self.items, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key, make):
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        value = make()
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value


_cache = _Cache(CACHE_SIZE)


# --- the scenario -----------------------------------------------------------------------------

def largest_free_rooms(scenario_dict: dict) -> dict[str, int]:
    """Biggest free room of an available room at a ready site, for anyone and for people needing access.

    Whether a household may be split over rooms depends on it (rule 4), so a move check that reads
    only a few sites still knows it.
    """
    best = {"any": 0, "accessible": 0}
    household_rooms = scenario_dict.get("policy", {}).get("household_rooms", True)
    for site in scenario_dict["sites"]:
        if not site["ready"]:
            continue
        for room in site.get("rooms", []):
            if room.get("status", "available") != "available" or (household_rooms and room.get("occupants")):
                continue
            free = room["beds"] - len(room.get("occupants", []))
            best["any"] = max(best["any"], free)
            if room.get("accessible"):
                best["accessible"] = max(best["accessible"], free)
    return best


def save_scenario(run: PlanRun, scenario: planner.Scenario) -> None:
    data = planner.scenario_to_dict(scenario)
    meta = {key: value for key, value in data.items() if key != "sites"}
    meta["sites"] = [{key: value for key, value in site.items() if key != "rooms"} for site in data["sites"]]
    meta["largest_free_rooms"] = largest_free_rooms(data)
    run.scenario_meta_json = json.dumps(meta, ensure_ascii=False)
    db.session.execute(delete(PlanRunSite).where(PlanRunSite.run_id == run.id))
    if data["sites"]:
        db.session.execute(insert(PlanRunSite), [
            {"run_id": run.id, "site_key": site["id"], "position": i, "site_json": json.dumps(site, ensure_ascii=False),
             "assignments_json": "[]"}
            for i, site in enumerate(data["sites"])])


def _key(run: PlanRun, what: str, *more) -> tuple:
    # Ids are reused when a database is emptied and filled again (tests); the creation time is not.
    return (run.id, str(run.created_at), what, *more)


def cached(run: PlanRun, what: str, make):
    """Something derived from a run's stored scenario, computed once per process."""
    return _cache.get(_key(run, what), make)


def scenario_meta(run: PlanRun) -> dict:
    if not run.scenario_meta_json:
        return {}
    return _cache.get(_key(run, "meta"), lambda: json.loads(run.scenario_meta_json))


def _site_documents(run_id: int, site_keys: Iterable[str] | None) -> list[dict]:
    query = select(PlanRunSite.site_json).where(PlanRunSite.run_id == run_id).order_by(PlanRunSite.position)
    if site_keys is not None:
        query = query.where(PlanRunSite.site_key.in_(sorted(set(site_keys))))
    return [json.loads(body) for body in db.session.scalars(query)]


def scenario_dict(run: PlanRun, site_keys: Iterable[str] | None = None) -> dict:
    """The run's scenario in the exchange format; with `site_keys`, only those sites carry their rooms
    and the other sites are left out."""
    meta = dict(scenario_meta(run))
    meta.pop("largest_free_rooms", None)
    meta["sites"] = _site_documents(run.id, site_keys)
    return meta


def scenario_of(run: PlanRun) -> planner.Scenario:
    """The whole scenario, parsed once per process and run."""
    return _cache.get(_key(run, "scenario"), lambda: planner.scenario_from_dict(scenario_dict(run)))


def scenario_json(run: PlanRun) -> str:
    """The stored scenario as one exchange-format document (for download and independent checks)."""
    return json.dumps(scenario_dict(run), ensure_ascii=False)


# --- the plan ---------------------------------------------------------------------------------

def plan_of(run: PlanRun) -> planner.Plan:
    body = run.plan_json
    return _cache.get(_key(run, "plan", hash(body)), lambda: planner.plan_from_dict(json.loads(body)))


@dataclass(frozen=True)
class StoredReason:
    """Why a person is left out, as the app renders it: a code, its parameters, sites that would help."""

    code: str
    params: dict
    suggested_sites: tuple[str, ...] = ()


def reasons_of(run: PlanRun) -> dict[str, StoredReason]:
    raw = json.loads(run.reasons_json or "{}")
    return {person: StoredReason(entry["code"], entry.get("params", {}), tuple(entry.get("suggested", ())))
            for person, entry in raw.items()}


def encode_reasons(reasons: dict[str, StoredReason]) -> str:
    return json.dumps({person: {"code": r.code, "params": r.params, "suggested": list(r.suggested_sites)}
                       for person, r in reasons.items()}, ensure_ascii=False)


def save_plan(run: PlanRun, plan: planner.Plan, reasons: dict[str, StoredReason],
              site_names: dict[str, str] | None = None, changed_sites: set[str] | None = None) -> None:
    """Store a plan with its reasons, each site's assignments (only `changed_sites` when given: a hand
    move touches one or two) and the summary the review page shows."""
    run.plan_json = json.dumps(planner.plan_to_dict(plan), ensure_ascii=False)
    run.reasons_json = encode_reasons(reasons)
    run.placed = len(plan.assignments)
    run.review_json = json.dumps(summarise(plan, run, reasons, site_names), ensure_ascii=False)
    _save_site_assignments(run, plan, changed_sites)


def _save_site_assignments(run: PlanRun, plan: planner.Plan, only: set[str] | None) -> None:
    by_site: dict[str, list[list[str]]] = defaultdict(list)
    for a in plan.assignments:
        by_site[a.site].append([a.person, a.room])
    query = select(PlanRunSite.id, PlanRunSite.site_key).where(PlanRunSite.run_id == run.id)
    if only is not None:
        query = query.where(PlanRunSite.site_key.in_(sorted(only)))
    rows = [{"id": row_id, "assignments_json": json.dumps(by_site.get(key, []))}
            for row_id, key in db.session.execute(query)]
    if rows:
        db.session.execute(update(PlanRunSite), rows)


def site_assignments(run: PlanRun, site: str) -> list[tuple[str, str]]:
    """The plan's (person, room) pairs at one site, read from that site's row only."""
    body = db.session.scalar(select(PlanRunSite.assignments_json).where(PlanRunSite.run_id == run.id,
                                                                        PlanRunSite.site_key == site))
    return [(person, room) for person, room in json.loads(body or "[]")]


# Households shown by name per reason on the review page; the rest are counted.
SHOWN_HOUSEHOLDS = 12


def summarise(plan: planner.Plan, run: PlanRun, reasons: dict[str, StoredReason],
              site_names: dict[str, str] | None = None) -> dict:
    """Per site: people, rooms used, people per batch; per reason left out: people, households (the
    first few named by one member), the sites that would help."""
    meta = scenario_meta(run)
    names = site_names or {site["id"]: site.get("name", "") for site in meta.get("sites", [])}
    batch_of: dict[str, str] = {}
    household_of: dict[str, str] = {}
    for batch in meta.get("batches", []):
        for person in batch["people"]:
            batch_of[person["id"]] = batch["id"]
            household_of[person["id"]] = f"{batch['id']}/{person['household']}"
    people: Counter = Counter()
    rooms: dict[str, set[str]] = defaultdict(set)
    by_batch: dict[str, Counter] = defaultdict(Counter)
    for a in plan.assignments:
        people[a.site] += 1
        rooms[a.site].add(a.room)
        by_batch[a.site][batch_of.get(a.person, "")] += 1
    sites = [{"key": key, "name": names.get(key, key), "people": people[key], "rooms": len(rooms[key]),
              "by_batch": dict(by_batch[key])} for key in people]
    sites.sort(key=lambda s: s["name"])
    return {"sites": sites, "reasons": _reason_groups(reasons, household_of)}


def _reason_groups(reasons: dict[str, StoredReason], household_of: dict[str, str]) -> list[dict]:
    groups: dict[str, dict] = {}
    for person, reason in reasons.items():
        key = json.dumps([reason.code, sorted(reason.params.items()), list(reason.suggested_sites)], sort_keys=True)
        group = groups.setdefault(key, {"code": reason.code, "params": reason.params,
                                        "suggested": list(reason.suggested_sites), "people": 0, "households": {}})
        group["people"] += 1
        members = group["households"].setdefault(household_of.get(person, person), [])
        members.append(person)
    out = []
    for group in sorted(groups.values(), key=lambda g: -g["people"]):
        households = sorted(group.pop("households").values(), key=lambda members: members[0])
        group["household_count"] = len(households)
        group["shown"] = [{"person": members[0], "size": len(members)} for members in households[:SHOWN_HOUSEHOLDS]]
        out.append(group)
    return out


def review_summary(run: PlanRun) -> dict:
    """The summary stored with the plan; a run stored before summaries carried the reasons (or
    before there were summaries) gets its summary made once from its plan, and kept."""
    summary = json.loads(run.review_json) if run.review_json else {}
    if "reasons" not in summary and run.plan_json:
        summary = summarise(plan_of(run), run, reasons_of(run))
        run.review_json = json.dumps(summary, ensure_ascii=False)
        db.session.commit()
    return summary or {"sites": [], "reasons": []}
