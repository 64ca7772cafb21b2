"""Moments of a one-hot categorical: Bernoulli marginals and the covariance diag(p) - p p^T."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation

from ._common import Indicator

i, j, k = sp.symbols("i j k", integer=True, positive=True)
p = sp.IndexedBase("p")
mu_vec = sp.IndexedBase("mu")
Sigma = sp.IndexedBase("Sigma")
delta = sp.KroneckerDelta
# Outcome indicators inside sums: see Indicator for why not KroneckerDelta.
indicator = Indicator


def _categorical_covariance(p: np.ndarray) -> np.ndarray:
    # Enumerate the n outcomes x = e_k with probability p_k: no use of the closed form.
    outcomes = np.eye(p.shape[0])
    mean = p @ outcomes
    centred = outcomes - mean
    return np.einsum("k,ki,kj->ij", p, centred, centred)


def _exercise(rng: np.random.Generator) -> Exercise:
    # Probabilities w / sum(w) with small integer weights give fractions with a small denominator.
    weights = [int(w) for w in rng.integers(1, 6, size=3)]
    total = sum(weights)
    probabilities = [sp.Rational(w, total) for w in weights]
    shown = ", ".join(sp.latex(q) for q in probabilities)
    return Exercise(
        prompt=rf"A token $\bm{{x}}$ is one-hot with $P(\bm{{x}} = \bm{{e}}_k) = p_k$ and $\bm{{p}} = ({shown})$. Compute its covariance matrix $\Sigma_{{ij}} = \Cov[x_i, x_j]$.",
        values={"p": probabilities},
        answer_label=r"\Sigma",
    )


@derivation(
    id="bernoulli-categorical-moments",
    title="Moments of a one-hot categorical",
    topic="probability",
    question=r"Let $\bm{x} = \bm{e}_k$ with probability $p_k$ ($\sum_k p_k = 1$). Show that each $x_i \sim \Bern(p_i)$ has $\E[x_i] = p_i$ and $\Var[x_i] = p_i(1 - p_i)$, and that $\Cov[\bm{x}] = \diag(\bm{p}) - \bm{p}\bm{p}^\top$.",
    inputs=[Input("p", ("n",), "simplex", "category probabilities; result: the (n, n) covariance matrix")],
    sizes={"n": (2, 3, 5)},
    reference=_categorical_covariance,
    exercise=_exercise,
    tags=("moments", "categorical", "bernoulli"),
)
def bernoulli_categorical_moments(n: sp.Expr) -> Body:
    return Body(
        definitions=(
            Definition(
                mu_vec,
                sp.Sum(p[k] * indicator(k, i), (k, 1, n)),
                (i,),
                r"mean $\E[x_i]$: outcome $\bm{e}_k$ has $x_i = \delta_{ki}$",
            ),
            Definition(
                Sigma,
                sp.Sum(p[k] * (indicator(k, i) - mu_vec[i]) * (indicator(k, j) - mu_vec[j]), (k, 1, n)),
                (i, j),
                r"covariance $\E[(x_i - \mu_i)(x_j - \mu_j)]$",
            ),
        ),
        indices={i: n, j: n, k: n},
        steps=(
            Step(lhs=mu_vec[i], rhs=p[i], why=r"only the outcome $k = i$ has $x_i = 1$, so $x_i \sim \Bern(p_i)$"),
            Step(
                lhs=Sigma[i, j],
                rhs=sp.Sum(p[k] * indicator(k, i) * indicator(k, j), (k, 1, n)) - mu_vec[i] * mu_vec[j],
                why=r"expand the product; $\sum_k p_k = 1$",
            ),
            Step(
                rhs=p[i] * delta(i, j) - p[i] * p[j],
                why=r"$\delta_{ki}\delta_{kj} = \delta_{ij}\delta_{ki}$ and $\mu_i = p_i$",
            ),
            Step(lhs=Sigma[i, i], rhs=p[i] * (1 - p[i]), why=r"diagonal $i = j$: the Bernoulli variance $\Var[x_i]$"),
        ),
        result=Step(
            lhs=Sigma[i, j],
            rhs=p[i] * (delta(i, j) - p[j]),
            why=r"factor out $p_i$: $\Sigma = \diag(\bm{p}) - \bm{p}\bm{p}^\top$",
        ),
        result_indices=(i, j),
    )
