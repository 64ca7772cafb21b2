"""Bayes' rule with the law of total probability: P(H_i | E) = L_i pi_i / sum_k L_k pi_k."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation
from symwork.core.spec import Part

i, r = sp.symbols("i r", integer=True, positive=True)
prior = sp.IndexedBase("pi")
like = sp.IndexedBase("L")
joint = sp.IndexedBase("J")
posterior = sp.IndexedBase("w")
evidence = sp.Symbol("Z")


def _bayes_by_log_odds(pi: np.ndarray, L: np.ndarray) -> np.ndarray:  # noqa: N803
    # Another route: add log prior and log likelihood, then normalise with a stable softmax.
    scores = np.log(pi) + np.log(L)
    shifted = np.exp(scores - scores.max())
    return shifted / shifted.sum()


def _exercise(rng: np.random.Generator) -> Exercise:
    prevalence = sp.Rational(1, int(rng.choice([10, 20, 50, 100, 200])))
    sensitivity = sp.Rational(int(rng.choice([80, 90, 95, 99])), 100)
    false_positive = sp.Rational(int(rng.choice([1, 2, 5, 10])), 100)
    return Exercise(
        prompt=(
            rf"A disease has prevalence ${sp.latex(prevalence)}$. A test detects it with probability ${sp.latex(sensitivity)}$ "
            rf"and gives a false positive with probability ${sp.latex(false_positive)}$. A patient tests positive."
        ),
        values={"pi": [prevalence, 1 - prevalence], "L": [sensitivity, false_positive]},
        parts=(
            Part(name=r"P(D \mid +)", ask=r"Compute the probability $P(D \mid +)$ that the patient has the disease.", of=0),
            Part(name=r"P(\neg D \mid +)", ask=r"Compute the probability $P(\neg D \mid +)$ that they do not.", of=1),
        ),
    )


@derivation(
    id="bayes-rule",
    title="Bayes' rule and the law of total probability",
    topic="probability",
    question=r"Hypotheses $H_1, \dots, H_K$ partition the outcomes, with priors $\pi_i = P(H_i)$ and likelihoods $L_i = P(E \mid H_i)$ of an observed event $E$. Show that $P(H_i \mid E) = L_i \pi_i / \sum_k L_k \pi_k$ (for a diagnostic test: $H_1$ = disease, $E$ = a positive result).",
    inputs=[
        Input("pi", ("K",), "simplex", "prior probabilities P(H_i)"),
        Input("L", ("K",), "unit", "likelihoods P(E | H_i); result: (K,) posterior probabilities"),
    ],
    sizes={"K": (2, 3, 5)},
    reference=_bayes_by_log_odds,
    exercise=_exercise,
    tags=("bayes", "posterior"),
)
def bayes_rule(K: sp.Expr) -> Body:  # noqa: N803 - size names
    return Body(
        definitions=(
            Definition(joint, like[i] * prior[i], (i,), r"joint probability $P(E, H_i)$"),
            Definition(evidence, sp.Sum(joint[r], (r, 1, K)), (), r"evidence $P(E)$, summed over the partition"),
            Definition(posterior, joint[i] / evidence, (i,), r"posterior $P(H_i \mid E)$"),
        ),
        indices={i: K, r: K},
        steps=(
            Step(lhs=posterior[i], rhs=joint[i] / evidence, why=r"definition of conditional probability"),
            Step(rhs=like[i] * prior[i] / evidence, why=r"product rule $P(E, H_i) = P(E \mid H_i) P(H_i)$"),
            Step(rhs=like[i] * prior[i] / sp.Sum(joint[r], (r, 1, K)), why="law of total probability"),
        ),
        result=Step(rhs=like[i] * prior[i] / sp.Sum(like[r] * prior[r], (r, 1, K)), why="product rule in each term"),
        result_indices=(i,),
    )
