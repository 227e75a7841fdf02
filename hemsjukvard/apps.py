from django.apps import AppConfig


class HemsjukvardConfig(AppConfig):
    name = "hemsjukvard"
    verbose_name = "hemsjukvard"

    def ready(self) -> None:
        from .observability import kernel_gauges

        kernel_gauges.register()
