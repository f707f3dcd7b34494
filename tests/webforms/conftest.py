"""Fixtures of the web tablet tests: a web tablet with the visit form, and a phone-sized
browser profile that fails the test on a Content-Security-Policy violation."""

import pytest

from accounts.models import Device
from accounts.provisioning import device_create
from forms.services import form_upload
from tests.factories import ServicePointFactory
from tests.webforms.tablet import VISIT_FORM
from tests.xlsform import xlsx


@pytest.fixture
def tablet(project):
    form_upload(project=project, filename="visit.xlsx", data=xlsx(VISIT_FORM))
    point = ServicePointFactory(project=project)
    device, token = device_create(
        project=project, service_point=point, name="Web tablet", kind=Device.Kind.WEB
    )
    device.token = token
    return device


@pytest.fixture
def tablet_context(browser):
    """A phone-sized browser profile; a Content-Security-Policy violation fails the test."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    context.set_default_timeout(30000)
    violations: list[str] = []
    # Shown with a failure: what the app logged.
    context.on("console", lambda m: print("console:", m.type, m.text[:300]))
    context.on("weberror", lambda e: print("page error:", e.error))
    context.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    yield context
    context.close()
    assert sorted({v[:200] for v in violations}) == []
