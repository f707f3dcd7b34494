"""Hostile requests to the API: uploads, the DPO's quarantine, results and the audit log."""

from tests.hostile.corpus.bodies import (
    BILLION_LAUGHS,
    DROP,
    EXTERNAL_DTD,
    EXTERNAL_ENTITY,
    SHEET,
    SHEET_BOMB,
    SQL,
    TRUNCATED_MULTIPART,
    ZIP_BOMB,
    deep,
    xform,
    xlsx_with,
)
from tests.hostile.corpus.hostile import FORMS, MEDIA, RAW, Hostile, api, upload


def _says(response, words: str) -> None:
    assert words in response.json()["problems"][0]["message"]


UPLOADS = [
    Hostile(
        "XForm: billion laughs",
        upload(FORMS, "f.xml", xform(BILLION_LAUGHS, "&lol9;")),
        400,
        "xform.invalid",
        check=lambda response: _says(response, "DTD or entities"),
    ),
    Hostile(
        "XForm: external entity",
        upload(FORMS, "f.xml", xform(EXTERNAL_ENTITY, "&x;")),
        400,
        "xform.invalid",
        check=lambda response: _says(response, "DTD or entities"),
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
    # A revoked tablet's recovery file (webforms.recovery), uploaded by the DPO.
    Hostile(
        "recovery: deeply nested JSON",
        upload("/recovery", "r.json", b"[" * 100_000),
        400,
        "recovery.not_a_recovery_file",
    ),
    Hostile(
        "recovery: a workbook (ZIP bomb)",
        upload("/recovery", "r.json", ZIP_BOMB),
        400,
        "recovery.not_a_recovery_file",
    ),
    Hostile(
        "recovery: a recovery file cut short",
        upload("/recovery", "r.json", b'{"format":"waypoint-recovery","version":1,"proj'),
        400,
        "recovery.truncated",
    ),
    Hostile(
        "recovery: truncated multipart",
        api(
            "POST",
            "/recovery",
            data=TRUNCATED_MULTIPART,
            content_type="multipart/form-data; boundary=xyz",
        ),
        400,
        "upload.no_file",
    ),
    Hostile(
        "recovery: another project's member",
        upload("/recovery", "r.json", b"{}", as_outsider=True),
        404,
        "not_found",
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
        "submission.reason_required",
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
        "submission.not_encrypted",
    ),
]


def _empty_csv(response) -> None:
    lines = b"".join(response.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("record,month")
    assert len(lines) == 1


def _nothing_matches(response) -> None:
    assert response.json()["count"] == 0


TABLE = "/forms/{form}/results/table"
RESULTS = [
    Hostile(
        "row variable with SQL", api("GET", TABLE + f"?row=sex{SQL}"), 400, "table.unknown_variable"
    ),
    Hostile(
        "row variable dropping a table",
        api("GET", TABLE + f"?row=sex{DROP}"),
        400,
        "table.unknown_variable",
    ),
    Hostile(
        "column variable with SQL",
        api("GET", TABLE + f"?row=sex&column=age){SQL}"),
        400,
        "table.unknown_variable",
    ),
    Hostile(
        "linked columns with SQL",
        api("GET", "/forms/{form}/results/tables" + f"?row=sex&columns=age,sex{SQL}"),
        400,
        "table.unknown_variable",
    ),
    Hostile(
        "a raw question as the row",
        api("GET", TABLE + "?row=full_name"),
        400,
        "table.unknown_variable",
    ),
    Hostile(
        "a JSON path as the row",
        api("GET", TABLE + "?row=published__full_name"),
        400,
        "table.unknown_variable",
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
        400,
        "results.unknown_filter_value",  # a value the release does not have, named
    ),
    Hostile(
        "National Society filter with SQL",
        api("GET", TABLE + f"?row=sex&national_society=x{SQL}"),
        400,
        "results.unknown_filter_value",  # a value the release does not have, named
    ),
    Hostile(
        "service point filter dropping a table",
        api("GET", TABLE + f"?row=sex&service_point=x{DROP}"),
        400,
        "results.unknown_filter_value",  # a value the release does not have, named
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
