"""The server dies while a web tablet's outbox is sending: its processes (gunicorn's master and
workers) are killed with SIGKILL while a worker is reading a POST, then started again on the
same port. Protects: the outbox retries by itself, and the server ends up with each submission
once, every photo intact."""

import contextlib
import os
import signal
import socket
import threading

import pytest

from accounts.models import Device
from accounts.provisioning import device_create
from forms.services import form_upload
from sync import quarantine
from sync.models import Submission
from tests.factories import ServicePointFactory
from tests.live import ServerProcess, children, free_port, postgres_env, wait_for
from tests.webforms.tablet import PHOTOS_FORM, counts, jpeg, open_ready, raw
from tests.xlsform import xlsx

pytestmark = [pytest.mark.timeout(600), pytest.mark.live_server_process]


class HoldingProxy:
    """A loopback relay in front of the server's port. The ``hold``-th POST reaches the server
    only in part (its headers and half of the body that has arrived): the rest is held back, so
    a worker is reading that POST for as long as the test wants. Everything else passes."""

    def __init__(self, upstream_port: int, hold: int) -> None:
        self.upstream_port, self.hold = upstream_port, hold
        self.posts = 0
        self.held = threading.Event()
        self.held_port = 0  # the port the held POST's connection to the server comes from
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        with client:
            try:
                upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            except OSError:
                return  # the server is down: the browser sees the connection close
            with upstream:
                threading.Thread(target=self._back, args=(upstream, client), daemon=True).start()
                self._forward(client, upstream)

    def _forward(self, client: socket.socket, upstream: socket.socket) -> None:
        capturing, holding, buffered = False, False, b""
        with contextlib.suppress(OSError):
            while chunk := client.recv(65536):
                if holding:
                    continue  # the rest of the held POST never reaches the server
                if chunk.startswith(b"POST "):  # HTTP/1.1: a request starts a chunk of its own
                    self.posts += 1
                    capturing = self.posts == self.hold
                if not capturing:
                    upstream.sendall(chunk)
                    continue
                buffered += chunk
                head = buffered.find(b"\r\n\r\n") + 4
                if 3 < head < len(buffered):  # the headers and some of the body have come
                    upstream.sendall(buffered[: head + (len(buffered) - head) // 2])
                    self.held_port = upstream.getsockname()[1]
                    holding = True
                    self.held.set()

    @staticmethod
    def _back(upstream: socket.socket, client: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := upstream.recv(65536):
                client.sendall(data)
        # The server closed the connection, or died: the browser's connection closes too.
        with contextlib.suppress(OSError):
            client.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.listener.close()


def _kill(server: ServerProcess) -> None:
    """SIGKILL the whole server, as the OOM killer or a power cut would. The master is stopped
    first so that it cannot fork a new worker between the kills."""
    master = server.process.pid
    os.kill(master, signal.SIGSTOP)
    workers = children(master)
    for pid in [*workers, master]:
        os.kill(pid, signal.SIGKILL)
    server.process.wait(timeout=30)
    # Gone means no process holds the listening socket any longer: the port is free again.
    assert wait_for(lambda: not any(os.path.exists(f"/proc/{pid}/fd/0") for pid in workers), 30)
    assert wait_for(lambda: _refused(server.port), 30)


def _refused(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _fill_photo_form(page, name: str, photo) -> None:
    page.locator(".wp-start[data-form=photos]").click()
    form = page.locator(".odk-form")
    form.locator("input[type=text]").first.fill(name)
    form.locator("input[type=file]").first.set_input_files(str(photo))
    page.get_by_role("button", name="Send", exact=True).click()
    page.locator(".wp-notice").wait_for()


@pytest.fixture
def own_server(live, openrosa_servers):
    """A server process of this test's own (the module's shared one must survive), on the test
    database, media and quarantine key of the other live servers."""
    from django.db import connection

    env = postgres_env(
        connection.settings_dict,
        WAYPOINT_MEDIA_ROOT=str(openrosa_servers.media_root),
        WAYPOINT_QUARANTINE_KEYS=openrosa_servers.key,
        WAYPOINT_ODK_VALIDATE="false",
    )
    servers = [ServerProcess(env, free_port()).start()]
    yield servers  # the test appends the restarted one
    for server in servers:
        server.stop()


def test_server_killed_mid_post_then_restarted_each_submission_stored_once(
    own_server, project, tablet_context, tmp_path
):
    form_upload(project=project, filename="photos.xlsx", data=xlsx(PHOTOS_FORM))
    device, token = device_create(
        project=project,
        service_point=ServicePointFactory(project=project),
        name="Phone",
        kind=Device.Kind.WEB,
    )
    device.token = token
    server = own_server[0]
    photos = {f"p{n}.jpg": jpeg(tmp_path / f"p{n}.jpg", 100 + n) for n in range(3)}

    proxy = HoldingProxy(server.port, hold=2)
    page = open_ready(tablet_context, proxy, device)
    # The outbox starts sending the first while the next two are filled.
    for n, name in enumerate(photos):
        _fill_photo_form(page, f"Person {n}", tmp_path / name)

    # The second POST is half-way into a worker: one sent, one being read, one waiting.
    assert proxy.held.wait(120), "the second POST never came"
    server.worker_serving(proxy.held_port)  # a worker holds it (raises if none does)
    assert wait_for(lambda: "Sent: 1" in counts(page), 30), counts(page)
    _kill(server)
    # The cut POST failed in the browser (no answer came): kept, to be sent again.
    retrying = page.locator("#wp-failures")
    assert wait_for(lambda: "will retry (Network error" in retrying.inner_text(), 30)

    restarted = ServerProcess(server.env, server.port).start()  # same port: the tablet's URL
    own_server.append(restarted)
    # No "Send now": the outbox's own back-off brings it back.
    assert wait_for(lambda: "Sent: 3" in counts(page), 180), counts(page)
    assert "Waiting: 0" in counts(page)
    proxy.close()

    stored = Submission.objects.filter(form__form_id="photos")
    assert stored.count() == 3
    assert len({s.instance_id for s in stored}) == 3
    names = sorted(
        n for s in stored for n in ("Person 0", "Person 1", "Person 2") if n in raw(s).decode()
    )
    assert names == ["Person 0", "Person 1", "Person 2"], "each form once"
    assert all(s.complete for s in stored)
    kept = sorted(
        quarantine.read_attachment(a.file.name)
        for s in stored.prefetch_related("attachments")
        for a in s.attachments.all()
    )
    assert kept == sorted(photos.values()), "each photo once, byte for byte"
