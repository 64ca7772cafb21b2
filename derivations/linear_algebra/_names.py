"""Indexed names that keep a plain identifier for evaluation but print as LaTeX with a subscript of their own (W_Q)."""

from __future__ import annotations

import sympy as sp


class _PrintedName(sp.Symbol):
    """A base name printed as given LaTeX, braced, so that an index after it is not a double subscript."""

    latex_names: dict[str, str] = {}  # noqa: RUF012 - one shared table of printed names

    def _latex(self, printer: object) -> str:
        name = str(self.name)
        return "{" + self.latex_names.get(name, name) + "}"


def printed_base(name: str, latex: str) -> sp.IndexedBase:
    """An IndexedBase ``name`` printed as ``{latex}``: ``printed_base("W_Q", "W_Q")[i, a]`` prints ``{W_Q}_{i a}``."""
    _PrintedName.latex_names[name] = latex
    return sp.IndexedBase(_PrintedName(name))
