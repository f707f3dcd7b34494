"""OpenRosa ingest over HTTP: concurrent clients POST realistic submissions of the library
questionnaire to gunicorn (deploy/gunicorn.conf.py) on PostgreSQL. Target: 300 submissions/s.

The load comes from wrk (Debian package `wrk`), whose C client leaves the two cores to the server;
each request carries a fresh instanceID, so every POST is a new submission stored durably.
"""

import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from bench.setup import production_stack

ROOT = Path(__file__).resolve().parent.parent
LUA = """
local template = io.open("%(template)s"):read("*a")
local boundary = "waypointbench"
local counter = 0
local threads = {}
function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end
init = function(args)
  math.randomseed(os.time() + thread_id * 7919)
end
request = function()
  counter = counter + 1
  local id = string.format("uuid:%%d-%%d-%%d", thread_id, counter, math.random(1, 1000000000))
  local xml = template:gsub("INSTANCE_ID", id)
  local body = "--" .. boundary .. "\\r\\n"
    .. "Content-Disposition: form-data; name=\\"xml_submission_file\\"; "
    .. "filename=\\"instance.xml\\"\\r\\n"
    .. "Content-Type: text/xml\\r\\n\\r\\n" .. xml .. "\\r\\n--" .. boundary .. "--\\r\\n"
  return wrk.format("POST", "%(path)s", {
    ["X-OpenRosa-Version"] = "1.0",
    ["Content-Type"] = "multipart/form-data; boundary=" .. boundary,
  }, body)
end
"""
STORY = (
    "We left in spring and crossed three borders. At the last one we waited for eleven days "
    "without shelter; my son was sick and the volunteers at the service point gave us food, "
    "blankets and medicine, and helped me call my sister. What we need most now is information "
    "about the asylum procedure in a language we understand, and a safe place to sleep. "
)


def template_instance(form_xml: bytes, workdir: Path) -> bytes:
    """A JavaRosa-filled instance of the library form, about 5 KB, with INSTANCE_ID to replace."""
    from tests.real_clients import javarosa

    form = workdir / "form.xml"
    form.write_bytes(form_xml)
    result = javarosa(
        *("fill", str(form)),
        *("--set", "/data/consent=yes"),
        *("--set", "/data/household_count=2"),
        *("--set", "/data/contact/contact_consent=yes"),
        *("--set", "/data/contact/contact_phone=+39 333 1234567"),
        *("--set", f"/data/story={STORY * 10}"),
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    xml = result.stdout.strip().encode()
    return re.sub(rb"<instanceID>[^<]*</instanceID>", b"<instanceID>INSTANCE_ID</instanceID>", xml)


def run(duration: int = 20, connections: int = 16) -> dict:
    if shutil.which("wrk") is None:
        return {"skipped": "wrk is not installed (apt-get install wrk)"}
    from bench.setup import library_project
    from sync.models import Submission

    bench = library_project("ingest")
    project, token, version = bench.project, bench.token, bench.version
    workdir = Path(tempfile.mkdtemp(prefix="waypoint-ingest-"))
    template = template_instance(bytes(version.xform), workdir)
    (workdir / "instance.xml").write_bytes(template)
    path = f"/key/{token}/projects/{project.pk}/submission"
    (workdir / "post.lua").write_text(LUA % {"template": workdir / "instance.xml", "path": path})
    # The server inherits this process's environment: same media root and quarantine key. With a
    # broker, as in production, each complete submission also publishes its anonymisation task
    # (to a queue of its own that no worker consumes, deleted afterwards).
    with production_stack() as stack:
        server = stack.server
        script = str(workdir / "post.lua")
        subprocess.run(  # warm up workers and connections
            ["wrk", "-t2", "-c4", "-d2s", "-s", script, server.url],
            capture_output=True,
            check=True,
        )
        rss_before = stack.usage()["gunicorn"][0]
        before = Submission.objects.filter(form__project=project).count()
        started = time.monotonic()
        load = ["-t2", f"-c{connections}", f"-d{duration}s", "--latency"]
        wrk = subprocess.run(
            ["wrk", *load, "-s", script, server.url],
            capture_output=True,
            text=True,
            check=True,
        )
        elapsed = time.monotonic() - started
        rss_after = stack.usage()["gunicorn"][0]
    stored = Submission.objects.filter(form__project=project).count() - before
    output = wrk.stdout

    def latency(label: str) -> str:
        match = re.search(rf"^\s*{label}\s+(\S+)", output, re.MULTILINE)
        return match.group(1) if match else "?"

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {
        "submission_bytes": len(template),
        "connections": connections,
        "seconds": round(elapsed, 1),
        "submissions_stored": stored,
        "submissions_per_s": round(stored / elapsed, 1),
        "wrk_requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "latency_p50": latency("50%"),
        "latency_p99": latency("99%"),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": errors.group(1) if errors else "none",
        "server_rss_mb_before": round(rss_before, 1),
        "server_rss_mb_after": round(rss_after, 1),
        "anonymisation_tasks_published": stack.messages_left,
    }
