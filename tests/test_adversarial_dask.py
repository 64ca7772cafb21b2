"""Grading on Dask: hostile executor URLs fail fast in one sentence; answers on a cluster run in sandboxes with the same limits."""

from __future__ import annotations

import multiprocessing
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from symwork.answers.sandbox import DEFAULT_MEMORY
from symwork.classroom.executors import check, dask_address
from symwork.classroom.grading import grade_file
from symwork.errors import InputError


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("dask://", "The executor 'dask://' names no host; use dask://HOST:PORT, e.g. dask://127.0.0.1:8786."),
        ("dask://host:notaport", "The executor 'dask://host:notaport' has no valid port; use dask://HOST:PORT"),
        ("dask://127.0.0.1", "names no port"),
        ("dask://127.0.0.1:99999", "has no valid port"),
        ("dask://[::1", "has no valid port"),
        ("dask://user:pw@127.0.0.1:8786", "has more than a host and a port"),
        ("dask://127.0.0.1:8786/path?x=1", "has more than a host and a port"),
        ("process", "Unknown executor 'process'; use 'local' or 'dask://HOST:PORT'."),
        ("thread", "Unknown executor 'thread'"),
        ("ftp://127.0.0.1:21", "Unknown executor 'ftp://127.0.0.1:21'"),
    ],
)
def test_adversarial_hostile_executor_is_refused_before_any_work(tmp_path: Path, spec: str, message: str) -> None:
    with pytest.raises(InputError) as raised:
        check(spec)
    assert message in str(raised.value)
    submissions = tmp_path / "answers.csv"
    submissions.write_text("id,derivation,answer\ns1,sigmoid-derivative,x\n", encoding="utf-8")
    with pytest.raises(InputError, match="executor"):
        grade_file(submissions, roster=None, out=tmp_path / "report.csv", executor=spec)
    assert not (tmp_path / "report.csv").exists()


def test_adversarial_dask_address_reads_host_and_port() -> None:
    assert dask_address("dask://127.0.0.1:8786") == ("127.0.0.1", 8786)
    assert dask_address("tcp://scheduler.example:9000") == ("scheduler.example", 9000)
    assert dask_address("dask://[::1]:8786") == ("::1", 8786)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed again when the block ends: nothing listens there


def test_adversarial_unreachable_scheduler_fails_fast_in_one_sentence(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    (tmp_path / "answers.csv").write_text("id,derivation,answer\ns1,sigmoid-derivative,x\n", encoding="utf-8")
    port = _closed_port()
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "symwork", "grade", "answers.csv", "--executor", f"dask://127.0.0.1:{port}"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"symwork: Cannot reach a Dask scheduler at 127.0.0.1:{port} (Connection refused); "
        "start one (dask scheduler) or check the address."
    )
    assert time.monotonic() - started < 25  # Dask's own default would wait 30 s, then print a traceback
    assert not (tmp_path / "report.csv").exists()


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/limits").exists(), reason="reads /proc")
def test_adversarial_dask_workers_check_answers_in_sandboxes_with_the_local_limits(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")

    def sandbox_children() -> tuple[bool, list[str]]:
        # Runs on each Dask worker (pickled by value): is it still a daemon, and each sandbox worker's
        # address-space limit.
        limits = []
        for child in multiprocessing.active_children():
            text = Path(f"/proc/{child.pid}/limits").read_text()
            limits += [line.split()[3] for line in text.splitlines() if line.startswith("Max address space")]
        return multiprocessing.current_process().daemon, limits

    rows = "".join(f"s{k},sigmoid-derivative,sigma(x)*(1-sigma(x))+{k % 7}x\n" for k in range(60))
    submissions = tmp_path / "answers.csv"
    submissions.write_text("id,derivation,answer\n" + rows + "s99,sigmoid-derivative,9^9^9\n", encoding="utf-8")
    local = tmp_path / "local.csv"
    grade_file(submissions, roster=None, out=local, jobs=2)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        ) as cluster,
        distributed.Client(cluster.scheduler_address) as client,
    ):
        assert set(client.run(lambda: multiprocessing.current_process().daemon).values()) == {True}
        out = tmp_path / "dask.csv"
        grade_file(submissions, roster=None, out=out, executor=cluster.scheduler_address.replace("tcp://", "dask://"))
        states = client.run(sandbox_children)
    assert out.read_bytes() == local.read_bytes()
    # Every worker let itself start children (the plugin), and the answers ran in sandbox workers capped
    # at the same address space as on this machine.
    assert {daemon for daemon, _ in states.values()} == {False}
    limits = [limit for _, found in states.values() for limit in found]
    assert limits and set(limits) == {str(DEFAULT_MEMORY)}, states
