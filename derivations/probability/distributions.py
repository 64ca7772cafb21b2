"""Moments of the Bernoulli and one-hot categorical distributions, and the entropy of a Gaussian."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation, exact_answer

from ._common import GaussianExpectation, Indicator

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


def _moments_exercise(rng: np.random.Generator) -> Exercise:
    # Probabilities w / sum(w) with small integer weights give fractions with a small denominator.
    weights = [int(w) for w in rng.integers(1, 6, size=3)]
    total = sum(weights)
    probabilities = [sp.Rational(w, total) for w in weights]
    values = {"p": probabilities}
    shown = ", ".join(sp.latex(q) for q in probabilities)
    return Exercise(
        prompt=rf"A token $\bm{{x}}$ is one-hot with $P(\bm{{x}} = \bm{{e}}_k) = p_k$ and $\bm{{p}} = ({shown})$. Compute its covariance matrix $\Sigma_{{ij}} = \Cov[x_i, x_j]$.",
        values=values,
        answer=exact_answer(bernoulli_categorical_moments, values),
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
    exercise=_moments_exercise,
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


mu = sp.Symbol("mu", real=True)
sigma = sp.Symbol("sigma", positive=True)
x = sp.Symbol("x", real=True)
H = sp.Symbol("H")
density = sp.exp(-((x - mu) ** 2) / (2 * sigma**2)) / sp.sqrt(2 * sp.pi * sigma**2)


def _entropy_by_quadrature(mu: float, sigma: float) -> float:
    # -∫ f log f on mu ± 12 sigma: the trapezoid rule is spectrally accurate for a Gaussian integrand
    # and the truncated tails are below 1e-30, far inside the 1e-8 tolerance.
    grid = np.linspace(mu - 12 * sigma, mu + 12 * sigma, 20001)
    f = np.exp(-((grid - mu) ** 2) / (2 * sigma**2)) / np.sqrt(2 * np.pi * sigma**2)
    return float(np.trapezoid(-f * np.log(f), grid))


def _entropy_exercise(rng: np.random.Generator) -> Exercise:
    scale = sp.Rational(int(rng.integers(1, 5)), int(rng.choice([1, 2])))
    values = {"mu": int(rng.integers(-3, 4)), "sigma": scale}
    return Exercise(
        prompt=rf"Compute the differential entropy (in nats) of $X \sim \Normal({values['mu']}, {sp.latex(scale**2)})$.",
        values=values,
        answer=exact_answer(gaussian_entropy, values),
        answer_label="H",
    )


@derivation(
    id="gaussian-entropy",
    title="Entropy of a Gaussian",
    topic="probability",
    question=r"Let $X \sim \Normal(\mu, \sigma^2)$ with density $f$. Show that its differential entropy is $H = -\E[\log f(X)] = \frac{1}{2}\log(2\pi e \sigma^2)$, whatever $\mu$.",
    inputs=[
        Input("mu", (), "real", "mean"),
        Input("sigma", (), "positive", "standard deviation; result: the entropy in nats"),
    ],
    reference=_entropy_by_quadrature,
    exercise=_entropy_exercise,
    tags=("entropy", "gaussian"),
)
def gaussian_entropy() -> Body:
    half_log = sp.log(2 * sp.pi * sigma**2) / 2
    return Body(
        definitions=(Definition(H, GaussianExpectation(-sp.log(density), x, mu, sigma), (), "differential entropy"),),
        variables=(Input("x", (), "real", "a point of the real line"),),
        steps=(
            Step(
                lhs=-sp.log(density), rhs=half_log + (x - mu) ** 2 / (2 * sigma**2), why=r"take $-\log$ of the density"
            ),
            Step(
                lhs=H,
                rhs=half_log + GaussianExpectation((x - mu) ** 2, x, mu, sigma) / (2 * sigma**2),
                why="linearity of expectation",
            ),
            Step(rhs=half_log + sp.Rational(1, 2), why=r"$\E[(X - \mu)^2] = \sigma^2$"),
        ),
        result=Step(rhs=sp.log(2 * sp.pi * sp.E * sigma**2) / 2, why=r"$\frac{1}{2} = \frac{1}{2}\log e$"),
    )
