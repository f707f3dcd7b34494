"""Faults a field deployment meets, each through real processes: the web worker handling an
upload killed mid-body, the broker down while submissions arrive, the database restarting during
ingest. In each, a tablet that retries what it did not see succeed ends with every submission
stored exactly once, and nothing is ever answered 201 that was not stored.

Elsewhere: a Celery worker killed mid-task (tests/privacy/test_celery_worker.py), and ODK
Collect's own engine retrying after a response lost behind a proxy
(tests/sync/test_real_clients.py, test_retry_after_a_lost_response_lands_one_submission).
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from contextlib import closing
from pathlib import Path

import httpx
import psycopg2
import pytest

from lib.crypto import new_quarantine_key
from privacy.models import AnonymisedRecord
from sync import quarantine
from sync.models import Attachment, Submission
from tests.factories import DeviceFactory
from tests.live import (
    ROOT,
    CeleryWorker,
    PostgresCluster,
    RedisServer,
    ServerProcess,
    free_port,
    manage,
    postgres_env,
    wait_for,
)
from tests.proxy import LossyProxy
from tests.samples import instance_xml

pytestmark = [pytest.mark.postgres, pytest.mark.live_server_process, pytest.mark.timeout(300)]
OPENROSA = {"X-OpenRosa-Version": "1.0"}
PHOTO = b"\xff\xd8\xff" + os.urandom(8 * 1024 * 1024)  # past the in-memory limit: streamed to disk


def error_lines(server: ServerProcess) -> str:
    """The exceptions in the server's log, for a failure message."""
    return "\n".join(line for line in server.errors().splitlines() if "Error" in line)[-3000:]


def multipart(xml: bytes, files: dict[str, bytes]) -> tuple[bytes, str]:
    """A submission body as Collect sends it, and its Content-Type."""
    boundary = uuid.uuid4().hex
    parts = [("xml_submission_file", "instance.xml", "text/xml", xml)]
    parts += [(name, name, "image/jpeg", data) for name, data in files.items()]
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
        f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
        + data
        + b"\r\n"
        for field, filename, content_type, data in parts
    )
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def submission_path(device) -> str:
    return f"/key/{device.token}/projects/{device.project_id}/submission"


def quarantined_files(media_root: Path, project_pk: int) -> list[Path]:
    return [p for p in (media_root / "quarantine" / str(project_pk)).rglob("*") if p.is_file()]


# 1. The web process killed mid-upload ---------------------------------------------------------


def upload_cut_off(server: ServerProcess, path: str, body: bytes, content_type: str, tmp: Path):
    """Send half the body, SIGKILL the worker that is streaming it to disk, then try to send the
    rest: returns what the device hears back."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nX-OpenRosa-Version: 1.0\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    half = len(body) // 2
    sock.sendall(head + body[:half])
    worker = server.worker_serving(sock.getsockname()[1])
    # Django is writing the photo to its private upload folder: the request is mid-body.
    assert wait_for(lambda: any(f.stat().st_size for f in tmp.rglob("*.upload*"))), server.errors()
    os.kill(worker, signal.SIGKILL)
    try:
        sock.sendall(body[half:])
        return sock.recv(65536)
    except OSError:  # reset: the process holding the connection is gone
        return b""
    finally:
        sock.close()


@pytest.mark.usefixtures("photo_form")
def test_worker_killed_mid_upload_then_retry_stores_one_complete_submission(
    openrosa_servers, live, project, tmp_path
):
    """An OOM kill or a crash while a photo streams in: the device hears nothing, keeps the
    form and sends it all again; one complete submission with its one photo results."""
    server = openrosa_servers(WAYPOINT_UPLOAD_TEMP_DIR=str(tmp_path))  # lib/uploads.py
    device = DeviceFactory(project=project)
    body, content_type = multipart(instance_xml(photo="face.jpg"), {"face.jpg": PHOTO})

    heard = upload_cut_off(server, submission_path(device), body, content_type, tmp_path)

    assert heard == b""  # a connection error: no answer, so Collect keeps the form to resend
    assert not Submission.objects.exists()  # nothing half-stored
    # The half-received photo was plaintext on disk: the master deletes it with the worker.
    assert wait_for(lambda: not list(tmp_path.rglob("*.upload*"))), server.errors()
    retry = httpx.post(
        server.url + submission_path(device),
        content=body,
        headers={**OPENROSA, "Content-Type": content_type},
        timeout=60,
    )
    assert retry.status_code == 201, retry.text
    submission = Submission.objects.get()
    assert submission.complete
    attachment = Attachment.objects.get()
    assert attachment.submission == submission
    assert quarantine.read_attachment(attachment.file.name) == PHOTO
    assert len(quarantined_files(openrosa_servers.media_root, project.pk)) == 1


@pytest.mark.usefixtures("photo_form")
def test_response_lost_after_commit_then_retry_with_the_photo_adds_nothing(
    openrosa_servers, live, project
):
    """The other moment of a crash: stored and committed, the answer never out. The device sends
    everything again; the photo is not stored twice, and no orphan file is left."""
    device = DeviceFactory(project=project)
    body, content_type = multipart(instance_xml(photo="face.jpg"), {"face.jpg": PHOTO})
    headers = {**OPENROSA, "Content-Type": content_type}
    proxy = LossyProxy(live.port, drop_first_matching=b"POST ")
    try:
        with pytest.raises(httpx.TransportError):
            httpx.post(
                proxy.url + submission_path(device), content=body, headers=headers, timeout=60
            )
    finally:
        proxy.close()
    assert Submission.objects.get().complete  # the server had stored it

    retry = httpx.post(
        live.url + submission_path(device), content=body, headers=headers, timeout=60
    )

    assert retry.status_code == 201
    assert b"already received" in retry.content
    assert Attachment.objects.count() == 1
    assert len(quarantined_files(openrosa_servers.media_root, project.pk)) == 1


# 2. The broker down while submissions arrive -------------------------------------------------


@pytest.fixture
def broker():
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    redis = RedisServer().start()
    yield redis
    redis.kill()


def unqueued(server: ServerProcess) -> int:
    """How many submissions the server's batches failed to hand to the broker, from its log."""
    found = re.findall(r"could not queue anonymisation of (\d+) submissions", server.errors())
    return sum(int(count) for count in found)


