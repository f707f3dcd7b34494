"""deploy/nginx.conf, run by Debian's nginx in front of a stand-in upstream: per client address
it refuses a flood of HTTP Basic tries and of sign-in posts with 429 and Retry-After before
they reach Waypoint (issue 15: no password hash per try), never limits devices or pages, and
replaces X-Forwarded-For so a client cannot choose the address Waypoint limits by."""

import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from bench.proxy import nginx_proxy
from tests.live import free_port
from webforms.recovery import MAX_BYTES

pytestmark = pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")


class Upstream(BaseHTTPRequestHandler):
    """Answers 200 with the X-Forwarded-For it received."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = (self.headers.get("X-Forwarded-For") or "").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def proxy():
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    try:
        with nginx_proxy([f"127.0.0.1:{upstream.server_address[1]}"], free_port()) as url:
            yield url
    finally:
        upstream.shutdown()


def client(address: str) -> httpx.Client:
    transport = httpx.HTTPTransport(local_address=address, limits=httpx.Limits(max_connections=200))
    return httpx.Client(transport=transport, timeout=30)


def test_a_basic_auth_flood_from_one_address_is_slowed_then_refused_at_the_proxy(proxy):
    """Beyond the burst, tries wait their turn at 20 a second (an attacker's threads are held,
    not spinning); beyond what may wait, they are refused with 429 and Retry-After."""
    url = f"{proxy}/projects/1/formList"
    with client("127.0.0.71") as attacker, ThreadPoolExecutor(120) as pool:
        answers = list(
            pool.map(
                lambda _: attacker.get(url, headers={"Authorization": "Basic eDp5"}), range(120)
            )
        )
    refused = [r for r in answers if r.status_code == 429]
    assert 20 <= len(refused) <= 80
    assert int(refused[0].headers["Retry-After"]) > 0
    assert b"<OpenRosaResponse" in refused[0].content
    with client("127.0.0.72") as manager:  # another address is not affected
        assert manager.get(url, headers={"Authorization": "Basic eDp5"}).status_code == 200


def test_sign_in_posts_are_limited_per_address_and_the_page_itself_is_not(proxy):
    with client("127.0.0.73") as attacker:
        posts = [attacker.post(f"{proxy}/accounts/login/", data={"u": "x"}) for _ in range(30)]
        pages = [attacker.get(f"{proxy}/accounts/login/") for _ in range(12)]
    assert [r.status_code for r in posts].count(429) >= 5
    assert next(r for r in posts if r.status_code == 429).headers["Retry-After"] == "60"
    assert {r.status_code for r in pages} == {200}


def test_devices_are_not_limited_by_the_proxy(proxy):
    with client("127.0.0.74") as tablet:
        codes = {tablet.get(f"{proxy}/key/abc/projects/1/formList").status_code for _ in range(80)}
    assert codes == {200}


def test_a_forged_forwarded_for_is_replaced_by_the_real_address(proxy):
    with client("127.0.0.75") as forger:
        seen = forger.get(f"{proxy}/", headers={"X-Forwarded-For": "203.0.113.9"}).text
    assert seen == "127.0.0.75"


def test_a_recovery_file_up_to_waypoints_own_limit_reaches_waypoint(proxy):
    """The DPO's recovery upload (page and API) passes the proxy up to the size Waypoint itself
    accepts, so a too-large file gets Waypoint's ``recovery.too_large`` answer, not nginx's HTML
    413; every other location keeps the submission-sized limit."""
    conf = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf"
    recovery_limit_mb = int(conf.read_text().split("client_max_body_size ")[2].split("m;")[0])
    assert MAX_BYTES // 2**20 < recovery_limit_mb <= MAX_BYTES // 2**20 + 4
    body = b"x" * (70 * 2**20)  # over the 60 MB of other locations
    with client("127.0.0.76") as dpo:
        for path in ("/api/v1/projects/1/recovery", "/projects/12/recovery/"):
            assert dpo.post(f"{proxy}{path}", content=body).status_code == 200, path
        assert dpo.post(f"{proxy}/projects/1/submission", content=body).status_code == 413
