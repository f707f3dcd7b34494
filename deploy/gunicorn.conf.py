"""gunicorn settings for a 2-core host: `gunicorn -c deploy/gunicorn.conf.py backend.wsgi`.

Uploads from tablets on slow links hold a connection for seconds, so threads (gthread) keep the
few processes a small host can afford free for other requests.
"""

import gc
import multiprocessing
import os

from lib.uploads import (
    stale_uploads_delete,
    worker_upload_dir_delete,
    worker_upload_dir_use,
)

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (a slow leak cannot grow forever), rarely enough not to show in
# latency: a restart costs a worker's warm-up.
max_requests = 20000
max_requests_jitter = 2000
accesslog = "-"
# Waypoint's log format (LOG_FORMAT=json|text) with the request id Django sets on the response;
# device tokens in paths are masked, query strings and client addresses left out
# (backend/gunicorn_logging.py). This format is the text one; JSON lines carry the same fields.
logger_class = "backend.gunicorn_logging.TokenMaskingLogger"
access_log_format = '"%(m)s %(U)s" %(s)s %(B)s %(L)ss request=%({x-request-id}o)s'


def on_starting(server) -> None:
    """Partial uploads a killed worker left behind are plaintext: delete them before serving."""
    deleted = stale_uploads_delete()
    if deleted:
        server.log.info("deleted %d stale partial upload(s)", deleted)


def post_fork(server, worker) -> None:
    worker_upload_dir_use(worker.pid)


def child_exit(server, worker) -> None:
    """A worker killed mid-upload (OOM, a crash) leaves half a photo: delete it now."""
    worker_upload_dir_delete(worker.pid)


def post_worker_init(worker) -> None:
    """Django, its apps and their modules, loaded now, live as long as the worker: moved out of
    the collector's reach, a full collection no longer walks them all while requests wait
    (issue 19: p99 at c=16 down about 20 %, web CPU per submission about 10 %)."""
    gc.collect()
    gc.freeze()
