"""The tables a candidate would get, before approval (issue 13), in a real browser on a 390 px
phone in Arabic and on a 1280 px screen in English: computed when the candidate was opened, the
candidate's page shows cells withheld per table (primary, secondary) above the approve button,
and a table opens on its levels; nothing wider than the screen, no serious accessibility
violation."""

import pytest

from privacy.review import release_open
from tests.factories import MembershipFactory
from tests.pages.test_responsive_pages import _check
from tests.plugins.pipeline import PEOPLE
from tests.samples import privacy_instance

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(("language", "width"), [("ar", 390), ("en", 1280)])
def test_the_dpo_reads_a_candidates_tables_before_approving(
    signed_in_tab,
    live_server,
    project,
    form_manager,
    privacy_form,
    submit,
    axe_source,
    language,
    width,
):
    MembershipFactory(user=form_manager, project=project, role="dpo")
    project.missing_values = "any"
    project.save(update_fields=["missing_values"])
    for n, (age, sex) in enumerate(PEOPLE):
        submit(privacy_instance(f"uuid:page{n}", age=age, sex=sex))
    candidate = release_open(form=privacy_form.form, user=form_manager)
    page = signed_in_tab(form_manager, language, width)
    problems: list[str] = []

    page.goto(
        f"{live_server.url}/projects/{project.pk}/privacy/privacy_test/releases/{candidate.pk}"
    )
    page.locator("#lattice-candidate-report").wait_for()  # computed when it was opened
    page.locator("#lattice-candidate-report details summary").first.click()
    _check(page, "candidate-report", language, width, axe_source, problems)
    levels = page.locator("#lattice-candidate-report details[open] li").count()
    approve = page.locator("#approve").count()

    assert problems == []
    assert levels > 0  # the records' levels: place x period
    assert approve == 1  # the report sits on the page the DPO approves from
