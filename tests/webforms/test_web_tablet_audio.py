"""Audio and video questions on a web tablet. ODK Web Forms 0.22 keeps any upload in its
engine but renders only image uploads ("Support for non-image uploads is pending" for the
rest); Waypoint renders audio and video itself (webforms/frontend/src/media-control.js).
Protects: a volunteer sees the question, a button that opens the phone's recorder or camera
(a file input with ``accept`` and ``capture``) and a player, and what was recorded reaches the
server byte for byte, listed with the submission, also from a draft reopened after a reload."""

import base64
import hashlib
import io
import math
import struct
import wave

import pytest

from accounts.models import Device
from accounts.provisioning import device_create
from forms.services import form_upload
from sync.models import Submission
from tests.factories import ServicePointFactory
from tests.live import wait_for
from tests.webforms.tablet import counts, open_ready, raw, unlock
from tests.xlsform import xlsx

pytestmark = [pytest.mark.timeout(600), pytest.mark.live_server_process]

MEDIA_FORM = {
    "survey": [
        ["type", "name", "label::English (en)", "label::العربية (ar)"],
        ["text", "full_name", "Name", "الاسم"],
        ["audio", "voice", "Voice message", "رسالة صوتية"],
        ["video", "clip", "Short video", "فيديو قصير"],
    ],
    "settings": [["form_id", "version"], ["media", "1"]],
}

# A real video, recorded by the browser itself (MediaRecorder on a painted canvas, WebM/VP8):
# Debian's chromium has no camera here, and the test has no video encoder of its own.
RECORD_WEBM = """async () => {
  const canvas = document.createElement('canvas');
  canvas.width = 64; canvas.height = 48;
  const paint = canvas.getContext('2d');
  const recorder = new MediaRecorder(canvas.captureStream(10), { mimeType: 'video/webm' });
  const parts = [];
  recorder.ondataavailable = (e) => parts.push(e.data);
  const stopped = new Promise((resolve) => (recorder.onstop = resolve));
  recorder.start();
  for (let i = 0; i < 12; i++) {
    paint.fillStyle = `hsl(${i * 30}, 80%, 50%)`;
    paint.fillRect(0, 0, 64, 48);
    await new Promise((r) => setTimeout(r, 100));
  }
  recorder.stop();
  await stopped;
  const bytes = new Uint8Array(await new Blob(parts).arrayBuffer());
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}"""


def wav(seconds: float = 1.0, rate: int = 8000) -> bytes:
    """A real mono 16-bit WAV: a 440 Hz tone."""
    frames = b"".join(
        struct.pack("<h", int(12000 * math.sin(2 * math.pi * 440 * n / rate)))
        for n in range(int(seconds * rate))
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return buffer.getvalue()


def test_audio_and_video_recorded_in_the_browser_arrive_byte_for_byte(
    live, project, api, dpo, tablet_context
):
    form_upload(project=project, filename="media.xlsx", data=xlsx(MEDIA_FORM))
    point = ServicePointFactory(project=project)
    device, token = device_create(
        project=project, service_point=point, name="Phone", kind=Device.Kind.WEB
    )
    device.token = token
    voice = wav()
    page = open_ready(tablet_context, live, device)
    clip = base64.b64decode(page.evaluate(RECORD_WEBM))
    assert clip[:4] == b"\x1a\x45\xdf\xa3", "a WebM (EBML) file"

    page.locator(".wp-start[data-form=media]").click()
    form = page.locator(".odk-form")
    form.locator("input[type=text]").first.fill("Amina")
    assert form.get_by_text("Support for non-image uploads is pending").count() == 0
    audio = form.locator(".wp-media[data-media=audio]")
    video = form.locator(".wp-media[data-media=video]")
    audio.get_by_text("Voice message").wait_for()
    video.get_by_text("Short video").wait_for()
    # On a phone, accept + capture open the recorder and the camera instead of the file picker.
    recorder = audio.locator("input[type=file][data-wp-capture=yes]")
    camera = video.locator("input[type=file][data-wp-capture=yes]")
    assert recorder.get_attribute("accept") == "audio/*"
    assert camera.get_attribute("accept") == "video/*"
    assert recorder.get_attribute("capture") is not None
    assert camera.get_attribute("capture") is not None
    assert audio.get_by_text("Record audio").is_visible()
    assert video.get_by_text("Record video").is_visible()
    assert audio.locator("input[data-wp-capture=no]").get_attribute("capture") is None

    recorder.set_input_files({"name": "voice.wav", "mimeType": "audio/wav", "buffer": voice})
    camera.set_input_files({"name": "clip.webm", "mimeType": "video/webm", "buffer": clip})
    audio.locator("audio.wp-media-player").wait_for()
    video.locator("video.wp-media-player").wait_for()
    assert "KB" in audio.locator(".wp-media-name").inner_text()
    # The player plays what was recorded: the browser decodes the WAV and reads its length.
    assert wait_for(
        lambda: audio.locator("audio").evaluate("a => a.readyState >= 1 && a.duration") == 1, 30
    )
    # A draft keeps its recordings: closed, the page reloaded, it reopens with them.
    page.get_by_role("button", name="Forms", exact=True).click()
    page.locator(".wp-continue").wait_for()
    page.reload()
    unlock(page)
    page.locator(".wp-continue").click()
    for player in ("audio", "video"):
        form.locator(f".wp-media[data-media={player}] {player}.wp-media-player").wait_for()
    assert form.locator("input[type=text]").first.input_value() == "Amina"
    page.get_by_role("button", name="Send", exact=True).click()
    assert wait_for(lambda: "Sent: 1" in counts(page), 60), counts(page)

    submission = Submission.objects.get()
    assert submission.complete
    xml = raw(submission).decode()
    assert "<full_name>Amina</full_name>" in xml
    listed = (
        api.as_user(dpo)
        .get(f"/api/v1/projects/{project.pk}/forms/media/submissions")
        .json()["results"][0]["attachments"]
    )
    by_ending = {a["name"].rsplit(".", 1)[-1]: a for a in listed}
    assert sorted(by_ending) == ["wav", "webm"], listed
    for ending, data in (("wav", voice), ("webm", clip)):
        name = by_ending[ending]["name"]
        assert f">{name}</" in xml, "the answer names the attachment"
        assert by_ending[ending]["size"] == len(data)
        assert by_ending[ending]["sha256"] == hashlib.sha256(data).hexdigest()
        stored = api.as_user(dpo).get(
            f"/api/v1/projects/{project.pk}/forms/media/submissions/{submission.instance_id}"
            f"/attachments/{name}?reason=checking+the+recording"
        )
        assert stored.status_code == 200
        assert stored.content == data, f"{ending} intact, byte for byte"
