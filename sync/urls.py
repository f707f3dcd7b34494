"""OpenRosa URLs: below a device's server URL ``/key/{token}/projects/{id}``, and the same paths
without the key for accounts (HTTP Basic) and Enketo's ``?st=`` token."""

from django.urls import include, path

from sync import views

endpoints = [
    path("formList", views.form_list, name="form-list"),
    path("forms/<str:form_id>.xml", views.form_download, name="form-download"),
    path("forms/<str:form_id>/manifest", views.manifest, name="manifest"),
    path("forms/<str:form_id>/attachments/<str:filename>", views.media_download, name="media"),
    path("submission", views.submission, name="submission"),
]


urlpatterns = [
    path("key/<str:token>/projects/<int:project_id>/", include((endpoints, "key"))),
    path("projects/<int:project_id>/", include((endpoints, "account"))),
]
