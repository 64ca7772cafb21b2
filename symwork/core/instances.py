"""From a Derivation to Instances: concrete sizes, expanded definitions, evaluation and exact answers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from symwork.core import numeric, sampling
from symwork.core.spec import Body, Definition, Instance, symbolic_shape_names, sympy_symbol_for_size
from symwork.errors import InputError, ShapeError

if TYPE_CHECKING:
    from symwork.core.derivation import Derivation


def size_names(derivation: Derivation) -> list[str]:
    names = symbolic_shape_names(derivation.inputs)
    for extra in derivation.sizes:
        if extra not in names:
            names.append(extra)
    return names


def symbolic_sizes(derivation: Derivation) -> dict[str, sp.Symbol]:
    return {name: sympy_symbol_for_size(name) for name in size_names(derivation)}


def instantiate(derivation: Derivation, sizes: Mapping[str, int]) -> Instance:
    expected = size_names(derivation)
    unknown = sorted(set(sizes) - set(expected))
    missing = [name for name in expected if name not in sizes]
    if unknown or missing:
        raise InputError(
            f"Derivation {derivation.id!r} takes sizes {', '.join(expected) or 'none'}; "
            f"got {', '.join(f'{k}={v}' for k, v in sizes.items()) or 'none'}."
        )
    concrete = {name: int(sizes[name]) for name in expected}
    return Instance(derivation=derivation, sizes=concrete, body=derivation.build(**concrete))


def _matrix_to_indexed(expr: Any) -> Any:
    """Entries of explicit matrix expressions become 1-based Indexed, like the rest of the notation."""

    def convert(element: MatrixElement) -> sp.Expr:
        parent, row, col = element.args
        base = sp.IndexedBase(parent.name) if isinstance(parent, sp.MatrixSymbol) else parent
        if isinstance(parent, sp.MatrixSymbol) and parent.shape[1] == 1:
            return base[row + 1]
        return base[row + 1, col + 1]

    return expr.replace(lambda e: isinstance(e, MatrixElement), convert)


def explicit(expr: Any) -> Any:
    """A matrix expression at concrete sizes as an explicit matrix of scalar entries."""
    if isinstance(expr, sp.MatrixExpr) and not isinstance(expr, sp.MatrixBase):
        expr = expr.as_explicit()
    if isinstance(expr, sp.MatrixBase):
        return sp.ImmutableMatrix(expr.shape[0], expr.shape[1], [_matrix_to_indexed(e) for e in expr])
    return _matrix_to_indexed(expr) if isinstance(expr, sp.Basic) else expr


def expand_definitions(expr: Any, definitions: tuple[Definition, ...], *, limit: int = 20) -> Any:
    """Replace every defined name by its definition until none is left."""
    by_name = {definition_name(definition): definition for definition in definitions}

    def is_defined(e: Any) -> bool:
        if isinstance(e, sp.Indexed):
            return e.base.label.name in by_name and by_name[e.base.label.name].indices != ()
        return isinstance(e, sp.Symbol) and e.name in by_name and not by_name[e.name].indices

    def substitute(e: Any) -> Any:
        if isinstance(e, sp.Indexed):
            definition = by_name[e.base.label.name]
            return explicit(definition.expr).xreplace(dict(zip(definition.indices, e.indices, strict=True)))
        return explicit(by_name[e.name].expr)

    for _ in range(limit):
        if not isinstance(expr, sp.Basic) or not expr.has(*_atoms(expr, is_defined)):
            return expr
        expr = expr.replace(is_defined, substitute)
    return expr


def _atoms(expr: Any, predicate: Any) -> list[Any]:
    found = [node for node in sp.preorder_traversal(expr) if predicate(node)]
    return found or [sp.Symbol("__never__")]


def prepare(expr: Any, body: Body) -> Any:
    """A side of a step, ready for numeric checking: explicit, definitions expanded, derivatives and sums done."""
    expr = expand_definitions(explicit(expr), body.definitions)
    if isinstance(expr, sp.Basic):
        expr = expr.doit()
        if isinstance(expr, sp.MatrixBase):
            expr = sp.ImmutableMatrix(expr.shape[0], expr.shape[1], [_matrix_to_indexed(e).doit() for e in expr])
    return expr


def infer_sizes(derivation: Derivation, values: Mapping[str, Any]) -> dict[str, int]:
    """Sizes read off the arrays' shapes, with errors that say what was expected."""
    sizes: dict[str, int] = {}
    expected = ", ".join(f"{item.name} {shape_text(item.shape)}" for item in derivation.inputs)
    unknown = sorted(set(values) - {item.name for item in derivation.inputs})
    if unknown:
        raise ShapeError(f"{derivation.id!r} takes {expected}; {', '.join(map(repr, unknown))} is not one of them.")
    for item in derivation.inputs:
        if item.name not in values:
            raise ShapeError(f"{derivation.id!r} needs {item.name}, {shape_text(item.shape)}; it takes {expected}.")
        array = np.asarray(values[item.name], dtype=float)
        if not item.shape:
            if array.ndim and not derivation.elementwise:
                raise ShapeError(f"{derivation.id!r} needs {item.name} to be a scalar; got shape {array.shape}.")
            continue
        if array.ndim != len(item.shape):
            raise ShapeError(
                f"{derivation.id!r} needs {item.name} of shape {shape_text(item.shape)}; got shape {array.shape}."
            )
        for dim, actual in zip(item.shape, array.shape, strict=True):
            want = sizes.setdefault(dim, actual) if isinstance(dim, str) else dim
            if want != actual or actual == 0:
                raise ShapeError(
                    f"{derivation.id!r} needs {item.name} of shape {shape_text(item.shape)} consistent with "
                    f"{', '.join(f'{k}={v}' for k, v in sizes.items())}; got shape {array.shape}."
                )
    for name in size_names(derivation):
        if name not in sizes:
            if name in derivation.sizes and derivation.sizes[name]:
                sizes[name] = derivation.sizes[name][0]
    return sizes


