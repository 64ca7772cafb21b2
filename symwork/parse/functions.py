"""Named functions for both parsers: a rule per SymPy function, and rules read from each ML function's class."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import sympy as sp

from symwork.core.functions import ML_FUNCTIONS, MLFunction
from symwork.core.mlfunction import Form, Notation
from symwork.errors import LimitError, ParseError
from symwork.parse.construct import (
    Value,
    absolute,
    binomial,
    determinant,
    entries,
    is_matrix,
    power,
    scalar,
    trace,
    transpose,
)
from symwork.parse.limits import Limits

Builder: TypeAlias = Callable[[Sequence[Value], Value | None, Limits], Value]


@dataclass(frozen=True)
class FunctionRule:
    """How a named function turns its parsed arguments (and optional subscript) into SymPy."""

    name: str
    build: Builder
    min_args: int = 1
    max_args: int | None = 1
    takes_subscript: bool = False


def apply_function(rule: FunctionRule, args: Sequence[Value], sub: Value | None, limits: Limits) -> Value:
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


def _diag(args: Sequence[Value], sub: Value | None, limits: Limits) -> Value:
    values = entries(args)
    if len(args) == 1 and not is_matrix(args[0]):
        raise ParseError(f"'diag' of {args[0]!r} is undefined; give a vector literal or several entries.")
    return sp.ImmutableMatrix(sp.diag(*values))


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
        FunctionRule("det", lambda args, sub, limits: determinant(args[0], limits)),
        FunctionRule("tr", lambda args, sub, limits: trace(args[0], limits)),
        FunctionRule("diag", _diag, max_args=None),
        FunctionRule("transpose", lambda args, sub, limits: transpose(args[0])),
        FunctionRule("binomial", lambda args, sub, limits: binomial(args[0], args[1], limits), 2, 2),
        FunctionRule("delta", lambda args, sub, limits: sp.KroneckerDelta(*entries(args)), 2, 2),
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
    return FunctionRule(name, lambda args, sub, limits: call(*entries(args)), max_args=None)


def _component(name: str, call: Call) -> FunctionRule:
    """One component k of a vector function: f_k(z_1, …, z_n) or f(k, z_1, …, z_n); f of a vector is the vector."""

    def build(args: Sequence[Value], sub: Value | None, limits: Limits) -> Value:
        if sub is not None:
            return call(scalar(sub, f"{name} index"), *entries(args))
        if len(args) == 1 and isinstance(args[0], sp.MatrixBase):
            items = list(args[0])
            return sp.ImmutableMatrix([call(sp.Integer(k + 1), *items) for k in range(len(items))])
        if len(args) < 2:
            raise ParseError(
                f"{name!r} needs a component index: write {name}_k(z_1, ..., z_n) or {name}(k, z_1, ..., z_n)."
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
