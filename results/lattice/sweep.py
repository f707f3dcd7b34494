"""Box search for many withheld cells at once: numpy over cells x candidate boxes.

The certificate is the one of ``results.lattice.boxes``: a box moves two leaves in each
dimension (or one, degenerate) and two categories by +-d, changes only the cells on the paths
up to just below the lowest common ancestors, and is safe when all of those are withheld; its
width (how far d may go before a leaf corner turns negative) is what an attacker cannot
narrow. What is new here is only how a box is chosen: for a batch of cells, every candidate
side of the cell's place (``boxes.side_table``) x every candidate side of its period x every
partner category is scored at once - width from the four leaf corners, cost from the cells it
would newly withhold (weighted ``1 + value``: hiding a large, coarse cell costs more than a
few small ones, as tau-ARGUS's default cost is the cell value) - and the cheapest box at least
``threshold`` wide is taken. Boxes chosen in one batch are applied together (withholding more
only removes equations an attacker has, so every certificate stays valid); the next batch sees
their cells withheld and reuses them.

Candidates that would change a cell of a published pair are left to the per-cell search of
``results.lattice.protect`` (which moves the pair's cells along); so are cells no candidate
here protects.
"""

import numpy as np

from results.lattice.boxes import Sides

BATCH = 1024  # cells per batch: larger batches are faster and withhold a little more


def padded(values: np.ndarray, fill: float) -> np.ndarray:
    """``values`` (G, T, ...) with one more place and period, filled with ``fill``: where the
    side tables' padding and degenerate corners point."""
    shape = (values.shape[0] + 1, values.shape[1] + 1, *values.shape[2:])
    out = np.full(shape, fill, np.float32)
    out[: values.shape[0], : values.shape[1]] = values
    return out


def pair_touch(sides: Sides, kept: np.ndarray | None) -> np.ndarray:
    """(nodes, K): whether a candidate side changes a node where pairs are published."""
    if kept is None:
        return np.zeros(sides.valid.shape, bool)
    mask = np.zeros(sides.pad + 1, bool)
    mask[kept] = True
    return mask[sides.nodes].any(axis=2)


def category_boxes(
    values: np.ndarray,
    hidden: np.ndarray,
    certified: np.ndarray,
    targets: np.ndarray,
    threshold: int,
    geo: Sides,
    when: Sides,
    touch: tuple[np.ndarray, np.ndarray] | None,
    slack: tuple[np.ndarray, bool] | None,
) -> np.ndarray:
    """Protect the ``targets`` (N, 3: place, period, category) of one cube: withhold and
    certify the cells of a box for each (``hidden`` and ``certified`` are updated in place).
    Returns the targets no candidate protects."""
    vf = padded(values, np.inf)
    room = padded(slack[0], np.inf) if slack is not None else None
    pad_hidden = np.zeros(vf.shape, bool)
    pad_certified = np.zeros(vf.shape, bool)
    pad_hidden[:-1, :-1], pad_certified[:-1, :-1] = hidden, certified
    base = (1 + np.where(np.isinf(vf), 0, vf)).astype(np.float32)
    failed = []
    order = np.lexsort((targets[:, 2], targets[:, 1], targets[:, 0]))
    targets = targets[order]
    for start in range(0, len(targets), BATCH):
        batch = targets[start : start + BATCH]
        batch = batch[~pad_certified[batch[:, 0], batch[:, 1], batch[:, 2]]]
        if not len(batch):
            continue
        weights = np.where(pad_hidden, np.float32(0), base)
        chosen = _choose(vf, weights, room, slack, batch, threshold, geo, when, touch)
        ok = chosen[0] >= 0
        failed.append(batch[~ok])
        g, t, c = batch[ok, 0], batch[ok, 1], batch[ok, 2]
        kg, kt, c2 = (x[ok] for x in chosen)
        nodes_g = geo.nodes[g, kg][:, :, None]
        nodes_t = when.nodes[t, kt][:, None, :]
        for cats in (c, c2):
            pad_hidden[nodes_g, nodes_t, cats[:, None, None]] = True
            pad_certified[nodes_g, nodes_t, cats[:, None, None]] = True
    hidden[:], certified[:] = pad_hidden[:-1, :-1], pad_certified[:-1, :-1]
    return np.concatenate(failed) if failed else np.zeros((0, 3), np.int64)


