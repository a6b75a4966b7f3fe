"""Households no single room can take: which sets of rooms on one floor fit them.

Rule 4 lets a household spread over several rooms of one floor only when no usable
room anywhere is big enough. Rule 7 then wants every child beside an adult of the
household and rule 6 every member with mobility needs in an accessible room, so a
set of rooms fits a household when its members can be distributed that way. A
*pattern* is such a set, described by room kinds only (free beds, accessible):
rooms of one kind on a floor are interchangeable, and a household takes its rooms
whole (one household per room).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from planner.inventory import Household
from planner.model import Person

Kind = tuple[int, bool]  # free beds, accessible
Seat = tuple[int, bool]  # seats in a room, accessible
Pattern = tuple[Kind, ...]  # the rooms a household takes, strongest first


@dataclass(frozen=True, order=True)
class Composition:
    """Members of a household counted by role and mobility need: all that decides which rooms fit."""

    counts: tuple[int, int, int, int, int, int]  # adults, children, others; each (mobility, not)

    @property
    def size(self) -> int:
        return sum(self.counts)

    @property
    def mobility(self) -> bool:
        return bool(self.counts[0] or self.counts[2] or self.counts[4])


def composition_of(hh: Household) -> Composition:
    counts = [0] * 6
    for role, people in enumerate((hh.adults, hh.children, hh.others)):
        for person in people:
            counts[2 * role + (0 if person.needs_accessible else 1)] += 1
    return Composition(tuple(counts))  # type: ignore[arg-type]


@lru_cache(maxsize=200_000)
def seat_counts(comp: Composition, seats: tuple[Seat, ...]) -> tuple[tuple[int, ...], ...] | None:
    """How many of each member class sit in each room (in the order given), or None if they cannot."""
    split = _child_rooms(comp, seats)
    if split is None:
        return None
    accessible, plain, j_acc, j_plain = split
    return _fill(comp, seats, accessible[:j_acc], plain[:j_plain], accessible[j_acc:], plain[j_plain:])


def _child_rooms(comp: Composition, seats: tuple[Seat, ...]) -> tuple[list[int], list[int], int, int] | None:
    """Rooms (accessible, plain; largest first) and how many of each hold children, if the household fits.

    Every room with children gets an adult first (mobility adults in accessible rooms).
    What is left is a transport problem whose only conflict is over the accessible
    child rooms: they take the mobility children, the children the plain child rooms
    cannot hold and the mobility members the other accessible rooms cannot hold.
    Taking the largest rooms as child rooms, and as many plain ones as there are
    plain adults for, is never worse.
    """
    a_mob, a_plain, c_mob, c_plain, o_mob, o_plain = comp.counts
    if sum(n for n, _ in seats) < comp.size:
        return None
    order = sorted(range(len(seats)), key=lambda i: -seats[i][0])
    accessible = [i for i in order if seats[i][1]]
    plain = [i for i in order if not seats[i][1]]
    acc_prefix = _prefix([seats[i][0] for i in accessible])
    plain_prefix = _prefix([seats[i][0] for i in plain])
    children = c_mob + c_plain
    for j_acc in range(len(accessible) + 1 if children else 1):
        # More plain child rooms never hurt, so take as many as there are plain adults for.
        j_plain = min(len(plain), a_plain - max(0, j_acc - a_mob)) if children else 0
        if j_plain < 0 or (children and j_acc + j_plain == 0):
            continue
        child_acc = acc_prefix[j_acc] - j_acc
        child_plain = plain_prefix[j_plain] - j_plain
        rest_acc = acc_prefix[-1] - acc_prefix[j_acc]
        mobile = a_mob - min(j_acc, a_mob) + o_mob
        if c_mob + max(0, mobile - rest_acc) + max(0, c_plain - child_plain) <= child_acc:
            return accessible, plain, j_acc, j_plain
    return None


def _prefix(values: list[int]) -> list[int]:
    out = [0]
    for v in values:
        out.append(out[-1] + v)
    return out


def _fill(comp: Composition, seats: tuple[Seat, ...], child_acc: list[int], child_plain: list[int],
          rest_acc: list[int], rest_plain: list[int]) -> tuple[tuple[int, ...], ...] | None:
    left = [cap for cap, _ in seats]
    counts = [[0] * 6 for _ in seats]
    have = list(comp.counts)  # adults (mob, plain), children (mob, plain), others (mob, plain)

    def put(k: int, rooms: list[int], limit: int | None = None) -> None:
        for i in rooms:
            n = min(have[k], left[i], limit if limit is not None else left[i])
            counts[i][k] += n
            left[i] -= n
            have[k] -= n

    for i in child_acc:
        put(0 if have[0] else 1, [i], 1)
    for i in child_plain:
        put(1, [i], 1)
    if any(counts[i][0] + counts[i][1] == 0 for i in child_acc + child_plain):
        return None
    put(2, child_acc)
    for k in (0, 4):
        put(k, rest_acc)
    put(3, child_plain)
    for k in (0, 4):
        put(k, child_acc)
    put(3, child_acc)
    everywhere = child_acc + rest_acc + child_plain + rest_plain
    for k in (1, 5):
        put(k, everywhere)
    if any(have):
        return None
    return tuple(tuple(c) for c in counts)


def fits(comp: Composition, seats: Sequence[Seat]) -> bool:
    return _fits_sorted(comp, sorted(seats, reverse=True))


def _fits_sorted(comp: Composition, seats: list[Seat]) -> bool:
    """``fits`` for rooms already in decreasing order."""
    return _fits_cached(comp, tuple(seats))


@lru_cache(maxsize=500_000)
def _fits_cached(comp: Composition, seats: tuple[Seat, ...]) -> bool:
    if not _fits_plain(comp, [n for n, _ in seats]):
        return False
    return not comp.mobility or _child_rooms(comp, seats) is not None


def _fits_plain(comp: Composition, caps: list[int]) -> bool:
    """Ignoring mobility needs: enough seats, and some j adults whose j rooms also hold every child."""
    adults, children = comp.counts[0] + comp.counts[1], comp.counts[2] + comp.counts[3]
    if sum(caps) < comp.size:
        return False
    if not children:
        return True
    prefix = 0
    for j, cap in enumerate(caps[:adults], start=1):
        prefix += cap
        if prefix >= children + j:
            return True
    return False


# --------------------------------------------------------------------------- patterns

@lru_cache(maxsize=None)
def minimal_patterns(comp: Composition, beds: tuple[int, ...]) -> tuple[Pattern, ...]:
    """Every set of whole rooms over these bed numbers that fits and has no room to spare.

    A room is marked accessible only when it must be (it seats someone with mobility
    needs), so at most that many are; ``patterns_on_floor`` fills unmarked rooms with
    plain rooms where the floor has them, else accessible ones.
    """
    mobility = comp.counts[0] + comp.counts[2] + comp.counts[4]
    options = sorted({(n, acc) for n in set(beds) for acc in ((False, True) if mobility else (False,))},
                     reverse=True)
    out: list[Pattern] = []

    adults = comp.counts[0] + comp.counts[1]

    def extend(start: int, chosen: list[Kind], seats: int, marked: int) -> None:
        if seats >= comp.size:
            if _fits_sorted(comp, chosen):
                if _minimal(comp, chosen):
                    out.append(tuple(chosen))
                return
            if len(chosen) >= adults and not _fits_plain(comp, [n for n, _ in chosen]):
                return  # smaller rooms cannot give the children more room beside an adult
        if len(chosen) >= comp.size:
            return
        for i in range(start, len(options)):
            kind = options[i]
            if kind[1] and marked == mobility:
                continue
            chosen.append(kind)
            extend(i, chosen, seats + kind[0], marked + kind[1])
            chosen.pop()

    extend(0, [], 0, 0)
    return tuple(out)


def _minimal(comp: Composition, rooms: list[Kind]) -> bool:
    return all(not _fits_sorted(comp, rooms[:i] + rooms[i + 1:])
               for i in range(len(rooms)) if i == 0 or rooms[i] != rooms[i - 1])


def patterns_on_floor(comp: Composition, rooms: dict[Kind, int], beds: tuple[int, ...], *,
                      prune: bool = True) -> list[Pattern]:
    """The minimal patterns this floor's rooms can give, less (with ``prune``) those another one beats.

    A pattern is beaten when another takes rooms each no bigger and no more accessible:
    whatever the first leaves free, the second leaves at least as good.
    """
    most = _most_rooms(comp, beds)
    key = tuple(sorted((kind, min(n, most.get(kind[0], 0))) for kind, n in rooms.items() if most.get(kind[0])))
    return _patterns_on(comp, key, beds, prune)


@lru_cache(maxsize=None)
def _most_rooms(comp: Composition, beds: tuple[int, ...]) -> dict[int, int]:
    """The most rooms of each bed number any minimal pattern takes: floors that differ beyond it look alike."""
    out: dict[int, int] = {}
    for pattern in minimal_patterns(comp, beds):
        for n in {k[0] for k in pattern}:
            out[n] = max(out.get(n, 0), sum(1 for k in pattern if k[0] == n))
    return out


@lru_cache(maxsize=100_000)
def _patterns_on(comp: Composition, rooms_key: tuple, beds: tuple[int, ...], prune: bool) -> list[Pattern]:
    rooms = dict(rooms_key)
    fitting = {placed for pattern in minimal_patterns(comp, beds) if (placed := _on_hand(pattern, rooms))}
    return sorted(p for p in fitting if not (prune and any(q != p and _weaker(q, p) for q in fitting)))


def _on_hand(pattern: Pattern, rooms: dict[Kind, int]) -> Pattern | None:
    """The pattern in this floor's rooms: marked rooms accessible, the others plain where the floor has them."""
    taken: dict[Kind, int] = {}
    out = []
    for beds, marked in sorted(pattern, key=lambda kind: not kind[1]):
        plain, accessible = (beds, False), (beds, True)
        kind = plain if not marked and taken.get(plain, 0) < rooms.get(plain, 0) else accessible
        if taken.get(kind, 0) >= rooms.get(kind, 0):
            return None
        taken[kind] = taken.get(kind, 0) + 1
        out.append(kind)
    return tuple(sorted(out, reverse=True))


