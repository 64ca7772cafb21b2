"""Typed-answer performance (issue 10): scalar, matrix-form and index-form checks in process, and `symwork check` end to end.

One run measures, on this machine:

1. scalar checks in process: `symwork.answers.marking.compare_texts` over tests/cases/answers.jsonl;
2. matrix- and index-form checks in process: `check_answer` over the derivation rows of
   tests/cases/matrix_answers.jsonl (right and wrong answers, at the library's sizes);
3. `symwork check` end to end (a new process: start-up, library, sandbox, check) for a matrix-form answer;
4. Math-Verify on the same expression pairs in the same run (the ratio the issue asks for): the scalar
   table, and the matrix table's `equal` rows (the only ones Math-Verify can be given, with no derivation).

    pip install math-verify "antlr4-python3-runtime==4.11"   # benchmark-only
    python3 benchmarks/matrix_bench.py
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCALAR = [json.loads(line) for line in (ROOT / "tests/cases/answers.jsonl").read_text().splitlines() if line]
MATRIX = [json.loads(line) for line in (ROOT / "tests/cases/matrix_answers.jsonl").read_text(encoding="utf-8").splitlines() if line]


def _timed(call: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    try:
        value = call()
    except Exception as exc:  # noqa: BLE001 - a failure is measured like any outcome
        value = exc
    return value, (time.perf_counter() - start) * 1000


def _summary(name: str, times: list[float], extra: str = "") -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"| {name} | {len(times)} | {statistics.median(times):.2f} | {p95:.2f} | {extra} |"


def _math_verify(pairs: list[tuple[str, str, str]]) -> tuple[list[float], int]:
    """Math-Verify's times, and how often its verdict is the expected one (equal / different)."""
    from math_verify import parse, verify

    def one(a: str, b: str) -> bool:
        return bool(verify(parse(f"${b}$"), parse(f"${a}$")))

    one("x", "x")  # imports and grammar outside the timing
    times, agreed = [], 0
    for a, b, expected in pairs:
        value, ms = _timed(lambda a=a, b=b: one(a, b))
        times.append(ms)
        agreed += (value is True) == (expected == "equal") and not isinstance(value, Exception)
    return times, agreed


def main() -> None:
    import symwork
    from symwork.answers.marking import check_answer, compare_texts

    rows = ["| what | checks | median ms | p95 ms | note |", "|---|---|---|---|---|"]
    compare_texts("x^2 - 1", "(x - 1)(x + 1)")
    scalar_times = [_timed(lambda r=row: compare_texts(r["text_a"], r["text_b"]))[1] for row in SCALAR]
    rows.append(_summary("symwork scalar (in process)", scalar_times, "answers.jsonl"))

    derivation_rows = [row for row in MATRIX if row["derivation"]]
    for row in derivation_rows:  # the library and each derivation's scope, loaded once (as in a sandbox worker)
        _timed(lambda r=row: check_answer(symwork.get(r["derivation"]), "0"))
    forms: dict[str, list[float]] = {"matrix": [], "index": [], "other": []}
    for row in derivation_rows:
        _, ms = _timed(lambda r=row: check_answer(symwork.get(r["derivation"]), r["answer"]))
        form = "matrix" if "matrix" in row["tags"] or "vector" in row["tags"] else ("index" if "index" in row["tags"] else "other")
        forms[form].append(ms)
    rows.append(_summary("symwork matrix/vector form (in process)", forms["matrix"], "matrix_answers.jsonl"))
    rows.append(_summary("symwork index form (in process)", forms["index"], "matrix_answers.jsonl"))
    conventions = [row for row in MATRIX if not row["derivation"]]
    convention_results = [_timed(lambda r=row: compare_texts(r["answer"], r["other"])) for row in conventions]
    convention_times = [ms for _, ms in convention_results]
    agreed = sum(getattr(result, "verdict", None) == row["expected"] for (result, _), row in zip(convention_results, conventions, strict=True))
    rows.append(_summary("symwork equal, matrix notation (in process)", convention_times, f"agrees on {agreed}/{len(conventions)}"))

    answer = r"(A + A^\top)\bm{x}"
    end_to_end = []
    for _ in range(5):
        _, ms = _timed(
            lambda: subprocess.run(
                [sys.executable, "-m", "symwork", "check", "quadratic-form-gradient", answer], capture_output=True, check=False
            )
        )
        end_to_end.append(ms)
    rows.append(_summary("`symwork check` end to end (new process)", end_to_end, "quadratic-form-gradient"))

    try:
        mv_scalar, mv_scalar_agreed = _math_verify([(r["text_a"], r["text_b"], r["expected"]) for r in SCALAR])
        mv_matrix, mv_matrix_agreed = _math_verify([(r["answer"], r["other"], r["expected"]) for r in conventions])
    except ImportError:
        print("\n".join(rows))
        print("\n(Math-Verify is not installed: pip install math-verify 'antlr4-python3-runtime==4.11')")
        return
    rows.append(_summary("Math-Verify scalar", mv_scalar, f"agrees with the table on {mv_scalar_agreed}/{len(SCALAR)}"))
    rows.append(_summary("Math-Verify matrix notation", mv_matrix, f"agrees on {mv_matrix_agreed}/{len(conventions)}"))
    print("\n".join(rows))
    ratio = statistics.median(mv_scalar) / statistics.median(scalar_times)
    print(f"\nscalar median: symwork is {ratio:.1f}x faster than Math-Verify in this run")
    matrix_ratio = statistics.median(mv_matrix) / statistics.median(convention_times)
    print(f"matrix-notation pairs: symwork median / Math-Verify median = {1 / matrix_ratio:.2f}")


if __name__ == "__main__":
    main()