def _choose(vf, weights, room, slack, batch, threshold, geo: Sides, when: Sides, touch):
    """(geo candidate, time candidate, partner category) of the cheapest box wide enough
    for each cell of ``batch``; -1 where there is none."""
    g, t, c = batch[:, 0], batch[:, 1], batch[:, 2]
    ag, bg = geo.a[g][:, :, None], np.where(geo.b[g] < 0, geo.pad, geo.b[g])[:, :, None]
    at, bt = when.a[t][:, None, :], np.where(when.b[t] < 0, when.pad, when.b[t])[:, None, :]
    p1, p2, m1, m2 = vf[ag, at], vf[bg, bt], vf[ag, bt], vf[bg, at]  # (N, Kg, Kt, C)
    rows = np.arange(len(c))
    plus_c = np.minimum(p1[rows, :, :, c], p2[rows, :, :, c])[..., None]
    minus_c = np.minimum(m1[rows, :, :, c], m2[rows, :, :, c])[..., None]
    down = np.minimum(plus_c, np.minimum(m1, m2))  # c falls at + corners, c2 at - corners
    up = np.minimum(np.minimum(p1, p2), minus_c)
    del p1, p2, m1, m2
    if room is not None:
        down, up = _slack(room, slack[1], down, up, c, ag, bg, at, bt)
    width = down + up
    valid = geo.valid[g][:, :, None] & when.valid[t][:, None, :]
    if touch is not None:
        valid &= ~(touch[0][g][:, :, None] & touch[1][t][:, None, :])
    feasible = valid[..., None] & (width >= threshold)
    feasible[np.arange(len(c)), :, :, c] = False
    cost = path_cost(weights, geo, when, g, t)
    total = cost + cost[rows, :, :, c][..., None]
    total = np.where(feasible, total, np.inf)
    flat = total.reshape(len(c), -1).argmin(axis=1)
    kg, kt, c2 = np.unravel_index(flat, total.shape[1:])
    found = np.isfinite(total.reshape(len(c), -1)[np.arange(len(c)), flat])
    return np.where(found, kg, -1), kt, c2


def path_cost(weights: np.ndarray, geo: Sides, when: Sides, g, t) -> np.ndarray:
    """(N, Kg, Kt, C): ``weights`` (G + 1, T + 1, C) summed over the cells each candidate box
    of each cell (g, t) changes: over its places first (once per distinct place), then its
    periods."""
    places, inverse = np.unique(g, return_inverse=True)
    by_place = weights[geo.nodes[places]].sum(axis=2)  # (U, Kg, T + 1, C)
    k_geo = np.arange(geo.a.shape[1])[None, :, None, None]
    return by_place[inverse[:, None, None, None], k_geo, when.nodes[t][:, None, :, :]].sum(3)


def _slack(room, rising: bool, down, up, c, ag, bg, at, bt):
    """Category 0 of a mentions cube cannot rise above the respondents (``rising``), that of
    a respondents cube cannot fall below any option's mentions: ``room`` per leaf bounds it."""
    plus = np.minimum(room[ag, at], room[bg, bt])[..., None]  # (N, Kg, Kt, 1)
    minus = np.minimum(room[ag, bt], room[bg, at])[..., None]
    first = (c == 0)[:, None, None, None]
    # c == 0: category 0 rises with d at + corners, falls at - corners; c2 == 0: the reverse
    bound_up, bound_down = (plus, minus) if rising else (minus, plus)
    up = np.where(first, np.minimum(up, bound_up), up)
    down = np.where(first, np.minimum(down, bound_down), down)
    other = ~first[..., 0]
    up[..., 0] = np.where(other, np.minimum(up[..., 0], bound_down[..., 0]), up[..., 0])
    down[..., 0] = np.where(other, np.minimum(down[..., 0], bound_up[..., 0]), down[..., 0])
    return down, up


