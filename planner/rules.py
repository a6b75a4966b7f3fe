"""The hard rules of the exchange format (docs/scenario-format.md), one function each, on plain values.

``planner.validate`` applies them to a whole plan; the web app applies the very same functions
to people going into one room by hand (check-in, arrival in another room, moves, hand edits
of a plan), so the app's rules cannot drift from the planner's. The solver does not use
them: it keeps its own fast bookkeeping and is checked against the validator.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable

from planner.model import Policy

Cohort = tuple[str, ...]


def room_takes_people(site_ready: bool, room_status: str) -> bool:
    """Rule 1: only available rooms at ready sites take new people."""
    return site_ready and room_status == "available"


def beds_enough(beds: int, people: int) -> bool:
    """Rule 2: a room holds no more people than beds (people already there included)."""
    return people <= beds


def one_household_per_room(households: Collection[str], policy: Policy) -> bool:
    """Rule 3: with household rooms, a room holds one household only."""
    return not policy.household_rooms or len(set(households)) <= 1


def household_on_one_floor(floors: Collection[object]) -> bool:
    """Rule 4, first half: a household split over rooms keeps to one floor of one building of one site."""
    return len(set(floors)) <= 1


def split_allowed(household_size: int, largest_single_room: int) -> bool:
    """Rule 4, second half: a household is split over rooms only when no usable room takes it whole."""
    return largest_single_room < household_size


def cohort(category: str, batch: str, policy: Policy) -> Cohort:
    """What floor separation compares: the policy's keys (category, batch) in order."""
    values = {"category": category, "batch": batch}
    return tuple(values[key] for key in policy.floor_separation)


def one_cohort_per_floor(cohorts: Iterable[Cohort], policy: Policy) -> bool:
    """Rule 5: a floor holds one category and one batch, counting the people already there."""
    return not policy.floor_separation or len(set(cohorts)) <= 1


def accessible_enough(needs_access: bool, room_accessible: bool) -> bool:
    """Rule 6: mobility needs an accessible room."""
    return room_accessible or not needs_access


def is_child(age: int | None, policy: Policy) -> bool:
    """Under ``child_age_below`` (14 by default); an unknown age counts as an adult."""
    return age is not None and age < policy.child_age_below


def is_adult(age: int | None, policy: Policy) -> bool:
    """``adult_age`` (18 by default) or older; an unknown age counts as an adult."""
    return age is None or age >= policy.adult_age


def child_has_adult(household_ages_in_room: Iterable[int | None], policy: Policy) -> bool:
    """Rule 7: a child shares the room with an adult of the household (pass the ages of the
    child's household members in that room, the child included)."""
    return any(is_adult(age, policy) for age in household_ages_in_room)


def within_capacity(people_at_site: int, capacity_limit: int | None) -> bool:
    """Rule 8: a site's total occupancy (existing + new) stays within its capacity limit."""
    return capacity_limit is None or people_at_site <= capacity_limit
