"""Add-alpha smoothing as the posterior mean under a symmetric Dirichlet prior."""

from __future__ import annotations

import math

import numpy as np
import sympy as sp
from scipy.special import gammaln

from symwork import Body, Definition, Exercise, Input, Step, derivation

i, r = sp.symbols("i r", integer=True, positive=True)
alpha = sp.Symbol("alpha", positive=True)
c = sp.IndexedBase("c")
th = sp.IndexedBase("theta")
smoothed = sp.IndexedBase("thetahat")
total = sp.Symbol("N")  # the number of tokens


def _dirichlet_by_evidence_ratio(c: np.ndarray, alpha: float) -> np.ndarray:
    # P(next = i | c) as a ratio of Dirichlet-multinomial evidences m(c + e_i) / m(c), computed with
    # log-gamma from the prior Dir(alpha, ..., alpha) alone.
    size = c.shape[0]

    def log_evidence(counts: np.ndarray) -> float:
        return float(
            gammaln(size * alpha)
            - gammaln(counts.sum() + size * alpha)
            + np.sum(gammaln(counts + alpha) - gammaln(alpha))
        )

    base = log_evidence(c)
    return np.array([math.exp(log_evidence(c + np.eye(size)[m]) - base) for m in range(size)])


def _exercise(rng: np.random.Generator) -> Exercise:
    counts = [int(value) for value in rng.integers(0, 6, size=3)]
    counts[int(rng.integers(0, 3))] += 1  # at least one observed token
    while len(set(counts)) == 1:  # equal counts give the uniform estimate whatever α is: a draw that tests nothing
        counts[int(rng.integers(0, 3))] += 1
    smoothing = sp.Rational(1, int(rng.choice([1, 2]))) * int(rng.choice([1, 1, 2]))
    return Exercise(
        prompt=rf"A vocabulary of 3 words has counts $({', '.join(map(str, counts))})$. Give the add-${sp.latex(smoothing)}$ smoothed probabilities, the posterior mean under a symmetric $\Dir({sp.latex(smoothing)})$ prior.",
        values={"c": counts, "alpha": smoothing},
        answer_label=r"\hat{\bm\theta}",
    )


@derivation(
    id="dirichlet-smoothing",
    title="Add-alpha smoothing as a posterior mean",
    topic="probability",
    question=r"Word counts $c_1, \dots, c_V$ ($N = \sum_k c_k$) are multinomial given $\bm\theta$, with a symmetric prior $\bm\theta \sim \Dir(\alpha, \dots, \alpha)$. Show that the posterior mean is the add-$\alpha$ estimate $\hat\theta_i = (c_i + \alpha)/(N + V\alpha)$.",
    inputs=[
        Input("c", ("V",), "count", "word counts"),
        Input("alpha", (), "positive", "pseudo-count added to every word; result: (V,) smoothed probabilities"),
    ],
    sizes={"V": (2, 3, 5)},
    reference=_dirichlet_by_evidence_ratio,
    exercise=_exercise,
    tags=("bayes", "conjugate", "dirichlet", "smoothing"),
)
def dirichlet_smoothing(V: sp.Expr) -> Body:  # noqa: N803 - size names
    concentration = alpha + c[r]
    share = total / (total + V * alpha)
    return Body(
        definitions=(
            Definition(total, sp.Sum(c[r], (r, 1, V)), (), "number of tokens $N$"),
            Definition(
                smoothed,
                sp.gamma(alpha + c[i] + 1)
                / sp.gamma(alpha + c[i])
                * sp.gamma(sp.Sum(concentration, (r, 1, V)))
                / sp.gamma(sp.Sum(concentration, (r, 1, V)) + 1),
                (i,),
                r"posterior mean $\E[\theta_i] = B(\bm a + \bm e_i)/B(\bm a)$ for $\bm\theta \sim \Dir(\bm a)$",
            ),
        ),
        indices={i: V, r: V},
        variables=(Input("theta", ("V",), "simplex", "word probabilities"),),
        steps=(
            Step(
                lhs=sp.Mul(
                    sp.Product(th[r] ** (alpha - 1), (r, 1, V)), sp.Product(th[r] ** c[r], (r, 1, V)), evaluate=False
                ),
                rhs=sp.Product(th[r] ** (concentration - 1), (r, 1, V)),
                why=r"prior times likelihood: exponents add, so $\bm\theta \mid \bm c \sim \Dir(\alpha + c_1, \dots, \alpha + c_V)$",
            ),
            Step(
                lhs=smoothed[i],
                rhs=(alpha + c[i]) / sp.Sum(concentration, (r, 1, V)),
                why=r"$\Gamma(a + 1) = a\,\Gamma(a)$ in the ratio of Dirichlet normalisers",
            ),
            Step(
                lhs=(c[i] + alpha) / (total + V * alpha),
                rhs=sp.Mul(share, c[i] / total, evaluate=False) + sp.Mul(1 - share, 1 / V, evaluate=False),
                why=r"the add-$\alpha$ estimate is a mixture of the ML estimate $c_i/N$ and the uniform $1/V$, with weight $N/(N + V\alpha)$ on the data",
            ),
        ),
        result=Step(
            lhs=smoothed[i],
            rhs=(c[i] + alpha) / (total + V * alpha),
            why=r"$\sum_k (\alpha + c_k) = N + V\alpha$ in the second line: add-$\alpha$ smoothing",
        ),
        result_indices=(i,),
    )
