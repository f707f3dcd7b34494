from django.core.files.uploadedfile import SimpleUploadedFile


def upload(client, project, filename: str, data: bytes, content_type: str | None = None):
    content_type = (
        content_type or "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return client.post(
        f"/api/v1/projects/{project.pk}/forms",
        {"file": SimpleUploadedFile(filename, data, content_type=content_type)},
        format="multipart",
    )


def problem(response, index: int = 0) -> dict:
    return response.json()["problems"][index]
