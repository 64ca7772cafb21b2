"""No false "correct": a thousand wrong answers across the library (a dropped term, a swapped index, a transpose, a sign).

Each wrong answer is the derivation's own result, perturbed; it counts only when an independent computation
(the library audit's numpy evaluation at a concrete instance, not the checker's evaluator) says it differs
from the result. Every one of them must be judged not correct, read from its printed LaTeX like a student's.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import sympy as sp

import symwork
from symwork.answers.marking import check_answer
from symwork.core import instances, numeric
from symwork.publish.printing import latex

WANTED = 1000


def _adds(expr: sp.Basic) -> list[sp.Basic]:
    return [node for node in sp.preorder_traversal(expr) if isinstance(node, (sp.Add, sp.MatAdd)) and len(node.args) > 1]


def _perturbations(derivation: Any, rng: np.random.Generator) -> Iterator[tuple[str, Any]]:
    """(kind, perturbed result) pairs that SymPy can build (a dropped matrix term may leave a scalar: skipped)."""
    for kind, build in _candidates(derivation):
        try:
            yield kind, build()
        except (TypeError, ValueError, sp.matrices.exceptions.ShapeError):
            continue


def _candidates(derivation: Any) -> Iterator[tuple[str, Any]]:
    """(kind, builder) pairs: signs, dropped terms, swapped indices, transposes, changed constants, factors, exponents."""
    rhs = derivation.body.result.rhs
    if isinstance(rhs, sp.MatrixBase):
        rhs = sp.ImmutableMatrix(rhs)

    def swap(old: Any, new: Any) -> Any:
        return lambda: rhs.xreplace({old: new})

    def without(node: Any, term: Any) -> Any:
        kept = [arg for arg in node.args if arg is not term]
        return lambda: rhs.xreplace({node: node.func(*kept) if len(kept) > 1 else kept[0]})

    def flipped(node: Any, term: Any) -> Any:
        return lambda: rhs.xreplace({node: node.func(*[-arg if arg is term else arg for arg in node.args])})

    yield "sign", lambda: -rhs
    for node in _adds(rhs):
        for term in node.args:
            yield "dropped term", without(node, term)
            yield "sign", flipped(node, term)
    for indexed in sorted(rhs.atoms(sp.Indexed), key=str) if isinstance(rhs, sp.Basic) else []:
        others = sorted({i for i in derivation.body.indices if rhs.has(i)} - set(indexed.indices), key=str)
        for position, index in enumerate(indexed.indices):
            if index in derivation.body.result_indices and sum(str(i).count(str(index)) for i in rhs.atoms(sp.Indexed)) <= 1:
                continue  # the only use of a free index, renamed: the documented reading maps it back (equal)
            for other in others[:2]:
                changed = list(indexed.indices)
                changed[position] = other
                yield "swapped index", swap(indexed, indexed.base[tuple(changed)])
    indices = sorted({i for i in derivation.body.indices if rhs.has(i)}, key=str)
    free = set(derivation.body.result_indices)
    for first, second in itertools.combinations(indices, 2):
        if first in free and second in free:  # swapping a bound letter everywhere is a relabelling: equal
            yield "swapped index", (lambda a=first, b=second: rhs.xreplace({a: b, b: a}))
    for matrix in sorted(rhs.atoms(sp.MatrixSymbol), key=str) if isinstance(rhs, sp.Basic) else []:
        if matrix.shape[0] == matrix.shape[1]:
            yield "transpose", swap(matrix, matrix.T)
    if isinstance(rhs, (sp.MatrixExpr, sp.MatrixBase)) and rhs.shape[0] == rhs.shape[1]:
        yield "transpose", lambda: rhs.T
    for number in sorted({n for n in rhs.atoms(sp.Rational) if n not in (0, 1, -1)}, key=str)[:2]:
        yield "changed constant", swap(number, number + 1)
    for node in [n for n in sp.preorder_traversal(rhs) if isinstance(n, (sp.Mul, sp.MatMul)) and len(n.args) > 1][:12]:
        for factor in node.args:
            yield "dropped factor", without(node, factor)
    for node in _adds(rhs)[:8]:
        for term in node.args:
            yield "scaled term", (lambda n=node, t=term: rhs.xreplace({n: n.func(*[2 * a if a is t else a for a in n.args])}))
    for power in [p for p in sp.preorder_traversal(rhs) if isinstance(p, sp.Pow) and p.exp.is_Integer][:8]:
        yield "changed exponent", (lambda p=power: rhs.xreplace({p: sp.Pow(p.base, p.exp + 1)}))
    names = sorted(
        {s for s in rhs.free_symbols if isinstance(s, sp.Symbol) and not s.is_integer and s.name in {i.name for i in derivation.inputs}},
        key=str,
    ) if isinstance(rhs, sp.Basic) else []
    for first, second in itertools.permutations(names, 2):
        yield "replaced name", swap(first, second)
    bases = sorted({i.base for i in rhs.atoms(sp.Indexed)}, key=str) if isinstance(rhs, sp.Basic) else []
    for first, second in itertools.permutations(bases, 2):
        yield "replaced array", swap(first, second)
    for node in sorted(rhs.atoms(sp.Transpose), key=str) if isinstance(rhs, sp.Basic) else []:
        yield "dropped transpose", swap(node, node.arg)
    for leaf in sorted(rhs.atoms(sp.Indexed, sp.Symbol), key=str)[:3] if isinstance(rhs, sp.Basic) and not rhs.is_Matrix else []:
        if not getattr(leaf, "is_integer", False):
            yield "extra term", (lambda a=leaf: rhs + a)
    for call in sorted(rhs.atoms(sp.exp, sp.log, sp.sqrt), key=str) if isinstance(rhs, sp.Basic) else []:
        other = {sp.exp: sp.log, sp.log: sp.exp}.get(call.func)
        if other is not None:
            yield "wrong function", swap(call, other(*call.args))


_INSTANCES: dict[str, Any] = {}


def _instance_values(derivation: Any, expr: Any, sizes: dict[str, int], rng: np.random.Generator) -> np.ndarray:
    """The audit's independent evaluation: the expression made explicit at an instance, compiled by numpy."""
    if derivation.id not in _INSTANCES:
        _INSTANCES[derivation.id] = derivation.instance(**sizes)
    instance = _INSTANCES[derivation.id]
    concrete = {symbol: sp.Integer(sizes[name]) for name, symbol in instances.symbolic_sizes(derivation).items()}
    prepared = instances.prepare(expr.xreplace(concrete), instance.body)
    point = instances.point_sampler(instance)(rng)
    ranges = [(index, int(instance.body.indices[index])) for index in instance.body.result_indices]
    return np.asarray(numeric.evaluate(prepared, point, ranges), dtype=float)


