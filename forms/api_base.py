"""The API base of views under /projects/{project_id}/forms/{form_id}/, for every app: the form
(and version) through the door in ``forms.access``, with the roles the method needs."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _

from accounts.api_base import ProjectScoped
from forms.access import access_form
from forms.models import Form, FormVersion


class FormScoped(ProjectScoped):
    def get_form(self) -> Form:
        if not hasattr(self, "_form"):
            self._form = access_form(
                self.request.user, self.kwargs["project_id"], self.kwargs["form_id"], *self.roles()
            )
            self._project = self._form.project
        return self._form

    def get_version(self) -> FormVersion:
        form = self.get_form()
        version = form.versions.filter(version=self.kwargs["version"]).first()
        if version is None:
            raise Http404(_("No such form version."))
        version.form = form
        return version
