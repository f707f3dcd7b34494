from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from audit.services import audit_record

        def logged_in(sender, request, user, **kwargs) -> None:
            audit_record(actor=user, action="login")

        def login_failed(sender, credentials, request=None, **kwargs) -> None:
            # Only the user name: Django masks the password, and it is not recorded at all.
            username = str(credentials.get("username", ""))[:150]
            audit_record(actor=None, action="login.failed", target=username)

        user_logged_in.connect(logged_in, dispatch_uid="audit-login")
        user_login_failed.connect(login_failed, dispatch_uid="audit-login-failed")
