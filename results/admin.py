"""Results tables are computed, never written by hand: the admin shows each release's lattice
(its state, and the error of a failed computation) to the operator, and retries failed ones."""

from django.contrib import admin, messages
from django.http import HttpRequest

from lib.admin_base import ViewOnlyAdmin
from lib.problems import Problem
from results.lattice.status import lattice_retry
from results.models import Lattice, LatticeCube


@admin.register(Lattice)
class LatticeAdmin(ViewOnlyAdmin):
    list_display = [
        "release",
        "state",
        "preview",
        "threshold",
        "pair_levels",
        "started_at",
        "seconds",
    ]
    list_filter = ["state", "preview"]
    list_select_related = ["release__form"]
    exclude = ["geography", "time", "report"]  # large trees and reports: the API shows them
    readonly_fields = ["error"]
    actions = ["retry"]

    @admin.action(description="Compute the selected failed tables again")
    def retry(self, request: HttpRequest, queryset) -> None:
        for lattice in queryset.select_related("release__form__project"):
            try:
                lattice_retry(release=lattice.release, user=request.user)
            except Problem as problem:
                self.message_user(request, problem.text(), messages.WARNING)


@admin.register(LatticeCube)
class LatticeCubeAdmin(ViewOnlyAdmin):
    list_display = ["variable", "kind", "lattice"]
    list_select_related = ["lattice__release__form"]
    exclude = ["cells", "means"]  # raw int32 / float32 arrays
