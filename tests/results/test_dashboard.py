"""The analyst's dashboard (issue 17): a chart for every question results offer (months as a
line), any variable analysed with counts and percentages, a pair cross-tabulated, filters as
selects of the values the release holds. Everything read from the release's published tables."""

import re

import numpy as np
import pytest

from results import charts
from results.tables import Table

pytestmark = pytest.mark.django_db


def dashboard(client, project, user, **query) -> str:
    client.force_login(user)
    response = client.get(f"/projects/{project.pk}/results/privacy_test/", query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_overview_charts_every_question_and_the_months_as_a_line(
    client, project, analyst, released_form
):
    """Finding: ten fixed charts; months drawn as bars, several questions never charted."""
    html = dashboard(client, project, analyst)

    for key in ("age", "sex", "legal_status", "needs", "country"):
        assert f'id="chart-{key}"' in html
    assert 'class="chart chart-line" id="chart-month"' in html
    assert 'class="chart chart-mentions" id="chart-needs"' in html


def test_one_variable_is_analysed_with_counts_and_percentages(
    client, project, analyst, released_form
):
    html = dashboard(client, project, analyst, row="sex")

    table = re.search(r'<table id="frequencies">(.*?)</table>', html, re.S).group(1)
    assert re.search(r"Male</th><td>6</td><td>50.0%</td>", table)
    assert '<option value="sex" selected>Sex</option>' in html


def test_a_pair_is_cross_tabulated_with_shares_of_each_row(client, project, analyst, released_form):
    """Finding: no variable picker, no cross-tabulation, no percentages."""
    html = dashboard(client, project, analyst, row="sex", column="country")

    table = re.search(r'<table id="crosstab">(.*?)</table>', html, re.S).group(1)
    assert "IT" in table
    assert re.search(r"Female</th><td>6 <span class=\"muted\">\(100.0%\)</span></td>", table)
    assert 'class="chart chart-stacks"' in html


def test_a_table_the_release_does_not_publish_says_why(
    client, project, analyst, released_form, monkeypatch
):
    from lib.problems import Problem
    from results import dashboard as board

    def refuse(*args, **kwargs):
        raise Problem("table.refused", "This pair is not in the release's protected tables.")

    monkeypatch.setattr(board, "table", refuse)
    html = dashboard(client, project, analyst, row="sex", column="legal_status")

    assert 'id="crosstab"' not in html
    assert "not in the release&#x27;s protected tables" in html  # a reason, not an error page


def test_filters_are_selects_of_the_values_the_release_holds(
    client, project, analyst, released_form
):
    """Finding: filters were free-text boxes, where a typo read as "no data"."""
    html = dashboard(client, project, analyst, country="IT")

    select = re.search(r'<select name="country">(.*?)</select>', html, re.S).group(1)
    assert '<option value="IT" selected>IT</option>' in select
    assert '<input name="country"' not in html


def test_a_withheld_share_is_not_drawn_as_a_guess():
    table = Table(
        title="t",
        row_variable="a",
        column_variable="b",
        rows=["x", "y"],
        columns=["p", "q"],
        row_codes=["x", "y"],
        column_codes=["p", "q"],
        counts=np.array([[6, 4], [-1, 7]]),
        row_totals=np.array([10, -1]),
        column_totals=np.array([-1, 11]),
        total=-1,
        threshold=5,
    )

    first, second = charts.stacks(table)

    assert [s.percent for s in first.segments] == [60.0, 40.0]
    assert second.withheld
    assert second.segments == []


def test_a_withheld_month_breaks_the_line_rather_than_dropping_to_zero():
    drawn = charts.line(["2026-01", "2026-02", "2026-03", "2026-04"], [10, None, 8, 12])

    assert len(drawn.segments) == 2
    assert drawn.dots[1][3] is None


RANKED = {
    "survey": [
        ["type", "name", "label::English (en)", "privacy"],
        ["rank need", "priorities", "What do you need most?", "keep"],
    ],
    "choices": [
        ["list_name", "name", "label::English (en)"],
        ["need", "food", "Food"],
        ["need", "shelter", "Shelter"],
        ["need", "health", "Health"],
    ],
    "settings": [["form_id", "version"], ["ranked", "1"]],
}


def test_a_ranking_is_charted_by_top_choice_and_mean_rank(
    client, project, analyst, dpo, device, settings
):
    """Finding: the ranking was never charted."""
    from forms.services import form_upload
    from tests.factories import (
        AnonymisedRecordFactory,
        ReleaseFactory,
        SubmissionFactory,
        rules_approve,
    )
    from tests.xlsform import xlsx

    settings.WAYPOINT_ODK_VALIDATE = "false"
    version = form_upload(project=project, filename="r.xlsx", data=xlsx(RANKED)).version
    rules_approve(version.form)
    records = [
        AnonymisedRecordFactory(
            submission=SubmissionFactory(
                version=version,
                device=device,
                xml=(
                    f'<data id="ranked" version="1"><priorities>food shelter health</priorities>'
                    f"<meta><instanceID>uuid:rank{n}</instanceID></meta></data>"
                ).encode(),
            )
        )
        for n in range(6)
    ]
    ReleaseFactory(form=version.form, records=records, approved_by=dpo)
    client.force_login(analyst)

    html = client.get(f"/projects/{project.pk}/results/ranked/").content.decode()

    chart = re.search(
        r'<section class="chart chart-rank" id="chart-priorities">(.*?)</section>', html, re.S
    )
    assert chart, "the ranking has a chart of its own"
    assert "Food" in chart.group(1)
    assert "Average rank:" in chart.group(1)


def test_an_unknown_filter_value_is_a_message_on_the_page_naming_what_exists(
    client, project, analyst, released_form
):
    """Issue 13: "an unknown value is a clear message, on the page as in the API" (it used to
    show "No released records." on every chart); and it is said once on the page, not once per
    chart (it was repeated six times), in the overview as when one variable is analysed."""
    html = dashboard(client, project, analyst, country="ZZ")
    analysed = dashboard(client, project, analyst, country="ZZ", row="sex")

    message = "&#x27;ZZ&#x27; is not in this release. Available: IT"  # what it has
    assert "No released records." not in html
    assert html.count(message) == 1
    assert html.count('class="box error filter-problem"') == 1
    assert analysed.count(message) == 1
    assert "Back to the overview" in analysed
