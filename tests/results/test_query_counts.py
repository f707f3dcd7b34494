"""Results answer in a fixed number of queries however many records a release holds: counting
runs in the database, never one query per record, service point or chart (a release may hold a
million records; see the targets in docs/design). Each count is measured at 3 and at 30
released records, spread over three service points, and must be the same."""

import pytest
from django.db import connection

from tests.factories import (
    AnonymisedRecordFactory,
    DeviceFactory,
    ReleaseFactory,
    SubmissionFactory,
    microdata_approve,
)
from tests.samples import privacy_instance

pytestmark = pytest.mark.django_db

# Measured on SQLite and PostgreSQL; sign-in (token or session) and the project, form, version,
# rule and membership reads are included. A change that makes a count grow with the data fails
# at 30 records; a change that merely adds a fixed query fails here and should say why.
# Each answer also reads the current release once and writes its download's audit event (3
# queries: the chain's lock, the previous event's hash, the insert).
# token, user, project, membership, form, version, rules, release, its lattice, the names of
# its tables, one read per table of the lattice used (row, column, their pair, record totals;
# cached per process afterwards: a built lattice never changes), audit (3). Nothing is counted.
TABLE_QUERIES = 18
TABLES_XLSX_QUERIES = 18  # as a table; age by month is read from age's table
# The records, streamed: their columns are stored on the release when it was frozen, so no
# query looks for them (two did: every record's keys, the questions' order). PostgreSQL writes
# the CSV lines in SQL through a server-side cursor (on the raw connection, so not counted) opened
# in a transaction:
# here a SAVEPOINT and its RELEASE. The release is the one the tables read (its lattice looked
# up: records follow the tables' release), then its microdata report.
# On PostgreSQL also SET LOCAL jit = off (compiling the wide query delayed the first row).
EXPORT_QUERIES = {"sqlite": 11, "postgresql": 13}
# session, user, access, rules and release once, the release's lattice and table names, one
# read per lattice table charted (cached per process afterwards), audit (3), the page's form
# and version lists, and the interface language on the account (a browser without the
# switch's cookie). Whether a newer release is being built comes with the release read.
DASHBOARD_QUERIES = 27


@pytest.fixture
def release_more(project, privacy_form, dpo):
    """``release_more(n)``: n more records of the privacy form, anonymised and released, from
    three service points (so a per-service-point query would show)."""
    devices = [DeviceFactory(project=project) for _ in range(3)]
    made = []

    def release(n: int) -> int:
        records = []
        for i in range(len(made), len(made) + n):
            sex = ("male", "female")[i % 2]
            xml = privacy_instance(f"uuid:q{i}", age=str(20 + i % 50), sex=sex)
            submission = SubmissionFactory(version=privacy_form, xml=xml, device=devices[i % 3])
            records.append(AnonymisedRecordFactory(submission=submission))
        made.extend(records)
        release = ReleaseFactory(form=privacy_form.form, records=made, approved_by=dpo)  # all
        microdata_approve(release)
        return len(made)

    return release


def results(project, path: str) -> str:
    return f"/api/v1/projects/{project.pk}/forms/privacy_test/results/{path}"


def test_a_results_table_takes_the_same_queries_for_3_and_30_records(
    api, project, analyst, release_more, django_assert_num_queries
):
    analyst_api = api.as_user(analyst)
    for more in (3, 27):
        total = release_more(more)
        with django_assert_num_queries(TABLE_QUERIES):
            body = analyst_api.get(results(project, "table?row=sex&column=age")).json()
        assert body["total"] in (None, total)  # a small total is withheld


def test_linked_tables_as_xlsx_take_the_same_queries_for_3_and_30_records(
    api, project, analyst, release_more, django_assert_num_queries
):
    analyst_api = api.as_user(analyst)
    query = "tables?row=sex&columns=age,month&format=xlsx"
    for more in (3, 27):
        release_more(more)
        with django_assert_num_queries(TABLES_XLSX_QUERIES):
            response = analyst_api.get(results(project, query))
        assert response.status_code == 200


def test_the_records_export_takes_the_same_queries_for_3_and_30_records(
    api, project, analyst, release_more, django_assert_num_queries
):
    analyst_api = api.as_user(analyst)
    for more in (3, 27):
        total = release_more(more)
        with django_assert_num_queries(EXPORT_QUERIES[connection.vendor]):
            response = analyst_api.get(results(project, "records.csv"))
            lines = b"".join(response.streaming_content).decode("utf-8-sig").strip().splitlines()
        assert len(lines) == 1 + total


def test_the_dashboard_takes_the_same_queries_for_3_and_30_records(
    client, project, analyst, release_more, django_assert_num_queries
):
    client.force_login(analyst)
    client.get(f"/projects/{project.pk}/results/")  # the session's first save is not counted
    for more in (3, 27):
        release_more(more)
        with django_assert_num_queries(DASHBOARD_QUERIES):
            response = client.get(f"/projects/{project.pk}/results/privacy_test/")
        assert response.status_code == 200
        assert b"chart-sex" in response.content
