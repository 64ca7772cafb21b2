"""The KL divergence between two multivariate Gaussians, from the expectation of a quadratic form."""

from __future__ import annotations

import itertools

import numpy as np
import sympy as sp
from scipy import stats

from symwork import Body, Definition, Exercise, Input, Step, derivation
from symwork.core.matrices import latex_matrix, latex_vector

from ._gaussian_forms import GaussianForms, VectorNormalExpectation, cholesky_lower, spd_draw, spd_integer_2x2

KL = sp.Symbol(r"\KL(p\,\|\,q)")
log_p, log_q = sp.Symbol(r"\ln p(\bm{x})"), sp.Symbol(r"\ln q(\bm{x})")

# Probabilists' Gauss–Hermite rule with 6 nodes is exact for polynomials of degree < 12 in each variable;
# the log-density ratio of two Gaussians is quadratic, so its expectation is computed exactly.
_NODES, _WEIGHTS = np.polynomial.hermite_e.hermegauss(6)


def _sampler(rng: np.random.Generator, d: int) -> dict[str, np.ndarray]:
    # The expectation steps draw x = μ₁ + L₁ξ, so Σ₁ comes with its Cholesky factor L₁.
    first, second = spd_draw(rng, d), spd_draw(rng, d)
    return {
        "mu1": rng.uniform(-2.0, 2.0, d),
        "Sigma1": first,
        "mu2": rng.uniform(-2.0, 2.0, d),
        "Sigma2": second,
        "L1": cholesky_lower(first),
    }


def _kl_by_quadrature(mu1: np.ndarray, Sigma1: np.ndarray, mu2: np.ndarray, Sigma2: np.ndarray) -> float:  # noqa: N803
    """E_p[ln p(x) − ln q(x)] by a tensor Gauss–Hermite rule over x = μ₁ + L₁ξ, with SciPy's log-densities."""
    mu1, mu2 = np.atleast_1d(mu1), np.atleast_1d(mu2)
    factor = np.linalg.cholesky(Sigma1)
    p, q = stats.multivariate_normal(mean=mu1, cov=Sigma1), stats.multivariate_normal(mean=mu2, cov=Sigma2)
    d = mu1.size
    total = 0.0
    for combo in itertools.product(range(_NODES.size), repeat=d):
        xi = _NODES[list(combo)]
        weight = float(np.prod(_WEIGHTS[list(combo)]))
        point = mu1 + factor @ xi
        total += weight * (p.logpdf(point) - q.logpdf(point))
    return total / np.sqrt(2 * np.pi) ** d


def _exercise(rng: np.random.Generator) -> Exercise:
    while True:
        values = {
            "mu1": [int(v) for v in rng.integers(-2, 3, size=2)],
            "Sigma1": spd_integer_2x2(rng),
            "mu2": [int(v) for v in rng.integers(-2, 3, size=2)],
            "Sigma2": spd_integer_2x2(rng),
        }
        if values["mu1"] != values["mu2"] or values["Sigma1"] != values["Sigma2"]:
            break  # p = q gives 0 whatever was drawn
    # Vectors as transposed rows, matrices as matrices: the prompt stays on a few lines.
    tex = {
        name: latex_matrix(value) if name.startswith("Sigma") else latex_vector(value) + r"^\top"
        for name, value in values.items()
    }
    return Exercise(
        prompt=(
            rf"Compute $\KL(p\,\|\,q)$ in nats for $p = \Normal(\bm{{\mu}}_1, \Sigma_1)$ and $q = \Normal(\bm{{\mu}}_2, \Sigma_2)$ with "
            rf"$\bm{{\mu}}_1 = {tex['mu1']}$, $\Sigma_1 = {tex['Sigma1']}$, $\bm{{\mu}}_2 = {tex['mu2']}$, $\Sigma_2 = {tex['Sigma2']}$."
        ),
        values=values,
        answer_label=r"\KL(p\,\|\,q)",
    )


