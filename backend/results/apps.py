from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "backend.results"
    label = "results"
    verbose_name = "Results"
