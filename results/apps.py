from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "results"
    label = "results"
    verbose_name = "Results"
