"""Faults a submission meets inside the server, each with what the tablet must see: a commit
whose answer is lost, a sealed file gone, a server fault, names the multipart parser changed,
long identifiers, chunked bodies, full storage. In every case nothing the device sent is lost
and the device is never stuck (issue 16). Real-process variants: tests/deploy/test_faults.py
and tests/sync/test_commit_answer_lost.py (PostgreSQL)."""

import io
import os
import time
import unicodedata
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from defusedxml.ElementTree import fromstring
from django.db import OperationalError, connection

from audit.models import AuditEvent
from sync import orphans, outcome, quarantine
from sync import services as sync_services
from sync.models import Attachment, Submission
from tests.samples import device_url, instance_xml

RESPONSE_NS = "{http://openrosa.org/http/response}"
OPENROSA = {"HTTP_X_OPENROSA_VERSION": "1.0"}


def message(response) -> str:
    root = fromstring(response.content)
    assert root.tag == f"{RESPONSE_NS}OpenRosaResponse", response.content[:300]
    return root.findtext(f"{RESPONSE_NS}message")


def multipart(xml: bytes, parts: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    """A body as Collect builds it, with part names exactly as given (Django's test client
    would clean them first): ``parts`` are (field name, file name, bytes)."""
    boundary = uuid.uuid4().hex
    items = [("xml_submission_file", "instance.xml", xml), *parts]
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
        f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
        + data
        + b"\r\n"
        for field, filename, data in items
    )
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def post_raw(client, device, xml: bytes, parts: list[tuple[str, str, bytes]], **extra):
    body, content_type = multipart(xml, parts)
    return client.post(
        device_url(device, "submission"), data=body, content_type=content_type, **OPENROSA, **extra
    )


def sealed_files(media_root: Path) -> list[Path]:
    return [p for p in (Path(media_root) / "quarantine").rglob("*") if p.is_file()]


# 1. The commit's answer lost ------------------------------------------------------------------


@pytest.fixture
def commit_answer_lost(monkeypatch):
    """The next COMMIT reaches the database, its answer does not reach Waypoint."""
    real = connection.commit
    lost = []

    def commit_then_lose_the_answer():
        real()
        if not lost:
            lost.append(True)
            raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(connection, "commit", commit_then_lose_the_answer)
    return lost


@pytest.mark.django_db(transaction=True)
def test_a_lost_commit_answer_keeps_the_photo_the_committed_row_names(
    submit, photo_form, commit_answer_lost, settings
):
    """PostgreSQL committed, the connection dropped before saying so: the device is told to
    retry (503), the photo stays, and the retry hears "nothing was lost" truthfully."""
    xml = instance_xml(instance_id="uuid:lost-answer", photo="face.jpg")

    first = submit(xml, {"face.jpg": b"JPEG-FACE"})

    assert commit_answer_lost
    assert first.status_code == 503
    assert first["Retry-After"] == "30"
    attachment = Attachment.objects.get()  # committed after all
    assert quarantine.read_attachment(attachment.file.name) == b"JPEG-FACE"

    retry = submit(xml, {"face.jpg": b"JPEG-FACE"})

    assert retry.status_code == 201
    assert "nothing was lost" in message(retry)
    assert quarantine.read_attachment(Attachment.objects.get().file.name) == b"JPEG-FACE"
    assert len(sealed_files(settings.MEDIA_ROOT)) == 1  # the retry's copy was not kept


@pytest.mark.django_db(transaction=True)
def test_a_commit_that_failed_leaves_no_file(submit, photo_form, monkeypatch, settings):
    """The other outcome, known on a fresh connection: nothing committed, so the sealed files
    of the attempt are deleted at once (no orphan waits for the sweep)."""
    real_rollback = connection.rollback

    def commit_refused():
        real_rollback()
        raise OperationalError("could not commit")

    monkeypatch.setattr(connection, "commit", commit_refused)
    response = submit(instance_xml(photo="face.jpg"), {"face.jpg": b"JPEG"})

    assert response.status_code == 503
    assert not Submission.objects.exists()
    assert sealed_files(settings.MEDIA_ROOT) == []


def test_an_unanswerable_outcome_deletes_nothing(monkeypatch):
    """The database still unreachable: whether rows name the files cannot be known, so none is
    deleted (the sweep decides later)."""

    class Unreachable:
        ops = connection.ops
        vendor = "unreachable"

        def cursor(self):
            raise OperationalError("connection refused")

        def close(self):
            pass

    monkeypatch.setattr(outcome.connections, "create_connection", lambda alias: Unreachable())

    assert outcome.files_referenced(["quarantine/1/2026/12/abc"]) is None


