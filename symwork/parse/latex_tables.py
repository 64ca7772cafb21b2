"""What each LaTeX command means: Greek letters, constants, function names, fonts, accents, environments."""

from __future__ import annotations

import sympy as sp

from symwork.parse.functions import ml_aliases

GREEK = (
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi rho sigma tau upsilon "
    "phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega ell"
).split()
#: Variant letters name the same symbol as the plain letter.
GREEK_VARIANTS = {"varepsilon": "epsilon", "vartheta": "theta", "varphi": "phi", "varrho": "rho", "varsigma": "sigma"}
CONSTANTS: dict[str, sp.Expr] = {"pi": sp.pi, "infty": sp.oo}
#: Symbols that become a function call when directly followed by a parenthesis: \sigma(x) = sigmoid(x).
CALLABLE_SYMBOLS = ml_aliases(lambda notation: notation.symbol)

#: Function commands, by LaTeX name, to the names in FUNCTIONS.
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
    "diag": "diag",
    "tr": "tr",
    "trace": "tr",
    "Tr": "tr",
    "sign": "sign",
    **ml_aliases(lambda notation: notation.latex),
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


def symbol_name(command: str) -> str:
    return GREEK_VARIANTS.get(command, command)
