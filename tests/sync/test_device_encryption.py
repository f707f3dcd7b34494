"""Device-encrypted submissions as Android Collect makes them: the AES key wrapped with
"RSA/NONE/OAEPWithSHA256AndMGF1Padding" (Collect's EncryptionUtils), whose mask hash is SHA-256
under BouncyCastle and Conscrypt and SHA-1 under the JDK's provider; older builds used SHA-1
throughout. The DPO opens every one of them; a plaintext copy of a form version that carries a
public key is refused (issue 16)."""

import base64
import re

import pytest
from cryptography.hazmat.primitives import hashes
from defusedxml.ElementTree import fromstring

from audit.models import AuditEvent
from sync.models import Submission
from tests.plugins.encryption import collect_encrypted, private_pem

pytestmark = pytest.mark.django_db
RESPONSE_NS = "{http://openrosa.org/http/response}"


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
        rsa_key.public_key(),
        instance_id="uuid:e1",
        xml=plain,
        media={"p.jpg": b"PHOTO"},
        digest=digest,
        mask=mask,
    )
    assert submit(manifest, files).status_code == 201
    pem = private_pem(rsa_key)

    opened = api.as_user(dpo).post(
        f"/api/v1/projects/{project.pk}/forms/secret/submissions/uuid:e1/decrypt",
        {"private_key": pem, "reason": "Annual review"},
        format="json",
    )

    assert opened.status_code == 200, opened.json()
    assert opened.json()["xml"] == plain.decode()
    assert base64.b64decode(opened.json()["attachments"]["p.jpg"]) == b"PHOTO"
    assert opened.json()["signature"] == "verified", "Collect's signature checks out"


def test_a_file_swapped_after_signing_is_flagged_and_audited(
    submit, encrypted_form, rsa_key, api, project, dpo
):
    """The device signed one photo and another arrived (or the manifest was re-made around a
    different file): the DPO still gets the content, marked as not matching the device's
    signature, and the mismatch is an audit event of its own."""
    plain = b'<data id="secret" version="1"><secret>Hidden</secret><pic>p.jpg</pic></data>'
    manifest, files = collect_encrypted(
        rsa_key.public_key(),
        instance_id="uuid:s1",
        xml=plain,
        media={"p.jpg": b"THE PHOTO SENT"},
        signed_media={"p.jpg": b"THE PHOTO TAKEN"},
    )
    assert submit(manifest, files).status_code == 201

    opened = api.as_user(dpo).post(
        f"/api/v1/projects/{project.pk}/forms/secret/submissions/uuid:s1/decrypt",
        {"private_key": private_pem(rsa_key), "reason": "Checking a complaint"},
        format="json",
    )

    assert opened.status_code == 200, opened.json()
    assert opened.json()["signature"] == "mismatch"
    assert "NOT match" in opened.json()["signature_detail"]
    assert AuditEvent.objects.filter(action="raw.signature_mismatch", actor=dpo).count() == 1


def test_a_submission_without_a_signature_says_so(
    submit, encrypted_form, rsa_key, api, project, dpo
):
    plain = b'<data id="secret" version="1"><secret>Hidden</secret></data>'
    manifest, files = collect_encrypted(
        rsa_key.public_key(), instance_id="uuid:s2", xml=plain, media={}
    )
    manifest = re.sub(rb"<base64EncryptedElementSignature>.*</base64EncryptedElementSignature>",
                      b"", manifest)  # fmt: skip
    assert submit(manifest, files).status_code == 201
    opened = api.as_user(dpo).post(
        f"/api/v1/projects/{project.pk}/forms/secret/submissions/uuid:s2/decrypt",
        {"private_key": private_pem(rsa_key), "reason": "Annual review"},
        format="json",
    )
    assert opened.json()["signature"] == "absent"


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


def test_collects_one_media_element_per_file_lists_every_encrypted_file():
    """Collect's EncryptionUtils writes <media><file>…</file></media> once per file (as the web
    tablet does): every file must be expected, not only the first."""
    from sync.instance import parse_instance

    manifest = (
        b'<data xmlns="http://www.opendatakit.org/xforms/encrypted" id="secret" version="1" '
        b'encrypted="yes"><base64EncryptedKey>a2V5</base64EncryptedKey>'
        b'<orx:meta xmlns:orx="http://openrosa.org/xforms"><orx:instanceID>uuid:m1'
        b"</orx:instanceID></orx:meta>\n<media><file>a.jpg.enc</file></media>\n"
        b"<media><file>b.jpg.enc</file></media>\n<encryptedXmlFile>submission.xml.enc"
        b"</encryptedXmlFile><base64EncryptedElementSignature>c2ln"
        b"</base64EncryptedElementSignature></data>"
    )
    instance = parse_instance(manifest)
    assert instance.encrypted_files == ["a.jpg.enc", "b.jpg.enc", "submission.xml.enc"]
    assert instance.instance_id == "uuid:m1"
