"""Receiving a submission takes a fixed handful of queries, however many submissions the form
already holds and however many photos come with it: ingest must keep up with every tablet of a
service point syncing at once (the bench's target is twice ODK Central's rate)."""

import pytest

from tests.factories import SubmissionFactory
from tests.samples import instance_xml

pytestmark = pytest.mark.django_db

# Measured on SQLite and PostgreSQL, in the test's transaction (so the submission's atomic block
# is a SAVEPOINT and its RELEASE): the submission's INSERT and one INSERT for all its
# attachments. The device and the form version come from memory after the first POST
# (sync/ingest_cache.py), checked again inside the INSERT.
FIRST_RECEIPT_QUERIES = 4
# A retry of the same XML and files: nothing new is stored, the device still gets its 201.
RETRY_QUERIES = 10


def photos(count: int) -> tuple[bytes, dict[str, bytes]]:
    names = [f"photo{n}.jpg" for n in range(count)]
    xml = instance_xml(photo=names[0], docs=tuple(names[1:]))
    return xml, {name: b"\xff\xd8 JPEG " + name.encode() for name in names}


def test_a_submission_takes_the_same_queries_with_3_or_30_stored_and_1_or_3_photos(
    submit, photo_form, django_assert_num_queries
):
    assert submit(*photos(1)).status_code == 201  # the version's questions are cached from now
    stored = 1
    for existing in (3, 30):
        while stored < existing:
            SubmissionFactory(version=photo_form, xml=instance_xml())
            stored += 1
        for attached in (1, 3):
            with django_assert_num_queries(FIRST_RECEIPT_QUERIES):
                response = submit(*photos(attached))
            assert response.status_code == 201
            stored += 1


def test_a_retried_submission_takes_the_same_queries_with_3_or_30_stored(
    submit, photo_form, django_assert_num_queries
):
    assert submit(*photos(1)).status_code == 201
    for existing in (3, 30):
        while photo_form.form.submissions.count() < existing:
            SubmissionFactory(version=photo_form, xml=instance_xml())
        xml, files = photos(3)
        assert submit(xml, files).status_code == 201
        with django_assert_num_queries(RETRY_QUERIES):
            response = submit(xml, files)
        assert response.status_code == 201
