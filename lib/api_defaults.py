"""What every API view shares (set in ``REST_FRAMEWORK``): JSON request bodies (uploads say
multipart themselves), text fields that take only text, and pages whose ``limit`` and
``offset`` are checked rather than guessed at.

DRF would also read form-encoded bodies, where a blank field in a PATCH is quietly dropped and
nested lists cannot be written, and its LimitOffsetPagination answers ``?limit=abc`` or
``?offset=-3`` with the default page, so a client's bug looks like missing data. Both are
refused here with 415 and 400.
"""

from typing import Any

from django.db import models
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request


class StrictLimitOffsetPagination(LimitOffsetPagination):
    # Bounded work: no page is larger than this, whatever ``limit`` asks (documented in the schema).
    max_limit = 1000

    def get_limit(self, request: Request) -> int | None:
        self._check(request, self.limit_query_param)
        limit: int | None = super().get_limit(request)
        return limit

    def get_offset(self, request: Request) -> int:
        self._check(request, self.offset_query_param)
        offset: int = super().get_offset(request)
        return offset

    @staticmethod
    def _check(request: Request, name: str) -> None:
        values = request.query_params.getlist(name)
        if len(values) > 1 or any(not v.isascii() or not v.isdigit() for v in values):
            raise ValidationError({name: ["Give one whole number, 0 or more."]})


class StrictCharField(serializers.CharField):
    """Text must arrive as a JSON string: DRF would quietly store ``0`` or ``1.5`` as "0"."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        text: str = super().to_internal_value(data)
        return text


class StrictModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
    }


def query_data(request: Request) -> dict[str, str]:
    """The query string for a serializer: one value per name, and a blank value checked like
    any other (DRF reads a QueryDict like an HTML form, where a blank field is skipped)."""
    repeated = [name for name, values in request.query_params.lists() if len(values) > 1]
    if repeated:
        raise ValidationError({name: ["Give this parameter once."] for name in repeated})
    data: dict[str, str] = request.query_params.dict()
    return data
