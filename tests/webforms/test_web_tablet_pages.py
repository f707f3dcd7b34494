"""The web tablet on a phone, a small tablet and a large one, in English and in Arabic.
Protects: nothing is wider than the screen, and axe-core finds no serious or critical
accessibility violation on the PIN screen, the form list or a form (ODK Web Forms' own widgets
included)."""

import pytest

from tests.live import wait_for
from tests.pages.test_responsive_pages import AXE
from tests.webforms.tablet import app_url, unlock

pytestmark = [pytest.mark.timeout(600), pytest.mark.live_server_process]

SERIOUS = """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
    .filter(v => ['serious', 'critical'].includes(v.impact))
    .map(v => v.id + ': ' + v.nodes.slice(0, 3)
        .map(n => n.target.join(' ') + ' ' + n.html.slice(0, 160)).join(', '))"""


def problems_on(page, label: str) -> list[str]:
    found = []
    wide = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if wide[0] > wide[1]:
        found.append(f"{label}: {wide[0]} px wide on a {wide[1]} px screen")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    found += [f"{label}: axe {v}" for v in page.evaluate(SERIOUS)]
    return found


@pytest.mark.parametrize("width", [360, 390, 1024])
def test_fits_the_screen_and_passes_axe_in_english_and_arabic(live, tablet, browser, width):
    if not AXE.exists():
        pytest.skip("axe-core is not installed: cd tests/pages && npm ci (make test does it)")
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="ar")
    page = context.new_page()
    page.set_default_timeout(30000)
    problems = []
    try:
        page.goto(app_url(live, tablet))
        page.locator("#wp-pin").wait_for()
        problems += problems_on(page, f"PIN {width}")
        unlock(page)
        problems += problems_on(page, f"forms {width}")
        page.locator(".wp-start[data-form=visit]").click()
        page.locator(".odk-form input").first.wait_for()
        problems += problems_on(page, f"form {width}")
        page.locator(".odk-form .language-changer:visible").click()
        page.get_by_role("option", name="العربية (ar)").click()
        page.locator(".odk-form input").first.click()
        assert wait_for(lambda: page.evaluate("document.documentElement.dir") == "rtl", 10)
        # The language list closes with an animation; its focus-trap sentinels (aria-hidden,
        # focusable) are still attached until it ends, and axe would judge the closing list.
        sentinels = page.locator('[data-pc-section="hiddenfirstfocusableel"]')
        assert wait_for(lambda: sentinels.count() == 0, 10), "the language list stayed open"
        problems += problems_on(page, f"form in Arabic {width}")
    finally:
        context.close()
    assert problems == [], "\n".join(problems)
