"""Devices and form versions are remembered between POSTs (sync/ingest_cache.py) so that a
submission costs one INSERT, yet a tablet revoked, re-issued or unassigned, or a form closed,
is refused on its very next POST, even when the change is made by another process (here: a
plain UPDATE, which no in-process hook sees) and the cache still vouches for it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Device, hash_device_token
from forms.models import Form, FormState
from sync.models import Submission
from sync.signals import submission_completed
from tests.samples import instance_xml

pytestmark = pytest.mark.django_db


@pytest.fixture
def warm(submit, photo_form, device):
    """One accepted POST: the device and the form version are now in the cache."""
    assert submit(instance_xml()).status_code == 201
    return photo_form


def test_a_device_revoked_elsewhere_is_refused_on_its_next_post(submit, warm, device):
    Device.objects.filter(pk=device.pk).update(revoked_at="2026-12-06T00:00:00Z")

    response = submit(instance_xml())

    assert response.status_code == 403
    assert b"not valid" in response.content
    assert Submission.objects.count() == 1


def test_a_reissued_token_stops_the_old_one_at_once(submit, warm, device):
    Device.objects.filter(pk=device.pk).update(token_hash=hash_device_token("new-token"))

    assert submit(instance_xml()).status_code == 403
    assert Submission.objects.count() == 1


def test_a_form_closed_elsewhere_refuses_the_next_post(submit, warm):
    Form.objects.filter(pk=warm.form_id).update(state=FormState.CLOSED)

    response = submit(instance_xml())

    assert response.status_code == 409
    assert b"closed" in response.content
    assert Submission.objects.count() == 1


def test_a_form_taken_from_a_device_refuses_the_next_post(submit, warm, device):
    Device.objects.filter(pk=device.pk).update(all_forms=False)  # and none assigned

    assert submit(instance_xml()).status_code == 404
    assert Submission.objects.count() == 1


def test_a_device_revoked_then_the_same_submission_retried_is_still_refused(submit, warm, device):
    """A retry of a stored submission is no way around the revocation either."""
    xml = instance_xml()
    assert submit(xml).status_code == 201
    Device.objects.filter(pk=device.pk).update(revoked_at="2026-12-06T00:00:00Z")

    assert submit(xml).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_a_warm_submission_without_files_is_one_insert_and_nothing_else(submit, warm, monkeypatch):
    """No device lookup, no form lookup, no BEGIN/COMMIT: one statement that commits alone
    (the anonymisation it announces runs elsewhere in production: a Celery task)."""
    monkeypatch.setattr(submission_completed, "receivers", [])
    monkeypatch.setattr(submission_completed, "sender_receivers_cache", {})
    with CaptureQueriesContext(connection) as queries:
        assert submit(instance_xml()).status_code == 201

    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    assert statements == ["INSERT"], queries.captured_queries
    assert Submission.objects.count() == 2
