"""The data pipeline as tests drive it: forms uploaded through the real conversion, submissions
POSTed as a device, records anonymised and released by a DPO.

``released`` runs the whole pipeline end to end (HTTP, anonymisation on commit, disclosure
control, a DPO's release); ``released_form`` builds the same released records with factories,
for tests of what comes after a release (results, exports, dashboards).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from forms.services import form_upload
from privacy.models import AnonymisedRecord
from tests.factories import (
    AnonymisedRecordFactory,
    ReleaseFactory,
    SubmissionFactory,
    rules_approve,
)
from tests.samples import PHOTO_FORM, PRIVACY_FORM, device_url, privacy_instance
from tests.xlsform import xlsx

# Who answered the privacy form in ``released`` and ``released_form``: two groups of at least five
# and one person alone (aged 71), whose cells results must suppress.
PEOPLE = [("34", "male")] * 6 + [("35", "female")] * 5 + [("71", "female")]


@pytest.fixture
def photo_form(project, settings):
    """``PHOTO_FORM`` published in ``project``, its rules approved by a DPO: its current
    version."""
    settings.WAYPOINT_ODK_VALIDATE = "false"
    version = form_upload(project=project, filename="household.xlsx", data=xlsx(PHOTO_FORM)).version
    rules_approve(version.form)
    return version


@pytest.fixture
def privacy_form(project, settings):
    """``PRIVACY_FORM`` published in ``project``, its rules approved by a DPO (an upload's rules
    are a proposal until then: no release opens): its current version."""
    settings.WAYPOINT_ODK_VALIDATE = "false"
    version = form_upload(project=project, filename="p.xlsx", data=xlsx(PRIVACY_FORM)).version
    rules_approve(version.form)
    return version


@pytest.fixture
def submit(client, device):
    """POST a submission as the device, the way Collect shapes it."""

    def post(xml: bytes, files: dict[str, bytes] | None = None, *, url: str | None = None, **extra):
        body = {"xml_submission_file": SimpleUploadedFile("instance.xml", xml, "text/xml")}
        for index, (name, data) in enumerate((files or {}).items()):
            body[f"file{index}"] = SimpleUploadedFile(name, data, "image/jpeg")
        return client.post(
            url or device_url(device, "submission"),
            body,
            HTTP_X_OPENROSA_VERSION="1.0",
            HTTP_USER_AGENT="org.odk.collect.android/v2026.1.0",
            **extra,
        )

    return post


@pytest.fixture
def released(submit, privacy_form, settings, django_capture_on_commit_callbacks, dpo):
    """Twelve submissions, anonymised, through disclosure control and released by a DPO; two
    more anonymised but not released. End to end: each step as in production."""
    from privacy.review import release_approve, release_open

    # sdcMicro's convention, so that the lone 71-year-old is released with her age hidden (as
    # these tests expect); by default (missing values match only missing) she would be held.
    privacy_form.form.project.missing_values = "any"
    privacy_form.form.project.save(update_fields=["missing_values"])
    for n, (age, sex) in enumerate(PEOPLE):
        with django_capture_on_commit_callbacks(execute=True):
            submit(privacy_instance(f"uuid:res{n}", age=age, sex=sex))
    release = release_open(form=privacy_form.form, user=dpo)
    release_approve(release=release, user=dpo, approved_hash=release.content_hash)
    for n in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            submit(privacy_instance(f"uuid:unreleased{n}", age="50", sex="male"))
    released = AnonymisedRecord.objects.released()
    assert AnonymisedRecord.objects.exclude(pk__in=released.values("pk")).count() == 2
    return privacy_form.form


@pytest.fixture
def released_form(privacy_form, device, dpo):
    """What ``released`` leaves, built directly: twelve records of the privacy form received
    from ``device`` and anonymised by the real anonymisation, released by the DPO; two more
    anonymised but not released. Disclosure control is not run: results must protect small
    cells on its own."""
    records = [
        AnonymisedRecordFactory(
            submission=SubmissionFactory(
                version=privacy_form,
                xml=privacy_instance(f"uuid:res{n}", age=age, sex=sex),
                device=device,
            )
        )
        for n, (age, sex) in enumerate(PEOPLE)
    ]
    ReleaseFactory(form=privacy_form.form, records=records, approved_by=dpo)
    for n in range(2):
        AnonymisedRecordFactory(
            submission=SubmissionFactory(
                version=privacy_form,
                xml=privacy_instance(f"uuid:unreleased{n}", age="50", sex="male"),
                device=device,
            )
        )
    return privacy_form.form
