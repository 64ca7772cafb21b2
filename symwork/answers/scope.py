"""The scope a typed answer is read in: a derivation's names with their shapes, and the names its worksheets print.

A scope lists every name a student may use for one derivation: its inputs (``z``, an n-vector; ``A``,
n×n), its defined names (``s``, the softmax; ``L``, the loss), auxiliary variables, sizes (``n``) and
indices (``i``, ``j``), each with its shape in the derivation's size symbols. It also lists the names
the worksheets *print* for them, derived from the symbols themselves with SymPy's LaTeX printer (and the
few spellings symwork's printer changes), so that what the PDF shows is what a student can type:
``\\sigma_{1}`` is ``sigma1``, ``\\varepsilon`` is ``eps``, ``\\hat{\\theta}_i`` is ``thetahat[i]``,
``C_{\\mathrm{soft}}`` is that definition. Printed names that are not names at all
(``H(\\bm{p})``, ``\\KL(\\bm{p}\\,\\|\\,\\bm{q})``) are matched as text before parsing.

Without a derivation, `Scope.conventions` is the scope of ML notation (goodfeli/dlbook_notation): bold
lower-case letters are vectors, upper-case letters matrices, ``I`` the identity, ``\\mathbf{1}`` a vector
of ones, with every size unknown until the expression fixes it (see `symwork.answers.reading`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from symwork.core import instances
from symwork.core.derivation import Derivation
from symwork.core.mlfunction import MLFunction
from symwork.errors import SymworkError
from symwork.parse import parse

#: Spellings symwork's printer uses instead of SymPy's for some names (symwork.publish.printing.SYMBOL_NAMES).
PRINTED_SPELLINGS: dict[str, str] = {"eps": r"\varepsilon", "epsilon": r"\varepsilon", "lam": r"\lambda", "eta": r"\eta"}
#: Names people type for the same letter: typed → the other spellings to try, in order.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "epsilon": ("eps", "varepsilon"),
    "varepsilon": ("eps", "epsilon"),
    "eps": ("epsilon",),
    "lambda": ("lamda", "lam"),
    "lamda": ("lambda", "lam"),
    "lam": ("lambda", "lamda"),
    "ell": ("l",),
}
#: Placeholder names for printed notation that is not a name (matched as text): \mathrm{symworkname3}.
PLACEHOLDER = "symworkname"


@dataclass(frozen=True)
class Entry:
    """One name of a scope: the derivation's spelling, its shape (in size symbols) and what it is."""

    name: str
    dims: tuple[Any, ...]
    kind: str  # "input", "definition", "variable", "size" or "index"
    domain: str = "real"
    symbol: Any = None  # scalars: the derivation's own Symbol (it may carry assumptions or a LaTeX form)

    @property
    def is_array(self) -> bool:
        return bool(self.dims)


@dataclass(frozen=True)
class Scope:
    """The names of one derivation (or of the conventions alone), with shapes, aliases and printed forms."""

    derivation: Derivation | None
    entries: Mapping[str, Entry] = field(default_factory=dict)
    #: Typed name → the derivation's name (sigma_1 → sigma1, epsilon → eps, C_soft → C_{\mathrm{soft}}).
    aliases: Mapping[str, str] = field(default_factory=dict)
    #: (pattern, placeholder) pairs applied to the text before parsing, for printed notation that is not a name.
    printed: tuple[tuple[re.Pattern[str], str], ...] = ()
    #: Index letter → (the derivation's index symbol, its bound).
    indices: Mapping[str, tuple[sp.Symbol, Any]] = field(default_factory=dict)
    #: The free indices of the result, in the order its axes are stated.
    axes: tuple[sp.Symbol, ...] = ()
    #: Functions the derivation defines, by the name its LaTeX prints (varphi for \varphi(u)) → their class.
    functions: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def conventions(cls) -> Scope:
        return _CONVENTIONS

    @classmethod
    def of(cls, derivation: Derivation) -> Scope:
        """The scope of ``derivation`` (built once per derivation and source)."""
        key = (derivation.id, derivation.source)
        cached = _SCOPES.get(key)
        if cached is None or cached.derivation is not derivation:
            if len(_SCOPES) >= 256:
                _SCOPES.pop(next(iter(_SCOPES)))
            cached = _SCOPES[key] = _scope(derivation)
        return cached

    @property
    def sizes(self) -> dict[str, sp.Symbol]:
        return {name: entry.symbol for name, entry in self.entries.items() if entry.kind == "size"}

    def lookup(self, typed: str) -> Entry | None:
        """The entry a typed name stands for, through aliases and synonyms; None if there is none."""
        for candidate in (typed, *SYNONYMS.get(typed, ())):
            name = candidate if candidate in self.entries else self.aliases.get(candidate)
            if name is not None and name in self.entries:
                return self.entries[name]
        return None

    def array_names(self) -> frozenset[str]:
        """Names (as typed, aliases included) that may be vectors or matrices: read as noncommutative."""
        arrays = {name for name, entry in self.entries.items() if entry.is_array}
        arrays |= {typed for typed, name in self.aliases.items() if name in arrays}
        arrays |= {typed for typed in SYNONYMS if (entry := self.lookup(typed)) is not None and entry.is_array}
        return frozenset(arrays)

    def words(self) -> frozenset[str]:
        """Multi-letter names a run of LaTeX letters may spell (TP, MSE, eps)."""
        typed = {*self.entries, *self.aliases}
        return frozenset(name for name in typed if len(name) > 1 and name.isalpha())

    def known(self, limit: int = 10) -> list[str]:
        """Names to suggest in an error message, arrays with a sample index."""
        shown = []
        for name, entry in self.entries.items():
            if entry.kind == "index" or name.startswith(PLACEHOLDER) or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
                continue
            shown.append(f"{name}_{'ijkl'[: len(entry.dims)]}" if entry.is_array else name)
        return shown[:limit]

    def replace_printed(self, text: str) -> str:
        """``text`` with printed notation that is not a name (``H(\\bm{p})``) replaced by its placeholder."""
        for pattern, placeholder in self.printed:
            # A replacement string would read its backslash as an escape: pass it through a function.
            text = pattern.sub(_replacement(f"\\mathrm{{{placeholder}}}"), text)
        return text


