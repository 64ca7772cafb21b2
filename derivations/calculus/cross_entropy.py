"""The gradient of the softmax cross-entropy with respect to the logits, with hard, soft and label-smoothed targets."""

from __future__ import annotations

import autograd.numpy as anp
import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation, exact_answer

from ._common import anp_log_softmax, log_ratio_logits

i, j, k = sp.symbols("i j k", integer=True, positive=True)
z = sp.IndexedBase("z")
y = sp.IndexedBase("y")
q = sp.IndexedBase("q")
s = sp.IndexedBase("s")
S = sp.Symbol("S")  # the normaliser Σ_k e^{z_k}
L = sp.Symbol("L")
eps = sp.Symbol("eps", positive=True)


def _softmax_definitions(n: sp.Expr) -> tuple[Definition, ...]:
    return (
        Definition(s, sp.exp(z[i]) / S, (i,), "softmax component"),
        Definition(S, sp.Sum(sp.exp(z[k]), (k, 1, n)), (), "normaliser"),
    )


def _log_softmax(index: sp.Expr, n: sp.Expr) -> sp.Expr:
    return z[index] - sp.log(sp.Sum(sp.exp(z[k]), (k, 1, n)))


def _fraction_list(values: list[sp.Expr]) -> str:
    return ", ".join(sp.latex(v) for v in values)


def _cross_entropy_exercise(rng: np.random.Generator) -> Exercise:
    shown, logits = log_ratio_logits(rng, 3)
    # A soft target: small counts normalised to sum to one (at least one count is positive).
    counts = [int(c) for c in rng.integers(0, 4, size=3)]
    if sum(counts) == 0:
        counts[int(rng.integers(0, 3))] = 1
    target = [sp.Rational(c, sum(counts)) for c in counts]
    values = {"z": logits, "y": target}
    return Exercise(
        prompt=(
            rf"For logits $\bm{{z}} = {shown}$ and target distribution $\bm{{y}} = ({_fraction_list(target)})$, "
            r"compute the gradient $\partial L/\partial \bm{z}$ of $L = -\sum_i y_i \log \softmax(\bm{z})_i$."
        ),
        values=values,
        answer=exact_answer(cross_entropy_gradient, values),
        answer_label=r"\partial L/\partial \bm{z}",
    )


@derivation(
    id="cross-entropy-gradient",
    title="Gradient of the softmax cross-entropy",
    topic="calculus",
    question=(
        r"Let $\bm{s} = \softmax(\bm{z})$ and $L = -\sum_{i} y_i \log s_i$ for a target distribution $\bm{y}$ "
        r"($y_i \ge 0$, $\sum_i y_i = 1$). Show that $\partial L/\partial z_j = s_j - y_j$, that is $\nabla_{\bm{z}} L = \bm{s} - \bm{y}$."
    ),
    inputs=[Input("z", ("n",), "real", "logits"), Input("y", ("n",), "simplex", "target distribution (sums to one)")],
    sizes={"n": (2, 3, 5)},
    forward=lambda z, y: -anp.sum(y * anp_log_softmax(z)),
    wrt="z",
    exercise=_cross_entropy_exercise,
    tags=("gradient", "softmax", "cross-entropy"),
)
def cross_entropy_gradient(n: sp.Expr) -> Body:
    return Body(
        definitions=(
            Definition(L, -sp.Sum(y[i] * sp.log(s[i]), (i, 1, n)), (), "cross-entropy loss"),
            *_softmax_definitions(n),
        ),
        indices={i: n, j: n, k: n},
        steps=(
            Step(
                lhs=sp.Derivative(L, z[j]),
                rhs=sp.Derivative(-sp.Sum(y[i] * _log_softmax(i, n), (i, 1, n)), z[j]),
                why=r"$\log s_i = z_i - \log \sum_k e^{z_k}$",
            ),
            Step(
                rhs=-sp.Sum(y[i] * (sp.KroneckerDelta(i, j) - sp.exp(z[j]) / sp.Sum(sp.exp(z[k]), (k, 1, n))), (i, 1, n)),
                why=r"$\partial z_i/\partial z_j = \delta_{ij}$ and $\partial \log S/\partial z_j = e^{z_j}/S$",
            ),
            Step(rhs=-sp.Sum(y[i] * sp.KroneckerDelta(i, j), (i, 1, n)) + s[j] * sp.Sum(y[i], (i, 1, n)), why=r"split the sum; recognise $s_j$, which does not depend on $i$"),
            Step(rhs=-y[j] + s[j] * sp.Sum(y[i], (i, 1, n)), why=r"the Kronecker delta keeps only $i = j$"),
        ),
        result=Step(lhs=sp.Derivative(L, z[j]), rhs=s[j] - y[j], why=r"the target sums to one, $\sum_i y_i = 1$"),
        result_indices=(j,),
    )


