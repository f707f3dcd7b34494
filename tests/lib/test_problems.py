"""One catalogue of refusals: docs/problems.md lists exactly the codes of lib.problems, every
code the code base raises is in it, and each renderer answers a problem in its own shape."""

import re
from pathlib import Path

from defusedxml.ElementTree import fromstring
from django.test import RequestFactory
from django.urls import reverse

from forms.models import Form
from lib.api_errors import exception_handler
from lib.problems import CATALOGUE, Problem, ProblemPageMiddleware, entry
from sync.openrosa import RESPONSE_NS, problem_response

ROOT = Path(__file__).resolve().parents[2]
APPS = ["lib", "accounts", "audit", "forms", "sync", "privacy", "results", "backend"]
ROW = re.compile(r"^\| `([^`]+)` \| (\d{3}) \|", re.MULTILINE)
RAISED = re.compile(
    r"""(?:Problem|Finding|_reject|TableRefused)\(\s*\n?\s*"([a-z_]+\.[a-z_.]+)\""""
)


def documented() -> dict[str, int]:
    text = (ROOT / "docs" / "problems.md").read_text(encoding="utf-8")
    return {code: int(status) for code, status in ROW.findall(text)}


def test_the_doc_lists_every_catalogue_code_with_its_status_and_nothing_else():
    assert documented() == {code: e.status for code, e in CATALOGUE.items()}


def test_every_code_the_code_base_raises_is_in_the_catalogue():
    raised = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                raised |= set(RAISED.findall(path.read_text(encoding="utf-8")))
    assert len(raised) > 30, (
        "the scan found too few codes: has the way problems are raised changed?"
    )
    warnings = {"privacy.defaulted", "privacy.identifier", "privacy.inherited", "pyxform.warning"}
    assert not {code for code in raised - warnings if code not in CATALOGUE}


def test_pyxform_codes_are_one_family():
    assert entry("pyxform.PYREF_001") is CATALOGUE["pyxform.*"]


def test_api_answers_detail_code_and_details():
    problem = Problem("form.version_exists", "Taken.", problems=[{"code": "form.version_exists"}])
    response = exception_handler(problem, {})
    assert response.status_code == 409
    assert response.data == {
        "detail": "Taken.",
        "code": "form.version_exists",
        "title": "That version is published with different content.",
        "problems": [{"code": "form.version_exists"}],
    }


def test_devices_get_an_openrosa_response_with_its_headers(settings):
    response = problem_response(Problem("account.sign_in", "Please sign in."))
    assert response.status_code == 401
    assert response["X-OpenRosa-Version"] == "1.0"
    assert response["WWW-Authenticate"].startswith("Basic")
    assert fromstring(response.content).findtext(f"{{{RESPONSE_NS}}}message") == "Please sign in."

    busy = problem_response(Problem("server.unavailable", headers={"Retry-After": "30"}))
    assert (busy.status_code, busy["Retry-After"]) == (503, "30")


def test_pages_show_the_message_with_the_status(db):
    request = RequestFactory().get("/")
    request.user = None
    problem = Problem("audit.bad_filter", "“since” must be a date written YYYY-MM-DD.")
    response = ProblemPageMiddleware(lambda r: None).process_exception(request, problem)
    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.content.decode()
    assert 'data-code="audit.bad_filter"' in response.content.decode()


def test_a_refused_form_post_comes_back_to_its_page_with_the_message(client, project, form_manager):
    Form.objects.create(project=project, form_id="intake", title="Intake")
    client.force_login(form_manager)
    url = reverse("form-state-page", args=[project.pk, "intake"])

    response = client.post(url, {"state": "archived"}, follow=True)

    assert response.redirect_chain == [(reverse("project-forms", args=[project.pk]), 302)]
    assert "State must be one of" in response.content.decode()
    assert Form.objects.get().state == "open"