def shape_text(shape: tuple[Any, ...]) -> str:
    if not shape:
        return "a scalar"
    return "an array of shape (" + ", ".join(str(d) for d in shape) + (",)" if len(shape) == 1 else ")")


def _definition_values(body: Body, values: dict[str, Any]) -> dict[str, Any]:
    """Evaluate the definitions once, as arrays over their indices, in dependency order."""
    scope = dict(values)
    index_names = {i.name for i in body.indices}
    pending = [
        (name, expr, ranges, needs)
        for name, expr, ranges, needs in _definition_forms(body)
        if not expr.has(sp.Derivative)
    ]
    while pending:
        ready = [item for item in pending if item[3] - index_names <= set(scope)]
        if not ready:
            break  # the rest depend on something unknown; the evaluation that needs it reports it
        for item in ready:
            name, expr, ranges, _ = item
            scope[name] = numeric.evaluate(expr, scope, ranges)
            pending.remove(item)
    return scope


#: Explicit forms of an instance's definitions and result, built once per instance (an audit evaluates often).
_FORMS: dict[int, tuple[Any, Any]] = {}


def _cached_form(owner: Any, build: Any) -> Any:
    key = id(owner)
    cached = _FORMS.get(key)
    if cached is not None and cached[0] is owner:
        return cached[1]
    if len(_FORMS) >= 512:
        del _FORMS[next(iter(_FORMS))]
    form = build()
    _FORMS[key] = (owner, form)
    return form


def _definition_forms(body: Body) -> list[tuple[str, Any, list[tuple[Any, int]], set[str]]]:
    def build() -> list[tuple[str, Any, list[tuple[Any, int]], set[str]]]:
        forms = []
        for definition in body.definitions:
            expr = explicit(definition.expr) if isinstance(definition.expr, sp.Basic) else sp.sympify(definition.expr)
            ranges = [(index, int(body.indices[index])) for index in definition.indices]
            forms.append((definition_name(definition), expr, ranges, numeric.free_names(expr)))
        return forms

    return list(_cached_form(body, build))


def definition_name(definition: Definition) -> str:
    symbol = definition.symbol
    return str(symbol.label) if isinstance(symbol, sp.IndexedBase) else str(symbol.name)


def result_expression(instance: Instance) -> Any:
    """The result's right-hand side, with only definitions that hide derivatives expanded."""
    body = instance.body
    rhs = explicit(body.result.rhs)
    if isinstance(rhs, sp.Basic) and rhs.has(sp.Derivative):
        return prepare(rhs, body)
    derivative_defs = tuple(d for d in body.definitions if isinstance(d.expr, sp.Basic) and d.expr.has(sp.Derivative))
    rhs = expand_definitions(rhs, derivative_defs)
    return rhs.doit() if isinstance(rhs, sp.Basic) and derivative_defs else rhs


def evaluate_instance(instance: Instance, values: Mapping[str, Any]) -> np.ndarray:
    arrays = {name: np.asarray(value, dtype=float) for name, value in values.items()}
    scope = _definition_values(instance.body, arrays)
    ranges = [(index, int(instance.body.indices[index])) for index in instance.body.result_indices]
    rhs = _cached_form(instance, lambda: explicit(result_expression(instance)))
    value = numeric.evaluate(rhs, scope, ranges)
    # Column vectors are returned as 1-D arrays, as numpy users expect of a gradient.
    if isinstance(rhs, sp.MatrixBase) and rhs.shape[1] == 1 and not ranges:
        value = value[:, 0]
    return value


