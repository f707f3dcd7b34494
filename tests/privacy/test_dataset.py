"""Disclosure control over a form's records: every group reaches k by local suppression (or the
records wait, in hold mode); unchanged data is not recomputed; the run says what it did."""

import pytest

from privacy.disclosure import dataset
from privacy.models import AnonymisedRecord, DisclosureRun
from tests.samples import privacy_instance

pytestmark = pytest.mark.django_db


@pytest.fixture
def send(submit, settings, django_capture_on_commit_callbacks):

    def post(instance_id: str, **answers):
        with django_capture_on_commit_callbacks(execute=True):
            assert submit(privacy_instance(instance_id, **answers)).status_code == 201

    return post


def load(send, ages_and_sexes):
    for n, (age, sex) in enumerate(ages_and_sexes):
        send(f"uuid:d{n}", age=age, sex=sex)


def test_small_groups_are_locally_suppressed_until_k(send, privacy_form, project):
    project.k_anonymity = 3
    project.save()
    load(send, [("34", "male")] * 4 + [("71", "female")])

    run = dataset.disclosure_run(form_id=privacy_form.form_id)

    assert run.before["violating"] == 1
    assert run.after["violating"] == 0
    assert run.after["k_achieved"] >= 3
    assert sum(run.suppressions.values()) >= 1
    outlier = AnonymisedRecord.objects.get(submission__instance_id="uuid:d4")
    assert outlier.suppressed  # its rare quasi-identifiers were set to missing
    assert outlier.fk >= 3
    # What results may use leaves the hidden values out; the record itself keeps them.
    assert not set(outlier.suppressed) & set(outlier.published)
    assert set(outlier.suppressed) <= set(outlier.data)
    assert run.quasi_identifiers == ["age", "sex", "arrival", "location"]
    assert run.l_diversity["legal_status"]["min"] >= 1
    assert run.redactions["name"] >= 5


def test_hold_mode_holds_records_back_until_their_group_grows(send, privacy_form, project):
    project.k_anonymity = 3
    project.disclosure_mode = "hold"
    project.save()
    load(send, [("34", "male")] * 3 + [("71", "female")] * 2)

    run = dataset.disclosure_run(form_id=privacy_form.form_id)

    assert run.held == 2
    assert set(
        AnonymisedRecord.objects.filter(held=True).values_list("submission__instance_id", flat=True)
    ) == {"uuid:d3", "uuid:d4"}
    send("uuid:d5", age="75", sex="female")
    grown = dataset.disclosure_run(form_id=privacy_form.form_id)
    assert grown.held == 0


def test_unchanged_dataset_is_not_recomputed(send, privacy_form):
    load(send, [("34", "male")] * 5)
    first = dataset.disclosure_run(form_id=privacy_form.form_id)

    again = dataset.disclosure_run(form_id=privacy_form.form_id)
    send("uuid:new", age="35", sex="male")
    changed = dataset.disclosure_run(form_id=privacy_form.form_id)

    assert again.pk == first.pk
    assert changed.pk != first.pk
    assert changed.records == 6


def test_runs_follow_new_records_through_the_task_chain(send, privacy_form):
    load(send, [("34", "male")] * 2)

    assert DisclosureRun.objects.filter(form=privacy_form.form).exists()
    assert DisclosureRun.objects.filter(form=privacy_form.form).first().records == 2


def test_top_combinations_show_values_never_identities(send, privacy_form):
    load(send, [("34", "male")] * 2 + [("71", "female")])

    run = dataset.disclosure_run(form_id=privacy_form.form_id)

    riskiest = run.before["top_combinations"][0]
    assert riskiest["fk"] == 1
    assert riskiest["values"][:2] == ["70-79", "female"]
