"""A small min-cost transport: households by (size, access need) into rooms by kind.

The graphs are tiny (a few dozen kinds on each side), so successive shortest paths
with Bellman-Ford are plenty. Used to turn the count model's choice into rooms
with the fewest idle beds.
"""
from __future__ import annotations

from typing import Callable, Hashable, TypeVar

A = TypeVar("A", bound=Hashable)
B = TypeVar("B", bound=Hashable)


def min_cost_transport(supply: dict[A, int], demand: dict[B, int], allowed: Callable[[A, B], bool],
                       cost: Callable[[A, B], int]) -> dict[tuple[A, B], int]:
    """Send as much of ``supply`` as ``demand`` takes along allowed pairs, cheapest first."""
    left = list(supply)
    right = list(demand)
    n = len(left) + len(right) + 2
    source, sink = n - 2, n - 1
    graph: list[list[int]] = [[] for _ in range(n)]
    edges: list[list[int]] = []  # to, capacity, cost

    def add(u: int, v: int, cap: int, price: int) -> None:
        graph[u].append(len(edges))
        edges.append([v, cap, price])
        graph[v].append(len(edges))
        edges.append([u, 0, -price])

    for i, a in enumerate(left):
        add(source, i, supply[a], 0)
    for j, b in enumerate(right):
        add(len(left) + j, sink, demand[b], 0)
    pair_edge: dict[tuple[int, int], int] = {}
    for i, a in enumerate(left):
        for j, b in enumerate(right):
            if allowed(a, b):
                pair_edge[(i, j)] = len(edges)
                add(i, len(left) + j, min(supply[a], demand[b]), cost(a, b))
    while True:
        path = _shortest_path(graph, edges, source, sink)
        if path is None:
            break
        push = min(edges[e][1] for e in path)
        for e in path:
            edges[e][1] -= push
            edges[e ^ 1][1] += push
    return {(left[i], right[j]): edges[e ^ 1][1] for (i, j), e in pair_edge.items() if edges[e ^ 1][1] > 0}


def _shortest_path(graph: list[list[int]], edges: list[list[int]], source: int, sink: int) -> list[int] | None:
    dist = [None] * len(graph)
    via: list[int | None] = [None] * len(graph)
    dist[source] = 0
    for _ in range(len(graph)):
        changed = False
        for u, d in enumerate(dist):
            if d is None:
                continue
            for e in graph[u]:
                v, cap, price = edges[e]
                if cap > 0 and (dist[v] is None or d + price < dist[v]):
                    dist[v] = d + price
                    via[v] = e
                    changed = True
        if not changed:
            break
    if dist[sink] is None:
        return None
    path, node = [], sink
    while node != source:
        e = via[node]
        path.append(e)
        node = edges[e ^ 1][0]
    return path[::-1]
