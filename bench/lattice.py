"""The protected table lattice of a 1,000,000-record release on PostgreSQL (issue 13): computed
at approval in <= 60 s with peak RSS < 1 GB, and any published table answered in <= 200 ms.

10 single-choice questions with skewed answers, 600 service points under 40 National
Societies (one country each) in 5 networks, 24 visit months. The frozen records are written
with SQL (generate_series), as bench/results.py does: this measures the lattice alone. Run on
a shared machine: the load average is reported with the figures.
"""

import os
import resource
import time
import uuid

N = int(os.environ.get("WAYPOINT_BENCH_RECORDS", 1_000_000))
QUESTIONS = 10
CHOICES = ["a", "b", "c", "d", "e", "f", "g"]


def _form(project):
    from forms.services import form_upload
    from tests.xlsform import xlsx

    survey = [["type", "name", "label::English (en)", "privacy"]]
    survey += [["select_one opts", f"q{i}", f"Question {i}", "keep"] for i in range(QUESTIONS)]
    choices = [["list_name", "name", "label::English (en)"]]
    choices += [["opts", c, c.upper()] for c in CHOICES]
    data = xlsx(
        {"survey": survey, "choices": choices, "settings": [["form_id"], ["lattice_bench"]]}
    )
    return form_upload(project=project, filename="l.xlsx", data=data).version


def _seed(version, release) -> None:
    """1M frozen records: skewed answers (squared uniform: 'a' common, 'g' rare), service
    points by a skewed weight so that some see a handful of visits a month."""
    from django.db import connection

    answers = ", ".join(
        f"'q{i}', (array{CHOICES!r})[1 + floor(power(random(), 2) * {len(CHOICES)})::int]"
        for i in range(QUESTIONS)
    )
    from accounts.models import ServicePoint

    points = ServicePoint.objects.filter(project=version.form.project).order_by("pk")
    first = points.first().pk
    assert points.last().pk == first + 599  # bulk-created: consecutive ids
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.13)")
        cursor.execute(
            f"""
            INSERT INTO privacy_releasedrecord (release_id, record_id, version_id,
                service_point_id, month, data, suppressed)
            SELECT %s, gen_random_uuid(), %s,
                %s + floor(power(random(), 1.5) * 600)::int,
                to_char(date '2025-01-01' + (floor(random() * 24)::int || ' month')::interval,
                        'YYYY-MM'),
                jsonb_build_object({answers}), '[]'::jsonb
            FROM generate_series(1, %s) g
            """,  # noqa: S608 - constants only
            [release.pk, version.pk, first, N],
        )


def utility(lattice) -> dict:
    """What the release publishes, from the stored lattice as analysts read it: the share of
    cells published per (geography level, time level) over the questions' tables (categories
    and totals), and the share of records whose table of a question is published whole (every
    cell and the total) at their country and at all places, per time level, averaged over the
    questions."""
    import numpy as np

    from results.lattice.store import cube, cube_names

    geo, when = lattice.geography["levels"], lattice.time["levels"]
    g_levels = {
        lv: np.array([i for i, x in enumerate(geo) if x == lv]) for lv in dict.fromkeys(geo)
    }
    t_levels = {
        lv: np.array([i for i, x in enumerate(when) if x == lv]) for lv in dict.fromkeys(when)
    }
    tables = [n for n in cube_names(lattice) if cube(lattice, n)[2] not in ("pair", "records")]
    cells = {}
    for gl, g in g_levels.items():
        for tl, t in t_levels.items():
            shown = sum((cube(lattice, n)[0][np.ix_(g, t)] >= 0).mean() for n in tables)
            cells[f"{gl}/{tl}"] = round(float(shown / max(len(tables), 1)), 3)
    truth = _true_records(lattice)
    whole = {}
    for gl in ("country", "all"):
        for tl, t in t_levels.items():
            block = np.ix_(g_levels[gl], t)
            share = [
                ((cube(lattice, n)[0][block] >= 0).all(axis=2) * truth[block]).sum()
                / max(truth[block].sum(), 1)
                for n in tables
            ]
            whole[f"{gl}/{tl}"] = round(float(np.mean(share)) if share else 0.0, 3)
    pairs = [cube(lattice, n)[0] for n in cube_names(lattice) if cube(lattice, n)[2] == "pair"]
    return {
        "nothing_published": lattice.report.get("nothing_published", False),
        "cells_published_share": cells,
        "records_with_whole_table_share": whole,
        "pair_cells_published_share": round(float(np.mean([(p >= 0).mean() for p in pairs])), 3)
        if pairs
        else None,
    }


