"""The sandbox: results come back, overruns are killed and replaced, memory is capped, threads are fine."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from symwork.answers.sandbox import MemoryLimitError, Sandbox, TimeLimitError
from symwork.errors import ParseError


def sleep_for(seconds: float) -> str:
    time.sleep(seconds)
    return "woke"


def allocate(megabytes: int) -> int:
    return len(bytearray(megabytes * 1024 * 1024))


@pytest.fixture(scope="module")
def box() -> Sandbox:
    with Sandbox(workers=1, timeout=1.0, memory=1 << 30) as sandbox:
        sandbox.warm()
        yield sandbox


def test_run_returns_the_result(box: Sandbox) -> None:
    assert box.run("symwork.answers.checker:equal_in_process", "x^2", "x*x")["verdict"] == "equal"


def test_overrun_is_killed_and_the_worker_replaced(box: Sandbox) -> None:
    start = time.perf_counter()
    with pytest.raises(TimeLimitError):
        box.run(sleep_for, 30.0, timeout=0.5)
    assert time.perf_counter() - start < 2.0
    assert box.run(sleep_for, 0.0) == "woke"


def test_memory_limit_stops_a_memory_bomb(box: Sandbox) -> None:
    with pytest.raises(MemoryLimitError):
        box.run(allocate, 4096)
    assert box.run(allocate, 1) == 1024 * 1024


def test_symwork_errors_cross_the_process_boundary(box: Sandbox) -> None:
    with pytest.raises(ParseError):
        box.run("symwork.answers.checker:equal_in_process", "x+", "x")


def test_usable_from_threads(box: Sandbox) -> None:
    results: list[str] = []

    def work() -> None:
        results.append(box.run("symwork.answers.checker:equal_in_process", "(x+1)^2", "x^2+2*x+1")["verdict"])

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["equal"] * 4


def test_sandbox_worker_ignores_ctrl_c_and_finishes_its_task(box: Sandbox) -> None:
    # A terminal sends Ctrl-C to every process of the command: the parent stops its workers, which must
    # neither die with a KeyboardInterrupt traceback nor drop the task they are running.
    box.warm()
    worker = next(iter(box._all))
    timer = threading.Timer(0.2, os.kill, (worker.process.pid, signal.SIGINT))
    timer.start()
    try:
        assert box.run(sleep_for, 0.6) == "woke"
    finally:
        timer.cancel()
    assert worker.process.is_alive()


#: A parent that goes away while its worker is busy: the worker's reply meets a closed pipe.
_PARENT_GOES_AWAY = """
import os, sys, time
from symwork.answers.sandbox import Sandbox
sys.path.insert(0, sys.argv[1])
from test_sandbox import sleep_for
box = Sandbox(workers=1)
box.warm()
worker = next(iter(box._all))
print(worker.process.pid, flush=True)
worker.conn.send((sleep_for, (0.5,), {}))
time.sleep(0.1)
os._exit(0)  # as a parent killed by Ctrl-C would: no goodbye to the worker
"""


def test_sandbox_worker_ends_quietly_when_its_parent_goes_away(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _PARENT_GOES_AWAY, str(Path(__file__).parent)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    # The captured stderr closes only when the worker and the fork server (which share it) have exited.
    assert result.returncode == 0, result.stderr
    pid = int(result.stdout.split()[0])
    assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()
    assert "Traceback" not in result.stderr and "Error" not in result.stderr, result.stderr