def evaluate(derivation: Derivation, values: Mapping[str, Any]) -> np.ndarray:
    sizes = infer_sizes(derivation, values)
    instance = _cached_instance(derivation, sizes)
    if derivation.evaluator is not None:
        return np.asarray(derivation.evaluator(instance, {k: np.asarray(v, dtype=float) for k, v in values.items()}))
    return evaluate_instance(instance, values)


_INSTANCES: dict[tuple[str, str, tuple[tuple[str, int], ...]], tuple[Derivation, Instance]] = {}


def _cached_instance(derivation: Derivation, sizes: Mapping[str, int]) -> Instance:
    """The instance at these sizes, built once per derivation object (evaluating is what audits and graders repeat)."""
    key = (derivation.id, derivation.source, tuple(sorted(sizes.items())))
    cached = _INSTANCES.get(key)
    if cached is not None and cached[0] is derivation:
        return cached[1]
    instance = instantiate(derivation, sizes)
    _INSTANCES[key] = (derivation, instance)
    return instance


def exact_answer(derivation: Derivation, values: Mapping[str, Any]) -> Any:
    """The result at exact values (integers, Rationals, SymPy matrices or nested lists), as SymPy."""
    sizes = exact_sizes(derivation, values)
    body, expr = _prepared_result(derivation, sizes)
    substitution = exact_substitution(derivation, values)
    if body.result_indices:
        ranges = [range(1, int(body.indices[index]) + 1) for index in body.result_indices]
        table = np.empty(tuple(len(r) for r in ranges), dtype=object)
        entries = _result_entries(derivation, sizes)
        for position in np.ndindex(table.shape):
            table[position] = _tidy(substitute(entries[position], substitution))
        if table.ndim <= 2:
            return sp.ImmutableMatrix(table.reshape(table.shape[0], -1).tolist())
        return sp.ImmutableDenseNDimArray(table.tolist())
    return tidy_all(substitute(expr, substitution))


def exact_sizes(derivation: Derivation, values: Mapping[str, Any]) -> tuple[tuple[str, int], ...]:
    shapes = {name: np.asarray(value, dtype=object).shape for name, value in values.items()}
    return tuple(sorted(infer_sizes(derivation, {name: np.zeros(shape) for name, shape in shapes.items()}).items()))


def exact_substitution(derivation: Derivation, values: Mapping[str, Any]) -> dict[Any, Any]:
    substitution: dict[Any, Any] = {}
    for item in derivation.inputs:
        value = values[item.name]
        if not item.shape:
            substitution[sp.Symbol(item.name)] = _exact(value)
            continue
        array = np.asarray(value, dtype=object)
        base = sp.IndexedBase(item.name)
        for position in np.ndindex(array.shape):
            substitution[base[tuple(p + 1 for p in position)]] = _exact(array[position])
    return substitution


def tidy_all(value: Any) -> Any:
    return value.applyfunc(_tidy) if isinstance(value, sp.MatrixBase) else _tidy(value)


_PREPARED: dict[tuple[str, str, tuple[tuple[str, int], ...]], tuple[Body, Any]] = {}


def _prepared_result(derivation: Derivation, sizes: tuple[tuple[str, int], ...]) -> tuple[Body, Any]:
    """The instance's result with definitions expanded, once per derivation and sizes (grading asks often)."""
    key = (derivation.id, derivation.source, sizes)
    if key not in _PREPARED:
        body = instantiate(derivation, dict(sizes)).body
        _PREPARED[key] = (body, prepare(body.result.rhs, body))
    return _PREPARED[key]


def _result_entries(derivation: Derivation, sizes: tuple[tuple[str, int], ...]) -> dict[tuple[int, ...], Any]:
    """The result entry by entry (free indices given their values), cached like ``_prepared_result``."""
    key = (derivation.id + "#entries", derivation.source, sizes)
    if key not in _ENTRIES:
        body, expr = _prepared_result(derivation, sizes)
        ranges = [range(1, int(body.indices[index]) + 1) for index in body.result_indices]
        table: dict[tuple[int, ...], Any] = {}
        for position in np.ndindex(tuple(len(r) for r in ranges)):
            point = {index: ranges[axis][position[axis]] for axis, index in enumerate(body.result_indices)}
            table[position] = substitute(expr, point)
        _ENTRIES[key] = table
    return _ENTRIES[key]


_ENTRIES: dict[tuple[str, str, tuple[tuple[str, int], ...]], dict[tuple[int, ...], Any]] = {}


