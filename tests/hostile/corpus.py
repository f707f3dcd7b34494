"""The hostile-request corpus: each entry is a request an attacker (or a broken client) could
send, the refusal it must get (status and stable code), and the promise that nothing was stored.

``code`` is the JSON ``code`` (or, for a refused upload, the first problem's code); OpenRosa
answers carry no codes, so for them it is a phrase of the ``<message>`` the volunteer reads.
OpenRosa entries run twice: as a device (token in the URL) and as an account (HTTP Basic).
"""

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from defusedxml.ElementTree import fromstring
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from backend.audit.models import AuditEvent
from backend.privacy.models import AnonymisedRecord, Release
from forms.models import Form, FormVersion, MediaFile, PrivacyRuleSet
from sync.models import Attachment, ConflictingCopy, Submission
from tests.hostile.conftest import World
from tests.privacy.conftest import privacy_instance
from tests.xlsform import simple_form, xlsx

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
    Submission, Attachment, ConflictingCopy, AnonymisedRecord, Release, Form, FormVersion,
    MediaFile, PrivacyRuleSet, AuditEvent,
)  # fmt: skip


def stored(world: World) -> dict:
    """Rows that a request could add, and files in and beside the media root."""
    files = sorted(str(p.relative_to(world.media_root)) for p in world.media_root.rglob("*"))
    beside = sorted(p.name for p in world.media_root.parent.iterdir() if p.is_file())
    return {
        **{model.__name__: model.objects.count() for model in MODELS},
        "files": files,
        "beside the media root": beside,
    }


def refusal_code(response) -> str:
    if response["Content-Type"].startswith("text/xml"):
        root = fromstring(response.content)
        return root.findtext("{http://openrosa.org/http/response}message") or ""
    body = response.json()
    return body["problems"][0]["code"] if body.get("problems") else body["code"]


# --- bodies -------------------------------------------------------------------------------

LAUGHS = "".join(
    f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
)  # nine levels of ten: 10⁹ "lol"s, 3 GB once expanded
BILLION_LAUGHS = f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY lol0 "lol">{LAUGHS}]>'
QUADRATIC = '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "' + "a" * 50_000 + '">]>'
EXTERNAL_ENTITY = '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
EXTERNAL_DTD = '<?xml version="1.0"?><!DOCTYPE d SYSTEM "http://127.0.0.1:9/evil.dtd">'
PARAMETER_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]>'
)
DEPTH = 50_000


def instance(prolog: str = "", body: str = "<age>34</age>") -> bytes:
    return f'{prolog}<data id="privacy_test" version="1">{body}</data>'.encode()


def xform(prolog: str = "", body: str = "<h:head/>") -> bytes:
    return f'{prolog}<h:html xmlns:h="http://www.w3.org/1999/xhtml">{body}</h:html>'.encode()


def deep(tag: str = "g") -> str:
    return f"<{tag}>" * DEPTH + "x" + f"</{tag}>" * DEPTH


def xlsx_with(replace: dict[str, bytes]) -> bytes:
    """A real XLSForm workbook with some of its parts replaced."""
    source = zipfile.ZipFile(io.BytesIO(xlsx(simple_form())))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            target.writestr(name, replace.get(name, source.read(name)))
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"
SHEET_BOMB = (BILLION_LAUGHS + '<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr">'
              "<is><t>&lol9;</t></is></c></row></sheetData></worksheet>").encode()  # fmt: skip
ZIP_BOMB = xlsx_with({SHEET: b" " * 2_000_000})  # 2 MB of spaces packs into a few kB
TRUNCATED_MULTIPART = (
    b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="f.xlsx"\r\n'
    b"Content-Type: application/octet-stream\r\n\r\nPK\x03\x04 cut he"
)


# --- requests -----------------------------------------------------------------------------