def _truly_different(derivation: Any, wrong: Any, rng: np.random.Generator) -> bool:
    sizes = instances.instance_sizes(derivation)[-1]
    for _ in range(3):
        seed = int(rng.integers(2**31))
        try:
            a = _instance_values(derivation, wrong, sizes, np.random.default_rng(seed))
            b = _instance_values(derivation, derivation.body.result.rhs, sizes, np.random.default_rng(seed))
        except Exception:  # noqa: BLE001 - a perturbation the audit cannot evaluate is simply not counted
            return False
        if a.shape != b.shape:
            return True
        finite = np.isfinite(a) & np.isfinite(b)
        if finite.any() and not np.allclose(a[finite], b[finite], rtol=1e-6, atol=1e-9):
            return True
    return False


def _library() -> list[Any]:
    return [d for d in symwork.derivations() if d.body.result.rhs is not None]


@pytest.mark.slow
def test_a_thousand_wrong_answers_are_never_judged_correct() -> None:
    rng = np.random.default_rng(20261201)
    seen: set[tuple[str, Any]] = set()
    candidates = []
    for derivation in _library():
        for kind, wrong in _perturbations(derivation, rng):
            if (derivation.id, wrong) not in seen and wrong != derivation.body.result.rhs:
                seen.add((derivation.id, wrong))
                candidates.append((derivation, kind, wrong))
    judged: dict[str, int] = {}
    false_correct: list[tuple[str, str, str]] = []
    for position in rng.permutation(len(candidates)):
        if sum(judged.values()) >= WANTED:
            break
        derivation, kind, wrong = candidates[position]
        if not _truly_different(derivation, wrong, rng):
            continue  # equal after all (a symmetric matrix transposed, a term that is zero): not a wrong answer
        text = latex(wrong)  # typed as the worksheets print it
        try:
            verdict = check_answer(derivation, text).verdict.value
        except symwork.SymworkError:
            verdict = "error"  # an answer that cannot be read is not judged correct either
        judged[kind] = judged.get(kind, 0) + 1
        if verdict == "equal":
            false_correct.append((derivation.id, kind, text))
    assert false_correct == [], "\n".join(map(str, false_correct))
    assert sum(judged.values()) >= WANTED, judged
    assert {"sign", "dropped term", "swapped index", "transpose"} <= set(judged)
