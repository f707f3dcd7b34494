"""Every API operation documents the refusals it can give, with the error body clients get."""

from typing import Any

from drf_spectacular.hooks import postprocess_schema_enums

ERROR = {
    "type": "object",
    "properties": {
        "detail": {
            "type": "string",
            "description": "What went wrong, for a person to read, in the request's language "
            "(Accept-Language).",
        },
        "code": {"type": "string", "description": "A stable code to branch on."},
        "title": {
            "type": "string",
            "description": "What the code means, in English in every language (docs/problems.md).",
        },
        "errors": {
            "type": "object",
            "description": "For invalid input: the errors of each field, by field name.",
        },
    },
    "required": ["detail"],
}
REFUSALS = {
    "400": "The request was refused: see detail and code.",
    "401": "Not signed in: send `Authorization: Token <token>`.",
    "403": "Signed in, but your role in this project does not allow it.",
    "404": "No such object, or not in a project you hold a role in.",
    "405": "Method not allowed.",
}


WITH_BODY = {"415": "The request body is not in a media type this operation reads."}


def add_refusals(result: dict[str, Any], generator: Any, **kwargs: Any) -> dict[str, Any]:
    """A drf-spectacular post-processing hook (after its own enum hook)."""
    result = postprocess_schema_enums(result, generator, **kwargs)  # type: ignore[no-untyped-call]
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for item in result.get("paths", {}).values():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            refusals = {**REFUSALS, **(WITH_BODY if "requestBody" in operation else {})}
            for status, description in refusals.items():
                responses.setdefault(status, {"description": description})
            for status, response in responses.items():
                # A refusal an annotation only described still has the Error body.
                if status.startswith("4") and "content" not in response:
                    response["content"] = reference
    return result
