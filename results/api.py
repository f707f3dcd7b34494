"""Results for the strategy team, through DRF: tables as JSON, CSV or XLSX, and the released
records as a streamed CSV, so results can be pulled into Excel, R or Power BI. Analysts (and
DPOs, admins) only; raw and unreleased data are out of reach by construction."""

from django.http import HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from forms.api_base import FormScoped
from lib.api_defaults import query_data
from lib.problems import Problem
from results import exports
from results.tables import Filters, linked_tables, rank_summary, table
from results.variables import form_variables

# Blank means "no filter", as the dashboard's filter form sends it.
MONTH = r"^([0-9]{4}-(0[1-9]|1[0-2]))?$"


class FiltersQuery(serializers.Serializer):
    """Which released records to count. A value that matches nothing gives empty tables; one
    that is malformed is refused, so that a typo never reads as "no data"."""

    since = serializers.RegexField(
        MONTH, required=False, allow_blank=True, help_text="First month, YYYY-MM"
    )
    until = serializers.RegexField(
        MONTH, required=False, allow_blank=True, help_text="Last month, YYYY-MM"
    )
    network = serializers.CharField(
        required=False, allow_blank=True, help_text="Regional network code, e.g. perco"
    )
    national_society = serializers.CharField(required=False, allow_blank=True)
    country = serializers.RegexField(
        r"^([A-Za-z]{2})?$", required=False, allow_blank=True, help_text="ISO 3166-1 alpha-2"
    )
    service_point = serializers.CharField(required=False, allow_blank=True)
    language = serializers.CharField(
        required=False, allow_blank=True, help_text="Label language, e.g. 'العربية (ar)'"
    )


FILTERS = [FiltersQuery]
FORMATS = ("json", "csv", "xlsx")
FORMAT = OpenApiParameter("format", str, enum=list(FORMATS), description="Default json")
DOWNLOAD = {
    (200, "application/json"): OpenApiTypes.OBJECT,
    (200, "text/csv"): OpenApiTypes.STR,
    (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY,
    400: OpenApiResponse(description="Unknown variable"),
}


class VariableSerializer(serializers.Serializer):
    key = serializers.CharField()
    kind = serializers.CharField()
    label = serializers.CharField()


class ResultsScoped(FormScoped):
    read_roles = (Role.ANALYST, Role.DPO)
    write_roles = (Role.ANALYST, Role.DPO)

    def filters(self) -> Filters:
        query = FiltersQuery(data=query_data(self.request))
        query.is_valid(raise_exception=True)
        chosen = query.validated_data
        return Filters(**{k: chosen.get(k) or None for k in Filters.__dataclass_fields__})

    def respond(self, tables, name: str):
        kind = self.request.query_params.get("format", "json")
        if kind not in FORMATS:
            raise ValidationError({"format": ["Choose json, csv or xlsx."]})
        if kind == "csv":
            response = HttpResponse(
                exports.tables_csv(tables), content_type="text/csv; charset=utf-8"
            )
        elif kind == "xlsx":
            response = HttpResponse(
                exports.tables_xlsx(tables),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        else:
            return Response(
                [t.as_dict() for t in tables] if len(tables) > 1 else tables[0].as_dict()
            )
        response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
        return response


class Variables(ResultsScoped, APIView):
    pagination_class = None  # a form's few dozen variables

    @extend_schema(
        summary="What a form's results can be broken down by (analyst)",
        responses=VariableSerializer(many=True),
    )
    def get(self, request, *args, **kwargs):
        language = request.query_params.get("language")
        return Response(
            [
                {"key": v.key, "kind": v.kind, "label": v.label(language)}
                for v in form_variables(self.get_form()).values()
            ]
        )


class ResultTable(ResultsScoped, APIView):
    @extend_schema(
        summary="A frequency table or cross-tabulation of released records, small cells "
        "suppressed (analyst)",
        parameters=[
            OpenApiParameter("row", str, required=True, description="Variable key"),
            OpenApiParameter("column", str, description="Variable key to cross by"),
            *FILTERS,
            FORMAT,
        ],
        responses=DOWNLOAD,
    )
    def get(self, request, *args, **kwargs):
        form = self.get_form()
        params = request.query_params
        result = table(
            form,
            params.get("row", ""),
            params.get("column") or None,
            filters=self.filters(),
            language=params.get("language"),
        )
        return self.respond([result], f"{form.form_id}-{result.row_variable}")


class LinkedTables(ResultsScoped, APIView):
    @extend_schema(
        summary="Several cross-tabulations of one row variable, suppressed together (analyst)",
        description="Tables downloaded together share their row totals; they are suppressed "
        "jointly so that no hidden cell can be recovered by combining them.",
        parameters=[
            OpenApiParameter("row", str, required=True),
            OpenApiParameter("columns", str, required=True, description="Comma-separated keys"),
            *FILTERS,
            FORMAT,
        ],
        responses=DOWNLOAD,
    )
    def get(self, request, *args, **kwargs):
        form = self.get_form()
        params = request.query_params
        columns = [c for c in params.get("columns", "").split(",") if c]
        filters = self.filters()
        if not columns:
            raise Problem("table.no_columns", "Give at least one column.")
        tables = linked_tables(
            form, params.get("row", ""), columns, filters=filters, language=params.get("language")
        )
        return self.respond(tables, f"{form.form_id}-{params.get('row')}-tables")


class RankSummary(ResultsScoped, APIView):
    @extend_schema(
        summary="A ranked question: top-choice counts and mean rank (analyst)",
        parameters=FILTERS,
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request, *args, **kwargs):
        form = self.get_form()
        variable = form_variables(form).get(kwargs["key"])
        if variable is None or variable.kind != "rank":
            raise NotFound("No ranked question by that name.")
        return Response(
            rank_summary(
                form,
                kwargs["key"],
                filters=self.filters(),
                language=request.query_params.get("language"),
            )
        )


class RecordsExport(ResultsScoped, APIView):
    @extend_schema(
        summary="Released anonymised records as CSV, streamed (analyst)",
        parameters=FILTERS,
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request, *args, **kwargs):
        form = self.get_form()
        response = StreamingHttpResponse(
            exports.records_csv(form, self.filters()), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{form.form_id}-records.csv"'
        return response
