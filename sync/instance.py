"""What Waypoint reads from a submitted instance before storing it: which form and version,
its instanceID (or deprecatedID for an edit), the client's start/end, and the files it names."""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from xml.etree.ElementTree import Element

from django.utils.dateparse import parse_datetime

from lib.safexml import parse_xml

ENCRYPTED_NS = "http://www.opendatakit.org/xforms/encrypted"
# What fits the unique index (a CharField of 255); a longer instanceID is kept whole beside it.
KEY_MAX_LENGTH = 255
FILE_TYPES = {"image", "audio", "video", "file", "background-audio", "audit"}


class InstanceError(ValueError):
    """The XML is well-formed but not a submission Waypoint can take."""


@dataclass
class Instance:
    form_id: str
    version: str
    instance_id: str | None
    deprecated_id: str | None
    sha256: str
    root: Element
    encrypted: bool = False
    base64_encrypted_key: str = ""
    encrypted_files: list[str] = field(default_factory=list)
    signature: str = ""  # base64EncryptedElementSignature, checked where the key is (selectors)

    @cached_property
    def answers(self) -> dict[str, list[str]]:
        return answers_by_path(self.root)

    @property
    def identity(self) -> str:
        """The instanceID, or the XML's SHA-256 so that a retried copy is still one submission."""
        return self.instance_id or f"sha256:{self.sha256}"

    @property
    def key(self) -> str:
        """What the unique index holds for this submission (see ``identity_key``)."""
        return identity_key(self.identity)


def identity_key(identity: str) -> str:
    """The identity itself, or its SHA-256 when longer than the index column: Collect puts
    whatever the form computes into meta/instanceID, and a long one must not strand the tablet
    (PostgreSQL refuses a value over the column's length; SQLite never did)."""
    if len(identity) <= KEY_MAX_LENGTH:
        return identity
    return "long:sha256:" + hashlib.sha256(identity.encode("utf-8")).hexdigest()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(root: Element, *names: str) -> Element | None:
    """Find a descendant by local names, whatever namespace prefixes the client used."""
    node = root
    for name in names:
        found = next((child for child in node if _local(child.tag) == name), None)
        if found is None:
            return None
        node = found
    return node


def _text(root: Element, *names: str) -> str | None:
    node = _find(root, *names)
    value = (node.text or "").strip() if node is not None else ""
    return value or None


def parse_instance(xml: bytes) -> Instance:
    """Parse with defusedxml; raises ``UnsafeOrMalformedXML`` or ``InstanceError``."""
    root = parse_xml(xml)
    form_id = (root.get("id") or "").strip()
    if not form_id:
        raise InstanceError("The submission does not say which form it belongs to (no `id`).")
    encrypted = root.tag.startswith(f"{{{ENCRYPTED_NS}}}") or root.get("encrypted") == "yes"
    instance = Instance(
        form_id=form_id,
        version=(root.get("version") or "").strip(),
        instance_id=_text(root, "meta", "instanceID"),
        deprecated_id=_text(root, "meta", "deprecatedID"),
        sha256=hashlib.sha256(xml).hexdigest(),
        root=root,
        encrypted=encrypted,
    )
    if encrypted:
        instance.base64_encrypted_key = _text(root, "base64EncryptedKey") or ""
        instance.signature = _text(root, "base64EncryptedElementSignature") or ""
        # Collect writes one <media><file>…</file></media> per file (EncryptionUtils); a
        # single <media> holding every <file> is read as well.
        files = [
            (f.text or "").strip()
            for media in root
            if _local(media.tag) == "media"
            for f in media
            if _local(f.tag) == "file"
        ]
        xml_file = _text(root, "encryptedXmlFile")
        if not instance.base64_encrypted_key or not xml_file:
            raise InstanceError("The encrypted submission lacks its key or its encrypted XML file.")
        instance.encrypted_files = [*(f for f in files if f), xml_file]
    return instance


def _leaf_values(element: Element, path: str, out: dict[str, list[str]]) -> None:
    children = list(element)
    if not children:
        value = (element.text or "").strip()
        if value:
            out.setdefault(path, []).append(value)
        return
    for child in children:
        _leaf_values(child, f"{path}/{_local(child.tag)}", out)


def answers_by_path(root: Element) -> dict[str, list[str]]:
    """Every non-empty leaf by its generic path (repeat rows collapse onto one path)."""
    out: dict[str, list[str]] = {}
    _leaf_values(root, f"/{_local(root.tag)}", out)
    return out


def answers_at(root: Element, paths: Iterable[str]) -> dict[str, list[str]]:
    """``answers_by_path`` for a few paths only, without walking the whole instance: what the
    anonymisation worker needs of every submission to date its visit."""
    out: dict[str, list[str]] = {}
    for path in dict.fromkeys(paths):
        names = path.split("/")[1:]
        if names and names[0] == _local(root.tag):
            level = [root]
            for name in names[1:]:
                level = [
                    child for element in level for child in element if _local(child.tag) == name
                ]
            values = [(e.text or "").strip() for e in level if not len(e)]
            if values := [value for value in values if value]:
                out[path] = values
    return out


def named_files(instance: Instance, questions: list[dict]) -> list[str]:
    """The attachment names the submission expects, in order and without duplicates."""
    if instance.encrypted:
        return list(dict.fromkeys(instance.encrypted_files))
    answers = instance.answers
    names: list[str] = []
    for question in questions:
        if question["type"] in FILE_TYPES:
            names.extend(answers.get(question["path"], []))
    return list(dict.fromkeys(names))


def client_times(instance: Instance, questions: list[dict]) -> tuple[datetime | None, ...]:
    """The device's own start and end timestamps, when the form records them."""
    answers = instance.answers if not instance.encrypted else {}
    found = {}
    for question in questions:
        if question["type"] in {"start", "end"} and answers.get(question["path"]):
            try:
                found[question["type"]] = parse_datetime(answers[question["path"]][0])
            except ValueError:
                continue  # a device clock's nonsense is not a reason to refuse the data
    return found.get("start"), found.get("end")
