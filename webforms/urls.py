"""A web tablet's app, below its OpenRosa server URL: the app's requests to ``formList``,
``forms/…`` and ``submission`` are then same-origin and carry the device token as Collect does."""

from django.urls import path

from webforms import recovery_views, views

urlpatterns = [
    path("key/<str:token>/projects/<int:project_id>/web/", views.app_page, name="webforms-app"),
    path(
        "key/<str:token>/projects/<int:project_id>/web/sw.js",
        views.service_worker,
        name="webforms-sw",
    ),
    path(
        "key/<str:token>/projects/<int:project_id>/web/manifest.webmanifest",
        views.web_manifest,
        name="webforms-manifest",
    ),
    # The DPO's side: a revoked tablet's exported outbox, stored as if the tablet had sent it.
    path(
        "projects/<int:project_id>/recovery/",
        recovery_views.recovery_page,
        name="webforms-recovery",
    ),
]
