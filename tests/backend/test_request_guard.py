"""Requests nobody legitimate sends answer 400 with a code, never 500: a NUL character in a
query string or in HTTP Basic credentials (PostgreSQL refuses NUL in text; no sign-in was
needed to cause the 500). And a service point name taken twice is a 400 with a code."""

import base64

import pytest

from tests.factories import ServicePointFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/projects?search=%00",
        "/accounts/login/?next=%00",
        "/projects/1/formList?formID=a%00b",
    ],
)
def test_a_nul_in_the_query_string_is_a_400(client, path):
    response = client.get(path, HTTP_X_OPENROSA_VERSION="1.0")

    assert response.status_code == 400
    assert response.json()["code"] == "request.nul_byte"


def test_a_nul_in_a_basic_user_name_is_a_400(client, project):
    credentials = base64.b64encode(b"dpo\x00:whatever").decode()

    response = client.get(
        f"/projects/{project.pk}/formList",
        HTTP_AUTHORIZATION=f"Basic {credentials}",
        HTTP_X_OPENROSA_VERSION="1.0",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "request.nul_byte"


def test_a_service_point_name_taken_twice_is_a_400_with_a_code(api, project, form_manager):
    point = ServicePointFactory(project=project)
    client = api.as_user(form_manager)
    url = f"/api/v1/projects/{project.pk}/service-points"
    body = {
        "name": point.name,
        "kind": point.kind,
        "national_society": point.national_society_id,
        "country": point.country,
    }

    response = client.post(url, body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "service_point.name_taken"


def test_renaming_a_service_point_to_a_taken_name_is_a_400(api, project, form_manager):
    first = ServicePointFactory(project=project)
    other = ServicePointFactory(project=project, national_society=first.national_society)
    client = api.as_user(form_manager)
    url = f"/api/v1/projects/{project.pk}/service-points"

    response = client.patch(f"{url}/{other.pk}", {"name": first.name}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "service_point.name_taken"
