"""The attacker's linear algebra: the equations linking published and hidden numbers of one or
more tables, and which hidden numbers they determine exactly.

Non-negativity is not used here (see `results.suppression.intervals`).
"""

import numpy as np

# A hidden number counts as recovered when the unit vector of its unknown lies in the row space
# of the published equations; its squared projection on that space is then 1. In one table that
# projection is the effective resistance of the number's edge in the graph of hidden numbers
# (`results.suppression.graph`), at most 1 - 1/L when the edge lies on a cycle of L hidden
# numbers: for tables of a few hundred rows and columns the two cases are far apart.
RECOVERED = 1 - 1e-6
RANK_TOLERANCE = 1e-10


class System:
    """The published equations over the hidden numbers of one or more extended tables.

    Per table: each row's cells sum to its row total, each column's cells to its column total,
    the column totals to the grand total; per set of row totals (one set shared by all tables
    when linked), the row totals sum to the grand total. Unknowns are keyed (table, i, j) in
    extended coordinates; a shared row total or grand total is keyed (-1, i, -1).
    """

    def __init__(self, masks: list[np.ndarray], linked: bool, values=None):
        self.index: dict[tuple[int, int, int], int] = {}
        self.keys: list[tuple[int, int, int]] = []
        eqs: list[np.ndarray] = []
        vars_: list[np.ndarray] = []
        coefs: list[np.ndarray] = []
        known: list[np.ndarray] = []  # known numbers moved to the right-hand side, per equation
        self.m = 0

        def unknowns(table: int, ii: np.ndarray, jj: np.ndarray) -> np.ndarray:
            start = len(self.keys)
            for key in zip([table] * len(ii), ii.tolist(), jj.tolist(), strict=True):
                self.index[key] = len(self.keys)
                self.keys.append(key)
            return np.arange(start, len(self.keys))

        def add(eq, var, coef) -> None:
            var = np.asarray(var, np.int64).reshape(-1)
            vars_.append(var)
            eqs.append(np.broadcast_to(np.asarray(eq, np.int64), var.shape).copy())
            coefs.append(np.broadcast_to(np.asarray(coef, float), var.shape).copy())

        def margin_group(table: int, col: int, hidden: np.ndarray, value) -> np.ndarray:
            """Unknown ids (or -1) of the row totals and grand total; adds their equation."""
            ids = np.full(len(hidden), -1)
            where = np.nonzero(hidden)[0]
            ids[where] = unknowns(table, where, np.full(len(where), col))
            equation = self.m
            self.m += 1
            rows = ids[:-1] >= 0
            add(equation, ids[:-1][rows], 1.0)
            if ids[-1] >= 0:
                add(equation, ids[-1], -1.0)
            if value is not None:
                v = np.where(hidden, 0, value)
                known.append(np.array([[equation, v[:-1].sum() - v[-1]]]))
            return ids

        shared = None
        if linked:
            sizes = {mask.shape[0] for mask in masks}
            if len(sizes) > 1:
                raise ValueError("linked tables must have the same number of rows")
            hidden = np.logical_and.reduce([mask[:, -1] for mask in masks])
            value = None if values is None else shared_values(masks, values)
            shared = margin_group(-1, -1, hidden, value)
        for t, mask in enumerate(masks):
            r, c = mask.shape[0] - 1, mask.shape[1] - 1
            vals = None if values is None else values[t]
            margins = shared
            if margins is None:
                vals_c = None if vals is None else vals[:, -1]
                margins = margin_group(t, c, mask[:, -1], vals_c)
            base = self.m
            self.m += r + c + 1
            ii, jj = np.nonzero(mask[:-1, :-1])
            ids = unknowns(t, ii, jj)
            add(base + ii, ids, 1.0)
            add(base + r + jj, ids, 1.0)
            (jj,) = np.nonzero(mask[-1, :-1])
            ids = unknowns(t, np.full(len(jj), r), jj)
            add(base + r + jj, ids, -1.0)
            add(np.full(len(jj), base + r + c), ids, 1.0)
            (ii,) = np.nonzero(margins[:-1] >= 0)
            add(base + ii, margins[ii], -1.0)
            if margins[-1] >= 0:
                add(base + r + c, margins[-1], -1.0)
            if vals is not None:
                v = np.where(mask, 0, vals)
                if shared is not None:  # linked: the shared totals' values come from their group
                    v[:, -1] = np.where(shared >= 0, 0, shared_values(masks, values))
                rhs = np.concatenate(
                    [v[:-1, :-1].sum(1) - v[:-1, -1], v[:-1, :-1].sum(0) - v[-1, :-1]]
                )
                rhs = np.append(rhs, v[-1, :-1].sum() - v[-1, -1])
                known.append(np.column_stack([np.arange(base, self.m), rhs]))
        self.n = len(self.keys)
        self.eq = np.concatenate(eqs) if eqs else np.zeros(0, np.int64)
        self.var = np.concatenate(vars_) if vars_ else np.zeros(0, np.int64)
        self.coef = np.concatenate(coefs) if coefs else np.zeros(0)
        if values is not None:
            # sum(hidden) + sum(known) = 0 for each equation, written as A x = -known.
            self.rhs = np.zeros(self.m)
            for block in known:
                self.rhs[block[:, 0].astype(np.int64)] -= block[:, 1]

    def recovered(self) -> np.ndarray:
        """Mask over unknowns: uniquely determined by the equations.

        Unknown k is determined iff e_k lies in the row space of A, i.e. iff a_k' (A A')^+ a_k
        = 1 for its column a_k. A A' is small (equations x equations), block-diagonal over the
        connected groups of equations, and each a_k has a few non-zeros: so this costs a small
        symmetric eigendecomposition per group, not an SVD of A.
        """
        if self.n == 0:
            return np.zeros(0, bool)
        used, eq = np.unique(self.eq, return_inverse=True)
        m = len(used)
        order = np.argsort(self.var, kind="stable")
        var, eq, coef = self.var[order], eq.reshape(-1)[order], self.coef[order]
        per_var = np.bincount(var, minlength=self.n)
        slot = np.arange(len(var)) - np.repeat(np.cumsum(per_var) - per_var, per_var)
        width = int(per_var.max())
        eqs = np.zeros((self.n, width), np.int64)
        cfs = np.zeros((self.n, width))
        eqs[var, slot] = eq
        cfs[var, slot] = coef
        padding = np.arange(width)[None, :] >= per_var[:, None]
        eqs[padding] = np.broadcast_to(eqs[:, :1], eqs.shape)[padding]
        pair = cfs[:, :, None] * cfs[:, None, :]
        where = eqs[:, :, None] * m + eqs[:, None, :]
        gram = np.bincount(where.ravel(), weights=pair.ravel(), minlength=m * m).reshape(m, m)
        inverse = np.zeros((m, m))
        group = groups(eqs, m)
        for label in np.unique(group):
            (members,) = np.nonzero(group == label)
            block = np.ix_(members, members)
            lam, vec = np.linalg.eigh(gram[block])
            keep = lam > max(lam.max(), 0.0) * RANK_TOLERANCE
            inverse[block] = (vec[:, keep] / lam[keep]) @ vec[:, keep].T
        projection = (pair * inverse[eqs[:, :, None], eqs[:, None, :]]).sum(axis=(1, 2))
        return projection > RECOVERED


