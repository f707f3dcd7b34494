"""A DPO's approval computes the release's lattice once it commits (privacy sends
``release_approved``; results builds), and releases approved before lattices existed are built
by a command or on first read."""

import pytest
from django.core.management import call_command

from privacy.review import release_approve, release_open
from results.models import Lattice
from tests.samples import privacy_instance

pytestmark = pytest.mark.django_db


def test_an_approval_builds_the_lattice_after_it_commits(
    submit, privacy_form, dpo, django_capture_on_commit_callbacks
):
    for n in range(6):
        with django_capture_on_commit_callbacks(execute=True):
            submit(privacy_instance(f"uuid:lat{n}", age="34", sex="male"))
    release = release_open(form=privacy_form.form, user=dpo)

    with django_capture_on_commit_callbacks(execute=True):
        release_approve(release=release, user=dpo, approved_hash=release.content_hash)

    lattice = Lattice.objects.get(release=release)
    assert lattice.state == Lattice.State.BUILT
    assert lattice.report["tables"]


def test_older_releases_are_built_by_the_command(released_form):
    Lattice.objects.all().delete()  # as before lattices existed

    call_command("build_lattices")

    assert Lattice.objects.get().state == Lattice.State.BUILT


def test_a_release_without_a_lattice_is_built_on_first_read(api, project, analyst, released_form):
    Lattice.objects.all().delete()

    body = (
        api.as_user(analyst)
        .get(f"/api/v1/projects/{project.pk}/forms/privacy_test/results/table?row=sex")
        .json()
    )

    assert body["total"] == 12  # built at once without a broker, then read
    assert Lattice.objects.get().state == Lattice.State.BUILT
