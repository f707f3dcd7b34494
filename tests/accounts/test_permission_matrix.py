"""Who may do what, endpoint by endpoint: the design's role table as a test.

Outsiders (members of another project) get 404, as for a project that does not exist; members
without the needed role get 403; devices cannot use the API at all. A last test checks that every
operation in the OpenAPI schema appears here, so a new endpoint cannot ship without its row.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from accounts.models import ServicePoint
from accounts.provisioning import device_create
from privacy.anonymisation.services import record_anonymise
from privacy.review import release_open
from sync.models import ConflictingCopy, Submission
from sync.services import Caller, submission_receive
from tests.factories import NationalSocietyFactory, ServicePointFactory, rules_approve
from tests.forms.helpers import upload
from tests.samples import instance_xml
from tests.xlsform import simple_form, xlsx

PERSONAS = ["anonymous", "device", "outsider", "analyst", "dpo", "form_manager", "admin"]
MEDIA_FORM = {
    "survey": [
        ["type", "name", "label", "privacy"],
        ["select_one_from_file places.csv", "place", "Where?", "quasi"],
        ["image", "photo", "Photo", "direct"],
    ],
    "settings": [["form_id", "version"], ["simple", "1"]],
}
P = "/api/v1/projects/{project}"
V = P + "/forms/simple/versions/1"
S = P + "/forms/simple/submissions"


def statuses(anonymous, device, outsider, analyst, dpo, form_manager, admin):
    return dict(
        zip(PERSONAS, [anonymous, device, outsider, analyst, dpo, form_manager, admin], strict=True)
    )


READ_MEMBERS = statuses(401, 401, 404, 200, 200, 200, 200)
WRITE_FM = statuses(401, 401, 404, 403, 403, 200, 200)
CREATE_FM = statuses(401, 401, 404, 403, 403, 201, 201)
ONLY_FM = statuses(401, 401, 404, 403, 403, 200, 200)
REFERENCE_READ = statuses(401, 401, 200, 200, 200, 200, 200)
REFERENCE_WRITE = statuses(401, 401, 403, 403, 403, 403, 201)
DPO_ONLY = statuses(401, 401, 404, 403, 200, 403, 200)
RESULTS = statuses(401, 401, 404, 200, 200, 403, 200)


def society_payload(ctx):
    return {"name": "Croix-Rouge française", "country": "FR", "networks": ["perco"]}


def point_payload(ctx):
    return {
        "name": "Mobile team",
        "kind": "mobile",
        "national_society": ctx["society"].pk,
        "country": "IT",
    }


def device_payload(ctx):
    return {"name": "Tablet 7", "service_point": ctx["point"].pk}


def form_file(ctx):
    return {"file": SimpleUploadedFile("f.xlsx", xlsx(simple_form(form_id="another")))}


def media_file(ctx):
    return {"file": SimpleUploadedFile("places.csv", b"name,label\na,A\n")}


def recovery_file(ctx):
    return {"file": SimpleUploadedFile("waypoint-recovery.json", b'{"format": "other"}')}


MATRIX = [
    ("get", "/api/v1/networks", None, REFERENCE_READ),
    (
        "post",
        "/api/v1/networks",
        lambda c: {"code": "americas", "name": "Americas"},
        REFERENCE_WRITE,
    ),
    ("get", "/api/v1/national-societies", None, REFERENCE_READ),
    ("post", "/api/v1/national-societies", society_payload, REFERENCE_WRITE),
    ("get", "/api/v1/projects", None, REFERENCE_READ),
    (
        "post",
        "/api/v1/projects",
        lambda c: {"name": "New"},
        statuses(401, 401, 201, 403, 403, 201, 201),
    ),
    ("get", P, None, READ_MEMBERS),
    ("patch", P, lambda c: {"description": "Lampedusa"}, WRITE_FM),
    (
        "patch",
        P,
        lambda c: {"k_anonymity": 7, "reason": "stricter after a review"},
        statuses(401, 401, 404, 403, 200, 403, 200),
    ),
    ("get", P + "/service-points", None, READ_MEMBERS),
    ("post", P + "/service-points", point_payload, CREATE_FM),
    ("get", P + "/service-points/{point}", None, READ_MEMBERS),
    ("patch", P + "/service-points/{point}", lambda c: {"location": "Port"}, WRITE_FM),
    ("get", P + "/devices", None, ONLY_FM),
    ("post", P + "/devices", device_payload, CREATE_FM),
    ("get", P + "/devices/{device}", None, ONLY_FM),
    ("patch", P + "/devices/{device}", lambda c: {"name": "Renamed"}, ONLY_FM),
    ("delete", P + "/devices/{device}", None, statuses(401, 401, 404, 403, 403, 204, 204)),
    ("get", P + "/forms", None, READ_MEMBERS),
    ("post", P + "/forms", form_file, CREATE_FM),
    ("get", P + "/forms/simple", None, READ_MEMBERS),
    ("patch", P + "/forms/simple", lambda c: {"state": "closing"}, WRITE_FM),
    ("get", V, None, READ_MEMBERS),
    ("get", V + "/xform", None, READ_MEMBERS),
    ("get", V + "/rules", None, READ_MEMBERS),
    ("get", V + "/media", None, READ_MEMBERS),
    ("post", V + "/media", media_file, CREATE_FM),
    ("get", S, None, DPO_ONLY),
    ("get", S + "/uuid:m1", None, DPO_ONLY),
    ("get", S + "/uuid:m1/xml?reason=matrix", None, DPO_ONLY),
    ("get", S + "/uuid:m1/conflicts/{copy}/xml?reason=matrix", None, DPO_ONLY),
    ("get", S + "/uuid:m1/attachments/photo.jpg?reason=matrix", None, DPO_ONLY),
    (
        "post",
        S + "/uuid:m1/decrypt",
        lambda c: {"private_key": "x", "reason": "matrix"},
        statuses(401, 401, 404, 403, 400, 403, 400),  # reachable for the DPO; not encrypted
    ),
    ("get", P + "/forms/simple/risk-report", None, DPO_ONLY),
    # Reachable for the DPO and the admin, who get the file refused (not a recovery file).
    ("post", P + "/recovery", recovery_file, statuses(401, 401, 404, 403, 400, 403, 400)),
    ("get", P + "/forms/simple/compare?reason=matrix", None, DPO_ONLY),
    (
        "post",
        V + "/rule-sets",
        lambda c: {"changes": [{"path": "/data/place", "classification": "drop"}], "reason": "m"},
        statuses(401, 401, 404, 403, 201, 403, 201),
    ),
    ("get", V + "/rerun", None, DPO_ONLY),
    ("get", P + "/forms/simple/releases", None, DPO_ONLY),
    ("post", P + "/forms/simple/releases", None, statuses(401, 401, 404, 403, 201, 403, 201)),
    ("get", P + "/forms/simple/releases/{release}", None, DPO_ONLY),
    (
        "post",
        P + "/forms/simple/releases/{release}/approve",
        lambda c: {"content_hash": c["release"].content_hash},
        DPO_ONLY,
    ),
    # Reachable for the DPO, refused as things stand: the rules are approved already, the
    # release is not approved yet (no microdata file before it is).
    ("post", V + "/rule-sets/1/approve", None, statuses(401, 401, 404, 403, 409, 403, 409)),
    (
        "get",
        P + "/forms/simple/releases/{release}/microdata",
        None,
        statuses(401, 401, 404, 403, 409, 403, 409),
    ),
    (
        "post",
        P + "/forms/simple/releases/{release}/microdata",
        lambda c: {"reason": "matrix"},
        statuses(401, 401, 404, 403, 409, 403, 409),
    ),
    (
        "post",
        P + "/forms/simple/records/{record}/withhold",
        lambda c: {"reason": "matrix"},
        DPO_ONLY,
    ),
    ("get", P + "/audit", None, DPO_ONLY),
    ("get", P + "/forms/simple/results/variables", None, RESULTS),
    ("get", P + "/forms/simple/results/table?row=month", None, RESULTS),
    ("get", P + "/forms/simple/results/tables?row=month&columns=country", None, RESULTS),
    ("get", P + "/forms/simple/results/filters", None, RESULTS),
    ("get", P + "/forms/simple/results/lattice", None, RESULTS),
    # The DPO's retry of a failed computation: reachable, refused as the release is not approved
    (
        "post",
        P + "/forms/simple/results/releases/{release}/retry",
        None,
        statuses(401, 401, 404, 403, 409, 403, 409),
    ),
    # An open candidate's tables before approval (issue 13): the DPO's alone; computing them
    # is accepted (202), they are computed after the request commits.
    ("get", P + "/forms/simple/results/releases/{release}/candidate", None, DPO_ONLY),
    (
        "post",
        P + "/forms/simple/results/releases/{release}/candidate",
        None,
        statuses(401, 401, 404, 403, 202, 403, 202),
    ),
    (
        "get",
        P + "/forms/simple/results/ranks/place",
        None,
        statuses(401, 401, 404, 404, 404, 403, 404),  # reachable; "place" is not a ranking
    ),
    # Row-level records need a DPO's microdata approval, which no release here has: refused
    # to every role that may read results (microdata.not_approved), as to the others.
    (
        "get",
        P + "/forms/simple/results/records.csv",
        None,
        statuses(401, 401, 404, 403, 403, 403, 403),
    ),
    (
        "get",
        P + "/forms/simple/results/records.xlsx",
        None,
        statuses(401, 401, 404, 403, 403, 403, 403),
    ),
]


@pytest.fixture
def world(db, settings, project, other_project, form_manager, dpo, analyst, outsider, admin_user):
    settings.WAYPOINT_ODK_VALIDATE = "false"
    client = APIClient()
    client.force_authenticate(admin_user)
    upload(client, project, "simple.xlsx", xlsx(MEDIA_FORM))
    point = ServicePointFactory(project=project)
    device, token = device_create(project=project, service_point=point, name="Tablet")
    NationalSocietyFactory()
    caller = Caller(device=device)
    xml = instance_xml(form_id="simple", instance_id="uuid:m1", photo="photo.jpg")
    submission_receive(project=project, caller=caller, xml=xml, files={"photo.jpg": b"JPEG"})
    submission_receive(project=project, caller=caller, xml=xml.replace(b"Amina", b"Ami"), files={})
    copy = ConflictingCopy.objects.get()
    record = record_anonymise(submission_id=copy.submission_id)
    # Four alike visits at the same service point and month, so that the record's group reaches
    # k and the release has something to release (a lone record is held back). They leave the
    # form's one quasi-identifier unanswered, so they group only under sdcMicro's convention.
    project.missing_values = project.MissingValues.ANY
    project.save(update_fields=["missing_values"])
    for n in range(2, 6):
        alike = instance_xml(form_id="simple", instance_id=f"uuid:m{n}", photo="photo.jpg")
        submission_receive(project=project, caller=caller, xml=alike, files={"photo.jpg": b"J"})
        record_anonymise(submission_id=Submission.objects.get(instance_id=f"uuid:m{n}").pk)
    rules_approve(record.form, admin_user)
    release = release_open(form=record.form, user=admin_user)
    return {
        "project": project,
        "copy": copy,
        "record": record,
        "release": release,
        "point": point,
        "device": device,
        "device_token": token,
        "society": ServicePoint.objects.get(pk=point.pk).national_society,
        "users": {
            "outsider": outsider,
            "analyst": analyst,
            "dpo": dpo,
            "form_manager": form_manager,
            "admin": admin_user,
        },
    }


def _client(api, world, persona):
    if persona == "anonymous":
        return api.as_user(None)
    if persona == "device":
        api.credentials(HTTP_AUTHORIZATION=f"Token {world['device_token']}")
        return api
    return api.as_user(world["users"][persona])


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("method", "template", "payload", "expected"),
    MATRIX,
    ids=[f"{m.upper()} {t}" for m, t, _, _ in MATRIX],
)
def test_role_matrix(api, world, persona, method, template, payload, expected):
    url = template.format(
        project=world["project"].pk,
        point=world["point"].pk,
        device=world["device"].pk,
        copy=world["copy"].pk,
        release=world["release"].pk,
        record=world["record"].pk,
    )
    client = _client(api, world, persona)
    data = payload(world) if payload else None
    fmt = "multipart" if data and "file" in data else "json"

    response = getattr(client, method)(url, data, format=fmt)

    assert response.status_code == expected[persona], (persona, method, url, response.content[:300])


def test_every_api_operation_is_in_the_matrix():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = {
        (method, path)
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1/")
        for method in item
    }
    placeholders = {
        "{project}": "{project_id}",
        "{point}": "{id}",
        "{device}": "{id}",
        "/simple": "/{form_id}",
        "/versions/1": "/versions/{version}",
        "/uuid:m1": "/{instance_id}",
        "{copy}": "{copy_id}",
        "/photo.jpg": "/{name}",
        "{release}": "{release_id}",
        "{record}": "{record_id}",
        "/ranks/place": "/ranks/{key}",
        "/rule-sets/1/": "/rule-sets/{number}/",
    }
    covered = set()
    for method, template, _, _ in MATRIX:
        template = template.split("?")[0]
        for concrete, placeholder in placeholders.items():
            template = template.replace(concrete, placeholder)
        covered.add((method, template))
    assert operations - covered == set()
