from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    label = "privacy"
    verbose_name = "Privacy"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from privacy import receivers  # noqa: F401 - connects to sync's and privacy's signals

        connection_created.connect(_sqlite_functions)


def _sqlite_functions(sender, connection, **kwargs) -> None:
    """SQLite learns ``waypoint_content_key`` (``privacy.models.ContentKey``)."""
    if connection.vendor == "sqlite":
        from privacy.models import content_key_md5

        connection.connection.create_function(
            "waypoint_content_key", 1, content_key_md5, deterministic=True
        )
