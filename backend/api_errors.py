"""Every API refusal carries a stable code and a message a person can act on."""

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context) -> Response | None:
    """DRF's handler, with a ``code`` beside ``detail`` so clients can branch without parsing."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if (
        isinstance(response.data, dict)
        and "detail" in response.data
        and "code" not in response.data
    ):
        codes = exc.get_codes() if hasattr(exc, "get_codes") else None
        response.data["code"] = codes if isinstance(codes, str) else "error"
    return response
