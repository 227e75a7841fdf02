from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The fictional demo world of Region Halland (domain brief §8), for trying the product out."""

    name = "demo"
    verbose_name = "Demo"
