"""A release's row-level file over 1,000,000 records on PostgreSQL: the DPO's microdata risk report
(k over 5 dimensions and 4 quasi-identifiers, l-diversity of a sensitive question) and, once
approved, records.csv streamed without the records the report left out, [withheld] marking the
values disclosure control hid.

The frozen records are written with SQL straight into ReleasedRecord (one approved release):
20 service points in 10 countries, 12 months, age skewed young, so a few classes fall below k."""

import time

from bench.release import _peak_reset, _rss_mb

N = 1_000_000


def _seed(release, version, points: list[int]) -> None:
    """Answers drawn at random (seeded): most classes are large, a few fall below k, and one
    record in 50 has its age withheld."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        cursor.execute(
            """
            INSERT INTO privacy_releasedrecord (release_id, record_id, version_id,
                service_point_id, month, data, suppressed)
            SELECT %s, gen_random_uuid(), %s, (%s::int[])[1 + floor(random() * %s)::int],
                '2026-' || lpad((1 + floor(random() * 12))::text, 2, '0'),
                jsonb_build_object(
                    'sex', (array['male','female'])[1 + floor(random() * 2)::int],
                    'age', (array['10-19','20-29','30-39','40-49','50-59','60-69','70-79','80+'])
                        [1 + floor(power(random(), 2) * 8)::int],
                    'arrival', '2026-Q' || (1 + floor(random() * 4)),
                    'location', '36.8 10.2',
                    'legal_status', (array['asylum','refugee','temporary'])
                        [1 + floor(random() * 3)::int],
                    'story', 'We waited eleven days at the border.'
                ) - CASE WHEN g %% 50 = 0 THEN 'age' ELSE '' END,
                CASE WHEN g %% 50 = 0 THEN '["age"]'::jsonb ELSE '[]'::jsonb END
            FROM generate_series(1::bigint, %s) g
            """,
            [release.pk, version.pk, points, len(points), N],
        )


def run() -> dict:
    from django.utils import timezone

    from accounts.models import Project, ServicePoint
    from forms.services import form_upload
    from privacy.review.microdata import microdata_report
    from results.exports import records_csv
    from results.released import Filters
    from tests.factories import NationalSocietyFactory, UserFactory, rules_approve
    from tests.factories.privacy import frozen_release
    from tests.samples import PRIVACY_FORM
    from tests.xlsform import xlsx

    project = Project.objects.create(name="Microdata bench")
    points = []
    countries = ["IT", "FR", "ES", "DE", "GR", "TN", "LB", "UA", "PL", "MA"]
    for c in range(10):
        society = NationalSocietyFactory(country=countries[c])
        for p in range(2):
            points.append(
                ServicePoint.objects.create(
                    project=project,
                    national_society=society,
                    name=f"HSP {c}-{p}",
                    country=countries[c],
                ).pk
            )
    version = form_upload(project=project, filename="p.xlsx", data=xlsx(PRIVACY_FORM)).version
    dpo = UserFactory()
    rules_approve(version.form, dpo)
    release = frozen_release(
        version.form, dpo, rule_sets={version.version: version.current_rule_set.number}
    )
    _seed(release, version, points)
    _peak_reset()

    started = time.perf_counter()
    report = microdata_report(release)
    report_seconds = time.perf_counter() - started
    report_rss = _rss_mb()

    release.microdata_risk = {"excluded_ids": report["excluded_ids"]}
    release.microdata_approved_by, release.microdata_approved_at = dpo, timezone.now()
    release.save()
    _peak_reset()
    started = time.perf_counter()
    size = withheld = 0
    for chunk in records_csv(version.form, Filters(), release):
        size += len(chunk.encode())
        withheld += chunk.count("[withheld]")
    export_seconds = time.perf_counter() - started
    return {
        "records": N,
        "report_s": round(report_seconds, 1),
        "report_max_rss_mb": report_rss,
        "in_file": report["in_file"],
        "excluded": report["excluded"],
        "k_after": report["k_after"],
        "l_after": report["l_after"],
        "export_s": round(export_seconds, 1),
        "export_mb_per_s": round(size / 1e6 / export_seconds, 1),
        "withheld_cells": withheld,
        "export_max_rss_mb": _rss_mb(),
        "passed": report_seconds <= 10 and report_rss < 500,
    }
