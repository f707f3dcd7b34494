"""The soak's load generator (bench/soak_plan.py says what it models): 40 tablets behaving as
ODK Collect does, run in a process of its own so that its CPU is neither the server's nor
hidden.

    python -m bench.soak_client PLAN.json OUT.json

It imports no Django: it reads the plan bench/soak.py wrote (every tablet's sessions with the
XML and photos of each form), warms the server up, prints ``window`` as the measured window
opens, and writes each request's kind, latency and bytes, the errors, and its own CPU time.
"""

import asyncio
import json
import random
import re
import ssl
import sys
import time
import uuid
from pathlib import Path

import httpx

POOL_SEED, POOL_BYTES = 20261127, 1 << 20
# One TLS context for every session's client: httpx builds one per client otherwise, 15 ms of
# CPU each, which would be most of this process's work (the soak talks plain HTTP anyway).
TLS = ssl.create_default_context()
OPENROSA = {"X-OpenRosa-Version": "1.0", "User-Agent": "org.odk.collect.android/v2025.2.3"}
# What the server must say (sync/services.py) for each kind of POST.
NEW, PART, LAST, AGAIN = (
    "Your submission was received",
    "Waiting for",
    "All files of this submission were received",
    "already received",
)


def photo_pool() -> bytes:
    """Random bytes photos are cut from: cheap to make, the same in every process."""
    return random.Random(POOL_SEED).randbytes(POOL_BYTES)


def photo(pool: bytes, name: str, size: int, offset: int) -> bytes:
    """A JPEG-headed blob of ``size`` bytes, unique by its name."""
    head = b"\xff\xd8\xff\xe0" + name.encode().ljust(28)
    return head + pool[offset : offset + size - len(head)]


def collect_posts(xml_bytes: int, sizes: list[int], limit: int) -> list[list[int]]:
    """The files each POST carries, split as ODK Collect splits (OkHttpConnection
    .uploadSubmissionAndFiles): it counts the XML's and the files' bytes, not the multipart
    framing, and starts a new POST when the next file would pass the limit."""
    posts, current, total = [], [], xml_bytes
    for index, size in enumerate(sizes):
        current.append(index)
        total += size
        if index + 1 < len(sizes) and (len(current) > 100 or total + sizes[index + 1] > limit):
            posts.append(current)
            current, total = [], xml_bytes
    return [*posts, current]


def multipart(xml: bytes, files: list[tuple[str, bytes]], incomplete: bool) -> tuple[bytes, str]:
    """Collect's body: the XML, the files, and ``*isIncomplete*`` when more POSTs follow."""
    boundary = uuid.uuid4().hex
    parts = [("xml_submission_file", "instance.xml", "text/xml", xml)]
    parts += [(name, name, "image/jpeg", data) for name, data in files]
    chunks = []
    for field, filename, content_type, data in parts:
        chunks += [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode(),
            data,
            b"\r\n",
        ]
    if incomplete:
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="*isIncomplete*"\r\n\r\n'
            "yes\r\n".encode()
        )
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


