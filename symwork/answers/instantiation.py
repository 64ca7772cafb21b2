"""Concrete instantiations of typed answers: sizes (every axis ≥ 2, distinct axes distinct), points, defined names.

A scope's sizes are drawn from the seed so that no two axes share a length and none is 1 (a
length-1 axis or a square shape hides transposes, missing Kronecker deltas and swapped indices); the
derivation's own order relations between sizes (k < n, say) are kept. Points come from the derivation's
sampler, so domains hold (a target that sums to one). Derivatives and gradients have no numeric rule:
they are written out at each concrete size (definitions expanded, entries differentiated) first.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.diagonal import DiagMatrix
from sympy.matrices.expressions.hadamard import HadamardProduct
from sympy.matrices.expressions.matexpr import MatrixElement

from symwork.answers.scope import Scope
from symwork.compare.tensors import Definition
from symwork.core import instances, sampling
from symwork.core.tensor_notation import EntryMax, EntrySum, Jacobian, LogSumExpOf, SoftmaxOf
from symwork.errors import CheckError

#: Sizes are drawn from 2 up to this (more only when an answer names a later entry, z_7).
LARGEST_SIZE = 7
#: Sizes for sides with derivatives, which are written out entry by entry (kept small).
LARGEST_EXPANDED_SIZE = 4


def _relations(scope: Scope) -> list[tuple[str, str]]:
    """Pairs (a, b) with a < b in every size combination the derivation declares (k < n for a rank)."""
    if scope.derivation is None:
        return []
    combos = instances.instance_sizes(scope.derivation)
    names = list(scope.sizes)
    return [
        (a, b)
        for a, b in itertools.permutations(names, 2)
        if all(a in combo and b in combo and combo[a] <= combo[b] for combo in combos)
        and any(combo[a] < combo[b] for combo in combos)
    ]


def _derived(scope: Scope) -> dict[str, list[tuple[str, str]]]:
    """Sizes the derivation ties to others in every declared combination: r = h·k, a product (equal lists are a coincidence)."""
    if scope.derivation is None:
        return {}
    combos = instances.instance_sizes(scope.derivation)
    if len(combos) < 2:
        return {}
    names = list(scope.sizes)
    derived: dict[str, list[tuple[str, str]]] = {}
    for a in names:
        others = [b for b in names if b != a and b not in derived]
        pairs = [pair for pair in itertools.combinations(others, 2) if all(combo[a] == combo[pair[0]] * combo[pair[1]] for combo in combos)]
        if pairs:
            derived[a] = pairs
    return derived


def _declared(scope: Scope) -> list[dict[Any, int]]:
    """The derivation's own size combinations (those with every size ≥ 2 first), when its sizes are tied ambiguously."""
    assert scope.derivation is not None
    combos = instances.instance_sizes(scope.derivation)
    wide = [combo for combo in combos if all(value >= 2 for value in combo.values())] or combos
    return [{scope.sizes[name]: value for name, value in combo.items()} for combo in wide]


