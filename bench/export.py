"""Records export over HTTP against ODK Central's CSV, on the same submissions (issue 19: at least
5x Central's bytes/s, web RSS growth < 50 MB, first byte <= 1 s, for records.csv and records.xlsx).

Waypoint: gunicorn as deployed (deploy/gunicorn.conf.py) on PostgreSQL serves records.csv and
records.xlsx of an approved release with approved row-level records. The submissions are
instances of the library questionnaire filled by JavaRosa (bench/ingest.py's template, 5 KB,
a 3 KB story), each with its own instanceID. ``--sample`` of them (default 200) go through the
real path (submission_receive, anonymisation); every instance has the same answers, so the
anonymised record of each is the same but for its random id, and an approved release (row-level
records approved) is filled up to ``--submissions`` (default 20000) with copies of those
records under fresh ids (SQL), rather than spend an hour anonymising identical stories.

Central (``--peer-url http://127.0.0.1:8383 --peer-email E --peer-password P --peer-pid PID``):
the bench logs in, creates a project, publishes the same XForm, and POSTs the same instances
(each with its own instanceID) until the form holds ``--submissions``; then times
``GET /v1/projects/ID/forms/FORM/submissions.csv`` beside Waypoint's downloads, interleaved,
``--rounds`` times (default 3), uncompressed (``Accept-Encoding: identity``), sampling the
server's RSS (process tree of ``--peer-pid``, of gunicorn's master) every 50 ms. The figures are
medians; ``ratio_csv`` is Waypoint's MB/s over Central's CSV MB/s; ``ratio_*_rows`` compare
records per second (the workbook is compressed: its bytes are not comparable). With
``--peer-database`` the bench runs VACUUM ANALYZE on Central's database after loading it (and
on Waypoint's records), as autovacuum would (unanalysed, Central's CSV query took 100 s before
its first byte).
``--peer-project ID`` reuses a project already holding the form (only missing submissions are
POSTed). Downloads are made by curl. No cache is involved: a release's columns are stored when
it is frozen (``privacy.review.columns``), so the first download of the first round starts as
fast as the others.

    python -m bench export --submissions 20000 --rounds 3 --peer-url http://127.0.0.1:8383 \
        --peer-email E --peer-password P --peer-project 1 --peer-database central_export \
        --peer-pid PID

Running Central locally (never committed; ~5 minutes): ``fetch github:getodk/central-backend``
gives a bare git directory; ``git --git-dir=... worktree add /tmp/central v2025.1.3``; in it
``npm ci --engine-strict=false`` (Node 20 works); ``createdb central_export`` with
``CREATE EXTENSION citext, pg_trgm, pgrowlocks``; ``config/local.json``:
``{"default": {"database": {"host": "127.0.0.1", "user": "postgres", "password": "",
"database": "central_export"}, "env": {"domain": "http://127.0.0.1:8383"}, "external":
{"sentry": {}, "analytics": {}, "s3blobStore": {}}}}``; ``node lib/bin/run-migrations.js``;
``echo PASSWORD | node lib/bin/cli.js --email E user-create`` and ``... --email E
user-promote``; ``node lib/bin/run-server.js`` (one process: its RSS is the web RSS). Its
first run POSTs the 20,000 instances (25 a second on a loaded machine: about 13 minutes);
later runs pass ``--peer-project`` and POST nothing.

What Waypoint's side does (so that a regression is found where it is): a release's columns
are read from the release (stored when frozen), so the header leaves at once; PostgreSQL
writes each CSV line (one ``concat``) and each workbook ``<row>`` (escaping only the rows
holding ``&``, ``<`` or ``>``), two PostgreSQL processes each writing a share of the records
while the web process sends the batches they wrote (``results.records.rows_streamed``); each
answer is turned into text once (``->>``) and told apart by its first character, its type
asked only where that text may not be a string or may be a number, and a list of plain
choices is joined from its JSON text (``results.records._value_sql``: that work per record
and column was most of PostgreSQL's);
the workbook's rows arrive as UTF-8 bytes, their cells without references, and are numbered,
cleaned of the characters XML forbids and deflated by ISA-L (``results.records_xlsx``).
``server_cpu_s`` is the web processes' CPU only: PostgreSQL's is not counted, for either
server. Figures: README, "Records export against ODK Central".
"""