class Tablet:
    """One device: its sessions in order, each on fresh connections (a tablet on and off the
    Wi-Fi), every answer checked against what the server must say."""

    def __init__(self, plan: dict, device: dict, out: dict, pool: bytes) -> None:
        self.plan, self.device, self.out, self.pool = plan, device, out, pool
        self.base = f"{plan['base_url']}/key/{device['token']}/projects/{plan['project']}"
        self.etags = dict(device.get("etags", {}))

    async def run(self, start: float) -> None:
        for session in self.device["sessions"]:
            lag = time.perf_counter() - start - session["at"]
            if lag < 0:
                await asyncio.sleep(-lag)
            self.out["lags"].append(max(lag, 0.0))
            async with httpx.AsyncClient(
                trust_env=False, verify=TLS, timeout=120, headers=OPENROSA
            ) as http:
                if session["kind"] == "refresh":
                    await self.refresh(http)
                else:
                    await self.send(http, session["items"])

    async def call(self, http, kind: str, method: str, url: str, *, expect: int, must=(), **kw):
        """One request, timed; None (and an error recorded) unless the answer is the one due."""
        started = time.perf_counter()
        try:
            response = await http.request(method, url, **kw)
        except httpx.HTTPError as exc:
            return self.error(kind, url, f"{type(exc).__name__}: {exc}")
        elapsed = (time.perf_counter() - started) * 1000
        self.out["samples"].append((kind, round(elapsed, 2), len(kw.get("content") or b"")))
        if response.status_code != expect or any(m not in response.text for m in must):
            return self.error(kind, url, f"{response.status_code} {response.text[:300]}")
        return response

    def error(self, kind: str, url: str, what: str) -> None:
        url = re.sub(r"/key/[^/]+", "/key/***", url)
        self.out["errors"].append({"kind": kind, "url": url, "error": what})

    async def refresh(self, http) -> None:
        """Get blank forms: the list, the manifest, then the form and media, conditionally."""
        plan = self.plan
        listed = await self.call(
            http,
            "formList",
            "GET",
            f"{self.base}/formList",
            expect=200,
            must=(f"<formID>{plan['form_id']}</formID>", f"md5:{plan['md5']}"),
        )
        if listed is None:
            return
        form_url = re.search(r"<downloadUrl>([^<]+)", listed.text).group(1)
        manifest_url = re.search(r"<manifestUrl>([^<]+)", listed.text).group(1)
        manifest = await self.call(
            http, "manifest", "GET", manifest_url, expect=200, must=plan["media"]
        )
        if manifest is None:
            return
        media = re.findall(
            r"<filename>([^<]+)</filename><hash>[^<]*</hash><downloadUrl>([^<]+)", manifest.text
        )
        for key, url in [("form", form_url), *media]:
            tag = self.etags.get(key)
            kind = f"{'form' if key == 'form' else 'media'} ({304 if tag else 200})"
            headers = {"If-None-Match": tag} if tag else {}
            got = await self.call(
                http, kind, "GET", url, expect=304 if tag else 200, headers=headers
            )
            if got is not None and not tag:
                self.etags[key] = got.headers.get("ETag")

    async def send(self, http, items: list[dict]) -> None:
        """Send finalised forms: HEAD, then each form in one or more POSTs."""
        url = f"{self.base}/submission?deviceID=collect:{self.device['pk']}"
        head = await self.call(http, "HEAD submission", "HEAD", url, expect=204)
        if head is None:
            return
        limit = int(head.headers.get("X-OpenRosa-Accept-Content-Length", 10_000_000))
        for item in items:
            xml = item["xml"].encode()
            files = [(p[0], photo(self.pool, *p)) for p in item["photos"]]
            posts = collect_posts(len(xml), [len(data) for _, data in files], limit)
            bodies = [
                multipart(xml, [files[i] for i in post], incomplete=n + 1 < len(posts))
                for n, post in enumerate(posts)
            ]
            if "deprecates" in item:
                kinds = [("edit", NEW)]
            elif len(posts) == 1:
                kinds = [("submission (1 POST)", NEW)]
            else:
                kinds = [("submission (split POST)", PART)] * (len(posts) - 1)
                kinds.append(("submission (split POST)", LAST))
            for (kind, message), body in zip(kinds, bodies, strict=True):
                if not await self.post(http, kind, url, body, message):
                    break
            else:
                self.out["accepted"] += 1
                self.out["split"] += len(posts) > 1
                if item.get("retry"):  # the 201 was lost: Collect sends the whole form again
                    for body in bodies:
                        await self.post(http, "retry", url, body, AGAIN)

    async def post(self, http, kind: str, url: str, body: tuple[bytes, str], message: str):
        content, content_type = body
        headers = {"Content-Type": content_type}
        response = await self.call(
            http, kind, "POST", url, expect=201, must=(message,), content=content, headers=headers
        )
        return response is not None


async def load(plan: dict) -> dict:
    """Warm up (not measured), then every tablet at once through the window."""
    pool = photo_pool()
    out = {"samples": [], "errors": [], "lags": [], "accepted": 0, "split": 0}
    warm_out = {**out, "samples": [], "lags": []}  # errors still count
    pk, token = plan["warmup"]["device"]
    await asyncio.gather(
        *(
            Tablet(plan, {"pk": pk, "token": token, "sessions": [session]}, warm_out, pool).run(
                time.perf_counter()
            )
            for session in [
                {"kind": "send", "at": 0, "items": [i]} for i in plan["warmup"]["items"]
            ]
        )
    )
    print("window", flush=True)
    cpu, start = time.process_time(), time.perf_counter()
    await asyncio.gather(*(Tablet(plan, d, out, pool).run(start) for d in plan["devices"]))
    out["wall_s"] = time.perf_counter() - start
    out["cpu_s"] = time.process_time() - cpu
    return out


if __name__ == "__main__":
    plan_path, out_path = sys.argv[1:3]
    result = asyncio.run(load(json.loads(Path(plan_path).read_text())))
    Path(out_path).write_text(json.dumps(result))
