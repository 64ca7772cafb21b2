"""STACK's 156 "core" AlgEquiv rows, translated from Maxima to our plain syntax, scored by mathematical truth.

Core subset (see /work/shared/peer-cases/README.md): rows with ``plain_scalar`` true, minus those whose
``features`` contain a tag starting with ``cas_command_or_predicate``, ``calculus(``, ``ev``,
``assignment/flag(:)``, ``sequence_block(``, ``nounform``, ``plusminus_#pm#`` or
``undefined_function_symbol(``, minus ``expected == -1``: 156 rows (1 = 91, 0 = 52, -3 = 13).
Truth: 1 and -3 mean equal, 0 means different. A row we cannot read counts as a miss.

    python3 benchmarks/stack_core.py [--verbose]
"""

from __future__ import annotations

import json
import re
import statistics
import sys
from pathlib import Path

from symwork import answers
from symwork.answers.sandbox import Sandbox

FIXTURES = Path("/work/shared/peer-cases/stack-algequiv.jsonl")
EXCLUDED = (
    "cas_command_or_predicate",
    "calculus(",
    "ev",
    "assignment/flag(:)",
    "sequence_block(",
    "nounform",
    "plusminus_#pm#",
    "undefined_function_symbol(",
)


def core_rows() -> list[dict]:
    rows = [json.loads(line) for line in FIXTURES.read_text().splitlines() if line.strip()]

    def excluded(feature: str) -> bool:
        return any(feature == tag or (tag.endswith("(") and feature.startswith(tag)) for tag in EXCLUDED)

    return [
        r for r in rows if r["plain_scalar"] and r["expected"] != -1 and not any(excluded(f) for f in r["features"])
    ]


def _split_args(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += char in "(["
        depth -= char in ")]"
        current += char
    parts.append(current)
    return parts


#: Maxima functions rewritten into functions our plain parser knows (args already translated).
REWRITES = {
    "root": lambda args: f"sqrt({args[0]})" if len(args) == 1 else f"(({args[0]})^(1/({args[1]})))",
    "lg": lambda args: f"(log({args[0]})/log({args[1] if len(args) > 1 else 10}))",
    "cosec": lambda args: f"csc({args[0]})",
    "cosech": lambda args: f"(1/sinh({args[0]})",
    "csch": lambda args: f"(1/sinh({args[0]}))",
    "signum": lambda args: f"sign({args[0]})",
}


def _rewrite_calls(text: str) -> str:
    out, i = "", 0
    pattern = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\(")
    while i < len(text):
        match = pattern.match(text, i) if (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")) else None
        if match and match.group(1) in REWRITES:
            depth, j = 1, match.end()
            while j < len(text) and depth:
                depth += {"(": 1, ")": -1}.get(text[j], 0)
                j += 1
            inner = text[match.end() : j - 1]
            args = [_rewrite_calls(a) for a in _split_args(inner)]
            out += REWRITES[match.group(1)](args)
            i = j
            continue
        out += text[i]
        i += 1
    return out


def translate(maxima: str, features: list[str]) -> str:
    """Maxima (as typed in STACK) → symwork plain syntax."""
    text = maxima.replace("%pi", "pi").replace("%e", "e").replace("%i", "sqrt(-1)")
    text = re.sub(r"\bminf\b", "(-inf)", text)
    text = re.sub(r"\bcosech\(", "csch(", text)
    if "bare_i" in features:
        text = re.sub(r"\bi\b", "sqrt(-1)", text)
    # x[1] is an atom of its own in Maxima, different from x_1 and x1.
    text = re.sub(r"([A-Za-z][A-Za-z0-9]*)\[(\d+)\]", r"\1_idx\2", text)
    return _rewrite_calls(text)


def main() -> None:
    verbose = "--verbose" in sys.argv
    rows = core_rows()
    hits, times, misses = 0, [], []
    with Sandbox(workers=1, timeout=2.0) as box:
        box.warm()
        for row in rows:
            a, b = translate(row["student"], row["features"]), translate(row["teacher"], row["features"])
            result = answers.equal(a, b, sandbox=box)
            truth = "different" if row["expected"] == 0 else "equal"
            times.append(result["elapsed_ms"])
            if result["verdict"] == truth:
                hits += 1
            else:
                misses.append(
                    (row["line"], row["expected"], a, b, result["verdict"], result.get("error") or result.get("detail"))
                )
    print(f"core rows: {len(rows)}; symwork correct: {hits}/{len(rows)}")
    print(f"median {statistics.median(times):.2f} ms, p95 {sorted(times)[int(0.95 * len(times))]:.2f} ms per check")
    print("misses (line, expected, a, b, verdict, note):")
    for miss in misses:
        print("  ", *miss, sep=" | " if verbose else " | ")


if __name__ == "__main__":
    main()