def _replacement(text: str) -> Callable[[re.Match[str]], str]:
    return lambda _: text


_CONVENTIONS = Scope(None)
_SCOPES: dict[tuple[str, str], Scope] = {}


def _dims(shape: tuple[Any, ...], sizes: Mapping[str, sp.Symbol]) -> tuple[Any, ...]:
    return tuple(sizes[dim] if isinstance(dim, str) else sp.Integer(dim) for dim in shape)


def _symbols_by_name(*exprs: Any) -> dict[str, sp.Symbol]:
    """The scalar symbols of ``exprs`` by name (the labels of arrays written as entries excluded)."""
    found: dict[str, sp.Symbol] = {}
    for expr in exprs:
        if isinstance(expr, sp.MatrixBase):
            for entry in expr:
                found.update(_symbols_by_name(entry))
        elif isinstance(expr, sp.Basic):
            labels = {indexed.base.label for indexed in expr.atoms(sp.Indexed)}
            for symbol in expr.free_symbols:
                if isinstance(symbol, sp.Symbol) and not isinstance(symbol, sp.Dummy) and symbol not in labels:
                    found.setdefault(symbol.name, symbol)
    return found


def _arrays_in(body: Any, *exprs: Any) -> dict[str, tuple[Any, ...]]:
    """Arrays a result uses without declaring them (Λ, U, σ_l of an SVD): their dimensions from their indices."""
    found: dict[str, tuple[Any, ...]] = {}
    for expr in exprs:
        if isinstance(expr, sp.MatrixBase):
            found.update(_arrays_in(body, *expr))
            continue
        if not isinstance(expr, sp.Basic):
            continue
        for matrix in expr.atoms(sp.MatrixSymbol):
            found.setdefault(matrix.name, tuple(matrix.shape) if matrix.shape[1] != 1 else (matrix.shape[0],))
        for indexed in expr.atoms(sp.Indexed):
            dims = tuple(body.indices.get(index) for index in indexed.indices)
            if all(dim is not None for dim in dims):
                found.setdefault(str(indexed.base.label), dims)
    return found


def _scope(derivation: Derivation) -> Scope:
    body = derivation.body
    sizes = instances.symbolic_sizes(derivation)
    entries: dict[str, Entry] = {name: Entry(name, (), "size", symbol=symbol) for name, symbol in sizes.items()}
    symbols = _symbols_by_name(body.result.rhs, *(d.expr for d in body.definitions))
    for item in (*derivation.inputs, *body.variables):
        kind = "input" if item in derivation.inputs else "variable"
        entries[item.name] = Entry(item.name, _dims(item.shape, sizes), kind, item.domain, symbols.get(item.name))
    for definition in body.definitions:
        name = instances.definition_name(definition)
        symbol = definition.symbol
        if isinstance(symbol, sp.MatrixSymbol):
            dims = tuple(symbol.shape) if symbol.shape[1] != 1 else (symbol.shape[0],)
        else:
            dims = tuple(body.indices.get(index, index) for index in definition.indices)
        entries.setdefault(name, Entry(name, dims, "definition", symbol=symbol if isinstance(symbol, sp.Symbol) else None))
    for name, dims in _arrays_in(body, body.result.rhs, body.result.lhs, *(d.expr for d in body.definitions)).items():
        entries.setdefault(name, Entry(name, dims, "variable"))
    for name, symbol in symbols.items():
        if name not in entries and not any(str(index) == name for index in body.indices):
            entries[name] = Entry(name, (), "variable", symbol=symbol)
    indices = {str(index): (index, bound) for index, bound in body.indices.items()}
    for letter, (index, _bound) in indices.items():
        entries.setdefault(letter, Entry(letter, (), "index", symbol=index))
    aliases, printed = _printed_names(entries)
    functions = _functions(body.result.rhs, body.result.lhs, *(d.expr for d in body.definitions), *(s.rhs for s in body.steps))
    return Scope(derivation, entries, aliases, printed, indices, tuple(body.result_indices), functions)


