"""deploy/nginx.conf run for a bench: the rate-limiting proxy and load balancer in front of one
or more gunicorn web nodes, as on a production host (Debian's nginx, which `make bench`
installs as it does wrk)."""

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from string import Template

import httpx

ROOT = Path(__file__).resolve().parent.parent


def render(*, listen: str, upstreams: list[str], pid: Path, workers: int = 1) -> str:
    """deploy/nginx.conf with its ${WAYPOINT_...} values filled in (nginx's own $variables are
    left alone)."""
    template = Template((ROOT / "deploy" / "nginx.conf").read_text())
    return template.safe_substitute(
        WAYPOINT_LISTEN=listen,
        WAYPOINT_UPSTREAMS=" ".join(f"server {address};" for address in upstreams),
        WAYPOINT_NGINX_PID=str(pid),
        WAYPOINT_NGINX_WORKERS=str(workers),
    )


@contextmanager
def nginx_proxy(upstreams: list[str], port: int, *, workers: int = 1) -> Iterator[str]:
    """nginx listening on 127.0.0.1:``port`` in front of ``upstreams`` (host:port); yields its
    URL, and stops it (SIGTERM, then SIGKILL) at the end."""
    if shutil.which("nginx") is None:
        raise RuntimeError("nginx is not installed (apt-get install nginx-light)")
    workdir = Path(tempfile.mkdtemp(prefix="waypoint-nginx-"))
    conf = workdir / "nginx.conf"
    conf.write_text(
        render(listen=f"127.0.0.1:{port}", upstreams=upstreams, pid=workdir / "nginx.pid",
               workers=workers)
    )  # fmt: skip
    process = subprocess.Popen(
        ["nginx", "-p", str(workdir), "-c", str(conf), "-e", "stderr", "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=(workdir / "error.log").open("wb"),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                raise RuntimeError((workdir / "error.log").read_text()[-2000:])
            try:
                httpx.get(url + "/health/live", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)
