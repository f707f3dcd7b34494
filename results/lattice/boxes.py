"""Perturbation boxes: the certificate that a withheld cell of the lattice cannot be narrowed.

Why this works. Every cell of a cube is a sum of leaf cells (service point x month x category).
Take two leaves in each dimension, ``a`` and ``b``, and add ``+d`` and ``-d`` alternately at
the 8 corners (a box; in a dimension whose node is the root there is no sibling, so only ``a``,
the "degenerate" case). A node containing both ``a`` and ``b`` of a dimension sees the changes
cancel; so the only cells that change are those on the paths from ``a`` and ``b`` up to just
below their lowest common ancestor, in every dimension at once. Categories are paired the same
way (``c1`` and ``c2`` of one variable), so node totals never change; a record-total box pairs
no category, changes the totals on its paths, and moves one category of every variable along.

If every changed cell is withheld, every published number (cells, totals, zeros) is unchanged
and the counts stay non-negative for ``d`` up to the smallest value on the side that decreases:
so each changed cell can lie anywhere in an interval at least ``up + down`` wide, whatever else
an attacker combines. ``results.lattice.protect`` finds, for every withheld cell, a box with
``up + down >= threshold`` (withholding its changed cells too) - and never publishes a cell it
has no box for. Aggregate values are never smaller than the leaves below them, so the bounds
are the leaf corners'.
"""

from dataclasses import dataclass

import numpy as np

from results.lattice.trees import Tree

CANDIDATES = 3  # leaves tried under the target node
SIBLINGS = 4  # sibling nodes tried, each with its 2 largest leaves


@dataclass
class Dim:
    """A tree prepared for box search."""

    parent: np.ndarray
    children: list[list[int]]
    leaves: list[np.ndarray]  # leaf nodes under each node (itself for a leaf)
    up: list[list[int]]  # node and its ancestors, node first
    root: int = 0

    @classmethod
    def of(cls, tree: Tree) -> "Dim":
        n = len(tree.keys)
        parent = np.array(tree.parent, np.int64)
        children: list[list[int]] = [[] for _ in range(n)]
        for i, p in enumerate(tree.parent):
            if p >= 0:
                children[p].append(i)
        up = []
        for i in range(n):
            chain = [i]
            while parent[chain[-1]] >= 0:
                chain.append(int(parent[chain[-1]]))
            up.append(chain)
        leaf_set = [i for i in range(n) if not children[i]]
        under: list[list[int]] = [[] for _ in range(n)]
        for leaf in leaf_set:
            for node in up[leaf]:
                under[node].append(leaf)
        return cls(parent, children, [np.array(u, np.int64) for u in under], up)

    def path(self, leaf: int, top: int) -> list[int]:
        chain = self.up[leaf]
        return chain[: chain.index(top) + 1]


@dataclass
class Side:
    """One dimension of a box: leaf ``a`` (+), leaf ``b`` (-, -1 when degenerate) and the
    nodes that change with their signs."""

    a: int
    b: int
    nodes: np.ndarray
    signs: np.ndarray


def sides(dim: Dim, node: int, weight: np.ndarray, wide: bool = False) -> list[Side]:
    """Box sides through ``node``: ``a`` under it, ``b`` under a sibling of the lowest
    ancestor-or-self that has siblings, else degenerate (the path up to the root changes).
    ``wide``: try more leaves and siblings (when the usual few gave no box wide enough)."""
    many = 4 if wide else 1
    top = node
    while top != dim.root and len(dim.children[int(dim.parent[top])]) < 2:
        top = int(dim.parent[top])
    under = dim.leaves[node]
    firsts = under[np.argsort(-weight[under], kind="stable")[: CANDIDATES * many]]
    degenerate = []
    for a in firsts:
        nodes = dim.path(int(a), dim.root)
        degenerate.append(Side(int(a), -1, np.array(nodes), np.ones(len(nodes), np.int64)))
    if top == dim.root:
        return degenerate
    siblings = [s for s in dim.children[int(dim.parent[top])] if s != top]
    siblings = sorted(siblings, key=lambda s: -weight[s])[: SIBLINGS * many]
    seconds = []
    for s in siblings:
        leaves = dim.leaves[s]
        seconds += [(int(b), s) for b in leaves[np.argsort(-weight[leaves], kind="stable")[:2]]]
    result = []
    for a in firsts:
        path_a = dim.path(int(a), top)
        for b, s in seconds:
            path_b = dim.path(b, s)
            result.append(
                Side(
                    int(a),
                    b,
                    np.array(path_a + path_b),
                    np.array([1] * len(path_a) + [-1] * len(path_b)),
                )
            )
    return result


