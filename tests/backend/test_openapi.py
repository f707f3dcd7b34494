"""The OpenAPI schema is the API's contract: valid, warning-free, and every operation described."""

import pytest
from django.core.management import call_command
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def test_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))


def test_schema_is_valid_openapi(schema):
    validate(schema)


def test_every_operation_has_a_summary(schema):
    missing = [
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if not operation.get("summary")
    ]
    assert missing == []


def test_schema_and_swagger_ui_are_served(client):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    # Served from this server (drf-spectacular-sidecar), so it works without internet.
    assert b"cdn.jsdelivr" not in docs.content


def test_every_operation_documents_its_refusals(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            assert {"400", "401", "403", "404"} <= set(operation["responses"]), (method, path)


@pytest.mark.parametrize("debug", [False, True])
def test_unmatched_api_urls_answer_json_not_html(client, settings, debug):
    settings.DEBUG = debug

    response = client.get("/api/v1/projects/not-a-number/devices/1")

    assert response.status_code == 404
    assert response.json() == {
        "detail": "Not found.",
        "code": "not_found",
        "title": "No such object, or not in a project you hold a role in.",
    }


def test_invalid_input_has_a_detail_and_field_errors(api, admin_user):
    response = api.as_user(admin_user).post("/api/v1/networks", {"code": ""}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Invalid input."
    assert body["code"] == "invalid"
    assert set(body["errors"]) == {"code", "name"}