import os
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.setup import production_stack, tree_usage


def _option(name: str, default: str) -> str:
    return os.environ.get(f"WAYPOINT_BENCH_{name.upper()}", default)


class _Rss(threading.Thread):
    """Peak RSS (MB) of a process tree, sampled every 50 ms until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, tree_usage(pid)[0], threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.05):
            self.peak = max(self.peak, tree_usage(self.pid)[0])


def download(url: str, headers: dict, pid: int, rows: int) -> dict:
    """GET ``url`` to nowhere with curl (a C client: a Python one parsing 70 MB of chunked body
    competed with the servers for the two cores): first byte, bytes/s, the server's RSS growth."""
    rss_before, cpu_before = tree_usage(pid)
    sampler = _Rss(pid)
    sampler.start()
    sent = [
        f"-H{name}: {value}" for name, value in {**headers, "Accept-Encoding": "identity"}.items()
    ]
    done = subprocess.run(
        ["curl", "-sS", "-o", "/dev/null", "--max-time", "600", *sent, "-w",
         "%{http_code} %{size_download} %{time_starttransfer} %{time_total}", url],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    sampler.done.set()
    sampler.join()
    status, size, first, seconds = done.stdout.split()
    if status != "200":
        raise RuntimeError(f"{url}: {status}")
    size, seconds = int(size), float(seconds)
    return {
        "mb": round(size / 1e6, 1),
        "seconds": round(seconds, 2),
        "mb_per_s": round(size / 1e6 / seconds, 1),
        "rows_per_s": round(rows / seconds),
        "first_byte_s": round(float(first), 3),
        "rss_before_mb": round(rss_before),
        "rss_growth_mb": round(sampler.peak - rss_before, 1),
        "server_cpu_s": round(tree_usage(pid)[1] - cpu_before, 1),
        "load_average": os.getloadavg()[0],
    }


def waypoint_release(template: bytes, bench, total: int, sample: int):
    """An approved release with approved row-level records, ``total`` of them (see above)."""
    from django.db import connection

    from privacy.anonymisation.services import record_anonymise
    from sync.services import Caller, submission_receive
    from tests.factories import MembershipFactory, UserFactory, microdata_approve, rules_approve
    from tests.factories.privacy import frozen_release

    form = bench.version.form
    dpo = UserFactory()
    MembershipFactory(user=dpo, project=bench.project, role="dpo")
    rules_approve(form, dpo)
    caller = Caller(device=bench.device)
    for _ in range(min(sample, total)):
        xml = template.replace(b"INSTANCE_ID", f"uuid:{uuid.uuid4()}".encode())
        receipt = submission_receive(project=bench.project, caller=caller, xml=xml, files={})
        record_anonymise(submission_id=receipt.submission.pk)
    # Frozen as approval freezes them. Disclosure control would change nothing here: every
    # record is alike, one class far above k, nothing to suppress or hold back.
    release = microdata_approve(frozen_release(form, dpo))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO privacy_releasedrecord (release_id, record_id, version_id,
                service_point_id, month, data, suppressed)
            SELECT %s, gen_random_uuid(), a.version_id, a.service_point_id, a.month, a.data,
                '[]'::jsonb
            FROM privacy_anonymisedrecord a, generate_series(1, %s) g
            WHERE a.form_id = %s
            LIMIT %s
            """,
            [release.pk, total, form.pk, total],
        )
        # As autovacuum would by the time anyone downloads: the first read of freshly written
        # rows otherwise sets their hint bits, writing the table again (and Central's is vacuumed).
        cursor.execute("VACUUM ANALYZE privacy_releasedrecord")
    from privacy.review.columns import columns_store
    from results.lattice.build import build

    columns_store(release)  # as freeze does once it has copied the records

    build(release)  # results (records too) are read once the release's tables are built
    return release


def central_form(template: bytes, xform: bytes, total: int) -> tuple[str, dict, int]:
    """Central's CSV URL for the same form holding ``total`` of the same instances."""
    import httpx
    from lxml import etree

    base = _option("peer_url", "").rstrip("/")
    login = {"email": _option("peer_email", ""), "password": _option("peer_password", "")}
    token = httpx.post(f"{base}/v1/sessions", json=login).raise_for_status().json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    form_id = etree.fromstring(xform).find(".//{*}instance/*").get("id")
    project = _option("peer_project", "")
    if not project:
        created = httpx.post(f"{base}/v1/projects", json={"name": "waypoint export"}, headers=auth)
        project = str(created.raise_for_status().json()["id"])
        published = httpx.post(
            f"{base}/v1/projects/{project}/forms?publish=true",
            content=xform,
            headers={**auth, "Content-Type": "application/xml"},
        )
        published.raise_for_status()
    form_url = f"{base}/v1/projects/{project}/forms/{form_id}"
    meta = httpx.get(form_url, headers={**auth, "X-Extended-Metadata": "true"}).json()
    missing = total - int(meta.get("submissions") or 0)

    def post(_) -> None:
        xml = template.replace(b"INSTANCE_ID", f"uuid:{uuid.uuid4()}".encode())
        httpx.post(
            f"{form_url}/submissions",
            content=xml,
            headers={**auth, "Content-Type": "application/xml"},
            timeout=60,
        ).raise_for_status()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(post, range(max(0, missing))))
    database = _option("peer_database", "")
    if database:  # as autovacuum would have by now: unanalysed, its CSV query took 100 s
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-qc", "VACUUM ANALYZE"],
            check=True,
        )
    return f"{form_url}/submissions.csv", auth, int(project)


