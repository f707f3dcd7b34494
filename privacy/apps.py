from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    label = "privacy"
    verbose_name = "Privacy"

    def ready(self) -> None:
        from privacy import receivers  # noqa: F401 - connects to sync's and privacy's signals
