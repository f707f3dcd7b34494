"""A release whose tables failed to be computed, in a real browser on a 390 px phone in Arabic
and on a 1280 px screen in English: the DPO's release page shows the error and a retry button
that a finger can tap, the analyst's results page says results are being rebuilt; nothing wider
than the screen, no serious accessibility violation."""

import pytest

from tests.factories import MembershipFactory
from tests.pages.test_responsive_pages import _check
from tests.results.lattice_release import newer_release

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(("language", "width"), [("ar", 390), ("en", 1280)])
def test_a_failed_computation_on_the_dpos_and_the_analysts_pages(
    signed_in_tab, live_server, project, form_manager, released_form, axe_source, language, width
):
    for role in ("dpo", "analyst"):
        MembershipFactory(user=form_manager, project=project, role=role)
    _, newer = newer_release(released_form, form_manager, removed=1)
    page = signed_in_tab(form_manager, language, width)
    problems: list[str] = []

    page.goto(f"{live_server.url}/projects/{project.pk}/privacy/privacy_test/releases/{newer.pk}")
    page.locator("#lattice-retry").wait_for()
    _check(page, "failed-release", language, width, axe_source, problems)
    error = page.inner_text("#lattice-error")
    page.goto(f"{live_server.url}/projects/{project.pk}/results/privacy_test/")
    _check(page, "results-rebuilding", language, width, axe_source, problems)
    rebuilding = page.inner_text("#results-rebuilding")

    assert problems == []
    assert "lattice too large" in error
    assert str(newer.pk) in rebuilding
