"""The graph of hidden numbers: its bridges, and the cheapest cycle that protects one.

In a table with its margins, a set of hidden numbers reveals one of them exactly iff that
number is a *bridge* of the graph whose nodes are the rows and columns (margins included) and
whose edges are the hidden numbers; a hidden number on a cycle of hidden numbers can be moved
up and down around the cycle without changing any published number. Protecting a bridge means
hiding the cheapest path between its two ends (a shortest-path heuristic in the spirit of
tau-argus' network method), which closes a cycle through it.
"""

import numpy as np


def bridges(hidden: np.ndarray) -> list[tuple[int, int]]:
    """Bridges of the bipartite graph rows x columns whose edges are the hidden numbers."""
    n_rows, n_cols = hidden.shape
    ii, jj = np.nonzero(hidden)
    ii_list, jj_list = ii.tolist(), jj.tolist()
    adjacency: list[list[tuple[int, int]]] = [[] for _ in range(n_rows + n_cols)]
    for k, (i, j) in enumerate(zip(ii_list, jj_list, strict=True)):
        adjacency[i].append((n_rows + j, k))
        adjacency[n_rows + j].append((i, k))
    order = [-1] * len(adjacency)
    low = [0] * len(adjacency)
    found: list[tuple[int, int]] = []
    clock = 0
    for start in range(len(adjacency)):
        if order[start] >= 0 or not adjacency[start]:
            continue
        order[start] = low[start] = clock
        clock += 1
        stack = [(start, -1, iter(adjacency[start]))]
        while stack:
            node, via, neighbours = stack[-1]
            for other, edge in neighbours:
                if edge == via:
                    continue
                if order[other] < 0:
                    order[other] = low[other] = clock
                    clock += 1
                    stack.append((other, edge, iter(adjacency[other])))
                    break
                low[node] = min(low[node], order[other])
            else:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > order[parent]:
                        found.append((ii_list[via], jj_list[via]))
    return found


def cheapest_path(
    cost: np.ndarray, source: tuple[int, int], target: tuple[int, int]
) -> list[tuple[int, int]] | None:
    """Cells of the cheapest path between two nodes, (0, i) = row i, (1, j) = column j, where
    using cell (i, j) costs cost[i, j] (inf: unusable). Bellman-Ford, alternating between the
    row and column sides, vectorised over the dense table."""
    if source[0] == 1:  # search from a row: transpose
        transposed = cheapest_path(cost.T, (0, source[1]), (1 - target[0], target[1]))
        return None if transposed is None else [(i, j) for j, i in transposed]
    n_rows, n_cols = cost.shape
    dist = [np.full(n_rows, np.inf), np.full(n_cols, np.inf)]
    prev = [np.full(n_rows, -1), np.full(n_cols, -1)]
    dist[source[0]][source[1]] = 0.0
    side, node = target
    # Values only improve from nodes improved in the previous half-step, by non-negative steps:
    # once none of those is cheaper than the target, the target's distance is final.
    for _ in range(n_rows + n_cols + 1):
        through = dist[0][:, None] + cost
        value = through.min(axis=0)
        better = value < dist[1]
        if not better.any() or value[better].min() >= dist[side][node]:
            break
        dist[1][better] = value[better]
        prev[1][better] = through[:, better].argmin(axis=0)
        through = cost + dist[1][None, :]
        value = through.min(axis=1)
        better = value < dist[0]
        if not better.any() or value[better].min() >= dist[side][node]:
            break
        dist[0][better] = value[better]
        prev[0][better] = through[better].argmin(axis=1)
    if not np.isfinite(dist[side][node]):
        return None
    path: list[tuple[int, int]] = []
    while (side, node) != source:
        back = int(prev[side][node])
        path.append((back, node) if side == 1 else (node, back))
        side, node = 1 - side, back
        if len(path) > n_rows + n_cols:  # pragma: no cover - predecessors form a tree
            raise RuntimeError("broken shortest-path tree")
    return path
