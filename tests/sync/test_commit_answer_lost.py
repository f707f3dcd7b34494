"""The fault suite's commit-answer loss, on PostgreSQL through a proxy that drops COMMIT's
answer: every loss is answered 503 with Retry-After, the tablet retries, and at the end every
submission is stored once with every photo readable, no sealed file is left unnamed and no
tablet is stuck (issue 16). The soak variant: ``python -m bench commit_loss``."""

import os
from pathlib import Path

import pytest
from django.db import connection

from sync import quarantine
from sync.models import Attachment, Submission
from tests.pgproxy import CommitAnswerLoss
from tests.samples import instance_xml

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def lossy_database(transactional_db):
    """This test's database connection goes through a ``CommitAnswerLoss`` proxy."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): the proxy speaks its protocol")
    settings = connection.settings_dict
    saved = {key: settings.get(key) for key in ("HOST", "PORT", "OPTIONS")}
    proxy = CommitAnswerLoss(
        settings["HOST"] or "127.0.0.1", int(settings["PORT"] or 5432), every=0
    )
    connection.close()
    settings.update(
        HOST="127.0.0.1",
        PORT=str(proxy.port),
        OPTIONS={**(settings.get("OPTIONS") or {}), "sslmode": "disable"},
    )
    yield proxy
    proxy.every = 0
    connection.close()
    settings.update(saved)
    proxy.close()


def drive(submit, count: int, *, attempts: int = 6) -> dict[str, int]:
    """A tablet sending ``count`` submissions with a photo each, retrying what it did not see
    succeed (as Collect's auto-send does); then what the server holds."""
    photos = {f"uuid:{n}": os.urandom(2048) for n in range(count)}
    sent_201 = retries_503 = stranded = 0
    for instance_id, photo in photos.items():
        xml = instance_xml(instance_id=instance_id, photo="p.jpg")
        for _ in range(attempts):
            response = submit(xml, {"p.jpg": photo})
            if response.status_code == 201:
                sent_201 += 1
                break
            assert response.status_code == 503, response.content
            assert int(response["Retry-After"]) > 0
            retries_503 += 1
        else:
            stranded += 1
    connection.close()  # the proxy is told to stop losing answers before the count
    rows = Submission.objects.count()
    instance_ids = set(Submission.objects.values_list("instance_id", flat=True))
    lost = 0
    for attachment in Attachment.objects.select_related("submission"):
        want = photos[attachment.submission.instance_id]
        try:
            if quarantine.read_attachment(attachment.file.name) != want:
                lost += 1
        except FileNotFoundError:
            lost += 1
    lost += count - Attachment.objects.count()
    return {
        "sent_201": sent_201,
        "retries_503": retries_503,
        "rows": rows,
        "duplicates": rows - len(instance_ids),
        "lost": lost,
        "stranded": stranded,
    }


def orphan_count(media_root) -> int:
    on_disk = {
        p.relative_to(media_root).as_posix()
        for p in (Path(media_root) / "quarantine").rglob("*")
        if p.is_file()
    }
    named = set(Attachment.objects.values_list("file", flat=True))
    return len(on_disk - named)


def test_every_third_commit_answer_lost_loses_nothing(lossy_database, submit, photo_form, settings):
    lossy_database.every = 3

    counts = drive(submit, 12)

    lossy_database.every = 0
    # Some lost answers were the anonymisation task's commits (run eagerly here; it retries).
    assert counts["retries_503"] >= 3, counts
    assert counts == {
        "sent_201": 12,
        "retries_503": counts["retries_503"],
        "rows": 12,
        "duplicates": 0,
        "lost": 0,
        "stranded": 0,
    }
    assert orphan_count(settings.MEDIA_ROOT) == 0
