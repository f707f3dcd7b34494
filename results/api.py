"""Results for the strategy team, through DRF: tables as JSON, CSV or XLSX, and the released
records as a streamed CSV, so results can be pulled into Excel, R or Power BI. Analysts (and
DPOs, admins) only; raw and unreleased data are out of reach by construction."""

from dataclasses import asdict

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from audit.downloads import audit_download
from forms.api_base import FormScoped
from lib.api_defaults import query_data
from lib.problems import Problem, interpolate
from privacy.models import Release
from results import exports, records_xlsx
from results.lattice.store import built, reading
from results.microdata import NOTE, microdata_release
from results.tables import Filters, linked_tables, rank_summary, table
from results.variables import form_variables

# Blank means "no filter", as the dashboard's filter form sends it.
MONTH = r"^([0-9]{4}-(0[1-9]|1[0-2]))?$"
# Bounded work: each linked column adds a table to suppress jointly with all the others, and
# the joint suppression grows faster than the number of cells (400 columns once took 10 GB).
MAX_LINKED_COLUMNS = 10
# A filter value is a code or a name; nothing longer is one.
MAX_FILTER_LENGTH = 200


class FiltersQuery(serializers.Serializer):
    """Which node of the release's table lattice to read: one place (network, National
    Society, country, service point) and one period (month, quarter, year; since/until only
    where they span exactly one of those). A value the release does not have is refused
    (`results.unknown_filter_value`, naming what it has), a range that is not a published
    period too (`results.range_not_published`): a typo never reads as "no data"."""

    since = serializers.RegexField(
        MONTH, required=False, allow_blank=True, help_text="First month, YYYY-MM"
    )
    until = serializers.RegexField(
        MONTH, required=False, allow_blank=True, help_text="Last month, YYYY-MM"
    )
    network = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MAX_FILTER_LENGTH,
        help_text="Regional network code, e.g. perco",
    )
    national_society = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_FILTER_LENGTH
    )
    month = serializers.RegexField(MONTH, required=False, allow_blank=True, help_text="YYYY-MM")
    quarter = serializers.RegexField(
        r"^([0-9]{4}-Q[1-4])?$", required=False, allow_blank=True, help_text="YYYY-Qn"
    )
    year = serializers.RegexField(r"^([0-9]{4})?$", required=False, allow_blank=True)
    country = serializers.RegexField(
        r"^([A-Za-z]{2})?$", required=False, allow_blank=True, help_text="ISO 3166-1 alpha-2"
    )
    service_point = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_FILTER_LENGTH
    )
    language = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MAX_FILTER_LENGTH,
        help_text="Label language, e.g. 'العربية (ar)'",
    )