def openrosa_post(via: str, **post) -> Send:
    """A request to the submission URL as a device (``via="token"``) or an account."""

    def send(world: World, client: Client):
        url = world.submission_url(via)
        auth = {} if via == "token" else {"HTTP_AUTHORIZATION": world.basic}
        return client.generic("POST", url, HTTP_X_OPENROSA_VERSION="1.0", **auth, **post)

    return send


def multipart(xml: bytes, files: dict[str, bytes] | None = None) -> dict:
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

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
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    part = SimpleUploadedFile(name, data, "application/octet-stream")
    body = encode_multipart(BOUNDARY, {"file": part})
    return api("POST", path, as_outsider=as_outsider, data=body, content_type=MULTIPART_CONTENT)


FORMS = "/forms"
MEDIA = "/forms/{media}/versions/1/media"
RAW = "/forms/{form}/submissions"


# --- the corpus ---------------------------------------------------------------------------


def _openrosa(via: str) -> list[Hostile]:
    """Hostile submissions: the same refusals whether a device or an account sends them."""
    unsafe = "DTD or entities"
    return [
        Hostile("billion laughs", submitting(via, instance(BILLION_LAUGHS, "&lol9;")), 400, unsafe),
        Hostile(
            "quadratic blowup", submitting(via, instance(QUADRATIC, "&a;" * 5000)), 400, unsafe
        ),
        Hostile("external entity", submitting(via, instance(EXTERNAL_ENTITY, "&x;")), 400, unsafe),
        Hostile("external DTD", submitting(via, instance(EXTERNAL_DTD)), 400, unsafe),
        Hostile("parameter entity", submitting(via, instance(PARAMETER_ENTITY)), 400, unsafe),
        Hostile("deeply nested XML", submitting(via, instance(body=deep())), 400, "levels deep"),
        Hostile("truncated XML", submitting(via, b"<data id='privacy_test'"), 400, "well-formed"),
        Hostile("not XML", submitting(via, b"not xml at all"), 400, "well-formed"),
        Hostile("empty XML", submitting(via, b""), 400, "empty"),
        Hostile("XML naming no form", submitting(via, b"<data><meta/></data>"), 400, "which form"),
        Hostile(
            "SQL in the form id",
            submitting(
                via,
                privacy_instance("uuid:h1").replace(
                    b'id="privacy_test"', b"id=\"privacy_test' OR '1'='1\""
                ),
            ),
            404,
            "not on this server",
        ),
        Hostile(
            "truncated multipart body",
            openrosa_post(
                via,
                data=TRUNCATED_MULTIPART.replace(b'"file"', b'"xml_submission_file"'),
                content_type="multipart/form-data; boundary=xyz",
            ),
            400,
            "send it again",  # a cut body may also read as one without its XML part
        ),
        Hostile(
            "multipart without a boundary",
            openrosa_post(via, data=b"--x\r\n", content_type="multipart/form-data"),
            400,
            "incomplete or damaged",
        ),
        Hostile(
            "body over the limit",
            submitting(via, privacy_instance("uuid:h2"), {"big.jpg": b"x" * 20_000}),
            413,
            "accepts up to",
            settings={"WAYPOINT_SUBMISSION_MAX_BYTES": 10_000},
        ),
        Hostile(
            "a thousand file parts",
            submitting(via, privacy_instance("uuid:h3"), {f"{n}.jpg": b"x" for n in range(1000)}),
            400,
            "incomplete or damaged",
        ),
        Hostile(
            "multipart without the XML part",
            openrosa_post(
                via,
                data=b'--xyz\r\nContent-Disposition: form-data; name="x"\r\n\r\ny\r\n--xyz--\r\n',
                content_type="multipart/form-data; boundary=xyz",
            ),
            400,
            "no xml_submission_file",
        ),
        Hostile(
            "JSON instead of multipart",
            openrosa_post(
                via, data=b'{"xml_submission_file": "<data/>"}', content_type="application/json"
            ),
            400,
            "no xml_submission_file",
        ),
        Hostile(
            "raw XML instead of multipart",
            openrosa_post(via, data=privacy_instance("uuid:h4"), content_type="text/xml"),
            400,
            "no xml_submission_file",
        ),
        Hostile(
            "without the OpenRosa header",
            lambda world, client: client.generic(
                "POST",
                world.submission_url(via),
                **multipart(privacy_instance("uuid:h5")),
                **({} if via == "token" else {"HTTP_AUTHORIZATION": world.basic}),
            ),
            400,
            "X-OpenRosa-Version",
        ),
    ]


