"""Load benchmark of `symwork serve`: concurrent students checking scalar answers through POST /api/check.

    python benchmarks/serve_load.py                       # 20 clients for 60 s, one pathological answer every 5 s
    python benchmarks/serve_load.py --clients 5 --seconds 10 --workers 2

Starts the real `symwork serve` on a free loopback port (127.0.0.1 only: no other address is ever
contacted), with a roster of one student per client. Each client is a student on a keep-alive connection
checking answers to their own variants of the scalar exercises (right, wrong by a random amount, and
general symbolic forms right and wrong), one request after the other with no pause. A separate client
sends a pathological answer (it runs into the 2 s limit) every few seconds. Bounded: at most --seconds
of load and --max-requests requests, then the server is stopped with Ctrl-C (SIGINT to its group).

Reports p50/p95/p99/max latency of the ordinary checks (overall, by kind, and of those that ran while a
pathological one did), errors (any status but 200, or an "error" verdict for a well-formed answer), the
pathological requests' latencies (as the client and as the server saw them), CPU seconds of the server
and its workers, anything the server wrote meanwhile, and the RSS of the server and its worker processes
at start (after warm-up), every 10 s of load, and at the end. Take the machine's load (`uptime`) with it.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run from a checkout without installing: the package is the folder above this one.
sys.path.insert(0, str(ROOT))

PATHOLOGICAL = r"\sum_{k=1}^{10000} \frac{x^k}{k!}"
#: General (symbolic) answers: derivation → (right forms, wrong forms).
GENERAL: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "sigmoid-derivative": (
        (
            r"\sigma(x)(1-\sigma(x))",
            r"\sigma(x)-\sigma(x)^2",
            r"\frac{e^{-x}}{(1+e^{-x})^2}",
            "sigmoid(x)*(1-sigmoid(x))",
        ),
        (r"\sigma(x)(1+\sigma(x))", r"-\sigma(x)(1-\sigma(x))", r"2\sigma(x)(1-\sigma(x))", r"\sigma(x)^2"),
    ),
    "tanh-derivative": (
        (r"1-\tanh^2 x", "1 - tanh(x)^2", r"\frac{4}{(e^{x}+e^{-x})^2}"),
        (r"1-\tanh x", r"1+\tanh^2 x", "tanh(x)^2"),
    ),
}


#: A week's worksheet of scalar exercises, as a class would work on it (those of the library that exist).
WORKSHEET = (
    "sigmoid-derivative",
    "tanh-derivative",
    "gelu-derivative",
    "gaussian-entropy",
    "kl-gaussians",
    "perplexity",
)


def _scalar_exercises() -> list[str]:
    """The worksheet's derivations whose exercise answer is one number (what `make_exercise(0)` gives)."""
    import sympy as sp

    import symwork

    found = []
    for derivation_id in WORKSHEET:
        try:
            derivation = symwork.get(derivation_id)
        except symwork.SymworkError:
            continue
        if derivation.exercise is None:
            continue
        answer = derivation.make_exercise(0).answer
        if isinstance(answer, sp.Expr) and answer.is_number:
            found.append(derivation.id)
    return found


@dataclass
class Student:
    """One client: its id and, per scalar exercise, the right answer to its own variant (LaTeX)."""

    id: str
    answers: dict[str, str]


def _students(count: int, exercises: list[str], course: str) -> list[Student]:
    import symwork
    from symwork.publish.printing import latex
    from symwork.seeds import problem_seed, student_seed

    students = []
    for k in range(count):
        sid = f"s{k:03d}"
        answers = {}
        for derivation_id in exercises:
            seed = problem_seed(student_seed(course, sid), derivation_id)
            answers[derivation_id] = latex(symwork.get(derivation_id).make_exercise(seed).answer)
        students.append(Student(sid, answers))
    return students