def size_assignments(
    scope: Scope, unknowns: Sequence[sp.Symbol], minimum: Mapping[Any, int], rng: np.random.Generator, *, count: int, largest: int
) -> list[dict[Any, int]]:
    """``count`` assignments of the scope's sizes and the answer's unknown sizes: distinct values from 2 up."""
    derived = _derived(scope)
    if any(len(pairs) > 1 for pairs in derived.values()):
        # r = h·k or r = n·k? The declared sizes cannot tell, so use them as they are (some axes may coincide);
        # the answer's own unknown sizes still get distinct values of their own.
        chosen: list[dict[Any, int]] = []
        for combo in _declared(scope)[:count]:
            spare = [int(v) for v in rng.choice(np.arange(2, 2 + 2 * len(unknowns) + 9), size=len(unknowns), replace=False)]
            chosen.append({**combo, **dict(zip(unknowns, spare, strict=True))})
        return chosen
    named = [symbol for name, symbol in scope.sizes.items() if name not in derived]
    dims: list[Any] = [*named, *unknowns]
    if not dims and not derived:
        return [{}]
    relations = [(scope.sizes[a], scope.sizes[b]) for a, b in _relations(scope) if a not in derived and b not in derived]
    top = max(largest, 1 + len(dims), *(least for least in minimum.values()))
    chosen = []
    for _ in range(count * 40):
        values = [int(v) for v in rng.choice(np.arange(2, top + 1), size=len(dims), replace=False)]
        assignment = dict(zip(dims, values, strict=True))
        for name, pairs in derived.items():
            first, second = pairs[0]
            assignment[scope.sizes[name]] = assignment[scope.sizes[first]] * assignment[scope.sizes[second]]
        if any(assignment[a] >= assignment[b] for a, b in relations):
            continue
        if any(assignment.get(dim, least) < least for dim, least in minimum.items()):
            continue
        if assignment not in chosen:
            chosen.append(assignment)
        if len(chosen) == count:
            break
    if not chosen:
        raise CheckError("No sizes satisfy this problem's relations between its sizes; it cannot be checked here.")
    # Smallest first: the first counterexample found is then the easiest to read.
    return sorted(chosen, key=lambda assignment: sorted(assignment.values(), reverse=True))


def concrete(expr: Any, sizes: Mapping[Any, int]) -> Any:
    """``expr`` at concrete sizes (size symbols and unknown sizes replaced by numbers)."""
    if not isinstance(expr, sp.Basic) or not sizes:
        return expr
    return expr.xreplace({dim: sp.Integer(value) for dim, value in sizes.items()})


def needs_expansion(expr: Any) -> bool:
    return isinstance(expr, sp.Basic) and bool(expr.has(sp.Derivative, Jacobian))


def _written_out(expr: Any) -> Any:
    """symwork's own matrix functions (softmax of a vector, logsumexp, sums of entries) in terms of entries."""
    if not isinstance(expr, sp.Basic):
        return expr

    def cells(matrix: Any) -> list[Any]:
        return list(_entries(matrix))

    def softmax(node: SoftmaxOf) -> Any:
        values = cells(node.args[0])
        total = sp.Add(*[sp.exp(value) for value in values])
        return sp.ImmutableMatrix(node.shape[0], node.shape[1], [sp.exp(value) / total for value in values])

    expr = expr.replace(lambda e: isinstance(e, SoftmaxOf), softmax)
    expr = expr.replace(lambda e: isinstance(e, LogSumExpOf), lambda e: sp.log(sp.Add(*[sp.exp(v) for v in cells(e.args[0])])))
    expr = expr.replace(lambda e: isinstance(e, EntrySum), lambda e: sp.Add(*cells(e.args[0])))
    return expr.replace(lambda e: isinstance(e, EntryMax), lambda e: sp.Max(*cells(e.args[0])))


def _explicit(matrix: Any) -> sp.ImmutableMatrix:
    """A matrix expression at concrete sizes as an explicit matrix, factor by factor (SymPy's own way sums symbolically)."""
    if isinstance(matrix, sp.MatrixBase):
        return sp.ImmutableMatrix(matrix)
    if isinstance(matrix, sp.MatrixSymbol):
        rows, cols = (int(dim) for dim in matrix.shape)
        base = sp.IndexedBase(matrix.name)
        if cols == 1:
            return sp.ImmutableMatrix(rows, 1, [base[r + 1] for r in range(rows)])
        return sp.ImmutableMatrix(rows, cols, lambda r, c: base[r + 1, c + 1])
    rules: dict[type, Callable[[Any], Any]] = {
        sp.MatMul: lambda m: _product([a if not isinstance(a, sp.MatrixExpr) else _explicit(a) for a in m.args]),
        sp.MatAdd: lambda m: _sum([_explicit(a) for a in m.args]),
        sp.Transpose: lambda m: _explicit(m.arg).T,
        sp.Inverse: lambda m: _inverse(_explicit(m.arg)),
        sp.MatPow: lambda m: _product([_explicit(m.base)] * int(m.exp)) if int(m.exp) > 0 else _inverse(_product([_explicit(m.base)] * -int(m.exp))),
        HadamardProduct: lambda m: _hadamard([_explicit(a) for a in m.args]),
        DiagMatrix: lambda m: sp.ImmutableMatrix(sp.diag(*list(_explicit(m.args[0])))),
        SoftmaxOf: lambda m: _written_out(m),
    }
    for kind, rule in rules.items():
        if isinstance(matrix, kind):
            return sp.ImmutableMatrix(rule(matrix))
    if isinstance(matrix, ElementwiseApplyFunction):
        return _explicit(matrix.expr).applyfunc(matrix.function)
    return sp.ImmutableMatrix(matrix.as_explicit())


