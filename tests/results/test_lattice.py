"""A release publishes one protected table lattice: whatever tables, filters, levels and formats
an analyst combines, no withheld count comes back or narrows below the threshold (issue 13)."""

import io
import os

import openpyxl
import pytest

from results.lattice.store import built
from results.models import Lattice
from results.tables import linked_tables, table
from tests.results.lattice_attack import Attack, published_cells, published_questions
from tests.results.lattice_release import library_release, synthetic_release

pytestmark = pytest.mark.django_db


@pytest.fixture
def release(privacy_form, dpo):
    return synthetic_release(privacy_form, dpo)


def url(project, path="table"):
    return f"/api/v1/projects/{project.pk}/forms/privacy_test/results/{path}"


def test_no_withheld_cell_narrows_below_the_threshold_whatever_is_combined(privacy_form, dpo):
    """Every cell of every table at every place and period level, pairs and margins included,
    solved together: each withheld cell keeps an interval at least 5 wide."""
    release = synthetic_release(privacy_form, dpo, records=150, small=True)
    lattice = built(release)
    attack = Attack(lattice).build()

    assert len(published_questions(lattice)) >= 3  # not an attack on an empty release
    assert attack.check_published(5) == []
    assert attack.hidden  # the synthetic release has small cells to protect
    assert attack.narrowed(5) == []


