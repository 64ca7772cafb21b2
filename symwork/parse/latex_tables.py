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
#: Symbols that become a function call when directly followed by a parenthesis: \sigma(x) = sigmoid(x),
#: \Phi(x) and \phi(x) the standard normal distribution function and density.
CALLABLE_SYMBOLS = {**ml_aliases(lambda notation: notation.symbol), "Phi": "Phi", "phi": "phi"}
#: The symwork.sty macros of the ML functions (\GELU, \relu, \softmax, \logsumexp), as printed in worksheets.
ML_MACROS = {
    macro: name
    for macro, name in ml_aliases(lambda notation: (notation.macro.lstrip("\\"),)).items()
    if macro not in GREEK
}

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
    # symwork.sty's macros, as the worksheets print them.
    "tr": "tr",
    "diag": "diag",
    **ML_MACROS,
}
#: Names accepted in \operatorname{...} (and \mathrm{...} when used as a function).
OPERATOR_NAMES = {
    **LATEX_FUNCTIONS,
    "diag": "diag",
    "tr": "tr",
    "trace": "tr",
    "Tr": "tr",
    "sign": "sign",
    "erf": "erf",
    "erfc": "erfc",
    "softmax": "softmax",
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
    "odot": "_ODOT",
    "nabla": "NABLA",
    "dots": "ELLIPSIS",
    "ldots": "ELLIPSIS",
    "cdots": "ELLIPSIS",
    "dotsc": "ELLIPSIS",
    "dotsb": "ELLIPSIS",
    "leq": "LEQ",
    "le": "LEQ",
    "substack": "SUBSTACK",
    "lVert": "NORM_OPEN",
    "rVert": "NORM_CLOSE",
    "Vert": "NORM_BAR",
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
    "\\|": "NORM_BAR",
    "\\,": None,
    "\\;": None,
    "\\!": None,
    "\\:": None,
    "\\ ": None,
}
FONT_COMMANDS = frozenset(
    "operatorname mathrm mathbf mathit mathsf mathtt mathbb bm boldsymbol text textrm textit textbf".split()
)
#: Bold fonts: a bold lower-case letter is a vector, a bold upper-case letter a matrix (ML notation).
BOLD_FONTS = frozenset({"mathbf", "bm", "boldsymbol"})
#: \mathbf{1} is a vector of ones and \mathbf{0} a vector of zeros, in every bold (and blackboard) font.
CONSTANT_VECTORS = {"1": "ONES", "0": "ZEROS"}
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
MATRIX_ENVIRONMENTS = frozenset({"matrix", "pmatrix", "bmatrix", "Bmatrix", "smallmatrix", "array"})
DETERMINANT_ENVIRONMENTS = frozenset({"vmatrix"})
#: Layout environments inside an expression (a result broken over lines): their & and \\ are only layout.
LAYOUT_ENVIRONMENTS = frozenset({"aligned", "split", "gathered", "multlined"})


def symbol_name(command: str) -> str:
    return GREEK_VARIANTS.get(command, command)