#: Smoothing strengths for exercises: simple fractions strictly between 0 and 1.
_EPSILONS = (sp.Rational(1, 10), sp.Rational(1, 5), sp.Rational(1, 4), sp.Rational(1, 3), sp.Rational(1, 2))


def _label_smoothing_exercise(rng: np.random.Generator) -> Exercise:
    shown, logits = log_ratio_logits(rng, 3)
    hot = int(rng.integers(0, 3))
    target = [1 if position == hot else 0 for position in range(3)]
    smoothing = _EPSILONS[int(rng.integers(0, len(_EPSILONS)))]
    values = {"z": logits, "y": target, "eps": smoothing}
    return Exercise(
        prompt=(
            rf"For logits $\bm{{z}} = {shown}$, one-hot label $\bm{{y}} = ({_fraction_list(target)})$ "
            rf"and label smoothing $\varepsilon = {sp.latex(smoothing)}$, compute the gradient of the cross-entropy "
            r"against the smoothed target $\bm{q} = (1-\varepsilon)\bm{y} + \varepsilon/n$ with respect to $\bm{z}$."
        ),
        values=values,
        answer=exact_answer(label_smoothing_gradient, values),
        answer_label=r"\partial L/\partial \bm{z}",
    )


def _smoothed_loss(z: anp.ndarray, y: anp.ndarray, eps: float) -> anp.ndarray:
    target = (1 - eps) * y + eps / y.shape[0]
    return -anp.sum(target * anp_log_softmax(z))


@derivation(
    id="label-smoothing-gradient",
    title="Gradient of cross-entropy with label smoothing",
    topic="calculus",
    question=(
        r"Label smoothing replaces a one-hot label $\bm{y}$ by $\bm{q} = (1-\varepsilon)\bm{y} + \varepsilon/n$. "
        r"For $\bm{s} = \softmax(\bm{z})$ and $L = -\sum_i q_i \log s_i$, show that $\partial L/\partial z_j = s_j - (1-\varepsilon) y_j - \varepsilon/n$."
    ),
    inputs=[
        Input("z", ("n",), "real", "logits"),
        Input("y", ("n",), "onehot", "one-hot label"),
        Input("eps", (), "small", r"smoothing strength $\varepsilon$"),
    ],
    sizes={"n": (2, 3, 5)},
    forward=_smoothed_loss,
    wrt="z",
    exercise=_label_smoothing_exercise,
    tags=("gradient", "softmax", "cross-entropy", "regularisation"),
)
def label_smoothing_gradient(n: sp.Expr) -> Body:
    return Body(
        definitions=(
            Definition(L, -sp.Sum(q[i] * sp.log(s[i]), (i, 1, n)), (), "cross-entropy against the smoothed target"),
            Definition(q, (1 - eps) * y[i] + eps / n, (i,), "smoothed target"),
            *_softmax_definitions(n),
        ),
        indices={i: n, j: n, k: n},
        steps=(
            Step(
                lhs=sp.Derivative(L, z[j]),
                rhs=-sp.Sum(q[i] * (sp.KroneckerDelta(i, j) - s[j]), (i, 1, n)),
                why=r"$\partial \log s_i/\partial z_j = \delta_{ij} - s_j$, as for any target",
            ),
            Step(rhs=-q[j] + s[j] * sp.Sum(q[i], (i, 1, n)), why=r"the Kronecker delta keeps only $i = j$"),
            Step(
                rhs=-q[j] + s[j] * ((1 - eps) * sp.Sum(y[i], (i, 1, n)) + eps),
                why=r"$\sum_i q_i = (1-\varepsilon)\sum_i y_i + n \cdot \varepsilon/n$",
            ),
            Step(rhs=s[j] - q[j], why=r"a one-hot $\bm{y}$ sums to one, so $\sum_i q_i = 1$"),
        ),
        result=Step(lhs=sp.Derivative(L, z[j]), rhs=s[j] - (1 - eps) * y[j] - eps / n, why=r"substitute $q_j$"),
        result_indices=(j,),
    )
