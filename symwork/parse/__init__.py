"""Safe parsing of typed mathematics (LaTeX or plain syntax) into SymPy, without eval and within size limits.

The public API is `parse`, `parse_relation`, `Limits`, `LIMITS` and `CONVENTIONS`. User text is read by
our own Lark grammars (`latex.lark`, `plain.lark`) and SymPy objects are built from the parse tree with
constructors; nothing typed by a user reaches `eval`, `exec`, `sympify` or SymPy's own parsers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from symwork.core.callable import make_callable
from symwork.errors import ParseError, quote
from symwork.parse.limits import LIMITS, Limits, check_text, check_tokens

if TYPE_CHECKING:
    import sympy as sp

    from symwork.parse.names import Evidence, Names

__all__ = ["CONVENTIONS", "LIMITS", "SYNTAXES", "Limits", "Reading", "parse", "parse_relation", "read"]

SYNTAXES = ("auto", "latex", "plain")

CONVENTIONS = """\
- Syntax: `syntax="auto"` reads the text as LaTeX when it contains a backslash or `{`, otherwise as plain syntax.
- Numbers are exact: `0.1` is 1/10, `1e-3` (plain) and `10^{-3}` are 1/1000; no floats are created.
- `e` alone, `e^{x}` and `\\exp x` are Euler's number and the exponential; `\\log` and `\\ln` are natural
  logarithms; `\\log_2 x` is log(x)/log(2).
- LaTeX letters are single symbols: `xy` is x*y, `2\\pi x` is 2*pi*x. In plain syntax `xy` is one symbol,
  and juxtaposition is allowed only after a number, a parenthesis or a function call (`2x`, `2(x+1)`,
  `(a+b)(a-b)`, `2sin(x)cos(x)`); a one-letter name other than f, g, h before a parenthesis is a product
  (`x(x-1)`, `1/(n(n+1))`).
- Implicit multiplication binds tighter than `/`: `1/2x` is 1/(2x). Write `x/2` or `\\frac{x}{2}` otherwise.
- Subscripts are part of a symbol's name: `x_1` is Symbol('x_1'), `x_{10}` is Symbol('x_10'),
  `z_{ij}` is Symbol('z_ij'), `\\sigma_0` is Symbol('sigma_0'). As in TeX, `x_10` is x_1 times 0 and
  `x^22` is x^2 times 2; use braces. `\\delta_{ij}` is KroneckerDelta(i, j).
- Only known function names are calls. `s_i(x+1)` and `f(x)` in LaTeX are products; in plain syntax
  an unknown call `f(x)` is an error (write `f*(x)`).
- `\\sigma(x)` and `\\operatorname{sigmoid}(x)` (plain: `sigma(x)`, `sigmoid(x)`) are the logistic sigmoid;
  a bare `\\sigma` is Symbol('sigma') and `\\sigma^2` its square.
- Function arguments without parentheses run to the next function or operator: `\\sin 2\\pi x` is
  sin(2πx), `\\sin x \\cos x` is sin(x)cos(x). `\\sin^2 x` is sin(x)**2, `\\sin(x)^2` also;
  `\\sin^{-1} x` is asin(x) (for sin, cos, tan and their hyperbolic forms).
- `\\sum_{k=1}^{n}`, `\\prod_{k=1}^{n}` and `\\frac{d}{dx}` apply to the rest of the product they start:
  `\\sum_{k=1}^{n} k^2 + 1` is Sum(k**2, (k, 1, n)) + 1. Sums, products and derivatives stay unevaluated.
- Derivatives: `\\frac{d}{dx} f`, `\\frac{df}{dx}`, `\\frac{d^2 f}{dx^2}`, `\\frac{\\partial f}{\\partial x}`,
  `\\frac{\\partial^2 f}{\\partial x \\partial y}` become sympy.Derivative. A lone `d` is Symbol('d').
- Transpose: `^T`, `^{T}`, `^\\top`, `^{\\top}` (plain: `^T`). Transposes apply to matrix literals only;
  for a scalar symbol `x^\\top` is x. For a power named T write `x^{(T)}` (plain `x^(T)`).
  `^{-1}` inverts a matrix literal; on a symbol it is the reciprocal.
- Matrices: `pmatrix`, `bmatrix`, `Bmatrix`, `matrix` with `&` and `\\\\` (plain: `[[1,2],[3,4]]`; `[1,2,3]`
  is a 3x1 column). `vmatrix` and `\\det` give the determinant; `\\operatorname{tr}` the trace. For a bare
  symbol `\\det A` and `\\operatorname{tr}(A)` mean sympy.Determinant/Trace of an n x n MatrixSymbol A.
