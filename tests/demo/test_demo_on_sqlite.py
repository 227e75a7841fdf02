"""`bin/demo`'s steps on the embedded default: every migration and the demo world on a fresh SQLite file.

The rest of the suite runs on PostgreSQL, so a migration that only PostgreSQL understands would pass
there and break the demo; this runs the demo's own commands, as the demo runs them, in a subprocess.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_migrate_and_seed_a_small_demo_world_on_sqlite(tmp_path: Path) -> None:
    database = tmp_path / "demo.sqlite3"
    env = {
        **os.environ,
        "HEMSJUKVARD_ENV": "development",
        "DATABASE_URL": f"sqlite:///{database}",
        "CELERY_TASK_ALWAYS_EAGER": "true",
    }
    env.pop("CACHE_URL", None)
    for command in (["migrate", "--noinput"], ["seed_demo", "--patients", "60", "--cases", "8"]):
        done = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, f"{command[0]} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        assert "WARNINGS" not in done.stderr, done.stderr[-3000:]
    with sqlite3.connect(database) as db:
        (patients,) = db.execute("SELECT count(*) FROM patients_patient").fetchone()
        (cases,) = db.execute("SELECT count(*) FROM cases_responsibilitycase").fetchone()
    assert patients >= 60
    assert cases >= 8
