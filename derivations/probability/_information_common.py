"""Shared pieces of the information-theory derivations: exact simplex draws, joint tables and their printing."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sympy as sp


def simplex_fractions(rng: np.random.Generator, n: int, *, high: int = 5) -> list[sp.Rational]:
    """``n`` probabilities w_k / Σw with small positive integer weights: simple fractions, none zero."""
    weights = [int(w) for w in rng.integers(1, high, size=n)]
    total = sum(weights)
    return [sp.Rational(w, total) for w in weights]


def vector_tex(values: Sequence[sp.Expr]) -> str:
    """A tuple of exact numbers as LaTeX, e.g. ``(\\frac{1}{2}, \\frac{1}{3}, \\frac{1}{6})``."""
    return "(" + ", ".join(sp.latex(v) for v in values) + ")"


def joint_table(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """A random joint distribution of the given shape (all entries positive, summing to 1 over every axis together)."""
    flat = rng.dirichlet(np.ones(int(np.prod(shape))))
    return flat.reshape(shape)


def joint_fractions(rng: np.random.Generator, shape: tuple[int, ...], *, high: int = 4) -> np.ndarray:
    """An exact joint table: small positive integer weights over their total, as an object array of Rationals."""
    weights = rng.integers(1, high, size=shape)
    total = int(weights.sum())
    table = np.empty(shape, dtype=object)
    for position in np.ndindex(shape):
        table[position] = sp.Rational(int(weights[position]), total)
    return table


def is_product(table: np.ndarray) -> bool:
    """Whether a 2-D joint table (exact entries) is the product of its marginals, i.e. the variables are independent."""
    rows = [sum(table[a, :]) for a in range(table.shape[0])]
    cols = [sum(table[:, b]) for b in range(table.shape[1])]
    return all(table[a, b] == rows[a] * cols[b] for a in range(table.shape[0]) for b in range(table.shape[1]))


def matrix_tex(rows: Sequence[Sequence[sp.Expr]]) -> str:
    """A 2-D table of exact numbers as a LaTeX bmatrix."""
    body = r" \\ ".join(" & ".join(sp.latex(v) for v in row) for row in rows)
    return rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"


class _PrintedName(sp.Symbol):
    """A base name that keeps a plain identifier (for evaluation) but prints as given LaTeX, braced."""

    latex_names: dict[str, str] = {}  # noqa: RUF012 - one shared table of printed names

    def _latex(self, printer: object) -> str:
        name = str(self.name)
        return "{" + self.latex_names.get(name, name) + "}"


def printed_base(name: str, latex: str) -> sp.IndexedBase:
    """An IndexedBase ``name`` printed as ``{latex}``, so that ``p_X`` indexed by ``a`` prints ``{p_X}_{a}``."""
    _PrintedName.latex_names[name] = latex
    return sp.IndexedBase(_PrintedName(name))
