"""``Transfer-Encoding: chunked`` submissions through a real gunicorn server: HTTP/1.1 clients may
send a body without Content-Length, and Waypoint must read and limit it like any other (issue 16;
the in-process variants are in tests/sync/test_sync_faults.py)."""

import os
import uuid

import httpx
import pytest

from sync import quarantine
from sync.models import Attachment
from tests.factories import DeviceFactory
from tests.samples import instance_xml

pytestmark = [pytest.mark.postgres, pytest.mark.live_server_process, pytest.mark.timeout(300)]
OPENROSA = {"X-OpenRosa-Version": "1.0"}


def multipart(xml: bytes, files: dict[str, bytes]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [("xml_submission_file", "instance.xml", xml), *[(n, n, d) for n, d in files.items()]]
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
        f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
        + data
        + b"\r\n"
        for field, filename, data in parts
    )
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def submission_path(device) -> str:
    return f"/key/{device.token}/projects/{device.project_id}/submission"


def _chunks(body: bytes, size: int = 7000):
    for start in range(0, len(body), size):
        yield body[start : start + size]


@pytest.mark.usefixtures("photo_form")
def test_a_chunked_submission_through_gunicorn_is_stored_and_limited(live, project, settings):
    """HTTP/1.1 clients may send ``Transfer-Encoding: chunked`` (no Content-Length): gunicorn
    de-chunks it and Django read it as empty (400). Now stored, and over the limit 413."""
    device = DeviceFactory(project=project)
    photo = os.urandom(300_000)
    body, content_type = multipart(instance_xml(photo="face.jpg"), {"face.jpg": photo})
    headers = {**OPENROSA, "Content-Type": content_type}
    url = live.url + submission_path(device)

    stored = httpx.post(url, content=_chunks(body), headers=headers, timeout=60)

    assert stored.status_code == 201, stored.text
    assert stored.request.headers.get("Transfer-Encoding") == "chunked"
    assert quarantine.read_attachment(Attachment.objects.get().file.name) == photo
    huge = _chunks(b"x" * (settings.WAYPOINT_SUBMISSION_MAX_BYTES + 300 * 1024), 65536)
    refused = httpx.post(url, content=huge, headers=headers, timeout=60)
    assert refused.status_code == 413
    assert b"<OpenRosaResponse" in refused.content
