"""What the soak sends: the model of a network of service points at the end of the day
shift, the project it runs on, and the plan (every tablet's sessions, with the XML and photos
of each form) that bench/soak.py writes for bench/soak_client.py.

The model (the constants below):

- 8 Humanitarian Service Points with 5 tablets each: 40 devices, each with its own token, all
  on the library questionnaire of migrants' lived experience, published with two photo
  questions (a document, the place; privacy `direct`) and two media files (`hsp_logo.png`,
  `thanks.png`), as a National Society adapting the library form would.
- The 20 minutes are the end of the day shift, the busiest moment of a service point's day:
  volunteers bring the tablets back onto the Wi-Fi and each sends the 20 interviews it holds
  (two volunteers in shifts, 12-minute interviews; Collect's auto-send fires as the Wi-Fi comes
  and goes, so the forms leave in bursts of 1 to 4) and refreshes its blank forms twice (the
  15-minute automatic check, and a volunteer tapping "Get blank forms"). Modelled, that is 800
  submissions in 20 minutes, 0.67 per second.
- Compression: each action happens at 1/20 of its modelled time, so the 60 s window carries 20
  times the per-minute load of that peak (about 14 submissions/s, 4 MB/s of photos).
- A refresh is formList, the manifest, the form and its media with If-None-Match: 304 when the
  tablet has them (Enketo and Web Forms fetch so; Collect compares the list's hashes instead,
  which costs the server less). 4 of the 40 tablets are new this evening: their first refresh
  downloads everything (200) and comes before their first send.
- A send is Collect's: HEAD on /submission (204, X-OpenRosa-Accept-Content-Length), then one
  multipart POST per form with the XML and its 1 or 2 photos (random bytes, 50-300 kB each),
  split over several POSTs when the files pass the advertised length, the way Collect counts
  (file bytes only; `*isIncomplete*` on all but the last POST). The soak server advertises
  450 kB instead of production's 50 MB so that about 8% of submissions are split, as larger
  photos and videos are under the real limit.
- 5% of submissions are sent again in full after being accepted (the 201 was lost): each POST
  must be answered 201 "already received". 2% are edited later from the same tablet (a new
  instanceID with meta/deprecatedID, photos not sent again: the server carries them forward).
- Not modelled: slow or lossy links (all is on loopback), Enketo web forms, form managers',
  DPOs' and analysts' pages (tested elsewhere), beat's periodic tasks.
"""

import io
import itertools
import random
import re
import uuid
from pathlib import Path

from bench.soak_client import POOL_BYTES

SERVICE_POINTS, TABLETS_PER_POINT = 8, 5
MODELLED_SECONDS, WINDOW_SECONDS = 20 * 60, 60
SUBMISSIONS_PER_TABLET, REFRESHES_PER_TABLET, NEW_TABLETS = 20, 2, 4
BURST = (1, 4)  # forms per send
PHOTOS, PHOTO_BYTES = (1, 2), (50_000, 300_000)
RETRY_SHARE, EDIT_SHARE = 0.05, 0.02
ACCEPT_CONTENT_LENGTH = 450_000
WARM_UP = 12  # submissions before the window, one per gunicorn thread (3 workers x 4)
MEDIA = {"hsp_logo.png": 40_000, "thanks.png": 25_000}


def project_create(workdir: Path):
    """A project with 8 service points, 5 tablets each, and the questionnaire with photos."""
    from accounts.models import Project, ServicePoint
    from accounts.provisioning import device_create
    from forms.services import form_upload, media_upload
    from tests.factories import NationalSocietyFactory

    project = Project.objects.create(name=f"soak {uuid.uuid4().hex[:6]}")
    society = NationalSocietyFactory()
    devices = []
    for p in range(SERVICE_POINTS):
        point = ServicePoint.objects.create(
            project=project, national_society=society, name=f"HSP {p + 1}", country="IT"
        )
        for t in range(TABLETS_PER_POINT):
            device, token = device_create(project=project, service_point=point, name=f"T{t + 1}")
            devices.append((device.pk, token))
    version = form_upload(project=project, filename="m.xlsx", data=_questionnaire()).version
    rng = random.Random(len(devices))
    for name, size in MEDIA.items():
        media_upload(version=version, filename=name, data=rng.randbytes(size))
    return version, devices


