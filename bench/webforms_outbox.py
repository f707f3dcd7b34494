"""The web tablet's outbox over a slow mobile link (issue 18): ``count`` finalised submissions
with a photo each, queued in the browser, sent by the app's outbox over a loopback link that
Chromium throttles to DevTools' "Fast 3G" preset (Lighthouse's mobile profile: 150 ms RTT,
1.6 Mbps down, 750 kbps up, applied as DevTools applies it: 562.5 ms per request, 90 % of the
throughput). The server must hold each submission once, photos byte for byte.

One submission is filled through the page (the engine's own XML); the bench copies it in
IndexedDB with new instanceIDs and distinct photos (webforms_outbox.js), reloads, goes online
throttled and unlocks: the outbox does the rest. Timed: the first POST to the last 201."""

import base64
import tempfile
import time
from pathlib import Path

# DevTools' "Fast 3G" preset (front_end/core/sdk/NetworkManager.ts; newer DevTools call it
# "Slow 4G"): Lighthouse's mobile figures with DevTools' adjustment (latency x 3.75, throughput
# x 0.9). Bytes per second, as CDP takes them.
FAST_3G = {
    "name": "DevTools' Fast 3G: 150 ms RTT, 1.6 Mbps down, 750 kbps up "
    "(applied as 562.5 ms latency, 1.44 Mbps, 675 kbps)",
    "latency": 562.5,
    "downloadThroughput": 1.6 * 1_000_000 / 8 * 0.9,
    "uploadThroughput": 750 * 1_000 / 8 * 0.9,
}
QUEUE = (Path(__file__).parent / "webforms_outbox.js").read_text()
PIN = "482913"


def _conditions(cdp, *, offline: bool, profile: dict | None = None) -> None:
    """Chromium's network emulation for the page (navigator.onLine follows ``offline``)."""
    p = profile or {"latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": offline,
            "latency": p["latency"],
            "downloadThroughput": p["downloadThroughput"],
            "uploadThroughput": p["uploadThroughput"],
        },
    )


def run_outbox(browser, project, point, server, count: int) -> dict:
    """Queue ``count`` submissions in ``browser`` and time the outbox sending them to ``server``."""
    from accounts.models import Device
    from accounts.provisioning import device_create
    from forms.services import form_upload
    from sync import quarantine
    from sync.models import Submission
    from tests.live import wait_for
    from tests.webforms.tablet import PHOTOS_FORM, jpeg
    from tests.xlsform import xlsx

    form = form_upload(project=project, filename="photos.xlsx", data=xlsx(PHOTOS_FORM)).version.form
    device, token = device_create(
        project=project, service_point=point, name="bench outbox", kind=Device.Kind.WEB
    )
    folder = Path(tempfile.mkdtemp(prefix="waypoint-outbox-bench-"))
    photos = [jpeg(folder / f"{n}.jpg", n) for n in range(count)]
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(120_000)
    cdp = context.new_cdp_session(page)
    posts: list[float] = []
    answers: list[tuple[int, float]] = []  # (status, when) of every POST's response
    page.on("request", lambda r: r.method == "POST" and posts.append(time.perf_counter()))
    page.on(
        "response",
        lambda r: r.request.method == "POST" and answers.append((r.status, time.perf_counter())),
    )

    page.goto(f"{server.url}/key/{token}/projects/{project.pk}/web/")
    page.locator("#wp-pin").fill(PIN)
    page.locator("#wp-pin-confirm").fill(PIN)
    page.locator("#wp-unlock").click()
    page.locator(".wp-start[data-form=photos]").wait_for()
    page.get_by_text("Ready to work offline").wait_for()
    _conditions(cdp, offline=True)
    page.locator(".wp-start[data-form=photos]").click()
    page.locator(".odk-form input[type=text]").first.fill("Bench person")
    page.locator(".odk-form input[type=file]").first.set_input_files(str(folder / "0.jpg"))
    page.get_by_role("button", name="Send", exact=True).click()
    page.locator(".wp-notice").wait_for()
    queued_at = time.perf_counter()
    ids = page.evaluate(
        QUEUE, [str(device.pk), PIN, [base64.b64encode(p).decode() for p in photos]]
    )
    queued_s = time.perf_counter() - queued_at

    page.reload()  # the app reads the queue; locked, it sends nothing yet
    page.locator("#wp-pin").wait_for()
    _conditions(cdp, offline=False, profile=FAST_3G)
    page.locator("#wp-pin").fill(PIN)
    page.locator("#wp-unlock").click()
    sent = page.locator("[data-count=sent]")
    assert wait_for(lambda: sent.inner_text() == f"Sent: {count}", 3600), sent.inner_text()
    context.close()

    stored = Submission.objects.filter(form=form)
    photo_of = dict(zip(ids, photos, strict=True))
    intact = sum(
        quarantine.read_attachment(a.file.name) == photo_of[s.instance_id]
        for s in stored.prefetch_related("attachments")
        for a in s.attachments.all()
    )
    first_post = min(posts) if posts else 0.0
    last_201 = max((t for status, t in answers if status in (201, 202)), default=first_post)
    seconds = last_201 - first_post
    statuses: dict[str, int] = {}
    for status, _t in answers:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    photo_bytes = sum(len(p) for p in photos)
    return {
        "network": FAST_3G["name"],
        "queued": count,
        "photo_bytes_total": photo_bytes,
        "photo_bytes_each_mean": round(photo_bytes / count),
        "queue_in_browser_s": round(queued_s, 1),
        "send_first_post_to_last_201_s": round(seconds, 1),
        "per_submission_ms": round(seconds / count * 1000),
        "submissions_per_minute": round(count / seconds * 60, 1) if seconds else None,
        "posts": len(posts),
        "posts_resent": len(posts) - count,
        "post_responses": statuses,
        "server_stored": stored.count(),
        "server_distinct_instance_ids": stored.values("instance_id").distinct().count(),
        "server_complete": stored.filter(complete=True).count(),
        "photos_intact": intact,
        "passed": stored.count() == count
        and stored.values("instance_id").distinct().count() == count
        and set(stored.values_list("instance_id", flat=True)) == set(ids)
        and intact == count,
    }