def _foreign_credentials(world: World, client: Client, kind: str):
    xml = multipart(privacy_instance("uuid:foreign"))
    here = world.project_id
    if kind == "device token":
        url = f"/key/{world.other_device_token}/projects/{here}/submission"
        return client.generic("POST", url, HTTP_X_OPENROSA_VERSION="1.0", **xml)
    if kind == "Enketo token":
        url = f"/projects/{here}/submission?st={world.other_device_token}"
        return client.generic("POST", url, HTTP_X_OPENROSA_VERSION="1.0", **xml)
    if kind == "made-up token":
        url = f"/key/{'A' * 64}/projects/{here}/submission"
        return client.generic("POST", url, HTTP_X_OPENROSA_VERSION="1.0", **xml)
    url = f"/projects/{here}/submission"
    return client.generic(
        "POST", url, HTTP_X_OPENROSA_VERSION="1.0", HTTP_AUTHORIZATION=world.other_basic, **xml
    )


def _says(response, words: str) -> None:
    assert words in response.json()["problems"][0]["message"]


FOREIGN = [
    Hostile(
        "another project's device token",
        lambda world, client: _foreign_credentials(world, client, "device token"),
        403,
        "another project",
    ),
    Hostile(
        "another project's Enketo token",
        lambda world, client: _foreign_credentials(world, client, "Enketo token"),
        403,
        "another project",
    ),
    Hostile(
        "a made-up device token",
        lambda world, client: _foreign_credentials(world, client, "made-up token"),
        403,
        "not valid",
    ),
    Hostile(
        "another project's form manager",
        lambda world, client: _foreign_credentials(world, client, "account"),
        403,
        "cannot collect data",
    ),
    Hostile(
        "another project's API token reads", api("GET", FORMS, as_outsider=True), 404, "not_found"
    ),
    Hostile(
        "another project's API token uploads",
        upload(FORMS, "f.xlsx", xlsx(simple_form()), as_outsider=True),
        404,
        "not_found",
    ),
    Hostile(
        "another project's API token reads raw data",
        api("GET", RAW + "/uuid:raw/xml?reason=curious", as_outsider=True),
        404,
        "not_found",
    ),
    Hostile(
        "another project's API token reads results",
        api("GET", "/forms/{form}/results/records.csv", as_outsider=True),
        404,
        "not_found",
    ),
]

