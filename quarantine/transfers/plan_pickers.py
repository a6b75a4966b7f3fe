"""What the hand-move picker offers: people of the plan, sites and rooms, searched on demand."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import or_, select

from quarantine.extensions import db
from quarantine.i18n import _
from quarantine.labels import vocab_label
from quarantine.models import Building, Category, Person, PlanRun, Room, TransferBatch
from quarantine.transfers.plan_store import plan_of, scenario_dict, scenario_meta
from quarantine.transfers.scenario import NO_BATCH, key_id

LIMIT = 20
ROOM_LIMIT = 60


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def people_matching(run: PlanRun, query: str) -> list[dict]:
    """By name, household or the last digits of the ID number, among the people of the plan."""
    query = query.strip()[:40]
    if not query:
        return []
    batch_ids = db.session.scalars(select(TransferBatch.id).where(TransferBatch.code.in_(run.batch_code_list)))
    planned = {key_id(a.person): a for a in plan_of(run).assignments}
    left = {key_id(u.person) for u in plan_of(run).unassigned}
    rows = db.session.scalars(select(Person).where(
        Person.batch_id.in_(list(batch_ids)),
        or_(Person.name.like(_like(query), escape="\\"), Person.household == query,
            Person.id_number.like("%" + query.replace("%", "")))).order_by(Person.name).limit(LIMIT * 3)).all()
    rooms = dict(db.session.execute(select(Room.id, Building.code + "-" + Room.number)
                                    .join(Building, Building.id == Room.building_id).where(Room.id.in_(
                                        [key_id(planned[p.id].room) for p in rows if p.id in planned]))).all())
    out = []
    for p in rows:
        if p.id not in planned and p.id not in left:
            continue
        a = planned.get(p.id)
        out.append({"key": f"P{p.id}", "name": p.name, "household": p.household, "id_tail": p.id_number[-4:],
                    "site": a.site if a else None, "room": rooms.get(key_id(a.room)) if a else None})
    return out[:LIMIT]


def sites_matching(run: PlanRun, query: str) -> list[dict]:
    query = query.strip().casefold()
    sites = [s for s in scenario_meta(run).get("sites", []) if s["ready"]]
    found = [s for s in sites if query in s.get("name", "").casefold()] if query else sites
    return [{"key": s["id"], "name": s.get("name", s["id"]), "kind": s["kind"]} for s in found[:LIMIT]]


def rooms_matching(run: PlanRun, site: str, query: str) -> list[dict]:
    """Available rooms of one site: free beds left by the plan, the floor's cohort, accessibility."""
    documents = scenario_dict(run, [site])["sites"]
    if not documents or not documents[0]["ready"]:
        return []
    rooms = documents[0]["rooms"]
    people = {p["id"]: (p["category"], b["id"]) for b in scenario_meta(run).get("batches", []) for p in b["people"]}
    planned: dict[str, int] = defaultdict(int)
    cohorts: dict[tuple, set] = defaultdict(set)
    floor_of = {r["id"]: (r["building"], r["floor"]) for r in rooms}
    for a in plan_of(run).assignments:
        if a.site == site:
            planned[a.room] += 1
            cohorts[floor_of[a.room]].add(people.get(a.person))
    for r in rooms:
        for o in r.get("occupants", []):
            cohorts[floor_of[r["id"]]].add((o["category"], o["batch"]))
    numbers = dict(db.session.execute(select(Room.id, Room.number).where(Room.site_id == key_id(site))).all())
    categories = {c.code: c for c in db.session.scalars(select(Category))}
    query = query.strip().casefold()
    out = []
    for r in sorted(rooms, key=lambda r: (r["building"], r["floor"], str(numbers.get(key_id(r["id"]), "")))):
        label = f"{r['building']}-{numbers.get(key_id(r['id']), r['id'])}"
        if r.get("status", "available") != "available" or (query and query not in label.casefold()):
            continue
        free = r["beds"] - len(r.get("occupants", [])) - planned[r["id"]]
        cohort = sorted(c for c in cohorts[floor_of[r["id"]]] if c)
        out.append({"key": r["id"], "label": label, "floor": r["floor"], "beds": r["beds"], "free": free,
                    "accessible": bool(r.get("accessible")),
                    "cohort": [{"category": c, "batch": b, "text": _cohort_text(categories, c, b)} for c, b in cohort]})
        if len(out) >= ROOM_LIMIT:
            break
    return out


def _cohort_text(categories: dict, category: str, batch: str) -> str:
    """A floor's cohort in the user's words: the category's label and the batch's code (people already
    there without a batch: "no batch"), never the planner's internal keys."""
    label = vocab_label(categories.get(category)) or category
    batch_text = _("no batch") if batch == NO_BATCH else batch
    return f"{label} · {batch_text}"
