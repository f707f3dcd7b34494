"""The questionnaires and submissions tests share: XLSForm definitions as sheets (build the
workbook with ``tests.xlsform.xlsx``) and instance XML shaped as ODK Collect sends it."""

import uuid

# A household form with photos, one of them in a repeat: attachments, split uploads, edits.
PHOTO_FORM = {
    "survey": [
        # A language-named label column: the JavaRosa harness needs itext to fill a form.
        ["type", "name", "label::English (en)", "privacy"],
        ["start", "start", None, None],
        ["end", "end", None, None],
        ["text", "full_name", "Name", "direct"],
        ["integer", "age", "Age", "quasi band:10"],
        ["image", "photo", "Photo", "direct"],
        ["begin repeat", "docs", "Documents", None],
        ["image", "doc_photo", "Document photo", "direct"],
        ["end repeat", None, None, None],
    ],
    "settings": [["form_id", "version"], ["household", "1"]],
}

# Every privacy class of the design, a repeat and an unclassified question: anonymisation,
# disclosure control, release and results.
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

# A form that expects media files: an image label and a CSV for select_one_from_file.
MEDIA_FORM = {
    "survey": [
        ["type", "name", "label", "media::image", "privacy"],
        ["note", "welcome", "Welcome", "logo.png", None],
        ["select_one_from_file places.csv", "place", "Where are you?", None, "quasi"],
    ],
    "settings": [["form_id", "version"], ["media_form", "1"]],
}


def instance_xml(
    *,
    form_id: str = "household",
    version: str = "1",
    instance_id: str | None = None,
    name: str = "Amina",
    age: str = "34",
    photo: str = "",
    docs: tuple[str, ...] = (),
    deprecated_id: str | None = None,
) -> bytes:
    """A submission of ``PHOTO_FORM``."""
    instance_id = instance_id if instance_id is not None else f"uuid:{uuid.uuid4()}"
    meta = f"<instanceID>{instance_id}</instanceID>" if instance_id else ""
    if deprecated_id:
        meta += f"<deprecatedID>{deprecated_id}</deprecatedID>"
    repeat = "".join(f"<docs><doc_photo>{d}</doc_photo></docs>" for d in docs)
    return (
        f'<?xml version="1.0"?><data xmlns:jr="http://openrosa.org/javarosa" '
        f'xmlns:orx="http://openrosa.org/xforms" id="{form_id}" version="{version}">'
        "<start>2026-11-20T09:00:00.000+01:00</start><end>2026-11-20T09:12:00.000+01:00</end>"
        f"<full_name>{name}</full_name><age>{age}</age><photo>{photo}</photo>{repeat}"
        f"<meta>{meta}</meta></data>"
    ).encode()


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
    """A submission of ``PRIVACY_FORM``, full of personal data anonymisation must remove."""
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


def device_url(device, path: str) -> str:
    """An OpenRosa URL as a device configured by its QR code uses it (token in the URL)."""
    return f"/key/{device.token}/projects/{device.project_id}/{path}"
