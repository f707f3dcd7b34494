"""A refusal is written in its reader's language: API clients and devices get the language they
ask for (Accept-Language), people on pages the one they chose; the ``code`` clients branch on
and the English ``title`` never change with it."""

import ast
from pathlib import Path

import pytest
from defusedxml.ElementTree import fromstring
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import InterfaceLanguage
from lib.problems import CATALOGUE
from privacy import tasks
from privacy.models import AnonymisedRecord, RecordVerdict, Release
from sync.openrosa import RESPONSE_NS
from tests.samples import device_url, instance_xml, privacy_instance

pytestmark = pytest.mark.django_db


def _upload_refused(client, project, **headers):
    body = {"file": SimpleUploadedFile("notes.txt", b"not a form", content_type="text/plain")}
    return client.post(
        f"/api/v1/projects/{project.pk}/forms", body, format="multipart", **headers
    ).json()


def test_an_api_refusal_is_in_the_language_the_client_asks_for(api, form_manager, project):
    """A form manager's script whose requests say Arabic, or French, reads why an upload was
    refused in that language, in ``detail`` and in each finding; the code and the title it
    branches on or logs are the same in every language."""
    client = api.as_user(form_manager)

    arabic = _upload_refused(client, project, HTTP_ACCEPT_LANGUAGE="ar")
    french = _upload_refused(client, project, HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9,en;q=0.5")
    english = _upload_refused(client, project)

    assert "ليس مصنف Excel" in arabic["problems"][0]["message"]
    assert "لم يُنشر النموذج" in arabic["detail"]
    assert "n’est ni un classeur Excel" in french["problems"][0]["message"]
    assert "Le formulaire n’a pas été publié" in french["detail"]
    assert "is not an Excel workbook" in english["problems"][0]["message"]
    for body in (arabic, french, english):
        assert body["code"] == body["problems"][0]["code"] == "upload.wrong_kind"
        assert body["title"] == CATALOGUE["upload.wrong_kind"].meaning == english["title"]


def test_drf_s_own_refusals_follow_accept_language_too(api, project):
    """A client without credentials is told so in its language, with DRF's code unchanged."""
    response = api.get(f"/api/v1/projects/{project.pk}/forms", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert "authentification" in response.json()["detail"].lower()


def _openrosa_message(response) -> str:
    return fromstring(response.content).findtext(f"{{{RESPONSE_NS}}}message")


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        ("ar-SY,ar;q=0.9", "ليس على هذا الخادم"),
        ("fr-FR", "n’est pas sur ce serveur"),
        ("", "is not on this server"),
    ],
)
def test_a_device_s_refusal_is_in_the_tablet_s_language(submit, accept_language, expected):
    """ODK Collect sends the phone's language with every request, including the submission
    (which skips the browsers' middleware): the volunteer reads why the form was refused in
    that language, on the tablet; the status is the catalogue's."""
    headers = {"HTTP_ACCEPT_LANGUAGE": accept_language} if accept_language else {}
    response = submit(instance_xml(form_id="not-on-this-server"), **headers)

    assert response.status_code == CATALOGUE["form.unknown"].status == 404
    assert expected in _openrosa_message(response)
    assert "not-on-this-server" in _openrosa_message(response)
    if accept_language:
        assert response["Content-Language"] == accept_language[:2]


def test_a_device_s_receipt_is_in_the_tablet_s_language_too(submit, photo_form):
    """A volunteer whose phone is in Ukrainian reads that the form arrived in Ukrainian; a
    retry of the same form is answered "already received" in French to a French phone."""
    xml = instance_xml(instance_id="uuid:receipt-in-ukrainian")
    first = submit(xml, HTTP_ACCEPT_LANGUAGE="uk-UA,uk;q=0.9")
    again = submit(xml, HTTP_ACCEPT_LANGUAGE="fr")

    assert first.status_code == again.status_code == 201
    assert "Дякуємо" in _openrosa_message(first)
    assert "déjà été reçu" in _openrosa_message(again)


def test_a_device_s_refusal_before_any_form_is_read_is_translated_too(client, device):
    """A submission without its XML part is refused in Arabic to an Arabic tablet."""
    response = client.post(
        device_url(device, "submission"),
        {"other": SimpleUploadedFile("x.jpg", b"x", "image/jpeg")},
        HTTP_X_OPENROSA_VERSION="1.0",
        HTTP_ACCEPT_LANGUAGE="ar",
    )
    assert response.status_code == CATALOGUE["submission.no_xml"].status
    assert "xml_submission_file" in _openrosa_message(response)
    assert "يُرجى إرساله مرة أخرى" in _openrosa_message(response)


