"""Storage full or failing anywhere a submission passes (the upload folder, the media root, S3):
the tablet is told to retry later (503 with Retry-After), no plaintext and no sealed file is left
behind, and the retry once space is back stores the submission once (issue 16)."""

import os
import subprocess
from pathlib import Path

import pytest

from sync import quarantine
from sync.models import Attachment, Submission
from tests.samples import instance_xml


def sealed_files(media_root: Path) -> list[Path]:
    return [p for p in (Path(media_root) / "quarantine").rglob("*") if p.is_file()]


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MB tmpfs (root only; skips elsewhere), unmounted afterwards."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    if subprocess.run(["umount", str(mount)], check=False).returncode:
        subprocess.run(["umount", "-l", str(mount)], check=False)  # a file still open in it


def _fill(folder: Path, leave: int = 0) -> Path:
    filler = folder / "filler"
    with open(filler, "wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass
    if leave:
        os.truncate(filler, max(filler.stat().st_size - leave, 0))
    return filler


@pytest.mark.django_db
def test_a_full_upload_folder_answers_503_and_leaves_no_plaintext(
    submit, photo_form, settings, small_disk
):
    """A 6 MB photo streams to the upload folder: full, it was a 400 "incomplete or damaged"
    and partial plaintext stayed behind."""
    settings.FILE_UPLOAD_TEMP_DIR = str(small_disk)
    filler = _fill(small_disk, leave=512 * 1024)
    photo = b"\xff\xd8" + os.urandom(6 * 1024 * 1024)
    xml = instance_xml(instance_id="uuid:big", photo="big.jpg")

    response = submit(xml, {"big.jpg": photo})

    assert response.status_code == 503, response.content
    assert response["Retry-After"] == "30"
    assert [p.name for p in small_disk.iterdir()] == ["filler"]  # no partial upload
    filler.unlink()  # space again: the device's retry goes through
    settings.WAYPOINT_SUBMISSION_MAX_BYTES = 10 * 1024 * 1024
    assert submit(xml, {"big.jpg": photo[: 1024 * 1024]}).status_code == 201


@pytest.mark.django_db
def test_a_full_media_root_answers_503_and_leaves_no_orphan(
    submit, photo_form, settings, small_disk
):
    """Disk full while sealing: 249 empty or half-written sealed files stayed behind."""
    settings.MEDIA_ROOT = str(small_disk)
    filler = _fill(small_disk, leave=300 * 1024)
    xml = instance_xml(instance_id="uuid:full", photo="p.jpg", docs=("d.jpg",))
    files = {"p.jpg": b"a" * 200 * 1024, "d.jpg": b"b" * 200 * 1024}

    refused = [submit(xml, files) for _ in range(3)]

    assert [r.status_code for r in refused] == [503] * 3
    assert sealed_files(small_disk) == []
    assert not Submission.objects.exists()
    filler.unlink()
    assert submit(xml, files).status_code == 201
    assert len(sealed_files(small_disk)) == 2 == Attachment.objects.count()


def test_a_failed_write_deletes_its_partial_file(settings, tmp_path, monkeypatch):
    """On any storage (S3 too): a write that fails leaves nothing under its name."""
    deleted = []
    monkeypatch.setattr(quarantine.default_storage, "_save", _raise_enospc)
    monkeypatch.setattr(quarantine.default_storage, "delete", deleted.append)

    with pytest.raises(OSError, match="No space left"):
        quarantine.store_attachment(b"data", project_pk=1)

    assert len(deleted) == 1
    assert deleted[0].startswith("quarantine/1/")


def _raise_enospc(name, content):
    raise OSError(28, "No space left on device")


@pytest.mark.django_db
def test_s3_out_of_reach_answers_503_and_keeps_nothing(submit, photo_form, monkeypatch):
    """The object store unreachable mid-submission (botocore's error, not an OSError): the
    same 503 with Retry-After, and nothing stored (a guard beside the file-system cases)."""
    from botocore.exceptions import EndpointConnectionError

    def unreachable(name, content):
        raise EndpointConnectionError(endpoint_url="https://s3.example.org")

    monkeypatch.setattr(quarantine.default_storage, "_save", unreachable)
    monkeypatch.setattr(quarantine.default_storage, "delete", lambda name: None)

    response = submit(instance_xml(photo="p.jpg"), {"p.jpg": b"JPEG"})

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert not Submission.objects.exists()
