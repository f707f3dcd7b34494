"""Anonymisation through a real Celery worker on RabbitMQ, fed by a real server process that
JavaRosa (the engine of ODK Collect) submits to; and a worker killed mid-task loses nothing and
duplicates nothing."""

import socket
import time
import uuid

import pytest

from forms.library import LIBRARY_DIR
from forms.services import form_upload
from privacy.models import AnonymisedRecord
from tests.factories import DeviceFactory
from tests.live import CeleryWorker, ServerProcess, free_port, postgres_env, wait_for
from tests.real_clients import javarosa

pytestmark = pytest.mark.timeout(600)
BROKER = "amqp://guest:guest@127.0.0.1:5672//"


def broker_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=2).close()
    except OSError:
        return False
    return True


@pytest.fixture
def pipeline(live, settings):
    """A gunicorn and a worker sharing the test database and this test's own queue."""
    from django.db import connection

    if not broker_reachable():
        pytest.skip("RabbitMQ is not reachable on 127.0.0.1:5672")
    queue = f"waypoint-test-{uuid.uuid4().hex[:8]}"
    env = postgres_env(
        connection.settings_dict,
        CELERY_BROKER_URL=BROKER,
        CELERY_TASK_DEFAULT_QUEUE=queue,
        WAYPOINT_MEDIA_ROOT=str(settings.MEDIA_ROOT),
        WAYPOINT_QUARANTINE_KEYS=settings.WAYPOINT_QUARANTINE_KEYS,
        WAYPOINT_PSEUDONYM_SECRET="test-pseudonym-secret",
        WAYPOINT_ODK_VALIDATE="false",
    )
    server = ServerProcess(env, free_port()).start()
    started = []

    def worker(**extra: str) -> CeleryWorker:
        started.append(CeleryWorker({**env, **extra}).start())
        return started[-1]

    yield server, worker
    server.stop()
    for process in started:
        process.stop()


@pytest.fixture
def library(project):
    data = (LIBRARY_DIR / "migrant_experience.xlsx").read_bytes()
    return form_upload(project=project, filename="m.xlsx", data=data).version


def collect(server, device):
    result = javarosa(
        *("collect", f"{server.url}/key/{device.token}/projects/{device.project_id}"),
        *("--form-id", "migrant_experience"),
        *("--set", "/data/consent=yes"),
        *("--set", "/data/contact/contact_consent=yes"),
        *("--set", "/data/contact/contact_name=Nadia Haddad"),
        *("--set", "/data/contact/contact_phone=+39 347 998 1122"),
        *("--set", "/data/story=Nadia Haddad here, call +39 347 998 1122"),
    )
    assert result.returncode == 0, result.stderr[-3000:]


def test_collect_submission_reaches_an_anonymised_record_through_a_worker(
    pipeline, library, project, java
):
    server, worker = pipeline
    running = worker()
    collect(server, DeviceFactory(project=project))

    assert wait_for(AnonymisedRecord.objects.exists), running.output()[-3000:]
    record = AnonymisedRecord.objects.get()
    assert "contact/contact_name" not in record.data
    assert "Nadia" not in record.data["story"]
    assert "[NAME]" in record.data["story"]
    assert "[PHONE]" in record.data["story"]
    assert wait_for(lambda: record.form.disclosure_runs.exists())


def test_worker_killed_mid_task_loses_nothing_and_duplicates_nothing(
    pipeline, library, project, java
):
    server, worker = pipeline
    # The delay is a test-only setting: production settings do not read it.
    slow = worker(DJANGO_SETTINGS_MODULE="backend.settings_test", WAYPOINT_ANONYMISE_TEST_DELAY="8")
    collect(server, DeviceFactory(project=project))
    assert wait_for(
        lambda: "privacy.anonymise_batch" in slow.output() and "received" in slow.output(), 30
    )
    time.sleep(1)  # inside the task now: read, anonymised, sleeping before the write

    slow.kill()
    assert not AnonymisedRecord.objects.exists()  # it died before writing
    fresh = worker()

    assert wait_for(AnonymisedRecord.objects.exists), fresh.output()[-3000:]
    time.sleep(2)
    assert AnonymisedRecord.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_run_that_must_wait_is_redelivered_by_the_broker_without_the_sweep(
    submit, privacy_form, settings, monkeypatch
):
    """A form's second change, moments after its first run, is checked by a real worker when the
    form's wait ends: the worker re-queued it on RabbitMQ with a countdown. No beat runs here, so
    the minute sweep cannot be what ran it."""
    from celery import Celery
    from django.db import connection
    from django.utils import timezone

    from privacy import tasks
    from privacy.models import DisclosurePending, DisclosureRun
    from tests.samples import privacy_instance

    if connection.vendor != "postgresql" or not broker_reachable():
        pytest.skip("needs PostgreSQL (shared with the worker) and RabbitMQ on 127.0.0.1:5672")
    queue = f"waypoint-test-{uuid.uuid4().hex[:8]}"
    env = postgres_env(
        connection.settings_dict,
        CELERY_BROKER_URL=BROKER,
        CELERY_TASK_DEFAULT_QUEUE=queue,
        WAYPOINT_QUARANTINE_KEYS=settings.WAYPOINT_QUARANTINE_KEYS,
        WAYPOINT_PSEUDONYM_SECRET="test-pseudonym-secret",
        WAYPOINT_DISCLOSURE_MIN_INTERVAL="15",
    )
    sender = Celery(broker=BROKER, set_as_current=False)  # this process's tasks stay eager
    # This process anonymises in-process (no broker here); its disclosure messages go to the
    # worker's queue, as a worker's own would.
    monkeypatch.setattr(
        tasks.disclosure_control,
        "delay",
        lambda form_id: sender.send_task("privacy.disclosure_control", [form_id], queue=queue),
    )
    worker = CeleryWorker(env).start()
    try:
        runs = DisclosureRun.objects.filter(form_id=privacy_form.form_id).order_by("created_at")
        submit(privacy_instance("uuid:worker-first"))
        assert wait_for(runs.exists, 60), worker.output()[-3000:]

        submit(privacy_instance("uuid:worker-second"))
        first = runs.get()
        # Within the 15 s floor of the first run: this change's run has to wait.
        assert (timezone.now() - first.created_at).total_seconds() < 15
        assert wait_for(lambda: runs.count() == 2, 60), worker.output()[-3000:]
        second = runs.last()
        assert second.records == 2
        assert (second.created_at - first.created_at).total_seconds() >= 15 - 0.5
        assert not DisclosurePending.objects.filter(form_id=privacy_form.form_id).exists()
    finally:
        worker.stop()
        with sender.connection_for_write() as broker:
            broker.default_channel.queue_delete(queue)
        sender.close()
