"""Disclosure control over a form's records: every group reaches k by local suppression (or the
records wait, in hold mode); unchanged data is not recomputed; the run says what it did."""

import pytest
from django.urls import reverse

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
    """Under sdcMicro's convention (a DPO's option) a hidden value matches every value."""
    project.k_anonymity = 3
    project.missing_values = "any"
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
        AnonymisedRecord.objects.filter(verdict__held=True).values_list(
            "submission__instance_id", flat=True
        )
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
    assert riskiest["cell"]["service_point"]  # the place and month it was seen in


def test_by_default_a_lone_record_is_held_not_hidden_behind_a_wildcard(send, privacy_form, project):
    """Missing values match only missing (the default): hiding the one 71-year-old woman's age
    would leave a record that an attacker who knows her age still finds alone, so it is held
    back, in suppress mode too, and the report names the convention."""
    project.k_anonymity = 3
    project.save()
    load(send, [("34", "male")] * 4 + [("71", "female")])

    run = dataset.disclosure_run(form_id=privacy_form.form_id)

    outlier = AnonymisedRecord.objects.get(submission__instance_id="uuid:d4")
    assert (outlier.held, outlier.suppressed, outlier.fk) == (True, [], None)
    assert run.held == 1
    assert sum(run.suppressions.values()) == 0
    assert run.after["violating"] == 0
    assert run.after["missing_values"] == run.before["missing_values"] == "own"


def test_rare_records_join_up_by_hiding_their_least_important_key(send, privacy_form, project):
    """Three women of different ages: sex is asked after age, so it is less important and
    would go first, but only hiding age brings them together; they are published as one group
    of three with age suppressed, sex kept."""
    project.k_anonymity = 3
    project.save()
    load(send, [("34", "male")] * 3 + [("71", "female"), ("45", "female"), ("23", "female")])

    run = dataset.disclosure_run(form_id=privacy_form.form_id)

    women = AnonymisedRecord.objects.filter(
        submission__instance_id__in=["uuid:d3", "uuid:d4", "uuid:d5"]
    )
    assert {(tuple(r.suppressed), r.held, r.fk) for r in women} == {(("age",), False, 3)}
    assert all("age" not in r.published and r.published["sex"] == "female" for r in women)
    assert run.suppressions == {"age": 3, "sex": 0, "arrival": 0, "location": 0}
    assert run.held == 0


def test_dimensions_are_quasi_identifiers(send, privacy_form, project):
    """Six records alike in every answer are not a group of six when two were seen at another
    service point and one in another month: an attacker knows where and when."""
    from tests.factories import ServicePointFactory

    project.k_anonymity = 3
    project.disclosure_mode = "hold"
    project.save()
    load(send, [("34", "male")] * 6)
    records = list(AnonymisedRecord.objects.order_by("submission__instance_id"))
    other_point = ServicePointFactory(project=project, country="TN")
    AnonymisedRecord.objects.filter(pk__in=[r.pk for r in records[:2]]).update(
        service_point=other_point
    )
    AnonymisedRecord.objects.filter(pk=records[2].pk).update(month="2020-01")

    run = dataset.disclosure_run(form_id=privacy_form.form_id)

    held = set(AnonymisedRecord.objects.filter(verdict__held=True).values_list("pk", flat=True))
    assert held == {r.pk for r in records[:3]}
    assert run.before["violating"] == 3
    assert run.after["dimensions"] == [
        "service_point",
        "country",
        "national_society",
        "network",
        "visit_month",
    ]


