"""Recovery files made as the web tablet makes them (webforms/frontend/src/recovery.js), in
Python, so that the DPO's side can be tested without a browser, altered files included."""

import base64
import hashlib
import json

from lib import crypto
from webforms.recovery import aad


def _envelope(point: bytes, key_id: str, data: bytes, purpose: bytes) -> dict:
    epk, iv, sealed = crypto.recovery_seal(point=point, data=data, aad=purpose)
    return {
        "key": key_id,
        "epk": base64.b64encode(epk).decode(),
        "iv": base64.b64encode(iv).decode(),
        "data": base64.b64encode(sealed).decode(),
    }


def item_plain(instance_id: str, xml: bytes, media: dict[str, bytes], queued_at: str) -> bytes:
    files = [("xml_submission_file", "submission.xml", "text/xml", xml)]
    files += [(name, name, "image/jpeg", data) for name, data in media.items()]
    header = {
        "instanceId": instance_id,
        "formId": "household",
        "queuedAt": queued_at,
        "files": [{"field": f, "name": n, "type": t, "size": len(d)} for f, n, t, d in files],
    }
    return json.dumps(header).encode() + b"\n" + b"".join(d for *_, d in files)


def recovery_document(
    project_pk: int,
    device_pk: int,
    items: list[tuple[str, bytes, dict[str, bytes]]],
    *,
    point: bytes | None = None,
) -> dict:
    """``items``: (instanceID, XML, media) in the order the tablet finalised them."""
    _key_id, current = crypto.recovery_public_key(project_pk)
    point = point or current
    key_id = crypto.recovery_key_id(point)
    envelopes, listed = [], []
    for n, (instance_id, xml, media) in enumerate(items):
        plain = item_plain(instance_id, xml, media, f"2026-12-01T10:{n:02d}:00.000Z")
        envelope = _envelope(point, key_id, plain, aad("item", project_pk, device_pk))
        envelopes.append(envelope)
        sha = hashlib.sha256(base64.b64decode(envelope["data"])).hexdigest()
        listed.append({"instanceId": instance_id, "sha256": sha})
    index = {"project": project_pk, "device": device_pk, "exportedAt": "now", "items": listed}
    return {
        "format": "waypoint-recovery",
        "version": 1,
        "project": project_pk,
        "device": device_pk,
        "index": _envelope(
            point, key_id, json.dumps(index).encode(), aad("index", project_pk, device_pk)
        ),
        "items": envelopes,
    }


def encode(document: dict) -> bytes:
    """As the tablet writes it: compact, ``format`` first."""
    return json.dumps(document, separators=(",", ":")).encode()
