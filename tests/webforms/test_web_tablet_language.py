"""The web tablet's own screens in the volunteer's language: Debian's Chromium at 390 px against a
real server process. Protects: a browser set to Arabic gets the PIN screen, the outbox counts,
the status line and the words inside a form (ODK Web Forms' "Send", its required-answer message,
and the form's own Arabic labels) in Arabic, right to left, with no serious axe violation; a
language picked in the app is kept over the browser's; and both survive a reload with no network
(the words travel in the cached page, from Django's catalogues). Also the words around the
engine: the page's "Loading…" before the app's script runs, and PrimeVue's date picker (month
names, Today, Clear)."""

import pytest
from django.utils import translation

from forms.services import form_upload
from tests.pages.test_responsive_pages import AXE
from tests.webforms.tablet import app_url, counts, outbox_xml, unlock
from tests.webforms.test_web_tablet_pages import problems_on
from tests.xlsform import xlsx

pytestmark = [pytest.mark.timeout(600), pytest.mark.live_server_process]

AR_LOCK = "أدخل الرمز السري للجهاز اللوحي"
AR_READY = "جاهز للعمل دون اتصال بالإنترنت"
AR_SEND = "إرسال"
AR_REQUIRED = "هذا السؤال يحتاج إلى إجابة."
AR_TO_CORRECT = "أسئلة يجب تصحيحها: 1"


