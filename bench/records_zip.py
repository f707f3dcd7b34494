"""The labelled records download (``results.records_labelled``) over 1,000,000 released records
on PostgreSQL: rows per second and the Python peak memory (the zip is streamed, so memory must
stay flat), beside the codes-only ``records.csv`` of the same release for comparison.

The records are seeded as ``bench/results.py`` seeds them (SQL, not the pipeline): this measures
the export alone."""

import time
import tracemalloc
import uuid

from bench import results as seeded


def _measure(chunks) -> tuple[float, int, float]:
    tracemalloc.start()
    started = time.perf_counter()
    size = sum(len(chunk) for chunk in chunks)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, size, peak


def run() -> dict:
    from accounts.models import Project, ServicePoint
    from forms.services import form_upload
    from privacy.review import latest_approved
    from results.records import records_csv
    from results.records_labelled import records_zip
    from results.released import Filters
    from tests.factories import NationalSocietyFactory
    from tests.samples import PRIVACY_FORM
    from tests.xlsform import xlsx

    project = Project.objects.create(name=f"records zip {uuid.uuid4().hex[:6]}")
    point = ServicePoint.objects.create(
        project=project, national_society=NationalSocietyFactory(), name="HSP", country="IT"
    )
    version = form_upload(project=project, filename="p.xlsx", data=xlsx(PRIVACY_FORM)).version
    seeded._seed(version.form, version, version.current_rule_set, point)
    seeded._freeze_all(version.form)
    release = latest_approved(version.form)
    zip_seconds, zip_size, zip_peak = _measure(
        records_zip(version.form, Filters(), release, language="English (en)")
    )
    csv_seconds, _, csv_peak = _measure(records_csv(version.form, Filters(), release))
    return {
        "records": seeded.N,
        "zip_s": round(zip_seconds, 1),
        "zip_rows_per_s": round(seeded.N / zip_seconds),
        "zip_mb": round(zip_size / 1e6, 1),
        "zip_python_peak_mb": round(zip_peak / 1e6, 1),
        "csv_s": round(csv_seconds, 1),
        "csv_rows_per_s": round(seeded.N / csv_seconds),
        "csv_python_peak_mb": round(csv_peak / 1e6, 1),
    }
