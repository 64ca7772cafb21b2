"""Maximum-likelihood estimators: Bernoulli, Gaussian and categorical (n-gram counts with a Lagrange multiplier)."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation, exact_answer

from ._common import bisect

# The unknown parameters are variables of the checks: each step below is an identity in them, and
# "set the score to zero" is a rearrangement that is exact wherever the score vanishes.
k, n = sp.Symbol("k", positive=True), sp.Symbol("n", positive=True)
p = sp.Symbol("p", positive=True)
ell = sp.Symbol("ell")


def _coin_counts(rng: np.random.Generator) -> dict[str, np.ndarray]:
    # 0 < k < n keeps the maximiser inside (0, 1), where the score is defined.
    trials = int(rng.integers(2, 12))
    return {"k": np.asarray(float(rng.integers(1, trials))), "n": np.asarray(float(trials))}


def _bernoulli_mle_by_bisection(k: float, n: float) -> float:
    # The root of the score found numerically, without solving it by hand.
    return bisect(lambda q: k / q - (n - k) / (1 - q), 1e-12, 1 - 1e-12)


def _bernoulli_exercise(rng: np.random.Generator) -> Exercise:
    trials = int(rng.integers(5, 21))
    values = {"k": int(rng.integers(1, trials)), "n": trials}
    return Exercise(
        prompt=rf"A coin shows heads {values['k']} times in {trials} independent tosses. Find the maximum-likelihood estimate $\hat p$ of $P(\text{{heads}})$.",
        values=values,
        answer=exact_answer(bernoulli_mle, values),
        answer_label=r"\hat p",
    )


@derivation(
    id="bernoulli-mle",
    title="Maximum likelihood for a coin",
    topic="probability",
    question=r"A coin with $P(\text{heads}) = p$ shows $k$ heads in $n$ independent tosses, $0 < k < n$. Show, by setting the score $\partial\ell/\partial p$ to zero, that the maximum-likelihood estimate is $\hat p = k/n$.",
    inputs=[
        Input("k", (), "count", "number of heads"),
        Input("n", (), "count", "number of tosses, n > k; result: the estimate"),
    ],
    reference=_bernoulli_mle_by_bisection,
    sampler=_coin_counts,
    exercise=_bernoulli_exercise,
    tags=("mle", "bernoulli"),
)
def bernoulli_mle() -> Body:
    score = sp.Derivative(ell, p)
    return Body(
        definitions=(
            Definition(
                ell,
                k * sp.log(p) + (n - k) * sp.log(1 - p),
                (),
                "log-likelihood, up to the constant $\\log\\binom{n}{k}$",
            ),
        ),
        variables=(Input("p", (), "unit", "the coin's parameter"),),
        steps=(
            Step(
                lhs=score,
                rhs=k / p - (n - k) / (1 - p),
                why=r"differentiate; $\frac{d}{dp}\log(1 - p) = -\frac{1}{1 - p}$",
            ),
            Step(rhs=(k - n * p) / (p * (1 - p)), why="common denominator"),
            Step(rhs=n / (p * (1 - p)) * (k / n - p), why=r"factor out $n$: the score vanishes only at $p = k/n$"),
            Step(
                lhs=sp.Subs(sp.Derivative(ell, (p, 2)), p, k / n),
                rhs=-(n**3) / (k * (n - k)),
                why=r"the second derivative there is negative: a maximum",
            ),
        ),
        result=Step(
            lhs=p + p * (1 - p) / n * score,
            rhs=k / n,
            why=r"rearrange step 3; where the score is zero this reads $\hat p = k/n$",
        ),
    )


t = sp.Symbol("t", integer=True, positive=True)
N = sp.Symbol("N", integer=True, positive=True)
x = sp.IndexedBase("x")
mu, sigma = sp.Symbol("mu", real=True), sp.Symbol("sigma", positive=True)
xbar = sp.Symbol("xbar")


def _gaussian_mle_reference(x: np.ndarray) -> np.ndarray:
    return np.array([np.mean(x), np.var(x)])


def _gaussian_exercise(rng: np.random.Generator) -> Exercise:
    data = [int(v) for v in rng.integers(-4, 6, size=int(rng.integers(3, 5)))]
    values = {"x": data}
    return Exercise(
        prompt=rf"Fit $\Normal(\mu, \sigma^2)$ by maximum likelihood to the sample ${', '.join(map(str, data))}$: give $(\hat\mu, \hat\sigma^2)$.",
        values=values,
        answer=exact_answer(gaussian_mle, values),
        answer_label=r"(\hat\mu, \hat\sigma^2)",
    )


@derivation(
    id="gaussian-mle",
    title="Maximum likelihood for a Gaussian",
    topic="probability",
    question=r"Given i.i.d. $x_1, \dots, x_N \sim \Normal(\mu, \sigma^2)$, show by setting both partial derivatives of the log-likelihood to zero that $\hat\mu = \bar x$ and $\hat\sigma^2 = \frac{1}{N}\sum_t (x_t - \bar x)^2$ (the biased variance).",
    inputs=[Input("x", ("N",), "real", "the sample; result: (2,) = (mean estimate, variance estimate)")],
    sizes={"N": (2, 3, 5)},
    reference=_gaussian_mle_reference,
    exercise=_gaussian_exercise,
    tags=("mle", "gaussian"),
)
def gaussian_mle(N: sp.Expr) -> Body:  # noqa: N803 - size names
    squares = sp.Sum((x[t] - mu) ** 2, (t, 1, N))
    log_likelihood = -N * sp.log(sigma) - N * sp.log(2 * sp.pi) / 2 - squares / (2 * sigma**2)
    d_mu, d_sigma = sp.Derivative(ell, mu), sp.Derivative(ell, sigma)
    return Body(
        definitions=(
            Definition(ell, log_likelihood, (), "log-likelihood"),
            Definition(xbar, sp.Sum(x[t], (t, 1, N)) / N, (), "sample mean"),
        ),
        indices={t: N},
        variables=(
            Input("mu", (), "real", "mean parameter"),
            Input("sigma", (), "positive", "standard-deviation parameter"),
        ),
        steps=(
            Step(lhs=d_mu, rhs=sp.Sum(x[t] - mu, (t, 1, N)) / sigma**2, why=r"differentiate in $\mu$"),
            Step(rhs=N * (xbar - mu) / sigma**2, why=r"$\sum_t x_t = N\bar x$: zero only at $\mu = \bar x$"),
            Step(lhs=d_sigma, rhs=-N / sigma + squares / sigma**3, why=r"differentiate in $\sigma$"),
            Step(
                rhs=N / sigma**3 * (squares / N - sigma**2),
                why=r"factor: zero only at $\sigma^2 = \frac{1}{N}\sum_t (x_t - \mu)^2$",
            ),
        ),
        result=Step(
            lhs=sp.Matrix([mu + sigma**2 / N * d_mu, sp.Subs(sigma**2 + sigma**3 / N * d_sigma, mu, xbar)]),
            rhs=sp.Matrix([xbar, sp.Sum((x[t] - xbar) ** 2, (t, 1, N)) / N]),
            why=r"rearrange steps 2 and 4 at $\mu = \bar x$; where both derivatives vanish this reads $(\hat\mu, \hat\sigma^2)$",
        ),
    )


i, j, r = sp.symbols("i j r", integer=True, positive=True)
c = sp.IndexedBase("c")
q = sp.IndexedBase("p")
lam = sp.Symbol("lambda", positive=True)
lagrangian = sp.Symbol("L")


def _categorical_reference(c: np.ndarray) -> np.ndarray:
    # Maximise sum_i c_i log p_i over the simplex numerically: the stationarity condition
    # c_i / p_i = lambda with sum_i c_i / lambda = 1 is solved for lambda by bisection.
    multiplier = bisect(lambda m: float(np.sum(c / m)) - 1.0, 1e-9, 1e9 + float(np.sum(c)))
    return c / multiplier


def _categorical_exercise(rng: np.random.Generator) -> Exercise:
    counts = [int(v) for v in rng.integers(1, 10, size=3)]
    values = {"c": counts}
    return Exercise(
        prompt=rf"After the context \emph{{the cat}}, a corpus continues with three word types with counts $({', '.join(map(str, counts))})$. Give the maximum-likelihood bigram probabilities $\hat{{\bm{{p}}}}$.",
        values=values,
        answer=exact_answer(categorical_mle, values),
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
    exercise=_categorical_exercise,
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
