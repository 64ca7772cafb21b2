"""The work of `symwork verify` inside a sandbox worker: typed lines of a hand derivation compared one step at a time.

Every line of a chain is read by one `Reader` (so a name has the same shape on every line): in a
derivation's scope with ``--against``, else by the conventions of ML notation, the evidence of all lines
gathered first (``x^\\top`` on line 1 makes x a vector on line 3). Each call compares one step, so that
the caller can give every step its own hard time limit.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from symwork.answers.judging import judge
from symwork.answers.marking import point_seed, reference_answer
from symwork.answers.reading import Answer, Reader, ShapeMismatchError
from symwork.answers.result import Comparison
from symwork.answers.scope import Scope
from symwork.core import registry
from symwork.core.tensor_notation import shape_of
from symwork.errors import CheckError, SymworkError


def _reader(texts: list[str], syntax: str, against: str | None) -> tuple[Reader, list[Answer | Exception]]:
    scope = Scope.of(registry.get(against)) if against else Scope.conventions()
    reader = Reader(scope)
    if against is None:
        reader.scan(texts, syntax)
    answers: list[Answer | Exception] = []
    for text in texts:
        try:
            answers.append(reader.read(text, syntax=syntax)[-1])
        except (ShapeMismatchError, SymworkError) as exc:
            answers.append(exc)
    return reader, answers


def _failed(answer: Answer | Exception) -> dict[str, Any] | None:
    if isinstance(answer, ShapeMismatchError):
        return {"verdict": "different", "method": "shape", "counterexample": None, "detail": answer.words}
    if isinstance(answer, Exception):
        return {"verdict": "undecided", "method": None, "counterexample": None, "detail": str(answer)}
    return None


def compare_step(
    texts: list[str], index: int, *, syntax: str = "latex", against: str | None = None, seed: int = 0, secret: bytes | None = None
) -> dict[str, Any]:
    """Does line ``index`` equal line ``index - 1``? The JSON of one step: verdict, method, counterexample, detail."""
    reader, answers = _reader(texts, syntax, against)
    for answer in (answers[index - 1], answers[index]):
        failed = _failed(answer)
        if failed is not None:
            return failed
    before, after = answers[index - 1], answers[index]
    assert isinstance(before, Answer) and isinstance(after, Answer)
    # Two lines are compared over every free index either has (a line equal to 0 has none).
    axes: dict[str, tuple[sp.Symbol, Any]] = {}
    for answer in (before, after):
        for index_symbol, bound in zip(answer.free, answer.ranges, strict=True):
            axes.setdefault(index_symbol.name, (index_symbol, bound))
    union = [axes[name] for name in sorted(axes)] if against is None else []
    judgement = judge(before, after, reader, seed=point_seed(secret, seed, texts[index - 1], texts[index]), axes=union)
    comparison = Comparison.from_verdict(judgement.verdict)
    json = comparison.to_json()
    detail = "; ".join(part for part in (json["detail"], *judgement.words) if part)
    notes = [note for answer in (before, after) for note in answer.notes]
    return {"verdict": json["verdict"], "method": json["method"], "counterexample": json["counterexample"], "detail": detail, "notes": notes}


def _lhs_answer(scope: Scope) -> Answer | None:
    """What the derivation starts from: its result's left side (d/dx σ(x), ∂s_i/∂z_j, g), typed like the result."""
    assert scope.derivation is not None
    body = scope.derivation.body
    lhs = body.result.lhs if body.result.lhs is not None else next((s.lhs for s in body.steps if s.lhs is not None), None)
    if lhs is None:
        return None
    shape = tuple(sp.sympify(dim) for dim in shape_of(lhs))
    return Answer(lhs, shape if shape != (1, 1) else (), tuple(scope.axes), reference_answer(scope).ranges)


def against_report(
    texts: list[str], *, syntax: str = "latex", derivation_id: str, seed: int = 0, secret: bytes | None = None
) -> dict[str, str]:
    """Does the chain start from the derivation's question and end at its result? ``{"starts", "ends", "feedback"}``."""
    reader, answers = _reader(texts, syntax, derivation_id)
    scope = reader.scope
    report = {"starts": "undecided", "ends": "undecided", "feedback": ""}
    targets = {"starts": (answers[0], _lhs_answer(scope)), "ends": (answers[-1], reference_answer(scope))}
    for key, (line, target) in targets.items():
        if isinstance(line, ShapeMismatchError):
            report[key] = "different"
            report["feedback"] = report["feedback"] or line.words
            continue
        if isinstance(line, Exception) or target is None:
            report["feedback"] = report["feedback"] or (str(line) if isinstance(line, Exception) else "")
            continue
        try:
            verdict = judge(line, target, reader, seed=point_seed(secret, seed, key, texts[0], texts[-1])).verdict
        except (CheckError, SymworkError) as exc:
            report["feedback"] = report["feedback"] or str(exc)
            continue
        report[key] = str(verdict.status)
        if key == "ends" and verdict.detail and str(verdict.status) != "equal":
            report["feedback"] = verdict.detail
    return report
