"""Bayes' rule and conjugate updates: Beta-Bernoulli, Normal-Normal and Dirichlet (add-alpha) smoothing."""

from __future__ import annotations

import math

import numpy as np
import sympy as sp
from scipy.special import gammaln

from symwork import Body, Definition, Exercise, Input, Step, derivation, exact_answer

from ._common import Gamma

i, r, t = sp.symbols("i r t", integer=True, positive=True)

# --- Bayes' rule ---------------------------------------------------------------------------------

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


def _bayes_exercise(rng: np.random.Generator) -> Exercise:
    prevalence = sp.Rational(1, int(rng.choice([10, 20, 50, 100, 200])))
    sensitivity = sp.Rational(int(rng.choice([80, 90, 95, 99])), 100)
    false_positive = sp.Rational(int(rng.choice([1, 2, 5, 10])), 100)
    values = {"pi": [prevalence, 1 - prevalence], "L": [sensitivity, false_positive]}
    return Exercise(
        prompt=(
            rf"A disease has prevalence ${sp.latex(prevalence)}$. A test detects it with probability ${sp.latex(sensitivity)}$ "
            rf"and gives a false positive with probability ${sp.latex(false_positive)}$. A patient tests positive: "
            r"compute $(P(D \mid +), P(\neg D \mid +))$."
        ),
        values=values,
        answer=exact_answer(bayes_rule, values),
        answer_label=r"\bm{w}",
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
    exercise=_bayes_exercise,
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


# --- Beta-Bernoulli ------------------------------------------------------------------------------

alpha, beta = sp.Symbol("alpha", positive=True), sp.Symbol("beta", positive=True)
k, n = sp.Symbol("k", nonnegative=True), sp.Symbol("n", positive=True)
theta = sp.Symbol("theta", positive=True)
u, v = sp.Symbol("u", real=True), sp.Symbol("v", real=True)
ell = sp.Symbol("ell")


def _coin_counts_and_prior(rng: np.random.Generator) -> dict[str, np.ndarray]:
    trials = int(rng.integers(1, 12))
    return {
        "alpha": rng.uniform(0.5, 2.5),
        "beta": rng.uniform(0.5, 2.5),
        "k": np.asarray(float(rng.integers(0, trials + 1))),
        "n": np.asarray(float(trials)),
    }


def _beta_prior_moment(a: float, b: float, m: int) -> float:
    # E[theta^m] under the prior Beta(a, b), by the recursion E[theta^(m+1)] = E[theta^m] (a + m)/(a + b + m).
    return math.prod((a + s) / (a + b + s) for s in range(m))


def _beta_bernoulli_by_moments(alpha: float, beta: float, k: float, n: float) -> np.ndarray:
    # Bayes' rule with prior moments only: E[theta^j | data] = E[theta^(k+j) (1-theta)^(n-k)] / E[theta^k (1-theta)^(n-k)],
    # expanding (1 - theta)^(n-k) binomially; then match the first two moments to a Beta(a, b).
    kk, ff = int(k), int(n) - int(k)

    def weighted(extra: int) -> float:
        return sum(
            math.comb(ff, s) * (-1) ** s * _beta_prior_moment(alpha, beta, kk + extra + s) for s in range(ff + 1)
        )

    base = weighted(0)
    first, second = weighted(1) / base, weighted(2) / base
    total = (first - second) / (second - first**2)
    return np.array([first * total, (1 - first) * total])


def _beta_exercise(rng: np.random.Generator) -> Exercise:
    trials = int(rng.integers(3, 13))
    values = {
        "alpha": int(rng.integers(1, 5)),
        "beta": int(rng.integers(1, 5)),
        "k": int(rng.integers(0, trials + 1)),
        "n": trials,
    }
    return Exercise(
        prompt=rf"With a $\BetaDist({values['alpha']}, {values['beta']})$ prior on a coin's bias, you observe {values['k']} heads in {trials} tosses. Give the parameters $(\alpha', \beta')$ of the posterior.",
        values=values,
        answer=exact_answer(beta_bernoulli_update, values),
        answer_label=r"(\alpha', \beta')",
    )


@derivation(
    id="beta-bernoulli-update",
    title="Beta-Bernoulli conjugate update",
    topic="probability",
    question=r"With prior $\theta \sim \BetaDist(\alpha, \beta)$ and $k$ successes in $n$ Bernoulli($\theta$) trials, show that the posterior is $\BetaDist(\alpha + k, \beta + n - k)$.",
    inputs=[
        Input("alpha", (), "positive", "prior pseudo-count of successes"),
        Input("beta", (), "positive", "prior pseudo-count of failures"),
        Input("k", (), "count", "number of successes, 0 <= k <= n"),
        Input("n", (), "count", "number of trials; result: (2,) posterior parameters"),
    ],
    reference=_beta_bernoulli_by_moments,
    sampler=_coin_counts_and_prior,
    exercise=_beta_exercise,
    tags=("bayes", "conjugate", "beta"),
)
def beta_bernoulli_update() -> Body:
    prior_kernel = theta ** (alpha - 1) * (1 - theta) ** (beta - 1)
    likelihood = theta**k * (1 - theta) ** (n - k)
    return Body(
        definitions=(
            Definition(
                ell,
                (alpha - 1) * u + (beta - 1) * v + k * u + (n - k) * v,
                (),
                r"log prior plus log likelihood in $u = \log\theta$, $v = \log(1 - \theta)$",
            ),
        ),
        variables=(
            Input("theta", (), "unit", "the coin's bias"),
            Input("u", (), "real", r"$\log\theta$"),
            Input("v", (), "real", r"$\log(1 - \theta)$"),
        ),
        steps=(
            Step(
                lhs=sp.Mul(prior_kernel, likelihood, evaluate=False),
                rhs=theta ** (alpha + k - 1) * (1 - theta) ** (beta + n - k - 1),
                why=r"prior kernel times likelihood: exponents add",
            ),
            Step(
                lhs=ell,
                rhs=(alpha + k - 1) * u + (beta + n - k - 1) * v,
                why=r"collect the sufficient statistics $u$ and $v$",
            ),
            Step(lhs=sp.Derivative(ell, u), rhs=alpha + k - 1, why=r"coefficient of $\log\theta$"),
            Step(lhs=sp.Derivative(ell, v), rhs=beta + n - k - 1, why=r"coefficient of $\log(1 - \theta)$"),
        ),
        result=Step(
            lhs=sp.Matrix([1 + sp.Derivative(ell, u), 1 + sp.Derivative(ell, v)]),
            rhs=sp.Matrix([alpha + k, beta + n - k]),
            why=r"match the Beta kernel $\theta^{\alpha' - 1}(1 - \theta)^{\beta' - 1}$",
        ),
    )


# --- Normal-Normal -------------------------------------------------------------------------------

N = sp.Symbol("N", integer=True, positive=True)
x = sp.IndexedBase("x")
mu, mu0 = sp.Symbol("mu", real=True), sp.Symbol("mu0", real=True)
tau0, sigma = sp.Symbol("tau0", positive=True), sp.Symbol("sigma", positive=True)
precision, mean_post = sp.Symbol("lambda_N", positive=True), sp.Symbol("mu_N")


def _normal_by_conditioning(mu0: float, tau0: float, sigma: float, x: np.ndarray) -> np.ndarray:
    # Condition the joint Gaussian of (mu, x): Cov[x] = tau0^2 11^T + sigma^2 I, Cov[mu, x] = tau0^2 1^T.
    size = x.shape[0]
    ones = np.ones(size)
    cov_xx = tau0**2 * np.outer(ones, ones) + sigma**2 * np.eye(size)
    gain = np.linalg.solve(cov_xx, tau0**2 * ones)
    return np.array([mu0 + gain @ (x - mu0), tau0**2 - tau0**2 * gain @ ones])


def _normal_exercise(rng: np.random.Generator) -> Exercise:
    data = [int(value) for value in rng.integers(-3, 6, size=int(rng.integers(2, 4)))]
    values = {
        "mu0": int(rng.integers(-2, 3)),
        "tau0": int(rng.integers(1, 3)),
        "sigma": int(rng.integers(1, 3)),
        "x": data,
    }
    return Exercise(
        prompt=(
            rf"Prior $\mu \sim \Normal({values['mu0']}, {values['tau0'] ** 2})$; observations $x_t \sim \Normal(\mu, {values['sigma'] ** 2})$ "
            rf"are ${', '.join(map(str, data))}$. Give the posterior mean and variance of $\mu$."
        ),
        values=values,
        answer=exact_answer(normal_normal_update, values),
        answer_label=r"(\mu_N, \lambda_N^{-1})",
    )


@derivation(
    id="normal-normal-update",
    title="Normal-Normal conjugate update",
    topic="probability",
    question=r"With prior $\mu \sim \Normal(\mu_0, \tau_0^2)$ and i.i.d. $x_1, \dots, x_N \sim \Normal(\mu, \sigma^2)$, $\sigma$ known, show that $\mu \mid \bm{x} \sim \Normal(\mu_N, \lambda_N^{-1})$ with precision $\lambda_N = 1/\tau_0^2 + N/\sigma^2$ and mean $\mu_N = (\mu_0/\tau_0^2 + \sum_t x_t/\sigma^2)/\lambda_N$.",
    inputs=[
        Input("mu0", (), "real", "prior mean"),
        Input("tau0", (), "positive", "prior standard deviation"),
        Input("sigma", (), "positive", "noise standard deviation"),
        Input("x", ("N",), "real", "observations; result: (2,) posterior mean and variance of the mean"),
    ],
    sizes={"N": (2, 3, 5)},
    reference=_normal_by_conditioning,
    exercise=_normal_exercise,
    tags=("bayes", "conjugate", "gaussian"),
)
def normal_normal_update(N: sp.Expr) -> Body:  # noqa: N803 - size names
    log_post = -((mu - mu0) ** 2) / (2 * tau0**2) - sp.Sum((x[t] - mu) ** 2, (t, 1, N)) / (2 * sigma**2)
    slope, curvature = sp.Derivative(ell, mu), sp.Derivative(ell, (mu, 2))
    return Body(
        definitions=(
            Definition(ell, log_post, (), "log prior plus log likelihood, up to a constant"),
            Definition(precision, 1 / tau0**2 + N / sigma**2, (), "posterior precision"),
            Definition(
                mean_post, (mu0 / tau0**2 + sp.Sum(x[t], (t, 1, N)) / sigma**2) / precision, (), "posterior mean"
            ),
        ),
        indices={t: N},
        variables=(Input("mu", (), "real", "the unknown mean"),),
        steps=(
            Step(
                lhs=slope,
                rhs=(mu0 - mu) / tau0**2 + sp.Sum(x[t] - mu, (t, 1, N)) / sigma**2,
                why=r"differentiate in $\mu$",
            ),
            Step(
                rhs=mu0 / tau0**2 + sp.Sum(x[t], (t, 1, N)) / sigma**2 - precision * mu,
                why=r"collect the terms in $\mu$",
            ),
            Step(rhs=precision * (mean_post - mu), why=r"definition of $\mu_N$"),
            Step(
                lhs=curvature,
                rhs=-precision,
                why=r"differentiate again: constant curvature, so the posterior is Gaussian",
            ),
        ),
        result=Step(
            lhs=sp.Matrix([mu - slope / curvature, -1 / curvature]),
            rhs=sp.Matrix([mean_post, 1 / precision]),
            why=r"a Gaussian's mode is one Newton step away and its variance is minus the inverse curvature",
        ),
    )


# --- Dirichlet smoothing -------------------------------------------------------------------------

c = sp.IndexedBase("c")
th = sp.IndexedBase("theta")
smoothed = sp.IndexedBase("thetahat")
total = sp.Symbol("N")  # number of tokens; this module's normal-normal size N is a different symbol


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


def _dirichlet_exercise(rng: np.random.Generator) -> Exercise:
    counts = [int(value) for value in rng.integers(0, 6, size=3)]
    counts[int(rng.integers(0, 3))] += 1  # at least one observed token
    smoothing = sp.Rational(1, int(rng.choice([1, 2]))) * int(rng.choice([1, 1, 2]))
    values = {"c": counts, "alpha": smoothing}
    return Exercise(
        prompt=rf"A vocabulary of 3 words has counts $({', '.join(map(str, counts))})$. Give the add-${sp.latex(smoothing)}$ smoothed probabilities, the posterior mean under a symmetric $\Dir({sp.latex(smoothing)})$ prior.",
        values=values,
        answer=exact_answer(dirichlet_smoothing, values),
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
    exercise=_dirichlet_exercise,
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
                Gamma(alpha + c[i] + 1)
                / Gamma(alpha + c[i])
                * Gamma(sp.Sum(concentration, (r, 1, V)))
                / Gamma(sp.Sum(concentration, (r, 1, V)) + 1),
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
            Step(rhs=(c[i] + alpha) / (total + V * alpha), why=r"$\sum_k (\alpha + c_k) = N + V\alpha$"),
            Step(
                rhs=sp.Mul(share, c[i] / total, evaluate=False) + sp.Mul(1 - share, 1 / V, evaluate=False),
                why=r"a mixture of the ML estimate $c_i/N$ and the uniform $1/V$, with weight $N/(N + V\alpha)$",
            ),
        ),
        result=Step(lhs=smoothed[i], rhs=(c[i] + alpha) / (total + V * alpha), why=r"add-$\alpha$ smoothing"),
        result_indices=(i,),
    )
