"""The LaTeX transformer: builds SymPy from the parse tree, resolving juxtapositions in `fold`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sympy as sp
from lark import Token

import symwork.parse.construct as build
from symwork.errors import LimitError, ParseError, quote
from symwork.parse.construct import Value
from symwork.parse.functions import ELLIPSIS, FUNCTIONS, INVERSE_FUNCTIONS, apply_function, scope_function
from symwork.parse.latex_markers import (
    PARTIAL,
    TRANSPOSE,
    Braced,
    CallableSymbol,
    ConstantVector,
    DiffChain,
    Fact,
    FuncHead,
    Nabla,
    NormBars,
    Operator,
    Paren,
    Post,
    Prime,
    ScriptedParen,
    Sub,
    Sup,
    Top,
    derivative_variables,
    diff_mark,
)
from symwork.parse.latex_operators import CONSTANT_VECTORS, NABLA, OperatorRules
from symwork.parse.latex_tables import CALLABLE_SYMBOLS, CONSTANTS, DETERMINANT_ENVIRONMENTS, symbol_name
from symwork.parse.names import functions as scope_functions
from symwork.parse.names import note_indices
from symwork.parse.names import symbol as make_symbol
from symwork.parse.tree import ArithmeticTransformer


class LatexTransformer(OperatorRules, ArithmeticTransformer):
    """Builds SymPy from the LaTeX parse tree; juxtapositions are resolved in `fold`."""

    # --- values and markers -------------------------------------------------------------

    def value(self, item: Any) -> Value:
        if isinstance(item, DiffChain):
            return self.fold(item.items, 0)
        if isinstance(item, Paren):
            if len(item.args) != 1:
                raise ParseError(
                    f"A list of {len(item.args)} values in parentheses needs a function name before it, "
                    "or a transpose after it for a column vector: (1, 2, 3)^\\top."
                )
            return self.value(item.args[0])
        if isinstance(item, ScriptedParen):
            if len(item.paren.args) > 1 and isinstance(item.posts[0], Sup) and item.posts[0].value is None:
                # (a, b, c)^\top: a row of entries, transposed, is a column vector.
                column = build.column([self.value(arg) for arg in item.paren.args])
                return self.apply_posts(column, item.posts[1:])
            return self.apply_posts(self.value(item.paren), item.posts)
        if isinstance(item, Braced):
            return item.value
        if isinstance(item, NormBars):
            return build.norm(item.inner)
        if isinstance(item, ConstantVector):
            return CONSTANT_VECTORS[item.kind]()
        if isinstance(item, Nabla):
            raise ParseError(f"{NABLA!r} needs the variable as a subscript, as in \\nabla_{{\\bm{{x}}}} f; add it.")
        if item is ELLIPSIS:
            raise ParseError("An ellipsis is only understood between the arguments of a function, as in (z_1, \\dots, z_n).")
        if isinstance(item, CallableSymbol):
            return item.symbol
        if isinstance(item, FuncHead):
            raise ParseError(f"The function {item.rule.name!r} needs an argument; write it after the name.")
        if isinstance(item, Operator):
            raise ParseError(f"{quote(item.name)} needs an expression after it; write the operand.")
        return super().value(item)

    def start(self, children: Sequence[Any]) -> list[Value]:
        values = super().start(children)
        if any(value.has(PARTIAL) for value in values):
            raise ParseError(
                "'\\partial' is only understood in \\frac{\\partial f}{\\partial x}; rewrite the derivative."
            )
        return values

    def letter(self, children: Sequence[Token]) -> Any:
        name = str(children[0])
        if name in scope_functions():
            return CallableSymbol(make_symbol(name), scope_function(name))
        return sp.E if name == "e" else make_symbol(name)

    def symcmd(self, children: Sequence[Token]) -> Any:
        name = str(children[0])
        if name in CONSTANTS:
            return CONSTANTS[name]
        named = make_symbol(symbol_name(name))
        if name in scope_functions():
            return CallableSymbol(named, scope_function(name))
        if name in CALLABLE_SYMBOLS:
            return CallableSymbol(named, FUNCTIONS[CALLABLE_SYMBOLS[name]])
        return named

    def namesym(self, children: Sequence[Token]) -> Value:
        return make_symbol(str(children[0]))

    def ones(self, children: Sequence[Token]) -> ConstantVector:
        return ConstantVector("ONES")

    def zeros(self, children: Sequence[Token]) -> ConstantVector:
        return ConstantVector("ZEROS")

    def nabla(self, children: Sequence[Token]) -> Nabla:
        return Nabla()

    def ellipsis(self, children: Sequence[Token]) -> Any:
        return ELLIPSIS

    def norm(self, children: Sequence[Any]) -> NormBars:
        return NormBars(self.value(children[1]))

    def hadamard(self, children: Sequence[Any]) -> Value:
        return build.hadamard(self.value(children[0]), self.value(children[1]))

    def partial(self, children: Sequence[Token]) -> Value:
        return PARTIAL

    def func(self, children: Sequence[Token]) -> FuncHead:
        return FuncHead(FUNCTIONS[str(children[0])])

    def paren(self, children: Sequence[Any]) -> Paren:
        return Paren(tuple(child if child is ELLIPSIS else self.value(child) for child in children))

    def group(self, children: Sequence[Any]) -> Value:
        return self.value(next(child for child in children if not isinstance(child, Token)))

    def braced(self, children: Sequence[Any]) -> Braced:
        return Braced(self.value(children[0]))

    def abs(self, children: Sequence[Any]) -> Value:
        return build.absolute(self.value(children[1]))

    def binom(self, children: Sequence[Any]) -> Value:
        return build.binomial(self.value(children[1]), self.value(children[2]), self.limits)

    def sqrt(self, children: Sequence[Any]) -> Value:
        _, index, radicand = children
        exponent = sp.S.Half if index is None else build.div(sp.S.One, self.value(index))
        return build.power(self.value(radicand), exponent, self.limits)

    def frac(self, children: Sequence[Any]) -> Any:
        _, num, den = (self._as_diff(child) for child in children)
        if isinstance(num, DiffChain) and isinstance(den, DiffChain) and num.kind == den.kind:
            variables = derivative_variables(den)
            if variables and sum(order for _, order in variables) == num.order:
                return self._derivative(num.items[1:], variables)
        return build.div(self.value(num), self.value(den))

    def _as_diff(self, item: Any) -> Any:
        mark = diff_mark(item)
        return DiffChain(mark[0], mark[1], (item,)) if mark and not isinstance(item, DiffChain) else item

    def _derivative(self, operand: Sequence[Any], variables: list[tuple[sp.Symbol, int]]) -> Any:
        def apply(expr: Value) -> Value:
            return sp.Derivative(build.scalar(expr, "derivative"), *variables)

        if operand:
            return apply(self.fold(operand, 0))
        name = "d/d" + "".join(var.name for var, _ in variables)
        return Operator(name, apply)

    def row(self, children: Sequence[Any]) -> list[Value]:
        return [self.value(child) for child in children]

    def rows(self, children: Sequence[Any]) -> list[list[Value]]:
        return [child for child in children if not isinstance(child, Token)]

    def matrix(self, children: Sequence[Any]) -> Value:
        begin, rows, end = children
        if begin.value != end.value:
            raise ParseError(f"\\begin{{{begin.value}}} is closed by \\end{{{end.value}}}; use the same environment.")
        literal = build.matrix(rows)
        return build.determinant(literal, self.limits) if begin.value in DETERMINANT_ENVIRONMENTS else literal

    # --- scripts --------------------------------------------------------------------------

    def sup(self, children: Sequence[Any]) -> Sup:
        arg = children[0]
        is_transpose = isinstance(arg, Top) or (isinstance(arg, sp.Symbol) and arg == TRANSPOSE)
        return Sup(None if is_transpose else self.value(arg))

    def top(self, children: Sequence[Any]) -> Top:
        return Top()

    def fact(self, children: Sequence[Any]) -> Fact:
        return Fact()

    def prime(self, children: Sequence[Any]) -> Prime:
        return Prime()

    def subscript(self, children: Sequence[Any]) -> Sub:
        return children[0]

    def subarg(self, children: Sequence[Any]) -> Sub:
        pieces = [self.subitem([child]) if isinstance(child, Token) else child for child in children]
        text = "".join(text for text, _ in pieces)
        return Sub(text, tuple(value for _, value in pieces if value is not None))

    def subitem(self, children: Sequence[Token]) -> tuple[str, Value | None]:
        token = children[0]
        makers: dict[str, Callable[[Sequence[Token]], Any]] = {
            "NUMBER": self.number,
            "LETTER": self.letter,
            "SYMCMD": self.symcmd,
            "NAMESYM": self.namesym,
        }
        value = makers[token.type]([token])
        text = symbol_name(str(token)) if token.type == "SYMCMD" else str(token)
        return text, self.value(value)

    def sub_comma(self, children: Sequence[Any]) -> tuple[str, None]:
        return ",", None

    def sub_plus(self, children: Sequence[Any]) -> tuple[str, None]:
        return "+", None

    def sub_minus(self, children: Sequence[Any]) -> tuple[str, None]:
        return "-", None

    def sub_lpar(self, children: Sequence[Any]) -> tuple[str, None]:
        return "(", None

    def sub_rpar(self, children: Sequence[Any]) -> tuple[str, None]:
        return ")", None

    def item(self, children: Sequence[Any]) -> Any:
        base, posts = children[0], tuple(children[1:])
        if not posts:
            return base
        if sum(isinstance(post, Sup) for post in posts) > 1:
            raise ParseError("A double superscript like x^a^b is ambiguous; use braces: x^{a^b} or {x^a}^b.")
        if sum(isinstance(post, Sub) for post in posts) > 1:
            raise ParseError("A double subscript like x_a_b is ambiguous; use braces: x_{ab}.")
        if len(posts) > 3:
            raise ParseError(f"{len(posts)!r} scripts on one symbol is too many; use parentheses.")
        if isinstance(base, CallableSymbol) and any(isinstance(post, Prime) for post in posts):
            base = FuncHead(base.rule)  # \sigma'(x): the derivative of the sigmoid
        if isinstance(base, FuncHead):
            return self._script_function(base, posts)
        if any(isinstance(post, Prime) for post in posts):
            raise ParseError(
                f"A prime after {self.value(base)!r} is ambiguous; write x^\\top for a transpose or the derivative in full."
            )
        if isinstance(base, Nabla):
            return self._nabla(posts)
        if isinstance(base, NormBars):
            return self._norm(base, posts)
        if isinstance(base, ConstantVector):
            return self._constant_vector(base, posts)
        if isinstance(base, Paren) and not any(isinstance(post, Sub) for post in posts):
            return ScriptedParen(base, posts)
        if isinstance(base, Operator):
            raise ParseError(f"Scripts after {quote(base.name)} are ambiguous; put its operand in parentheses.")
        return self.apply_posts(base, posts)

    def _script_function(self, head: FuncHead, posts: tuple[Post, ...]) -> FuncHead:
        sub, power, primes = head.sub, head.power, head.primes
        for post in posts:
            if isinstance(post, Prime):
                primes += 1
            elif isinstance(post, Sub):
                sub = post.parts[0] if len(post.parts) == 1 else sp.Symbol(post.text)
            elif isinstance(post, Sup) and post.value is not None:
                power = post.value
            else:
                raise ParseError(
                    f"'!' or a transpose directly after the function {head.rule.name!r} needs its argument first."
                )
        if power == -1 and head.rule.name in INVERSE_FUNCTIONS and not primes:
            return FuncHead(FUNCTIONS[INVERSE_FUNCTIONS[head.rule.name]], sub, None)
        return FuncHead(head.rule, sub, power, primes)

    def apply_posts(self, base: Any, posts: Sequence[Post]) -> Value:
        subs = [post for post in posts if isinstance(post, Sub)]
        value = self._subscripted(base, subs[0]) if subs else self.value(base)
        for post in posts:
            if isinstance(post, Sup):
                value = build.transpose(value) if post.value is None else build.power(value, post.value, self.limits)
            elif isinstance(post, Fact):
                value = build.factorial(value, self.limits)
        return value

    def _subscripted(self, base: Any, sub: Sub) -> Value:
        names = {sp.E: "e", sp.pi: "pi", sp.oo: "infty"}
        if isinstance(base, Braced):
            base = base.value  # {\bar{x}}_{a}: braces around a name change nothing
        symbol = base.symbol if isinstance(base, CallableSymbol) else base
        if isinstance(symbol, sp.Symbol) and symbol is not PARTIAL:
            name = symbol.name
        elif isinstance(symbol, sp.Basic) and symbol in names:
            name = names[symbol]
        else:
            raise ParseError(f"A subscript needs a name before it, not {self.value(base)!r}; write x_{{{sub.text}}}.")
        if name == "delta" and len(sub.parts) == 2:
            note_indices(*sub.parts)
            return sp.KroneckerDelta(*sub.parts)
        return make_symbol(f"{name}_{sub.text}")

    # --- juxtaposition ----------------------------------------------------------------------

    def chain(self, children: Sequence[Any]) -> Any:
        if len(children) == 1 and (isinstance(children[0], Paren) or children[0] is ELLIPSIS):
            return children[0]  # kept, so that x^{(T)} is a power while x^{T} is a transpose
        mark = diff_mark(children[0])
        if mark is not None:
            return DiffChain(mark[0], mark[1], tuple(children))
        return self.fold(children, 0)

    def fold(self, items: Sequence[Any], depth: int) -> Value:
        """The product of juxtaposed items, applying functions and operators to what follows them."""
        if depth > self.limits.max_depth:
            raise LimitError(f"Functions nest more than {self.limits.max_depth!r} deep without brackets; simplify.")
        factors: list[Value] = []
        index = 0
        while index < len(items):
            item = items[index]
            if isinstance(item, Operator):
                if index + 1 == len(items):
                    raise ParseError(f"{quote(item.name)} needs an expression after it; write the operand.")
                factors.append(item.apply(self.fold(items[index + 1 :], depth + 1)))
                break
            if isinstance(item, (FuncHead, CallableSymbol)):
                value, index = self._call(items, index, depth)
                factors.append(value)
                continue
            factors.append(self.value(item))
            index += 1
        return factors[0] if len(factors) == 1 else build.product(factors)

    def _is_call(self, items: Sequence[Any], index: int) -> bool:
        item = items[index]
        follows_paren = index + 1 < len(items) and isinstance(items[index + 1], (Paren, ScriptedParen))
        return isinstance(item, (FuncHead, Operator)) or (isinstance(item, CallableSymbol) and follows_paren)

    def _call(self, items: Sequence[Any], index: int, depth: int) -> tuple[Value, int]:
        """Apply the function at `index` to its argument; return the value and the next index."""
        if depth > self.limits.max_depth:
            raise LimitError(f"Functions nest more than {self.limits.max_depth!r} deep without brackets; simplify.")
        head = items[index]
        following = items[index + 1] if index + 1 < len(items) else None
        if isinstance(head, CallableSymbol) and not isinstance(following, (Paren, ScriptedParen)):
            return head.symbol, index + 1
        if isinstance(following, Paren):
            return self._finish(head, self._apply(head, following.args)), index + 2
        if isinstance(following, ScriptedParen):
            result = self._finish(head, self._apply(head, following.paren.args))
            return self.apply_posts(result, following.posts), index + 2
        if isinstance(following, Operator):
            argument = self.fold(items[index + 1 :], depth + 1)
            return self._finish(head, self._apply(head, (argument,))), len(items)
        if isinstance(following, Braced):
            # A braced argument ends at its brace, as SymPy prints \sin{\left(x \right)}.
            return self._finish(head, self._apply(head, (following.value,))), index + 2
        if following is not None and self._is_call(items, index + 1):
            argument, end = self._call(items, index + 1, depth + 1)
        else:
            # Without parentheses the argument is the run of plain factors: \sin 2\pi x = sin(2πx).
            end = index + 1
            while end < len(items) and not self._is_call(items, end):
                end += 1
            if end == index + 1:
                raise ParseError(f"The function {head.rule.name!r} needs an argument; write it after the name.")
            argument = build.product([self.value(item) for item in items[index + 1 : end]])
        return self._finish(head, self._apply(head, (argument,))), end

    def _apply(self, head: FuncHead | CallableSymbol, args: Sequence[Any]) -> Value:
        """The function at ``head`` applied to ``args``; with primes (\\sigma'(x)), its derivative there."""
        sub = head.sub if isinstance(head, FuncHead) else None
        primes = head.primes if isinstance(head, FuncHead) else 0
        if not primes:
            return apply_function(head.rule, args, sub, self.limits)
        if len(args) != 1 or primes > 3:
            raise ParseError(f"A prime needs a function of one argument, as in \\sigma'(x); check {head.rule.name!r}.")
        point = sp.Dummy("t")
        derivative = sp.diff(build.scalar(apply_function(head.rule, (point,), sub, self.limits), "derivative"), point, primes)
        return derivative.xreplace({point: build.scalar(self.value(args[0]), "derivative")})

    def _finish(self, head: FuncHead | CallableSymbol, result: Value) -> Value:
        if isinstance(head, FuncHead) and head.power is not None:
            return build.power(result, head.power, self.limits)
        return result