def _questionnaire() -> bytes:
    """migrant_experience.xlsx with two optional photo questions and two media images."""
    import openpyxl

    from forms.library import LIBRARY_DIR

    book = openpyxl.load_workbook(LIBRARY_DIR / "migrant_experience.xlsx")
    sheet = book["survey"]
    header = [cell.value for cell in sheet[1]]
    image = len(header) + 1
    sheet.cell(row=1, column=image, value="image")
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    sheet.cell(row=names.index("intro") + 2, column=image, value="hsp_logo.png")
    thanks = names.index("thanks") + 2
    sheet.cell(row=thanks, column=image, value="thanks.png")
    sheet.insert_rows(thanks, 2)
    for offset, (name, label) in enumerate(
        [
            ("photo_document", "Photo of a document (optional)"),
            ("photo_place", "Photo of the place"),
        ]
    ):
        for column, title in enumerate(header, 1):
            value = {"type": "image", "name": name, "privacy": "direct"}.get(title)
            if title.startswith("label::"):
                value = label
            sheet.cell(row=thanks + offset, column=column, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def plan_build(rng: random.Random, version, devices: list, workdir: Path) -> dict:
    """Every tablet's sessions in the window, with the XML and photos of each form it sends."""
    from bench.anonymise import _instances
    from bench.ingest import template_instance

    total = WARM_UP + len(devices) * SUBMISSIONS_PER_TABLET
    instances = iter(_instances(template_instance(bytes(version.xform), workdir), total))
    photo_names = (f"{1764250000000 + n * 7919}.jpg" for n in itertools.count())  # Collect's

    def item() -> dict:
        xml = next(instances).decode()
        photos = []
        for question in ("photo_document", "photo_place")[: rng.randint(*PHOTOS)]:
            name = next(photo_names)
            xml = xml.replace(f"<{question} />", f"<{question}>{name}</{question}>")
            photos.append([name, rng.randint(*PHOTO_BYTES), rng.randrange(POOL_BYTES // 2)])
        instance_id = re.search(r"<instanceID>([^<]+)</instanceID>", xml).group(1)
        return {
            "id": instance_id,
            "xml": xml,
            "photos": photos,
            "retry": rng.random() < RETRY_SHARE,
        }

    tags = {"form": f'"{version.md5}"', **{m.filename: f'"{m.md5}"' for m in version.media.all()}}
    plan = {
        "project": version.form.project_id,
        "form_id": version.form.form_id,
        "md5": version.md5,
        "media": sorted(MEDIA),
        "warmup": {"device": devices[0], "items": [item() for _ in range(WARM_UP)]},
        "devices": [],
    }
    for index, (device_pk, token) in enumerate(devices):
        sends, left = [], SUBMISSIONS_PER_TABLET
        while left:
            burst = min(left, rng.randint(*BURST))
            sends.append({"kind": "send", "items": [item() for _ in range(burst)]})
            left -= burst
        edits = [  # an edit leaves in a later send than its original
            (rng.randrange(n + 1, len(sends)), _edit(original))
            for n, send in enumerate(sends[:-1])
            for original in send["items"]
            if rng.random() < EDIT_SHARE
        ]
        for n, edit in edits:
            sends[n]["items"].append(edit)
        sessions = list(sends)
        new = index < NEW_TABLETS  # a new tablet gets the form before it can send anything
        for n in range(REFRESHES_PER_TABLET):
            position = 0 if new and n == 0 else rng.randint(int(new), len(sessions))
            sessions.insert(position, {"kind": "refresh"})
        times = sorted(rng.uniform(0, WINDOW_SECONDS * 0.95) for _ in sessions)
        for at, session in zip(times, sessions, strict=True):
            session["at"] = at
        plan["devices"].append(
            {"pk": device_pk, "token": token, "etags": {} if new else tags, "sessions": sessions}
        )
    return plan


def _edit(original: dict) -> dict:
    new_id = f"uuid:{uuid.uuid4()}"
    xml = original["xml"].replace(
        f"<instanceID>{original['id']}</instanceID>",
        f"<instanceID>{new_id}</instanceID><deprecatedID>{original['id']}</deprecatedID>",
    )
    names = [name for name, *_ in original["photos"]]
    return {"id": new_id, "xml": xml, "photos": [], "deprecates": original["id"], "names": names}
