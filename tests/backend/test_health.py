"""Load balancers can tell a live process from a ready one."""

import pytest

from backend.gunicorn_logging import mask

pytestmark = pytest.mark.django_db


def test_liveness(client):
    assert client.get("/health/live").json() == {"status": "ok"}


def test_readiness_checks_database_broker_and_storage(client):
    response = client.get("/health/ready")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "storage": "ok",
        "lattices": "ok",
    }


def test_readiness_fails_when_the_broker_is_down(client, settings):
    settings.CELERY_BROKER_URL = "amqp://guest:guest@127.0.0.1:1//"  # nothing listens there

    response = client.get("/health/ready")

    assert response.status_code == 503
    assert response.json()["broker"].startswith("failed")
    assert "guest" not in response.content.decode()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/key/AbC-123_x/projects/1/submission", "/key/***/projects/1/submission"),
        ("/projects/1/formList?st=s3cret&x=1", "/projects/1/formList?st=***&x=1"),
        ("st=s3cret&x=1", "st=***&x=1"),
        ("/api/v1/projects?first=1", "/api/v1/projects?first=1"),
    ],
)
def test_device_tokens_never_reach_the_access_log(line, expected):
    assert mask(line) == expected
