""""How many can we take?": a headcount checked against the live sites before any roster exists.

At 4 a.m. the order is "100 close contacts, about 40 households, from Taikang": headquarters needs
to know at once how many fit in the ready sites (the planner's most placeable people, with its
proven bound), how many more each backup site not yet ready would take once prepared, and what
each still lacks. The batch is made up: households of even sizes, adults, no special needs unless
told; so the figure is what the beds allow, the roster then decides.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace

import planner
from planner.inventory import great_circle_km
from quarantine.models import Site
from quarantine.sites.services import Gap, readiness_gaps
from quarantine.transfers.scenario import LiveSites, live_sites

# The answer is wanted within 2 s: the planner's seconds in all, those on the ready sites, and the
# most on one backup site tried (the backups share what the ready sites leave, nearest first).
TOTAL_SECONDS = 1.6
READY_SECONDS = 0.9
BACKUP_SECONDS = 0.15
MIN_BACKUP_SECONDS = 0.05
# Backup sites tried, nearest first: a province has hundreds, the question is about a few.
MAX_BACKUP_SITES = 10
BATCH_ID = "HEADCOUNT"


@dataclass(frozen=True)
class Headcount:
    people: int
    households: int
    category: str
    needs_accessible: int = 0
    origin: str = ""
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class BackupOption:
    site: Site
    more: int  # people it would take beyond the ready sites, once prepared
    beds: int
    gaps: list[Gap]


@dataclass(frozen=True)
class CapacityAnswer:
    headcount: Headcount
    fit: int  # in the ready sites as they are
    bound: int
    proven: bool
    per_site: list[tuple[Site, int]]
    backups: list[BackupOption]

    @property
    def short(self) -> int:
        return self.headcount.people - self.fit


def household_sizes(people: int, households: int) -> list[int]:
    """`people` in `households` as even as can be: 100 in 40 → twenty of 3 and twenty of 2."""
    households = max(1, min(households, people))
    base, extra = divmod(people, households)
    return [base + 1] * extra + [base] * (households - extra)


def made_up_batch(count: Headcount, fallback: planner.Location) -> planner.Batch:
    people = []
    needing = count.needs_accessible
    for h, size in enumerate(household_sizes(count.people, count.households), start=1):
        for k in range(size):
            needs = ("mobility",) if needing > 0 else ()
            needing -= bool(needs)
            people.append(planner.Person(id=f"{BATCH_ID}-{h}-{k}", household=f"{BATCH_ID}-H{h}",
                                         category=count.category, needs=needs))
    location = planner.Location(count.lat, count.lon) if count.lat is not None else fallback
    return planner.Batch(id=BATCH_ID, origin=count.origin, location=location, people=tuple(people))


def check_capacity(count: Headcount) -> CapacityAnswer:
    deadline = time.perf_counter() + TOTAL_SECONDS
    live = live_sites()
    batch = made_up_batch(count, live.fallback)
    ready = planner.Scenario(name="headcount", sites=live.sites, batches=(batch,))
    answer = planner.most_placeable(ready, time_limit=READY_SECONDS)
    per_site = sorted(((live.rows[key], n) for key, n in answer.per_site.items()), key=lambda sn: -sn[1])
    backups = _backup_options(live, batch, answer.placed, count, deadline)
    return CapacityAnswer(count, answer.placed, answer.bound, answer.proven, per_site, backups)


def _backup_options(live: LiveSites, batch: planner.Batch, fit: int, count: Headcount,
                    deadline: float) -> list[BackupOption]:
    if fit >= count.people:
        return []
    candidates = [s for s in live.sites if not s.ready and s.kind == "backup"]
    candidates.sort(key=lambda s: great_circle_km(s.location.lat, s.location.lon,
                                                 batch.location.lat, batch.location.lon))
    options = []
    candidates = candidates[:MAX_BACKUP_SITES]
    for k, site in enumerate(candidates):
        seconds = min(BACKUP_SECONDS, max(MIN_BACKUP_SECONDS, (deadline - time.perf_counter()) / (len(candidates) - k)))
        # As if prepared: ready, and staffed for its beds (its own manual limit still counts).
        prepared = replace(site, ready=True, capacity_limit=live.rows[site.id].capacity_limit)
        sites = tuple(prepared if s.id == site.id else s for s in live.sites)
        more = planner.most_placeable(planner.Scenario(name="headcount", sites=sites, batches=(batch,)),
                                      time_limit=seconds).placed - fit
        beds = sum(r.beds - len(r.occupants) for r in site.rooms if r.status == "available")
        options.append(BackupOption(live.rows[site.id], max(more, 0), beds, readiness_gaps(live.rows[site.id])))
    options.sort(key=lambda o: (-o.more, -o.beds))
    return options