- ML functions: `\\operatorname{softmax}_k(z_1, ..., z_n)` (plain `softmax(k, z_1, ..., z_n)`) is the k-th
  component; softmax of a vector literal is the softmax vector. `relu`, `ReLU`, `sigmoid`, `logsumexp`,
  `LSE`, `GELU` (exact, x*Phi(x)), `diag`, `tr`, `sign` work with `\\operatorname{}` or `\\mathrm{}`.
  Activations apply entrywise to vector literals.
- Accents and fonts: `\\bar{x}`, `\\hat{y}`, `\\tilde{z}` are Symbols 'xbar', 'yhat', 'ztilde';
  `\\mathbf{x}`, `\\bm{x}`, `\\boldsymbol{x}`, `\\mathrm{x}` are Symbol('x'); Greek letters are Symbols
  named like the command ('lambda', 'Sigma'); `\\varepsilon` is 'epsilon'. `\\pi` is pi, `\\infty` is oo.
- `|x|` is Abs; `n!` is factorial; `\\binom{n}{k}` is binomial. Spacing (`\\,` `\\;` `\\quad` `~`),
  `\\displaystyle`, `\\left`/`\\right` sizes, surrounding `$...$` and a trailing `.` or `,` are ignored.
- `a = b = c` is read by `parse_relation` into its parts; `parse` refuses `=`.
- Notation for vectors and matrices (`x^\\top` of a name, `\\operatorname{diag}(\\bm{s})`, `\\|x\\|`, `a \\odot b`,
  `\\nabla_{\\bm{x}}`, `\\mathbf{1}`, `\\sum_k` without bounds) stays as markers (`symwork.parse.unresolved`)
  until a scope gives the names shapes (`symwork.parse.read` with `Names`, used by `symwork.answers`).
- Unicode (−, ·, σ, ², ₁, √, ‖, ⊙, ᵀ) is read as the LaTeX or plain syntax it stands for; `\\sigma'(x)` is the
  derivative; `(1, 2)^\\top` a column; `\\Phi`, `\\phi`, `erf`; in plain syntax `|x|` and `e^a e^b`.
- Limits (see `LIMITS`): 10,000 characters, bracket depth 200, 5,000 tokens, numeric exponents up to
  10,000 in magnitude, numeric results of powers up to 400 digits, factorials up to 1000!, literal
  numbers up to 400 digits, and det/inverse/powers only of small matrices. Beyond them: LimitError.
"""


@dataclass(frozen=True)
class Reading:
    """What `read` gives: the parts of an '='-chain, the syntax used and what the text showed about its names."""

    parts: tuple[sp.Basic, ...]
    syntax: str
    evidence: Evidence


def read(text: str, *, syntax: str = "auto", limits: Limits = LIMITS, names: Names | None = None) -> Reading:
    """Parse an '='-chain under ``names`` (which names may be arrays), recording the evidence about names.

    Names listed in ``names.arrays`` become noncommutative symbols and array notation on them stays as
    markers (`symwork.parse.unresolved`), for a scope to resolve (see `symwork.answers.reading`).
    """
    check_text(text, limits)
    chosen = _choose_syntax(text, syntax)
    # Imported here so that importing symwork.parse (e.g. for the CLI's --help) does not import SymPy.
    from symwork.parse import latex, plain
    from symwork.parse.names import NO_NAMES, reading
    from symwork.parse.unicode import normalise

    text = normalise(text, chosen)
    check_tokens(text, chosen, limits)
    parsers = {"latex": latex.parse_parts, "plain": plain.parse_parts}
    with reading(names or NO_NAMES) as evidence:
        parts = parsers[chosen](text, limits)
    return Reading(parts, chosen, evidence)


def parse(text: str, *, syntax: str = "auto", limits: Limits = LIMITS) -> sp.Basic:
    """Parse one expression (an Expr, or an ImmutableMatrix for a matrix) from LaTeX or plain text.

    >>> parse(r"\\frac{1}{1 + e^{-x}}")
    1/(1 + exp(-x))
    """
    parts = parse_relation(text, syntax=syntax, limits=limits)
    if len(parts) != 1:
        raise ParseError(f"{quote(text)} contains '='; use parse_relation to read an equation into its sides.")
    return parts[0]


def parse_relation(text: str, *, syntax: str = "auto", limits: Limits = LIMITS) -> tuple[sp.Basic, ...]:
    """Parse an '=' chain `a = b = c` into its parts (a 1-tuple when there is no '=').

    >>> parse_relation("x^2 - 1 = (x-1)(x+1)")
    (x**2 - 1, (x - 1)*(x + 1))
    """
    return read(text, syntax=syntax, limits=limits).parts


def _choose_syntax(text: str, syntax: str) -> str:
    if syntax not in SYNTAXES:
        raise ParseError(f"The syntax {syntax!r} is unknown; use one of {', '.join(SYNTAXES)}.")
    if syntax != "auto":
        return syntax
    return "latex" if "\\" in text or "{" in text else "plain"


make_callable(__name__, "parse")
