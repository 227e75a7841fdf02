"""hemsjukvard: the shared case register for home health care between a region and its kommuner."""

from .celery import app as celery_app

__all__ = ["celery_app"]
