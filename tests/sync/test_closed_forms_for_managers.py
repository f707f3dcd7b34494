"""A closed form is closed to everyone on the OpenRosa paths: a form manager trying forms over
HTTP Basic cannot download its XML any more than a device can."""

import base64

import pytest

from forms.models import Form
from forms.services import form_upload
from tests.samples import MEDIA_FORM
from tests.xlsform import xlsx

pytestmark = pytest.mark.django_db
OR = {"HTTP_X_OPENROSA_VERSION": "1.0"}


def test_a_form_manager_cannot_download_a_closed_forms_xml(client, project, form_manager, settings):
    settings.WAYPOINT_ODK_VALIDATE = "false"
    form_upload(project=project, filename="s.xlsx", data=xlsx(MEDIA_FORM))
    Form.objects.filter(form_id="media_form").update(state="closed")
    credentials = base64.b64encode(f"{form_manager.username}:correct horse battery staple".encode())

    response = client.get(
        f"/projects/{project.pk}/forms/media_form.xml",
        HTTP_AUTHORIZATION=f"Basic {credentials.decode()}",
        **OR,
    )

    assert response.status_code == 403
    assert b"<h:html" not in response.content
