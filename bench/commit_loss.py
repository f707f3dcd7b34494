"""Soak of the commit-answer fault: a real gunicorn server whose PostgreSQL connections pass
through a proxy that loses the answer of every 7th COMMIT (the database commits, Waypoint never
hears so), and a tablet sending submissions with a photo each, retrying whatever it was not
answered 201. Passes when 0 submissions are lost, 0 duplicated, 0 photos lost or changed, 0 sealed
files are left unnamed and 0 tablets are stuck (issue 16). The short variant runs in the tests:
tests/sync/test_commit_answer_lost.py.

    python -m bench commit_loss        # WAYPOINT_BENCH_COMMIT_LOSS_N submissions (default 400)
"""

import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path

SUBMISSIONS = int(os.environ.get("WAYPOINT_BENCH_COMMIT_LOSS_N", "400"))
LOSE_EVERY = 7
ATTEMPTS = 8


def run() -> dict:
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        return {"skipped": "needs PostgreSQL: the proxy speaks its protocol"}
    import httpx

    from lib.crypto import new_quarantine_key
    from tests.live import ServerProcess, free_port, postgres_env
    from tests.pgproxy import CommitAnswerLoss

    version, token, project_pk = _setup()
    media = Path(tempfile.mkdtemp(prefix="waypoint-commit-loss-"))
    key = new_quarantine_key()
    db = connection.settings_dict
    proxy = CommitAnswerLoss(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432), every=LOSE_EVERY)
    env = postgres_env(
        {**db, "HOST": "127.0.0.1", "PORT": proxy.port},
        PGSSLMODE="disable",
        WAYPOINT_MEDIA_ROOT=str(media),
        WAYPOINT_QUARANTINE_KEYS=key,
        WAYPOINT_ODK_VALIDATE="false",
        # One tablet sends a day's worth here: the per-device quota is not what is measured.
        WAYPOINT_DEVICE_POSTS_PER_MINUTE="1000000",
        WAYPOINT_DEVICE_BYTES_PER_MINUTE=str(10**12),
    )
    server = ServerProcess(env, free_port()).start()
    url = f"{server.url}/key/{token}/projects/{project_pk}/submission"
    photos: dict[str, bytes] = {}
    counts = {"sent_201": 0, "answers_503": 0, "answers_other": 0, "stranded": 0}
    started = time.monotonic()
    try:
        with httpx.Client(timeout=60) as client:
            for _ in range(SUBMISSIONS):
                instance_id = f"uuid:{uuid.uuid4()}"
                photos[instance_id] = os.urandom(20_000)
                outcome, retried = _send(client, url, version, instance_id, photos[instance_id])
                counts[outcome] += 1
                counts["answers_503"] += retried
    finally:
        server.stop()
        proxy.close()
    elapsed = time.monotonic() - started
    settings.WAYPOINT_QUARANTINE_KEYS = key
    settings.MEDIA_ROOT = str(media)
    stored = _check(photos, media)
    result = {
        "submissions": SUBMISSIONS,
        "commit_answers_lost": proxy.lost,
        **counts,
        **stored,
        "seconds": round(elapsed, 1),
    }
    result["passed"] = (
        counts["sent_201"] == SUBMISSIONS
        and counts["stranded"] == 0
        and not any(stored[k] for k in ("lost", "duplicated", "photos_lost", "orphans"))
    )
    if result["passed"]:
        shutil.rmtree(media, ignore_errors=True)
    else:
        result["media_root"] = str(media)  # what was left, to look at
    return result


def _send(client, url: str, version: str, instance_id: str, photo: bytes) -> tuple[str, int]:
    """One submission as Collect's auto-send retries it: how it ended, and the 503s on the way."""
    xml = (
        f'<data id="household" version="{version}"><full_name>A</full_name><age>30</age>'
        f"<photo>p.jpg</photo><meta><instanceID>{instance_id}</instanceID></meta></data>"
    ).encode()
    files = {
        "xml_submission_file": ("instance.xml", xml, "text/xml"),
        "p.jpg": ("p.jpg", photo, "image/jpeg"),
    }
    for attempt in range(ATTEMPTS):
        response = client.post(url, files=files, headers={"X-OpenRosa-Version": "1.0"})
        if response.status_code == 201:
            return "sent_201", attempt
        if response.status_code != 503:
            return "answers_other", attempt
    return "stranded", ATTEMPTS


def _setup():
    from accounts.models import Project, ServicePoint
    from accounts.provisioning import device_create
    from forms.services import form_upload
    from tests.factories import NationalSocietyFactory
    from tests.samples import PHOTO_FORM
    from tests.xlsform import xlsx

    os.environ["WAYPOINT_ODK_VALIDATE"] = "false"
    from django.conf import settings

    settings.WAYPOINT_ODK_VALIDATE = "false"
    project = Project.objects.create(name=f"commit loss {uuid.uuid4().hex[:6]}")
    point = ServicePoint.objects.create(
        project=project, national_society=NationalSocietyFactory(), name="HSP", country="IT"
    )
    _, token = device_create(project=project, service_point=point, name="T1")
    version = form_upload(project=project, filename="p.xlsx", data=xlsx(PHOTO_FORM)).version
    return version.version, token, project.pk


def _check(photos: dict[str, bytes], media: Path) -> dict[str, int]:
    from sync import quarantine
    from sync.models import Attachment, Submission

    rows = Submission.objects.filter(instance_id__in=list(photos))
    ids = list(rows.values_list("instance_id", flat=True))
    photos_lost = 0
    attachments = Attachment.objects.filter(submission__in=rows).select_related("submission")
    for attachment in attachments:
        try:
            if (
                quarantine.read_attachment(attachment.file.name)
                != photos[attachment.submission.instance_id]
            ):
                photos_lost += 1
        except FileNotFoundError:
            photos_lost += 1
    on_disk = {p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file()}
    named = set(attachments.values_list("file", flat=True))
    return {
        "rows": len(ids),
        "lost": len(set(photos) - set(ids)),
        "duplicated": len(ids) - len(set(ids)),
        "photos_lost": photos_lost + len(ids) - attachments.count(),
        "orphans": len(on_disk - named),
    }