def groups(eqs: np.ndarray, m: int) -> np.ndarray:
    """Connected groups of equations (equations sharing an unknown), as the smallest member."""
    label = np.arange(m)
    while True:
        low = label[eqs].min(axis=1)
        new = label.copy()
        np.minimum.at(new, eqs, np.broadcast_to(low[:, None], eqs.shape))
        new = new[new]
        if np.array_equal(new, label):
            return label
        label = new


def recovered_keys(masks: list[np.ndarray], *, linked: bool) -> list[tuple[int, int, int]]:
    """Keys (see `System`) of the hidden numbers that the published equations determine."""
    system = System(masks, linked)
    return [system.keys[k] for k in np.nonzero(system.recovered())[0]]


def shared_values(masks: list[np.ndarray], values: list[np.ndarray]) -> np.ndarray:
    """The row totals and grand total as published by any of the linked tables."""
    out = np.zeros(masks[0].shape[0], np.int64)
    seen = np.zeros(masks[0].shape[0], bool)
    for mask, vals in zip(masks, values, strict=True):
        shown = ~mask[:, -1]
        clash = shown & seen & (out != vals[:, -1])
        if clash.any():
            raise ValueError("linked tables publish different row totals")
        out[shown] = vals[shown, -1]
        seen |= shown
    return out