FILTERS = [FiltersQuery]
FORMATS = ("json", "csv", "xlsx")
FORMAT = OpenApiParameter("format", str, enum=list(FORMATS), description="Default json")
REBUILDING = (
    "`results.being_rebuilt`, with Retry-After: a newer approved release removed or changed "
    "records, and its tables are being computed; the older release's are not read meanwhile. "
    "While a newer release that only added records is computed, answers come from the older "
    "one and name both (`X-Waypoint-Release`, `X-Waypoint-Pending-Release`)."
)
DOWNLOAD = {
    (200, "application/json"): OpenApiTypes.OBJECT,
    (200, "text/csv"): OpenApiTypes.STR,
    (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY,
    400: OpenApiResponse(description="Unknown variable"),
    503: OpenApiResponse(description=REBUILDING),
}
REBUILDING_RESPONSE = OpenApiResponse(description=REBUILDING)


class VariableSerializer(serializers.Serializer):
    key = serializers.CharField()
    kind = serializers.CharField()
    label = serializers.CharField()


class ResultsScoped(FormScoped):
    read_roles: tuple[Role, ...] = (Role.ANALYST, Role.DPO)
    write_roles: tuple[Role, ...] = (Role.ANALYST, Role.DPO)

    def filters(self) -> Filters:
        query = FiltersQuery(data=query_data(self.request))
        query.is_valid(raise_exception=True)
        chosen = query.validated_data
        return Filters(**{k: chosen.get(k) or None for k in Filters.__dataclass_fields__})

    def release(self) -> Release | None:
        """The release this request reads, looked up once: every table of one answer comes
        from the same release, and the audit event names it."""
        if not hasattr(self, "_release"):
            self._reading = reading(self.get_form())
            self._reading.refuse()  # 503 (Retry-After) while no release may be read
            self._release = self._reading.release
        return self._release

    def finalize_response(self, request, response, *args, **kwargs):
        """Which release answered, and the newer one being prepared meanwhile (its tables
        computed, or failed): ``X-Waypoint-Release``, ``X-Waypoint-Pending-Release``."""
        response = super().finalize_response(request, response, *args, **kwargs)
        found = getattr(self, "_reading", None)
        if found is not None and found.release is not None:
            response["X-Waypoint-Release"] = str(found.release.pk)
            if found.pending is not None:
                response["X-Waypoint-Pending-Release"] = str(found.pending.pk)
        return response

    def lattice_report(self) -> dict | None:
        """The utility report of the release read, for the "About suppression" sheet."""
        release = self.release()
        lattice = built(release) if release is not None else None
        return lattice.report if lattice is not None else None

    def audit(self, what: str, fmt: str, filters: Filters, **details) -> None:
        """Every answer carrying data is a download, audited (``audit.downloads``)."""
        form = self.get_form()
        audit_download(
            self.request,
            project=form.project,
            what=what,
            fmt=fmt,
            filters=asdict(filters),
            release=self.release(),
            target=f"{form.form_id} results",
            **details,
        )

    def respond(self, tables, name: str, *, what: str, filters: Filters):
        kind = self.request.query_params.get("format", "json")
        if kind not in FORMATS:
            raise ValidationError({"format": ["Choose json, csv or xlsx."]})
        variables = [tables[0].row_variable, *(t.column_variable for t in tables)]
        language = self.request.query_params.get("language") or None
        self.audit(what, kind, filters, variables=[v for v in variables if v], language=language)
        if kind == "csv":
            response = HttpResponse(
                exports.tables_csv(tables), content_type="text/csv; charset=utf-8"
            )
        elif kind == "xlsx":
            response = HttpResponse(
                exports.tables_xlsx(tables, self.lattice_report()),
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
        filters = self.filters()
        result = table(
            form,
            params.get("row", ""),
            params.get("column") or None,
            filters=filters,
            language=params.get("language"),
            release=self.release(),
        )
        return self.respond(
            [result], f"{form.form_id}-{result.row_variable}", what="table", filters=filters
        )


class LinkedTables(ResultsScoped, APIView):
    @extend_schema(
        summary="Several cross-tabulations of one row variable, suppressed together (analyst)",
        description="Tables downloaded together share their row totals; they are suppressed "
        "jointly so that no hidden cell can be recovered by combining them.",
        parameters=[
            OpenApiParameter("row", str, required=True),
            OpenApiParameter(
                "columns",
                str,
                required=True,
                description=f"Comma-separated variable keys, 1 to {MAX_LINKED_COLUMNS}, each once "
                "(codes `table.no_columns`, `table.too_many_columns`, `table.repeated_column`)",
            ),
            *FILTERS,
            FORMAT,
        ],
        responses=DOWNLOAD,
    )
    def get(self, request, *args, **kwargs):
        form = self.get_form()
        params = request.query_params
        columns = linked_columns(params.get("columns", ""))
        filters = self.filters()
        tables = linked_tables(
            form,
            params.get("row", ""),
            columns,
            filters=filters,
            language=params.get("language"),
            release=self.release(),
        )
        return self.respond(
            tables, f"{form.form_id}-{params.get('row')}-tables", what="tables", filters=filters
        )


def linked_columns(given: str) -> list[str]:
    """The columns of a linked download: at least one, at most ``MAX_LINKED_COLUMNS``, each
    once, refused before any work is done."""
    columns = [c for c in given.split(",", MAX_LINKED_COLUMNS + 1) if c]
    if not columns:
        raise Problem("table.no_columns", _("Give at least one column."))
    if len(columns) > MAX_LINKED_COLUMNS:
        raise Problem(
            "table.too_many_columns",
            interpolate(
                _("Link at most %(limit)s columns in one download."), limit=MAX_LINKED_COLUMNS
            ),
            limit=MAX_LINKED_COLUMNS,
        )
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if repeated:
        raise Problem(
            "table.repeated_column",
            interpolate(_("Give each column once: %(columns)s."), columns=", ".join(repeated)),
            columns=repeated,
        )
    return columns


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
            raise NotFound(_("No ranked question by that name."))
        filters = self.filters()
        summary = rank_summary(
            form,
            kwargs["key"],
            filters=filters,
            language=request.query_params.get("language"),
            release=self.release(),
        )
        self.audit("ranks", "json", filters, variables=[kwargs["key"]])
        return Response(summary)


RECORDS_DESCRIPTION = (
    "Row-level records of the release analysts read, only once a DPO approved its microdata "
    "file (else 403 `microdata.not_approved`), without the records its risk report left out. "
    "`[withheld]` marks a value disclosure control hid; an empty cell a question not answered "
    "(the `X-Waypoint-Note` header says so). Every filter selects whole groups of at least k "
    "records (k is checked over service point, country, National Society, networks and month "
    "with the quasi-identifiers)."
)
NOT_APPROVED = OpenApiResponse(description="No DPO approved row-level records")


class RecordsExport(ResultsScoped, APIView):
    fmt = "csv"
    content_type = "text/csv; charset=utf-8"

    def stream(self, form, filters: Filters, release: Release):
        return exports.records_csv(form, filters, release)

    @extend_schema(
        summary="Released records as CSV, streamed, where a DPO approved them (analyst)",
        description=RECORDS_DESCRIPTION,
        parameters=FILTERS,
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            403: NOT_APPROVED,
            503: REBUILDING_RESPONSE,
        },
    )
    def get(self, request, *args, **kwargs):
        form = self.get_form()
        filters = self.filters()
        # 503 while tables are rebuilt; the answer names its release as the tables' do
        release = microdata_release(form, self.release())  # 403 unless a DPO approved records
        self.audit("records", self.fmt, filters)
        response = StreamingHttpResponse(
            self.stream(form, filters, release), content_type=self.content_type
        )
        name = f"{form.form_id}-records.{self.fmt}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["X-Waypoint-Note"] = NOTE
        return response


class RecordsXlsxExport(RecordsExport):
    fmt = "xlsx"
    content_type = records_xlsx.CONTENT_TYPE

    def stream(self, form, filters: Filters, release: Release):
        return records_xlsx.records_xlsx(form, filters, release)

    @extend_schema(
        summary="Released records as XLSX, streamed, where a DPO approved them (analyst)",
        description=RECORDS_DESCRIPTION + " The records of records.csv, as a workbook written "
        'as it streams: a "Records" sheet (more when they pass Excel\'s 1,048,576 rows) and '
        'an "About" sheet naming the release and explaining the markers.',
        parameters=FILTERS,
        responses={
            (200, records_xlsx.CONTENT_TYPE): OpenApiTypes.BINARY,
            403: NOT_APPROVED,
            503: REBUILDING_RESPONSE,
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