def test_a_page_s_refusal_is_in_the_person_s_interface_language(dpo, project):
    """A DPO who chose French reads a refused audit filter in French, whatever language the
    borrowed browser asks for."""
    InterfaceLanguage.objects.create(user=dpo, language="fr")
    browser = Client()
    browser.force_login(dpo)
    page = browser.get(f"/projects/{project.pk}/audit/?since=yesterday", HTTP_ACCEPT_LANGUAGE="ar")
    assert page.status_code == CATALOGUE["audit.bad_filter"].status
    assert "doit être une date écrite AAAA-MM-JJ" in page.content.decode()
    assert 'data-code="audit.bad_filter"' in page.content.decode()


def test_a_refusal_a_worker_finds_is_kept_in_the_dpo_s_language(
    api,
    project,
    dpo,
    submit,
    privacy_form,
    django_capture_on_commit_callbacks,
    settings,
    monkeypatch,
):
    """An approval refused by the background worker (which has no request to ask) is kept on
    the job in the language the DPO chose, for the release page and the API to show."""
    InterfaceLanguage.objects.create(user=dpo, language="ar")
    for n in range(6):
        with django_capture_on_commit_callbacks(execute=True):
            submit(privacy_instance(f"uuid:lang{n}", age=str(30 + n)))
    settings.CELERY_TASK_ALWAYS_EAGER = False
    queued: list[int] = []
    monkeypatch.setattr(tasks.release_job, "delay", queued.append)
    client = api.as_user(dpo)
    base = f"/api/v1/projects/{project.pk}/forms/privacy_test/releases"
    client.post(base)
    tasks.release_job(queued.pop())
    release = Release.objects.get()
    client.post(
        f"{base}/{release.pk}/approve", {"content_hash": release.content_hash}, format="json"
    )
    # Between the request and the worker, a record changes: the copy is not what was reviewed.
    RecordVerdict.objects.filter(record=AnonymisedRecord.objects.first()).update(suppressed=["age"])

    tasks.release_job(queued.pop())

    problem = client.get(f"{base}/{release.pk}").json()["job"]["problem"]
    assert problem["code"] == "release.changed"
    assert "تغيّرت السجلات" in problem["detail"]


APPS = ["lib", "accounts", "audit", "forms", "sync", "privacy", "results", "backend", "webforms"]
ROOT = Path(__file__).resolve().parents[2]
# Where the message is among the positional arguments: (code, message) or (message, ...).
SECOND = {"Problem", "Finding", "_reject"}


def _refusal_classes(trees: list[ast.Module]) -> set[str]:
    """Problem's subclasses, however deep (ReviewError's, TableRefused...)."""
    found = {"Problem", "PrivacyValueError"}
    grew = True
    while grew:
        grew = False
        for tree in trees:
            for node in ast.walk(tree):
                bases = {
                    getattr(b, "id", getattr(b, "attr", "")) for b in getattr(node, "bases", [])
                }
                if isinstance(node, ast.ClassDef) and node.name not in found and bases & found:
                    found.add(node.name)
                    grew = True
    return found


def _plain_text(node: ast.expr) -> bool:
    """A message written as a literal, an f-string or literals joined: not translatable."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(node.value)
    if isinstance(node, ast.JoinedStr):
        return True
    return isinstance(node, ast.BinOp) and (_plain_text(node.left) or _plain_text(node.right))


def test_every_refusal_message_is_marked_for_translation():
    """A refusal raised with an English literal would reach an Arabic or Ukrainian volunteer in
    English: every message given to a catalogue problem (or an upload finding) is marked for
    translation (``gettext_lazy``, ``lib.problems.interpolate``). Warnings are not refusals."""
    files = [
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    ]
    trees = [ast.parse(path.read_text(encoding="utf-8")) for path in files]
    refusals = _refusal_classes(trees) | SECOND
    plain = []
    for path, tree in zip(files, trees, strict=True):
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name not in refusals:
                continue
            if any(k.arg == "level" for k in node.keywords):
                continue  # a warning, not a refusal
            index = 1 if name in SECOND else 0
            message = node.args[index] if len(node.args) > index else None
            if message is not None and _plain_text(message):
                plain.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert plain == [], "Mark these messages with gettext_lazy (see docs/problems.md, Languages)"
