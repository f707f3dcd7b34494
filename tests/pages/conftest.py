"""What the page tests share: axe-core's source, injected into each page checked, and a person
signed in on a tab of a given width and interface language."""

import pytest

from tests.pages.test_responsive_pages import AXE, PASSWORD


@pytest.fixture
def axe_source() -> str:
    if not AXE.exists():
        pytest.skip("axe-core is not installed: cd tests/pages && npm ci (make test does it)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def signed_in_tab(browser, live_server):
    """``signed_in_tab(user, language, width)``: a new tab ``width`` px wide in the interface
    ``language`` (the language switch's cookie), ``user`` signed in on it. The page's CSP is
    bypassed so that axe-core can be injected; each tab is closed after the test."""
    contexts = []

    def open_tab(user, language: str, width: int):
        context = browser.new_context(viewport={"width": width, "height": 844}, bypass_csp=True)
        contexts.append(context)
        context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield open_tab
    for context in contexts:
        context.close()
