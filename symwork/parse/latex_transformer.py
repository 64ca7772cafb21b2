"""The LaTeX transformer: builds SymPy from the parse tree, resolving juxtapositions in `fold`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sympy as sp
from lark import Token

import symwork.parse.construct as build
from symwork.errors import LimitError, ParseError
from symwork.parse.construct import Value
from symwork.parse.functions import FUNCTIONS, INVERSE_FUNCTIONS, apply_function
from symwork.parse.latex_markers import (
    PARTIAL,
    TRANSPOSE,
    CallableSymbol,
    DiffChain,
    Fact,
    FuncHead,
    Operator,
    Paren,
    Post,
    ScriptedParen,
    Sub,
    Sup,
    Top,
    derivative_variables,
    diff_mark,
)
from symwork.parse.latex_tables import CALLABLE_SYMBOLS, CONSTANTS, DETERMINANT_ENVIRONMENTS, symbol_name
from symwork.parse.tree import ArithmeticTransformer


class LatexTransformer(ArithmeticTransformer):
    """Builds SymPy from the LaTeX parse tree; juxtapositions are resolved in `fold`."""

    # --- values and markers -------------------------------------------------------------

    def value(self, item: Any) -> Value:
        if isinstance(item, DiffChain):
            return self.fold(item.items, 0)
        if isinstance(item, Paren):
            if len(item.args) != 1:
                raise ParseError(f"A list of {len(item.args)} values in parentheses needs a function name before it.")
            return item.args[0]
        if isinstance(item, ScriptedParen):
            return self.apply_posts(self.value(item.paren), item.posts)
        if isinstance(item, CallableSymbol):
            return item.symbol
        if isinstance(item, FuncHead):
            raise ParseError(f"The function {item.rule.name!r} needs an argument; write it after the name.")
        if isinstance(item, Operator):
            raise ParseError(f"{item.name!r} needs an expression after it; write the operand.")
        return super().value(item)

    def start(self, children: Sequence[Any]) -> list[Value]:
        values = super().start(children)
        if any(value.has(PARTIAL) for value in values):
            raise ParseError(
                "'\\partial' is only understood in \\frac{\\partial f}{\\partial x}; rewrite the derivative."
            )
        return values

    def letter(self, children: Sequence[Token]) -> Value:
        return sp.E if children[0] == "e" else sp.Symbol(str(children[0]))

    def symcmd(self, children: Sequence[Token]) -> Any:
        name = str(children[0])
        if name in CONSTANTS:
            return CONSTANTS[name]
        symbol = sp.Symbol(symbol_name(name))
        if name in CALLABLE_SYMBOLS:
            return CallableSymbol(symbol, FUNCTIONS[CALLABLE_SYMBOLS[name]])
        return symbol

    def namesym(self, children: Sequence[Token]) -> Value:
        return sp.Symbol(str(children[0]))

    def partial(self, children: Sequence[Token]) -> Value:
        return PARTIAL

    def func(self, children: Sequence[Token]) -> FuncHead:
        return FuncHead(FUNCTIONS[str(children[0])])

    def paren(self, children: Sequence[Any]) -> Paren:
        return Paren(tuple(self.value(child) for child in children))

    def group(self, children: Sequence[Any]) -> Value:
        return self.value(next(child for child in children if not isinstance(child, Token)))

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

    def bounds(self, children: Sequence[Any]) -> tuple[sp.Symbol, Value]:
        return sp.Symbol(symbol_name(str(children[0]))), self.value(children[1])

    def bigop(self, children: Sequence[Any]) -> Operator:
        token, (var, lower), upper = children
        return self._bigop(str(token), var, lower, self.value(upper))

    def bigop_flipped(self, children: Sequence[Any]) -> Operator:
        token, upper, (var, lower) = children
        return self._bigop(str(token), var, lower, self.value(upper))

    def _bigop(self, name: str, var: sp.Symbol, lower: Value, upper: Value) -> Operator:
        kind = sp.Sum if name == "sum" else sp.Product
        limits = (var, build.scalar(lower, "lower bound"), build.scalar(upper, "upper bound"))
        return Operator("\\" + name, lambda body: kind(build.scalar(body, "\\" + name), limits))

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
        if isinstance(base, FuncHead):
            return self._script_function(base, posts)
        if isinstance(base, Paren) and not any(isinstance(post, Sub) for post in posts):
            return ScriptedParen(base, posts)
        if isinstance(base, Operator):
            raise ParseError(f"Scripts after {base.name!r} are ambiguous; put its operand in parentheses.")
        return self.apply_posts(base, posts)

    def _script_function(self, head: FuncHead, posts: tuple[Post, ...]) -> FuncHead:
        sub, power = head.sub, head.power
        for post in posts:
            if isinstance(post, Sub):
                sub = post.parts[0] if len(post.parts) == 1 else sp.Symbol(post.text)
            elif isinstance(post, Sup) and post.value is not None:
                power = post.value
            else:
                raise ParseError(
                    f"'!' or a transpose directly after the function {head.rule.name!r} needs its argument first."
                )
        if power == -1 and head.rule.name in INVERSE_FUNCTIONS:
            return FuncHead(FUNCTIONS[INVERSE_FUNCTIONS[head.rule.name]], sub, None)
        return FuncHead(head.rule, sub, power)

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
        symbol = base.symbol if isinstance(base, CallableSymbol) else base
        if isinstance(symbol, sp.Symbol) and symbol is not PARTIAL:
            name = symbol.name
        elif isinstance(symbol, sp.Basic) and symbol in names:
            name = names[symbol]
        else:
            raise ParseError(f"A subscript needs a name before it, not {self.value(base)!r}; write x_{{{sub.text}}}.")
        if name == "delta" and len(sub.parts) == 2:
            return sp.KroneckerDelta(*sub.parts)
        return sp.Symbol(f"{name}_{sub.text}")

    # --- juxtaposition ----------------------------------------------------------------------

    def chain(self, children: Sequence[Any]) -> Any:
        if len(children) == 1 and isinstance(children[0], Paren):
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
                    raise ParseError(f"{item.name!r} needs an expression after it; write the operand.")
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
        rule = head.rule
        sub = head.sub if isinstance(head, FuncHead) else None
        if isinstance(following, Paren):
            return self._finish(head, apply_function(rule, following.args, sub, self.limits)), index + 2
        if isinstance(following, ScriptedParen):
            result = self._finish(head, apply_function(rule, following.paren.args, sub, self.limits))
            return self.apply_posts(result, following.posts), index + 2
        if isinstance(following, Operator):
            argument = self.fold(items[index + 1 :], depth + 1)
            return self._finish(head, apply_function(rule, (argument,), sub, self.limits)), len(items)
        if following is not None and self._is_call(items, index + 1):
            argument, end = self._call(items, index + 1, depth + 1)
        else:
            # Without parentheses the argument is the run of plain factors: \sin 2\pi x = sin(2πx).
            end = index + 1
            while end < len(items) and not self._is_call(items, end):
                end += 1
            if end == index + 1:
                raise ParseError(f"The function {rule.name!r} needs an argument; write it after the name.")
            argument = build.product([self.value(item) for item in items[index + 1 : end]])
        return self._finish(head, apply_function(rule, (argument,), sub, self.limits)), end

    def _finish(self, head: FuncHead | CallableSymbol, result: Value) -> Value:
        if isinstance(head, FuncHead) and head.power is not None:
            return build.power(result, head.power, self.limits)
        return result