def run() -> dict:
    from django.db import connection

    from accounts.tokens import token_issue
    from bench.ingest import template_instance
    from bench.setup import library_project
    from tests.factories import MembershipFactory, UserFactory

    total, sample = int(_option("submissions", "20000")), int(_option("sample", "200"))
    rounds = int(_option("rounds", "3"))
    bench = library_project("export")
    workdir = Path(tempfile.mkdtemp(prefix="waypoint-export-"))
    template = template_instance(bytes(bench.version.xform), workdir)
    started = time.perf_counter()
    release = waypoint_release(template, bench, total, sample)
    report: dict = {
        "submissions": total,
        "through_the_pipeline": min(sample, total),
        "instance_bytes": len(template),
        "waypoint_setup_s": round(time.perf_counter() - started, 1),
        "release": release.pk,
        "database": connection.settings_dict["NAME"],
    }
    analyst = UserFactory()
    MembershipFactory(user=analyst, project=bench.project, role="analyst")
    _, key = token_issue(user=analyst, name="export bench")
    waypoint_auth = {"Authorization": f"Token {key}"}
    peer = None
    if _option("peer_url", ""):
        started = time.perf_counter()
        peer = central_form(template, bytes(bench.version.xform), total)
        report["peer_setup_s"] = round(time.perf_counter() - started, 1)
        report["peer_project"] = peer[2]
    runs: dict[str, list] = {"csv": [], "xlsx": [], "peer_csv": []}
    with production_stack(log=workdir / "gunicorn.log") as stack:
        pid = stack.server.process.pid
        path = f"/api/v1/projects/{bench.project.pk}/forms/{bench.version.form.form_id}/results"
        import httpx

        for _ in range(6):  # warm the workers up (imports, database connections)
            httpx.get(f"{stack.server.url}{path}/variables", headers=waypoint_auth)
        for _ in range(rounds):  # interleaved
            for name in ("csv", "xlsx"):
                url = f"{stack.server.url}{path}/records.{name}"
                runs[name].append(download(url, waypoint_auth, pid, total))
            if peer:
                peer_pid = int(_option("peer_pid", "0"))
                runs["peer_csv"].append(download(peer[0], peer[1], peer_pid, total))
    for name, found in runs.items():
        if not found:
            continue
        report[name] = found
        report[f"{name}_median_mb_per_s"] = statistics.median(r["mb_per_s"] for r in found)
        report[f"{name}_max_first_byte_s"] = max(r["first_byte_s"] for r in found)
        report[f"{name}_max_rss_growth_mb"] = max(r["rss_growth_mb"] for r in found)
    if runs["peer_csv"]:
        theirs = report["peer_csv_median_mb_per_s"]
        rows = statistics.median(r["rows_per_s"] for r in runs["peer_csv"])
        for name in ("csv", "xlsx"):
            report[f"ratio_{name}"] = round(report[f"{name}_median_mb_per_s"] / theirs, 2)
            mine = statistics.median(r["rows_per_s"] for r in runs[name])
            report[f"ratio_{name}_rows"] = round(mine / rows, 2)
    return report
