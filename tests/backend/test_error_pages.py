"""Everyone's dead ends: a refusal or a missing page explains itself in the interface language
and leads back; the home page offers only the pages a person's roles open; every page has a
favicon; the API never answers with DRF's browsable pages, which break the CSP."""

import pytest

from tests.factories import DeviceFactory

pytestmark = pytest.mark.django_db


def test_home_offers_results_only_to_those_who_may_read_them(client, project, form_manager):
    client.force_login(form_manager)
    page = client.get("/").content.decode()
    assert f"/projects/{project.pk}/forms/" in page
    assert f"/projects/{project.pk}/results/" not in page  # it would end on a 403
    assert f"/projects/{project.pk}/operations/" in page


def test_403_is_a_page_that_explains_and_leads_back(client, project, analyst):
    client.force_login(analyst)
    response = client.get(f"/projects/{project.pk}/operations/")
    assert response.status_code == 403
    page = response.content.decode()
    assert 'id="error-page"' in page
    assert 'href="/"' in page
    assert "Form manager" in page  # the role it needs


def test_404_page_in_the_interface_language(client):
    client.cookies["django_language"] = "fr"
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert '<html lang="fr" dir="ltr">' in page
    assert "Rien ici" in page


def test_403_in_arabic_is_right_to_left(client, project, analyst):
    client.force_login(analyst)
    client.cookies["django_language"] = "ar"
    page = client.get(f"/projects/{project.pk}/operations/").content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    assert "مدير النماذج" in page  # "Form manager", the role it needs


def test_500_page_needs_no_request_and_speaks_the_language(client, settings):
    from django.template import loader
    from django.utils import translation

    with translation.override("es"):
        html = loader.get_template("500.html").render()
    assert '<html lang="es" dir="ltr">' in html
    assert "servidor" in html


def test_every_page_has_a_favicon(client):
    assert 'rel="icon"' in client.get("/accounts/login/").content.decode()
    response = client.get("/favicon.ico")  # asked for by browsers whatever the page says
    assert response.status_code == 301
    assert response["Location"].endswith("/waypoint/favicon.svg")


def test_the_api_answers_a_browser_with_json_not_the_browsable_pages(api, project, form_manager):
    DeviceFactory(project=project)
    response = api.as_user(form_manager).get(
        f"/api/v1/projects/{project.pk}/devices", HTTP_ACCEPT="text/html,*/*;q=0.8"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
