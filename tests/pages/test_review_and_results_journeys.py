"""Two journeys in a real browser, on a 390 px phone and a 1280 px screen, in English and in
Arabic (issue 17):

- the data protection officer approves a proposed rule set, opens a release candidate, reads
  its records, withholds one and undoes it without losing the review, approves, and approves a
  row-level records file;
- the analyst opens Results from the home page, reads the overview, cross-tabulates two
  variables filtered by a select, and downloads the labelled records with their repeats.

No page is wider than the screen at any step. Selectors are ids, never English text, so the
same steps run in Arabic. Screenshots go to docs/screenshots/ (journey-step-language-width)."""

import io
import zipfile
from pathlib import Path

import pytest

from forms.models import PrivacyRuleSet
from privacy.models import Release, ReleasedRecord
from privacy.review import latest_approved
from tests.factories import microdata_approve
from tests.plugins.browser import CHROMIUM_ARGS, DOCS_SCREENSHOTS
from tests.samples import privacy_instance

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct horse battery staple"
VIEWS = [("en", 1280), ("en", 390), ("ar", 390), ("ar", 1280)]
assert CHROMIUM_ARGS  # the browser fixture launches Debian's Chromium with these


@pytest.fixture
def tab(browser, live_server, request):
    """A tab at the parametrised width, in the parametrised interface language."""
    language, width = request.param
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="en-GB")
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15000)
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.view = f"{language}-{width}"
    yield page
    context.close()
    assert violations == [], "pages broke the Content-Security-Policy"


def sign_in(page, url: str, user) -> None:
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{url}/")


def shot(page, name: str) -> None:
    """What the screen shows (not the whole page: a candidate of many records is long)."""
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_SCREENSHOTS / f"journey-{name}-{page.view}.png"))


AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"


def fits(page, step: str) -> None:
    """No sideways scrolling: the page is no wider than the screen, in either direction; and,
    where axe-core is installed (tests/pages/package.json), no serious or critical
    accessibility violation."""
    page.wait_for_load_state("load")
    wide, screen = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert wide <= screen, f"{step} ({page.view}): {wide} px wide on a {screen} px screen"
    rtl = page.view.startswith("ar")
    assert page.get_attribute("html", "dir") == ("rtl" if rtl else "ltr")
    if AXE.exists():
        page.evaluate(AXE.read_text(encoding="utf-8"))
        violations = page.evaluate(
            """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
                .filter(v => ['serious', 'critical'].includes(v.impact))
                .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')))"""
        )
        assert violations == [], f"{step} ({page.view}): {violations}"


@pytest.fixture
def proposed(submit, privacy_form):
    """Twelve people in their thirties at one service point, six men and six women, the rules
    as a form manager proposed them (no release opens before a DPO approves them)."""
    PrivacyRuleSet.objects.filter(version=privacy_form).update(approved_at=None, approved_by=None)
    for n in range(12):
        sex = ("male", "female")[n % 2]
        assert submit(privacy_instance(f"uuid:jr{n}", age="34", sex=sex)).status_code == 201
    # The tablet sent the first one again, edited: a conflicting copy kept for the DPO.
    assert submit(privacy_instance("uuid:jr0", age="36", sex="male")).status_code == 201
    return privacy_form


