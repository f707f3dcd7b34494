"""All of Waypoint's cryptography, in one place.

Quarantine encryption: raw submissions and attachments are sealed with AES-256-GCM under a key
from the environment, never the database. A sealed blob names its key by fingerprint, so keys can
be rotated: the first key of ``WAYPOINT_QUARANTINE_KEYS`` seals, every listed key opens.

Device encryption: ODK Collect can encrypt a submission to the form's RSA public key. Waypoint
stores such submissions as received and opens them only with a private key a DPO supplies for
the request (see ``decrypt_odk_file``).
"""

import base64
import hashlib
import hmac
import os
import secrets
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.decrepit.ciphers.modes import CFB  # ODK Collect's scheme uses CFB
from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import padding as rsa_padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

MAGIC = b"WPQ1"
FINGERPRINT_BYTES = 8
NONCE_BYTES = 12


class QuarantineKeyError(RuntimeError):
    """No key can open this blob (it was sealed under a key no longer configured)."""


def _fingerprint(key: bytes) -> bytes:
    return hashlib.sha256(b"waypoint-quarantine-key" + key).digest()[:FINGERPRINT_BYTES]


def _development_key() -> str:
    return _development_file(str(Path(settings.VAR_DIR) / "quarantine_key"))


@lru_cache(maxsize=8)
def _development_file(name: str) -> str:
    """Development keys live in var/; read once per process, not on every seal."""
    path = Path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:  # exclusive create: two processes starting together agree on one key
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(base64.b64encode(secrets.token_bytes(32)).decode())
    return path.read_text(encoding="utf-8").strip()


@lru_cache(maxsize=4)
def _keys(configured: str) -> list[bytes]:
    keys = [base64.b64decode(item) for item in configured.split(",") if item.strip()]
    for key in keys:
        if len(key) != 32:
            raise QuarantineKeyError("Each quarantine key must be 32 bytes, base64-encoded.")
    return keys


def quarantine_keys() -> list[bytes]:
    configured = settings.WAYPOINT_QUARANTINE_KEYS
    if not configured:
        if settings.PRODUCTION:
            raise QuarantineKeyError("Set WAYPOINT_QUARANTINE_KEYS (or _FILE) in production.")
        configured = _development_key()
    return _keys(configured)


def seal(plaintext: bytes, *, context: bytes = b"") -> bytes:
    """Encrypt for the quarantine. ``context`` (e.g. a storage name) is authenticated, so a blob
    cannot be swapped for another one undetected."""
    key = quarantine_keys()[0]
    nonce = os.urandom(NONCE_BYTES)
    return MAGIC + _fingerprint(key) + nonce + AESGCM(key).encrypt(nonce, plaintext, context)


def unseal(blob: bytes, *, context: bytes = b"") -> bytes:
    if blob[: len(MAGIC)] != MAGIC:
        raise QuarantineKeyError("This is not a Waypoint quarantine blob.")
    start = len(MAGIC)
    fingerprint = blob[start : start + FINGERPRINT_BYTES]
    nonce = blob[start + FINGERPRINT_BYTES : start + FINGERPRINT_BYTES + NONCE_BYTES]
    body = blob[start + FINGERPRINT_BYTES + NONCE_BYTES :]
    for key in quarantine_keys():
        if _fingerprint(key) == fingerprint:
            return AESGCM(key).decrypt(nonce, body, context)
    raise QuarantineKeyError("The key that sealed this blob is not configured.")


def sealing_key_fingerprint(blob: bytes) -> str:
    """Which key sealed a blob (hex fingerprint), so rotation can tell what is left to re-seal."""
    start = len(MAGIC)
    return bytes(blob[start : start + FINGERPRINT_BYTES]).hex()


def current_key_fingerprint() -> str:
    return _fingerprint(quarantine_keys()[0]).hex()


def new_quarantine_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


# --- ODK device encryption (the scheme of ODK Collect and ODK Central) ---------------------


