"""Two questions are cross-tabulated at the levels the DPO chose for pairs (issue 13), frozen into
a release's lattice when it is computed: a change applies from the next release, and finer pair
levels are protected jointly with everything else."""

import pytest

from results.lattice.store import built
from tests.results.lattice_attack import Attack
from tests.results.lattice_release import synthetic_release

pytestmark = pytest.mark.django_db


def url(project, query):
    return f"/api/v1/projects/{project.pk}/forms/privacy_test/results/table?{query}"


def choose(project, geography: str, time: str) -> None:
    project.pair_geography, project.pair_time = geography, time
    project.save(update_fields=["pair_geography", "pair_time"])


def test_by_default_pairs_are_published_by_country_and_year(privacy_form, dpo):
    release = synthetic_release(privacy_form, dpo, records=60, small=True)

    assert built(release).pair_levels == [["all", "country"], ["all", "year"]]


def test_pairs_at_service_points_and_months_once_the_dpo_chose_them(
    api, project, analyst, dpo, privacy_form
):
    choose(project, "service_point", "month")
    release = synthetic_release(privacy_form, dpo, records=150, small=True)
    client = api.as_user(analyst)

    at_point = client.get(url(project, "row=sex&column=age&service_point=Lampedusa&month=2026-01"))
    at_quarter = client.get(url(project, "row=sex&column=age&quarter=2026-Q1"))

    assert built(release).pair_levels == [["all", "service_point"], ["all", "month"]]
    assert at_point.status_code == 200, at_point.json()
    assert at_point.json()["column_variable"] == "age"
    assert at_quarter.json()["code"] == "results.table_not_published"  # not a chosen level


def test_a_change_of_pair_levels_waits_for_the_next_release(
    api, client, project, analyst, dpo, privacy_form
):
    """The built lattice keeps the levels it was computed with; the sign-off page says which,
    and that the project's new choice applies from the next approved release."""
    release = synthetic_release(privacy_form, dpo, records=60, small=True)
    choose(project, "all", "all")

    by_country = api.as_user(analyst).get(url(project, "row=sex&column=age&country=IT"))
    client.force_login(dpo)
    signoff = client.get(
        f"/projects/{project.pk}/privacy/privacy_test/releases/{release.pk}/signoff"
    ).content.decode()

    assert by_country.status_code == 200  # still the release's own levels
    assert "Countries and all places; Years and all time" in signoff
    assert "All places only; All time only" in signoff
    assert "applies from the next approved release" in signoff


def test_finer_pair_levels_hold_against_the_interval_attack(project, privacy_form, dpo):
    """Service points by months: every pair cell enters the attack with all the tables; each
    withheld cell keeps an interval at least the threshold wide."""
    choose(project, "service_point", "month")
    release = synthetic_release(privacy_form, dpo, records=150, small=True)
    attack = Attack(built(release)).build()

    assert attack.check_published(5) == []
    assert attack.narrowed(5) == []
