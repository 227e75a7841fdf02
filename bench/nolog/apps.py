"""Benchmark only (``bench.settings_bench`` with ``BENCH_ACCESS_LOG=off``): the access log writes nothing.

``access_log_record`` is imported by name into many modules (``from audit.services import ...``), so
rebinding the module attribute would miss them; the function's code is swapped instead, which every
reference sees. Never installed outside the logging-on-versus-off benchmark.
"""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig


def _no_log(
    *, actor: Any, accesses: Any, action: Any, outcome: Any = "", purpose: Any = "", reason: str = ""
) -> int:
    return 0


class NoLogConfig(AppConfig):
    name = "bench.nolog"
    label = "bench_nolog"

    def ready(self) -> None:
        from audit import services

        services.access_log_record.__code__ = _no_log.__code__
        services.access_log_record.__defaults__ = None
        services.access_log_record.__kwdefaults__ = {"outcome": "", "purpose": "", "reason": ""}
