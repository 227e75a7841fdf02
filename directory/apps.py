from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    """People, organisations and their roles: who may act for which organisation."""

    name = "directory"
    verbose_name = _("People and organisations")

    def ready(self) -> None:
        from . import (
            authentication,  # noqa: F401 - revokes the tokens of a person who is deactivated
            schema,  # noqa: F401 - registers the OpenAPI description of bearer tokens
        )
