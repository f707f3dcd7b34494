from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import api as accounts_api
from accounts import interface_language
from accounts import views as accounts_views
from accounts.sign_in import AdminSignInForm, SignInForm
from backend import health
from backend import views as backend_views
from forms import api as forms_api
from forms import views as forms_views
from lib import api_errors
from privacy import api as privacy_api
from privacy import api_approvals as privacy_approvals_api
from privacy import approval_views as privacy_approval_views
from privacy import conflict_views as privacy_conflict_views
from privacy import release_views as privacy_release_views
from privacy import views as privacy_views
from results import api as results_api
from results import api_lattice as results_lattice_api
from results import views as results_views
from sync import api as sync_api
from sync import device_pages
from webforms import recovery_views as webforms_recovery

api_v1 = [
    path("networks", accounts_api.NetworkList.as_view(), name="network-list"),
    path("national-societies", accounts_api.NationalSocietyList.as_view(), name="society-list"),
    path("projects", accounts_api.ProjectList.as_view(), name="project-list"),
    path("projects/<int:project_id>", accounts_api.ProjectDetail.as_view(), name="project-detail"),
    path(
        "projects/<int:project_id>/service-points",
        accounts_api.ServicePointList.as_view(),
        name="service-point-list",
    ),
    path(
        "projects/<int:project_id>/service-points/<int:pk>",
        accounts_api.ServicePointDetail.as_view(),
        name="service-point-detail",
    ),
    path(
        "projects/<int:project_id>/devices", accounts_api.DeviceList.as_view(), name="device-list"
    ),
    path(
        "projects/<int:project_id>/devices/<int:pk>",
        accounts_api.DeviceDetail.as_view(),
        name="device-detail",
    ),
    path("projects/<int:project_id>/forms", forms_api.FormList.as_view(), name="form-list"),
    path(
        "projects/<int:project_id>/forms/<str:form_id>",
        forms_api.FormDetail.as_view(),
        name="form-detail",
    ),
    path(
        "projects/<int:project_id>/forms/<str:form_id>/versions/<str:version>",
        forms_api.FormVersionDetail.as_view(),
        name="form-version-detail",
    ),
    path(
        "projects/<int:project_id>/forms/<str:form_id>/versions/<str:version>/xform",
        forms_api.FormVersionXForm.as_view(),
        name="form-version-xform",
    ),
    path(
        "projects/<int:project_id>/forms/<str:form_id>/versions/<str:version>/rules",
        forms_api.RuleSetList.as_view(),
        name="form-version-rules",
    ),
    path(
        "projects/<int:project_id>/forms/<str:form_id>/versions/<str:version>/media",
        forms_api.MediaList.as_view(),
        name="form-version-media",
    ),
    path(
        "projects/<int:project_id>/forms/<str:form_id>/risk-report",
        privacy_api.RiskReport.as_view(),
        name="risk-report",
    ),
    path(
        "projects/<int:project_id>/forms/<str:form_id>/compare",
        privacy_api.Compare.as_view(),
        name="compare",
    ),
    path(
        "projects/<int:project_id>/forms/<str:form_id>/versions/<str:version>/rule-sets",
        privacy_api.RulesChange.as_view(),
        name="rules-change",
    ),
    path(
        "projects/<int:project_id>/forms/<str:form_id>/versions/<str:version>/rerun",
        privacy_api.RerunProgress.as_view(),
        name="rerun-progress",
    ),
    path(
        "projects/<int:project_id>/forms/<str:form_id>/releases",
        privacy_api.ReleaseList.as_view(),
        name="release-list",
    ),
    path(
        "projects/<int:project_id>/forms/<str:form_id>/releases/<int:release_id>",
        privacy_api.ReleaseDetail.as_view(),
        name="release-detail",
    ),
    path(
        "projects/<int:project_id>/forms/<str:form_id>/releases/<int:release_id>/approve",
        privacy_api.ReleaseApprove.as_view(),
        name="release-approve",
    ),
    path(
        "projects/<int:project_id>/forms/<str:form_id>/versions/<str:version>/rule-sets/"
        "<int:number>/approve",
        privacy_approvals_api.RuleSetApprove.as_view(),
        name="rule-set-approve",
    ),
    path(
        "projects/<int:project_id>/forms/<str:form_id>/releases/<int:release_id>/microdata",
        privacy_approvals_api.Microdata.as_view(),
        name="release-microdata",
    ),
    path(
        "projects/<int:project_id>/forms/<str:form_id>/records/<uuid:record_id>/withhold",
        privacy_api.RecordWithhold.as_view(),
        name="record-withhold",
    ),
    path("projects/<int:project_id>/audit", privacy_api.AuditLog.as_view(), name="audit-log"),
    path(
        "projects/<int:project_id>/recovery",
        webforms_recovery.RecoveryUpload.as_view(),
        name="webforms-recovery-api",
    ),
    path(
        "projects/<int:project_id>/forms/<str:form_id>/results/variables",
        results_api.Variables.as_view(),
        name="results-variables",
    ),
    path(
        "projects/<int:project_id>/forms/<str:form_id>/results/table",
        results_api.ResultTable.as_view(),
        name="results-table",
    ),
    path(
        "projects/<int:project_id>/forms/<str:form_id>/results/tables",
        results_api.LinkedTables.as_view(),
        name="results-tables",
    ),
    path(
        "projects/<int:project_id>/forms/<str:form_id>/results/filters",
        results_lattice_api.FilterOptions.as_view(),
        name="results-filters",
    ),
    path(
        "projects/<int:project_id>/forms/<str:form_id>/results/lattice",
        results_lattice_api.LatticeReport.as_view(),
        name="results-lattice",
    ),
    path(
        "projects/<int:project_id>/forms/<str:form_id>/results/releases/<int:release_id>/retry",
        results_lattice_api.LatticeRetry.as_view(),
        name="results-lattice-retry",
    ),
    path(
        "projects/<int:project_id>/forms/<str:form_id>/results/releases/<int:release_id>/candidate",
        results_lattice_api.CandidateTables.as_view(),
        name="results-lattice-candidate",
    ),
    path(
        "projects/<int:project_id>/forms/<str:form_id>/results/ranks/<str:key>",
        results_api.RankSummary.as_view(),
        name="results-rank",
    ),
    path(
        "projects/<int:project_id>/forms/<str:form_id>/results/records.csv",
        results_api.RecordsExport.as_view(),
        name="results-records",
    ),
    path(
        "projects/<int:project_id>/forms/<str:form_id>/results/records.xlsx",
        results_api.RecordsXlsxExport.as_view(),
        name="results-records-xlsx",
    ),
    path(
        "projects/<int:project_id>/forms/<str:form_id>/submissions",
        sync_api.SubmissionList.as_view(),
        name="submission-list",
    ),
    path(
        "projects/<int:project_id>/forms/<str:form_id>/submissions/<str:instance_id>",
        sync_api.SubmissionDetail.as_view(),
        name="submission-detail",
    ),
    path(
        "projects/<int:project_id>/forms/<str:form_id>/submissions/<str:instance_id>/xml",
        sync_api.SubmissionXml.as_view(),
        name="submission-xml",
    ),
    path(
        "projects/<int:project_id>/forms/<str:form_id>/submissions/<str:instance_id>"
        "/conflicts/<int:copy_id>/xml",
        sync_api.SubmissionConflictXml.as_view(),
        name="submission-conflict-xml",
    ),
    path(
        "projects/<int:project_id>/forms/<str:form_id>/submissions/<str:instance_id>"
        "/attachments/<str:name>",
        sync_api.SubmissionAttachment.as_view(),
        name="submission-attachment",
    ),
    path(
        "projects/<int:project_id>/forms/<str:form_id>/submissions/<str:instance_id>/decrypt",
        sync_api.SubmissionDecrypt.as_view(),
        name="submission-decrypt",
    ),
]

