"""Vanishing gradients: through L sigmoid layers the derivative is a product of L factors w_l σ'(u_l), each |·| ≤ |w_l|/4."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation
from symwork.publish.figures import new_figure, pdf_bytes

from ._common import anp_sigmoid, sigmoid

layer = sp.Symbol("l", integer=True, positive=True)
x = sp.Symbol("x", real=True)
t = sp.Symbol("t", real=True)
w, b = sp.IndexedBase("w"), sp.IndexedBase("b")
a_, u_ = sp.IndexedBase("a"), sp.IndexedBase("u")


def _chain(x: Any, w: Any, b: Any) -> Any:
    """a_L for a_0 = x and a_l = σ(w_l a_{l−1} + b_l), differentiable by autograd."""
    activation = x
    for weight, bias in zip(w, b, strict=True):
        activation = anp_sigmoid(weight * activation + bias)
    return activation


def _tex(value: sp.Expr) -> str:
    return sp.latex(value).replace(r"\log{\left(3 \right)}", r"\ln 3")


def _exercise(rng: np.random.Generator) -> Exercise:
    # Biases chosen so that every pre-activation is 0 or ±ln 3: then σ(u_l) is 1/2, 3/4 or 1/4.
    start = sp.Integer(int(rng.integers(-2, 3)))
    weights = [sp.Integer(int(v)) for v in rng.choice([-2, -1, 1, 2], size=3)]
    targets = [[sp.S.Zero, sp.log(3), -sp.log(3)][int(v)] for v in rng.integers(0, 3, size=3)]
    biases, previous = [], start
    for weight, target in zip(weights, targets, strict=True):
        biases.append(target - weight * previous)
        previous = sigmoid(target)
    return Exercise(
        prompt=(
            rf"Three sigmoid layers $a_l = \sigma(w_l a_{{l-1}} + b_l)$ have weights $\bm{{w}} = ({', '.join(map(_tex, weights))})$ "
            rf"and biases $\bm{{b}} = ({', '.join(map(_tex, biases))})$. Compute $\partial a_3/\partial x$ at the input "
            rf"$a_0 = x = {start}$."
        ),
        values={"x": start, "w": weights, "b": biases},
        answer_label=rf"\left.\frac{{\partial a_3}}{{\partial x}}\right|_{{x = {start}}}",
    )


def _figure() -> bytes:
    rng = np.random.default_rng(11)
    depths = np.arange(1, 21)
    fig, ax = new_figure(4.4, 3.0)
    for scale, colour in ((1.0, "C0"), (4.0, "C3")):
        gradients = []
        for _ in range(200):
            weights, biases = rng.normal(0, scale, 20), rng.normal(0, 1, 20)
            activation, derivative, row = 0.3, 1.0, []
            for weight, bias in zip(weights, biases, strict=True):
                activation = 1 / (1 + np.exp(-(weight * activation + bias)))
                derivative *= weight * activation * (1 - activation)
                row.append(abs(derivative))
            gradients.append(row)
        ax.semilogy(
            depths,
            np.median(gradients, axis=0),
            "o-",
            ms=2.5,
            color=colour,
            label=rf"median $|\partial a_L/\partial x|$, $w_l \sim \mathcal{{N}}(0, {scale:g}^2)$",
        )
    ax.semilogy(depths, 0.25**depths, "k--", lw=0.8, label=r"$4^{-L}$ (the bound for $|w_l| \leq 1$)")
    ax.set_xticks([1, 5, 10, 15, 20])
    ax.set_xlabel("depth $L$")
    ax.legend(frameon=False, fontsize=7, loc="lower left")
    ax.set_title("Gradients through a chain of sigmoids")
    return pdf_bytes(fig)


@derivation(
    id="sigmoid-chain-vanishing-gradient",
    title="Vanishing gradients through a chain of sigmoids",
    topic="calculus",
    question=(
        r"A chain of $L$ sigmoid units computes $a_0 = x$, $u_l = w_l a_{l-1} + b_l$, $a_l = \sigma(u_l)$. Show that "
        r"$\partial a_L/\partial x = \prod_{l=1}^{L} w_l\,a_l(1 - a_l)$ and that $\sigma'(u) \leq \frac14$, so "
        r"$|\partial a_L/\partial x| \leq \prod_l |w_l|/4$: with $|w_l| \leq 1$ the gradient shrinks by at least a "
        r"factor 4 per layer."
    ),
    inputs=[
        Input("x", (), "real", "the input $a_0$"),
        Input("w", ("L",), "real", "the weights $w_l$"),
        Input("b", ("L",), "real", r"the biases $b_l$; the result is $\partial a_L/\partial x$"),
    ],
    sizes={"L": (2, 3, 4)},
    forward=_chain,
    wrt="x",
    exercise=_exercise,
    figure=_figure,
    tags=("vanishing-gradient", "sigmoid", "chain-rule", "depth"),
    uses=("sigmoid-derivative",),
)
def sigmoid_chain_vanishing_gradient(L: sp.Expr) -> Body:  # noqa: N803 - size name
    if isinstance(L, int):
        # At an instance each activation is a named scalar a_l, defined through the one before it.
        names = [x] + [sp.Symbol(f"a{depth}") for depth in range(1, L + 1)]
        pre = [w[depth] * names[depth - 1] + b[depth] for depth in range(1, L + 1)]
        definitions = tuple(
            Definition(names[depth], sigmoid(pre[depth - 1]), (), f"activation of layer {depth}")
            for depth in range(1, L + 1)
        )
        output = names[L]
        chain = sp.Mul(
            *(w[depth] * sigmoid(pre[depth - 1]) * (1 - sigmoid(pre[depth - 1])) for depth in range(1, L + 1))
        )
        result = sp.Mul(*(w[depth] * names[depth] * (1 - names[depth]) for depth in range(1, L + 1)))
        bound = sp.Mul(*(sp.Abs(w[depth]) / 4 for depth in range(1, L + 1)))
    else:
        definitions = (
            Definition(
                u_, w[layer] * a_[layer - 1] + b[layer], (layer,), r"pre-activation of layer $l$, with $a_0 = x$"
            ),
            Definition(a_, sigmoid(u_[layer]), (layer,), r"activation of layer $l$"),
        )
        output = a_[L]
        chain = sp.Product(w[layer] * sigmoid(u_[layer]) * (1 - sigmoid(u_[layer])), (layer, 1, L))
        result = sp.Product(w[layer] * a_[layer] * (1 - a_[layer]), (layer, 1, L))
        bound = sp.Product(sp.Abs(w[layer]) / 4, (layer, 1, L))
    return Body(
        definitions=definitions,
        variables=(Input("t", (), "real", "a pre-activation"),),
        indices={layer: L},
        steps=(
            Step(
                lhs=sp.Derivative(output, x),
                rhs=chain,
                why=(
                    r"chain rule through each layer: $\partial a_l/\partial a_{l-1} = \sigma'(u_l)\,w_l$ with "
                    r"$\sigma' = \sigma(1 - \sigma)$ (sigmoid-derivative)"
                ),
            ),
            Step(
                lhs=sp.Rational(1, 4) - sigmoid(t) * (1 - sigmoid(t)),
                rhs=(sigmoid(t) - sp.Rational(1, 2)) ** 2,
                why=r"a square, so never negative",
            ),
            Step(
                lhs=sigmoid(t) * (1 - sigmoid(t)),
                rhs=sp.Rational(1, 4),
                relation="<=",
                why=r"$\sigma'(t) \leq \frac14$ for every $t$, with equality only at $\sigma(t) = \frac12$, i.e.\ $t = 0$",
            ),
            Step(
                lhs=sp.Abs(chain),
                rhs=bound,
                relation="<=",
                why=r"each of the $L$ factors of the first line has $|w_l\,\sigma'(u_l)| \leq |w_l|/4$",
            ),
        ),
        result=Step(
            lhs=sp.Derivative(output, x),
            rhs=result,
            why=r"$\sigma(u_l) = a_l$; by the bound above the gradient decays like $4^{-L}$ when every $|w_l| \leq 1$",
        ),
    )
