"""Maximum likelihood for n-gram counts: a Lagrange multiplier gives p-hat_i = c_i / sum_k c_k."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation

from ._common import bisect

# The unknowns p and lambda are variables of the checks: each step below is an identity in them, and
# "set the derivatives to zero" is a rearrangement that is exact wherever they vanish.
j, r = sp.symbols("j r", integer=True, positive=True)
c = sp.IndexedBase("c")
q = sp.IndexedBase("p")
lam = sp.Symbol("lambda", positive=True)
lagrangian = sp.Symbol("L")


def _categorical_reference(c: np.ndarray) -> np.ndarray:
    # Maximise sum_i c_i log p_i over the simplex numerically: the stationarity condition
    # c_i / p_i = lambda with sum_i c_i / lambda = 1 is solved for lambda by bisection.
    multiplier = bisect(lambda m: float(np.sum(c / m)) - 1.0, 1e-9, 1e9 + float(np.sum(c)))
    return c / multiplier


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
    question=r"A categorical distribution $\bm{p}$ over $n$ outcomes is observed $c_i$ times for outcome $i$. Maximise $\sum_i c_i \log p_i$ subject to $\sum_i p_i = 1$ with a Lagrange multiplier and show that $\hat p_i = c_i / \sum_k c_k$.",
    inputs=[
        Input("c", ("n",), "count", "observed counts (e.g. of each next word after a context); result: (n,) estimates")
    ],
    sizes={"n": (2, 3, 5)},
    reference=_categorical_reference,
    exercise=_exercise,
    tags=("mle", "categorical", "lagrange", "n-gram"),
)
def categorical_mle(n: sp.Expr) -> Body:
    d_p = sp.Derivative(lagrangian, q[j])
    d_lam = sp.Derivative(lagrangian, lam)
    stationary_p = q[j] + q[j] / lam * d_p
    summed = lam * (1 - d_lam + sp.Sum(q[r] / lam * sp.Derivative(lagrangian, q[r]), (r, 1, n)))
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
            Step(lhs=stationary_p, rhs=c[j] / lam, why=r"rearrange step 1: where it vanishes, $p_j = c_j/\lambda$"),
            Step(
                lhs=summed,
                rhs=sp.Sum(c[r], (r, 1, n)),
                why=r"sum step 3 over $j$ and add step 2: where all derivatives vanish, $\lambda = \sum_k c_k$",
            ),
        ),
        result=Step(
            lhs=lam * stationary_p / summed,
            rhs=c[j] / sp.Sum(c[r], (r, 1, n)),
            why=r"divide step 3 by step 4: at the stationary point $\hat p_j = c_j / \sum_k c_k$",
        ),
        result_indices=(j,),
    )
