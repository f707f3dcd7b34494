"""Device-encrypted submissions as Android Collect makes them: the AES key wrapped with
"RSA/NONE/OAEPWithSHA256AndMGF1Padding" (Collect's EncryptionUtils), whose mask hash is SHA-256
under BouncyCastle and Conscrypt and SHA-1 under the JDK's provider; older builds used SHA-1
throughout. The DPO opens every one of them; a plaintext copy of a form version that carries a
public key is refused (issue 16)."""

import base64
import os

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from defusedxml.ElementTree import fromstring

from forms.services import form_upload
from lib import crypto
from sync.models import Submission
from tests.xlsform import xlsx

pytestmark = pytest.mark.django_db
RESPONSE_NS = "{http://openrosa.org/http/response}"


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def encrypted_form(project, settings, rsa_key):
    settings.WAYPOINT_ODK_VALIDATE = "false"
    public = rsa_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    form = {
        "survey": [["type", "name", "label"], ["text", "secret", "Secret"], ["image", "pic", "P"]],
        "settings": [
            ["form_id", "version", "public_key"],
            ["secret", "1", base64.b64encode(public).decode()],
        ],
    }
    return form_upload(project=project, filename="e.xlsx", data=xlsx(form)).version


def collect_encrypted(public_key, digest, mask, *, instance_id: str, xml: bytes, photo: bytes):
    """The manifest and files Collect sends: key wrapped as the device's provider does, then
    AES-256-CFB with PKCS#5 padding, the IV from md5(instanceID + key), media first."""
    key = os.urandom(32)
    seed = crypto.odk_iv_seed(instance_id, key)
    wrapped = public_key.encrypt(
        key, padding.OAEP(mgf=padding.MGF1(mask()), algorithm=digest(), label=None)
    )
    files = {
        "p.jpg.enc": crypto.encrypt_odk_file(key, seed, 0, photo),
        "submission.xml.enc": crypto.encrypt_odk_file(key, seed, 1, xml),
    }
    manifest = (
        '<data xmlns="http://www.opendatakit.org/xforms/encrypted" id="secret" version="1" '
        f'encrypted="yes"><base64EncryptedKey>{base64.b64encode(wrapped).decode()}'
        '</base64EncryptedKey><meta xmlns="http://openrosa.org/xforms"><instanceID>'
        f"{instance_id}</instanceID></meta><media><file>p.jpg.enc</file></media>"
        "<encryptedXmlFile>submission.xml.enc</encryptedXmlFile>"
        "<base64EncryptedElementSignature>c2ln</base64EncryptedElementSignature></data>"
    ).encode()
    return manifest, files


@pytest.mark.parametrize(
    ("digest", "mask"),
    [
        pytest.param(hashes.SHA256, hashes.SHA256, id="android-bouncycastle-sha256-mask"),
        pytest.param(hashes.SHA256, hashes.SHA1, id="jdk-sha1-mask"),
        pytest.param(hashes.SHA1, hashes.SHA1, id="old-collect-sha1"),
    ],
)
def test_the_dpo_opens_a_submission_wrapped_as_collect_wraps_it(
    submit, encrypted_form, rsa_key, api, project, dpo, digest, mask
):
    plain = b'<data id="secret" version="1"><secret>Hidden</secret><pic>p.jpg</pic></data>'
    manifest, files = collect_encrypted(
        rsa_key.public_key(), digest, mask, instance_id="uuid:e1", xml=plain, photo=b"PHOTO"
    )
    assert submit(manifest, files).status_code == 201
    pem = rsa_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()

    opened = api.as_user(dpo).post(
        f"/api/v1/projects/{project.pk}/forms/secret/submissions/uuid:e1/decrypt",
        {"private_key": pem, "reason": "Annual review"},
        format="json",
    )

    assert opened.status_code == 200, opened.json()
    assert opened.json()["xml"] == plain.decode()
    assert base64.b64decode(opened.json()["attachments"]["p.jpg"]) == b"PHOTO"


def test_a_plaintext_copy_of_an_encrypted_form_is_refused(submit, encrypted_form):
    """Collect encrypts every submission of a version with a public key: a plaintext one would
    put in clear on the server what the form promised to keep sealed."""
    plain = (
        b'<data id="secret" version="1"><secret>Hidden</secret>'
        b"<meta><instanceID>uuid:p1</instanceID></meta></data>"
    )

    response = submit(plain)

    assert response.status_code == 400
    text = fromstring(response.content).findtext(f"{RESPONSE_NS}message")
    assert "must be encrypted" in text
    assert not Submission.objects.exists()