@pytest.mark.usefixtures("photo_form")
def test_broker_down_submissions_accepted_then_all_anonymised_exactly_once(
    openrosa_servers, live, project, broker
):
    """Tablets never wait on the broker: hung, then dead, it costs each submission nothing. The
    batches it did not take (and the one it lost) are found by the sweep once it is back, and
    every submission gets exactly one anonymised record."""
    queue = f"waypoint-faults-{uuid.uuid4().hex[:8]}"
    server = openrosa_servers(
        CELERY_BROKER_URL=broker.url,
        CELERY_TASK_DEFAULT_QUEUE=queue,
        WAYPOINT_PSEUDONYM_SECRET="test-pseudonym-secret",
    )
    url = server.url + submission_path(DeviceFactory(project=project))

    def submit() -> tuple[str, float]:
        """Send a new submission; its instanceID and how long the 201 took."""
        started, instance_id = time.monotonic(), f"uuid:{uuid.uuid4()}"
        xml = instance_xml(instance_id=instance_id)
        files = {"xml_submission_file": ("instance.xml", xml, "text/xml")}
        response = httpx.post(url, headers=OPENROSA, files=files, timeout=60)
        assert response.status_code == 201, response.text
        return instance_id, time.monotonic() - started

    submit()
    assert wait_for(lambda: broker.command("LLEN", queue) == "1", 30)  # its batch is queued
    broker.freeze()  # hung: publishing waits for an answer that does not come
    asked = time.monotonic()
    hung = httpx.get(server.url + "/health/ready", timeout=120)
    assert hung.status_code == 503  # the probe fails rather than hanging on the broker
    assert time.monotonic() - asked < 60
    during = [submit()[1] for _ in range(4)]
    broker.kill()  # then gone, with the queued batch: nothing was persisted
    during += [submit()[1] for _ in range(4)]

    assert max(during) < 15, during  # never held up by publishing (a loaded CI machine)
    # Each web process tries its batches on the broker, gives up, and goes on serving.
    assert wait_for(lambda: unqueued(server) == 8, 30), error_lines(server)
    ready = httpx.get(server.url + "/health/ready", timeout=30)
    assert ready.status_code == 503  # the readiness probe tells the operator
    assert ready.json()["broker"].startswith("failed")

    broker.start()  # back, empty, on the same port
    worker = CeleryWorker(server.env).start()
    try:
        after, _ = submit()  # a web process reconnects by itself: this one needs no sweep
        assert wait_for(AnonymisedRecord.objects.filter(submission__instance_id=after).exists), (
            worker.output()[-3000:]
        )
        assert AnonymisedRecord.objects.count() == 1  # the other nine wait for the sweep
        subprocess.run(
            [sys.executable, "-m", "celery", "-A", "backend", "call", "privacy.anonymise_pending"],
            cwd=ROOT,
            env=server.env,
            check=True,
            capture_output=True,
            timeout=120,
        )  # what beat sends every minute
        assert Submission.objects.count() == 10
        assert wait_for(lambda: AnonymisedRecord.objects.count() == 10), worker.output()[-3000:]
    finally:
        worker.stop()
    records = list(AnonymisedRecord.objects.values_list("submission_id", flat=True))
    assert sorted(records) == sorted(Submission.objects.values_list("pk", flat=True))


# 3. The database restarting during ingest ----------------------------------------------------