def totals_boxes(
    totals: np.ndarray,
    cubes: dict[str, np.ndarray],
    moves: dict[str, tuple[bool, np.ndarray | None]],
    hidden: tuple[np.ndarray, dict[str, np.ndarray]],
    certified: tuple[np.ndarray, dict[str, np.ndarray]],
    targets: np.ndarray,
    threshold: int,
    geo: Sides,
    when: Sides,
    touch: tuple[np.ndarray, np.ndarray] | None,
    coupling: "Coupling | None" = None,
) -> np.ndarray:
    """Protect record totals ``targets`` (N, 2) with boxes of record totals: every cube moves
    one category along (the one allowing the widest move; ``moves[name]`` = (a mentions cube,
    which moves "not mentioned"; the respondents' room or None)). A box that changes a node
    where pairs are published moves each pair's cell at the crossing of its two questions'
    categories along (``coupling``; without it such boxes are left to the per-cell search).
    Returns the targets left."""
    tv = padded(totals, np.inf)
    shape = tv.shape
    weight = (1 + np.where(np.isinf(tv), 0, tv)).astype(np.float32)
    hid_t = np.zeros(shape, bool)
    cert_t = np.zeros(shape, bool)
    hid_t[:-1, :-1], cert_t[:-1, :-1] = hidden[0], certified[0]
    values = {name: padded(v, np.inf) for name, v in cubes.items()}
    rooms = {n: padded(r, np.inf) for n, (_, r) in moves.items() if r is not None}
    hid = {n: np.zeros(v.shape, bool) for n, v in values.items()}
    cert = {n: np.zeros(v.shape, bool) for n, v in values.items()}
    for name in values:
        hid[name][:-1, :-1], cert[name][:-1, :-1] = hidden[1][name], certified[1][name]
    failed = []
    targets = targets[np.lexsort((targets[:, 1], targets[:, 0]))]
    for start in range(0, len(targets), BATCH):
        batch = targets[start : start + BATCH]
        batch = batch[~cert_t[batch[:, 0], batch[:, 1]]]
        if not len(batch):
            continue
        g, t = batch[:, 0], batch[:, 1]
        ag, bg = geo.a[g][:, :, None], np.where(geo.b[g] < 0, geo.pad, geo.b[g])[:, :, None]
        at, bt = when.a[t][:, None, :], np.where(when.b[t] < 0, when.pad, when.b[t])[:, None, :]
        down = np.minimum(tv[ag, at], tv[bg, bt])
        up = np.minimum(tv[ag, bt], tv[bg, at])
        cost = path_cost(np.where(hid_t, np.float32(0), weight)[..., None], geo, when, g, t)
        single, mixed, moved = _moves(values, rooms, moves, (ag, bg, at, bt), (down, up))
        valid = geo.valid[g][:, :, None] & when.valid[t][:, None, :]
        touching = np.zeros(valid.shape, bool)
        if touch is not None:
            touching = touch[0][g][:, :, None] & touch[1][t][:, None, :]
        if coupling is not None:
            lo, hi = single[:2]
            wanted = valid & np.isfinite(hi) & (np.floor(lo) + np.floor(hi) >= threshold)
            single = (*coupling.bounds(g, t, single[2], single[:2], wanted), single[2])
        options = []
        for way, ((lo, hi), cells) in enumerate(((single[:2], len(values)), (mixed[:2], moved))):
            wide = np.isfinite(hi) & (np.floor(lo) + np.floor(hi) >= threshold)
            allowed = valid & ~touching if (way or coupling is None) else valid
            options.append(np.where(allowed & wide, cost[..., 0] * (1 + cells), np.inf))
        choice = np.stack(options, axis=-1).reshape(len(g), -1)
        flat = choice.argmin(axis=1)
        ok = np.isfinite(choice[np.arange(len(g)), flat])
        failed.append(batch[~ok])
        kg, kt, mode = np.unravel_index(flat[ok], (*down.shape[1:], 2))
        nodes_g = geo.nodes[g[ok], kg][:, :, None]
        nodes_t = when.nodes[t[ok], kt][:, None, :]
        hid_t[nodes_g, nodes_t] = cert_t[nodes_g, nodes_t] = True
        if coupling is not None:
            way = mode == 0
            chosen = {n: single[2][n][ok, kg, kt][way] for n in values}
            coupling.apply(g[ok][way], t[ok][way], kg[way], kt[way], chosen)
        for name in values:
            cats = np.zeros((len(kg), values[name].shape[2]), bool)
            cats[np.arange(len(kg)), single[2][name][ok, kg, kt]] = True
            whole = np.ones(len(kg), bool)  # a cell moved by all of d is certified
            share = mixed[2].get(name)
            if share is not None:
                cats[mode == 1] = share[ok, kg, kt][mode == 1]
                whole = mode == 0  # moved by a share of d: withheld, certified by a box of its own
            for c in range(cats.shape[1]):
                sel = cats[:, c]
                hid[name][nodes_g[sel], nodes_t[sel], c] = True
                sel = sel & whole
                cert[name][nodes_g[sel], nodes_t[sel], c] = True
    hidden[0][:], certified[0][:] = hid_t[:-1, :-1], cert_t[:-1, :-1]
    for name in values:
        hidden[1][name][:], certified[1][name][:] = hid[name][:-1, :-1], cert[name][:-1, :-1]
    return np.concatenate(failed) if failed else np.zeros((0, 2), np.int64)


