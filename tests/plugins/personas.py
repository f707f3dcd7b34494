"""Named personas, one per role of the design, and an API client that signs in as any of them.

``project`` is the project the personas work in; ``outsider`` holds a role in ``other_project``
only, so anything it can open in ``project`` is a leak.
"""

import pytest
from rest_framework.test import APIClient

from tests.factories import DeviceFactory, MembershipFactory, ProjectFactory, UserFactory


@pytest.fixture
def project(db):
    return ProjectFactory()


@pytest.fixture
def other_project(db):
    return ProjectFactory()


def _persona(project, role):
    user = UserFactory(username=f"{role}-{project.pk}")
    MembershipFactory(user=user, project=project, role=role)
    return user


@pytest.fixture
def form_manager(project):
    return _persona(project, "form_manager")


@pytest.fixture
def dpo(project):
    return _persona(project, "dpo")


@pytest.fixture
def analyst(project):
    return _persona(project, "analyst")


@pytest.fixture
def outsider(other_project):
    """A form manager, but of another project."""
    return _persona(other_project, "form_manager")


@pytest.fixture
def admin_user(db):
    """The operator: a superuser, who does everything through Django admin."""
    return UserFactory(username="admin", is_superuser=True, is_staff=True)


@pytest.fixture
def staff_user(db):
    """Staff (may sign in to Django admin) but not a superuser, and given no model permission."""
    return UserFactory(username="staff", is_superuser=False, is_staff=True)


@pytest.fixture
def device(project):
    """A tablet at a service point of ``project``, with its token (``device.token``)."""
    return DeviceFactory(project=project)


@pytest.fixture
def api():
    """An API client; ``api.as_user(user)`` authenticates with the user's token."""
    client = APIClient()

    def as_user(user):
        from accounts.tokens import token_issue

        client.credentials()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=user)[1]}")
        return client

    client.as_user = as_user
    return client
