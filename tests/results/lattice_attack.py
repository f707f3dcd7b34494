"""The interval attack on a whole release, as an analyst with every download could run it.

Independent of how the lattice was protected: the truth is recounted here from the frozen
records, the attacker's unknowns are the counts of every (service point, month, answer) and every
cell of each published pair at its finest level, tied together as the tables tie them (each
question's answers add up to the records of the place and month; a pair's rows and columns to
both questions' cells at the node; a multi-select option's mentions never exceed the
respondents), and every number the lattice
publishes - every table, every filter, every level, margins and zeros - is an equation. Each
withheld cell is then minimised and maximised with linear programming (scipy HiGHS, as
``results.suppression.intervals``): its feasible interval must be at least the threshold wide.
Mean ranks (a ratio, not a count) are not part of the attack.
"""

from collections import defaultdict

import numpy as np
from scipy.sparse import coo_matrix

from privacy.models import ReleasedRecord
from results.lattice.store import cube, cube_names
from results.lattice.trees import Tree
from results.models import Lattice


def published_questions(lattice: Lattice) -> list[str]:
    """Questions (not record totals) with at least one cell published at some level: an attack
    on a release that publishes none of them proves nothing."""
    return [
        table["table"]
        for table in lattice.report["tables"]
        if not table["withheld_entirely"]
        and any(lv["cells"] > lv["primary"] + lv["secondary"] for lv in table["levels"])
    ]


def published_cells(lattice: Lattice, geography: str, time: str) -> int:
    """Non-zero question cells (not record totals, not pairs) published at one level of place
    and period: what an analyst can read there."""
    geo = np.array([lv == geography for lv in lattice.geography["levels"]])
    when = np.array([lv == time for lv in lattice.time["levels"]])
    found = 0
    for name in cube_names(lattice):
        cells, _, kind, _ = cube(lattice, name)
        if kind not in ("pair", "records"):
            found += int((cells[np.ix_(geo, when)][:, :, :-1] > 0).sum())
    return found


