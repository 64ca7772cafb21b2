"""Named functions for both parsers: a rule per SymPy function, and rules read from each ML function's class."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import sympy as sp

from symwork.core.functions import ML_FUNCTIONS, MLFunction
from symwork.core.mlfunction import Form, Notation
from symwork.errors import LimitError, ParseError, quote
from symwork.parse.construct import (
    Value,
    absolute,
    binomial,
    determinant,
    entries,
    is_matrix,
    norm,
    power,
    scalar,
    trace,
    transpose,
)
from symwork.parse.limits import Limits
from symwork.parse.names import note_arrays, note_indices, symbol
from symwork.parse.unresolved import Diag, EntriesOf, applied, vector_call


class _Ellipsis:
    """``\\dots`` or ``...`` between the arguments of a function: z_1, \\dots, z_n."""

    def __repr__(self) -> str:
        return "..."


#: The one ellipsis value the parsers produce; only function arguments may contain it.
ELLIPSIS = _Ellipsis()

Builder: TypeAlias = Callable[[Sequence[Value], Value | None, Limits], Value]


@dataclass(frozen=True)
class FunctionRule:
    """How a named function turns its parsed arguments (and optional subscript) into SymPy."""

    name: str
    build: Builder
    min_args: int = 1
    max_args: int | None = 1
    takes_subscript: bool = False


def _subscripted_name(value: object) -> tuple[str, sp.Expr] | None:
    """('z', 3) for the Symbol z_3, ('z', n) for z_n: a name with a one-token subscript."""
    if not isinstance(value, sp.Symbol) or "_" not in value.name:
        return None
    base, _, sub = value.name.partition("_")
    if not base or not sub or "_" in sub:
        return None
    if sub.isdigit():
        return base, sp.Integer(int(sub))
    if sub.isidentifier():
        return base, sp.Symbol(sub)
    return None


def expand_ellipsis(args: Sequence[object], limits: Limits) -> list[Value]:
    """Arguments with ``z_1, \\dots, z_n`` written out (numeric n) or as the entries of the vector z (symbolic n)."""
    if not any(arg is ELLIPSIS for arg in args):
        return list(args)
    where = [k for k, arg in enumerate(args) if arg is ELLIPSIS]
    if len(where) != 1 or where[0] in (0, len(args) - 1):
        raise ParseError("An ellipsis must stand between two entries of one vector, as in z_1, \\dots, z_n; check the arguments.")
    dots = where[0]
    last = _subscripted_name(args[dots + 1])
    begin = dots
    while begin > 0 and (named := _subscripted_name(args[begin - 1])) is not None and last and named[0] == last[0]:
        begin -= 1
    first = _subscripted_name(args[begin]) if begin < dots else None
    if first is None or last is None or dots + 2 != len(args) or not first[1].is_Integer:
        raise ParseError("An ellipsis must run over the entries of one vector, as in z_1, \\dots, z_n; name the first and last entry.")
    base, start, end = first[0], int(first[1]), last[1]
    if end.is_Integer:
        if not start <= int(end) <= start + limits.max_nodes:
            raise ParseError(f"The entries {base}_{start}, ..., {base}_{end} do not run upwards; check the first and last entry.")
        return [*args[:begin], *(symbol(f"{base}_{k}") for k in range(start, int(end) + 1))]
    note_arrays(sp.Symbol(base))
    return [*args[:begin], EntriesOf(symbol(base), sp.Integer(start), end)]


def apply_function(rule: FunctionRule, args: Sequence[Value], sub: Value | None, limits: Limits) -> Value:
    args = expand_ellipsis(args, limits)
    if len(args) < rule.min_args or (rule.max_args is not None and len(args) > rule.max_args):
        wanted = str(rule.min_args) if rule.min_args == rule.max_args else f"at least {rule.min_args}"
        raise ParseError(f"{rule.name!r} takes {wanted} argument(s), got {len(args)}; check the commas.")
    if sub is not None and not rule.takes_subscript:
        raise ParseError(f"{rule.name!r} takes no subscript; remove the '_'.")
    if max((_function_depth(arg) for arg in args), default=0) >= limits.max_function_depth:
        raise LimitError(
            f"Functions nest more than {limits.max_function_depth!r} deep at {rule.name!r}; simplify the expression."
        )
    try:
        return rule.build(args, sub, limits)
    except (TypeError, ValueError) as exc:  # SymPy's own argument checks, e.g. softmax index range
        raise ParseError(f"{rule.name!r} cannot be applied here ({exc}); check its arguments.") from exc


def _function_depth(value: Value) -> int:
    """How many function applications nest inside `value`, walked iteratively."""
    deepest = 0
    stack: list[tuple[sp.Basic, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        depth += isinstance(node, sp.Function)
        deepest = max(deepest, depth)
        stack.extend((arg, depth) for arg in node.args)
    return deepest


def _unary(func: Callable[[sp.Expr], sp.Expr], name: str) -> Builder:
    return lambda args, sub, limits: func(scalar(args[0], name))


def _log(args: Sequence[Value], sub: Value | None, limits: Limits) -> Value:
    base = args[1] if len(args) == 2 else sub
    arg = scalar(args[0], "log")
    return sp.log(arg) if base is None else sp.log(arg, scalar(base, "log base"))


def _single_name(args: Sequence[Value]) -> bool:
    """One argument that is not a matrix literal: a vector written by its name (diag(s), softmax(z))."""
    if len(args) != 1 or is_matrix(args[0]):
        return False
    if isinstance(args[0], EntriesOf):
        return True
    if isinstance(args[0], sp.Symbol) or not args[0].is_commutative:
        note_arrays(args[0])
        return True
    return False


def _diag(args: Sequence[Value], sub: Value | None, limits: Limits) -> Value:
    if _single_name(args):
        return Diag(args[0])
    values = entries(args)
    if len(args) == 1 and not is_matrix(args[0]):
        raise ParseError(f"'diag' of {args[0]!r} is undefined; give a vector literal, a vector's name or several entries.")
    return sp.ImmutableMatrix(sp.diag(*values))


def _delta(args: Sequence[Value], sub: Value | None, limits: Limits) -> Value:
    note_indices(*args)
    return sp.KroneckerDelta(*entries(args))


#: SymPy's own functions, by the names the parsers map onto.
GENERIC_FUNCTIONS: dict[str, FunctionRule] = {
    rule.name: rule
    for rule in [
        FunctionRule("exp", _unary(sp.exp, "exp")),
        FunctionRule("log", _log, max_args=2, takes_subscript=True),
        FunctionRule("sqrt", lambda args, sub, limits: power(args[0], sp.S.Half, limits)),
        FunctionRule("abs", lambda args, sub, limits: absolute(args[0])),
        *[
            FunctionRule(name, _unary(getattr(sp, name), name))
            for name in (
                "sin",
                "cos",
                "tan",
                "cot",
                "sec",
                "csc",
                "asin",
                "acos",
                "atan",
                "sinh",
                "cosh",
                "tanh",
                "asinh",
                "acosh",
                "atanh",
                "sign",
            )
        ],
        FunctionRule("max", lambda args, sub, limits: sp.Max(*entries(args)), max_args=None),
        FunctionRule("min", lambda args, sub, limits: sp.Min(*entries(args)), max_args=None),
        FunctionRule("erf", _unary(sp.erf, "erf")),
        FunctionRule("erfc", _unary(sp.erfc, "erfc")),
        FunctionRule("norm", lambda args, sub, limits: norm(args[0])),
        FunctionRule("det", lambda args, sub, limits: determinant(args[0], limits)),
        FunctionRule("tr", lambda args, sub, limits: trace(args[0], limits)),
        FunctionRule("diag", _diag, max_args=None),
        FunctionRule("transpose", lambda args, sub, limits: transpose(args[0])),
        FunctionRule("binomial", lambda args, sub, limits: binomial(args[0], args[1], limits), 2, 2),
        FunctionRule("delta", _delta, 2, 2),
    ]
}

# ---------------------------------------------------------------------------------------------
# ML functions: the rule comes from the class's notation (its form and whether it is read written out).

Call: TypeAlias = Callable[..., Value]


def _entrywise(name: str, call: Call) -> FunctionRule:
    """Activations apply entry by entry to a vector, as in the course notation σ(z)."""

    def build(args: Sequence[Value], sub: Value | None, limits: Limits) -> Value:
        arg = args[0]
        return arg.applyfunc(call) if isinstance(arg, sp.MatrixBase) else call(arg)

    return FunctionRule(name, build)


def _entries(name: str, call: Call) -> FunctionRule:
    """Functions of several arguments, where one vector literal stands for its entries: logsumexp(z)."""

    def build(args: Sequence[Value], sub: Value | None, limits: Limits) -> Value:
        if _single_name(args):
            return vector_call(name, args[0], None)
        return call(*entries(args))

    return FunctionRule(name, build, max_args=None)


def _component(name: str, call: Call) -> FunctionRule:
    """One component k of a vector function: f_k(z_1, …, z_n) or f(k, z_1, …, z_n); f of a vector is the vector."""

    def build(args: Sequence[Value], sub: Value | None, limits: Limits) -> Value:
        if _single_name(args):
            return vector_call(name, args[0], None if sub is None else scalar(sub, f"{name} index"))
        if len(args) == 2 and sub is None and _single_name(args[1:]):
            return vector_call(name, args[1], scalar(args[0], f"{name} index"))
        if sub is not None:
            return call(scalar(sub, f"{name} index"), *entries(args))
        if len(args) == 1 and isinstance(args[0], sp.MatrixBase):
            items = list(args[0])
            return sp.ImmutableMatrix([call(sp.Integer(k + 1), *items) for k in range(len(items))])
        if len(args) < 2:
            raise ParseError(
                f"{quote(name)} needs a component index: write {name}_k(z_1, ..., z_n) or {name}(k, z_1, ..., z_n)."
            )
        return call(scalar(args[0], f"{name} index"), *entries(args[1:]))

    return FunctionRule(name, build, max_args=None, takes_subscript=True)


ML_FORMS: dict[Form, Callable[[str, Call], FunctionRule]] = {
    "entrywise": _entrywise,
    "entries": _entries,
    "component": _component,
}


def _call(function: type[MLFunction]) -> Call:
    if not function.notation.parsed_closed:
        return function
    return lambda *args: function(*args).rewrite(function.closed_in, deep=False)


#: Every named function the parsers can call, by the name the syntax tables map onto.
FUNCTIONS: dict[str, FunctionRule] = {
    **GENERIC_FUNCTIONS,
    **{name: ML_FORMS[f.notation.form](name, _call(f)) for name, f in ML_FUNCTIONS.items()},
}


def scope_function(name: str) -> FunctionRule:
    """The rule of a function a scope's derivation defines (printed \\varphi): a marker the scope resolves."""
    return FunctionRule(name, lambda args, sub, limits: applied(name, *[scalar(arg, name) if is_matrix(arg) else arg for arg in args]), max_args=None)


def ml_aliases(names: Callable[[Notation], tuple[str, ...]]) -> dict[str, str]:
    """The names people write for the ML functions (chosen from each class's notation) → names in FUNCTIONS."""
    return {alias: name for name, f in ML_FUNCTIONS.items() for alias in names(f.notation)}


#: `\sin^{-1} x` is arcsin, as in most textbooks; other functions treat ^{-1} as a power.
INVERSE_FUNCTIONS: dict[str, str] = {
    "sin": "asin",
    "cos": "acos",
    "tan": "atan",
    "sinh": "asinh",
    "cosh": "acosh",
    "tanh": "atanh",
}
