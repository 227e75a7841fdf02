"""Prometheus metrics: requests by route, the worker's tasks, and gauges read when scraped.

* ``MetricsMiddleware`` counts every answer by method, route (the URL pattern's name, never the path:
  paths carry ids) and status, and times it in a histogram.
* ``task_*`` metrics are counted by Celery signals in the worker (``hemsjukvard.celery``).
* Gauges of state (the outbox backlog and its age, queue depth per Celery queue, and what each app
  registers with ``gauge_source``: documents by status, stuck documents, access-log rows written) are
  read from the database and Redis at scrape time, so every instance reports the same truth.

``/metrics`` answers only with ``Authorization: Bearer <METRICS_TOKEN>`` (404 when no token is set, as
if it did not exist). Under gunicorn with several workers, set ``PROMETHEUS_MULTIPROC_DIR`` (an empty
directory on tmpfs per container): every worker process writes its counters there and a scrape reads
them all (``deploy/gunicorn.conf.py`` removes a dead worker's files).
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector

logger = logging.getLogger(__name__)

REQUESTS = Counter(
    "hemsjukvard_http_requests_total", "Answers by method, route and status.", ["method", "route", "status"]
)
REQUEST_SECONDS = Histogram(
    "hemsjukvard_http_request_duration_seconds",
    "Time to answer, by method and route.",
    ["method", "route"],
    buckets=(0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
TASKS = Counter("hemsjukvard_tasks_total", "Celery tasks run, by task and outcome.", ["task", "outcome"])
TASK_SECONDS = Histogram(
    "hemsjukvard_task_duration_seconds",
    "Celery task run time, by task.",
    ["task"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0),
)


@dataclass(frozen=True)
class Sample:
    value: float
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class GaugeSource:
    name: str
    documentation: str
    label_names: tuple[str, ...]
    read: Callable[[], Iterable[Sample]]


_SOURCES: dict[str, GaugeSource] = {}


def gauge_source(
    name: str, documentation: str, read: Callable[[], Iterable[Sample]], label_names: tuple[str, ...] = ()
) -> None:
    """Register a gauge read at scrape time (an app calls this from its ``AppConfig.ready``)."""
    _SOURCES[name] = GaugeSource(name, documentation, label_names, read)


class StateCollector(Collector):
    def collect(self) -> Iterator[GaugeMetricFamily]:
        for source in list(_SOURCES.values()):
            family = GaugeMetricFamily(source.name, source.documentation, labels=list(source.label_names))
            try:
                samples = list(source.read())
            except Exception:  # a part that is down must not hide the others' figures
                logger.warning("Metric %s not read", source.name, exc_info=True)
                continue
            for sample in samples:
                family.add_metric([sample.labels.get(n, "") for n in source.label_names], sample.value)
            yield family


_STATE = StateCollector()
REGISTRY.register(_STATE)


def _route(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.view_name or match.route or "unnamed"


class MetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        response = self.get_response(request)
        route = _route(request)
        REQUESTS.labels(request.method or "", route, str(response.status_code)).inc()
        REQUEST_SECONDS.labels(request.method or "", route).observe(time.perf_counter() - started)
        return response


def registry_for_scrape() -> CollectorRegistry:
    """This process's registry, or every process's counters where they are written to a directory."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    registry.register(_STATE)
    return registry


def _authorised(request: HttpRequest) -> bool:
    expected = str(getattr(settings, "METRICS_TOKEN", "") or "")
    if not expected:
        return False
    given = request.headers.get("Authorization", "")
    return given.startswith("Bearer ") and hmac.compare_digest(given[7:].encode(), expected.encode())


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not _authorised(request):
        raise Http404
    return HttpResponse(generate_latest(registry_for_scrape()), content_type=CONTENT_TYPE_LATEST)
