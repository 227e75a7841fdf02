from django.apps import AppConfig


class HemsjukvardConfig(AppConfig):
    name = "hemsjukvard"
    verbose_name = "hemsjukvard"