@pytest.mark.parametrize("tab", VIEWS, indirect=True, ids=[f"{lg}-{w}" for lg, w in VIEWS])
def test_the_dpo_reviews_withholds_undoes_and_approves(tab, live_server, project, dpo, proposed):
    page, url = tab, live_server.url
    form_url = f"{url}/projects/{project.pk}/privacy/privacy_test"
    sign_in(page, url, dpo)

    page.goto(f"{form_url}/rules/1")
    page.locator("#rules-approval.warning").wait_for()
    fits(page, "rules")
    page.fill("#approve-reason", "Reviewed with the National Society")
    page.click("#rules-approval input[type=submit]")
    page.locator("#rules-approval.success").wait_for()

    page.goto(f"{form_url}/releases")
    page.click("#open-candidate input[type=submit]")
    page.locator("#candidate").wait_for()
    assert page.locator("article.record").count() == 12
    assert page.locator("article.record dd", has_text="[NAME]").count() >= 1
    fits(page, "release candidate")
    page.locator("#records-heading").scroll_into_view_if_needed()
    shot(page, "dpo-candidate")

    first = page.locator("article.record").first
    record_id = first.get_attribute("id")
    first.locator("form.withhold input[name=reason]").fill("Asked to be left out")
    first.locator("form.withhold button").click()
    page.locator(f"#{record_id}.withheld").wait_for()
    fits(page, "after withholding")
    release = Release.objects.get(state="open")
    assert release.record_count == 11  # the review stands, the record is out of it
    page.locator(f"#{record_id} button[type=submit]").click()  # undo
    page.locator(f"#{record_id}:not(.withheld) form.withhold").wait_for()

    page.click("#approve input[type=submit]")
    page.wait_for_url("**/signoff")
    fits(page, "sign-off")
    release.refresh_from_db()
    assert release.state == "approved"
    assert release.record_count == 12

    # Two legal statuses in each group, as real answers would give (the sample has one), so
    # that the records file has groups diverse enough to hold.
    seen: dict[str, int] = {}
    for row in ReleasedRecord.objects.filter(release=release).order_by("id"):
        index = seen[row.data["sex"]] = seen.get(row.data["sex"], -1) + 1
        row.data["legal_status"] = ("asylum", "refugee")[index % 2]
        row.save(update_fields=["data"])
    page.click("#signoff-microdata a")
    page.locator("#microdata-report").wait_for()
    fits(page, "microdata")
    page.fill("#reason", "Age-by-sex analysis for the strategy annex")
    page.click("#microdata-approve input[type=submit]")
    page.locator("#microdata-status.success").wait_for()
    release.refresh_from_db()
    assert release.microdata_approved_by == dpo

    page.goto(f"{form_url}/conflicts")
    fits(page, "conflicting copies")
    page.click("#conflicts a")
    page.fill("#reason", "An edited copy arrived")
    page.click("main form input[type=submit]")
    page.locator("#side-by-side tr.differs mark").first.wait_for()
    assert page.locator("#side-by-side tr.differs code", has_text="age").count() == 1
    fits(page, "side by side")
    shot(page, "dpo-conflict")


@pytest.mark.parametrize("tab", VIEWS, indirect=True, ids=[f"{lg}-{w}" for lg, w in VIEWS])
def test_the_analyst_cross_tabulates_filters_and_downloads(
    tab, live_server, project, analyst, released_form
):
    page, url = tab, live_server.url
    microdata_approve(latest_approved(released_form))
    sign_in(page, url, analyst)

    page.click(f"main a[href='/projects/{project.pk}/results/']")
    page.locator("#chart-sex").wait_for()
    assert page.locator("#chart-month.chart-line").count() == 1
    assert page.locator("#chart-needs.chart-mentions").count() == 1
    fits(page, "overview")
    shot(page, "results-overview")

    page.select_option("#row", "sex")
    page.select_option("#column", "country")
    page.click("#analyse details.filter-box summary")
    page.select_option("select[name=country]", "IT")
    page.click("#analyse input[type=submit]")
    page.locator("#crosstab").wait_for()
    assert "country=IT" in page.url
    assert "%" in page.inner_text("#crosstab")
    assert page.locator("#row option:checked").inner_text() == "Sex"
    fits(page, "cross-tabulation")
    page.locator("#crosstab").scroll_into_view_if_needed()
    shot(page, "results-crosstab")

    with page.expect_download() as download:
        page.click("#download-records-labelled")
    archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert set(archive.namelist()) == {"records.csv", "codebook.csv"}


@pytest.mark.parametrize("tab", [("en", 390)], indirect=True, ids=["en-390"])
def test_a_form_manager_is_not_offered_results(tab, live_server, project, form_manager):
    """Finding: the home page offered Results to form managers, who then got a bare 403."""
    sign_in(tab, live_server.url, form_manager)

    assert tab.locator(f"main a[href='/projects/{project.pk}/results/']").count() == 0
    assert tab.locator(f"main a[href='/projects/{project.pk}/forms/']").count() == 1
