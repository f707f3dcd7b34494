from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "backend.privacy"
    label = "privacy"
    verbose_name = "Privacy"

    def ready(self) -> None:
        from backend.privacy import receivers  # noqa: F401 - connects to sync's signal