UPLOADS = [
    Hostile(
        "XForm: billion laughs",
        upload(FORMS, "f.xml", xform(BILLION_LAUGHS, "&lol9;")),
        400,
        "xform.invalid",
    ),
    Hostile(
        "XForm: external entity",
        upload(FORMS, "f.xml", xform(EXTERNAL_ENTITY, "&x;")),
        400,
        "xform.invalid",
    ),
    Hostile(
        "XForm: external DTD", upload(FORMS, "f.xml", xform(EXTERNAL_DTD)), 400, "xform.invalid"
    ),
    Hostile(
        "XForm: deeply nested",
        upload(FORMS, "f.xml", xform(body=deep())),
        400,
        "xform.invalid",
        check=lambda response: _says(response, "levels deep"),
    ),
    Hostile(
        "XLSForm: entities in a sheet",
        upload(FORMS, "f.xlsx", xlsx_with({SHEET: SHEET_BOMB})),
        400,
        "xlsform.unreadable",
    ),
    Hostile(
        "XLSForm: zip bomb",
        upload(FORMS, "f.xlsx", ZIP_BOMB),
        413,
        "upload.too_large",
        settings={"WAYPOINT_FORM_MAX_BYTES": 100_000},  # so 1 MB unpacked at most
    ),
    Hostile(
        "XLSForm: over the size limit",
        upload(FORMS, "f.xlsx", b"PK\x03\x04" + b"\0" * 100_000),
        413,
        "upload.too_large",
        settings={"WAYPOINT_FORM_MAX_BYTES": 100_000},
    ),
    Hostile(
        "XLSForm: truncated multipart body",
        api(
            "POST",
            FORMS,
            data=TRUNCATED_MULTIPART,
            content_type="multipart/form-data; boundary=xyz",
        ),
        400,
        "upload.no_file",
    ),
    Hostile(
        "XLSForm: multipart without a boundary",
        api("POST", FORMS, data=b"--x\r\n", content_type="multipart/form-data"),
        400,
        "upload.unreadable",
    ),
    Hostile(
        "XLSForm: JSON instead of multipart",
        api("POST", FORMS, data=b'{"file": "survey"}', content_type="application/json"),
        415,
        "unsupported_media_type",
    ),
    Hostile(
        "XLSForm: no file part",
        api("POST", FORMS, data=b"--xyz--\r\n", content_type="multipart/form-data; boundary=xyz"),
        400,
        "upload.no_file",
    ),
    Hostile(
        "media: over the size limit",
        upload(MEDIA, "places.csv", b"name,label\n" + b"x" * 2000),
        413,
        "media.too_large",
        settings={"WAYPOINT_MEDIA_MAX_BYTES": 1000},
    ),
    Hostile(
        "media: a path to a file the form does not use",
        upload(MEDIA, "../../etc/passwd", b"root:x:0:0"),
        400,
        "media.unexpected",
    ),
    Hostile("media: a hidden file name", upload(MEDIA, ".places.csv", b"x"), 400, "media.bad_name"),
    Hostile(
        "media: truncated multipart body",
        api(
            "POST",
            MEDIA,
            data=TRUNCATED_MULTIPART,
            content_type="multipart/form-data; boundary=xyz",
        ),
        400,
        "upload.no_file",
    ),
    Hostile(
        "media: JSON instead of multipart",
        api("POST", MEDIA, data=b'{"file": "x"}', content_type="application/json"),
        415,
        "unsupported_media_type",
    ),
]

QUARANTINE = [
    Hostile(
        "attachment name climbing out",
        api("GET", RAW + "/uuid:raw/attachments/..%2F..%2F..%2Fetc%2Fpasswd?reason=audit"),
        404,
        "not_found",
    ),
    Hostile(
        "attachment name with a backslash path",
        api("GET", RAW + "/uuid:raw/attachments/..%5C..%5Cface.jpg?reason=audit"),
        404,
        "not_found",
    ),
    Hostile(
        "attachment name as an absolute path",
        api("GET", RAW + "/uuid:raw/attachments/%2Fetc%2Fpasswd?reason=audit"),
        404,
        "not_found",
    ),
    Hostile(
        "attachment name of the sealed file",
        api("GET", RAW + "/uuid:raw/attachments/quarantine?reason=audit"),
        404,
        "not_found",
    ),
    Hostile(
        "instance id climbing out",
        api("GET", RAW + "/..%2F..%2Fuuid:raw/xml?reason=audit"),
        404,
        "not_found",
    ),
    Hostile(
        "SQL in the instance id",
        api("GET", RAW + "/uuid:raw'%20OR%20'1'%3D'1/xml?reason=audit"),
        404,
        "not_found",
    ),
    Hostile(
        "conflict id of nothing",
        api("GET", RAW + "/uuid:raw/conflicts/999999999/xml?reason=audit"),
        404,
        "not_found",
    ),
    Hostile(
        "raw read with only spaces as the reason",
        api("GET", RAW + "/uuid:raw/xml?reason=%20%20"),
        400,
        "reason_required",
    ),
    Hostile(
        "decrypting what is not encrypted",
        api(
            "POST",
            RAW + "/uuid:raw/decrypt",
            data=b'{"private_key": "-----BEGIN", "reason": "x"}',
            content_type="application/json",
        ),
        400,
        "not_encrypted",
    ),
]


