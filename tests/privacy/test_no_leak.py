"""No raw value of a `direct` question appears anywhere outside the quarantine: every table of
the database is searched for planted values after the whole pipeline has run."""

import pytest
from django.db import connection

from audit.models import AuditEvent
from privacy.disclosure import dataset
from tests.samples import privacy_instance

pytestmark = pytest.mark.django_db

PLANTED = ["Zebulon", "Quixotefield", "+39 347 998 1122", "3479981122", "Philomena", "Brightwater"]


def all_database_text() -> bytes:
    """Every value of every row of every table, as bytes."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from introspection
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview):
                        value = value.tobytes()
                    chunks.append(value if isinstance(value, bytes) else str(value).encode())
    return b"\n".join(chunks)


def test_planted_direct_values_appear_nowhere(
    submit, privacy_form, django_capture_on_commit_callbacks
):
    for n in range(6):
        xml = privacy_instance(
            f"uuid:leak{n}",
            name="Zebulon Quixotefield",
            phone="+39 347 998 1122",
            story="I am Zebulon, my number is 347 998 1122, "
            "my sister Philomena Brightwater is lost",
            members=(("Philomena Brightwater", "30"),),
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert submit(xml).status_code == 201
    dataset.disclosure_run(form_id=privacy_form.form_id)

    text = all_database_text()

    assert text.count(b"uuid:leak") >= 6  # the search does see the database's contents
    for value in PLANTED:
        assert value.encode() not in text, f"{value!r} leaked out of the quarantine"
    assert not AuditEvent.objects.filter(reason__contains="Zebulon").exists()