def _product(factors: list[Any]) -> Any:
    result = factors[0]
    for factor in factors[1:]:
        result = result * factor
    return result


def _sum(terms: list[Any]) -> Any:
    result = terms[0]
    for term in terms[1:]:
        result = result + term
    return result


def _hadamard(terms: list[Any]) -> Any:
    result = terms[0]
    for term in terms[1:]:
        result = result.multiply_elementwise(term)
    return result


def _inverse(matrix: sp.ImmutableMatrix) -> sp.ImmutableMatrix:
    return sp.ImmutableMatrix(matrix.adjugate(method="berkowitz") / matrix.det(method="berkowitz"))


def _entries(matrix: Any) -> Any:
    """An explicit matrix (or scalar) with the entries of matrix symbols as 1-based Indexed, like index notation."""
    matrix = _written_out(matrix) if isinstance(matrix, sp.Basic) and matrix.has(SoftmaxOf, LogSumExpOf, EntrySum, EntryMax) else matrix

    def convert(element: MatrixElement) -> Any:
        parent, row, col = element.args
        if isinstance(parent, sp.MatrixSymbol):
            base = sp.IndexedBase(parent.name)
            return base[row + 1] if parent.shape[1] == 1 else base[row + 1, col + 1]
        return element

    if isinstance(matrix, sp.MatrixExpr) and not isinstance(matrix, sp.MatrixBase):
        matrix = _explicit(matrix)
    if isinstance(matrix, sp.MatrixBase):
        return sp.ImmutableMatrix(matrix.rows, matrix.cols, [_entries(entry) for entry in matrix])
    if isinstance(matrix, sp.Basic) and matrix.has(MatrixElement, sp.Trace, sp.Determinant):
        # Scalars made of matrices (tr(AX), det A, (x^T y)[0, 0]) written out in entries.
        matrix = matrix.replace(lambda e: isinstance(e, sp.Trace), lambda e: _entries(e.arg).trace())
        matrix = matrix.replace(lambda e: isinstance(e, sp.Determinant), lambda e: _entries(e.arg).det(method="berkowitz"))
        matrix = matrix.replace(
            lambda e: isinstance(e, MatrixElement) and not isinstance(e.args[0], sp.MatrixSymbol),
            lambda e: _entries(e.args[0])[e.args[1], e.args[2]],
        )
        return matrix.replace(lambda e: isinstance(e, MatrixElement), convert)
    return matrix


def expand(expr: Any, definitions: Sequence[Any]) -> Any:
    """Derivatives and gradients written out at concrete sizes: definitions expanded, entries differentiated."""
    if not needs_expansion(expr):
        return expr

    def jacobian(node: Jacobian) -> Any:
        function, variable = node.args
        function = instances.expand_definitions(_entries(function), tuple(definitions)).doit()
        if isinstance(variable, sp.MatrixSymbol):
            cells = _entries(variable)
        else:
            cells = sp.ImmutableMatrix([[variable]])
        if isinstance(function, sp.MatrixBase) and len(function) > 1:
            return sp.ImmutableMatrix(len(function), len(cells), lambda r, c: sp.diff(function[r], cells[c]))
        scalar = function[0] if isinstance(function, sp.MatrixBase) else function
        return sp.ImmutableMatrix(cells.rows, cells.cols, [sp.diff(scalar, cell) for cell in cells])

    expr = expr.replace(lambda e: isinstance(e, Jacobian), jacobian)
    expr = instances.expand_definitions(_entries(expr), tuple(definitions))
    return expr.doit() if isinstance(expr, sp.Basic) else expr