def test_a_form_without_quasi_identifiers_is_checked_over_its_dimensions(
    api, dpo, project, device, client, settings, django_capture_on_commit_callbacks
):
    """Used to raise StopIteration: the risk report and the release endpoints answered 500 and
    the form's pending mark never cleared. k still applies to service point x month."""
    from forms.services import form_upload
    from privacy.models import DisclosurePending
    from tests.samples import device_url
    from tests.xlsform import xlsx

    settings.WAYPOINT_ODK_VALIDATE = "false"
    sheets = {
        "survey": [
            ["type", "name", "label", "privacy"],
            ["select_one status", "legal_status", "Status", "sensitive"],
            ["integer", "household", "Household size", "keep"],
        ],
        "choices": [["list_name", "name", "label"], ["status", "asylum", "Asylum"]],
        "settings": [["form_id", "version"], ["no_quasi", "1"]],
    }
    from tests.factories.forms import rules_approve

    version = form_upload(project=project, filename="n.xlsx", data=xlsx(sheets)).version
    rules_approve(version.form, dpo)
    for n in range(6):
        xml = (
            f'<data id="no_quasi" version="1"><legal_status>asylum</legal_status>'
            f"<household>{n}</household><meta><instanceID>uuid:nq{n}</instanceID></meta></data>"
        )
        with django_capture_on_commit_callbacks(execute=True):
            posted = client.post(
                device_url(device, "submission"),
                {"xml_submission_file": _upload(xml)},
                HTTP_X_OPENROSA_VERSION="1.0",
            )
        assert posted.status_code == 201
    AnonymisedRecord.objects.filter(submission__instance_id="uuid:nq5").update(month="2020-01")
    base = f"/api/v1/projects/{project.pk}/forms/no_quasi"
    dpo_api = api.as_user(dpo)

    report = dpo_api.get(f"{base}/risk-report")
    opened = dpo_api.post(f"{base}/releases")

    assert report.status_code == 200, report.content
    run = report.json()["run"]
    assert run["quasi_identifiers"] == []
    assert (run["records"], run["held"], run["after"]["k_achieved"]) == (6, 1, 5)
    assert opened.status_code == 201, opened.content
    assert opened.json()["records"] == 5
    assert not DisclosurePending.objects.filter(form__form_id="no_quasi").exists()
    # The report names the convention it counted missing values by, and the dimensions.
    assert run["after"]["missing_values"] == "own"
    client.force_login(dpo)
    page = client.get(reverse("privacy-report", args=[project.pk, "no_quasi"]))
    assert page.status_code == 200
    assert "counts as unique" in page.content.decode()
    assert "service_point, country, national_society, network, visit_month" in page.content.decode()


def _upload(xml: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("instance.xml", xml.encode(), "text/xml")


def test_records_of_a_first_version_without_quasi_identifiers_are_held_by_default(
    dpo, project, device, client, settings, django_capture_on_commit_callbacks
):
    """Issue 12: a form whose first version asked no quasi-identifier released those records
    (every key missing, so "matching everyone") with their legal status, while the report said
    k was achieved. By default they have nothing to hide behind: held back."""
    from forms.services import form_upload
    from tests.factories.forms import rules_approve
    from tests.samples import device_url
    from tests.xlsform import xlsx

    settings.WAYPOINT_ODK_VALIDATE = "false"

    def sheets(version: str, with_age: bool) -> dict:
        rows = [["select_one status", "legal_status", "Status", "sensitive"]]
        if with_age:
            rows.append(["integer", "age", "Age", "quasi band:10"])
        return {
            "survey": [["type", "name", "label", "privacy"], *rows],
            "choices": [["list_name", "name", "label"], ["status", "asylum", "Asylum"]],
            "settings": [["form_id", "version"], ["two_versions", version]],
        }

    def post(version: str, n: int, age: str = "") -> None:
        answer = f"<age>{age}</age>" if age else ""
        xml = (
            f'<data id="two_versions" version="{version}"><legal_status>asylum</legal_status>'
            f"{answer}<meta><instanceID>uuid:tv{version}-{n}</instanceID></meta></data>"
        )
        with django_capture_on_commit_callbacks(execute=True):
            posted = client.post(
                device_url(device, "submission"),
                {"xml_submission_file": _upload(xml)},
                HTTP_X_OPENROSA_VERSION="1.0",
            )
        assert posted.status_code == 201, posted.content

    first = form_upload(project=project, filename="a.xlsx", data=xlsx(sheets("1", False)))
    for n in range(6):
        post("1", n)
    form_upload(project=project, filename="b.xlsx", data=xlsx(sheets("2", True)))
    for n in range(6):
        post("2", n, age="34")
    rules_approve(first.version.form, dpo)

    run = dataset.disclosure_run(form_id=first.version.form.pk)

    records = AnonymisedRecord.objects.filter(form=first.version.form)
    held = {r.submission.instance_id for r in records if r.held}
    assert held == {f"uuid:tv1-{n}" for n in range(6)}
    assert run.quasi_identifiers == ["age"]
    assert (run.before["violating"], run.held, run.after["k_achieved"]) == (6, 6, 6)
