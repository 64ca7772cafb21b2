"""Maximum likelihood for n-gram counts: a Lagrange multiplier gives p-hat_i = c_i / sum_k c_k."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation

from ._common import bisect

# The unknowns p and lambda are variables of the checks: each step below is an identity in them. The
# estimate p̂ is the constrained maximiser itself, found numerically by the sampler, so it is checked.
j, r = sp.symbols("j r", integer=True, positive=True)
c = sp.IndexedBase("c")
q = sp.IndexedBase("p")
p_hat = sp.IndexedBase("phat")  # printed \hat{p}
lam = sp.Symbol("lambda", positive=True)
lagrangian = sp.Symbol("L")


def _categorical_reference(c: np.ndarray) -> np.ndarray:
    # Maximise sum_i c_i log p_i over the simplex numerically: the stationarity condition
    # c_i / p_i = lambda with sum_i c_i / lambda = 1 is solved for lambda by bisection.
    multiplier = bisect(lambda m: float(np.sum(c / m)) - 1.0, 1e-9, 1e9 + float(np.sum(c)))
    return c / multiplier


def _counts(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    counts = rng.integers(1, 12, n).astype(float)
    return {"c": counts, "phat": _categorical_reference(counts)}


def _exercise(rng: np.random.Generator) -> Exercise:
    counts = [int(v) for v in rng.integers(1, 10, size=3)]
    return Exercise(
        prompt=rf"After the context \emph{{the cat}}, a corpus continues with three word types with counts $({', '.join(map(str, counts))})$. Give the maximum-likelihood bigram probabilities $\hat{{\bm{{p}}}}$.",
        values={"c": counts},
        answer_label=r"\hat{\bm{p}}",
    )


@derivation(
    id="categorical-mle",
    title="Maximum likelihood for n-gram counts",
    topic="probability",
    question=r"A categorical distribution $\bm{p}$ over $n$ outcomes is observed $c_i > 0$ times for outcome $i$. Maximise the concave $\sum_i c_i \ln p_i$ subject to $\sum_i p_i = 1$ with a Lagrange multiplier $\lambda$ and show that $\hat p_i = c_i / \sum_k c_k$.",
    inputs=[
        Input("c", ("n",), "count", "observed counts (e.g. of each next word after a context); result: (n,) estimates")
    ],
    sizes={"n": (2, 3, 5)},
    reference=_categorical_reference,
    sampler=_counts,
    exercise=_exercise,
    tags=("mle", "categorical", "lagrange", "n-gram"),
)
def categorical_mle(n: sp.Expr) -> Body:
    d_p = sp.Derivative(lagrangian, q[j])
    d_lam = sp.Derivative(lagrangian, lam)
    total = sp.Sum(c[r], (r, 1, n))
    return Body(
        definitions=(
            Definition(
                lagrangian,
                sp.Sum(c[r] * sp.log(q[r]), (r, 1, n)) + lam * (1 - sp.Sum(q[r], (r, 1, n))),
                (),
                "Lagrangian of the log-likelihood with the constraint",
            ),
        ),
        indices={j: n, r: n},
        variables=(
            Input("p", ("n",), "positive", "candidate probabilities"),
            Input("lambda", (), "positive", "Lagrange multiplier"),
        ),
        steps=(
            Step(lhs=d_p, rhs=c[j] / q[j] - lam, why="differentiate the Lagrangian"),
            Step(lhs=d_lam, rhs=1 - sp.Sum(q[r], (r, 1, n)), why=r"differentiate in $\lambda$: the constraint"),
            Step(
                lhs=c[j] / q[j] - lam,
                rhs=c[j] * (1 / q[j] - lam / c[j]),
                why=r"so $\partial L/\partial p_j = 0$ exactly when $p_j = c_j/\lambda$",
            ),
            Step(
                lhs=1 - sp.Sum(c[r] / lam, (r, 1, n)),
                rhs=(lam - total) / lam,
                why=r"the constraint $\partial L/\partial\lambda = 0$ at $p_r = c_r/\lambda$: it holds exactly when $\lambda = \sum_k c_k$",
            ),
        ),
        result=Step(
            lhs=p_hat[j],
            rhs=c[j] / total,
            why=r"the one stationary point, a maximum as the objective is concave on the simplex (the checks find $\hat{\bm{p}}$ numerically and compare)",
        ),
        result_indices=(j,),
    )