def test_the_larger_release_holds_against_the_attack_on_a_sample_of_its_cells(release):
    """Seven service points, five months, skewed answers: every published number enters the
    attack, a spread sample of withheld cells is solved (WAYPOINT_FULL_ATTACK=1: all).

    Its December (12 visits at all places) and its smallest places have record totals no box
    protects: the months and Greece's service points are withheld whole, and the questions are
    published at the coarser levels (before, the release published nothing at all)."""
    lattice = built(release)
    attack = Attack(lattice).build()

    assert len(published_questions(lattice)) >= 5
    for level in [("all", "all"), ("network", "year"), ("country", "quarter")]:
        assert published_cells(lattice, *level) > 0, level
    assert "quarter:2025-Q4" in lattice.report["coarsened"]["time"]  # December's quarter
    assert attack.check_published(5) == []
    if not os.environ.get("WAYPOINT_FULL_ATTACK"):
        attack.hidden = attack.hidden[:: max(1, len(attack.hidden) // 150)]
    assert attack.narrowed(5) == []


def test_nothing_small_is_published_anywhere(release):
    lattice = built(release)
    for row in lattice.cubes.values_list("cells", flat=True):
        import numpy as np

        cells = np.frombuffer(bytes(row), np.int32)
        assert not ((cells > 0) & (cells < 5)).any()


def test_a_month_range_that_is_not_a_published_period_is_refused(api, project, analyst, release):
    """Month differencing: "all months" minus "until November" was a hidden month."""
    client = api.as_user(analyst)

    refused = client.get(url(project) + "?row=sex&since=2025-11&until=2026-01").json()
    whole = client.get(url(project) + "?row=sex&until=2026-03")
    quarter = client.get(url(project) + "?row=sex&since=2026-01&until=2026-03")

    assert refused["code"] == "results.range_not_published"
    assert "2026-Q1" in refused["detail"]
    assert whole.status_code == 200
    assert quarter.status_code == 200


def test_service_point_and_country_come_from_one_protected_lattice(release):
    """Hierarchy differencing: a country minus its big service point was a small island."""
    from results.released import Filters

    country = table(release.form, "legal_status", filters=Filters(country="FR"), release=release)
    point = table(
        release.form,
        "legal_status",
        filters=Filters(service_point="Nice helpline"),
        release=release,
    )

    assert (
        country.as_dict()["cells"] == point.as_dict()["cells"]
    )  # the same node, never a difference
    assert all(v is None or v == 0 or v >= 5 for row in country.as_dict()["cells"] for v in row)


def test_multi_select_respondents_are_withheld_like_any_cell(release):
    from results.released import Filters

    small = table(release.form, "needs", filters=Filters(service_point="Samos"), release=release)

    body = small.as_dict()
    assert "withheld for privacy respondents answered" in body["notes"][0]
    assert body["total"] is None
    assert body["withheld"]["total"]


def test_two_tables_sharing_a_row_variable_leak_nothing_together(release):
    """Downloaded separately or together, they are cells of one lattice (the attack above
    covers all of them at once; here the cells shared by both are the same numbers)."""
    age_by_sex, status_by_sex = linked_tables(
        release.form, "sex", ["age", "legal_status"], release=release
    )
    alone = table(release.form, "sex", "age", release=release)

    assert age_by_sex.as_dict()["row_totals"] == status_by_sex.as_dict()["row_totals"]
    assert alone.as_dict()["cells"] == age_by_sex.as_dict()["cells"]


def test_withheld_is_never_shown_as_no_answer(api, project, analyst, release):
    client = api.as_user(analyst)

    body = client.get(url(project) + "?row=age&service_point=Zarzis").json()
    csv = client.get(url(project) + "?row=age&service_point=Zarzis&format=csv").content.decode()
    xlsx = client.get(url(project) + "?row=age&service_point=Zarzis&format=xlsx").content

    withheld = [r for r, w in zip(body["rows"], body["withheld"]["cells"], strict=True) if w[0]]
    assert withheld
    assert "(no answer)" not in withheld
    assert "[withheld]" in csv
    assert csv.count("neither zero nor missing") == 1  # explained once per file
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    sheet = list(book["Table 1"].iter_rows(values_only=True))
    cells = [row[:3] for row in sheet[2 : 2 + len(body["rows"])]]
    assert any("[withheld]" in row for row in cells)
    assert all(None not in row for row in cells)  # never an empty cell that reads as zero
    about = [c for row in book["About suppression"].iter_rows(values_only=True) for c in row if c]
    assert "Withheld" in about  # the utility report, per table and level
    assert "Primary" not in about  # which withheld cells are small is the DPO's to know


def test_an_unknown_filter_value_is_refused_naming_what_exists(api, project, analyst, release):
    body = api.as_user(analyst).get(url(project) + "?row=sex&country=ZZ").json()

    assert body["code"] == "results.unknown_filter_value"
    assert "FR" in body["detail"]
    assert "TN" in body["detail"]


def test_filters_offer_what_the_release_has(api, project, analyst, release):
    options = api.as_user(analyst).get(url(project, "filters")).json()

    assert {o["value"] for o in options["country"]} == {"FR", "GR", "IT", "TN"}
    assert {o["value"] for o in options["quarter"]} == {"2025-Q4", "2026-Q1"}
    assert {o["label"] for o in options["network"]} == {"MENA", "PERCO"}


def test_the_dpo_sees_what_protection_cost(api, project, dpo, release):
    report = api.as_user(dpo).get(url(project, "lattice")).json()

    assert report["release"] == release.pk
    assert report["building"] is None
    sex = next(t for t in report["report"]["tables"] if t["table"] == "sex")
    levels = {(lv["geography"], lv["time"]): lv for lv in sex["levels"]}
    assert levels[("service_point", "month")]["primary"] > 0
    assert levels[("all", "all")]["primary"] < levels[("service_point", "month")]["primary"]


def test_analysts_see_how_much_was_withheld_but_not_which_cells_are_small(
    api, project, analyst, release
):
    """Review finding: "primary: 2" for two withheld cells summing to 5 put both in 1-4."""
    report = api.as_user(analyst).get(url(project, "lattice")).json()

    sex = next(t for t in report["report"]["tables"] if t["table"] == "sex")
    assert all(set(level) == {"geography", "time", "cells", "withheld"} for level in sex["levels"])
    assert any(level["withheld"] > 0 for level in sex["levels"])


def test_a_cross_tabulation_below_the_pair_levels_is_refused(api, project, analyst, release):
    body = api.as_user(analyst).get(url(project) + "?row=sex&column=age&service_point=Sfax").json()

    assert body["code"] == "results.table_not_published"


def test_an_approval_builds_the_lattice_and_analysts_read_the_older_one_meanwhile(
    privacy_form, dpo, release
):
    """While a release that only added records is computed (see test_lattice_status for one
    that removed records: then nothing is read)."""
    from results.released import current_release, release_building

    newer = synthetic_release(privacy_form, dpo, records=40, seed=3)
    newer.risk = {"since": {"base": release.pk, "added": 40, "changed": 0, "removed": 0}}
    newer.save(update_fields=["risk"])
    Lattice.objects.filter(release=newer).update(state=Lattice.State.BUILDING)

    assert current_release(privacy_form.form) == release
    assert release_building(privacy_form.form) == newer


def test_the_library_questionnaire_holds_against_the_attack_on_a_sample(project, dpo):
    """Its real questions (selects, multi-selects, rankings): every published number enters the
    attack, a spread sample of withheld cells is solved (WAYPOINT_FULL_ATTACK=1: all)."""
    release = library_release(project, dpo)
    attack = Attack(built(release)).build()

    assert attack.check_published(5) == []
    if not os.environ.get("WAYPOINT_FULL_ATTACK"):
        attack.hidden = attack.hidden[:: max(1, len(attack.hidden) // 100)]
    assert attack.narrowed(5) == []


def test_a_threshold_raised_after_approval_withholds_the_older_tables(
    api, project, analyst, release
):
    """Review finding: tables read a lattice protected at 5 while saying "fewer than 10 are
    suppressed" after the DPO raised the threshold to 10; cells of 5-9 kept being served."""
    project.cell_threshold = 10
    project.save(update_fields=["cell_threshold"])

    body = api.as_user(analyst).get(url(project) + "?row=sex").json()

    assert body["cells"] == []
    assert body["threshold"] == 10
    assert any("raised" in note for note in body["notes"])


def test_a_table_without_a_row_variable_is_refused_naming_the_variables(
    api, project, analyst, release
):
    """Found by the schema fuzzer: ?row= (empty) answered 500."""
    body = api.as_user(analyst).get(url(project) + "?row=").json()

    assert body["code"] == "table.unknown_variable"
    assert "sex" in body["available"]