@derivation(
    id="kl-multivariate-gaussians",
    title="KL divergence between two multivariate Gaussians",
    topic="probability",
    question=(
        r"Let $p = \Normal(\bm{\mu}_1, \Sigma_1)$ and $q = \Normal(\bm{\mu}_2, \Sigma_2)$ on $\R^d$. Show that "
        r"$\KL(p\,\|\,q) = \frac12\Bigl(\tr(\Sigma_2^{-1}\Sigma_1) + (\bm{\mu}_2 - \bm{\mu}_1)^\top\Sigma_2^{-1}(\bm{\mu}_2 - \bm{\mu}_1) "
        r"- d + \ln\frac{\det\Sigma_2}{\det\Sigma_1}\Bigr)$, using $\E_p[(\bm{x} - \bm{m})^\top A(\bm{x} - \bm{m})] = "
        r"\tr(A\Sigma_1) + (\bm{\mu}_1 - \bm{m})^\top A(\bm{\mu}_1 - \bm{m})$."
    ),
    inputs=[
        Input("mu1", ("d",), "real", r"mean $\bm{\mu}_1$ of $p$"),
        Input("Sigma1", ("d", "d"), "spd", r"covariance $\Sigma_1$ of $p$"),
        Input("mu2", ("d",), "real", r"mean $\bm{\mu}_2$ of $q$"),
        Input("Sigma2", ("d", "d"), "spd", r"covariance $\Sigma_2$ of $q$; the result is the scalar $\KL(p\,\|\,q)$"),
    ],
    sizes={"d": (2, 3)},
    reference=_kl_by_quadrature,
    sampler=_sampler,
    exercise=_exercise,
    tags=("kl", "gaussian", "multivariate", "vae"),
    uses=("multivariate-gaussian-density", "kl-gaussians", "gibbs-inequality"),
)
def kl_multivariate_gaussians(d: sp.Expr) -> Body:
    form = GaussianForms(d)  # before sp.S: an int size means explicit matrices
    d = sp.S(d)
    x, mu1, mu2 = form.vec("x"), form.vec("mu1"), form.vec("mu2")
    sigma1, sigma2 = form.mat("Sigma1"), form.mat("Sigma2")
    half = sp.Rational(1, 2)

    def expect(body: sp.Expr) -> sp.Expr:
        law = sp.Symbol("p")
        return VectorNormalExpectation(
            body, sp.Symbol("x"), sp.Symbol("mu1"), sp.Symbol("Sigma1"), sp.Symbol("L1"), d, law
        )

    def log_density(mean: sp.Expr, cov: sp.Expr) -> sp.Expr:
        return -d / 2 * sp.log(2 * sp.pi) - half * sp.log(form.det(cov)) - half * form.quad_inv(form.sub(x, mean), cov)

    q1 = form.quad_inv(form.sub(x, mu1), sigma1)
    q2 = form.quad_inv(form.sub(x, mu2), sigma2)
    log_ratio = sp.log(form.det(sigma2)) - sp.log(form.det(sigma1))
    return Body(
        definitions=(
            Definition(log_p, log_density(mu1, sigma1), (), r"log-density of $p$ (multivariate-gaussian-density)"),
            Definition(log_q, log_density(mu2, sigma2), (), r"log-density of $q$"),
            Definition(KL, expect(log_p - log_q), (), r"the KL divergence, an expectation under $p$"),
        ),
        steps=(
            Step(
                lhs=KL,
                rhs=expect(half * log_ratio - half * q1 + half * q2),
                why=r"substitute the log-densities: the $-\frac d2\ln(2\pi)$ terms cancel",
            ),
            Step(rhs=half * log_ratio - half * expect(q1) + half * expect(q2), why="linearity of expectation"),
            Step(
                lhs=expect(q2),
                rhs=form.trace(form.inv(sigma2), sigma1) + form.quad_inv(form.sub(mu1, mu2), sigma2),
                why=(
                    r"write $\bm{x} = \bm{\mu}_1 + L_1\bm{\xi}$ with $\Sigma_1 = L_1L_1^\top$, $\E\bm{\xi} = \bm{0}$, $\E\bm{\xi}\bm{\xi}^\top = I$: "
                    r"the cross term has mean zero and $\E[\bm{\xi}^\top L_1^\top\Sigma_2^{-1}L_1\bm{\xi}] = \tr(L_1^\top\Sigma_2^{-1}L_1) = \tr(\Sigma_2^{-1}\Sigma_1)$"
                ),
            ),
            Step(
                lhs=expect(q1),
                rhs=d,
                why=r"the same with $\bm{\mu}_2 = \bm{\mu}_1$ and $\Sigma_2 = \Sigma_1$: $\tr(\Sigma_1^{-1}\Sigma_1) = \tr I = d$",
            ),
            Step(
                lhs=KL,
                rhs=sp.S.Zero,
                relation=">=",
                why=(
                    r"Gibbs' inequality for densities; here directly: with $\lambda_i > 0$ the eigenvalues of $\Sigma_2^{-1}\Sigma_1$, "
                    r"$\tr - d + \ln\frac{\det\Sigma_2}{\det\Sigma_1} = \sum_i(\lambda_i - 1 - \ln\lambda_i) \geq 0$"
                ),
            ),
        ),
        result=Step(
            lhs=KL,
            rhs=half
            * (form.trace(form.inv(sigma2), sigma1) + form.quad_inv(form.sub(mu2, mu1), sigma2) - d + log_ratio),
            why=r"substitute both expectations; for $d = 1$ this is the univariate formula (kl-gaussians)",
        ),
    )