def _weaker(q: Pattern, p: Pattern) -> bool:
    """Can q's rooms be matched into p's, each to one at least as big and as accessible?"""
    if len(q) > len(p):
        return False
    free = sorted(p)  # weakest first, so each room of q takes the weakest that will do
    for kind in sorted(q, key=lambda k: (not k[1], -k[0])):  # accessible rooms first, biggest first
        match = next((i for i, r in enumerate(free) if r[0] >= kind[0] and r[1] >= kind[1]), None)
        if match is None:
            return False
        free.pop(match)
    return True


def pattern_within(hh: Household, kinds: Sequence[Kind]) -> Pattern | None:
    """The fewest of these rooms (those a plan gives a split household) that still seat it by rules 6
    and 7, as a pattern; None if they do not seat it at all."""
    comp = composition_of(hh)
    rooms = sorted(kinds, reverse=True)
    if seat_counts(comp, tuple(rooms)) is None:
        return None
    shrunk = True
    while shrunk:
        shrunk = False
        for i in reversed(range(len(rooms))):  # the smallest rooms first: the big ones are the scarce ones
            fewer = rooms[:i] + rooms[i + 1:]
            if fewer and seat_counts(comp, tuple(fewer)) is not None:
                rooms, shrunk = fewer, True
                break
    return tuple(rooms)


def seat_people(hh: Household, seats: Sequence[Seat]) -> list[list[Person]] | None:
    """Concrete members for each room (in the order given), keeping rules 6 and 7."""
    order = sorted(range(len(seats)), key=lambda i: seats[i], reverse=True)
    counts = seat_counts(composition_of(hh), tuple(seats[i] for i in order))
    if counts is None:
        return None
    pools: list[list[Person]] = [[] for _ in range(6)]
    for role, people in enumerate((hh.adults, hh.children, hh.others)):
        for person in people:
            pools[2 * role + (0 if person.needs_accessible else 1)].append(person)
    out: list[list[Person]] = [[] for _ in seats]
    for i, room_counts in zip(order, counts):
        for k, n in enumerate(room_counts):
            out[i].extend(pools[k].pop() for _ in range(n))
    return out
