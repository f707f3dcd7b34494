from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "results"
    label = "results"
    verbose_name = "Results"

    def ready(self) -> None:
        from results import receivers

        receivers.connect()
