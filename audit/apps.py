from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from audit import receivers

        user_logged_in.connect(receivers.sign_in_recorded, dispatch_uid="audit-login")
        user_login_failed.connect(
            receivers.sign_in_failure_recorded, dispatch_uid="audit-login-failed"
        )
