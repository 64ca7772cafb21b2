"""Compile SymPy expressions, in index notation or with matrices, into fast numpy functions."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import lru_cache, partial
from typing import Any

import numpy as np
import sympy as sp
from sympy.printing.numpy import SciPyPrinter

from symwork.core.functions import ML_FUNCTIONS
from symwork.errors import CheckError


class IndexNotationPrinter(SciPyPrinter):
    """NumPy code for index notation: 1-based ``z[i]`` becomes ``z[i - 1]`` and δ_ij broadcasts.

    SciPy's printer, not NumPy's: NumPy's prints gamma, erf and loggamma as the scalar ``math``
    functions, which fail on the index arrays that definitions are evaluated over.
    """

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        base = self._print(expr.base.label)
        shifted = ", ".join(f"({self._print(index)}) - 1" for index in expr.indices)
        return f"{base}[{shifted}]"

    def _print_KroneckerDelta(self, expr: sp.KroneckerDelta) -> str:
        first, second = (self._print(arg) for arg in expr.args)
        return f"numpy.equal({first}, {second}).astype(float)"

    def _print_Idx(self, expr: sp.Idx) -> str:
        return self._print(expr.label)

    # SymPy prints And/Or as logical_and.reduce((a, b)), which stacks its operands: conditions on two
    # free indices (i <= n & j <= n, from sums of δ_ki δ_kj) have different shapes and must broadcast.
    def _print_And(self, expr: sp.And) -> str:
        return self._broadcast_logical("numpy.logical_and", expr.args)

    def _print_Or(self, expr: sp.Or) -> str:
        return self._broadcast_logical("numpy.logical_or", expr.args)

    def _broadcast_logical(self, function: str, args: Sequence[sp.Basic]) -> str:
        name = self._module_format(function)
        text = self._print(args[-1])
        for arg in reversed(args[:-1]):
            text = f"{name}({self._print(arg)}, {text})"
        return text


def _printer() -> IndexNotationPrinter:
    return IndexNotationPrinter(
        {"fully_qualified_modules": False, "inline": True, "allow_unknown_functions": True, "user_functions": {}}
    )


def free_names(expr: Any) -> set[str]:
    """Names of the symbols and array bases an expression depends on (bound sum indices excluded)."""
    names = {symbol.name for symbol in getattr(expr, "free_symbols", set()) if isinstance(symbol, sp.Symbol)}
    for indexed in getattr(expr, "atoms", lambda *_: set())(sp.Indexed):
        names.add(indexed.base.label.name)
    return names


def lambdify_by_name(
    expr: sp.Expr, names: tuple[str, ...], *, modules: list[Any], printer: Any, cse: bool = False
) -> Any:
    """A function of the named symbols; symbols match by name, whatever assumptions they carry."""
    arguments = [sp.Symbol(name) for name in names]
    renamed = expr.xreplace({s: sp.Symbol(s.name) for s in expr.free_symbols if isinstance(s, sp.Symbol)})
    return sp.lambdify(arguments, renamed, modules=modules, printer=printer, cse=cse)


@lru_cache(maxsize=4096)
def _compile(expr: sp.Expr, names: tuple[str, ...]) -> Any:
    # Common-subexpression elimination would hoist terms out of sums over their bound index.
    use_cse = not expr.has(sp.Sum, sp.Product)
    return lambdify_by_name(expr, names, modules=["numpy"], printer=_printer(), cse=use_cse)


@lru_cache(maxsize=64)
def _vectorised(name: str, arity: int) -> Any:
    arguments = sp.symbols(f"x:{arity}")
    return sp.lambdify(arguments, ML_FUNCTIONS[name](*arguments), modules=["numpy"], printer=_printer())


def _call(name: str, *args: Any) -> Any:
    return _vectorised(name, len(args))(*args)


class _NumpyFunctions(Mapping[str, Callable[..., Any]]):
    """Each ML function as a vectorised numpy callable, compiled from its class's ``_numpycode``."""

    def __getitem__(self, name: str) -> Callable[..., Any]:
        if name not in ML_FUNCTIONS:
            raise KeyError(name)
        return partial(_call, name)

    def __iter__(self) -> Iterator[str]:
        return iter(ML_FUNCTIONS)

    def __len__(self) -> int:
        return len(ML_FUNCTIONS)


#: ``NUMPY_FUNCTIONS["logsumexp"](a, b)``: the numpy code SymPy prints for each ML function, as a callable.
NUMPY_FUNCTIONS: Mapping[str, Callable[..., Any]] = _NumpyFunctions()


def index_grid(indices: Sequence[tuple[Any, int]]) -> dict[str, np.ndarray]:
    """Broadcastable 1-based index arrays, one axis per free index."""
    grid: dict[str, np.ndarray] = {}
    for axis, (symbol, size) in enumerate(indices):
        shape = [1] * len(indices)
        shape[axis] = int(size)
        grid[symbol.name] = np.arange(1, int(size) + 1).reshape(shape)
    return grid


def evaluate(expr: Any, values: Mapping[str, Any], indices: Sequence[tuple[Any, int]] = ()) -> np.ndarray:
    """Evaluate ``expr`` at ``values`` (name → number or array), broadcasting over the free ``indices``.

    A scalar expression gives an array of shape ``tuple(size for _, size in indices)`` (elementwise
    inputs broadcast as usual); a matrix gives its shape followed by the index shape.
    """
    if isinstance(expr, sp.MatrixBase):
        rows, cols = expr.shape
        entries = [evaluate(entry, values, indices) for entry in expr]
        stacked = np.stack(np.broadcast_arrays(*entries)) if entries else np.zeros((0,))
        return stacked.reshape((rows, cols, *stacked.shape[1:]))
    expr = sp.sympify(expr)
    grid = index_grid(indices)
    scope = {**values, **grid}
    names = tuple(sorted(free_names(expr)))
    missing = [name for name in names if name not in scope]
    if missing:
        raise CheckError(f"No value for {', '.join(repr(m) for m in missing)} when evaluating {expr}.")
    function = _compile(expr, names)
    with np.errstate(all="ignore"):
        result = np.asarray(function(*(scope[name] for name in names)), dtype=float)
    shape = tuple(int(size) for _, size in indices)
    if shape:
        result = np.broadcast_to(result, np.broadcast_shapes(result.shape, shape)).copy()
    return result
