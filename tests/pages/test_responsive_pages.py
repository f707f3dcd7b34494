"""Every page, for every role, on a 390 px phone and a 1280 px screen, in English and in Arabic:
nothing wider than the screen (no sideways scrolling), touch targets of at least 44 px, and no
serious or critical accessibility violation found by axe-core (npm, tests/pages/package.json).

`make screenshots` runs this module with WAYPOINT_SCREENSHOTS=docs/screenshots: the screenshots
of each role's main pages are written there, named page-language-width.png."""

import os
from pathlib import Path

import pytest

from privacy.models import Release
from tests.factories import MembershipFactory, ServicePointFactory
from tests.live import ROOT
from tests.plugins.browser import SCREENSHOTS, screenshot

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct horse battery staple"
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
FOLDER = (
    ROOT / os.environ["WAYPOINT_SCREENSHOTS"]
    if "WAYPOINT_SCREENSHOTS" in os.environ
    else SCREENSHOTS
)
# Each role's main pages, screenshotted: the form manager's, the DPO's, the analyst's.
SHOWN = {"forms", "upload-problems", "operations", "privacy-report", "release", "results"}
# The innermost element reaching past the screen's edge, to name it in a failure.
WIDEST = """() => {
  const width = document.documentElement.clientWidth;
  const out = [...document.querySelectorAll("body *")].filter(e => {
    const box = e.getBoundingClientRect();
    return box.right > width + 0.5 || box.left < -0.5;
  });
  const inner = out.filter(e => !out.some(o => o !== e && e.contains(o)));
  return inner.slice(0, 3).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
    + (e.className && typeof e.className === "string" ? "." + e.className.split(" ").join(".") : "")
    + " " + e.outerHTML.slice(0, 60)).join(" | ");
}"""
# Sizes of what a finger taps: buttons and form fields, and the header's and lists' links.
TAPPED = "button, input:not([type=hidden]), select, summary, header a, .links a"


@pytest.fixture
def everyone(project, form_manager):
    """One person holding every role, so one sign-in opens every page; the form manager
    persona's name makes the pages read as they do for real users."""
    for role in ("dpo", "analyst"):
        MembershipFactory(user=form_manager, project=project, role=role)
    return form_manager


def _paths(project, form, device) -> dict[str, str]:
    version = form.current_version.version
    release = Release.objects.filter(form=form).first()
    p, f = f"/projects/{project.pk}", form.form_id
    return {
        "home": "/",
        "forms": f"{p}/forms/",
        "form-version": f"{p}/forms/{f}/versions/{version}/",
        "operations": f"{p}/operations/",
        "device": f"{p}/devices/{device.pk}/",
        "tokens": "/accounts/tokens/",
        "privacy": f"{p}/privacy/",
        "privacy-report": f"{p}/privacy/{f}/",
        "releases": f"{p}/privacy/{f}/releases",
        "release": f"{p}/privacy/{f}/releases/{release.pk}",
        "signoff": f"{p}/privacy/{f}/releases/{release.pk}/signoff",
        "rules": f"{p}/privacy/{f}/rules/{version}",
        "audit": f"{p}/audit/",
        "results": f"{p}/results/{f}/",
        "not-found": "/no/such/page/",
    }


