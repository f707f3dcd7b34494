import pytest

from backend.privacy.models import AnonymisedRecord
from backend.privacy.review import release_approve, release_open
from tests.privacy.conftest import privacy_form, privacy_instance  # noqa: F401 - fixtures
from tests.sync.conftest import submit  # noqa: F401


@pytest.fixture
def released(submit, privacy_form, settings, django_capture_on_commit_callbacks, dpo):  # noqa: F811
    """Twelve submissions, anonymised, through disclosure control and released by a DPO; two
    more anonymised but not released."""
    settings.WAYPOINT_DISCLOSURE_DEBOUNCE = 0
    people = [("34", "male")] * 6 + [("35", "female")] * 5 + [("71", "female")]
    for n, (age, sex) in enumerate(people):
        with django_capture_on_commit_callbacks(execute=True):
            submit(privacy_instance(f"uuid:res{n}", age=age, sex=sex))
    release = release_open(form=privacy_form.form, user=dpo)
    release_approve(release=release, user=dpo, approved_hash=release.content_hash)
    for n in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            submit(privacy_instance(f"uuid:unreleased{n}", age="50", sex="male"))
    assert AnonymisedRecord.objects.filter(released_at__isnull=True).count() == 2
    return privacy_form.form
