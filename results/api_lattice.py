"""What an analyst's or DPO's client needs around the tables: the filter values the release
has (so no one types a code) and the state and utility report of the release's lattice (how
many cells protection withheld, per table and level)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import is_admin, project_roles
from accounts.models import Role
from results.api import ResultsScoped
from results.lattice.report import for_analysts
from results.lattice.store import built
from results.released import filter_options, release_building


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
    def report_for_reader(self, report: dict | None) -> dict | None:
        """The DPO (and an admin) see primary and secondary cells; analysts only how many were
        withheld (``results.lattice.report.for_analysts``)."""
        project = self.get_project()
        user = self.request.user
        if is_admin(user) or Role.DPO in project_roles(user, project):
            return report
        return for_analysts(report)

    @extend_schema(
        summary="The protected table lattice of the release analysts read: state and utility "
        "report (cells withheld per table and level; primary and secondary for the DPO)",
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request, *args, **kwargs):
        form = self.get_form()
        release = self.release()
        lattice = built(release) if release is not None else None
        building = release_building(form)
        return Response(
            {
                "release": release.pk if release else None,
                "building": building.pk if building else None,
                "threshold": lattice.threshold if lattice else form.project.cell_threshold,
                "seconds": lattice.seconds if lattice else None,
                "report": self.report_for_reader(lattice.report) if lattice else None,
            }
        )