class Attack:
    def __init__(self, lattice: Lattice) -> None:
        self.lattice = lattice
        self.geo = Tree.from_dict(lattice.geography)
        self.when = Tree.from_dict(lattice.time)
        self.points = {n: i for i, n in enumerate(self.geo.leaves())}
        self.months = {n: i for i, n in enumerate(self.when.leaves())}
        self.under_geo = [self._under(self.geo, n, self.points) for n in range(len(self.geo.keys))]
        self.under_time = [
            self._under(self.when, n, self.months) for n in range(len(self.when.keys))
        ]
        self.n = 0
        self.var: dict = {}
        self.rows: list[tuple[dict[int, float], float, str]] = []  # (coefs, rhs, "eq"/"le")
        self.hidden: list[tuple[str, dict[int, float]]] = []
        self.truth: dict[int, int] = defaultdict(int)
        self.pair_finest: dict[str, list[tuple[int, int]]] = {}

    @staticmethod
    def _under(tree: Tree, node: int, leaves: dict[int, int]) -> list[int]:
        found = []
        for leaf in leaves:
            up = leaf
            while up >= 0 and up != node:
                up = tree.parent[up]
            if up == node:
                found.append(leaves[leaf])
        return found

    def v(self, *key) -> int:
        if key not in self.var:
            self.var[key] = self.n
            self.n += 1
        return self.var[key]

    def leaves_of(self, g: int, t: int):
        return [(p, m) for p in self.under_geo[g] for m in self.under_time[t]]

    def build(self) -> "Attack":
        names = cube_names(self.lattice)
        cubes = {n: cube(self.lattice, n) for n in names}
        singles = {n: c for n, c in cubes.items() if c[2] != "pair" and n != "_records"}
        P, M = len(self.points), len(self.months)
        for name, (_, cats, kind, _) in singles.items():
            for p in range(P):
                for m in range(M):
                    coefs = {self.v(name, p, m, c): 1.0 for c in range(len(cats) - 1)}
                    coefs[self.v("_records", p, m)] = -1.0
                    self.rows.append((coefs, 0.0, "eq"))
            if kind == "mentions":
                key = name.split("=", 1)[0]
                for p in range(P):
                    for m in range(M):
                        coefs = {self.v(name, p, m, 0): 1.0, self.v(key, p, m, 0): -1.0}
                        self.rows.append((coefs, 0.0, "le"))
        for name, (cells, layout, kind, _) in cubes.items():
            if kind == "pair":
                self._pair(name, cells, layout, singles)
            else:
                self._cube(name, cells)
        self._truth(singles, cubes)
        return self

    def _sum(self, name: str, g: int, t: int, c: int | None) -> dict[int, float]:
        if c is None:
            return {self.v("_records", p, m): 1.0 for p, m in self.leaves_of(g, t)}
        return {self.v(name, p, m, c): 1.0 for p, m in self.leaves_of(g, t)}

    def _cube(self, name: str, cells: np.ndarray) -> None:
        total = cells.shape[2] - 1
        for g, t, c in np.ndindex(cells.shape):
            category = None if c == total or name == "_records" else c
            coefs = self._sum(name, g, t, category)
            self._publish(f"{name}[{g},{t},{c}]", coefs, int(cells[g, t, c]))

    def _pair(self, name: str, cells, layout, singles) -> None:
        """A pair's unknowns are its cells at the finest pair level (as tau-ARGUS models a
        published table: its cells and their additivity); coarser pair nodes are their sums,
        and each pair node's margins are the two questions' cells at that node."""
        first, second = name.split("|")
        rows, columns = len(layout["rows"]), len(layout["columns"])
        geo = [g for g in layout["geography"] if not self._finer(self.geo, g, layout["geography"])]
        when = [t for t in layout["time"] if not self._finer(self.when, t, layout["time"])]
        finest = [(g, t) for g in geo for t in when]

        def inside(g, t):
            return [
                (g2, t2)
                for g2, t2 in finest
                if set(self.under_geo[g2]) <= set(self.under_geo[g])
                and set(self.under_time[t2]) <= set(self.under_time[t])
            ]

        for i, g in enumerate(layout["geography"]):
            for j, t in enumerate(layout["time"]):
                parts = inside(g, t)
                for a in range(rows):
                    coefs = {self.v(name, *n, a, b): 1.0 for n in parts for b in range(columns)}
                    for key, coef in self._sum(first, g, t, a).items():
                        coefs[key] = -coef
                    self.rows.append((coefs, 0.0, "eq"))
                for b in range(columns):
                    coefs = {self.v(name, *n, a, b): 1.0 for n in parts for a in range(rows)}
                    for key, coef in self._sum(second, g, t, b).items():
                        coefs[key] = -coef
                    self.rows.append((coefs, 0.0, "eq"))
                for a in range(rows):
                    for b in range(columns):
                        coefs = {self.v(name, *n, a, b): 1.0 for n in parts}
                        self._publish(f"{name}[{g},{t},{a},{b}]", coefs, int(cells[i, j, a, b]))
        self.pair_finest[name] = finest

    def _finer(self, tree: Tree, node: int, kept: list[int]) -> bool:
        """Whether another kept node lies strictly under ``node`` (then it is not finest)."""
        for other in kept:
            up = tree.parent[other]
            while up >= 0:
                if up == node:
                    return True
                up = tree.parent[up]
        return False

    def _publish(self, label: str, coefs: dict[int, float], value: int) -> None:
        if value >= 0:
            self.rows.append((coefs, float(value), "eq"))
        else:
            self.hidden.append((label, coefs))

    def _truth(self, singles, cubes) -> None:
        """Recount every unknown from the frozen records (not from the lattice's own code)."""
        point_of = {}
        for key, i in self.points.items():
            value = self.geo.keys[key].split(":", 1)[1]
            point_of[None if value == "?" else int(value)] = i
        month_of = {self.when.labels[k]: i for k, i in self.months.items()}
        records = ReleasedRecord.objects.filter(release=self.lattice.release_id)
        for point, month, data in records.values_list("service_point_id", "month", "data"):
            p, m = point_of[point], month_of[month]
            self.truth[self.v("_records", p, m)] += 1
            codes = {}
            for name, (_, cats, kind, _) in singles.items():
                key, _, option = name.partition("=")
                value = data.get(key)
                if kind == "mentions":
                    c = 0 if option in (value or []) else 1
                elif kind == "respondents":
                    c = 0 if value else 1
                elif kind == "rank":
                    c = cats.index(str(value[0]) if value else "")
                else:
                    c = cats.index("" if value in (None, "") else str(value))
                codes[name] = c
                self.truth[self.v(name, p, m, c)] += 1
            for name, (_, _, kind, _) in cubes.items():
                if kind == "pair":
                    first, second = name.split("|")
                    node = next(
                        n
                        for n in self.pair_finest[name]
                        if p in self.under_geo[n[0]] and m in self.under_time[n[1]]
                    )
                    self.truth[self.v(name, *node, codes[first], codes[second])] += 1

    def check_published(self, threshold: int) -> list[str]:
        """Published numbers that are wrong, or small and non-zero (should be none)."""
        x = np.zeros(self.n)
        for i, value in self.truth.items():
            x[i] = value
        wrong = []
        for coefs, rhs, kind in self.rows:
            got = sum(x[i] * c for i, c in coefs.items())
            if kind == "eq" and abs(got - rhs) > 1e-9:
                wrong.append(f"{coefs} = {rhs}, truth {got}")
            elif kind == "le" and got > rhs + 1e-9:
                wrong.append(f"{coefs} <= {rhs}, truth {got}")
        return wrong

    def narrowed(self, threshold: int) -> list[tuple[str, float, float]]:
        """Withheld cells whose feasible interval is narrower than ``threshold``: each cell
        minimised and maximised over one model (HiGHS, warm-started from the last basis)."""
        solver = Solver(self.rows, self.n)
        seen, found = set(), []
        for label, coefs in self.hidden:
            key = tuple(sorted(coefs))
            if key in seen:
                continue
            seen.add(key)
            lo, hi = solver.interval(coefs)
            if hi - lo < threshold:
                found.append((label, lo, hi))
        return found


