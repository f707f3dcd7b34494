"""Verdicts on PostgreSQL whose content key is still in its first form, the MD5 one.

Why: on PostgreSQL a verdict names the content it judged by ``hashtextextended`` of the content
hash (``privacy.models.content_key``); it was first the first 8 bytes of its MD5, which cost
1.3 s of every run over a million records. A database upgraded since holds such keys on every
verdict written before, and none of those is in force (``RecordQuerySet.checked``): the records
look unchecked, and no release can hold them, until their form's next run. A form nobody
changes gets no run of its own, so:

- the minute sweep (``scheduling.disclosure_resend_due``) marks for a run every form whose
  verdicts still carry old keys;
- that run is never skipped as unchanged (``dataset``): it judges every record again and
  writes each verdict with today's key, as a first run does, and records a new run, so what
  pages remembered about a candidate is asked again (``privacy.review.current``).

Old keys are found by a sample of the form's verdicts (a few rows, not a scan of millions each
minute): a run writes all of them in one form, so a few tell. Verdicts of withheld records are
not sampled: a run keeps them as they are, and a record brought back gets a run that judges it.
A worker of the older code still running during an upgrade may write old keys again: the next
sweep finds them. SQLite's keys never changed.
"""

from django.db import connection

from forms.models import Form
from privacy.models import AnonymisedRecord, DisclosurePending, RecordVerdict

# privacy.models.content_key_md5 in SQL: the key's first form on PostgreSQL.
OLD_KEY = "('x' || left(md5(s.content_hash), 16))::bit(64)::bigint"
SAMPLE = 16  # verdicts looked at per form


def _old_keys_sql(form: str) -> str:
    """An SQL condition: some sampled verdict of the form ``form`` (an SQL expression) names
    its record's current content by the old key."""
    verdicts, records = RecordVerdict._meta.db_table, AnonymisedRecord._meta.db_table
    return (
        "EXISTS (SELECT 1 FROM (SELECT v.content_key, r.content_hash "  # noqa: S608 - model tables
        f"FROM {verdicts} v JOIN {records} r ON r.id = v.record_id "
        f"WHERE v.form_id = {form} AND r.form_id = {form} AND r.withheld_at IS NULL "
        f"LIMIT {SAMPLE}) s WHERE s.content_key = {OLD_KEY})"
    )


def old_keys(form_id: int) -> bool:
    """Whether the form's verdicts carry old keys: its next run must not be skipped."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {_old_keys_sql('%s')}", [form_id, form_id])
        return bool(cursor.fetchone()[0])


def old_keys_forms() -> list[int]:
    """The forms whose verdicts carry old keys and that no run is already due for."""
    if connection.vendor != "postgresql":
        return []
    pending = DisclosurePending._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT f.id FROM {Form._meta.db_table} f WHERE {_old_keys_sql('f.id')} "  # noqa: S608 - model tables
            f"AND NOT EXISTS (SELECT 1 FROM {pending} p WHERE p.form_id = f.id) ORDER BY f.id"
        )
        return [form_id for (form_id,) in cursor.fetchall()]


__all__ = ["old_keys", "old_keys_forms"]
