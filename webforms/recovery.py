"""A revoked web tablet's outbox, recovered by the DPO from the file the tablet exported.

The tablet seals every finalised submission to its project's recovery key the moment it is
finalised (``lib.crypto.recovery_open`` has the scheme), so the file holds exactly the bytes the
outbox would have sent, and only Waypoint opens it: a copied browser database, a lost USB stick
or an e-mail attachment shows nothing. An index, sealed the same way, lists every item with the
SHA-256 of its envelope, so a file cut short or with an item removed, added or swapped is
refused whole, before anything is stored. The file is checked whole first (every hash, then every
item opened and dropped); items are then opened again one at a time as each is stored, so that
a worker never holds more than the file and one decrypted submission.

Each submission then goes through ``sync.services.submission_receive``, the path of an OpenRosa
POST: the same instanceID is never stored twice (a copy the tablet did manage to send, or a
second upload of the same file, is a duplicate), a different XML under a taken instanceID is
kept as a conflicting copy, and an edit (deprecatedID) is an edit. The tablet's form assignment
applies as if it were sending, and an edit is refused unless its original came from this tablet:
the recovery key is public (it is in every tablet's page), so a forged file must reach no further
than the tablet itself could. Submissions are attributed to the tablet, the DPO who uploaded
them is recorded, and the upload is one audit event, written even when storing stops half-way.

File format (JSON, ``format`` first so that a truncated file is told from another file)::

    {"format": "waypoint-recovery", "version": 1, "project": P, "device": D,
     "index": ENVELOPE, "items": [ENVELOPE, ...]}
    ENVELOPE = {"key": key id, "epk": base64 P-256 point, "iv": base64, "data": base64}

The index opens to ``{"project", "device", "exportedAt", "items": [{"instanceId", "sha256"}]}``;
an item to one JSON line ``{"instanceId", "formId", "queuedAt", "files": [{"field", "name",
"type", "size"}]}`` followed by the files' bytes in that order.
"""

import base64
import binascii
import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Device, Project
from audit.services import audit_record
from lib import crypto
from lib.problems import Problem, interpolate
from sync.services import Caller, submission_receive

FORMAT = "waypoint-recovery"
VERSION = 1
# What one web worker can hold: the upload's bytes, the parsed JSON (base64 text, about as
# large again) and one decrypted submission (up to WAYPOINT_SUBMISSION_MAX_BYTES, sealed and
# open), so roughly 2.5 times this at the peak, on a node sized for a few such workers. A
# tablet's outbox beyond it is exported again after some forms were sent. deploy/nginx.conf's
# limit for the recovery page and API matches it (plus multipart framing).
MAX_BYTES = 128 * 1024 * 1024
USER_AGENT = "Waypoint recovery file (DPO upload)"
log = logging.getLogger(__name__)


def aad(kind: str, project_pk: int, device_pk: int) -> bytes:
    """What each envelope is bound to: a file for another project or tablet does not open."""
    return f"waypoint-recovery-v1 {kind} project={project_pk} device={device_pk}".encode()


@dataclass
class Item:
    instance_id: str
    form_id: str
    queued_at: str
    files: list[tuple[str, str, bytes]]  # (field, name, bytes), as the outbox posts them

    @property
    def xml(self) -> bytes:
        return next(data for fld, _name, data in self.files if fld == "xml_submission_file")

    @property
    def attachments(self) -> dict[str, bytes]:
        return {name: data for fld, name, data in self.files if fld != "xml_submission_file"}


@dataclass
class Report:
    device: Device
    items: list[dict] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for item in self.items if item["outcome"] == outcome)

    def as_json(self) -> dict:
        return {
            "device": {
                "id": self.device.pk,
                "name": self.device.name,
                "revoked": self.device.revoked_at is not None,
            },
            "stored": self.count("stored"),
            "duplicates": self.count("duplicate"),
            "conflicts": self.count("conflict"),
            "refused": self.count("refused"),
            "items": self.items,
        }


TAMPERED = _("The recovery file was altered after the tablet made it: nothing was stored.")


def _b64(value) -> bytes:
    if not isinstance(value, str):
        raise Problem("recovery.tampered", TAMPERED)
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Problem("recovery.tampered", TAMPERED) from exc


