"""The strategy team sees only released, anonymised records, aggregated, with small cells
suppressed so that no hidden cell can be recovered; downloads open correctly in Excel."""

import io
import uuid

import numpy as np
import openpyxl
import pytest

from privacy.models import ReleasedRecord
from privacy.review import latest_approved
from privacy.review.columns import columns_store
from results.suppression import SUPPRESSED, SuppressedTable, recoverable_cells
from results.tables import linked_tables, table
from tests.factories import microdata_approve

pytestmark = pytest.mark.django_db


def url(project, path="table"):
    return f"/api/v1/projects/{project.pk}/forms/privacy_test/results/{path}"


def test_only_released_records_are_counted(api, project, analyst, released_form):
    body = api.as_user(analyst).get(url(project) + "?row=sex").json()

    assert body["total"] == 12  # the 2 unreleased records are not there
    assert body["rows"] == ["Female", "Male"] or body["rows"] == ["Male", "Female"]


def test_small_cells_are_suppressed_never_shown_as_zero(api, project, analyst, released_form):
    body = api.as_user(analyst).get(url(project) + "?row=sex&column=age").json()

    cells = np.array([[-1 if c is None else c for c in row] for row in body["cells"]])
    assert (cells == -1).any()
    assert not ((cells > 0) & (cells < 5)).any()  # nothing under the threshold is published
    assert "suppressed" in body["method"]
    assert body["threshold"] == 5


def test_no_suppressed_cell_can_be_recovered_from_totals(released_form):
    result = table(released_form, "sex", "age")

    published = SuppressedTable(
        counts=result.counts,
        row_totals=result.row_totals,
        col_totals=result.column_totals,
        grand_total=result.total,
        primary=result.counts == SUPPRESSED,
        secondary=np.zeros_like(result.counts, dtype=bool),
    )
    assert recoverable_cells([published]) == []


def test_tables_downloaded_together_are_suppressed_together(released_form):
    tables = linked_tables(released_form, "sex", ["age", "month"])

    published = [
        SuppressedTable(
            t.counts,
            t.row_totals,
            t.column_totals,
            t.total,
            t.counts == SUPPRESSED,
            np.zeros_like(t.counts, dtype=bool),
        )
        for t in tables
    ]
    assert recoverable_cells(published) == []


def test_csv_has_a_bom_for_excel(api, project, analyst, released_form):
    response = api.as_user(analyst).get(url(project) + "?row=sex&format=csv")

    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    assert "suppressed" in response.content.decode("utf-8-sig")


def test_xlsx_has_a_sheet_per_table_and_one_explaining_suppression(
    api, project, analyst, released_form
):
    query = "?row=sex&columns=age,month&format=xlsx"
    response = api.as_user(analyst).get(url(project, "tables") + query)

    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Table 1", "Table 2", "About suppression"]


def test_labels_in_another_language(api, project, analyst, released_form):
    body = api.as_user(analyst).get(url(project) + "?row=sex&language=English (en)").json()

    assert set(body["rows"]) <= {"Female", "Male", "(no answer)"}
    assert body["row_codes"]


def test_records_export_streams_released_anonymised_records(api, project, analyst, released_form):
    microdata_approve(latest_approved(released_form))
    response = api.as_user(analyst).get(url(project, "records.csv"))

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert len(lines) == 13  # header + 12 released
    assert "Ahmad" not in text
    assert "uuid:" not in text
    assert "full_name" not in lines[0]


def test_records_export_has_every_column_any_released_record_has(
    api, project, analyst, released_form
):
    """Columns came from the first 200 records only: an answer that only later records carry (a
    newer version's question) was silently left out. The columns a release stores when it is
    frozen come from every record. Repeats read "N row(s)" on PostgreSQL too."""
    model = ReleasedRecord.objects.first()
    ReleasedRecord.objects.bulk_create(
        ReleasedRecord(
            release=model.release,
            record_id=uuid.uuid4(),
            version=model.version,
            month=model.month,
            data={"sex": "male"} if n < 200 else {"later_question": "yes"},
        )
        for n in range(201)
    )
    columns_store(model.release)  # as freeze() does once the records are in
    microdata_approve(model.release)

    response = api.as_user(analyst).get(url(project, "records.csv"))

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header = text.splitlines()[0].split(",")
    assert "later_question" in header
    assert header.index("sex") < header.index("later_question")  # asked order, unknown last
    assert "2 row(s)" in text  # the household repeat, counted


def test_unknown_variable_is_a_400(api, project, analyst, released_form):
    assert api.as_user(analyst).get(url(project) + "?row=nope").status_code == 400


def test_a_multi_select_cannot_be_the_column_of_a_table(api, project, analyst, released_form):
    """Crossing by a multi-select used to give columns labelled with JSON lists; it is the row
    (counting mentions) or nothing."""
    as_column = api.as_user(analyst).get(url(project) + "?row=sex&column=needs")
    as_row = api.as_user(analyst).get(url(project) + "?row=needs&column=sex")

    assert as_column.status_code == 400
    assert as_column.json()["code"] == "table.refused"
    assert as_row.status_code == 200
    assert all("[" not in label for label in as_row.json()["columns"])


def test_variables_list(api, project, analyst, released_form):
    keys = {v["key"] for v in api.as_user(analyst).get(url(project, "variables")).json()}

    assert {"sex", "age", "legal_status", "needs", "network", "month"} <= keys
    assert "full_name" not in keys
    assert "story" not in keys


def test_dashboard_page(client, project, analyst, released_form):
    client.force_login(analyst)

    response = client.get(f"/projects/{project.pk}/results/privacy_test/")

    assert response.status_code == 200
    assert b"chart-sex" in response.content
    assert b"hidden" in response.content


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("outsider", 404), ("form_manager", 403), ("analyst", 200), ("dpo", 200)],
)
def test_dashboard_access(client, request, project, released_form, persona, expected):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(f"/projects/{project.pk}/results/").status_code == expected


def test_dashboard_reads_the_form_rules_once(client, project, analyst, released_form):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(analyst)
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/projects/{project.pk}/results/privacy_test/")

    rule_reads = [q for q in queries.captured_queries if 'FROM "forms_privacyrule"' in q["sql"]]
    assert len(rule_reads) == 1  # one version, its rules read once for all ten charts