def _empty_table(response) -> None:
    assert response.json()["total"] in (0, None)


def _empty_csv(response) -> None:
    lines = b"".join(response.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("record,month")
    assert len(lines) == 1


def _nothing_matches(response) -> None:
    assert response.json()["count"] == 0


TABLE = "/forms/{form}/results/table"
SQL = "%27%20OR%20%271%27%3D%271"  # ' OR '1'='1
DROP = "%3B%20DROP%20TABLE%20privacy_anonymisedrecord%3B%20--"  # ; DROP TABLE …; --
RESULTS = [
    Hostile("row variable with SQL", api("GET", TABLE + f"?row=sex{SQL}"), 400, "unknown_variable"),
    Hostile(
        "row variable dropping a table",
        api("GET", TABLE + f"?row=sex{DROP}"),
        400,
        "unknown_variable",
    ),
    Hostile(
        "column variable with SQL",
        api("GET", TABLE + f"?row=sex&column=age){SQL}"),
        400,
        "unknown_variable",
    ),
    Hostile(
        "linked columns with SQL",
        api("GET", "/forms/{form}/results/tables" + f"?row=sex&columns=age,sex{SQL}"),
        400,
        "unknown_variable",
    ),
    Hostile(
        "a raw question as the row", api("GET", TABLE + "?row=full_name"), 400, "unknown_variable"
    ),
    Hostile(
        "a JSON path as the row",
        api("GET", TABLE + "?row=published__full_name"),
        400,
        "unknown_variable",
    ),
    Hostile(
        "month filter with SQL", api("GET", TABLE + f"?row=sex&since=2026-01{SQL}"), 400, "invalid"
    ),
    Hostile(
        "country filter with SQL", api("GET", TABLE + f"?row=sex&country=IT{SQL}"), 400, "invalid"
    ),
    Hostile(
        "network filter with SQL",
        api("GET", TABLE + f"?row=sex&network=perco{SQL}"),
        200,
        "",
        check=_empty_table,
    ),
    Hostile(
        "National Society filter with SQL",
        api("GET", TABLE + f"?row=sex&national_society=x{SQL}"),
        200,
        "",
        check=_empty_table,
    ),
    Hostile(
        "service point filter dropping a table",
        api("GET", TABLE + f"?row=sex&service_point=x{DROP}"),
        200,
        "",
        check=_empty_table,
    ),
    Hostile(
        "records export filtered with SQL",
        api("GET", f"/forms/{{form}}/results/records.csv?network=x{SQL}"),
        200,
        "",
        check=_empty_csv,
    ),
    Hostile(
        "ranked question with SQL",
        api("GET", f"/forms/{{form}}/results/ranks/sex{SQL}"),
        404,
        "not_found",
    ),
    Hostile("unknown download format", api("GET", TABLE + "?row=sex&format=html"), 400, "invalid"),
    Hostile(
        "audit log filtered with SQL",
        api("GET", f"/audit?action=x{SQL}&actor=x{DROP}"),
        200,
        "",
        check=_nothing_matches,
    ),
    Hostile("pages asked for with SQL", api("GET", f"/audit?limit=10{SQL}"), 400, "invalid"),
]

BASIC = _openrosa("basic")
CORPUS = [
    *_openrosa("token"),
    *[Hostile(f"{e.name} (Basic)", e.send, e.status, e.code, e.settings) for e in BASIC],
    *FOREIGN,
    *UPLOADS,
    *QUARANTINE,
    *RESULTS,
]
