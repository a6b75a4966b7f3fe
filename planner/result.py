"""What ``solve`` hands back: the plan, how good it is, how many could be placed at most, why people are left out."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from planner.metrics import PlanMetrics
from planner.model import Plan
from planner.reasons import Reason

PROVEN = "proven"
BEST_KNOWN = "best known"


@dataclass(frozen=True)
class Progress:
    """What a caller sees while solving: reported after the first plan and on each improvement."""

    placed: int
    total: int
    objective: float | None
    bound: float | None
    elapsed: float
    phase: str


@dataclass(frozen=True)
class SolveResult:
    """``placed_bound`` is a proven upper limit on the people any valid plan places; ``reasons`` maps
    each person left out to why (a code and its parameters, and the English text the plan carries)."""

    plan: Plan
    status: str
    objective: float | None
    bound: float | None
    metrics: PlanMetrics
    seconds: float
    placed_bound: int | None = None
    placed_bound_status: str | None = None
    reasons: Mapping[str, Reason] = field(default_factory=dict)

    def is_feasible(self) -> bool:
        """A usable plan exists (possibly with people left out, each with a reason)."""
        return self.status in ("OPTIMAL", "FEASIBLE")

    def summary(self) -> str:
        m = self.metrics
        text = placed_summary(m.placed, m.total, self.placed_bound, self.placed_bound_status)
        text += (f". {m.batch_site_pairs} batch-site pairs ({m.sites_per_batch:.1f} sites per batch), "
                 f"{m.backup_sites_activated} backup site(s) activated, {m.person_km:,.0f} person-km, "
                 f"{m.idle_beds} idle beds; {self.status.lower()} in {self.seconds:.2f} s")
        if self.bound is not None and self.objective:
            text += f" (objective gap {gap(self.objective, self.bound):.2%})"
        return text + "."


def placed_summary(placed: int, total: int, bound: int | None, status: str | None) -> str:
    """``placed 741 of 2,000; at most 952 can be placed`` (the bound left out when everyone is placed)."""
    text = f"placed {placed:,} of {total:,}"
    if bound is None or placed == total:
        return text
    text += f"; at most {bound:,} can be placed"
    if status != PROVEN:
        text += " (not proven; best bound)"
    return text


def gap(objective: float, bound: float) -> float:
    return max(0.0, objective - bound) / max(1.0, abs(objective))
