"""The Hessian of log-sum-exp, diag(s) − s sᵀ, and why it is positive semidefinite."""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation
from symwork.publish.printing import latex

from ._opt_common import named

i, j, k = sp.symbols("i j k", integer=True, positive=True)
z = sp.IndexedBase("z")
s = sp.IndexedBase("s")
v = sp.IndexedBase("v")  # an arbitrary direction for the quadratic form vᵀHv
S = sp.Symbol("S")  # the normaliser Σ_k e^{z_k}
L = named("L", r"\logsumexp(\bm{z})")
vbar = named("vbar", r"\bar{v}")  # the s-weighted mean of v


def _logsumexp(z: anp.ndarray) -> anp.ndarray:
    top = anp.max(z)
    return top + anp.log(anp.sum(anp.exp(z - top)))


# The Hessian is the Jacobian of the gradient; autograd's gradient is an independent route to it.
_gradient = autograd.grad(_logsumexp)


def _exercise(rng: np.random.Generator) -> Exercise:
    # z = (log a, log b, log c) with small integers keeps every entry a simple fraction.
    weights = [int(w) for w in rng.integers(1, 5, size=3)]
    values = {"z": [sp.log(w) for w in weights]}
    return Exercise(
        prompt=(
            r"Compute the Hessian $H_{ij} = \partial^2 \logsumexp(\bm{z})/\partial z_i \partial z_j$ at "
            rf"$\bm{{z}} = ({', '.join(latex(sp.log(w)) for w in weights)})^\top$."
        ),
        values=values,
        answer_label="H",
    )


@derivation(
    id="logsumexp-hessian",
    title="Hessian of log-sum-exp",
    topic="calculus",
    question=(
        r"Show that $\logsumexp(\bm{z}) = \ln\sum_k e^{z_k}$ has Hessian $H = \diag(\bm{s}) - \bm{s}\bm{s}^\top$ "
        r"with $\bm{s} = \softmax(\bm{z})$, and that $H$ is positive semidefinite: $\bm{v}^\top H\bm{v} \ge 0$ for every direction $\bm{v} \in \R^n$."
    ),
    inputs=[Input("z", ("n",), "real", "logits")],
    sizes={"n": (2, 3, 5)},
    forward=lambda z: _gradient(z),
    wrt="z",
    exercise=_exercise,
    tags=("hessian", "softmax", "convexity"),
)
def logsumexp_hessian(n: sp.Expr) -> Body:
    normaliser = sp.Sum(sp.exp(z[k]), (k, 1, n))
    hessian = sp.Derivative(L, z[i], z[j])
    return Body(
        definitions=(
            Definition(L, sp.log(S), (), "log-sum-exp"),
            Definition(s, sp.exp(z[i]) / S, (i,), "softmax component"),
            Definition(S, normaliser, (), "normaliser"),
            Definition(vbar, sp.Sum(s[k] * v[k], (k, 1, n)), (), r"mean of $v$ under $\bm{s}$"),
        ),
        indices={i: n, j: n, k: n},
        variables=(Input("v", ("n",), "real", "any direction"),),
        steps=(
            Step(
                lhs=sp.Derivative(L, z[j]),
                rhs=sp.exp(z[j]) / normaliser,
                why=r"chain rule: $\partial S/\partial z_j = e^{z_j}$",
            ),
            Step(rhs=s[j], why="definition of softmax"),
            Step(
                lhs=hessian,
                rhs=sp.Derivative(sp.exp(z[j]) / normaliser, z[i]),
                why="differentiate the gradient once more",
            ),
            Step(
                rhs=(sp.exp(z[j]) * sp.KroneckerDelta(i, j) * normaliser - sp.exp(z[j]) * sp.exp(z[i])) / normaliser**2,
                why="quotient rule",
            ),
            Step(rhs=s[i] * sp.KroneckerDelta(i, j) - s[i] * s[j], why=r"recognise $s_i$ and $s_j$"),
            Step(
                lhs=sp.Sum(sp.Sum(v[i] * (s[i] * sp.KroneckerDelta(i, j) - s[i] * s[j]) * v[j], (j, 1, n)), (i, 1, n)),
                rhs=sp.Sum(s[i] * v[i] ** 2, (i, 1, n)) - sp.Sum(s[i] * v[i], (i, 1, n)) ** 2,
                why=r"quadratic form $\bm{v}^\top H\bm{v}$: $\delta_{ij}$ collapses one sum, the other factorises",
            ),
            Step(
                rhs=sp.Sum(s[i] * (v[i] - vbar) ** 2, (i, 1, n)),
                why=r"$\sum_i s_i = 1$: the variance of $v$ under the distribution $\bm{s}$",
            ),
            Step(rhs=sp.S.Zero, relation=">=", why=r"a sum of squares with weights $s_i > 0$: $H$ is positive semidefinite"),
        ),
        result=Step(
            lhs=hessian,
            rhs=s[i] * (sp.KroneckerDelta(i, j) - s[j]),
            why=r"so $H = \diag(\bm{s}) - \bm{s}\bm{s}^\top \succeq 0$",
        ),
        result_indices=(i, j),
    )
