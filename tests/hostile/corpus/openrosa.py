"""Hostile submissions to the OpenRosa endpoints, and credentials of another project."""

from django.test import Client

from tests.hostile.corpus.bodies import (
    BILLION_LAUGHS,
    EXTERNAL_DTD,
    EXTERNAL_ENTITY,
    PARAMETER_ENTITY,
    QUADRATIC,
    SQL,
    TRUNCATED_MULTIPART,
    deep,
    instance,
)
from tests.hostile.corpus.hostile import (
    FORMS,
    RAW,
    Hostile,
    api,
    multipart,
    openrosa_post,
    submitting,
    upload,
)
from tests.hostile.world import World
from tests.samples import privacy_instance
from tests.xlsform import simple_form, xlsx


def _lists_no_form(response) -> None:
    assert b"<xform>" not in response.content
    assert b"<xforms" in response.content


def openrosa(via: str) -> list[Hostile]:
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
        Hostile(
            "an encoding nothing reads",
            submitting(via, instance('<?xml version="1.0" encoding="ucs-2"?>')),
            400,
            "encoding Waypoint cannot read",
        ),
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
            "form list filtered with SQL",
            openrosa_post(via, method="GET", path=f"formList?formID=privacy_test{SQL}"),
            200,
            "",
            check=_lists_no_form,
        ),
        Hostile(
            "form download with SQL in its id",
            openrosa_post(via, method="GET", path=f"forms/privacy_test{SQL}.xml"),
            404,
            "",
        ),
        Hostile(
            "manifest climbing out of its form",
            openrosa_post(via, method="GET", path="forms/..%2F..%2Fsettings/manifest"),
            404,
            "",
        ),
        Hostile(
            "media file climbing out of its form",
            openrosa_post(via, method="GET", path="forms/media_form/attachments/..%2F..%2Fpasswd"),
            404,
            "",
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
            # Collect sends every file of a repeat of photos, so the real limit is 10,000 parts
            # (DATA_UPLOAD_MAX_NUMBER_FILES); the same refusal is shown here at a lower limit.
            "more file parts than the limit",
            submitting(via, privacy_instance("uuid:h3"), {f"{n}.jpg": b"x" for n in range(101)}),
            400,
            "incomplete or damaged",
            settings={"DATA_UPLOAD_MAX_NUMBER_FILES": 100},
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
