"""The softmax with a temperature: its limits as T goes to 0 and infinity, and its derivative in T."""

from __future__ import annotations

import autograd.numpy as anp
import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation
from symwork.publish.figures import new_figure, pdf_bytes
from symwork.publish.printing import latex

i, j, k = sp.symbols("i j k", integer=True, positive=True)
z = sp.IndexedBase("z")
s = sp.IndexedBase("s")
S = sp.Symbol("S")  # the normaliser Σ_k e^{z_k / T}
T = sp.Symbol("T", positive=True)
gap = sp.Symbol("g", positive=True)  # z_max - z_i for a non-maximal logit


def _tempered_softmax(z: anp.ndarray, T: anp.ndarray) -> anp.ndarray:  # noqa: N803 - T is the temperature
    scaled = z / T
    shifted = anp.exp(scaled - anp.max(scaled))
    return shifted / anp.sum(shifted)


def _exercise(rng: np.random.Generator) -> Exercise:
    # z = log w with small integers w and T = 1/m makes s proportional to w^m: simple fractions.
    weights = [int(w) for w in rng.integers(1, 5, size=3)]
    while len(set(weights)) == 1:  # equal logits make every derivative zero: draw again
        weights = [int(w) for w in rng.integers(1, 5, size=3)]
    temperature = sp.Rational(1, int(rng.integers(1, 4)))
    logits = ", ".join(latex(sp.log(w)) for w in weights)
    return Exercise(
        prompt=(
            rf"For $\bm{{s}} = \softmax(\bm{{z}}/T)$ with $\bm{{z}} = ({logits})$ and $T = {sp.latex(temperature)}$, compute "
            r"$\partial s_i/\partial T$ for every $i$."
        ),
        values={"z": [sp.log(w) for w in weights], "T": temperature},
        answer_label=r"\partial \bm{s}/\partial T",
    )


def _figure() -> bytes:
    logits = np.array([2.0, 1.0, 0.2, -0.5, -1.0])
    fig, ax = new_figure()
    width = 0.2
    for offset, temperature in enumerate((0.25, 1.0, 4.0)):
        scaled = logits / temperature
        probs = np.exp(scaled - scaled.max())
        probs /= probs.sum()
        ax.bar(np.arange(5) + (offset - 1) * width, probs, width, label=f"T = {temperature:g}")
    ax.set_xticks(range(5), [f"$z_{i + 1}={v:g}$" for i, v in enumerate(logits)])
    ax.set_ylabel(r"$\mathrm{softmax}(z/T)_i$")
    ax.legend(frameon=False)
    ax.set_title("Low T approaches one-hot, high T approaches uniform")
    return pdf_bytes(fig)


@derivation(
    id="softmax-temperature",
    title="Softmax with a temperature",
    topic="probability",
    question=(
        r"Let $s_i = e^{z_i/T} / \sum_k e^{z_k/T}$ with temperature $T > 0$. Show that $s_i/s_j = e^{(z_i - z_j)/T}$, that "
        r"$\bm{s}$ tends to the uniform distribution as $T \to \infty$ and to the one-hot vector of $\argmax_k z_k$ as "
        r"$T \to 0^+$ (for a unique maximum), and that $\partial s_i/\partial T = \frac{s_i}{T^2}\bigl(\sum_k s_k z_k - z_i\bigr)$."
    ),
    inputs=[
        Input("z", ("n",), "real", "logits"),
        Input("T", (), "positive", "temperature; the result is the vector $\\partial s_i/\\partial T$"),
    ],
    sizes={"n": (2, 3, 5)},
    forward=_tempered_softmax,
    wrt="T",
    exercise=_exercise,
    figure=_figure,
    tags=("softmax", "temperature", "sampling"),
)
def softmax_temperature(n: sp.Expr) -> Body:
    normaliser = sp.Sum(sp.exp(z[k] / T), (k, 1, n))
    return Body(
        definitions=(
            Definition(s, sp.exp(z[i] / T) / S, (i,), "softmax component at temperature $T$"),
            Definition(S, normaliser, (), "normaliser"),
        ),
        indices={i: n, j: n, k: n},
        variables=(Input("g", (), "positive", "gap $z_{\\max} - z_i > 0$ of a non-maximal logit"),),
        steps=(
            Step(lhs=s[i] / s[j], rhs=sp.exp(z[i] / T) / sp.exp(z[j] / T), why=r"the normaliser $S$ cancels"),
            Step(rhs=sp.exp((z[i] - z[j]) / T), why="combine the exponents"),
            Step(
                lhs=sp.Limit(sp.exp((z[i] - z[j]) / T), T, sp.oo),
                rhs=sp.S.One,
                why=r"$T \to \infty$: all ratios tend to 1, so $s_i \to 1/n$ (uniform)",
            ),
            Step(
                lhs=sp.Limit(sp.exp(-gap / T), T, 0, "+"),
                rhs=sp.S.Zero,
                why=r"$T \to 0^+$: a logit below the maximum, by the gap $g = z_{\max} - z_i > 0$, has $s_i/s_{\max} = e^{-g/T} \to 0$, so $\bm{s}$ tends to the one-hot vector of the argmax",
            ),
            Step(
                lhs=sp.Derivative(s[i], T),
                rhs=(
                    sp.exp(z[i] / T) * sp.Sum(z[k] * sp.exp(z[k] / T), (k, 1, n)) - z[i] * sp.exp(z[i] / T) * normaliser
                )
                / (T**2 * normaliser**2),
                why=r"quotient rule, with $\partial e^{z_k/T}/\partial T = -z_k e^{z_k/T}/T^2$",
            ),
            Step(
                rhs=-z[i] / T**2 * s[i] + s[i] / T**2 * sp.Sum(z[k] * s[k], (k, 1, n)),
                why=r"recognise $s_i$ and $s_k$",
            ),
        ),
        result=Step(
            lhs=sp.Derivative(s[i], T),
            rhs=s[i] / T**2 * (sp.Sum(s[k] * z[k], (k, 1, n)) - z[i]),
            why=r"factor out $s_i/T^2$: lowering $T$ moves mass to logits above the mean $\sum_k s_k z_k$",
        ),
        result_indices=(i,),
    )