def _open(envelope, *, project_pk: int, purpose: bytes) -> bytes:
    if not isinstance(envelope, dict):
        raise Problem("recovery.tampered", TAMPERED)
    try:
        return crypto.recovery_open(
            project_pk=project_pk,
            key_id=str(envelope.get("key", "")),
            ephemeral=_b64(envelope.get("epk")),
            nonce=_b64(envelope.get("iv")),
            data=_b64(envelope.get("data")),
            aad=purpose,
        )
    except crypto.RecoveryKeyError as exc:
        raise Problem(
            "recovery.key_retired",
            _(
                "This file was sealed with a recovery key Waypoint no longer holds (a retired "
                "quarantine key). Ask the operator to list the old key again, then upload it."
            ),
        ) from exc
    except (InvalidTag, ValueError) as exc:
        raise Problem("recovery.tampered", TAMPERED) from exc


def recovery_limit() -> int:
    return getattr(settings, "WAYPOINT_RECOVERY_MAX_BYTES", MAX_BYTES)


def too_large() -> Problem:
    return Problem(
        "recovery.too_large",
        interpolate(_("The file is larger than %(mb)s MB."), mb=recovery_limit() // 2**20),
    )


def _parsed(data: bytes) -> dict:
    if len(data) > recovery_limit():
        raise too_large()
    not_ours = Problem(
        "recovery.not_a_recovery_file",
        _("This is not a recovery file exported by a Waypoint web tablet."),
    )
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        if data.lstrip().startswith(b'{"format":"' + FORMAT.encode()):
            raise Problem(
                "recovery.truncated",
                _("The recovery file is incomplete (cut short): export it again from the tablet."),
            ) from exc
        raise not_ours from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise not_ours
    if document.get("version") != VERSION or not isinstance(document.get("items"), list):
        raise not_ours
    return document


def _device(document: dict, project: Project) -> Device:
    if document.get("project") != project.pk:
        raise Problem(
            "recovery.wrong_project",
            _("This recovery file comes from a tablet of another project."),
        )
    device_pk = document.get("device")
    device = (
        Device.objects.select_related("service_point")
        .filter(pk=device_pk if isinstance(device_pk, int) else None, project=project)
        .filter(kind=Device.Kind.WEB)
        .first()
    )
    if device is None:
        raise Problem(
            "recovery.unknown_device",
            _("The tablet this file names is not a web tablet of this project."),
        )
    return device


def _item(plain: bytes, listed: dict) -> Item:
    head, newline, body = plain.partition(b"\n")
    try:
        header = json.loads(head)
        files, offset = [], 0
        for f in header["files"]:
            size = int(f["size"])
            if size < 0:
                raise ValueError("a negative size")
            files.append((str(f["field"]), str(f["name"]), body[offset : offset + size]))
            offset += size
        item = Item(
            str(header["instanceId"]), str(header["formId"]), str(header["queuedAt"]), files
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise Problem("recovery.tampered", TAMPERED) from exc
    xml_parts = [f for f in files if f[0] == "xml_submission_file"]
    if not newline or offset != len(body) or len(xml_parts) != 1:
        raise Problem("recovery.tampered", TAMPERED)
    if item.instance_id != listed.get("instanceId"):
        raise Problem("recovery.tampered", TAMPERED)
    return item


@dataclass
class Opened:
    """A file checked whole: its envelopes, as listed, and the order to store them in."""

    project: Project
    device: Device
    envelopes: list
    listed: list
    order: list[int]

    def items(self) -> Iterator[Item]:
        """Each item opened again as it is stored, in the order the tablet finalised them (an
        original before its edit): one decrypted submission in memory at a time."""
        purpose = aad("item", self.project.pk, self.device.pk)
        for n in self.order:
            plain = _open(self.envelopes[n], project_pk=self.project.pk, purpose=purpose)
            yield _item(plain, self.listed[n])


def recovery_file_open(*, project: Project, data: bytes) -> Opened:
    """Check and open the whole file, storing nothing: a ``Problem`` for a file that is not a
    recovery file, is cut short, was altered, or belongs to another project or tablet. Every
    hash is checked before anything is decrypted; each item is then opened, checked and dropped
    (only its time kept), so that no item is refused after another was stored."""
    document = _parsed(data)
    device = _device(document, project)
    index_plain = _open(
        document.get("index"), project_pk=project.pk, purpose=aad("index", project.pk, device.pk)
    )
    try:
        index = json.loads(index_plain)
        listed = list(index["items"])
    except (ValueError, KeyError, TypeError) as exc:
        raise Problem("recovery.tampered", TAMPERED) from exc
    envelopes = document["items"]
    if len(envelopes) < len(listed):
        raise Problem(
            "recovery.truncated",
            interpolate(
                _("The file holds %(found)s of the %(listed)s submissions it lists: nothing was "
                  "stored. Export it again from the tablet."),
                found=len(envelopes),
                listed=len(listed),
            ),
        )  # fmt: skip
    if len(envelopes) > len(listed):
        raise Problem("recovery.tampered", TAMPERED)
    for envelope, entry in zip(envelopes, listed, strict=True):
        digest = hashlib.sha256(_b64(envelope.get("data")) if isinstance(envelope, dict) else b"")
        if not isinstance(entry, dict) or digest.hexdigest() != entry.get("sha256"):
            raise Problem("recovery.tampered", TAMPERED)
    purpose = aad("item", project.pk, device.pk)
    queued = []
    for n, (envelope, entry) in enumerate(zip(envelopes, listed, strict=True)):
        item = _item(_open(envelope, project_pk=project.pk, purpose=purpose), entry)
        queued.append((item.queued_at, n))
    order = [n for _queued_at, n in sorted(queued)]
    return Opened(project, device, envelopes, listed, order)


ITEM_FAILED = _(
    "Waypoint could not store this submission (an error, logged for the operator). What was "
    "stored is kept: upload the same file again later, stored ones count as duplicates."
)


def _stored(project: Project, device: Device, item: Item, user) -> dict:
    """One item's outcome. Any failure is this item's alone: a refusal keeps its code, an
    unexpected error (storage, database) is logged and reported as ``recovery.item_failed``, so
    the upload goes on and its audit event lists what was stored."""
    outcome = {"instance_id": item.instance_id, "form_id": item.form_id}
    try:
        with transaction.atomic():  # an error in one item leaves the connection usable
            receipt = submission_receive(
                project=project,
                caller=Caller(
                    user=user,
                    user_agent=USER_AGENT,
                    device_id=f"waypoint-web:{device.pk}",
                    recovered_from=device,
                ),
                xml=item.xml,
                files=item.attachments,
            )
    except Problem as problem:
        return {**outcome, "outcome": "refused", "code": problem.code, "detail": str(problem)}
    except Exception:
        log.exception("Recovering %s from device %s failed", item.instance_id, device.pk)
        code = "recovery.item_failed"
        return {**outcome, "outcome": "refused", "code": code, "detail": str(ITEM_FAILED)}
    if receipt.created:
        return {**outcome, "outcome": "stored", "detail": str(receipt.message)}
    if receipt.submission.xml_sha256 != hashlib.sha256(item.xml).hexdigest():
        return {**outcome, "outcome": "conflict", "detail": str(receipt.message)}
    return {**outcome, "outcome": "duplicate", "detail": str(receipt.message)}


def recovery_ingest(*, user, project: Project, data: bytes, filename: str = "") -> Report:
    """Store a revoked tablet's recovered submissions as if the tablet had sent them. The file
    is checked whole first; then each submission is stored (or refused) on its own, in the
    order the tablet finalised them (an original before its edit). One audit event says who
    uploaded what, for which tablet, and what became of each submission; it is written even if
    the upload stops half-way (``interrupted``), so that no stored submission goes unaudited."""
    opened = recovery_file_open(project=project, data=data)
    report = Report(opened.device)
    try:
        for item in opened.items():
            report.items.append(_stored(project, opened.device, item, user))
    finally:
        _audit(user, project, report, filename, hashlib.sha256(data).hexdigest(), opened)
    return report


def _audit(user, project: Project, report: Report, filename: str, sha256: str, opened) -> None:
    summary = report.as_json()
    audit_record(
        actor=user,
        action="webforms.recovered",
        project=project,
        target=report.device.name,
        details={
            "device": report.device.pk,
            "revoked": summary["device"]["revoked"],
            "file": filename[:200],
            "file_sha256": sha256,
            **{k: summary[k] for k in ("stored", "duplicates", "conflicts", "refused")},
            "interrupted": len(report.items) < len(opened.order),
            "items": [
                {k: v for k, v in i.items() if k in ("instance_id", "outcome", "code")}
                for i in report.items
            ],
        },
    )