@pytest.mark.django_db
def test_a_retry_restores_an_attachment_whose_sealed_file_is_gone(submit, photo_form):
    """A row naming a file that is not in storage (lost before this fix, or by an operator):
    the retry's copy takes its place instead of "nothing was lost" being said of a lost file."""
    xml = instance_xml(instance_id="uuid:gone", photo="face.jpg")
    assert submit(xml, {"face.jpg": b"JPEG"}).status_code == 201
    quarantine.delete_stored([Attachment.objects.get().file.name])

    retry = submit(xml, {"face.jpg": b"JPEG"})

    assert retry.status_code == 201
    assert "nothing was lost" not in message(retry)
    assert quarantine.read_attachment(Attachment.objects.get().file.name) == b"JPEG"


@pytest.mark.django_db
def test_a_retry_without_the_lost_file_asks_for_it(submit, photo_form):
    xml = instance_xml(instance_id="uuid:gone2", photo="face.jpg")
    assert submit(xml, {"face.jpg": b"JPEG"}).status_code == 201
    quarantine.delete_stored([Attachment.objects.get().file.name])

    retry = submit(xml)

    assert retry.status_code == 201
    assert "Waiting for 1 more file(s): face.jpg" in message(retry)
    assert not Attachment.objects.exists()


# 2. The sweep of sealed files no row names --------------------------------------------------


@pytest.mark.django_db
def test_the_sweep_deletes_old_unnamed_files_only_and_audits_the_count(
    submit, photo_form, settings
):
    assert submit(instance_xml(photo="face.jpg"), {"face.jpg": b"JPEG"}).status_code == 201
    named = Path(settings.MEDIA_ROOT) / Attachment.objects.get().file.name
    old_orphan = quarantine.store_attachment(b"left by a crash", project_pk=1).name
    young_orphan = quarantine.store_attachment(b"a request in flight", project_pk=1).name
    two_hours_ago = time.time() - 7200
    for name in (named, Path(settings.MEDIA_ROOT) / old_orphan):
        os.utime(name, (two_hours_ago, two_hours_ago))

    counts = orphans.orphans_delete(grace=timedelta(hours=1))

    assert counts == {"examined": 3, "deleted": 1, "young": 1}
    assert named.exists()
    assert not (Path(settings.MEDIA_ROOT) / old_orphan).exists()
    assert (Path(settings.MEDIA_ROOT) / young_orphan).exists()
    event = AuditEvent.objects.get(action="sync.orphans_deleted")
    assert event.details == counts


def test_the_sweep_is_on_the_beat_schedule_and_a_worker_knows_it(settings):
    from backend.celery import app

    app.loader.import_default_modules()
    assert settings.CELERY_BEAT_SCHEDULE["sync-orphans"]["task"] == "sync.orphans_sweep"
    assert "sync.orphans_sweep" in app.tasks


# 3. No request strands a device --------------------------------------------------------------


@pytest.mark.django_db
def test_an_instance_id_over_255_characters_is_stored_whole_and_retries_are_one(submit, photo_form):
    """Collect puts whatever the form computes into meta/instanceID; PostgreSQL refused one
    over 255 characters with an HTML 500, every retry the same (the device stuck)."""
    long_id = "uuid:" + "x" * 600
    xml = instance_xml(instance_id=long_id)

    first, retry = submit(xml), submit(xml)

    assert (first.status_code, retry.status_code) == (201, 201)
    assert "nothing was lost" in message(retry)
    stored = Submission.objects.get()
    assert stored.sent_instance_id == long_id
    assert len(stored.instance_id) <= 255


@pytest.mark.django_db
def test_an_edit_of_a_long_instance_id_finds_its_original(submit, photo_form):
    original = "uuid:" + "o" * 400
    assert submit(instance_xml(instance_id=original)).status_code == 201

    edit = submit(instance_xml(instance_id="uuid:edit", deprecated_id=original))

    assert edit.status_code == 201
    assert Submission.objects.get(instance_id="uuid:edit").deprecates.sent_instance_id == original


