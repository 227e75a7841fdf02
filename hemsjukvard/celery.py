"""The Celery application; tasks live in each app's ``tasks.py``.

Signals tie the worker into what operators see: each task runs with the request id it was sent with
(or a new one), its log lines carry it and hold no personnummer, and its run time and outcome are
counted for ``/metrics`` (``hemsjukvard.observability``).
"""

import logging
import os
import time
from typing import Any

from celery import Celery
from celery.signals import (
    after_setup_logger,
    after_setup_task_logger,
    task_postrun,
    task_prerun,
    worker_ready,
)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hemsjukvard.settings")

app = Celery("hemsjukvard")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

_started: dict[str, tuple[float, Any]] = {}


@after_setup_logger.connect
@after_setup_task_logger.connect
def _log_like_the_web(logger: logging.Logger, *args: Any, **kwargs: Any) -> None:
    """The worker's handlers get the request id and the personnummer filter, and JSON where the web
    logs JSON."""
    from django.conf import settings

    from hemsjukvard.observability.redaction import PersonalDataFilter
    from hemsjukvard.observability.request_id import RequestIdFilter

    for handler in logger.handlers:
        handler.addFilter(RequestIdFilter())
        handler.addFilter(PersonalDataFilter())
        if settings.LOG_FORMAT == "json":
            from pythonjsonlogger.json import JsonFormatter

            handler.setFormatter(
                JsonFormatter(
                    settings.LOG_JSON_FIELDS,
                    style="{",
                    rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                )
            )


@task_prerun.connect
def _task_started(task_id: str, task: Any, *args: Any, **kwargs: Any) -> None:
    from hemsjukvard.observability.request_id import current_request_id, request_id_of_task

    token = current_request_id.set(request_id_of_task(task.request))
    _started[task_id] = (time.perf_counter(), token)


@task_postrun.connect
def _task_finished(task_id: str, task: Any, *args: Any, state: str | None = None, **kwargs: Any) -> None:
    from hemsjukvard.observability.metrics import TASK_SECONDS, TASKS
    from hemsjukvard.observability.request_id import current_request_id

    started = _started.pop(task_id, None)
    if started is not None:
        TASK_SECONDS.labels(task.name).observe(time.perf_counter() - started[0])
        try:
            current_request_id.reset(started[1])
        except ValueError:  # set in another context (a thread pool): nothing to restore
            current_request_id.set("")
    TASKS.labels(task.name, (state or "unknown").lower()).inc()


@worker_ready.connect
def _serve_metrics(*args: Any, **kwargs: Any) -> None:
    """With CELERY_METRICS_PORT set, the worker serves its task metrics there (inside the compose
    network only; every pool process writes them to PROMETHEUS_MULTIPROC_DIR)."""
    port = os.environ.get("CELERY_METRICS_PORT", "").strip()
    if not port:
        return
    from prometheus_client import start_http_server

    from hemsjukvard.observability.metrics import registry_for_scrape

    start_http_server(int(port), registry=registry_for_scrape())
