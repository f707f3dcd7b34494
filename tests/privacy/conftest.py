"""Set-up shared by the privacy tests: records whose raw data was purged on schedule, which a
rules change (test_left_out) or a settings change (test_everyday_names_at_stake) leaves out."""

from datetime import timedelta

import pytest
from django.utils import timezone

from privacy import retention, review
from privacy.models import AnonymisedRecord
from tests.samples import privacy_instance


@pytest.fixture
def purged(submit, privacy_form, dpo, django_capture_on_commit_callbacks):
    """Six records released, their raw data purged on schedule a month later; six more since,
    not yet released (their raw data is here). Returns the purged records' ids."""
    for batch in ("old", "new"):
        for n in range(6):
            with django_capture_on_commit_callbacks(execute=True):
                submit(privacy_instance(f"uuid:{batch}{n}", age=str(30 + n)))
        if batch == "old":
            first = review.release_open(form=privacy_form.form, user=dpo)
            review.release_approve(release=first, user=dpo, approved_hash=first.content_hash)
    assert retention.raw_purge_due(now=timezone.now() + timedelta(days=31)) == 6
    old = AnonymisedRecord.objects.filter(submission__instance_id__startswith="uuid:old")
    return {str(pk) for pk in old.values_list("pk", flat=True)}