def _moves(values, rooms, moves, corners, bounds):
    """How a record-total box moves each cube, two ways. Single: the one category allowing the
    widest move ("not mentioned" for a mentions cube). Mixed (single-valued and rank cubes): all
    categories in proportion to their counts at the corners that fall, so that as many records
    as those corners hold can move in (a tiny service point moved against a sibling: no one
    category of the sibling may hold enough); a fractional move is a point of the attacker's
    linear programme as any other, so its width counts whole records (floors) only. It
    certifies the record totals it moves; each category cell moves by its share of d only, so
    those are withheld and left to boxes of their own.
    Returns ((down, up, picks), (down, up, shares), categories moved by the mixed way)."""
    ag, bg, at, bt = corners
    down_s, up_s = bounds
    down_m, up_m = bounds
    moved = np.zeros(down_s.shape)
    picks, shares = {}, {}
    for name, v in values.items():
        plus = np.minimum(v[ag, at], v[bg, bt])
        minus = np.minimum(v[ag, bt], v[bg, at])
        mentions, room = moves[name]
        if name in rooms:  # respondents stay above every option's mentions
            r = rooms[name]
            plus[..., 0] = np.minimum(plus[..., 0], np.minimum(r[ag, at], r[bg, bt]))
            minus[..., 0] = np.minimum(minus[..., 0], np.minimum(r[ag, bt], r[bg, at]))
        score = np.minimum(plus, 1e9) + np.minimum(minus, 1e9)
        if mentions:
            score[..., 0] = -1
        pick = score.argmax(axis=3)[..., None]
        one_plus = np.take_along_axis(plus, pick, 3)[..., 0]
        one_minus = np.take_along_axis(minus, pick, 3)[..., 0]
        down_s, up_s = np.minimum(down_s, one_plus), np.minimum(up_s, one_minus)
        picks[name] = pick[..., 0]
        if mentions or room is not None:
            down_m, up_m = np.minimum(down_m, one_plus), np.minimum(up_m, one_minus)
            moved += 1
            continue
        share = minus > 0  # inf where no corner falls: then the mixed way is not offered
        total = np.where(share, minus, 0).sum(axis=3)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(share, plus / np.where(share, minus, 1), np.inf).min(axis=3)
            lowest = np.where(np.isfinite(total), ratio * total, 0)
        down_m, up_m = np.minimum(down_m, lowest), np.minimum(up_m, total)
        moved += share.sum(axis=3)
        shares[name] = share
    return (down_s, up_s, picks), (down_m, up_m, shares), moved


