"""Results over 1,000,000 released records on PostgreSQL: one cross-tabulation (target ≤ 2 s)
and the CSV export of the records (target ≥ 50,000 rows/s, peak memory under 300 MB).

The records are made with SQL (generate_series), not through the pipeline: this measures the
results stage alone, and disclosure control's database path over the same records (the numeric
part alone is bench/disclosure.py)."""

import resource
import time
import tracemalloc
import uuid

N = 1_000_000


def _seed(form, version, rule_set, point, *, released: bool = True) -> None:
    """1M submissions and their anonymised records, ``released_at`` set unless ``released`` is
    False (bench/release.py: a first release marks them itself)."""
    from django.db import connection

    from privacy.disclosure.columns import verdicts_partition

    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO sync_submission (form_id, version_id, instance_id, xml_sealed, xml_sha256,
                xml_size, attachments_expected, complete, device_encrypted, root_instance_id,
                has_conflict, user_agent, client_device_id, received_at, service_point_id,
                instance_id_full)
            SELECT %s, %s, 'bench:' || g, ''::bytea, '', 0, '[]', true, false, 'bench:' || g,
                false, '', '', now(), %s, ''
            FROM generate_series(1, %s) g
            """,
            [form.pk, version.pk, point.pk, N],
        )
        cursor.execute(
            """
            INSERT INTO privacy_anonymisedrecord (id, submission_id, form_id, version_id,
                rule_set_id, service_point_id, month, data, quasi, redactions, content_hash,
                superseded, released_at, created_at, updated_at, withheld_reason)
            SELECT gen_random_uuid(), s.id, %s, %s, %s, %s,
                '2026-' || lpad((1 + s.id %% 12)::text, 2, '0'), d,
                jsonb_build_object('sex', d->'sex', 'age', d->'age'), '{}', md5(s.id::text),
                false, CASE WHEN %s THEN now() END, now(), now(), ''
            FROM (
                SELECT id, jsonb_build_object(
                    'sex', (array['male','female','other','prefer_not'])[1 + id %% 4],
                    'age', (array['0-9','10-19','20-29','30-39','40-49','50-59','60-69',
                                  '70-79','80+'])[1 + id %% 9],
                    'legal_status', (array['asylum','refugee','temporary','regular',
                                           'irregular'])[1 + id %% 5],
                    'needs', jsonb_build_array('food', 'shelter'),
                    'story', 'We waited eleven days at the border; the volunteers helped [NAME].'
                ) AS d FROM sync_submission WHERE form_id = %s
            ) s
            """,
            [form.pk, version.pk, rule_set.pk, point.pk, released, form.pk],
        )
        # Each record as disclosure control passed it, in the form's partition of the verdicts.
        part, _ = verdicts_partition(cursor, form.pk)
        cursor.execute(
            f"INSERT INTO {part} (record_id, form_id, content_key, suppressed, held, fk) "  # noqa: S608 - no user text
            "SELECT id, form_id, hashtextextended(content_hash, 0), '[]', "  # ContentKey
            "false, 5 FROM privacy_anonymisedrecord WHERE form_id = %s ORDER BY id",
            [form.pk],
        )
        cursor.execute(f"ANALYZE privacy_anonymisedrecord, {part}")  # as autovacuum would


def _freeze_all(form) -> None:
    """Results read a frozen release: approve every seeded record as one (bench/release.py
    measures opening and approving it through the DPO's path)."""

    from privacy.review.snapshot import freeze
    from tests.factories import UserFactory
    from tests.factories.privacy import frozen_release

    dpo = UserFactory()
    release = frozen_release(form, dpo)
    freeze(release)


def run() -> dict:
    from accounts.models import Project, ServicePoint
    from forms.services import form_upload
    from privacy.disclosure.dataset import disclosure_run
    from results.exports import records_csv
    from results.tables import Filters, table
    from tests.factories import NationalSocietyFactory
    from tests.samples import PRIVACY_FORM
    from tests.xlsform import xlsx

    project = Project.objects.create(name=f"results {uuid.uuid4().hex[:6]}")
    point = ServicePoint.objects.create(
        project=project, national_society=NationalSocietyFactory(), name="HSP", country="IT"
    )
    version = form_upload(project=project, filename="p.xlsx", data=xlsx(PRIVACY_FORM)).version
    started = time.perf_counter()
    _seed(version.form, version, version.current_rule_set, point)
    _freeze_all(version.form)
    seeded = time.perf_counter() - started

    started = time.perf_counter()
    crosstab = table(version.form, "sex", "age")
    crosstab_seconds = time.perf_counter() - started
    started = time.perf_counter()
    by_country_month = table(version.form, "country", "month")
    dimension_seconds = time.perf_counter() - started

    # Disclosure control through the database: read 1M records, compute, write what changed
    # (every record's fk, the first time), under the form's lock; then the unchanged re-run.
    started = time.perf_counter()
    run_first = disclosure_run(form_id=version.form_id)
    disclosure_first_seconds = time.perf_counter() - started
    disclosure_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    disclosure_run(form_id=version.form_id)
    disclosure_again_seconds = time.perf_counter() - started

    tracemalloc.start()
    started = time.perf_counter()
    size = 0
    for chunk in records_csv(version.form, Filters()):
        size += len(chunk)
    export_seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {
        "records": N,
        "seed_seconds": round(seeded, 1),
        "crosstab_sex_by_age_s": round(crosstab_seconds, 2),
        "crosstab_total": crosstab.total,
        "crosstab_country_by_month_s": round(dimension_seconds, 2),
        "disclosure_db_first_run_s": round(disclosure_first_seconds, 1),
        "disclosure_db_unchanged_rerun_s": round(disclosure_again_seconds, 1),
        "disclosure_db_records": run_first.records,
        "disclosure_db_max_rss_mb": round(disclosure_rss),
        "csv_export_s": round(export_seconds, 1),
        "csv_rows_per_s": round(N / export_seconds),
        "csv_mb": round(size / 1e6, 1),
        "csv_python_peak_mb": round(peak / 1e6, 1),
        "process_max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "_": by_country_month.total,
    }
