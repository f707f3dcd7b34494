"""The month a record is grouped and shown by is the month of the visit, from the instance's
``start``, ``end`` or ``today`` (in that order), not the month a tablet that was offline for
weeks finally sent it (issue 13: September to December visits all showed as December)."""

from datetime import UTC, datetime

import pytest

from privacy.anonymisation.visit import visit_month
from privacy.models import AnonymisedRecord
from tests.samples import instance_xml

RECEIVED = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
VERSION = datetime(2026, 8, 1, tzinfo=UTC)
QUESTIONS = [
    {"type": "today", "path": "/data/today"},
    {"type": "end", "path": "/data/end"},
    {"type": "start", "path": "/data/start"},
    {"type": "text", "path": "/data/story"},
]


def month(**answers: str) -> str:
    by_path = {f"/data/{name}": [value] for name, value in answers.items()}
    return visit_month(by_path, QUESTIONS, received_at=RECEIVED, version_created=VERSION)


def test_start_is_preferred_then_end_then_today():
    assert month(start="2026-09-14T18:00:00.000+02:00", end="2026-10-01T09:00:00Z") == "2026-09"
    assert month(end="2026-10-01T09:00:00Z", today="2026-11-02") == "2026-10"
    assert month(today="2026-11-02") == "2026-11"


def test_the_device_local_month_counts():
    """A visit on the evening of 31 October in Rome is an October visit."""
    assert month(start="2026-10-31T23:30:00.000+01:00") == "2026-10"


@pytest.mark.parametrize(
    "start",
    [
        "2026-12-06T09:00:00Z",  # after the server received it (beyond a day): a clock ahead
        "2000-01-01T00:00:00Z",  # a tablet clock reset: before the version existed, minus a year
        "2026-13-01T00:00:00Z",  # not a date
        "yesterday",
    ],
)
def test_an_implausible_date_falls_back_to_the_next_then_to_the_month_received(start):
    assert month(start=start, today="2026-10-05") == "2026-10"
    assert month(start=start) == "2026-12"


def test_within_a_day_of_receipt_and_a_year_before_the_version_are_plausible():
    assert month(start="2026-12-04T09:00:00Z") == "2026-12"
    assert month(start="2025-08-02T09:00:00Z") == "2025-08"


def test_a_form_without_start_end_or_today_uses_the_month_received():
    assert visit_month({}, [], received_at=RECEIVED, version_created=VERSION) == "2026-12"


@pytest.mark.django_db
def test_a_record_carries_the_visit_month_not_the_month_received(
    submit, photo_form, django_capture_on_commit_callbacks
):
    """PHOTO_FORM records ``start``: the record's month (what disclosure control groups by and
    results show) is the month of its ``start``, whenever it arrives."""
    xml = instance_xml(instance_id="uuid:visit").replace(
        b"2026-11-20T09:00:00.000+01:00", b"2026-09-30T18:00:00.000+02:00"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert submit(xml).status_code == 201

    record = AnonymisedRecord.objects.get(submission__instance_id="uuid:visit")
    assert record.month == "2026-09"
    assert record.submission.received_at.strftime("%Y-%m") != "2026-09"
