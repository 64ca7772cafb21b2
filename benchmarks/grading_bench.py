"""Benchmark of `symwork grade`: rows per second on generated submissions with 1 and 2 workers.

    python benchmarks/grading_bench.py                       # 10,000 rows, 20 variants per problem, jobs 1 and 2
    python benchmarks/grading_bench.py --rows 2000 --variants 0   # every row its own variant (per-student seeds)
    python benchmarks/grading_bench.py --repeat 3 --baseline /tmp/old-checkout   # medians, and against a baseline

The machine must be otherwise idle for the speed-up to mean anything: each configuration prints the load
average before and after it, and the CPU time of each sandbox worker. On a shared machine, ``--repeat`` runs
every configuration several times in turn (medians are reported) and ``--baseline`` runs another checkout's
code in turn with this one, so that both see the same load and the ratio between them means something.

The mix: right answers (LaTeX and plain), wrong answers (sign, factor, transposed, off by one), malformed
answers, broken CSV rows (stray quotes, NUL bytes, 30,000-character fields) and hostile answers (huge powers
and factorials, Python code, deep nesting). Each configuration runs in a fresh process, so that no warm
cache carries over; the reports of all configurations must be byte-identical.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

# Run from a checkout without installing: the package is the folder above this one.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HOSTILE = (
    "9^9^9",
    "(10^9)!",
    "__import__('os').system('touch /tmp/pwned')",
    "().__class__.__base__.__subclasses__()",
    "x.subs.__globals__",
    "x^{10^{10^{10}}}",
    "(" * 5000 + "x" + ")" * 5000,
    "lambda: 1",
    "f'{1}'",
    "+".join(["x"] * 2000),
)
MALFORMED = ("x +", r"\frac{1}{", "", "((1)", r"\begin{pmatrix} 1 & 2", "1 // 2", r"\unknowncommand{x}", "=")


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def generate(path: Path, *, rows: int, variants: int, seed: int = 1) -> None:
    """Write the submissions CSV (the ground truth is not needed: the two runs are compared with each other)."""
    import sympy as sp

    import symwork
    from symwork.seeds import problem_seed

    rng = random.Random(seed)
    problems = []
    for derivation in symwork.derivations():
        if derivation.exercise is None:
            continue
        answer = derivation.make_exercise(0).answer
        if isinstance(answer, sp.NDimArray) and len(answer.shape) > 2:
            continue  # typed answers of more than two axes are not supported
        problems.append(derivation.id)
    cache: dict[tuple[str, int], object] = {}

    def answer_for(derivation_id: str, exercise_seed: int) -> object:
        key = (derivation_id, exercise_seed)
        if key not in cache:
            cache[key] = symwork.get(derivation_id).make_exercise(exercise_seed).answer
        return cache[key]

    lines = ["id,derivation,answer,seed"]
    for k in range(rows):
        derivation_id = rng.choice(problems)
        variant = rng.randrange(variants) if variants else k
        exercise_seed = problem_seed(variant, derivation_id)
        roll = rng.random()
        student = f"s{k % 500:04d}"
        if roll < 0.05:  # broken CSV rows
            kind = rng.randrange(3)
            if kind == 0:
                lines.append(f'{student},{derivation_id},"1/2"x,{exercise_seed}')
            elif kind == 1:
                lines.append(f"{student},{derivation_id},1\x00,{exercise_seed}")
            else:
                lines.append(f"{student},{derivation_id},{'x' * 30_000},{exercise_seed}")
            continue
        if roll < 0.15:
            text = rng.choice(HOSTILE)
        elif roll < 0.25:
            text = rng.choice(MALFORMED)
        else:
            answer = answer_for(derivation_id, exercise_seed)
            if roll < 0.45:
                wrong = rng.randrange(3)
                if wrong == 0:
                    answer = -answer  # type: ignore[operator]
                elif wrong == 1:
                    answer = answer + 1 if not isinstance(answer, sp.MatrixBase) else answer.T  # type: ignore[operator]
                else:
                    answer = 2 * answer  # type: ignore[operator]
            plain = not isinstance(answer, sp.MatrixBase) and rng.random() < 0.3
            text = str(answer).replace("**", "^") if plain else sp.latex(answer)
        lines.append(f"{student},{derivation_id},{_quote(text)},{exercise_seed}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a live process (Linux /proc), 0 where it cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_once(submissions: Path, out: Path, jobs: int) -> dict[str, object]:
    """Grade in this (fresh) process and return the figures.

    ``worker_cpu_s`` is the CPU time of each sandbox worker: their sum staying level from 1 to 2 workers shows
    that no reference answer is built twice (each variant's rows go to one worker); the wall time then
    halves on an idle machine, which ``load_before``/``load_after`` (1-minute load average) tell.
    """
    import multiprocessing

    from symwork.classroom.grading import grade_file

    load = os.getloadavg()[0]
    start = time.perf_counter()
    report = grade_file(submissions, roster=None, out=out, jobs=jobs)
    elapsed = time.perf_counter() - start
    return {
        "jobs": jobs,
        "rows": len(report.rows),
        "seconds": round(elapsed, 2),
        "rows_per_s": round(len(report.rows) / elapsed, 1),
        "worker_cpu_s": sorted(round(_cpu_seconds(c.pid), 1) for c in multiprocessing.active_children()),
        "load_before": round(load, 2),
        "load_after": round(os.getloadavg()[0], 2),
        "status": dict(report.statuses),
        "verdict": dict(report.verdicts),
    }


def _run(script: Path, folder: Path, args: argparse.Namespace, jobs: int) -> dict[str, object]:
    """One configuration in a fresh process of ``script`` (this benchmark, or a baseline checkout's)."""
    command = [sys.executable, str(script), "--rows", str(args.rows), "--variants", str(args.variants)]
    command += ["--folder", str(folder), "--run", str(jobs)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--variants", type=int, default=20, help="variants per problem; 0 = one per row")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeat", type=int, default=1, help="rounds of every configuration; medians are reported")
    parser.add_argument("--baseline", type=Path, help="another checkout, run in turn with this one (same file)")
    parser.add_argument("--folder", type=Path, default=Path("output/grading-bench"))
    parser.add_argument("--run", type=int, help=argparse.SUPPRESS)  # internal: one configuration
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    submissions = args.folder / f"submissions-{args.rows}-{args.variants}.csv"
    if args.run is not None:
        print(json.dumps(run_once(submissions, args.folder / f"report-{args.run}.csv", args.run)))
        return
    if not submissions.exists():
        start = time.perf_counter()
        generate(submissions, rows=args.rows, variants=args.variants)
        print(f"generated {submissions} in {time.perf_counter() - start:.1f} s")
    trees = {"this": (Path(__file__).resolve(), args.folder)}
    if args.baseline is not None:
        # The baseline reads the same submissions from a folder of its own, so that the reports do not collide.
        folder = args.folder / "baseline"
        folder.mkdir(exist_ok=True)
        if not (folder / submissions.name).exists():
            os.link(submissions, folder / submissions.name)
        trees["baseline"] = (args.baseline.resolve() / "benchmarks" / "grading_bench.py", folder)
    results: dict[tuple[str, int], list[dict[str, object]]] = {}
    reports: dict[str, set[bytes]] = {}
    for round_ in range(args.repeat):
        for tree, (script, folder) in trees.items():  # in turn, so that both see the same load
            for jobs in args.jobs:
                result = _run(script, folder, args, jobs)
                results.setdefault((tree, jobs), []).append(result)
                reports.setdefault(tree, set()).add((folder / f"report-{jobs}.csv").read_bytes())
                print(json.dumps({"round": round_ + 1, "tree": tree, **result}), flush=True)
    medians = {key: statistics.median(float(r["rows_per_s"]) for r in runs) for key, runs in results.items()}  # type: ignore[arg-type]
    for tree in trees:
        print(f"{tree}: reports identical across jobs and rounds: {len(reports[tree]) == 1}")
        line = ", ".join(f"{jobs} worker(s) {medians[tree, jobs]:,.0f} rows/s" for jobs in args.jobs)
        if len(args.jobs) >= 2:
            ratios = [
                float(b["rows_per_s"]) / float(a["rows_per_s"])  # type: ignore[arg-type]
                for a, b in zip(results[tree, args.jobs[0]], results[tree, args.jobs[1]], strict=True)
            ]
            line += f"; speed-up {args.jobs[0]} → {args.jobs[1]} workers: median {statistics.median(ratios):.2f}x"
            line += f" (rounds: {', '.join(f'{r:.2f}' for r in ratios)})"
        print(f"{tree}: median of {args.repeat}: {line}")
        cpu = {jobs: statistics.median(sum(r["worker_cpu_s"]) for r in results[tree, jobs]) for jobs in args.jobs}  # type: ignore[arg-type]
        print(f"{tree}: sandbox workers' CPU seconds (sum, median): " + ", ".join(f"{j} worker(s) {c:.1f}" for j, c in cpu.items()))
    if "baseline" in trees:
        print("reports identical to the baseline's: " + str(reports["this"] == reports["baseline"]))
        for jobs in args.jobs:
            print(f"{jobs} worker(s): {medians['this', jobs] / medians['baseline', jobs]:.2f}x the baseline's rows/s")


if __name__ == "__main__":
    main()
