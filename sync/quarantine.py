"""Sealing raw submissions at rest, and writing attachment files durably.

Files are written and fsynced before the database transaction that refers to them commits, so a
201 is only ever sent for data on disk; a crash in between leaves at most an unreferenced file.
On S3-compatible storage a PUT is durable once it returns, so there is nothing to fsync.
"""

import contextlib
import hashlib
import os
import secrets
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.utils import timezone

from lib.crypto import seal, unseal


def seal_xml(xml: bytes, *, form_pk: int, identity: str) -> bytes:
    return seal(xml, context=f"xml:{form_pk}:{identity}".encode())


def unseal_xml(blob: bytes, *, form_pk: int, identity: str) -> bytes:
    return unseal(bytes(blob), context=f"xml:{form_pk}:{identity}".encode())


@dataclass(frozen=True)
class StoredFile:
    name: str
    size: int
    sha256: str


def store_attachment(data: bytes, *, project_pk: int) -> StoredFile:
    """Seal and store attachment bytes under a random name, durably. A write that fails (a full
    disk, S3 out of reach) deletes what it left, then raises: no empty or half-written file."""
    # 128 random bits: ``save`` checks the name is free (once: a stat, or a HEAD on S3).
    name = f"quarantine/{project_pk}/{timezone.now():%Y/%m}/{secrets.token_hex(16)}"
    try:
        stored = default_storage.save(name, ContentFile(seal(data, context=name.encode())))
        if isinstance(default_storage, FileSystemStorage):
            _fsync(default_storage.path(stored))
    except BaseException:
        with contextlib.suppress(Exception):  # the storage may still be failing
            default_storage.delete(name)
        raise
    if stored != name:  # the context sealed into the blob must be the name it is read back by
        default_storage.delete(stored)
        raise OSError(f"Storage renamed {name} to {stored}")
    return StoredFile(stored, len(data), hashlib.sha256(data).hexdigest())


def stored_exists(storage_name: str) -> bool:
    return default_storage.exists(storage_name)


def read_attachment(storage_name: str) -> bytes:
    with default_storage.open(storage_name, "rb") as handle:
        return unseal(handle.read(), context=storage_name.encode())


def read_sealed(storage_name: str) -> bytes:
    """The sealed bytes as stored, for key rotation (nothing is decrypted)."""
    with default_storage.open(storage_name, "rb") as handle:
        return handle.read()


def replace_sealed(storage_name: str, blob: bytes) -> None:
    """Overwrite a stored file in one step: a crash leaves the old blob or the new, never half.

    On a file system this is a fsynced temporary file renamed over the old one; object stores
    (S3) replace an object atomically on PUT.
    """
    if isinstance(default_storage, FileSystemStorage):
        path = default_storage.path(storage_name)
        temporary = f"{path}.{secrets.token_hex(4)}.tmp"
        with open(temporary, "wb") as handle:
            handle.write(blob)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
        _fsync(path)
        return
    # ``save`` would pick a free name; ``_save`` (the backend hook every storage implements)
    # writes this exact name, and an S3 PUT replaces an object whole.
    stored = default_storage._save(storage_name, ContentFile(blob))
    if stored != storage_name:
        raise OSError(f"Storage wrote {stored} instead of replacing {storage_name}")


def delete_stored(storage_names: list[str]) -> None:
    for name in storage_names:
        default_storage.delete(name)


def _fsync(path: str) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())
    directory = os.open(os.path.dirname(path), os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
