"""Two gunicorn instances on one host, both with deploy/gunicorn.conf.py (as the benchmarks and the
resilience tests run them next to each other): each keeps a control socket of its own, so gunicornc
reaches the instance it names, and stopping one leaves the other's socket in place."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
HELLO = """
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def _stats(control_socket: Path) -> dict[str, object]:
    answer = subprocess.run(
        [str(BIN / "gunicornc"), "-s", str(control_socket), "-c", "show stats", "-j"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    stats: dict[str, object] = json.loads(answer.stdout)
    return stats


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Callable[[int], subprocess.Popen[bytes]]]:
    (tmp_path / "hello.py").write_text(HELLO)
    started: list[subprocess.Popen[bytes]] = []

    def run(port: int) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "XDG_RUNTIME_DIR": str(tmp_path),
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": "1",
            "GUNICORN_THREADS": "1",
        }
        env.pop("GUNICORN_CONTROL_SOCKET", None)
        process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                *("--config", str(ROOT / "deploy" / "gunicorn.conf.py")),
                *("--chdir", str(tmp_path)),
                "hello:app",
            ],
            env=env,
            stdout=(tmp_path / f"gunicorn-{port}.log").open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started.append(process)
        return process

    yield run
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)


def test_two_instances_each_keep_their_own_control_socket(
    start: Callable[[int], subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    first = start(_free_port())
    _wait(lambda: len(list(tmp_path.glob("*.ctl"))) == 1, "the first control socket")
    first_socket = next(tmp_path.glob("*.ctl"))
    second = start(_free_port())
    _wait(lambda: len(list(tmp_path.glob("*.ctl"))) == 2, "a second control socket, not the first one's")
    second_socket = next(path for path in tmp_path.glob("*.ctl") if path != first_socket)

    assert _stats(first_socket)["pid"] == first.pid
    assert _stats(second_socket)["pid"] == second.pid

    os.killpg(first.pid, signal.SIGTERM)
    first.wait(timeout=30)
    assert not first_socket.exists()
    assert _stats(second_socket)["pid"] == second.pid
