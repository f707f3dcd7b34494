"""Schemathesis against the real WSGI application: requests generated from the OpenAPI schema,
valid and invalid, for every operation, with the token of a user who holds every role in the
seeded project. Every built-in check runs: no server error; status code, content type, body and
headers as documented; invalid input refused (negative_data_rejection) and valid input accepted
(positive_data_acceptance); required headers, unsupported methods and authentication honoured.

Bounded for CI: a fixed number of examples per operation, derandomized so that a run is
reproducible (a failure names the operation and prints the request as a curl command).
"""

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from schemathesis import GenerationMode
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import positive_data_acceptance

from backend.wsgi import application
from tests.hostile.world import FUZZ_TOKEN

# Where a request that matches the schema can still be refused with 400 because it names
# something that does not exist or does not fit (the schema cannot enumerate ids, a form's
# variable keys or question paths, or say what a file or a private key must contain), 400 is an
# acceptable answer to valid data too. Everywhere else valid data must be accepted.
CONTENT_DEPENDENT = [
    ("POST", "/api/v1/projects/{project_id}/devices"),  # service_point and forms ids
    ("POST", "/api/v1/projects/{project_id}/service-points"),  # national_society id
    ("POST", "/api/v1/projects/{project_id}/forms"),  # the XLSForm itself
    ("POST", "/api/v1/projects/{project_id}/forms/{form_id}/versions/{version}/media"),
    ("POST", "/api/v1/projects/{project_id}/forms/{form_id}/versions/{version}/rule-sets"),
    ("GET", "/api/v1/projects/{project_id}/forms/{form_id}/results/table"),  # variable keys
    ("GET", "/api/v1/projects/{project_id}/forms/{form_id}/results/tables"),
    ("POST", "/api/v1/projects/{project_id}/forms/{form_id}/submissions/{instance_id}/decrypt"),
]
CONFIG = schemathesis.Config.from_dict(
    {
        "headers": {"Authorization": f"Token {FUZZ_TOKEN}"},
        # On by default in Schemathesis 4, as every built-in check is; named so it stays so.
        "checks": {
            "positive_data_acceptance": {"enabled": True},
            "negative_data_rejection": {"enabled": True},
        },
        "operations": [
            {
                "include-method": method,
                "include-path": path,
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": ["2xx", "400", "401", "403", "404", "409"]
                    }
                },
            }
            for method, path in CONTENT_DEPENDENT
        ],
    }
)
schema = schemathesis.openapi.from_dict(
    SchemaGenerator().get_schema(request=None, public=True), config=CONFIG
)
schema.app = application


def seeded_path(world, path: str) -> dict[str, object]:
    """Ids of seeded objects, so that valid requests reach real data rather than 404s."""
    return {
        "project_id": world.project_id,
        "form_id": world.media_form_id if path.endswith("/media") else world.form_id,
        "version": world.version,
        "instance_id": world.instance_id,
        "name": world.attachment,
        "copy_id": world.copy_id,
        "release_id": world.release_id,
        "record_id": world.record_id,
        "pk": world.device_id if "/devices/" in path else world.service_point_id,
    }


@pytest.fixture
def wsgi_requests():
    """Django's WSGI handler closes "old" connections around each request, which would close
    the test's transaction; Django's test client disconnects the same receivers."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@hypothesis.settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    # Examples share the package's world and roll back; generating large bodies is slow on a
    # loaded CI machine, and the number of examples is bounded anyway.
    suppress_health_check=[
        hypothesis.HealthCheck.function_scoped_fixture,
        hypothesis.HealthCheck.too_slow,
        hypothesis.HealthCheck.data_too_large,
        hypothesis.HealthCheck.filter_too_much,
        hypothesis.HealthCheck.large_base_example,
    ],
)
def test_api_honours_its_schema(case, world, wsgi_requests):
    path = case.meta.components.get(ParameterLocation.PATH) if case.meta else None
    if case.path_parameters and (path is None or path.mode == GenerationMode.POSITIVE):
        seeded = seeded_path(world, case.operation.path)
        case.path_parameters.update({k: seeded[k] for k in case.path_parameters if k in seeded})
    with transaction.atomic():  # every example starts from the same world
        response = case.call()
        excluded = [positive_data_acceptance] if _conditional_refusal(response) else []
        case.validate_response(response, excluded_checks=excluded)
        transaction.set_rollback(True)


# Refusals of schema-valid requests that OpenAPI 3.0 cannot state: a reason is required only
# when a privacy setting actually changes, and a reference must name an object that exists
# (a service point id the fuzzer made up). Every other check still runs on these answers.
CONDITIONAL = {"settings.reason_required"}
MISSING_REFERENCE = "object does not exist"


def _conditional_refusal(response) -> bool:
    if response.status_code != 400:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    if body.get("code") in CONDITIONAL:
        return True
    errors = body.get("errors") if body.get("code") == "invalid" else None
    messages = [m for field in (errors or {}).values() for m in field if isinstance(field, list)]
    return bool(messages) and all(MISSING_REFERENCE in str(m) for m in messages)
