"""The Grafana dashboard and the alert rules parse, and ask only for metrics the application serves."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SERVED = set(
    re.findall(
        r'"(hemsjukvard_[a-z0-9_]+)"',
        "".join(
            p.read_text()
            for p in [
                ROOT / "hemsjukvard/observability/metrics.py",
                ROOT / "hemsjukvard/observability/kernel_gauges.py",
                ROOT / "documents/metrics.py",
                ROOT / "audit/metrics.py",
                ROOT / "hemsjukvard/db_router.py",
            ]
        ),
    )
)
SUFFIXES = ("_bucket", "_count", "_sum")


def _names(expr: str) -> set[str]:
    names = set()
    for name in re.findall(r"hemsjukvard_[a-z0-9_]+", expr):
        for suffix in SUFFIXES:
            if name.endswith(suffix) and name[: -len(suffix)] in SERVED:
                name = name[: -len(suffix)]
        names.add(name)
    return names


def test_the_alert_rules_use_served_metrics() -> None:
    rules = yaml.safe_load((ROOT / "deploy/observability/alerts.yml").read_text())["groups"][0]["rules"]
    alerts = {rule["alert"] for rule in rules}
    assert {"OutboxNotDraining", "QueueBacklog", "DocumentsStuck", "ServerErrors"} <= alerts
    for rule in rules:
        assert _names(rule["expr"]) <= SERVED, rule["alert"]


def test_the_dashboard_uses_served_metrics() -> None:
    dashboard = json.loads((ROOT / "deploy/observability/grafana-dashboard.json").read_text())
    exprs = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    assert len(exprs) >= 8
    used = set().union(*(_names(expr) for expr in exprs))
    assert used <= SERVED
    assert "hemsjukvard_http_request_duration_seconds" in used
