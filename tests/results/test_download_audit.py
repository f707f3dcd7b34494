"""Every download is audited (issue 12, finding 9: table CSV/XLSX/JSON, records and the audit CSV
were not): who, what (endpoint, format, variables), which filters, and the release it came
from, so a DPO can tell who took what out of Waypoint."""

import pytest

from audit.models import AuditEvent
from privacy.models import Release
from tests.factories import microdata_approve

pytestmark = pytest.mark.django_db


def results(project, path: str) -> str:
    return f"/api/v1/projects/{project.pk}/forms/privacy_test/results/{path}"


def only_event(action: str) -> AuditEvent:
    events = list(AuditEvent.objects.filter(action=action))
    assert len(events) == 1, [e.action for e in AuditEvent.objects.all()]
    return events[0]


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
def test_a_table_download_is_audited_in_every_format(api, project, analyst, released_form, fmt):
    response = api.as_user(analyst).get(
        results(project, f"table?row=sex&column=age&since=2020-01&format={fmt}")
    )

    assert response.status_code == 200
    event = only_event("download.table")
    assert event.actor == analyst
    assert event.project == project
    assert event.details["format"] == fmt
    assert event.details["variables"] == ["sex", "age"]
    assert event.details["filters"] == {"since": "2020-01"}
    assert event.details["release"] == Release.objects.get(state="approved").pk
    assert event.details["endpoint"].endswith("/results/table")


def test_linked_tables_and_rank_summaries_are_audited(api, project, analyst, released_form):
    client = api.as_user(analyst)

    client.get(results(project, "tables?row=sex&columns=age,month&format=csv&country=it"))

    event = only_event("download.tables")
    assert event.details["variables"] == ["sex", "age", "month"]
    assert event.details["filters"] == {"country": "it"}


def test_the_records_file_download_is_audited(api, project, analyst, released_form):
    release = Release.objects.get(state="approved")
    microdata_approve(release)

    response = api.as_user(analyst).get(results(project, "records.csv"))
    b"".join(response.streaming_content)

    assert response.status_code == 200
    event = only_event("download.records")
    assert (event.details["format"], event.details["release"]) == ("csv", release.pk)


def test_the_dashboard_charts_are_audited(client, project, analyst, released_form):
    client.force_login(analyst)

    response = client.get(f"/projects/{project.pk}/results/privacy_test/?service_point=Lampedusa")

    assert response.status_code == 200
    event = only_event("download.charts")
    assert event.details["filters"] == {"service_point": "Lampedusa"}
    assert "sex" in event.details["variables"]
    assert event.details["release"] == Release.objects.get(state="approved").pk


def test_the_audit_log_csv_download_is_audited(client, project, dpo):
    client.force_login(dpo)

    response = client.get(f"/projects/{project.pk}/audit/?format=csv&action=release")

    assert response.status_code == 200
    event = only_event("download.audit")
    assert event.actor == dpo
    assert event.details["filters"] == {"action": "release"}
    assert event.details["release"] is None