@dataclass
class Sides:
    """Every node's candidate box sides as arrays, to search many cells at once: leaves ``a``
    and ``b`` (``b`` = -1: degenerate), the changed nodes padded with ``pad`` (one past the
    last node) and their signs (0 on padding), ``valid`` where a candidate exists."""

    a: np.ndarray  # (nodes, K)
    b: np.ndarray
    nodes: np.ndarray  # (nodes, K, L)
    signs: np.ndarray
    valid: np.ndarray
    pad: int

    def of(self, node: int) -> list[Side]:
        found = []
        for k in np.nonzero(self.valid[node])[0]:
            keep = self.signs[node, k] != 0
            found.append(
                Side(
                    int(self.a[node, k]),
                    int(self.b[node, k]),
                    self.nodes[node, k][keep],
                    self.signs[node, k][keep],
                )
            )
        return found


def side_table(
    dim: Dim,
    weight: np.ndarray,
    firsts: int = 1,
    heavy: int = 4,
    light: int = 2,
    climb: bool = False,
    degenerate: bool = False,
) -> Sides:
    """Candidate sides of every node: ``a`` among its ``firsts`` largest leaves; ``b`` under a
    sibling of the node (``climb``: or of any ancestor below the root; the ``heavy`` largest
    and ``light`` smallest siblings at each level: a small sibling is often withheld already),
    or (``degenerate``) none: the path up to the root changes. Which one a cell gets is
    decided by width and cost in ``results.lattice.sweep``: a wider choice than ``sides``
    gives, because a tiny service point has no partner month of its own and must move against
    a sibling instead."""
    n = len(dim.up)
    rows: list[list[tuple[int, int, list[int], list[int]]]] = []
    for node in range(n):
        under = dim.leaves[node]
        found = []
        for a in under[np.argsort(-weight[under], kind="stable")[:firsts]]:
            a = int(a)
            chain = dim.up[a]
            for x in dim.up[node][:-1] if climb else dim.up[node][:1]:
                if x == dim.root:
                    break
                siblings = [s for s in dim.children[int(dim.parent[x])] if s != x]
                ordered = sorted(siblings, key=lambda s: (-weight[s], s))
                for s in dict.fromkeys(ordered[:heavy] + ordered[len(ordered) - light :]):
                    leaves = dim.leaves[s]
                    b = int(leaves[np.argmax(weight[leaves])])
                    path_a = chain[: chain.index(x) + 1]
                    path_b = dim.up[b][: dim.up[b].index(s) + 1]
                    found.append((a, b, path_a + path_b, [1] * len(path_a) + [-1] * len(path_b)))
            if degenerate or node == dim.root:
                found.append((a, -1, list(chain), [1] * len(chain)))
        rows.append(found)
    k = max(len(r) for r in rows)
    length = max(len(c[2]) for r in rows for c in r)
    table = Sides(
        np.zeros((n, k), np.int64),
        np.full((n, k), -1, np.int64),
        np.full((n, k, length), n, np.int64),
        np.zeros((n, k, length), np.int64),
        np.zeros((n, k), bool),
        n,
    )
    for node, found in enumerate(rows):
        for j, (a, b, nodes, signs) in enumerate(found):
            table.a[node, j], table.b[node, j], table.valid[node, j] = a, b, True
            table.nodes[node, j, : len(nodes)] = nodes
            table.signs[node, j, : len(signs)] = signs
    return table


