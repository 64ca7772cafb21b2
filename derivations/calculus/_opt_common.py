"""Shared notation for the calculus derivations: symbols that keep a plain name but print as LaTeX of our choice."""

from __future__ import annotations

from typing import Any, ClassVar

import sympy as sp


class LatexSymbol(sp.Symbol):
    """A Symbol that keeps a plain name (the input's name, for evaluation) but prints as LaTeX of our choice."""

    latex_names: ClassVar[dict[str, str]] = {}

    def _latex(self, printer: Any) -> str:
        return self.latex_names.get(str(self.name), str(self.name))


def named(name: str, latex: str, **assumptions: Any) -> LatexSymbol:
    """``named("eps", r"\\epsilon")`` is the input ``eps`` printed as ``\\epsilon``."""
    LatexSymbol.latex_names[name] = latex
    return LatexSymbol(name, **assumptions)