@pytest.fixture(scope="module")
def own_database(tmp_path_factory):
    """A server on a PostgreSQL cluster of its own, migrated, with the demo's tablet and forms."""
    try:
        cluster = PostgresCluster().init()
    except (FileNotFoundError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"cannot run a throwaway PostgreSQL cluster: {exc}")
    try:
        url = cluster.create_database("wp_faults")
        state = tmp_path_factory.mktemp("own-database")
        env = postgres_env(
            {"USER": "postgres", "HOST": "127.0.0.1", "PORT": cluster.port, "NAME": "wp_faults"},
            WAYPOINT_VAR_DIR=str(state / "var"),
            WAYPOINT_MEDIA_ROOT=str(state / "media"),
            WAYPOINT_QUARANTINE_KEYS=new_quarantine_key(),
            WAYPOINT_ODK_VALIDATE="false",
        )
        manage("migrate", "--no-input", env=env)
        port = free_port()
        demo = json.loads(
            manage("demo", "--json", "--base-url", f"http://127.0.0.1:{port}", env=env).stdout
        )
        server = ServerProcess(env, port).start()
        version = next(f["version"] for f in demo["forms"] if f["form_id"] == "migrant_experience")
        try:
            yield (
                cluster,
                server,
                Tablet(f"{demo['device']['server_url']}/submission", version),
                url,
            )
        finally:
            server.stop()
    finally:
        cluster.destroy()


class Tablet(threading.Thread):
    """Sends submissions with new instanceIDs one after another, noting every answer."""

    def __init__(self, url: str, version: str) -> None:
        super().__init__(daemon=True)
        self.url, self.version = url, version
        self.answers: list[tuple[str, int | str, httpx.Response | None]] = []
        self.halt = threading.Event()

    def send(self, instance_id: str) -> httpx.Response:
        xml = (
            f'<data id="migrant_experience" version="{self.version}"><consent>no</consent>'
            f"<meta><instanceID>{instance_id}</instanceID></meta></data>"
        ).encode()
        files = {"xml_submission_file": ("instance.xml", xml, "text/xml")}
        return httpx.post(self.url, headers=OPENROSA, files=files, timeout=60)

    def run(self) -> None:
        for _ in range(2000):  # bounded, whatever happens
            if self.halt.is_set():
                return
            instance_id = f"uuid:{uuid.uuid4()}"
            try:
                response = self.send(instance_id)
            except httpx.TransportError as exc:  # the worker died, or hung up
                self.answers.append((instance_id, type(exc).__name__, None))
            else:
                self.answers.append((instance_id, response.status_code, response))

    def count(self, accepted: bool) -> int:
        return sum((status == 201) == accepted for _, status, _ in self.answers)


def stored_instance_ids(url: str) -> Counter:
    with closing(psycopg2.connect(url)) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT instance_id FROM sync_submission")
        return Counter(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_database_restart_during_ingest_answers_retryably_and_loses_nothing(own_database, mode):
    """``immediate`` is a crash: no checkpoint, connections cut wherever they are (a COMMIT's
    answer among them). Either way: 0 lost, 0 duplicated, no device left without a 201."""
    cluster, server, template, url = own_database
    tablet = Tablet(template.url, template.version)  # a thread starts once: one per run
    tablet.start()
    try:
        assert wait_for(lambda: tablet.count(accepted=True) >= 5, 60), tablet.answers[-3:]
        cluster.stop(mode)  # while requests are in flight
        assert wait_for(lambda: tablet.count(accepted=False) >= 5, 30), error_lines(server)
        cluster.start()
        accepted_before = tablet.count(accepted=True)
        assert wait_for(lambda: tablet.count(accepted=True) >= accepted_before + 5, 60), (
            error_lines(server)
        )
    finally:
        tablet.halt.set()
        tablet.join(timeout=60)

    refused = [(iid, status, r) for iid, status, r in tablet.answers if status != 201]
    for _, status, response in refused:  # what Collect shows, and keeps the form to resend
        assert status == 503, (status, response.text[:500] if response else None)
        assert int(response.headers["Retry-After"]) > 0
        assert response.headers["X-OpenRosa-Version"] == "1.0"
        assert b"<OpenRosaResponse" in response.content
    stored = stored_instance_ids(url)
    assert all(stored[iid] == 1 for iid, status, _ in tablet.answers if status == 201)

    retries = [tablet.send(iid) for iid, _, _ in refused]

    assert [r.status_code for r in retries] == [201] * len(retries)
    stored = stored_instance_ids(url)
    assert [stored[iid] for iid, _, _ in tablet.answers] == [1] * len(tablet.answers)


def test_database_restarted_while_tablets_are_idle_costs_no_submission(own_database):
    """Kept connections are dead after a restart: each must be replaced before it is used, not
    discovered dead by a volunteer's submission."""
    cluster, server, tablet, _ = own_database
    warm = [tablet.send(f"uuid:{uuid.uuid4()}").status_code for _ in range(16)]
    assert warm == [201] * 16  # the server's threads now keep connections open

    cluster.stop("fast")
    cluster.start()

    after = [tablet.send(f"uuid:{uuid.uuid4()}").status_code for _ in range(16)]
    assert after == [201] * 16, error_lines(server)
