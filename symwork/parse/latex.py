"""The LaTeX parser: a post-lexer that reads every command through one table, and a transformer to SymPy."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import sympy as sp
from lark import Lark, Token
from lark.lark import PostLex

from symwork.errors import LimitError, ParseError
from symwork.parse import construct as build
from symwork.parse.construct import FUNCTIONS, INVERSE_FUNCTIONS, FunctionRule, Value
from symwork.parse.limits import Limits
from symwork.parse.tree import CURRENT_LIMITS, ArithmeticTransformer, count_tokens, load_grammar, run

# ---------------------------------------------------------------------------------------------
# Tables: what each command means.

GREEK = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi rho sigma tau upsilon "
    "phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega ell"
).split()
#: Variant letters name the same symbol as the plain letter.
GREEK_VARIANTS = {"varepsilon": "epsilon", "vartheta": "theta", "varphi": "phi", "varrho": "rho", "varsigma": "sigma"}
CONSTANTS: dict[str, sp.Expr] = {"pi": sp.pi, "infty": sp.oo}
#: Symbols that become a function call when directly followed by a parenthesis: \sigma(x) = sigmoid(x).
CALLABLE_SYMBOLS = {"sigma": "sigmoid"}

#: Function commands, by LaTeX name, to the names in build.FUNCTIONS.
LATEX_FUNCTIONS = {
    "exp": "exp",
    "log": "log",
    "ln": "log",
    "sin": "sin",
    "cos": "cos",
    "tan": "tan",
    "cot": "cot",
    "sec": "sec",
    "csc": "csc",
    "arcsin": "asin",
    "arccos": "acos",
    "arctan": "atan",
    "sinh": "sinh",
    "cosh": "cosh",
    "tanh": "tanh",
    "max": "max",
    "min": "min",
    "det": "det",
    "sgn": "sign",
}
#: Names accepted in \operatorname{...} (and \mathrm{...} when used as a function).
OPERATOR_NAMES = {
    **LATEX_FUNCTIONS,
    "softmax": "softmax",
    "diag": "diag",
    "tr": "tr",
    "trace": "tr",
    "Tr": "tr",
    "relu": "relu",
    "ReLU": "relu",
    "sigmoid": "sigmoid",
    "logsumexp": "logsumexp",
    "LSE": "logsumexp",
    "sign": "sign",
    "gelu": "gelu",
    "GELU": "gelu",
}
#: Commands that only retype the token; None drops it (spacing and sizing have no mathematical meaning).
COMMAND_TYPES: dict[str, str | None] = {
    **{name: "SYMCMD" for name in [*GREEK, *GREEK_VARIANTS, *CONSTANTS]},
    **{name: "FUNC" for name in LATEX_FUNCTIONS},
    "frac": "FRAC",
    "dfrac": "FRAC",
    "tfrac": "FRAC",
    "cfrac": "FRAC",
    "binom": "BINOM",
    "dbinom": "BINOM",
    "tbinom": "BINOM",
    "sqrt": "SQRT",
    "sum": "BIGOP",
    "prod": "BIGOP",
    "partial": "PARTIAL",
    "top": "TOP",
    "intercal": "TOP",
    "cdot": "_CDOT",
    "times": "_CDOT",
    "div": "_DIV",
    "lvert": "ABS_OPEN",
    "rvert": "ABS_CLOSE",
    "vert": "BAR",
    "lbrace": "LBRACE_LIT",
    "rbrace": "RBRACE_LIT",
    **{
        name: None
        for name in (
            "quad qquad displaystyle textstyle scriptstyle limits nolimits big Big bigg Bigg "
            "bigl bigr Bigl Bigr biggl biggr Biggl Biggr"
        ).split()
    },
}
#: Non-letter commands: \{ \} \\ and the spacing commands \, \; \! \: and "\ ".
SYMBOL_COMMANDS: dict[str, str | None] = {
    "\\{": "LBRACE_LIT",
    "\\}": "RBRACE_LIT",
    "\\\\": "ROWSEP",
    "\\,": None,
    "\\;": None,
    "\\!": None,
    "\\:": None,
    "\\ ": None,
}
FONT_COMMANDS = frozenset(
    "operatorname mathrm mathbf mathit mathsf mathtt bm boldsymbol text textrm textit textbf".split()
)
#: \bar{x} is the Symbol 'xbar'; \vec only marks a vector and adds nothing to the name.
ACCENTS = {
    "bar": "bar",
    "overline": "bar",
    "hat": "hat",
    "widehat": "hat",
    "tilde": "tilde",
    "widetilde": "tilde",
    "dot": "dot",
    "ddot": "ddot",
    "vec": "",
}
MATRIX_ENVIRONMENTS = frozenset({"matrix", "pmatrix", "bmatrix", "Bmatrix", "smallmatrix"})
DETERMINANT_ENVIRONMENTS = frozenset({"vmatrix"})
_DELIMITERS = frozenset({"(", ")", "[", "]", "\\{", "\\}", "\\lbrace", "\\rbrace"})
_BARS = frozenset({"|", "\\vert", "\\lvert", "\\rvert"})
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*")
#: Token types after which a "|" closes an absolute value rather than opening one.
_ENDS_OPERAND = frozenset(
    {
        "NUMBER",
        "LETTER",
        "SYMCMD",
        "NAMESYM",
        "_RPAR",
        "_RSQB",
        "_RBRACE",
        "RBRACE_LIT",
        "ABS_CLOSE",
        "_BANG",
        "TOP",
        "END",
    }
)
#: Commands taking TeX arguments, where an unbraced number contributes one digit: \frac12 = 1/2.
_ARGUMENT_COUNTS = {"FRAC": 2, "BINOM": 2, "SQRT": 1, "_CARET": 1, "_UNDERSCORE": 1}


def symbol_name(command: str) -> str:
    return GREEK_VARIANTS.get(command, command)


# ---------------------------------------------------------------------------------------------
# Post-lexer: commands, delimiters, TeX arguments and bars, in four small stages.


class _Tokens:
    """A token iterator with push-back, for the stages that need to look ahead."""

    def __init__(self, tokens: Iterator[Token]) -> None:
        self._tokens = tokens
        self._pushed: list[Token] = []

    def __iter__(self) -> Iterator[Token]:
        return self

    def __next__(self) -> Token:
        return self._pushed.pop() if self._pushed else next(self._tokens)

    def take(self, after: str) -> Token:
        token = next(self, None)
        if token is None:
            raise ParseError(f"{after!r} at the end of the expression needs an argument; complete it.")
        return token

    def push(self, token: Token) -> None:
        self._pushed.append(token)


def _retyped(token: Token, kind: str, value: str | None = None) -> Token:
    return Token.new_borrow_pos(kind, token.value if value is None else value, token)


def _braced_group(tokens: _Tokens, command: str) -> list[Token]:
    """The tokens of `{...}` after a command (no nesting), or the single next token."""
    first = tokens.take(command)
    if first.type != "_LBRACE":
        return [first]
    group: list[Token] = []
    for token in tokens:
        if token.type == "_RBRACE":
            return group
        if token.type == "_LBRACE":
            raise ParseError(f"Nested braces inside {command!r} are not supported; write {command}{{name}}.")
        group.append(token)
    raise ParseError(f"The argument of {command!r} is missing its closing brace; add '}}'.")


def _left_right(token: Token, tokens: _Tokens) -> Iterator[Token]:
    opening = token.value == "\\left"
    delimiter = tokens.take(token.value)
    if delimiter.value == ".":
        return  # \left. and \right. are invisible
    if delimiter.value in _BARS:
        yield _retyped(delimiter, "ABS_OPEN" if opening else "ABS_CLOSE")
    elif delimiter.value in _DELIMITERS:
        tokens.push(delimiter)
    else:
        raise ParseError(
            f"The delimiter {delimiter.value!r} after {token.value} is not supported; use ( ), [ ] or | |."
        )


def _environment(token: Token, tokens: _Tokens) -> Iterator[Token]:
    name = "".join(part.value for part in _braced_group(tokens, token.value))
    if name not in MATRIX_ENVIRONMENTS | DETERMINANT_ENVIRONMENTS:
        raise ParseError(f"The environment {name!r} is not supported; use pmatrix, bmatrix or vmatrix.")
    yield _retyped(token, "BEGIN" if token.value == "\\begin" else "END", name)


def _font(token: Token, tokens: _Tokens) -> Iterator[Token]:
    group = _braced_group(tokens, token.value)
    if len(group) == 1 and group[0].type == "CMD":
        tokens.push(group[0])  # \boldsymbol{\mu} is \mu
        return
    name = "".join(part.value for part in group)
    if name in OPERATOR_NAMES:
        yield _retyped(token, "FUNC", OPERATOR_NAMES[name])
    elif token.value == "\\operatorname":
        known = ", ".join(sorted(OPERATOR_NAMES))
        raise ParseError(f"The operator name {name!r} is unknown; use one of {known}.")
    elif not _NAME.fullmatch(name):
        raise ParseError(f"{token.value}{{{name}}} is not a name; use letters and digits only.")
    else:
        # A single letter stays a letter, so \mathrm{e} is Euler's number and \mathrm{d} a differential.
        yield _retyped(token, "LETTER" if len(name) == 1 else "NAMESYM", name)


def _accent(token: Token, tokens: _Tokens) -> Iterator[Token]:
    group = _braced_group(tokens, token.value)
    if len(group) != 1 or group[0].type not in ("LETTER", "CMD"):
        raise ParseError(f"{token.value} needs a single letter, as in {token.value}{{x}}; simplify its argument.")
    base = group[0].value.lstrip("\\")
    if group[0].type == "CMD" and base not in GREEK and base not in GREEK_VARIANTS:
        raise ParseError(f"{token.value} needs a letter, not {group[0].value!r}; use a letter or a Greek letter.")
    yield _retyped(token, "NAMESYM", symbol_name(base) + ACCENTS[token.value[1:]])


SPECIAL_COMMANDS: dict[str, Callable[[Token, _Tokens], Iterator[Token]]] = {
    "left": _left_right,
    "right": _left_right,
    "begin": _environment,
    "end": _environment,
    **{name: _font for name in FONT_COMMANDS},
    **{name: _accent for name in ACCENTS},
}


def _commands(stream: Iterator[Token]) -> Iterator[Token]:
    tokens = _Tokens(stream)
    for token in tokens:
        if token.type == "CMD":
            name = token.value[1:]
            if name in SPECIAL_COMMANDS:
                yield from SPECIAL_COMMANDS[name](token, tokens)
            elif name in COMMAND_TYPES:
                kind = COMMAND_TYPES[name]
                if kind is not None:
                    yield _retyped(token, kind, LATEX_FUNCTIONS[name] if kind == "FUNC" else name)
            else:
                raise ParseError(f"The LaTeX command {token.value!r} is not supported; see the parser conventions.")
        elif token.type == "CMDSYM":
            if token.value not in SYMBOL_COMMANDS:
                raise ParseError(f"The LaTeX command {token.value!r} is not supported; see the parser conventions.")
            kind = SYMBOL_COMMANDS[token.value]
            if kind is not None:
                yield _retyped(token, kind)
        elif token.type == "DOT":
            raise ParseError(f"Unexpected '.' at column {token.column}; write decimals as 0.5.")
        else:
            yield token


class _Pending:
    """A command still waiting for `remaining` TeX arguments at brace depth `depth`."""

    def __init__(self, remaining: int, depth: int, optional: bool) -> None:
        self.remaining, self.depth, self.optional, self.in_optional = remaining, depth, optional, False


def _arguments(stream: Iterator[Token]) -> Iterator[Token]:
    """Split unbraced numbers in argument positions to one digit, as TeX does: x^22 = x^2·2, \\frac12 = 1/2."""
    tokens = _Tokens(stream)
    pending: list[_Pending] = []
    depth = 0

    def argument_done() -> None:
        pending[-1].remaining -= 1
        pending[-1].optional = False
        if pending[-1].remaining == 0:
            pending.pop()

    for token in tokens:
        waiting = pending[-1] if pending and pending[-1].depth == depth and not pending[-1].in_optional else None
        if waiting and token.type == "NUMBER" and len(token.value) > 1:
            yield _retyped(token, "NUMBER", token.value[0])
            tokens.push(_retyped(token, "NUMBER", token.value[1:]))
            argument_done()
            continue
        yield token
        if token.type in _ARGUMENT_COUNTS:
            pending.append(_Pending(_ARGUMENT_COUNTS[token.type], depth, token.type == "SQRT"))
        elif token.type == "_LBRACE":
            depth += 1
        elif token.type == "_RBRACE":
            depth -= 1
            if pending and pending[-1].depth == depth and not pending[-1].in_optional:
                argument_done()
        elif token.type == "_LSQB" and waiting and waiting.optional:
            waiting.in_optional = True  # \sqrt[n]{x}: the index is not the argument
        elif token.type == "_RSQB" and pending and pending[-1].in_optional and pending[-1].depth == depth:
            pending[-1].in_optional = pending[-1].optional = False
        elif waiting and token.type not in ("_MINUS", "_PLUS", "_LSQB"):
            argument_done()


def _bars(stream: Iterator[Token], limits: Limits) -> Iterator[Token]:
    """Decide whether each '|' opens or closes an absolute value, from the token before it."""
    open_bars = 0
    previous = ""
    for token in stream:
        if token.type == "BAR":
            closing = open_bars > 0 and previous in _ENDS_OPERAND
            token = _retyped(token, "ABS_CLOSE" if closing else "ABS_OPEN")
        if token.type == "ABS_OPEN":
            open_bars += 1
            if open_bars > limits.max_depth:
                raise LimitError(f"Absolute values nest more than {limits.max_depth!r} deep; simplify the expression.")
        elif token.type == "ABS_CLOSE":
            open_bars -= 1
        previous = token.type
        yield token


class LatexPostLex(PostLex):
    always_accept = ("CMD", "CMDSYM", "BAR", "DOT")

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        limits = CURRENT_LIMITS.get()
        return _bars(_arguments(_commands(count_tokens(stream, limits))), limits)


@cache
def parser() -> Lark:
    return load_grammar("latex.lark", postlex=LatexPostLex())


# ---------------------------------------------------------------------------------------------
# Markers: parsed pieces whose meaning depends on their neighbours in a juxtaposition.


@dataclass(frozen=True)
class Sup:
    value: Value | None  # the exponent, or None for a transpose


@dataclass(frozen=True)
class Top:
    """\\top or \\intercal as a superscript."""


@dataclass(frozen=True)
class Sub:
    text: str  # the subscript as it becomes part of a Symbol name: 'ij', '10', 'alpha', 't-1'
    parts: tuple[Value, ...]  # its index values, for \delta_{ij}, \log_2 and \operatorname{softmax}_k


@dataclass(frozen=True)
class Fact:
    pass


Post = Sup | Sub | Fact


@dataclass(frozen=True)
class FuncHead:
    """A function waiting for its argument, with the subscript and power written on its name."""

    rule: FunctionRule
    sub: Value | None = None
    power: Value | None = None


@dataclass(frozen=True)
class CallableSymbol:
    """\\sigma: the Symbol sigma, unless directly followed by a parenthesis, when it is a call."""

    symbol: sp.Symbol
    rule: FunctionRule


@dataclass(frozen=True)
class Paren:
    """(a) or (a, b): a value, or the arguments of the function written before it."""

    args: tuple[Value, ...]


@dataclass(frozen=True)
class ScriptedParen:
    """(x)^2: after a function name the parenthesis is the argument, so \\sin(x)^2 = sin(x)**2."""

    paren: Paren
    posts: tuple[Post, ...]


@dataclass(frozen=True)
class Operator:
    """\\sum, \\prod and \\frac{d}{dx}: they apply to everything after them in the product."""

    name: str
    apply: Callable[[Value], Value]


@dataclass(frozen=True)
class DiffChain:
    """A product starting with d or \\partial, which may be one side of a derivative fraction."""

    kind: sp.Symbol
    order: int
    items: tuple[Any, ...]


#: The superscripts ^T, ^{T}, ^\top and ^{\top} all mean transpose.
TRANSPOSE = sp.Symbol("T")
DIFFERENTIAL = sp.Symbol("d")
#: \partial outside a derivative fraction is an error, so it is a Dummy no user name can equal.
PARTIAL = sp.Dummy("partial")


def _diff_mark(item: Any) -> tuple[sp.Symbol, int] | None:
    if not isinstance(item, sp.Basic):
        return None
    if item == DIFFERENTIAL or item == PARTIAL:
        return item, 1
    if isinstance(item, sp.Pow) and item.base in (DIFFERENTIAL, PARTIAL) and item.exp.is_Integer and item.exp > 0:
        return item.base, int(item.exp)
    return None


def _variables(den: DiffChain) -> list[tuple[sp.Symbol, int]] | None:
    """The variables of a derivative denominator 'dx^2' or '\\partial x \\partial y', or None."""
    items, variables = list(den.items), []
    while items:
        mark = _diff_mark(items.pop(0))
        if mark is None or mark != (den.kind, 1) or not items:
            return None
        var = items.pop(0)
        if isinstance(var, sp.Symbol):
            variables.append((var, 1))
        elif isinstance(var, sp.Pow) and isinstance(var.base, sp.Symbol) and var.exp.is_Integer and var.exp > 0:
            variables.append((var.base, int(var.exp)))
        else:
            return None
    return variables


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
            variables = _variables(den)
            if variables and sum(order for _, order in variables) == num.order:
                return self._derivative(num.items[1:], variables)
        return build.div(self.value(num), self.value(den))

    def _as_diff(self, item: Any) -> Any:
        mark = _diff_mark(item)
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
        mark = _diff_mark(children[0])
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
            return self._finish(head, build.apply_function(rule, following.args, sub, self.limits)), index + 2
        if isinstance(following, ScriptedParen):
            result = self._finish(head, build.apply_function(rule, following.paren.args, sub, self.limits))
            return self.apply_posts(result, following.posts), index + 2
        if isinstance(following, Operator):
            argument = self.fold(items[index + 1 :], depth + 1)
            return self._finish(head, build.apply_function(rule, (argument,), sub, self.limits)), len(items)
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
        return self._finish(head, build.apply_function(rule, (argument,), sub, self.limits)), end

    def _finish(self, head: FuncHead | CallableSymbol, result: Value) -> Value:
        if isinstance(head, FuncHead) and head.power is not None:
            return build.power(result, head.power, self.limits)
        return result


def parse_parts(text: str, limits: Limits) -> tuple[Value, ...]:
    """The parts of a LaTeX expression or '='-chain, each as SymPy."""
    return run(clean(text), limits, parser, LatexTransformer)


_WRAPPERS = [("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]")]
#: Removed from the end, repeatedly: spacing, and one sentence's punctuation ('x^2.' or 'x^2,').
_TRAILING = ("\\,", "\\;", "\\!", "\\:", "\\qquad", "\\quad", "~", ".", ",")


def clean(text: str) -> str:
    """Strip math delimiters ($...$, \\(...\\)) and trailing punctuation ('x^2.' ends a sentence)."""
    stripped = text.strip()
    for opening, closing in _WRAPPERS:
        if len(stripped) >= len(opening) + len(closing) and stripped.startswith(opening) and stripped.endswith(closing):
            stripped = stripped[len(opening) : -len(closing)].strip()
            break
    while True:
        stripped = stripped.rstrip()
        if stripped.endswith("\\right."):
            return stripped
        suffix = next((end for end in _TRAILING if stripped.endswith(end)), None)
        if suffix is None:
            return stripped
        stripped = stripped[: -len(suffix)]