class Solver:
    """One LP (every published equation, counts >= 0), objectives swapped per cell."""

    def __init__(self, rows, n: int) -> None:
        from scipy.optimize._highspy import _core  # scipy's bundled HiGHS (no extra package)

        self.core, self.n = _core, n
        matrix, lower, upper = _rows(rows, n)
        highs = _core._Highs()
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("presolve", "off")
        highs.setOptionValue("solver", "simplex")
        lp = _core.HighsLp()
        lp.num_col_, lp.num_row_ = n, matrix.shape[0]
        lp.col_cost_ = np.zeros(n)
        lp.col_lower_ = np.zeros(n)
        lp.col_upper_ = np.full(n, highs.getInfinity())
        lp.row_lower_ = np.where(np.isinf(lower), -highs.getInfinity(), lower)
        lp.row_upper_ = upper
        csc = matrix.tocsc()
        lp.a_matrix_.format_ = _core.MatrixFormat.kColwise
        lp.a_matrix_.start_ = csc.indptr
        lp.a_matrix_.index_ = csc.indices
        lp.a_matrix_.value_ = csc.data
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, matrix.shape[0]
        highs.passModel(lp)
        self.highs, self.cost = highs, []

    def _solve(self, coefs: dict[int, float], sense) -> float:
        highs = self.highs
        if self.cost:
            highs.changeColsCost(len(self.cost), np.array(self.cost), np.zeros(len(self.cost)))
        self.cost = list(coefs)
        highs.changeColsCost(len(coefs), np.array(self.cost), np.array(list(coefs.values())))
        highs.changeObjectiveSense(sense)
        highs.run()
        status = highs.getModelStatus()
        if status == self.core.HighsModelStatus.kUnbounded:
            return np.inf
        assert status == self.core.HighsModelStatus.kOptimal, highs.modelStatusToString(status)
        return highs.getInfo().objective_function_value

    def interval(self, coefs: dict[int, float]) -> tuple[float, float]:
        sense = self.core.ObjSense
        lo = self._solve(coefs, sense.kMinimize)
        hi = self._solve(coefs, sense.kMaximize)
        return float(np.ceil(lo - 1e-6)), float(np.floor(hi + 1e-6))


def _rows(rows, n):
    """The equations (lower = upper) and the inequalities (lower = -inf) as one matrix."""
    data, r, c, lower, upper = [], [], [], [], []
    for i, (coefs, value, kind) in enumerate(rows):
        for j, coef in coefs.items():
            r.append(i)
            c.append(j)
            data.append(coef)
        lower.append(value if kind == "eq" else -np.inf)
        upper.append(value)
    matrix = coo_matrix((data, (r, c)), shape=(len(rows), n)).tocsr()
    return matrix, np.array(lower), np.array(upper)