pages = [
    path("", backend_views.home, name="home"),
    path("i18n/setlang/", interface_language.set_language, name="set_language"),
    path("favicon.ico", backend_views.favicon, name="favicon"),
    path("health/live", health.live, name="health-live"),
    path("health/ready", health.ready, name="health-ready"),
    path("accounts/tokens/", accounts_views.api_tokens, name="api-tokens"),
    path(
        "accounts/login/",
        LoginView.as_view(authentication_form=SignInForm),
        name="login",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("projects/<int:project_id>/forms/", forms_views.project_forms, name="project-forms"),
    path(
        "projects/<int:project_id>/forms/upload", forms_views.form_upload, name="form-upload-page"
    ),
    path(
        "projects/<int:project_id>/forms/<str:form_id>/state",
        forms_views.form_state,
        name="form-state-page",
    ),
    path(
        "projects/<int:project_id>/forms/<str:form_id>/versions/<str:version>/",
        forms_views.form_version,
        name="form-version-page",
    ),
    path(
        "projects/<int:project_id>/forms/<str:form_id>/versions/<str:version>/media",
        forms_views.media_upload,
        name="media-upload-page",
    ),
    path(
        "projects/<int:project_id>/devices/create",
        device_pages.device_create,
        name="device-create-page",
    ),
    path("projects/<int:project_id>/operations/", device_pages.operations, name="operations-page"),
    path(
        "projects/<int:project_id>/devices/<int:device_id>/",
        device_pages.device_qr,
        name="device-qr-page",
    ),
    path(
        "projects/<int:project_id>/devices/<int:device_id>/reissue",
        device_pages.device_reissue,
        name="device-reissue-page",
    ),
    path(
        "projects/<int:project_id>/devices/<int:device_id>/rename",
        device_pages.device_rename,
        name="device-rename-page",
    ),
    path(
        "projects/<int:project_id>/devices/<int:device_id>/revoke",
        device_pages.device_revoke,
        name="device-revoke-page",
    ),
]

P = "projects/<int:project_id>/privacy/"
F = P + "<str:form_id>/"
privacy_pages = [
    path(P, privacy_views.home, name="privacy-home"),
    path(F, privacy_views.report, name="privacy-report"),
    path(F + "compare", privacy_views.compare, name="privacy-compare"),
    path(F + "rules/<str:version>", privacy_views.rules, name="privacy-rules"),
    path(F + "releases", privacy_views.releases, name="privacy-releases"),
    path(
        F + "releases/<int:release_id>",
        privacy_release_views.release_detail,
        name="privacy-release",
    ),
    path(F + "releases/<int:release_id>/signoff", privacy_views.signoff, name="privacy-signoff"),
    path(
        F + "rules/<str:version>/<int:number>/approve",
        privacy_approval_views.rules_approve,
        name="privacy-rules-approve",
    ),
    path(
        F + "releases/<int:release_id>/microdata",
        privacy_approval_views.microdata,
        name="privacy-microdata",
    ),
    path(
        F + "records/<uuid:record_id>/withhold",
        privacy_release_views.withhold,
        name="privacy-withhold",
    ),
    path(F + "records/<uuid:record_id>/undo", privacy_release_views.undo, name="privacy-undo"),
    path(F + "conflicts", privacy_conflict_views.conflicts, name="privacy-conflicts"),
    path(
        F + "conflicts/<int:submission_id>",
        privacy_conflict_views.conflict,
        name="privacy-conflict",
    ),
    path(
        F + "conflicts/<int:submission_id>/copies/<int:copy_id>/reviewed",
        privacy_conflict_views.conflict_review,
        name="privacy-conflict-review",
    ),
    path("projects/<int:project_id>/audit/", privacy_views.audit, name="privacy-audit"),
    path("projects/<int:project_id>/results/", results_views.dashboard, name="results"),
    path(
        "projects/<int:project_id>/results/<str:form_id>/",
        results_views.dashboard,
        name="results-form",
    ),
    path(
        "projects/<int:project_id>/results/<str:form_id>/releases/<int:release_id>/retry",
        results_views.lattice_retry_page,
        name="results-lattice-retry-page",
    ),
    path(
        "projects/<int:project_id>/results/<str:form_id>/releases/<int:release_id>/candidate",
        results_views.lattice_candidate_page,
        name="results-lattice-candidate-page",
    ),
    path(
        "projects/<int:project_id>/results/<str:form_id>/records.zip",
        results_views.records_download,
        name="results-records-download",
    ),
]

admin.site.login_form = AdminSignInForm
urlpatterns = [
    *pages,
    *privacy_pages,
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api_docs.html"),
        name="swagger-ui",
    ),
    # Anything else under /api/ is a JSON 404, with DEBUG on too (Django's debug 404 is HTML),
    # whatever the method (no CSRF check: it changes nothing and a 403 page would be HTML).
    re_path(r"^api/", csrf_exempt(api_errors.not_found)),
    path("api-auth/", include("rest_framework.urls")),
    path("", include("sync.urls")),
    path("", include("webforms.urls")),
    path(
        "key/<str:token>/projects/<int:project_id>/qr",
        accounts_views.device_qr_page,
        name="device-qr",
    ),
    path(
        "key/<str:token>/projects/<int:project_id>/qr.png",
        accounts_views.device_qr_png,
        name="device-qr-png",
    ),
]

handler404 = "lib.api_errors.not_found"
