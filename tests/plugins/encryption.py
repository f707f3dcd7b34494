"""Device-side encryption as ODK Collect does it: a form with a public key, a device's key pair,
and submissions wrapped exactly as Collect wraps them."""

import base64
import hashlib
import os

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from forms.services import form_upload
from lib import crypto
from tests.xlsform import xlsx


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def encrypted_form(project, settings, rsa_key):
    """Version 1 of form "secret", whose submissions devices encrypt with ``rsa_key``."""
    settings.WAYPOINT_ODK_VALIDATE = "false"
    public = rsa_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    form = {
        "survey": [
            ["type", "name", "label"],
            ["text", "secret", "Secret"],
            ["image", "pic", "Pic"],
        ],
        "settings": [
            ["form_id", "version", "public_key"],
            ["secret", "1", base64.b64encode(public).decode()],
        ],
    }
    return form_upload(project=project, filename="e.xlsx", data=xlsx(form)).version


def private_pem(key) -> str:
    """What a DPO pastes to open device-encrypted submissions."""
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def collect_encrypted(
    public_key,
    *,
    instance_id: str,
    xml: bytes,
    media: dict[str, bytes],
    digest=hashes.SHA256,
    mask=hashes.SHA256,
    signed_media: dict[str, bytes] | None = None,
) -> tuple[bytes, dict[str, bytes]]:
    """The manifest and files Collect sends: the key wrapped with RSA-OAEP as the device's
    provider does (Android: SHA-256 digest and mask), then AES-256-CFB with PKCS#5 padding, the
    IV from md5(instanceID + key), media files first and the XML last, and the signature
    (EncryptionUtils.getBase64EncryptedElementSignature): the md5 of "form id, version, wrapped
    key, instanceID, name::md5 of each plaintext file", one per line, RSA-wrapped as the key is.
    ``signed_media``: sign other media than those sent, as a file swapped on the way would be."""
    key = os.urandom(32)
    seed = crypto.odk_iv_seed(instance_id, key)
    oaep = padding.OAEP(mgf=padding.MGF1(mask()), algorithm=digest(), label=None)
    wrapped = public_key.encrypt(key, oaep)
    wrapped_b64 = base64.b64encode(wrapped).decode()
    source = crypto.odk_signature_source(
        form_id="secret",
        version="1",
        base64_encrypted_key=wrapped_b64,
        instance_id=instance_id,
        files=[*(signed_media or media).items(), ("submission.xml", xml)],
    )
    signature = base64.b64encode(public_key.encrypt(hashlib.md5(source).digest(), oaep)).decode()
    files = {
        f"{name}.enc": crypto.encrypt_odk_file(key, seed, index, data)
        for index, (name, data) in enumerate(media.items())
    }
    files["submission.xml.enc"] = crypto.encrypt_odk_file(key, seed, len(media), xml)
    media_xml = "".join(f"<file>{name}.enc</file>" for name in media)
    manifest = (
        '<data xmlns="http://www.opendatakit.org/xforms/encrypted" id="secret" version="1" '
        f'encrypted="yes"><base64EncryptedKey>{wrapped_b64}'
        '</base64EncryptedKey><meta xmlns="http://openrosa.org/xforms"><instanceID>'
        f"{instance_id}</instanceID></meta><media>{media_xml}</media>"
        "<encryptedXmlFile>submission.xml.enc</encryptedXmlFile>"
        f"<base64EncryptedElementSignature>{signature}</base64EncryptedElementSignature></data>"
    ).encode()
    return manifest, files
