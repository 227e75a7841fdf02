"""The national-scale benchmarks at a smoke size: the generator and every in-process benchmark run end to
end on a world of 414 patients and 1,000 cases (`bench/run.py --scale 0.001 --in-process-only`).

Not a timing test: figures are printed, not judged. What it guards is that the one documented command
still runs against the schema as it is now and that every benchmark reports.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCALE = "0.001"


def test_the_benchmarks_run_end_to_end_at_a_smoke_size(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "HEMSJUKVARD_ENV")}
    env["BENCH_RESULTS_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "bench/run.py", "--scale", SCALE, "--in-process-only"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    report = json.loads((tmp_path / f"run-{float(SCALE)}-in-process.json").read_text())
    # At this size the nurse's filtered view holds a case or two, so only the plumbing is checked here;
    # the query counts' independence of the page size is guarded by tests/perf.
    counts = report["query_counts"]
    assert counts["real_25"] == counts["real_100"], counts
    for kind in ("kpis_in_process", "dashboard_in_process", "proposal_in_process", "pdf", "plans"):
        assert report[kind], kind
    assert (tmp_path / f"plans-{float(SCALE)}.txt").read_text().count("Planning Time") > 0
