"""What a corpus entry is, what "nothing stored" means, and how entries send their requests."""

from collections.abc import Callable
from dataclasses import dataclass, field

from defusedxml.ElementTree import fromstring
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from audit.models import AuditEvent
from forms.models import Form, FormVersion, MediaFile, PrivacyRuleSet
from privacy.models import AnonymisedRecord, Release
from sync.models import Attachment, ConflictingCopy, Submission
from tests.hostile.world import World

Send = Callable[[World, Client], object]


@dataclass(frozen=True)
class Hostile:
    name: str
    send: Send
    status: int
    code: str
    settings: dict = field(default_factory=dict)  # smaller limits, so that no test sends 50 MB
    check: Callable[[object], None] | None = None  # anything more the answer must show


MODELS = (
    Submission,
    Attachment,
    ConflictingCopy,
    AnonymisedRecord,
    Release,
    Form,
    FormVersion,
    MediaFile,
    PrivacyRuleSet,
    AuditEvent,
)


def stored(world: World) -> dict:
    """Rows that a request could add, and files in and beside the media root."""
    files = sorted(str(p.relative_to(world.media_root)) for p in world.media_root.rglob("*"))
    beside = sorted(p.name for p in world.media_root.parent.iterdir() if p.is_file())
    return {
        **{model.__name__: model.objects.count() for model in MODELS},
        # Every download is audited (who, what, filters): the trace of a read, not stored input.
        "AuditEvent": AuditEvent.objects.exclude(action__startswith="download.").count(),
        "files": files,
        "beside the media root": beside,
    }


def refusal_code(response) -> str:
    if response["Content-Type"].startswith("text/xml"):
        root = fromstring(response.content)
        return root.findtext("{http://openrosa.org/http/response}message") or ""
    body = response.json()
    return body["problems"][0]["code"] if body.get("problems") else body["code"]


def openrosa_post(via: str, *, method: str = "POST", path: str = "submission", **post) -> Send:
    """An OpenRosa request as a device (``via="token"``) or an account (HTTP Basic)."""

    def send(world: World, client: Client):
        url = world.openrosa_url(via, path)
        auth = {} if via == "token" else {"HTTP_AUTHORIZATION": world.basic}
        return client.generic(method, url, HTTP_X_OPENROSA_VERSION="1.0", **auth, **post)

    return send


def multipart(xml: bytes, files: dict[str, bytes] | None = None) -> dict:
    body = {"xml_submission_file": SimpleUploadedFile("instance.xml", xml, "text/xml")}
    for index, (name, data) in enumerate((files or {}).items()):
        body[f"file{index}"] = SimpleUploadedFile(name, data, "image/jpeg")
    return {"data": encode_multipart(BOUNDARY, body), "content_type": MULTIPART_CONTENT}


def submitting(via: str, xml: bytes, files: dict[str, bytes] | None = None) -> Send:
    return openrosa_post(via, **multipart(xml, files))


def api(method: str, path: str, *, as_outsider: bool = False, **kwargs) -> Send:
    """An API request with the token of the user holding every role (or of the outsider)."""

    def send(world: World, client: Client):
        key = world.other_user_token if as_outsider else world.token
        url = world.api(path.format(form=world.form_id, media=world.media_form_id))
        return client.generic(method, url, HTTP_AUTHORIZATION=f"Token {key}", **kwargs)

    return send


def upload(path: str, name: str, data: bytes, *, as_outsider: bool = False) -> Send:
    part = SimpleUploadedFile(name, data, "application/octet-stream")
    body = encode_multipart(BOUNDARY, {"file": part})
    return api("POST", path, as_outsider=as_outsider, data=body, content_type=MULTIPART_CONTENT)


FORMS = "/forms"
MEDIA = "/forms/{media}/versions/1/media"
RAW = "/forms/{form}/submissions"