class Coupling:
    """The pairs a record-total box moves along where it changes their nodes: each pair's cell
    at the crossing of the categories its two questions move (as ``pairs.coupled``), withheld
    and certified with the box. ``hidden`` and ``certified`` (the pairs' masks) are updated in
    place."""

    def __init__(self, pairs: dict, hidden: dict, certified: dict, geo: Sides, when: Sides):
        pair = next(iter(pairs.values()))
        self.pairs = [(name, p.first, p.second) for name, p in pairs.items()]
        self.values = {name: padded(p.values, np.inf) for name, p in pairs.items()}
        self.hidden, self.certified = hidden, certified
        self.geo = self._project(geo, pair.geo_of, pair.values.shape[0])
        self.when = self._project(when, pair.time_of, pair.values.shape[1])

    @staticmethod
    def _project(sides: Sides, mapping: dict[int, int], size: int):
        """Per side: the pair nodes it changes (padded with ``size``) and their signs."""
        index = np.full(sides.pad + 1, size)
        index[list(mapping)] = list(mapping.values())
        mapped = index[sides.nodes]
        keep = mapped < size
        width = max(int(keep.sum(axis=2).max()), 1)
        order = np.argsort(~keep, axis=2, kind="stable")[:, :, :width]
        signs = np.take_along_axis(np.where(keep, sides.signs, 0), order, 2)
        nodes = np.where(signs != 0, np.take_along_axis(mapped, order, 2), size)
        return nodes, signs

    def bounds(self, g, t, picks, bounds, wanted):
        """(down, up) of the single way narrowed by the pair cells it moves, for the boxes
        ``wanted`` (N, Kg, Kt): the others are not wide enough before pairs narrow them, or
        change no pair node (pair cells only narrow a box where it changes one)."""
        down, up = (b.copy() for b in bounds)
        touching = (self.geo[1][g] != 0).any(axis=2)[:, :, None]
        touching = touching & (self.when[1][t] != 0).any(axis=2)[:, None, :]
        n, kg, kt = np.nonzero(wanted & touching)
        if not len(n):
            return down, up
        pg, pt = self.geo[0][g[n], kg][:, :, None], self.when[0][t[n], kt][:, None, :]
        sign = self.geo[1][g[n], kg][:, :, None] * self.when[1][t[n], kt][:, None, :]
        lo, hi = down[n, kg, kt], up[n, kg, kt]
        for name, first, second in self.pairs:
            a, b = picks[first][n, kg, kt][:, None, None], picks[second][n, kg, kt][:, None, None]
            v = self.values[name][pg, pt, a, b]  # (boxes, geo nodes, time nodes)
            lo = np.minimum(lo, np.where(sign > 0, v, np.inf).min(axis=(1, 2)))
            hi = np.minimum(hi, np.where(sign < 0, v, np.inf).min(axis=(1, 2)))
        down[n, kg, kt], up[n, kg, kt] = lo, hi
        return down, up

    def apply(self, g, t, kg, kt, chosen: dict[str, np.ndarray]) -> None:
        """Withhold and certify the pair cells of the chosen boxes (``chosen``: each cube's
        moved category per box)."""
        pg = self.geo[0][g, kg][:, :, None]
        pt = self.when[0][t, kt][:, None, :]
        for name, first, second in self.pairs:
            hidden, certified = self.hidden[name], self.certified[name]
            c1, c2 = chosen[first][:, None, None], chosen[second][:, None, None]
            gi, ti, a, b = np.broadcast_arrays(pg, pt, c1, c2)
            inside = (gi < hidden.shape[0]) & (ti < hidden.shape[1])
            cells = (gi[inside], ti[inside], a[inside], b[inside])
            hidden[cells] = True
            certified[cells] = True