@pytest.mark.django_db
def test_an_unexpected_server_fault_answers_openrosa_xml_not_an_html_page(
    submit, photo_form, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("sync.views.submission_receive", broken)

    response = submit(instance_xml())

    assert response.status_code == 500
    assert response["X-OpenRosa-Version"] == "1.0"
    assert "Nothing was lost" in message(response)


# 4. Attachment names as Collect means them ----------------------------------------------------

NFC = "Fotoğraf_é.jpg"  # NFC: é and ğ as single code points
LONG = "p" * 300 + ".jpg"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("in_xml", "field", "filename"),
    [
        pytest.param(NFC, NFC, NFC, id="same"),
        pytest.param(NFC, "file1", unicodedata.normalize("NFD", NFC), id="nfd"),
        pytest.param("../face.jpg", "file1", "../face.jpg", id="dot-dot"),
        pytest.param("DCIM\\face.jpg", "file1", "DCIM\\\\face.jpg", id="backslash"),
        # The XML says "a&amp;b.jpg" (escaped once more in XML); the parser unescapes the part.
        pytest.param("a&amp;amp;b.jpg", "file1", "a&amp;b.jpg", id="entities"),
        pytest.param(LONG, LONG, LONG, id="over-255"),
        pytest.param(LONG, "file1", LONG, id="over-255-generic-field"),
    ],
)
def test_a_part_whose_name_the_parser_cleaned_still_completes_the_submission(
    client, device, photo_form, in_xml, field, filename
):
    """Once 201 "waiting for 1 more file" for ever, the bytes discarded."""
    xml = instance_xml(photo=in_xml)

    response = post_raw(client, device, xml, [(field, filename, b"JPEG")])

    assert response.status_code == 201, message(response)
    submission = Submission.objects.get()
    assert submission.complete
    attachment = submission.attachments.get()
    assert quarantine.read_attachment(attachment.file.name) == b"JPEG"
    assert attachment.name == fromstring(xml).findtext("photo")  # the XML's own name


@pytest.mark.django_db
def test_a_part_matching_no_awaited_name_is_refused_and_nothing_is_kept(
    client, device, photo_form, settings
):
    response = post_raw(client, device, instance_xml(photo="face.jpg"), [("f", "other.jpg", b"x")])

    assert response.status_code == 400
    assert "other.jpg" in message(response)
    assert "face.jpg" in message(response)
    assert not Submission.objects.exists()
    assert sealed_files(settings.MEDIA_ROOT) == []


@pytest.mark.django_db
def test_a_leftover_file_beside_a_complete_submission_is_ignored(client, device, photo_form):
    """Collect sends every file of the instance folder, a replaced photo's included: with
    nothing awaited, the extra part is ignored (as ODK Central does) and the tablet done."""
    parts = [("face.jpg", "face.jpg", b"JPEG"), ("old.jpg", "old.jpg", b"OLD")]

    response = post_raw(client, device, instance_xml(photo="face.jpg"), parts)

    assert response.status_code == 201
    assert list(Attachment.objects.values_list("name", flat=True)) == ["face.jpg"]


# 5. Chunked bodies ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_chunked_body_is_read_and_stored(client, device, photo_form):
    """gunicorn de-chunks and sends no Content-Length: the body was read as empty (400)."""
    body, content_type = multipart(instance_xml(photo="p.jpg"), [("p.jpg", "p.jpg", b"JPEG")])

    response = client.post(
        device_url(device, "submission"),
        data=body,
        content_type=content_type,
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": io.BytesIO(body)},
        **OPENROSA,
    )

    assert response.status_code == 201, response.content
    assert Submission.objects.get().complete


@pytest.mark.django_db
def test_a_chunked_body_over_the_limit_is_413(client, device, photo_form, settings):
    settings.WAYPOINT_SUBMISSION_MAX_BYTES = 1000
    body, content_type = multipart(
        instance_xml(photo="p.jpg"), [("p.jpg", "p.jpg", b"x" * 400_000)]
    )

    response = client.post(
        device_url(device, "submission"),
        data=body,
        content_type=content_type,
        CONTENT_LENGTH="",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": io.BytesIO(body)},
        **OPENROSA,
    )

    assert response.status_code == 413
    assert not Submission.objects.exists()


def test_services_module_names_the_commit_check():
    """The failure path asks ``sync.outcome`` (a fresh connection) before deleting anything."""
    assert sync_services.outcome is outcome


@pytest.mark.django_db
def test_a_submission_with_more_than_100_photos_is_taken(submit, photo_form):
    """Collect splits a submission by size only: Django's default of 100 files a body refused a
    form with a repeat of photos on every retry (400 "incomplete or damaged", a stuck tablet)."""
    names = [f"doc{n}.jpg" for n in range(120)]
    xml = instance_xml(photo="face.jpg", docs=tuple(names))
    files = {"face.jpg": b"F", **{name: b"D" for name in names}}

    response = submit(xml, files)

    assert response.status_code == 201, message(response)
    assert Submission.objects.get().complete
    assert Attachment.objects.count() == 121
