"""Row-level microdata is a DPO decision per release, with its own risk report: k over the
dimensions (service point, country, National Society, networks, month) and the quasi-
identifiers, distinct l-diversity >= 2 on sensitive questions. Analysts get records.csv only for
a release whose microdata a DPO approved, without the records the report left out, and a
withheld value reads differently from a missing answer. Before, records.csv was open to every
analyst, and `?service_point=` returned the single record of a small service point."""

import csv
import io

import numpy as np
import pytest

from audit.models import AuditEvent
from privacy.disclosure.microdata import class_risk, class_sizes, microdata_risk
from privacy.models import ReleasedRecord
from privacy.review import latest_approved
from tests.factories import ServicePointFactory

pytestmark = pytest.mark.django_db


def test_the_risk_of_a_small_file_is_k_over_dimensions_and_quasi_identifiers_and_l():
    """Six records: five alike at service point A, one alone at B with the same answers."""
    points = ["A"] * 5 + ["B"]
    months = ["2026-10"] * 6
    sex = ["f", "f", "f", "f", "f", "f"]
    status = ["asylum", "refugee", "asylum", "asylum", "asylum", "asylum"]

    risk = microdata_risk([points, months, sex], {"status": status}, k=5)

    assert risk.k_before == 1  # the record alone at B: unique once B is known
    assert risk.below_k == 1
    assert risk.l_before == {"status": 1}  # B's class has one answer
    assert risk.below_l == {"status": 1}
    assert risk.excluded.tolist() == [False] * 5 + [True]
    assert (risk.in_file, risk.k_after, risk.l_after) == (5, 5, {"status": 2})


def test_l_below_two_leaves_a_class_out_even_when_k_holds():
    risk = microdata_risk([["A"] * 5], {"status": ["asylum"] * 5}, k=5)

    assert risk.k_before == 5
    assert risk.below_l == {"status": 5}
    assert risk.in_file == 0
    nobody_answered = microdata_risk([["A"] * 5], {"status": [None] * 5}, k=5)
    assert nobody_answered.in_file == 5  # no answer in the class: nothing to disclose


def test_a_withheld_value_and_a_missing_answer_are_different_values():
    keys = np.array([[0, -1], [0, -1], [0, 1], [0, 1]])
    assert class_sizes(keys).tolist() == [2, 2, 2, 2]
    risk = microdata_risk([["A"] * 4, ["[withheld]", None, None, "[withheld]"]], {}, k=2)
    assert risk.in_file == 4
    risk = microdata_risk([["A"] * 3, ["[withheld]", None, None]], {}, k=2)
    assert risk.excluded.tolist() == [True, False, False]


def test_the_database_path_counts_classes_as_the_record_path_does():
    """PostgreSQL counts classes itself (class_risk); SQLite codes records (microdata_risk)."""
    points = ["A"] * 5 + ["B"] * 2 + ["C"] * 6
    status = ["x", "y", "x", "x", "x", "x", "x", "x", "x", "x", "x", "x", None]
    by_record = microdata_risk([points], {"status": status}, k=5)

    by_class = class_risk(np.array([5, 2, 6]), {"status": np.array([2, 1, 1])}, k=5)

    assert by_class.as_dict() == {**by_record.as_dict(), "excluded": 2}  # classes, not records
    assert by_record.as_dict()["excluded"] == 8


def test_class_sizes_count_identical_rows_even_past_int64_codes():
    """Many wide columns force the mixed-radix code to be renumbered on the way."""
    rng = np.random.default_rng(7)
    keys = rng.integers(-1, 3, size=(500, 8)) * np.array([1, 10**6, 1, 10**6, 1, 10**6, 1, 10**6])
    keys[keys < 0] = -1

    _, inverse, counts = np.unique(keys, axis=0, return_inverse=True, return_counts=True)
    assert class_sizes(keys).tolist() == counts[inverse.reshape(-1)].tolist()


@pytest.fixture
def release(released_form):
    """The twelve released records made reviewable: six men and five women in their thirties,
    one woman of 71. The women's age was withheld by disclosure control; each group gave two
    different legal statuses; one man sits alone at a service point of his own; one record did
    not answer 'needs'."""
    release = latest_approved(released_form)
    alone = ServicePointFactory(project=released_form.project, name="Tiny helpline")
    thirties = [
        row
        for row in ReleasedRecord.objects.filter(release=release).order_by("id")
        if row.data["age"] == "30-39"
    ]
    men = [row for row in thirties if row.data["sex"] == "male"]
    women = [row for row in thirties if row.data["sex"] == "female"]
    assert (len(men), len(women)) == (6, 5)
    for group in (men, women):
        for index, row in enumerate(group):
            row.data["legal_status"] = ("asylum", "refugee")[index % 2]
    for row in women:
        row.data.pop("age")
        row.suppressed = ["age"]
    men[-1].service_point = alone
    men[0].data.pop("needs")
    for row in thirties:
        row.save()
    return release