def corners(side: Side) -> list[tuple[int, int]]:
    return [(side.a, 1)] + ([(side.b, -1)] if side.b >= 0 else [])


@dataclass
class Box:
    width: float
    new: int  # cells it withholds that were published
    mass: int
    # (cube or None for record totals, geo nodes, time nodes, category indices: one array,
    # or two for a pair)
    cells: list[tuple]

    def key(self, threshold: int) -> tuple:
        return (self.width < threshold, self.new, self.mass)


def category_box(
    values: np.ndarray,
    hidden: np.ndarray,
    slack: tuple[np.ndarray, bool] | None,
    geo: list[Side],
    when: list[Side],
    c1: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(up, down, newly withheld cells, their mass), each (geo sides, time sides, categories),
    of every box in one cube made of a side of ``geo`` and one of ``when``, for every partner
    category ``c2`` (``c2 == c1`` gets up -1). ``slack`` = (room, rising) bounds how far
    category 0 may move: up for mentions (``rising``: a mention count cannot exceed the
    respondents), down for respondents (they cannot fall below any option's mentions)."""
    ga, gb, gn, gm = stacked(geo)
    ta, tb, tn, tm = stacked(when)
    shape = (len(geo), len(when), values.shape[2])
    down, up = np.full(shape, np.inf), np.full(shape, np.inf)
    for g, t, sign in ((ga, ta, 1), (gb, tb, 1), (ga, tb, -1), (gb, ta, -1)):  # the corners
        present = (g >= 0)[:, None] & (t >= 0)[None, :]
        gi, ti = np.maximum(g, 0)[:, None], np.maximum(t, 0)[None, :]
        v2 = np.where(present[..., None], values[gi, ti], np.inf)
        v1 = v2[..., c1 : c1 + 1]
        if sign > 0:  # c1 rises with d, c2 falls
            down, up = np.minimum(down, v1), np.minimum(up, v2)
        else:
            up, down = np.minimum(up, v1), np.minimum(down, v2)
        if slack is not None:
            room, rising = np.where(present, slack[0][gi, ti], np.inf), slack[1]
            # category 0 moves up on the up-move when it is c1 with sign +, or c2 with -
            bounded_up = ((sign if c1 == 0 else -sign) > 0) == rising
            if c1 == 0 and bounded_up:
                up = np.minimum(up, room[..., None])
            elif c1 == 0:
                down = np.minimum(down, room[..., None])
            elif bounded_up:
                up[..., 0] = np.minimum(up[..., 0], room)
            else:
                down[..., 0] = np.minimum(down[..., 0], room)
    up[..., c1] = -1
    block = (gn[:, None, :, None], tn[None, :, None, :])  # (geo sides, time sides, nodes, nodes)
    inside = (gm[:, None, :, None] & tm[None, :, None, :])[..., None]
    shown = ~hidden[block] & inside
    counted = np.where(shown, values[block], 0)
    new = shown[..., c1].sum(axis=(2, 3))[..., None] + shown.sum(axis=(2, 3))
    mass = counted[..., c1].sum(axis=(2, 3))[..., None] + counted.sum(axis=(2, 3))
    return up, down, new, mass


def stacked(options: list[Side]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sides as arrays: leaves ``a`` and ``b`` (-1: degenerate), the changed nodes padded
    with node 0 and where they are real."""
    length = max(len(side.nodes) for side in options)
    nodes = np.zeros((len(options), length), np.int64)
    real = np.zeros((len(options), length), bool)
    for i, side in enumerate(options):
        nodes[i, : len(side.nodes)] = side.nodes
        real[i, : len(side.nodes)] = True
    a = np.array([side.a for side in options], np.int64)
    return a, np.array([side.b for side in options], np.int64), nodes, real
