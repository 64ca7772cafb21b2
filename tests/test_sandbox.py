"""The sandbox: results come back, overruns are killed and replaced, memory is capped, threads are fine."""

from __future__ import annotations

import threading
import time

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