def _true_records(lattice):
    """Records per (geography node, time node), recounted from the frozen records."""
    import numpy as np
    from django.db.models import Count

    from privacy.models import ReleasedRecord

    geo, when = lattice.geography, lattice.time
    g_index = {k: i for i, k in enumerate(geo["keys"])}
    t_index = {k: i for i, k in enumerate(when["keys"])}
    truth = np.zeros((len(geo["keys"]), len(when["keys"])), np.int64)
    rows = ReleasedRecord.objects.filter(release=lattice.release_id).order_by()
    for point, month, n in rows.values_list("service_point_id", "month").annotate(n=Count("pk")):
        g = g_index[f"service_point:{point if point is not None else '?'}"]
        while g >= 0:
            t = t_index[f"month:{month}"]
            while t >= 0:
                truth[g, t] += n
                t = when["parent"][t]
            g = geo["parent"][g]
    return truth


def run() -> dict:
    from django.db import connection

    from accounts.models import NationalSociety, Project, RegionalNetwork, ServicePoint
    from results.lattice.build import build
    from results.released import Filters
    from results.tables import table
    from tests.factories import UserFactory
    from tests.factories.privacy import frozen_release

    project = Project.objects.create(name=f"lattice {uuid.uuid4().hex[:6]}")
    networks = [RegionalNetwork.objects.create(code=f"n{i}", name=f"Net {i}") for i in range(5)]
    points = []
    for c in range(40):
        code = f"{chr(65 + c // 26)}{chr(65 + c % 26)}"
        society = NationalSociety.objects.create(name=f"NS {c}", country=code)
        society.networks.add(networks[c % 5])
        points += [
            ServicePoint(
                project=project, national_society=society, name=f"HSP {c}-{i}", country=code
            )
            for i in range(15)
        ]
    ServicePoint.objects.bulk_create(points)
    version = _form(project)
    dpo = UserFactory()
    release = frozen_release(version.form, dpo)
    started = time.perf_counter()
    _seed(version, release)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE privacy_releasedrecord")
    seeded = time.perf_counter() - started
    load_before = os.getloadavg()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    lattice = build(release)
    build_seconds = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    form = version.form
    queries = {
        "q0": ("q0", None, Filters()),
        "q0 by country, 2026": ("q0", "country", Filters(year="2026")),
        "month by q3, one service point": ("month", "q3", Filters(service_point="HSP 7-3")),
        "q1 by q2": ("q1", "q2", Filters()),
        "q4 by q5, one country, 2025": ("q4", "q5", Filters(country="AH", year="2025")),
        "service point by month": ("service_point", "month", Filters(national_society="NS 3")),
    }
    answers = {}
    for label, (row, column, filters) in queries.items():
        times = []
        for _ in range(3):  # the first read loads the table's cells, the next ones are cached
            started = time.perf_counter()
            table(form, row, column, filters=filters, release=release)
            times.append(round((time.perf_counter() - started) * 1000, 1))
        answers[label] = {"first_ms": times[0], "cached_ms": min(times[1:])}
    hidden = sum(
        level["primary"] + level["secondary"]
        for t in lattice.report["tables"]
        for level in t["levels"]
    )
    return {
        "records": N,
        "seed_seconds": round(seeded, 1),
        "lattice_build_s": round(build_seconds, 1),
        "lattice_stored_mb": round(
            sum(len(bytes(c)) for c in lattice.cubes.values_list("cells", flat=True)) / 1e6, 1
        ),
        "withheld_cells": hidden,
        "withheld_entirely": [
            t["table"] for t in lattice.report["tables"] if t["withheld_entirely"]
        ],
        "peak_rss_mb_before_build": round(rss_before),
        "peak_rss_mb": round(rss),
        "tables_ms": answers,
        **utility(lattice),
        "load_average_before_after": [round(load_before[0], 1), round(os.getloadavg()[0], 1)],
        "passed": build_seconds <= 60 and rss < 1024,
    }
