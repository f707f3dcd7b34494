"""A web tablet as volunteers use it: Debian's Chromium on the tablet's link, against a real
server process on PostgreSQL. Protects: forms open and fill offline after one visit, drafts and
the outbox survive a closed page (encrypted with the PIN), the outbox sends each submission once
with the engine's own XML, retries a 503 without duplicating, a revoked tablet says so and keeps
its data, an idle tablet locks, and a draft keeps the form version it was started on."""

import pytest

from accounts.models import Device
from accounts.provisioning import device_reissue, device_revoke
from forms.services import form_upload
from sync.models import Submission
from tests.live import wait_for
from tests.proxy import LossyProxy
from tests.webforms.tablet import (
    PIN,
    READ_OUTBOX,
    VISIT_FORM,
    app_url,
    counts,
    fill_visit,
    open_ready,
    outbox_xml,
    raw,
    unlock,
)
from tests.xlsform import xlsx

pytestmark = [pytest.mark.timeout(600), pytest.mark.live_server_process]


def test_offline_forms_drafts_and_outbox_then_sent_once(live, tablet, tablet_context):
    page = open_ready(tablet_context, live, tablet)

    tablet_context.set_offline(True)
    page.reload()
    unlock(page)
    page.locator(".wp-start[data-form=visit]").wait_for()
    fill_visit(page, "سلمى", "34")
    fill_visit(page, "Amadou", "27")
    fill_visit(page, "Draft person", "51", send=False)
    page.wait_for_timeout(1000)  # the draft is saved 300 ms after the last change
    page.close()

    page = tablet_context.new_page()
    page.goto(app_url(live, tablet))
    page.locator("#wp-pin").wait_for()
    assert "Waiting: 2" in counts(page), "the counts show before the PIN"
    unlock(page)
    page.locator(".wp-drafts li").wait_for()
    assert page.locator(".wp-drafts li").count() == 1
    stored_in_browser = page.evaluate(READ_OUTBOX, [str(tablet.pk), PIN])
    engine_xml = stored_in_browser["xml"]
    assert len(engine_xml) == 2
    for secret in ("Amadou", "Draft person", "<full_name>"):
        assert secret not in stored_in_browser["raw"], "drafts and outbox are encrypted"

    tablet_context.set_offline(False)
    page.locator("#wp-send-now").click()
    assert wait_for(lambda: "Sent: 2" in counts(page), 60), counts(page)
    stored = {s.instance_id: raw(s) for s in Submission.objects.all()}
    assert stored == {key: xml.encode() for key, xml in engine_xml.items()}
    assert all(s.device_id == tablet.pk for s in Submission.objects.all())

    # The draft reopens with its answers.
    page.locator(".wp-continue").click()
    page.locator(".odk-form input").first.wait_for()
    assert page.locator(".odk-form input").nth(0).input_value() == "Draft person"


def test_503_with_retry_after_is_retried_without_duplicates(live, tablet, tablet_context):
    posts: list[int] = []

    def unavailable_once(route):
        if route.request.method != "POST":
            return route.continue_()
        posts.append(1)
        if len(posts) == 1:
            return route.fulfill(
                status=503,
                headers={"Retry-After": "1", "X-OpenRosa-Version": "1.0"},
                content_type="text/xml",
                body='<OpenRosaResponse xmlns="http://openrosa.org/http/response">'
                "<message>Down for a moment</message></OpenRosaResponse>",
            )
        return route.continue_()

    tablet_context.route("**/submission*", unavailable_once)
    page = open_ready(tablet_context, live, tablet)
    fill_visit(page, "Retry person", "40")
    assert wait_for(lambda: "Sent: 1" in counts(page), 60), counts(page)
    assert len(posts) == 2
    assert Submission.objects.count() == 1


def test_a_lost_201_is_retried_and_stored_once(live, tablet, tablet_context):
    """The server stores the submission, the connection drops before its 201 arrives: the
    outbox keeps the form, sends it again, and the server answers "already received"."""
    proxy = LossyProxy(live.port, drop_first_matching=b"POST ")
    try:
        page = open_ready(tablet_context, proxy, tablet)
        fill_visit(page, "Lost answer", "61")
        assert wait_for(lambda: "Sent: 1" in counts(page), 60), counts(page)
    finally:
        proxy.close()
    assert proxy.dropped == 1
    assert Submission.objects.count() == 1


