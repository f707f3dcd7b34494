"""What an analyst's or DPO's client needs around the tables: the filter values the release
has (so no one types a code) and the state and utility report of the release's lattice (how
many cells protection withheld, per table and level)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import is_admin, project_roles
from accounts.models import Role
from privacy.models import Release
from results.api import ResultsScoped
from results.lattice.candidate import candidate_request, candidate_tables
from results.lattice.report import for_analysts
from results.lattice.status import lattice_retry
from results.lattice.store import built, reading
from results.models import Lattice
from results.released import filter_options


class FilterOptions(ResultsScoped, APIView):
    pagination_class = None

    @extend_schema(
        summary="The values each results filter can take in the release analysts read",
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request, *args, **kwargs):
        options = filter_options(self.get_form(), self.release())
        return Response(
            {
                key: [{"value": value, "label": label} for value, label in values]
                for key, values in options.items()
            }
        )


class LatticeReport(ResultsScoped, APIView):
    def is_dpo(self) -> bool:
        user = self.request.user
        return is_admin(user) or Role.DPO in project_roles(user, self.get_project())

    def report_for_reader(self, report: dict | None) -> dict | None:
        """The DPO (and an admin) see primary and secondary cells; analysts only how many were
        withheld (``results.lattice.report.for_analysts``)."""
        return report if self.is_dpo() else for_analysts(report)

    @extend_schema(
        summary="The protected table lattice of the release analysts read: state and utility "
        "report (cells withheld per table and level; primary and secondary for the DPO)",
        description="`state`: `built` (the latest approved release is read), `previous` (a "
        "newer release only added records: the older one is read while its tables are "
        "computed), `rebuilding` (the newer release removed or changed records: nothing is read "
        "until its tables are built; tables and records answer 503 `results.being_rebuilt` "
        "with Retry-After) or `none` (nothing approved). `pending` describes the newer release: "
        "its tables' `state` (`building` or `failed`) and, for the DPO, the build's `error`. "
        "`pair_levels`: [place levels, period levels] two questions are cross-tabulated at, "
        "as the DPO had chosen when the tables were computed.",
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request, *args, **kwargs):
        form = self.get_form()
        found = reading(form)
        release = found.release
        lattice = built(release) if release is not None else None
        pending = None
        if found.pending is not None:
            state = found.lattice.state if found.lattice else Lattice.State.BUILDING
            pending = {
                "release": found.pending.pk,
                "state": state,
                "error": found.lattice.error if found.failed and self.is_dpo() else None,
            }
        return Response(
            {
                "state": "rebuilding"
                if found.rebuilding
                else "previous"
                if found.pending
                else "built"
                if release
                else "none",
                "release": release.pk if release else None,
                "building": found.pending.pk if found.pending else None,
                "pending": pending,
                "threshold": lattice.threshold if lattice else form.project.cell_threshold,
                "pair_levels": lattice.pair_levels if lattice else None,
                "seconds": lattice.seconds if lattice else None,
                "report": self.report_for_reader(lattice.report) if lattice else None,
            }
        )


class LatticeRetry(ResultsScoped, APIView):
    read_roles = (Role.DPO,)
    write_roles = (Role.DPO,)

    @extend_schema(
        summary="Compute a release's tables again after their build failed (DPO)",
        description="Queues the build of the approved release's protected table lattice again, "
        "audited (`lattice.retry`). Refused with 409 `results.retry_refused` when its tables "
        "are built or being computed (a build may be retried once it has run for 15 minutes: "
        "its worker died).",
        request=None,
        responses={
            202: OpenApiTypes.OBJECT,
            409: OpenApiResponse(description="`results.retry_refused`: built or still computing"),
        },
    )
    def post(self, request, *args, **kwargs):
        form = self.get_form()
        release = get_object_or_404(Release, form=form, pk=kwargs["release_id"])
        lattice = lattice_retry(release=release, user=request.user)
        return Response(
            {"release": release.pk, "state": lattice.state, "error": lattice.error or None},
            status=202,
        )


def _candidate_body(found: dict) -> dict:
    return {key: value for key, value in found.items() if key != "lattice"}


class CandidateTables(ResultsScoped, APIView):
    read_roles = (Role.DPO,)
    write_roles = (Role.DPO,)

    @extend_schema(
        summary="The tables an open candidate would get, before approval (DPO)",
        description="The utility report (cells hidden per table and level, primary and "
        "secondary) of the lattice computed from exactly the records approving the candidate "
        "would freeze. `state`: `none` (not computed: POST to compute), `building`, `built` "
        "(`report` given), `failed` (`error`), `stale` (computed for an earlier state of the "
        "candidate, another approved release or other settings: no report, POST to compute "
        "again), `changed` (the records approval would freeze no longer match the candidate: "
        "records added, edited or anonymised again since it was opened, or another release "
        "approved; approving it would be refused: open a new candidate) or `approved` (the "
        "release's own tables: see `results/lattice`). Approval reuses built tables whose basis "
        "still matches.",
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request, *args, **kwargs):
        release = get_object_or_404(Release, form=self.get_form(), pk=kwargs["release_id"])
        return Response(_candidate_body(candidate_tables(release)))

    @extend_schema(
        summary="Compute an open candidate's tables (DPO)",
        description="Queues the computation, audited (`lattice.preview`). Refused with 409 "
        "`results.preview_refused` when the release is not open, its records changed since it "
        "was opened, or its tables are current or being computed.",
        request=None,
        responses={
            202: OpenApiTypes.OBJECT,
            409: OpenApiResponse(description="`results.preview_refused`"),
        },
    )
    def post(self, request, *args, **kwargs):
        release = get_object_or_404(Release, form=self.get_form(), pk=kwargs["release_id"])
        return Response(_candidate_body(candidate_request(release=release, user=request.user)), 202)