def _arabic_context(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ar")
    context.set_default_timeout(30000)
    context.on("weberror", lambda e: print("page error:", e.error))
    return context


def _unlocked_in_arabic(context, live, tablet):
    """The web tablet opened in ``context`` (``_arabic_context``) and unlocked with its PIN:
    the forms list, ready offline."""
    page = context.new_page()
    page.goto(app_url(live, tablet))
    page.locator("#wp-pin").wait_for()
    unlock(page)
    page.get_by_text(AR_READY).wait_for()
    return page


def test_arabic_tablet_speaks_arabic_right_to_left_also_offline(live, tablet, browser):
    """A volunteer whose phone is in Arabic reads the app's own screens in Arabic, laid out
    right to left, online and after an offline reload; axe finds nothing serious."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed: cd tests/pages && npm ci (make test does it)")
    context = _arabic_context(browser)
    try:
        page = context.new_page()
        page.goto(app_url(live, tablet))
        page.locator("#wp-pin").wait_for()
        html = page.locator("html")
        assert (html.get_attribute("dir"), html.get_attribute("lang")) == ("rtl", "ar")
        assert page.locator("#wp-lock h1").inner_text() == "اختر رمزًا سريًا لهذا الجهاز اللوحي"
        assert page.locator("#wp-language").input_value() == "ar"
        assert "في الانتظار: 0" in counts(page)
        problems = problems_on(page, "PIN in Arabic")
        unlock(page)
        page.get_by_text(AR_READY).wait_for()
        assert page.locator(".wp-main h1").inner_text() == "النماذج"
        problems += problems_on(page, "forms in Arabic")

        context.set_offline(True)
        page.locator(".wp-start[data-form=visit]").click()
        page.get_by_role("button", name=AR_SEND, exact=True).click()  # the age is required
        page.get_by_text(AR_REQUIRED).wait_for()  # ODK Web Forms' own words, in Arabic
        assert page.get_by_text(AR_TO_CORRECT).count() == 1
        assert page.get_by_text("العمر", exact=True).count() == 1, "the form opens in Arabic too"
        problems += problems_on(page, "a form's required question in Arabic")
        form = page.locator(".odk-form")
        form.locator("input").nth(0).fill("سلمى")
        # typed key by key (tablet.fill_visit says why)
        form.locator("input").nth(1).press_sequentially("34")
        form.locator("input").nth(1).blur()
        page.get_by_role("button", name=AR_SEND, exact=True).click()
        page.locator(".wp-notice").wait_for()
        assert page.locator(".wp-notice").inner_text().endswith("» في صندوق الصادر.")
        (xml,) = outbox_xml(page, tablet).values()
        assert "<age>34</age>" in xml, xml  # Western digits in the instance, whatever is shown
        assert html.get_attribute("dir") == "rtl", "the app's direction comes back after a form"

        page.reload()
        page.locator("#wp-pin").wait_for()
        assert html.get_attribute("dir") == "rtl"
        assert page.locator("#wp-lock h1").inner_text() == AR_LOCK
        assert "في الانتظار: 1" in counts(page), counts(page)
        assert "غير متصل بالإنترنت" in page.locator(".wp-status").inner_text()
        problems += problems_on(page, "PIN in Arabic, offline")
    finally:
        context.close()
    assert problems == [], "\n".join(problems)


def test_language_picked_in_the_app_is_kept_offline(live, tablet, browser):
    """A volunteer who picks French on an Arabic phone keeps French, left to right, after the
    page is reloaded with no network."""
    context = _arabic_context(browser)
    try:
        page = _unlocked_in_arabic(context, live, tablet)

        with page.expect_navigation():
            page.locator("#wp-language").select_option("fr")
        page.locator("#wp-pin").wait_for()
        assert page.locator("#wp-lock h1").inner_text() == "Saisissez le code PIN de la tablette"

        context.set_offline(True)
        page.reload()
        page.locator("#wp-pin").wait_for()
        html = page.locator("html")
        assert (html.get_attribute("dir"), html.get_attribute("lang")) == ("ltr", "fr")
        assert page.locator("#wp-lock h1").inner_text() == "Saisissez le code PIN de la tablette"
        assert "En attente : 0" in counts(page)
        unlock(page)
        assert page.locator(".wp-main h1").inner_text() == "Formulaires"
    finally:
        context.close()


DATED_FORM = {
    "survey": [
        ["type", "name", "label::English (en)", "label::العربية (ar)", "privacy"],
        ["date", "arrival", "Arrival", "تاريخ الوصول", "quasi date:month"],
    ],
    "settings": [["form_id", "version"], ["dated", "1"]],
}
AR_CLEAR = "مسح"  # Django's catalogue, as the rest of the app's words
AR_TODAY = "اليوم"  # the browser's own word (Intl), as the month and day names


def test_arabic_tablet_loads_and_picks_dates_in_arabic(live, tablet, browser):
    """Leftover: before the app's script ran, the page said "Loading…" in English, and a date
    question's picker spoke PrimeVue's English (December, Today, Clear) on an Arabic tablet.
    Now the page as served is Arabic, right to left, and the picker's month, Today and Clear are
    Arabic."""
    form_upload(project=tablet.project, filename="dated.xlsx", data=xlsx(DATED_FORM))
    with translation.override("ar"):
        loading = translation.gettext("Loading…")
    served = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="ar", java_script_enabled=False
    )
    try:
        page = served.new_page()
        page.goto(app_url(live, tablet))
        html = page.locator("html")
        assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("ar", "rtl")
        assert page.locator(".wp-loading").inner_text() == loading
    finally:
        served.close()

    context = _arabic_context(browser)
    try:
        page = _unlocked_in_arabic(context, live, tablet)
        page.locator(".wp-start[data-form=dated]").click()
        page.get_by_text("تاريخ الوصول").wait_for()
        page.locator(".odk-form input").first.click()
        picker = page.locator(".p-datepicker-panel")
        picker.wait_for()
        named = "(code) => new Intl.DateTimeFormat(code, { month: 'long' }).format(new Date())"
        month, english = (page.evaluate(named, code) for code in ("ar", "en"))
        shown = picker.inner_text()
        buttons = picker.locator(".p-datepicker-buttonbar button").all_inner_texts()
    finally:
        context.close()
    assert month in shown, shown
    assert english not in shown, shown
    assert [b.strip() for b in buttons] == [AR_TODAY, AR_CLEAR], buttons
