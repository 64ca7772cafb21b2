"""One run over tests/cases/answers.jsonl: symwork against Math-Verify and SymPy parse_latex + simplify.

Agreement with the expected verdicts, and median / 95th-percentile milliseconds per check. The foreign
checkers run in symwork's own sandbox (a killable worker process) with a per-check limit, because they
can hang; a timeout or exception counts as "error". Math-Verify and antlr4 are benchmark-only dependencies:

    pip install math-verify "antlr4-python3-runtime==4.11"
    python3 benchmarks/answers_bench.py
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

CASES = [
    json.loads(line)
    for line in (Path(__file__).parent.parent / "tests/cases/answers.jsonl").read_text().splitlines()
    if line
]
TIMEOUT = 3.0


def _latexish(text: str) -> str:
    return text if "\\" in text or "{" in text else text.replace("**", "^")


def math_verify(a: str, b: str) -> str:
    from math_verify import parse, verify

    pa, pb = parse(f"${_latexish(a)}$"), parse(f"${_latexish(b)}$")
    if not pa or not pb:
        return "error"
    return "equal" if verify(pb, pa) else "different"


def sympy_latex(a: str, b: str) -> str:
    import sympy as sp
    from sympy.parsing.latex import parse_latex

    ea, eb = parse_latex(_latexish(a)), parse_latex(_latexish(b))
    return "equal" if sp.simplify(ea - eb) == 0 else "different"


def timed(box: Any, target: str, a: str, b: str) -> tuple[str, float]:
    start = time.perf_counter()
    try:
        verdict = box.run(target, a, b, timeout=TIMEOUT)
    except Exception:  # noqa: BLE001 - a crash or a timeout of a foreign checker is its "error"
        verdict = "error"
    return verdict, (time.perf_counter() - start) * 1000


def summary(name: str, verdicts: list[str], times: list[float]) -> str:
    agree = sum(v == c["expected"] for v, c in zip(verdicts, CASES, strict=True))
    p95 = sorted(times)[int(0.95 * len(times))]
    return f"| {name} | {agree}/{len(CASES)} | {statistics.median(times):.2f} | {p95:.2f} |"


def main() -> None:
    from symwork import answers
    from symwork.answers.sandbox import Sandbox

    rows = []
    with Sandbox(workers=1, timeout=2.0) as box:
        box.warm()
        results = [answers.equal(c["text_a"], c["text_b"], sandbox=box) for c in CASES]
        rows.append(summary("symwork (sandboxed)", [r["verdict"] for r in results], [r["elapsed_ms"] for r in results]))
    sys.path.insert(0, str(Path(__file__).parent))
    with Sandbox(workers=1, timeout=TIMEOUT, memory=None) as box:
        for name, target in (("Math-Verify", "answers_bench:math_verify"), ("parse_latex + simplify", "answers_bench:sympy_latex")):
            timed(box, target, CASES[0]["text_a"], CASES[0]["text_b"])  # warm imports outside the timing
            pairs = [timed(box, target, c["text_a"], c["text_b"]) for c in CASES]
            rows.append(summary(name, [p[0] for p in pairs], [p[1] for p in pairs]))
            print(rows[-1], flush=True)
    print("| checker | agreement | median ms | p95 ms |\n|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
