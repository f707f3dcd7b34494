"""How long a form manager waits to publish the library questionnaire, and the memory it takes.

Each round publishes a new version (the `version` cell changed) of migrant_experience.xlsx through
`forms.services.form_upload`: read the workbook, pyxform, ODK Validate (Java, when enabled),
privacy rules, store. Rounds with ODK Validate off show what the JVM adds.
"""

import io
import statistics
import time
import tracemalloc

import openpyxl


def _workbook_with_version(source: bytes, version: str) -> bytes:
    workbook = openpyxl.load_workbook(io.BytesIO(source))
    sheet = workbook["settings"]
    header = [cell.value for cell in sheet[1]]
    sheet.cell(row=2, column=header.index("version") + 1, value=version)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(rounds: int = 15) -> dict:
    from django.conf import settings

    from accounts.models import Project
    from forms.library import LIBRARY_DIR
    from forms.services import form_upload

    source = (LIBRARY_DIR / "migrant_experience.xlsx").read_bytes()
    project = Project.objects.create(name=f"bench {time.time()}")
    results = {}
    for validate in ("true", "false"):
        settings.WAYPOINT_ODK_VALIDATE = validate
        uploads = [
            _workbook_with_version(source, f"bench-{validate}-{n}") for n in range(rounds + 1)
        ]
        form_upload(project=project, filename="warm.xlsx", data=uploads[0])
        timings = []
        tracemalloc.start()
        for data in uploads[1:]:
            started = time.perf_counter()
            form_upload(project=project, filename="migrant_experience.xlsx", data=data)
            timings.append(time.perf_counter() - started)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        timings.sort()
        results[f"odk_validate={validate}"] = {
            "rounds": rounds,
            "median_ms": round(statistics.median(timings) * 1000, 1),
            "p95_ms": round(timings[int(len(timings) * 0.95) - 1] * 1000, 1),
            "python_peak_mb": round(peak / 1e6, 1),
        }
    return results
