"""Buses filled first fit, largest household first: the bucketed search gives what a plain scan gives."""
import random

import pytest

from quarantine.transfers.manifests import first_fit


def plain_first_fit(sizes: list[int], capacity: int) -> list[list[tuple[int, int]]]:
    buses: list[list[tuple[int, int]]] = []
    free: list[int] = []
    for i in sorted(range(len(sizes)), key=lambda i: sizes[i], reverse=True):
        size = sizes[i]
        while size > capacity:
            buses.append([(i, capacity)])
            free.append(0)
            size -= capacity
        bus = next((b for b, f in enumerate(free) if f >= size), None)
        if bus is None:
            bus = len(buses)
            buses.append([])
            free.append(capacity)
        buses[bus].append((i, size))
        free[bus] -= size
    return buses


@pytest.mark.parametrize("seed", range(30))
def test_first_fit_matches_a_plain_scan(seed):
    rng = random.Random(seed)
    capacity = rng.choice((5, 22, 45))
    sizes = [rng.choice((1, 1, 2, 3, 3, 4, 6, 9, 30)) for _ in range(rng.randint(0, 400))]
    assert first_fit(sizes, capacity) == plain_first_fit(sizes, capacity)


def test_a_household_larger_than_a_bus_fills_buses_of_its_own_then_its_rest_is_fitted():
    # 50 people on 22-seat buses: two full buses, 6 left; the 3-person household joins those 6.
    assert first_fit([3, 50], 22) == [[(1, 22)], [(1, 22)], [(1, 6), (0, 3)]]
    assert first_fit([], 22) == []