def test_revoked_tablet_stops_with_a_message_and_keeps_data(live, tablet, tablet_context):
    page = open_ready(tablet_context, live, tablet)
    tablet_context.set_offline(True)
    fill_visit(page, "Kept person", "33")
    device_revoke(device=Device.objects.get(pk=tablet.pk))
    tablet_context.set_offline(False)
    page.locator("#wp-send-now").click()
    page.locator("#wp-revoked").wait_for()
    assert "revoked" in page.locator("#wp-revoked").inner_text()
    assert "Waiting: 1" in counts(page)

    page.reload()
    page.locator("#wp-revoked").wait_for()
    assert "Waiting: 1" in counts(page)
    assert len(outbox_xml(page, tablet)) == 1
    assert Submission.objects.count() == 0


def test_wrong_pin_refused_and_idle_tablet_locks_keeping_the_draft(live, tablet, tablet_context):
    page = tablet_context.new_page()
    page.clock.install()
    page.goto(app_url(live, tablet))
    unlock(page)
    page.locator(".wp-start[data-form=visit]").click()
    page.locator(".odk-form input").first.fill("Idle person")
    page.locator(".odk-form input").first.blur()

    page.clock.fast_forward("11:00")  # ten minutes without a touch (the default)
    page.locator("#wp-pin").wait_for()
    assert page.locator(".odk-form").count() == 0, "the form is closed on lock"

    page.locator("#wp-pin").fill("000000")
    page.locator("#wp-unlock").click()
    page.locator("#wp-pin-error", has_text="Wrong PIN.").wait_for()
    unlock(page)
    page.locator(".wp-continue").click()
    page.locator(".odk-form input").first.wait_for()
    assert page.locator(".odk-form input").first.input_value() == "Idle person"


def test_a_draft_keeps_its_form_version_and_new_drafts_use_the_new_one(
    live, project, tablet, tablet_context
):
    page = open_ready(tablet_context, live, tablet)
    fill_visit(page, "Started on v1", "20", send=False)
    page.wait_for_timeout(1000)  # the draft is saved 300 ms after the last change
    v2 = {
        "survey": [*VISIT_FORM["survey"], ["text", "notes", "Notes", "ملاحظات", "free_text", ""]],
        "settings": [["form_id", "version"], ["visit", "2"]],
    }
    form_upload(project=project, filename="visit.xlsx", data=xlsx(v2))

    page.reload()
    unlock(page)
    page.locator(".wp-continue").click()
    page.locator(".odk-form input").first.wait_for()
    assert page.locator(".odk-form input").nth(0).input_value() == "Started on v1"
    assert page.get_by_text("Notes").count() == 0, "the draft stays on version 1"
    page.get_by_role("button", name="Send", exact=True).click()
    page.locator(".wp-notice").wait_for()

    page.locator(".wp-start[data-form=visit]").click()
    page.get_by_text("Notes").wait_for()  # a new draft: version 2
    assert wait_for(lambda: "Sent: 1" in counts(page), 60), counts(page)
    assert 'version="1"' in raw(Submission.objects.get()).decode()


def test_a_new_qr_code_for_the_same_tablet_sends_what_the_old_link_kept(
    live, tablet, tablet_context
):
    page = open_ready(tablet_context, live, tablet)
    tablet_context.set_offline(True)
    fill_visit(page, "Kept across links", "44")
    token = device_reissue(device=Device.objects.get(pk=tablet.pk))  # the old link stops
    tablet_context.set_offline(False)
    page.locator("#wp-send-now").click()
    page.locator("#wp-revoked").wait_for()

    tablet.token = token
    page.goto(app_url(live, tablet))
    unlock(page)
    assert wait_for(lambda: "Sent: 1" in counts(page), 60), counts(page)
    assert Submission.objects.get().device_id == tablet.pk
