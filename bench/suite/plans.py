"""EXPLAIN (ANALYZE, BUFFERS) of the hot paths' SQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.suite.in_process import Fixture, captured

# --- Query plans -----------------------------------------------------------------------------------------


def explain(sql: str) -> tuple[str, float]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        lines = [row[0] for row in cursor.fetchall()]
    total = next((float(line.split()[2]) for line in lines if line.startswith("Execution Time")), 0.0)
    return "\n".join(lines), total


def hot_path_plans(fixture: Fixture, out: Path, *, only: tuple[str, ...] = ()) -> dict[str, Any]:
    """EXPLAIN (ANALYZE, BUFFERS) of every SELECT of the hot requests, the plans in ``out``."""
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {fixture.tokens['nurse']}")
    coordinator = Client(HTTP_AUTHORIZATION=f"Bearer {fixture.tokens['coordinator']}")
    requests = {
        "case list (25, nurse, filtered)": (client, "/api/v1/cases", {"status": fixture.list_status}),
        "case detail": (client, f"/api/v1/cases/{fixture.case_id}", {}),
        "case timeline": (client, f"/api/v1/cases/{fixture.case_id}/timeline", {}),
        "patient search: personnummer": (client, "/api/v1/patients", {"search": fixture.personnummer}),
        "patient search: name": (client, "/api/v1/patients", {"search": fixture.name_query}),
        "KPIs: kommun": (client, "/api/v1/figures/kpis", {}),
        "KPIs: region": (coordinator, "/api/v1/figures/kpis", {}),
    }
    summary: dict[str, Any] = {}
    with out.open("w") as handle:
        for label, (who, path, params) in requests.items():
            if only and label not in only:
                continue
            who.get(path, params)
            with captured() as queries:
                response = who.get(path, params)
            assert response.status_code == 200, (label, response.content[:300])
            rows = []
            for query in queries:
                sql = query["sql"]
                if not sql.lstrip().upper().startswith("SELECT"):
                    rows.append({"sql": sql[:80], "ms": float(query["time"]) * 1000, "plan": "(write)"})
                    continue
                plan, ms = explain(sql)
                first = plan.splitlines()[0].split("  (cost")[0].strip()
                rows.append({"sql": sql[:160], "ms": ms, "plan": first})
                handle.write(f"### {label}\n{sql}\n\n{plan}\n\n")
            rows.sort(key=lambda r: -r["ms"])
            summary[label] = {"queries": len(queries), "slowest": rows[:4]}
    return summary
