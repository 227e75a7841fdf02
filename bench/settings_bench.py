"""Settings for the load benchmarks only: production settings plus the baseline endpoint of bench/.

    DJANGO_SETTINGS_MODULE=bench.settings_bench HEMSJUKVARD_ENV=production ...

* ``ROOT_URLCONF`` adds ``/bench/v1/plain-cases`` (``bench.baseline``), the plain ModelSerializer viewset
  the case list is compared with. It exists in no other settings module.
* ``BENCH_ACCESS_LOG=off`` installs ``bench.nolog``, which turns the access log into a no-op, for the
  logging-on-versus-off ratio. There is deliberately no such switch in the product's settings: the
  access log is a legal duty (patientdatalagen 4 kap. 3 §), not an option.
"""

from __future__ import annotations

import os

from hemsjukvard.settings import *  # noqa: F403
from hemsjukvard.settings import INSTALLED_APPS

ROOT_URLCONF = "bench.urls_bench"

if os.environ.get("BENCH_ACCESS_LOG", "on") == "off":
    INSTALLED_APPS = [*INSTALLED_APPS, "bench.nolog"]