# ODK Collect wraps the key with "RSA/NONE/OAEPWithSHA256AndMGF1Padding" (EncryptionUtils). What
# the mask generation function hashes with depends on the device's JCE provider: BouncyCastle and
# Conscrypt (Android) use SHA-256 for both, the JDK's SunJCE keeps MGF1 on SHA-1; ODK Central and
# Briefcase decrypt both; older Collect builds used SHA-1 throughout. Try each pairing: OAEP's
# integrity check makes a wrong guess fail, never decrypt to garbage.
ODK_OAEP_DIGESTS = (
    (hashes.SHA256, hashes.SHA256),
    (hashes.SHA256, hashes.SHA1),
    (hashes.SHA1, hashes.SHA1),
    (hashes.SHA1, hashes.SHA256),
)


def odk_symmetric_key(private_key_pem: bytes, base64_encrypted_key: str) -> bytes:
    """Open the per-submission AES key with the form's RSA private key (RSA-OAEP, any of the
    digest and mask pairings devices use)."""
    private_key = serialization.load_pem_private_key(private_key_pem, password=None)
    if not isinstance(private_key, RSAPrivateKey):
        raise ValueError("ODK encryption uses RSA: this is not an RSA private key.")
    encrypted = base64.b64decode(base64_encrypted_key)
    for digest, mask in ODK_OAEP_DIGESTS:
        try:
            return private_key.decrypt(
                encrypted,
                rsa_padding.OAEP(mgf=rsa_padding.MGF1(mask()), algorithm=digest(), label=None),
            )
        except ValueError:
            continue
    raise ValueError("This private key does not open this submission.")


def odk_iv_seed(instance_id: str, symmetric_key: bytes) -> bytearray:
    return bytearray(hashlib.md5(instance_id.encode() + symmetric_key).digest())  # noqa: S324


def _odk_cipher(symmetric_key: bytes, iv_seed: bytearray, index: int) -> Cipher[CFB]:
    """AES-256-CFB; for the ``index``-th file the IV seed's byte ``i % 16`` is incremented for
    every i up to ``index`` (media files first, the XML last)."""
    iv = bytearray(iv_seed)
    for i in range(index + 1):
        iv[i % 16] = (iv[i % 16] + 1) % 256
    return Cipher(algorithms.AES(symmetric_key), CFB(bytes(iv)))


def decrypt_odk_file(symmetric_key: bytes, iv_seed: bytearray, index: int, data: bytes) -> bytes:
    """Decrypt the ``index``-th encrypted file of a submission (PKCS#5 padded)."""
    decryptor = _odk_cipher(symmetric_key, iv_seed, index).decryptor()
    padded = decryptor.update(data) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return unpadder.update(padded) + unpadder.finalize()


def encrypt_odk_file(symmetric_key: bytes, iv_seed: bytearray, index: int, data: bytes) -> bytes:
    """The device's side of ``decrypt_odk_file``; used to build test submissions."""
    padder = padding.PKCS7(128).padder()
    padded = padder.update(data) + padder.finalize()
    encryptor = _odk_cipher(symmetric_key, iv_seed, index).encryptor()
    return encryptor.update(padded) + encryptor.finalize()


# --- Pseudonyms -----------------------------------------------------------------------------


def _development_pseudonym_secret() -> str:
    return _development_file(str(Path(settings.VAR_DIR) / "pseudonym_secret"))


def pseudonym_key(project_id: int) -> bytes:
    """The project's pseudonym key, derived from ``WAYPOINT_PSEUDONYM_SECRET`` and never stored:
    the same case number gives the same pseudonym within a project and a different one across
    projects, and nobody holding only the database can recompute or reverse it."""
    master = settings.WAYPOINT_PSEUDONYM_SECRET
    if not master:
        if settings.PRODUCTION:
            raise QuarantineKeyError("Set WAYPOINT_PSEUDONYM_SECRET (or _FILE) in production.")
        master = _development_pseudonym_secret()
    return hmac.new(master.encode(), f"waypoint-project:{project_id}".encode(), "sha256").digest()


def pseudonymise(normalised_value: str, key: bytes) -> str:
    """Keyed HMAC-SHA256 of an already normalised value, hex."""
    return hmac.new(key, normalised_value.encode("utf-8"), "sha256").hexdigest()