def _exact(value: Any) -> Any:
    """An exact SymPy number for an exercise value: SymPy objects as they are, floats as the decimal they show."""
    if isinstance(value, sp.Basic):
        return value
    if isinstance(value, (int, np.integer)):
        return sp.Integer(int(value))
    if isinstance(value, (float, np.floating)):
        return sp.Rational(repr(float(value)))
    if isinstance(value, (str, bytes)):
        # Exercise values are numbers: text would reach SymPy's parser, which evaluates it.
        raise InputError(f"Exercise value {str(value)[:40]!r} is text; give a number, an sp.Rational or a SymPy expression.")
    return sp.nsimplify(value)


def _tidy(value: Any) -> Any:
    """A constant in its simplest form, logarithms kept as they are: ``1250 ln 40``, not ``ln(40^1250)``.

    ``simplify`` folds ``n ln m`` into ``ln(m^n)`` (a 1600-digit integer at n = 1250), so each logarithm is
    shielded by a symbol while the rest is simplified. Exact inputs mostly give a Rational already.
    """
    if not isinstance(value, sp.Basic) or value.is_Rational or value.free_symbols != set():
        return value
    return _once(_tidy_constant, value)


def _tidy_constant(value: Any) -> Any:
    candidates = [_once(_shielded_simplify, value)]
    if value.has(sp.log):
        # Logarithms of rationals split into logarithms of primes and collected: −ln 3/6 + 8 ln 2/3
        # rather than five logarithms of fractions. The form with fewer logarithms is kept.
        split = sp.expand(value.replace(lambda node: isinstance(node, sp.log), _prime_logs))
        candidates.append(_once(_shielded_simplify, split))
    return min(candidates, key=lambda form: (len(form.atoms(sp.log)), sp.count_ops(form)))


def _once(function: Callable[[Any], Any], value: Any) -> Any:
    # Once per structure (srepr: 2 and 2.0 apart): simplify is most of a variant's cost, and variants share constants.
    return _by_structure(function, sp.srepr(value), value)


_by_structure = lru_cache(maxsize=8192)(lambda function, _structure, value: function(value))


def _shielded_simplify(value: Any) -> Any:
    logs = {node: sp.Dummy(real=True) for node in value.atoms(sp.log)}
    simpler = sp.simplify(value.xreplace(logs))
    return simpler.xreplace({symbol: node for node, symbol in logs.items()})


def _prime_logs(node: Any) -> Any:
    """ln(p/q) for a positive rational as a sum over the primes of p and q: ln(16/3) = 4 ln 2 − ln 3."""
    argument = node.args[0]
    if not (argument.is_Rational and argument > 0):
        return node
    up = sp.Add(*(power * sp.log(prime) for prime, power in sp.factorint(argument.p).items()))
    down = sp.Add(*(power * sp.log(prime) for prime, power in sp.factorint(argument.q).items()))
    return up - down


def substitute(expr: Any, mapping: Mapping[Any, Any]) -> Any:
    symbols = {sp.Symbol(k.name, **k.assumptions0) if isinstance(k, sp.Symbol) else k: v for k, v in mapping.items()}
    # Symbols created with assumptions differ from plain ones: match by name as well.
    by_name = {k.name: v for k, v in mapping.items() if isinstance(k, sp.Symbol)}
    extra = {s: by_name[s.name] for s in getattr(expr, "free_symbols", ()) if isinstance(s, sp.Symbol) and s.name in by_name}
    return expr.xreplace({**symbols, **extra}).doit() if isinstance(expr, sp.Basic) else expr


def instance_sizes(derivation: Derivation) -> list[dict[str, int]]:
    """The sizes to check: the declared lists zipped (a list of one value is repeated)."""
    names = size_names(derivation)
    if not names:
        return [{}]
    lists = {name: list(derivation.sizes.get(name, (2, 3))) for name in names}
    longest = max(len(values) for values in lists.values())
    return [{name: values[min(k, len(values) - 1)] for name, values in lists.items()} for k in range(longest)]


def point_sampler(instance: Instance) -> Callable[[np.random.Generator], dict[str, Any]]:
    """Random points for an instance: the derivation's own sampler, else each input's domain."""
    derivation, body = instance.derivation, instance.body

    def draw(rng: np.random.Generator) -> dict[str, Any]:
        if derivation.sampler is not None:
            point = dict(derivation.sampler(rng, **instance.sizes))
        else:
            point = sampling.sample_inputs(derivation.inputs, instance.sizes, rng)
        point.update(sampling.sample_inputs(body.variables, instance.sizes, rng))
        return point

    return draw