def _check(page, name: str, language: str, width: int, axe_source: str, problems: list) -> None:
    label = f"{name} ({language}, {width} px)"
    page.wait_for_load_state("load")
    direction = page.get_attribute("html", "dir")
    if direction != ("rtl" if language == "ar" else "ltr"):
        problems.append(f"{label}: html dir is {direction}")
    wide = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if wide[0] > wide[1]:
        culprit = page.evaluate(WIDEST)
        problems.append(f"{label}: {wide[0]} px wide on a {wide[1]} px screen, by {culprit}")
    for element in page.locator(TAPPED).all():
        box = element.bounding_box() if element.is_visible() else None
        if box and box["height"] < 43.5:
            text = element.evaluate("e => e.outerHTML.slice(0, 80)")
            problems.append(f"{label}: touch target {box['height']:.0f} px high: {text}")
    page.evaluate(axe_source)
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
            .filter(v => ['serious', 'critical'].includes(v.impact))
            .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))"""
    )
    problems.extend(f"{label}: axe {v}" for v in violations)
    if name in SHOWN:
        screenshot(page, f"{name}-{language}-{width}", FOLDER)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_every_page_fits_a_phone_and_passes_axe(
    browser, live_server, project, everyone, analyst, released_form, device, axe_source, language
):
    ServicePointFactory(project=project, name="Équipe mobile de Lampedusa")
    paths = _paths(project, released_form, device)
    problems: list[str] = []
    for width in (390, 1280):
        context = browser.new_context(
            viewport={"width": width, "height": 844}, bypass_csp=True, locale="en-GB"
        )
        context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto(f"{live_server.url}/accounts/login/")
        _check(page, "sign-in", language, width, axe_source, problems)
        page.fill("#id_username", everyone.username)
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        for name, path in paths.items():
            response = page.goto(live_server.url + path)
            if response.status != (404 if name == "not-found" else 200):
                problems.append(f"{name}: status {response.status}")
            _check(page, name, language, width, axe_source, problems)
        # A broken upload's problems, cell by cell.
        page.goto(f"{live_server.url}{paths['forms']}")
        page.set_input_files(
            "input[name=file]",
            {
                "name": "broken.xlsx",
                "mimeType": "application/octet-stream",
                "buffer": b"not a workbook",
            },
        )
        page.click("#publish-form input[type=submit]")
        page.locator("#upload-problems").wait_for()
        _check(page, "upload-problems", language, width, axe_source, problems)
        context.clear_cookies()
        context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", analyst.username)
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        page.goto(f"{live_server.url}{paths['operations']}")
        _check(page, "forbidden", language, width, axe_source, problems)
        context.close()
    assert problems == []


def test_the_language_switch_is_remembered(page, live_server, project, form_manager):
    page.goto(f"{live_server.url}/accounts/login/")
    page.select_option("#interface-language", "ar")
    page.click("form.language button")
    page.wait_for_selector("html[dir=rtl][lang=ar]")
    page.fill("#id_username", form_manager.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_attribute("html", "dir") == "rtl"
    assert "مشاريعك" in page.inner_text("main")  # "Your projects"
    page.select_option("#interface-language", "uk")
    page.click("form.language button")
    page.wait_for_selector("html[lang=uk][dir=ltr]")
    assert "Ваші проєкти" in page.inner_text("main")


@pytest.mark.parametrize(("language", "width"), [("ar", 390), ("en", 1280)])
def test_form_managers_journey_with_tablets(
    browser, live_server, project, form_manager, language, width
):
    """Create a tablet, refresh its QR page (no second tablet), find it in the operations view,
    show its code again, revoke it: on a phone in Arabic and on a screen in English."""
    from accounts.models import Device

    ServicePointFactory(project=project, name="Lampedusa")
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="en-GB")
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15000)
    csp = []
    page.on(
        "console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", form_manager.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/projects/{project.pk}/forms/")
    page.fill("#device-name", "Tablet 1")
    page.click("form.device-create input[type=submit]")
    page.locator("#new-device img.qr").wait_for()
    page.reload()
    page.locator("#qr-shown").wait_for()
    assert Device.objects.filter(project=project).count() == 1

    page.goto(f"{live_server.url}/projects/{project.pk}/operations/")
    row = page.locator("tr.device", has_text="Tablet 1")
    row.locator("details.confirm").first.locator("summary").click()
    row.locator("details.confirm").first.locator("button").click()
    page.locator("#new-device img.qr").wait_for()
    page.goto(f"{live_server.url}/projects/{project.pk}/operations/")
    row.locator("details.confirm").nth(1).locator("summary").click()
    row.locator("details.confirm").nth(1).locator("button").click()
    page.locator(".messages .success").wait_for()
    assert Device.objects.get().revoked_at is not None
    assert page.get_attribute("html", "dir") == ("rtl" if language == "ar" else "ltr")
    assert csp == [], "the pages broke the Content-Security-Policy"
    context.close()