def concrete_definitions(scope: Scope, sizes: Mapping[Any, int]) -> list[Any]:
    if scope.derivation is None:
        return []
    return [replace(d, expr=concrete(d.expr, sizes)) for d in scope.derivation.body.definitions]


def needed_definitions(scope: Scope, exprs: Sequence[Any], sizes: Mapping[Any, int]) -> tuple[Definition, ...]:
    """The defined names that ``exprs`` use (and that those use), in an order where each comes after its parts."""
    if scope.derivation is None:
        return ()
    by_name = {instances.definition_name(d): d for d in scope.derivation.body.definitions}
    order: list[str] = []

    def names_in(expr: Any) -> set[str]:
        found: set[str] = set()
        if isinstance(expr, sp.MatrixBase):
            for entry in expr:
                found |= names_in(entry)
        elif isinstance(expr, sp.Basic):
            found |= {s.name for s in expr.free_symbols if isinstance(s, sp.Symbol)}
            found |= {str(i.base.label) for i in expr.atoms(sp.Indexed)}
            found |= {m.name for m in expr.atoms(sp.MatrixSymbol)}
        return found

    def visit(name: str, trail: tuple[str, ...]) -> None:
        if name in order or name not in by_name or name in trail:
            return
        for inner in sorted(names_in(by_name[name].expr)):
            visit(inner, (*trail, name))
        order.append(name)

    for expr in exprs:
        for name in sorted(names_in(expr)):
            visit(name, ())
    expanded = concrete_definitions(scope, sizes)
    by_concrete = {instances.definition_name(d): d for d in expanded}
    needed = []
    for name in order:
        definition = by_concrete[name]
        expr = expand(definition.expr, expanded) if needs_expansion(definition.expr) else definition.expr
        axes = tuple((index, concrete(scope.derivation.body.indices.get(index, index), sizes)) for index in definition.indices)
        needed.append(Definition(name, expr, axes))
    return tuple(needed)


#: The confirmation's tolerance where a derivation's own sampler links its inputs (A and its SVD factors):
#: they agree only to float64 precision, so a tighter test would find "differences" that are its rounding.
CONSTRAINED_RTOL = 1e-11


def constrained(scope: Scope) -> bool:
    return scope.derivation is not None and scope.derivation.sampler is not None


def simplex_inputs(scope: Scope) -> tuple[str, ...]:
    """Inputs that sum to one: renormalised at high precision, where a float64 draw sums to one only approximately."""
    return tuple(name for name, entry in scope.entries.items() if entry.domain == "simplex" and entry.is_array)


def sampler(scope: Scope, sizes: Mapping[str, int], extra: Mapping[str, tuple[int, ...]]) -> Callable[[np.random.Generator], dict[str, Any]]:
    """Points: the derivation's sampler (or its inputs' domains) at these sizes, plus values for ``extra`` names."""
    derivation = scope.derivation

    def draw(rng: np.random.Generator) -> dict[str, Any]:
        point: dict[str, Any] = {}
        if derivation is not None:
            if derivation.sampler is not None:
                point = dict(derivation.sampler(rng, **sizes))
            else:
                point = sampling.sample_inputs(derivation.inputs, sizes, rng)
            point.update(sampling.sample_inputs(derivation.body.variables, sizes, rng))
        # Names read by the conventions: reals, positive at every other point so logs and roots are defined.
        positive = bool(rng.integers(0, 2))
        for name, shape in extra.items():
            if name not in point:
                low = 0.2 if positive else -2.0
                point[name] = rng.uniform(low, 2.5, shape) if shape else float(rng.uniform(low, 2.5))
        return point

    return draw
