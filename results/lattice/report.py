"""The utility report: what protection cost, per table and level, for the DPO (release page:
primary and secondary) and analysts (the API and the "About suppression" sheet: withheld cells
only, ``for_analysts``). It counts cells, never says which ones are small: the masks
themselves are not published."""

import numpy as np

from results.lattice.protect import Protection
from results.lattice.trees import Tree


def _levels(tree: Tree) -> dict[str, np.ndarray]:
    levels = np.array(tree.levels)
    return {level: np.nonzero(levels == level)[0] for level in dict.fromkeys(tree.levels)}


def utility_report(result: Protection, work, geo: Tree, when: Tree) -> dict:
    """{"tables": [{"table", "kind", "withheld_entirely", "levels": [{"geography", "time",
    "cells", "primary", "secondary"}]}], "records": {...}, "nothing_published": bool}."""
    geo_levels, time_levels = _levels(geo), _levels(when)

    def by_level(hidden: np.ndarray, primary: np.ndarray) -> list[dict]:
        rows = []
        for gl, g in geo_levels.items():
            for tl, t in time_levels.items():
                block = np.ix_(g, t)
                h, p = hidden[block], primary[block]
                rows.append(
                    {
                        "geography": gl,
                        "time": tl,
                        "cells": int(h.size),
                        "primary": int(p.sum()),
                        "secondary": int((h & ~p).sum()),
                    }
                )
        return rows

    tables = [
        {
            "table": name,
            "kind": kind,
            "withheld_entirely": name in result.dropped,
            "levels": by_level(result.hidden[name], result.primary[name]),
        }
        for name, kind in work.kinds.items()
    ]
    for name, pair in work.pairs.items():
        g_levels = {geo.levels[full] for full in pair.geo_of}
        t_levels = {when.levels[full] for full in pair.time_of}
        rows = []
        for gl in sorted(g_levels):
            for tl in sorted(t_levels):
                g = [i for full, i in pair.geo_of.items() if geo.levels[full] == gl]
                t = [i for full, i in pair.time_of.items() if when.levels[full] == tl]
                h, p = result.hidden[name][np.ix_(g, t)], result.primary[name][np.ix_(g, t)]
                rows.append(
                    {
                        "geography": gl,
                        "time": tl,
                        "cells": int(h.size),
                        "primary": int(p.sum()),
                        "secondary": int((h & ~p).sum()),
                    }
                )
        tables.append(
            {
                "table": name.replace("|", " by "),
                "kind": "pair",
                "withheld_entirely": name in result.dropped,
                "levels": rows,
            }
        )
    return {
        "nothing_published": result.nothing,
        "coarsened": result.coarsened,
        "records": by_level(result.total_hidden, result.total_primary),
        "tables": tables,
    }


def for_analysts(report: dict | None) -> dict | None:
    """The report as analysts may see it: cells withheld per table and level, not split into
    primary and secondary. The split says how many withheld cells are below the threshold: with
    two withheld cells summing to 5 and "primary: 2", both lie in 1-4, fewer possible values
    than the threshold promises. The DPO's release page keeps the split."""
    if report is None:
        return None

    def levels(rows: list[dict]) -> list[dict]:
        return [
            {
                "geography": row["geography"],
                "time": row["time"],
                "cells": row["cells"],
                "withheld": row["primary"] + row["secondary"],
            }
            for row in rows
        ]

    return {
        "nothing_published": report.get("nothing_published", False),
        "coarsened": report.get("coarsened", {}),
        "records": levels(report.get("records", [])),
        "tables": [
            {**table, "levels": levels(table["levels"])} for table in report.get("tables", [])
        ],
    }


def summary(report: dict) -> list[list]:
    """Rows for the analysts' sheet: table, geography level, time level, cells, withheld."""
    shown = for_analysts(report) or {}
    rows: list[list] = [["Table", "Geography", "Time", "Cells", "Withheld"]]
    records = {"table": "Records (totals)", "levels": shown.get("records", [])}
    for table in [records, *shown.get("tables", [])]:
        for level in table["levels"]:
            rows.append(
                [
                    table["table"],
                    level["geography"],
                    level["time"],
                    level["cells"],
                    level["withheld"],
                ]
            )
    return rows
