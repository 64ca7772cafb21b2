"""Big operators and decorated heads of the LaTeX transformer: sums and products, \\nabla, norms, \\mathbf{1} (a mixin)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sympy as sp
from lark import Token

import symwork.parse.construct as build
from symwork.errors import ParseError
from symwork.parse.construct import Value
from symwork.parse.latex_markers import ConstantVector, Fact, NormBars, Operator, Post, Prime, Sub, Sup
from symwork.parse.latex_tables import symbol_name
from symwork.parse.names import note_arrays, note_bound, note_sizes
from symwork.parse.unresolved import Gradient, Ones, Zeros, axis_size

#: How error messages quote the gradient operator.
NABLA = "\\nabla"
#: \mathbf{1} and \mathbf{0}, by the lexer's token type.
CONSTANT_VECTORS = {"ONES": Ones, "ZEROS": Zeros}


class OperatorRules:
    """Sums, products, gradients, norms and constant vectors; the transformer supplies ``value`` and ``apply_posts``."""

    if TYPE_CHECKING:  # provided by LatexTransformer (and ArithmeticTransformer), which this class is mixed into

        def value(self, item: Any) -> Value: ...

        def apply_posts(self, base: Any, posts: Sequence[Post]) -> Value: ...

    def boundvars(self, children: Sequence[Token]) -> list[sp.Symbol]:
        names = [symbol_name(str(child)) for child in children]
        for name in names:
            note_bound(name)
        return [sp.Symbol(name) for name in names]

    def bounds(self, children: Sequence[Any]) -> tuple[list[sp.Symbol], Value]:
        return children[0], self.value(children[1])

    def bigop(self, children: Sequence[Any]) -> Operator:
        token, (variables, lower), upper = children
        return self._bigop(str(token), [(var, lower, self.value(upper)) for var in variables])

    def bigop_flipped(self, children: Sequence[Any]) -> Operator:
        token, upper, (variables, lower) = children
        return self._bigop(str(token), [(var, lower, self.value(upper)) for var in variables])

    def bigop_free(self, children: Sequence[Any]) -> Operator:
        token, variables = children
        if isinstance(variables, Token):
            variables = self.boundvars([variables])
        # \sum_k without bounds runs over the axis k indexes; a scope supplies its length.
        return self._bigop(str(token), [(var, sp.Integer(1), axis_size(var.name)) for var in variables])

    def stack(self, children: Sequence[Any]) -> list[tuple[sp.Symbol, Value, Value]]:
        return [child for child in children if not isinstance(child, Token)]

    def stackrow(self, children: Sequence[Any]) -> tuple[sp.Symbol, Value, Value]:
        lower, _, var, _, upper = children
        (variable,) = self.boundvars([var])
        return variable, self.value(lower), self.value(upper)

    def bigop_stack(self, children: Sequence[Any]) -> Operator:
        token, _, rows = children
        return self._bigop(str(token), rows)

    def _bigop(self, name: str, ranges: Sequence[tuple[sp.Symbol, Value, Value]]) -> Operator:
        kind = sp.Sum if name == "sum" else sp.Product
        limits = [(var, build.scalar(lower, "lower bound"), build.scalar(upper, "upper bound")) for var, lower, upper in ranges]
        note_sizes(*(bound for _, lower, upper in limits for bound in (lower, upper)))
        # The first written index is the outer one: \sum_{i,j} f is Σ_i Σ_j f.
        return Operator("\\" + name, lambda body: kind(build.scalar(body, "\\" + name), *reversed(limits)))

    def _nabla(self, posts: tuple[Post, ...]) -> Operator:
        subs = [post for post in posts if isinstance(post, Sub)]
        powers = [post.value for post in posts if isinstance(post, Sup)]
        if len(subs) != 1 or len(subs[0].parts) != 1 or any(isinstance(p, (Fact, Prime)) for p in posts):
            raise ParseError(f"{NABLA!r} needs one variable as a subscript, as in \\nabla_{{\\bm{{x}}}} f; add it.")
        order = 1 if not powers else powers[0]
        if order not in (1, 2):
            raise ParseError("Only \\nabla (the gradient) and \\nabla^2 (the Hessian) are understood; rewrite the derivative.")
        variable = subs[0].parts[0]
        note_arrays(variable)

        def apply(body: Value) -> Value:
            gradient = Gradient(body, variable)
            return Gradient(gradient, variable) if order == 2 else gradient

        return Operator("\\nabla", apply)

    def _norm(self, bars: NormBars, posts: tuple[Post, ...]) -> Value:
        subs = [post for post in posts if isinstance(post, Sub)]
        value = build.norm(bars.inner, subs[0].text if subs else "")
        return self.apply_posts(value, [post for post in posts if not isinstance(post, Sub)])

    def _constant_vector(self, vector: ConstantVector, posts: tuple[Post, ...]) -> Value:
        subs = [post for post in posts if isinstance(post, Sub)]
        size = subs[0].parts if subs else ()
        if len(size) > 1:
            raise ParseError("\\mathbf{1}_n takes one size as its subscript; write \\mathbf{1}_n.")
        value = CONSTANT_VECTORS[vector.kind](*size)
        return self.apply_posts(value, [post for post in posts if not isinstance(post, Sub)])
