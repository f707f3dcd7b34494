"""All of Waypoint's cryptography, in one place.

Quarantine encryption: raw submissions and attachments are sealed with AES-256-GCM under a key
from the environment, never the database. A sealed blob names its key by fingerprint, so keys can
be rotated: the first key of ``WAYPOINT_QUARANTINE_KEYS`` seals, every listed key opens.

Device encryption: ODK Collect can encrypt a submission to the form's RSA public key. Waypoint
stores such submissions as received and opens them only with a private key a DPO supplies for
the request (see ``decrypt_odk_file``).
"""

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.decrepit.ciphers.modes import CFB  # ODK Collect's scheme uses CFB
from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import padding as rsa_padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
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


def odk_private_key(private_key_pem: bytes) -> RSAPrivateKey:
    private_key = serialization.load_pem_private_key(private_key_pem, password=None)
    if not isinstance(private_key, RSAPrivateKey):
        raise ValueError("ODK encryption uses RSA: this is not an RSA private key.")
    return private_key


def odk_symmetric_key(private_key_pem: bytes | RSAPrivateKey, base64_encrypted_key: str) -> bytes:
    """Open the per-submission AES key with the form's RSA private key (RSA-OAEP, any of the
    digest and mask pairings devices use)."""
    private_key = (
        odk_private_key(private_key_pem) if isinstance(private_key_pem, bytes) else private_key_pem
    )
    return _odk_unwrap(private_key, base64.b64decode(base64_encrypted_key))


def _odk_unwrap(private_key: RSAPrivateKey, encrypted: bytes) -> bytes:
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


def odk_signature_source(
    *,
    form_id: str,
    version: str,
    base64_encrypted_key: str,
    instance_id: str,
    files: Iterable[tuple[str, bytes]],
) -> bytes:
    """What Collect signs (EncryptionUtils.getBase64EncryptedElementSignature): one line each
    for the form id, the version (left out when the form has none), the wrapped key and the
    instanceID, then ``name::md5`` of each plaintext file in the order encrypted (media, then
    submission.xml; names without ``.enc``, md5 as 32 lower-case hex digits)."""
    lines = [form_id, *([version] if version else []), base64_encrypted_key, instance_id]
    lines += [f"{name}::{hashlib.md5(data).hexdigest()}" for name, data in files]  # noqa: S324
    return "".join(f"{line}\n" for line in lines).encode("utf-8")


def odk_signature_matches(private_key: RSAPrivateKey, signature_b64: str, source: bytes) -> bool:
    """The "signature" is the md5 of ``source`` encrypted (RSA-OAEP) with the form's PUBLIC key,
    as the AES key is wrapped. Anyone holding the form (the key is in every copy of it) can make
    one, so a match is not proof of who made the submission nor that nobody altered it on
    purpose: whoever changes a file can recompute it. What it does catch is corruption and
    mix-ups (a file truncated or damaged, a file from another submission, a key or instanceID
    not matching the files). An RSA-OAEP failure is a mismatch too."""
    try:
        signed = _odk_unwrap(private_key, base64.b64decode(signature_b64))
    except (ValueError, binascii.Error):
        return False
    return hmac.compare_digest(signed, hashlib.md5(source).digest())  # noqa: S324


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


# --- Recovery files of web tablets (webforms.recovery) ---------------------------------------


# A web tablet encrypts each finalised submission to its project's recovery key the moment it
# is finalised (ECDH P-256 with a fresh key per envelope, HKDF-SHA-256, AES-256-GCM: all in
# WebCrypto), so that a revoked tablet, or one whose PIN is forgotten, can hand the DPO a file
# only Waypoint opens. The private key is never stored: it is derived from each quarantine key
# (the key that already protects every raw submission at rest), so rotation works as for the
# quarantine: a file made under an older key opens while that key is still listed.
RECOVERY_INFO = b"waypoint-recovery-v1"
_P256_ORDER = int("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16)


class RecoveryKeyError(ValueError):
    """No configured key made this recovery key (it was retired). A damaged envelope is a
    plain ``ValueError`` or ``InvalidTag``, never this: the DPO is told "altered", not "retired"."""


def _recovery_private(quarantine_key: bytes, project_pk: int) -> ec.EllipticCurvePrivateKey:
    # 48 bytes reduced modulo the group order: the bias is below 2**-128.
    material = HKDF(
        algorithm=hashes.SHA256(),
        length=48,
        salt=None,
        info=b"waypoint-recovery-key:%d" % project_pk,
    ).derive(quarantine_key)
    scalar = int.from_bytes(material, "big") % (_P256_ORDER - 1) + 1
    return ec.derive_private_key(scalar, ec.SECP256R1())


def _point(private_key: ec.EllipticCurvePrivateKey) -> bytes:
    return private_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


def recovery_key_id(point: bytes) -> str:
    return hashlib.sha256(point).hexdigest()[:16]


def recovery_public_key(project_pk: int) -> tuple[str, bytes]:
    """The project's current recovery key, as tablets import it: (key id, raw P-256 point)."""
    point = _point(_recovery_private(quarantine_keys()[0], project_pk))
    return recovery_key_id(point), point


def _recovery_aes(shared: bytes, ephemeral_point: bytes) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=ephemeral_point, info=RECOVERY_INFO)
    return AESGCM(key.derive(shared))


def recovery_open(
    *, project_pk: int, key_id: str, ephemeral: bytes, nonce: bytes, data: bytes, aad: bytes
) -> bytes:
    """Open one envelope. ``RecoveryKeyError`` when no configured key has this id;
    ``cryptography.exceptions.InvalidTag`` when the envelope was altered (or ``aad`` differs:
    made for another project or device); ``ValueError`` when its ephemeral key is no P-256
    point (altered too)."""
    for quarantine_key in quarantine_keys():
        private = _recovery_private(quarantine_key, project_pk)
        if recovery_key_id(_point(private)) == key_id:
            break
    else:
        raise RecoveryKeyError("No configured key made this recovery key.")
    try:
        peer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), ephemeral)
    except ValueError as exc:
        # Not a retired key: the envelope itself is damaged or forged (``recovery.tampered``).
        raise ValueError("The envelope's ephemeral key is not a P-256 point.") from exc
    shared = private.exchange(ec.ECDH(), peer)
    return _recovery_aes(shared, ephemeral).decrypt(nonce, data, aad)


def recovery_seal(*, point: bytes, data: bytes, aad: bytes) -> tuple[bytes, bytes, bytes]:
    """The tablet's side of ``recovery_open`` (ephemeral point, nonce, ciphertext), for tests."""
    ephemeral = ec.generate_private_key(ec.SECP256R1())
    peer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    own = _point(ephemeral)
    nonce = os.urandom(NONCE_BYTES)
    return (
        own,
        nonce,
        _recovery_aes(ephemeral.exchange(ec.ECDH(), peer), own).encrypt(nonce, data, aad),
    )


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
