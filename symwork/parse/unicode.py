"""Mathematics pasted from a PDF or typed on a phone: Unicode symbols (−, σ, ·, ², √, ‖, ⊤) rewritten as our syntax.

Each character maps to what a person would have typed in the chosen syntax; the text is rewritten
before lexing, so the grammars stay ASCII. A character with no entry is left for the lexer to refuse.
"""

from __future__ import annotations

import re

#: Greek letters by their LaTeX names; the plain syntax spells them out (σ → sigma).
_GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "epsilon", "ζ": "zeta",
    "η": "eta", "θ": "theta", "ϑ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu",
    "ξ": "xi", "π": "pi", "ρ": "rho", "σ": "sigma", "τ": "tau", "υ": "upsilon", "φ": "phi", "ϕ": "phi",
    "χ": "chi", "ψ": "psi", "ω": "omega", "Γ": "Gamma", "Δ": "Delta", "Θ": "Theta", "Λ": "Lambda",
    "Ξ": "Xi", "Π": "Pi", "Σ": "Sigma", "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega", "ℓ": "ell",
}  # fmt: skip
_SUPERSCRIPTS = {"⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8", "⁹": "9"}
_SUBSCRIPTS = {"₀": "0", "₁": "1", "₂": "2", "₃": "3", "₄": "4", "₅": "5", "₆": "6", "₇": "7", "₈": "8", "₉": "9"}
#: Characters with the same meaning in both syntaxes (minus signs and dashes, primes, spaces).
_COMMON = {
    "−": "-", "–": "-", "‐": "-", "‒": "-", "﹣": "-", "－": "-", "′": "'", "’": "'", "\u00a0": " ",
    "\u2009": " ", "\u202f": " ", "\u200b": "", "＋": "+", "＝": "=", "（": "(", "）": ")",
}  # fmt: skip
_LATEX = {
    **{char: f"\\{name} " for char, name in _GREEK.items()},
    "·": r"\cdot ", "⋅": r"\cdot ", "×": r"\times ", "÷": r"\div ", "√": r"\sqrt", "∑": r"\sum", "∏": r"\prod",
    "∂": r"\partial ", "∇": r"\nabla", "‖": r"\|", "∥": r"\|", "⊙": r"\odot ", "∘": r"\odot ", "∞": r"\infty ",
    "≤": r"\leq ", "⩽": r"\leq ", "…": r"\dots ", "⋯": r"\dots ", "ᵀ": r"^{\top}", "⊤": r"\top ", "ℯ": "e",
}  # fmt: skip
_PLAIN = {
    **{char: f" {name} " for char, name in _GREEK.items()},
    "·": "*", "⋅": "*", "×": "*", "÷": "/", "∞": " oo ", "ᵀ": "^T", "ℯ": "e",
}  # fmt: skip
_SCRIPT_RUN = re.compile("[⁻⁺]?[" + "".join(_SUPERSCRIPTS) + "]+|[" + "".join(_SUBSCRIPTS) + "]+")
#: √ before a name or number in plain syntax: √2 is sqrt(2), √x is sqrt(x).
_PLAIN_ROOT = re.compile(r"√\s*([A-Za-z0-9_.]+)")


def _scripts(text: str, latex: bool) -> str:
    def rewrite(match: re.Match[str]) -> str:
        run = match.group()
        if run[0] in _SUBSCRIPTS:
            digits = "".join(_SUBSCRIPTS[c] for c in run)
            return f"_{{{digits}}}" if latex else f"_{digits}"
        sign = "-" if run[0] == "⁻" else ""
        digits = "".join(_SUPERSCRIPTS[c] for c in run.lstrip("⁻⁺"))
        return f"^{{{sign}{digits}}}" if latex else f"^({sign}{digits})"

    return _SCRIPT_RUN.sub(rewrite, text)


def normalise(text: str, syntax: str) -> str:
    """``text`` with its Unicode mathematics rewritten in ``syntax`` ("latex" or "plain"); ASCII text is unchanged."""
    if text.isascii():
        return text
    text = "".join(_COMMON.get(char, char) for char in text)
    text = _scripts(text, syntax == "latex")
    if syntax == "latex":
        return "".join(_LATEX.get(char, char) for char in text)
    text = _PLAIN_ROOT.sub(r"sqrt(\1)", text).replace("√", "sqrt")
    return "".join(_PLAIN.get(char, char) for char in text)