#: The mix of requests: (share, kind). "unique" answers are never seen before (nothing cached helps them).
MIX: tuple[tuple[float, str], ...] = (
    (0.40, "exercise-right"),
    (0.15, "exercise-wrong-unique"),
    (0.30, "general-right"),
    (0.15, "general-wrong"),
)


def _request(student: Student, rng: random.Random) -> tuple[str, dict[str, object]]:
    """The next request of a student, and its kind (see MIX)."""
    roll, kind = rng.random(), MIX[-1][1]
    for share, name in MIX:
        if roll < share:
            kind = name
            break
        roll -= share
    if kind.startswith("exercise"):
        derivation_id = rng.choice(sorted(student.answers))
        answer = student.answers[derivation_id]
        if kind == "exercise-wrong-unique":  # a wrong number, different every time (a fresh parse and comparison)
            answer = f"{answer} + \\frac{{{rng.randint(1, 10**6)}}}{{{rng.randint(10**6, 10**7)}}}"
        return kind, {"id": derivation_id, "answer": answer, "student": student.id}
    derivation_id = rng.choice(sorted(GENERAL))
    right, wrong = GENERAL[derivation_id]
    return kind, {"id": derivation_id, "answer": rng.choice(right if kind == "general-right" else wrong)}


@dataclass
class Tally:
    """What the clients saw."""

    latencies: list[float] = field(default_factory=list)
    #: (start, end) of every ordinary check and of every pathological one (perf_counter seconds).
    spans: list[tuple[float, float]] = field(default_factory=list)
    slow_spans: list[tuple[float, float]] = field(default_factory=list)
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    slow: list[float] = field(default_factory=list)
    slow_verdicts: list[str] = field(default_factory=list)
    #: The server's own "elapsed_ms" of each pathological check (from a worker's start to its answer).
    slow_server: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    verdicts: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _post(connection: http.client.HTTPConnection, body: dict[str, object]) -> tuple[int, dict[str, object]]:
    connection.request("POST", "/api/check", body=json.dumps(body), headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    return response.status, json.loads(response.read() or b"{}")


def _client(port: int, student: Student, seed: int, stop: threading.Event, budget: list[int], tally: Tally) -> None:
    rng = random.Random(seed)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while not stop.is_set():
        with tally.lock:
            if budget[0] <= 0:
                return
            budget[0] -= 1
        kind, body = _request(student, rng)
        start = time.perf_counter()
        try:
            status, data = _post(connection, body)
        except (OSError, http.client.HTTPException) as exc:
            with tally.lock:
                tally.errors.append(f"{type(exc).__name__}: {exc}")
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        seconds = time.perf_counter() - start
        verdict = str(data.get("verdict"))
        with tally.lock:
            tally.latencies.append(seconds)
            tally.spans.append((start, start + seconds))
            tally.by_kind.setdefault(kind, []).append(seconds)
            tally.verdicts[verdict] = tally.verdicts.get(verdict, 0) + 1
            if status != 200 or verdict in ("error", "None"):
                tally.errors.append(f"{status}: {str(data)[:200]}")
    connection.close()


def _pathological(port: int, every: float, stop: threading.Event, tally: Tally) -> None:
    while not stop.wait(every):
        # A new connection each time: the server closes a keep-alive connection idle for 5 s.
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        start = time.perf_counter()
        try:
            status, data = _post(connection, {"id": "sigmoid-derivative", "answer": PATHOLOGICAL})
        except (OSError, http.client.HTTPException) as exc:
            status, data = 0, {"verdict": f"{type(exc).__name__}: {exc}"}
        finally:
            connection.close()
        with tally.lock:
            tally.slow.append(time.perf_counter() - start)
            tally.slow_spans.append((start, time.perf_counter()))
            tally.slow_verdicts.append(f"{status} {data.get('verdict')} ({data.get('method')})")
            tally.slow_server.append(float(data.get("elapsed_ms") or 0))


def _tree(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parent = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [pid], [pid]
    while todo:
        kids = children.get(todo.pop(), [])
        found += kids
        todo += kids
    return found


def _rss_mb(pid: int) -> dict[int, float]:
    """RSS in MB of a process and its descendants (the fork server and the sandbox workers)."""
    sizes = {}
    for member in _tree(pid):
        try:
            status = Path(f"/proc/{member}/status").read_text()
        except OSError:
            continue
        found = re.search(r"VmRSS:\s+(\d+) kB", status)
        if found:
            sizes[member] = int(found.group(1)) / 1024
    return sizes


def _cpu_s(pid: int) -> dict[int, float]:
    """CPU seconds (user + system) so far of a process and its descendants."""
    tick = os.sysconf("SC_CLK_TCK")
    times = {}
    for member in _tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        times[member] = (int(fields[11]) + int(fields[12])) / tick
    return times


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def _overlapping(spans: list[tuple[float, float]], slow: list[tuple[float, float]]) -> list[float]:
    """Latencies (ms) of the ordinary checks that ran while a pathological one was in the server."""
    return [(end - start) * 1000 for start, end in spans if any(start < s_end and end > s_start for s_start, s_end in slow)]


def _summary(ms: list[float]) -> dict[str, float | int | None]:
    if not ms:
        return {"n": 0, "p50": None, "p95": None}
    return {"n": len(ms), "p50": round(statistics.median(ms), 2), "p95": round(_percentile(ms, 0.95), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--max-requests", type=int, default=200_000, help="Stop after this many ordinary checks.")
    parser.add_argument("--workers", type=int, default=None, help="Sandbox workers of the server (default: its own).")
    parser.add_argument(
        "--pathological-every", type=float, default=5.0, help="Seconds between pathological answers (0: none)."
    )
    parser.add_argument("--json", type=Path, help="Also write the figures here.")
    args = parser.parse_args()

    from symwork.seeds import DEFAULT_COURSE

    exercises = _scalar_exercises()
    students = _students(args.clients, exercises, DEFAULT_COURSE)
    folder = Path(tempfile.mkdtemp(prefix="symwork-serve-load-"))
    roster = folder / "class.csv"
    roster.write_text("id,name\n" + "".join(f"{s.id},Student {s.id}\n" for s in students), encoding="utf-8")
    command = [sys.executable, "-c", "import symwork.cli.serve; from symwork.cli import main; main()", "serve"]
    command += ["--host", "127.0.0.1", "--port", "0", "--roster", str(roster)]
    command += ["--workers", str(args.workers)] if args.workers else []
    started = time.perf_counter()
    server = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, start_new_session=True, cwd=ROOT)
    assert server.stderr is not None
    seen = ""
    while "Ctrl-C" not in seen:
        line = server.stderr.readline()
        if not line:
            raise SystemExit(f"symwork serve did not start:\n{seen}")
        seen += line
    found = re.search(r"http://127\.0\.0\.1:(\d+)/", seen)
    assert found, seen
    # Keep reading what the server writes, so that it never blocks on a full pipe; it is reported at the end.
    said: list[str] = []
    reader = threading.Thread(target=lambda: said.extend(iter(server.stderr.readline, "")), daemon=True)  # type: ignore[union-attr]
    reader.start()
    port = int(found.group(1))
    startup = time.perf_counter() - started
    try:
        # Warm-up, as a class's first minutes: each student's variants checked twice (consecutive requests
        # alternate between the workers), so every worker has built each variant's exact answer once.
        warm = Tally()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for student in students:
            for derivation_id, answer in student.answers.items():
                for _ in range(2):
                    status, data = _post(connection, {"id": derivation_id, "answer": answer, "student": student.id})
                    if status != 200 or data.get("verdict") != "equal":
                        warm.errors.append(f"{status}: {str(data)[:200]}")
        connection.close()
        warmup = time.perf_counter() - started - startup
        rss_start = _rss_mb(server.pid)
        cpu_start = _cpu_s(server.pid)
        tally, stop, budget = Tally(), threading.Event(), [args.max_requests]
        threads = [
            threading.Thread(target=_client, args=(port, student, k, stop, budget, tally))
            for k, student in enumerate(students)
        ]
        if args.pathological_every > 0:
            threads.append(threading.Thread(target=_pathological, args=(port, args.pathological_every, stop, tally)))
        cpu = os.times()
        load_start = time.perf_counter()
        for thread in threads:
            thread.start()
        # The server's RSS every 10 s of load: it may grow while results are kept, up to their bound, then stays.
        rss_series = []
        while not stop.wait(min(10.0, max(0.0, args.seconds - (time.perf_counter() - load_start)))):
            rss_series.append(round(_rss_mb(server.pid).get(server.pid, 0), 1))
            if time.perf_counter() - load_start >= args.seconds:
                break
        stop.set()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - load_start
        client_cpu = sum(os.times()[:2]) - sum(cpu[:2])
        rss_end = _rss_mb(server.pid)
        cpu_end = _cpu_s(server.pid)
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=60)
    ms = [s * 1000 for s in tally.latencies]
    figures = {
        "clients": args.clients,
        "workers": args.workers or "default",
        "cores": len(os.sched_getaffinity(0)),
        "startup_s": round(startup, 2),
        "warmup_s": round(warmup, 2),
        "scalar_exercises": exercises,
        "seconds": round(wall, 2),
        "requests": len(ms),
        "per_second": round(len(ms) / wall, 1),
        "p50_ms": round(statistics.median(ms), 2) if ms else None,
        "p95_ms": round(_percentile(ms, 0.95), 2),
        "p99_ms": round(_percentile(ms, 0.99), 2),
        "max_ms": round(max(ms), 2) if ms else None,
        "by_kind_ms": {
            kind: {
                "n": len(v),
                "p50": round(statistics.median(v) * 1000, 2),
                "p95": round(_percentile(v, 0.95) * 1000, 2),
            }
            for kind, v in sorted(tally.by_kind.items())
        },
        # The others' checks while a pathological answer was being checked: "costs no one else's" means these
        # stay as fast as the rest.
        "during_pathological_ms": _summary(_overlapping(tally.spans, tally.slow_spans)),
        "errors": len(tally.errors),
        "error_examples": tally.errors[:5],
        "verdicts": dict(sorted(tally.verdicts.items())),
        "pathological_ms": [round(s * 1000) for s in tally.slow],
        "pathological_verdicts": sorted(set(tally.slow_verdicts)),
        "pathological_server_ms": [round(s) for s in tally.slow_server],
        "client_cpu_s": round(client_cpu, 1),
        # CPU of the server process and of its workers during the load (workers killed meanwhile not counted).
        "server_cpu_s": round(cpu_end.get(server.pid, 0) - cpu_start.get(server.pid, 0), 1),
        "workers_cpu_s": round(
            sum(t - cpu_start.get(p, 0) for p, t in cpu_end.items() if p != server.pid), 1
        ),
        "rss_start_mb": {"server": round(rss_start.get(server.pid, 0), 1), "all": round(sum(rss_start.values()), 1)},
        "server_rss_every_10s_mb": rss_series,
        "rss_end_mb": {"server": round(rss_end.get(server.pid, 0), 1), "all": round(sum(rss_end.values()), 1)},
        "warmup_errors": len(warm.errors),
        "server_said": [line.rstrip() for line in said if "stopped" not in line][:10],
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    ok = figures["errors"] == 0 and (figures["p50_ms"] or 1e9) <= 40 and figures["p95_ms"] <= 150
    slow_ok = all(s <= 2000 for s in figures["pathological_ms"])
    during = figures["during_pathological_ms"]
    others_ok = during["p95"] is None or during["p95"] <= 150
    print(
        f"target p50 <= 40 ms, p95 <= 150 ms, 0 errors: {'met' if ok else 'NOT met'}; "
        f"pathological <= 2 s: {'met' if slow_ok else 'NOT met'}; "
        f"others' p95 <= 150 ms meanwhile: {'met' if others_ok else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
