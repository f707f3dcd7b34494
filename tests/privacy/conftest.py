import pytest

from forms.services import form_upload
from privacy.models import AnonymisedRecord
from privacy.review import release_approve, release_open
from tests.sync.conftest import submit  # noqa: F401 - the device-submission fixture
from tests.xlsform import xlsx

PRIVACY_FORM = {
    "survey": [
        ["type", "name", "label::English (en)", "privacy"],
        ["text", "full_name", "Name", "direct"],
        ["text", "phone", "Phone", "direct"],
        ["text", "case_number", "Case number", "pseudonym"],
        ["integer", "age", "Age", "quasi band:10 top:80"],
        ["select_one sex", "sex", "Sex", "quasi"],
        ["date", "arrival", "Arrival", "quasi date:month"],
        ["geopoint", "location", "Location", "quasi geo:1"],
        ["select_one status", "legal_status", "Status", "sensitive"],
        ["select_multiple need", "needs", "Needs", "keep"],
        ["text", "story", "Story", "free_text"],
        ["text", "internal_note", "Note", "drop"],
        ["text", "unclassified", "Anything else", None],
        ["image", "photo", "Photo", None],
        ["begin repeat", "members", "Members", None],
        ["text", "member_name", "Member name", "direct"],
        ["integer", "member_age", "Member age", "quasi band:10"],
        ["end repeat", None, None, None],
    ],
    "choices": [
        ["list_name", "name", "label::English (en)"],
        ["sex", "female", "Female"],
        ["sex", "male", "Male"],
        ["status", "asylum", "Asylum seeker"],
        ["status", "refugee", "Refugee"],
        ["need", "food", "Food"],
        ["need", "shelter", "Shelter"],
        ["need", "health", "Health"],
    ],
    "settings": [["form_id", "version"], ["privacy_test", "1"]],
}


@pytest.fixture
def privacy_form(project, settings):
    settings.WAYPOINT_ODK_VALIDATE = "false"
    return form_upload(project=project, filename="p.xlsx", data=xlsx(PRIVACY_FORM)).version


def privacy_instance(
    instance_id: str,
    *,
    name: str = "Ahmad Karimi",
    phone: str = "+39 333 123 4567",
    case: str = "CASE-0042",
    age: str = "34",
    sex: str = "male",
    story: str = "Ahmad here. Call me on 333 1234567 or write to ahmad.k@example.org please.",
    photo: str = "",
    members: tuple[tuple[str, str], ...] = (("Leila Karimi", "9"), ("Omar Karimi", "41")),
    deprecated_id: str = "",
) -> bytes:
    rows = "".join(
        f"<members><member_name>{n}</member_name><member_age>{a}</member_age></members>"
        for n, a in members
    )
    deprecated = f"<deprecatedID>{deprecated_id}</deprecatedID>" if deprecated_id else ""
    return (
        '<data id="privacy_test" version="1">'
        f"<full_name>{name}</full_name><phone>{phone}</phone><case_number>{case}</case_number>"
        f"<age>{age}</age><sex>{sex}</sex><arrival>2026-10-03</arrival>"
        "<location>36.80651 10.18152 12 4.5</location><legal_status>asylum</legal_status>"
        f"<needs>shelter food</needs><story>{story}</story>"
        "<internal_note>volunteer thinks he is lying</internal_note>"
        f"<unclassified>My friend Ahmad Karimi helped</unclassified><photo>{photo}</photo>{rows}"
        f"<meta><instanceID>{instance_id}</instanceID>{deprecated}</meta></data>"
    ).encode()


@pytest.fixture
def released(submit, privacy_form, settings, django_capture_on_commit_callbacks, dpo):  # noqa: F811
    """Twelve submissions, anonymised, through disclosure control and released by a DPO; two
    more anonymised but not released."""
    people = [("34", "male")] * 6 + [("35", "female")] * 5 + [("71", "female")]
    for n, (age, sex) in enumerate(people):
        with django_capture_on_commit_callbacks(execute=True):
            submit(privacy_instance(f"uuid:res{n}", age=age, sex=sex))
    release = release_open(form=privacy_form.form, user=dpo)
    release_approve(release=release, user=dpo, approved_hash=release.content_hash)
    for n in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            submit(privacy_instance(f"uuid:unreleased{n}", age="50", sex="male"))
    assert AnonymisedRecord.objects.filter(released_at__isnull=True).count() == 2
    return privacy_form.form
