"""A release's columns: every answer key its frozen records publish, in the order the
questionnaires ask them. ``records.csv``, ``records.xlsx`` and ``records.zip`` print them as
their header, before any record.

Finding them reads every frozen record (about 1 s per 200,000 records of the library
questionnaire), and a release's records never change once frozen: ``freeze`` stores them on
the release, so a download's first byte never waits on that scan. Releases frozen before the
field existed, and synthetic ones whose records a test or benchmark writes itself, are filled
the first time they are asked for.
"""

from django.db import connection

from forms.models import Form
from privacy.models import Release, ReleasedRecord


def answer_key(question: dict) -> str:
    """The key a question's answer has in a record: its path below the form's root, or, inside
    a repeat, the repeat's (whose rows hold the answers). ``/data/group/q`` is ``group/q``."""
    return (question.get("repeat") or question["path"]).strip("/").split("/", 1)[-1]


def asked_order(form: Form) -> dict[str, int]:
    """Answer key -> position, as the questionnaires ask them (older versions first, a newer
    version's new questions after)."""
    asked: dict[str, int] = {}
    for questions in form.versions.order_by("created_at").values_list("questions", flat=True):
        for question in questions:
            asked.setdefault(answer_key(question), len(asked))
    return asked


def frozen_columns(release: Release) -> list[str]:
    """The columns of ``release``, read from its frozen records (one pass over them)."""
    records = ReleasedRecord.objects.filter(release=release)
    if connection.vendor == "postgresql":
        # GROUP BY over a lateral call, not DISTINCT: each parallel worker then keeps its own
        # few dozen keys, instead of sending every record's keys to one process (2x faster).
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT k FROM {ReleasedRecord._meta.db_table} r, jsonb_object_keys(r.data) k "  # noqa: S608 - model name
                "WHERE r.release_id = %s GROUP BY k",
                [release.pk],
            )
            keys = {key for (key,) in cursor.fetchall()}
    else:
        rows = records.order_by().values_list("data", flat=True).iterator(5000)
        keys = {key for data in rows for key in data}
    asked = asked_order(release.form)
    return sorted(keys, key=lambda key: (asked.get(key, len(asked)), key))


def columns_store(release: Release) -> list[str]:
    """Store ``release``'s columns once its records are frozen (``freeze``); them."""
    release.columns = frozen_columns(release)
    Release.objects.filter(pk=release.pk).update(columns=release.columns)
    return release.columns


def release_columns(release: Release) -> list[str]:
    """``release``'s columns: stored at freeze, or read once now and stored (see above)."""
    if release.columns is None:
        return columns_store(release)
    return release.columns
