from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    label = "accounts"
    verbose_name = "Projects, service points and access"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import pre_save

        from accounts import tokens

        # A module-level function (held by weak reference, so not a closure: see audit.receivers).
        pre_save.connect(
            tokens.password_changed_revokes_tokens,
            sender=get_user_model(),
            dispatch_uid="accounts-password-revokes-tokens",
        )
