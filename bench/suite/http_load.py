"""Over HTTP: gunicorn as deployed, driven by wrk, each ratio's pair measured in the same run."""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.suite.common import PORTS, RESULTS, ROOT, say
from bench.suite.in_process import Fixture

# --- HTTP load ---------------------------------------------------------------------------------------------


class Gunicorn:
    def __init__(self, name: str, port: int, env: dict[str, str], log: Path) -> None:
        self.name = name
        self.port = port
        env = dict(env, GUNICORN_BIND=f"127.0.0.1:{port}")
        self.handle = log.open("w")
        self.process = subprocess.Popen(  # noqa: S603
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "--config", str(ROOT / "deploy" / "gunicorn.conf.py")],
            cwd=ROOT,
            env=env,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn {self.name} exited; see its log")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2):
                    return
            except OSError:
                time.sleep(0.5)
        raise SystemExit(f"gunicorn {self.name} did not answer within {timeout} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.handle.close()


def wrk(
    port: int,
    paths: list[str],
    token: str,
    *,
    duration: int,
    connections: int,
    method: str = "GET",
    body: str | None = None,
    max_requests: int = 100_000,
) -> dict[str, Any]:
    env = dict(
        os.environ,
        BENCH_TOKEN=token,
        BENCH_PATHS="|".join(paths),
        BENCH_METHOD=method,
        BENCH_MAX_REQUESTS=str(max_requests),
    )
    if body is not None:
        env["BENCH_BODY"] = body
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        str(ROOT / "bench" / "wrk_api.lua"),
        f"http://127.0.0.1:{port}",
    ]
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout  # noqa: S603
    line = next(line for line in output.splitlines() if line.startswith("BENCH_JSON "))
    data = json.loads(line.removeprefix("BENCH_JSON "))
    seconds = data["duration_us"] / 1e6
    return {
        "rps": data["requests"] / seconds if seconds else 0.0,
        "requests": data["requests"],
        "p50_ms": data["p50_us"] / 1000,
        "p95_ms": data["p95_us"] / 1000,
        "p99_ms": data["p99_us"] / 1000,
        "errors": data["non2xx"] + data["socket_errors"],
    }


def alternate(runs: dict[str, Callable[[], dict[str, Any]]], rounds: int) -> dict[str, dict[str, Any]]:
    """Run each measurement ``rounds`` times in turn (A B A B ...) and combine: the ratio's two sides
    see the same machine state. Throughput is the mean, p95 the worst round's."""
    collected: dict[str, list[dict[str, Any]]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            collected[name].append(run())
    combined = {}
    for name, results in collected.items():
        combined[name] = {
            "rps": statistics.mean(r["rps"] for r in results),
            "requests": sum(r["requests"] for r in results),
            "p50_ms": statistics.median(r["p50_ms"] for r in results),
            "p95_ms": max(r["p95_ms"] for r in results),
            "errors": sum(r["errors"] for r in results),
        }
        c = combined[name]
        c["load_average"] = os.getloadavg()[0]
        say(
            f"  {name:<34} {c['rps']:8.1f} req/s  p50 {c['p50_ms']:7.1f} ms  "
            f"p95 {c['p95_ms']:7.1f} ms  errors {c['errors']}  (load average {c['load_average']:.1f})"
        )
    return combined


def load_benchmarks(
    fixture: Fixture,
    proposal: dict[str, Any],
    env: dict[str, str],
    duration: int,
    connections: int,
    *,
    case_list_only: bool = False,
) -> dict[str, Any]:
    RESULTS.mkdir(exist_ok=True)
    servers = {
        "on": Gunicorn("on", PORTS["on"], env, RESULTS / "gunicorn-on.log"),
        "off": Gunicorn("off", PORTS["off"], dict(env, BENCH_ACCESS_LOG="off"), RESULTS / "gunicorn-off.log"),
    }
    try:
        for server in servers.values():
            server.wait_ready()
        nurse = fixture.tokens["nurse"]
        on, off = PORTS["on"], PORTS["off"]
        listing = f"/api/v1/cases?status={fixture.list_status}&page_size=25"
        plain = f"/bench/v1/plain-cases?status={fixture.list_status}&page_size=25"
        # Warm every worker (imports, connections, caches) before anything is counted.
        for port in (on, off):
            wrk(port, [listing, plain], nurse, duration=3, connections=connections)

        def run(port: int, paths: list[str], token: str = nurse, **kw: Any) -> Callable[[], dict[str, Any]]:
            return lambda: wrk(
                port, paths, token, duration=duration, connections=kw.pop("connections", connections), **kw
            )

        results: dict[str, Any] = {}
        say("case list (25 rows) against the plain ModelSerializer viewset")
        results["case_list"] = alternate(
            {"case list API": run(on, [listing]), "plain viewset": run(on, [plain])}, 2
        )
        say("access log on against off, same endpoint (case list, 25 rows)")
        results["access_log"] = alternate(
            {
                "case list, access log on": run(on, [listing]),
                "case list, access log off": run(off, [listing]),
            },
            2,
        )
        if case_list_only:
            return results
        say("case detail, timeline, patient search")
        results["reads"] = alternate(
            {
                "case detail": run(on, [f"/api/v1/cases/{fixture.case_id}"]),
                "case timeline": run(on, [f"/api/v1/cases/{fixture.case_id}/timeline"]),
                "patient search: personnummer": run(on, [f"/api/v1/patients?search={fixture.personnummer}"]),
                "patient search: name": run(
                    on, [f"/api/v1/patients?search={fixture.name_query.replace(' ', '+')}"]
                ),
            },
            1,
        )
        say("dashboard KPIs over HTTP (2 connections)")
        results["kpis"] = alternate(
            {
                "KPIs: kommun": run(on, ["/api/v1/figures/kpis"], connections=2),
                "KPIs: region": run(
                    on, ["/api/v1/figures/kpis"], fixture.tokens["coordinator"], connections=2
                ),
            },
            1,
        )
        say("rule proposal over HTTP")
        body = json.dumps(
            {
                "patient": proposal["patient"],
                "task_codes": __import__("bench.bench_proposal", fromlist=["TASKS"]).TASKS,
                "on": "2025-06-02",
                "specialist_clinic": proposal["clinic"],
            }
        )
        results["proposal"] = alternate(
            {
                "proposal API (10 tasks)": run(
                    on,
                    ["/api/v1/responsibility/proposals"],
                    proposal["token"],
                    method="POST",
                    body=body,
                )
            },
            1,
        )
        return results
    finally:
        for server in servers.values():
            server.stop()