def records_url(project, query=""):
    return f"/api/v1/projects/{project.pk}/forms/privacy_test/results/records.csv{query}"


def microdata_url(project, release):
    return f"/api/v1/projects/{project.pk}/forms/privacy_test/releases/{release.pk}/microdata"


def csv_rows(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_analyst_is_refused_records_until_a_dpo_approves_microdata(
    api, project, analyst, dpo, release
):
    refused = api.as_user(analyst).get(records_url(project))

    assert refused.status_code == 403
    assert refused.json()["code"] == "microdata.not_approved"
    assert "tables only" in refused.json()["detail"]

    report = api.as_user(dpo).get(microdata_url(project, release)).json()
    assert report["records"] == 12
    assert report["k"] == 5
    assert report["below_k"] == 2  # the woman of 71, the man alone at his service point
    assert report["in_file"] == 10
    assert report["k_after"] == 5
    assert report["withheld_marker"] == "[withheld]"
    assert {"service_point", "country", "month"} <= set(report["dimensions"])

    approved = api.as_user(dpo).post(
        microdata_url(project, release), {"reason": "analysis by age group"}, format="json"
    )
    assert approved.status_code == 200, approved.json()
    event = AuditEvent.objects.get(action="microdata.approve")
    assert event.reason == "analysis by age group"
    assert event.details["in_file"] == 10

    served = api.as_user(analyst).get(records_url(project))
    assert served.status_code == 200
    assert "[withheld]" in served["X-Waypoint-Note"]
    rows = csv_rows(served)
    assert len(rows) == 10
    assert sum(row["age"] == "[withheld]" for row in rows) == 5  # withheld, not empty
    assert sum(row["needs"] == "" for row in rows) == 1  # not answered: empty
    assert not any(row["age"] == "70-79" for row in rows)  # the one alone never leaves


def test_a_service_point_filter_never_returns_a_record_alone_at_its_service_point(
    api, project, analyst, dpo, release
):
    api.as_user(dpo).post(microdata_url(project, release), {"reason": "r"}, format="json")

    alone = api.as_user(analyst).get(records_url(project, "?service_point=Tiny helpline"))

    assert alone.status_code == 200
    assert csv_rows(alone) == []


def test_microdata_approval_needs_a_reason_and_happens_once(api, project, dpo, release):
    url = microdata_url(project, release)

    no_reason = api.as_user(dpo).post(url, {"reason": " "}, format="json")
    assert no_reason.status_code in (400, 409)
    assert api.as_user(dpo).post(url, {"reason": "r"}, format="json").status_code == 200
    again = api.as_user(dpo).post(url, {"reason": "r"}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "microdata.refused"


def test_analysts_cannot_approve_microdata(api, project, analyst, release):
    response = api.as_user(analyst).post(
        microdata_url(project, release), {"reason": "r"}, format="json"
    )

    assert response.status_code == 403
    assert latest_approved(release.form).microdata_approved_at is None


def test_the_microdata_page_shows_the_report_and_approves(client, project, dpo, release):
    client.force_login(dpo)
    url = f"/projects/{project.pk}/privacy/privacy_test/releases/{release.pk}/microdata"

    page = client.get(url).content.decode()
    assert "Not approved" in page
    assert 'id="microdata-approve"' in page

    client.post(url, {"reason": "strategy annex"})

    page = client.get(url).content.decode()
    assert "strategy annex" in page
    assert 'id="microdata-approve"' not in page


def test_a_record_id_ending_in_a_zero_byte_is_left_out_by_its_own_id(release):
    """Record ids pass through numpy as 16 bytes, which drops trailing zero bytes."""
    import uuid

    from privacy.review import microdata_report

    alone = ReleasedRecord.objects.get(release=release, data__age="70-79")
    alone.record_id = uuid.UUID(bytes=b"\x07" * 14 + b"\x00\x00")
    alone.save(update_fields=["record_id"])

    assert str(alone.record_id) in microdata_report(release)["excluded_ids"]