_HEAD = re.compile(r"\s*\\?([A-Za-z]+)\s*(?:\\left)?\s*\(")


def _functions(*exprs: Any) -> dict[str, Any]:
    """Functions a derivation defines itself (not SymPy's, not symwork's), by the head their LaTeX prints."""
    found: dict[str, Any] = {}
    for expr in exprs:
        if isinstance(expr, sp.MatrixBase):
            found.update(_functions(*expr))
            continue
        if not isinstance(expr, sp.Basic):
            continue
        for call in expr.atoms(sp.Function):
            kind = type(call)
            if kind.__module__.startswith(("sympy.", "symwork.")) or issubclass(kind, MLFunction) or kind in found.values():
                continue
            try:
                head = _HEAD.match(str(sp.latex(kind(*[sp.Symbol(f"t{k}") for k in range(len(call.args))]))))
            except Exception:  # noqa: BLE001 - a class that cannot print for placeholders is simply not offered
                continue
            if head is not None:
                found.setdefault(head.group(1), kind)
    return found


def _printed(entry: Entry) -> str:
    """How the worksheets print a name: SymPy's LaTeX of the derivation's own symbol, with symwork's spellings."""
    if entry.name in PRINTED_SPELLINGS:
        return PRINTED_SPELLINGS[entry.name]
    symbol = entry.symbol if isinstance(entry.symbol, sp.Symbol) else sp.Symbol(entry.name)
    return str(sp.latex(symbol))


def _loose(text: str) -> str:
    """A pattern for printed LaTeX that also matches other spacing and unbraced one-character scripts (σ^2 for σ^{2})."""
    parts: list[str] = []
    position = 0
    while position < len(text):
        script = re.match(r"([\^_])\{(\w)\}", text[position:])
        if script is not None:
            parts.append(re.escape(script.group(1)) + r"\s*(?:\{\s*" + script.group(2) + r"\s*\}|" + script.group(2) + ")")
            position += script.end()
            continue
        if not text[position].isspace():
            parts.append(re.escape(text[position]))
        position += 1
    return r"\s*".join(parts)


def _printed_names(entries: Mapping[str, Entry]) -> tuple[dict[str, str], tuple[tuple[re.Pattern[str], str], ...]]:
    """Aliases (typed name → name) and text patterns for the printed form of every entry."""
    aliases: dict[str, str] = {}
    printed: list[tuple[re.Pattern[str], str]] = []
    for position, entry in enumerate(entries.values()):
        if entry.kind == "index":
            continue
        flat = entry.name.replace("_", "").replace("{", "").replace("}", "")
        if flat != entry.name and flat.isidentifier():
            aliases.setdefault(flat, entry.name)  # sigma_1 → sigma1 and back
        text = _printed(entry)
        try:
            reading = parse(text, syntax="latex")
        except SymworkError:
            reading = None
        if isinstance(reading, sp.Symbol) or len(text) == 1 or not re.search(r"[\\({]", text):
            if isinstance(reading, sp.Symbol) and reading.name != entry.name:
                aliases.setdefault(reading.name, entry.name)
                flat_reading = reading.name.replace("_", "")
                if flat_reading != reading.name:
                    aliases.setdefault(flat_reading, entry.name)
            continue
        placeholder = f"{PLACEHOLDER}{position}"
        aliases[placeholder] = entry.name
        # Spacing around the printed text may differ from what a student pastes; never inside a command.
        pattern = r"(?<![A-Za-z\\])" + _loose(text)
        printed.append((re.compile(pattern), placeholder))
    for position, entry in enumerate(entries.values()):
        # Arrays named X_Y may be printed with a decoration above (W^{O}, W^{(1)}): match those too.
        base, _, tag = entry.name.partition("_")
        if entry.is_array and tag and base.isalpha() and len(base) == 1:
            placeholder = f"{PLACEHOLDER}d{position}"
            aliases[placeholder] = entry.name
            for form in (f"{{{base}^{{{tag}}}}}", f"{{{base}^{{({tag})}}}}", f"{base}^{{({tag})}}"):
                pattern = r"(?<![A-Za-z\\])" + re.escape(form)
                printed.append((re.compile(pattern), placeholder))
    # Longest printed forms first, so that H(\bm{p}, \bm{q}) is matched before H(\bm{p}).
    printed.sort(key=lambda pair: -len(pair[0].pattern))
    for name, entry in entries.items():
        if "_" in name and entry.kind != "index":
            aliases.setdefault(name.replace("_", ""), name)
    return {typed: name for typed, name in aliases.items() if typed not in entries or typed.startswith(PLACEHOLDER)}, tuple(printed)
