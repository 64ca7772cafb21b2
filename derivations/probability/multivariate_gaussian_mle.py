"""Maximum likelihood for a multivariate Gaussian: μ̂ is the sample mean and Σ̂ the average outer product about it."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation

from ._gaussian_forms import GaussianForms, spd_draw
from ._information_common import printed_base

t = sp.Symbol("t", integer=True, positive=True)
a, b, c = sp.symbols("a b c", integer=True, positive=True)
X = sp.IndexedBase("X")
mu, Lam, Sig = sp.IndexedBase("mu"), sp.IndexedBase("Lambda"), sp.IndexedBase("Sigma")
xbar = printed_base("xbar", r"\bar{x}")
Sighat = printed_base("Sigmahat", r"\hat{\Sigma}")
# The stationary point (x̄, Σ̂) as the checks draw it with the sample, in numpy: the lines about the maximum
# use these numbers rather than expanding x̄'s sum inside Σ̂⁻¹ (which takes minutes at d = 3).
xmean = printed_base("xmean", r"\bar{x}")
ell = sp.Symbol(r"\ell")


def _sampler(rng: np.random.Generator, N: int, d: int) -> dict[str, np.ndarray]:  # noqa: N803 - size names
    # The parameters (μ, Λ) are points of the likelihood's domain; Σ = Λ⁻¹ is drawn with Λ.
    # Σ̂, the stationary point of step 5, is computed from the drawn sample as the average outer product.
    precision = spd_draw(rng, d)
    data = rng.uniform(-2.0, 2.0, (N, d))
    centred = data - data.mean(axis=0)
    return {
        "X": data,
        "mu": rng.uniform(-2.0, 2.0, d),
        "Lambda": precision,
        "Sigma": np.linalg.inv(precision),
        "Sigmahat": centred.T @ centred / N,
        "xmean": data.mean(axis=0),
    }


def _reference(X: np.ndarray) -> np.ndarray:  # noqa: N803 - the input's name
    # numpy's covariance with ddof=0: the average outer product about the sample mean.
    return np.cov(np.asarray(X, dtype=float), rowvar=False, ddof=0)


def _exercise(rng: np.random.Generator) -> Exercise:
    while True:
        data = rng.integers(-3, 4, size=(4, 2))
        centred = data - data.mean(axis=0)
        if np.linalg.matrix_rank(centred) == 2:  # a full-rank estimate: the off-diagonal entry matters
            break
    points = ", ".join(rf"({row[0]}, {row[1]})" for row in data.tolist())
    return Exercise(
        prompt=(
            rf"Fit $\Normal(\bm{{\mu}}, \Sigma)$ by maximum likelihood to the $N = 4$ points ${points}$ in $\R^2$: "
            r"give the covariance estimate $\hat\Sigma$ (the mean estimate is $\hat{\bm{\mu}} = \bar{\bm{x}}$)."
        ),
        values={"X": data.tolist()},
        answer_label=r"\hat\Sigma",
    )


@derivation(
    id="multivariate-gaussian-mle",
    title="Maximum likelihood for a multivariate Gaussian",
    topic="probability",
    question=(
        r"Let $\bm{x}_1, \dots, \bm{x}_N \in \R^d$ (the rows of $X$) be i.i.d. $\Normal(\bm{\mu}, \Sigma)$, and write the "
        r"log-likelihood in the precision $\Lambda = \Sigma^{-1}$: $\ell = \frac N2 \ln\det\Lambda - \frac{Nd}{2}\ln(2\pi) "
        r"- \frac12\sum_t (\bm{x}_t - \bm{\mu})^\top\Lambda(\bm{x}_t - \bm{\mu})$. Show that $\nabla_{\bm{\mu}}\ell = "
        r"N\Lambda(\bar{\bm{x}} - \bm{\mu})$ and $\partial\ell/\partial\Lambda = \frac N2\bigl(\Lambda^{-\top} - "
        r"\frac1N\sum_t(\bm{x}_t - \bm{\mu})(\bm{x}_t - \bm{\mu})^\top\bigr)$, so that the maximum is at "
        r"$\hat{\bm{\mu}} = \bar{\bm{x}}$ and $\hat\Sigma = \frac1N\sum_t(\bm{x}_t - \bar{\bm{x}})(\bm{x}_t - \bar{\bm{x}})^\top "
        r"= \frac1N X^\top X - \bar{\bm{x}}\bar{\bm{x}}^\top$."
    ),
    inputs=[
        Input(
            "X", ("N", "d"), "real", r"the sample, one point per row; the result is the $(d, d)$ estimate $\hat\Sigma$"
        )
    ],
    sizes={"N": (3, 4, 5), "d": (2, 2, 3)},
    reference=_reference,
    sampler=_sampler,
    exercise=_exercise,
    tags=("mle", "gaussian", "multivariate", "covariance"),
    uses=("multivariate-gaussian-density",),
)
def multivariate_gaussian_mle(N: sp.Expr, d: sp.Expr) -> Body:  # noqa: N803 - size names
    form = GaussianForms(d)  # before sp.S: an int size means explicit matrices
    N, d = sp.S(N), sp.S(d)
    det_lambda = form.det(form.mat("Lambda"))
    # Printed, ∂(det Λ)/∂Λ_ab needs a name for det Λ (SymPy prints a derivative of a function with d);
    # at instances it is the explicit determinant that the check differentiates.
    det_name = det_lambda if form.explicit else sp.Symbol(r"\det(\Lambda)")

    def over_t(expr: sp.Expr) -> sp.Expr:
        return sp.Sum(expr, (t, 1, N))

    quadratic = over_t(sp.Sum(sp.Sum((X[t, a] - mu[a]) * Lam[a, b] * (X[t, b] - mu[b]), (b, 1, d)), (a, 1, d)))
    log_likelihood = N / 2 * sp.log(det_lambda) - N * d / 2 * sp.log(2 * sp.pi) - quadratic / 2
    spread = over_t((X[t, a] - mu[a]) * (X[t, b] - mu[b])) / N
    # The maximum: ℓ at (x̄, Σ̂⁻¹), and ℓ below it, in matrix form (explicit at instances).
    lam_m, hat_m = form.mat("Lambda"), form.mat("Sigmahat") if form.explicit else sp.MatrixSymbol(r"\hat{\Sigma}", d, d)
    mean_gap = form.sub(form.vec("xmean") if form.explicit else sp.MatrixSymbol(r"\bar{x}", d, 1), form.vec("mu"))
    if form.explicit:
        inverse = form.inv(hat_m)
        centred = [[X[t, row + 1] - xmean[row + 1] for row in range(int(d))]]
        fit_quadratic = over_t(
            sp.Add(
                *(
                    centred[0][row] * inverse[row, col] * centred[0][col]
                    for row in range(int(d))
                    for col in range(int(d))
                )
            )
        )
        ell_hat = N / 2 * sp.log(form.det(inverse)) - N * d / 2 * sp.log(2 * sp.pi) - fit_quadratic / 2
    else:
        ell_hat = sp.Symbol(r"\ell(\bar{\bm{x}}, \hat\Sigma^{-1})")
    maximum = -N / 2 * (d * sp.log(2 * sp.pi) + sp.log(form.det(hat_m)) + d)
    product = form.mul(lam_m, hat_m)
    return Body(
        definitions=(
            Definition(
                ell, log_likelihood, (), r"log-likelihood in $(\bm{\mu}, \Lambda)$, with $\Sigma = \Lambda^{-1}$"
            ),
            Definition(xbar, over_t(X[t, a]) / N, (a,), "sample mean"),
        ),
        indices={t: N, a: d, b: d, c: d},
        steps=(
            Step(
                lhs=sp.Derivative(ell, mu[c]),
                rhs=over_t(sp.Sum(Lam[c, b] * (X[t, b] - mu[b]), (b, 1, d))),
                why=r"product rule on the quadratic form, and $\Lambda_{cb} = \Lambda_{bc}$",
            ),
            Step(
                rhs=N * sp.Sum(Lam[c, b] * (xbar[b] - mu[b]), (b, 1, d)),
                why=r"$\sum_t x_{tb} = N\bar x_b$: $\nabla_{\bm{\mu}}\ell = N\Lambda(\bar{\bm{x}} - \bm{\mu})$ vanishes only at $\bm{\mu} = \bar{\bm{x}}$, as $\Lambda$ is invertible",
            ),
            Step(
                lhs=sp.Derivative(det_name, Lam[a, b]),
                rhs=det_name * Sig[b, a],
                why=(
                    r"expand $\det\Lambda$ along row $a$: $\det\Lambda = \sum_b \Lambda_{ab}C_{ab}$, where no cofactor "
                    r"$C_{ab}$ involves row $a$, and $C_{ab} = \det\Lambda\,(\Lambda^{-1})_{ba}$"
                ),
            ),
            Step(
                lhs=sp.Derivative(ell, Lam[a, b]),
                rhs=N / 2 * Sig[b, a] - over_t((X[t, a] - mu[a]) * (X[t, b] - mu[b])) / 2,
                why=r"chain rule for $\ln\det\Lambda$; the quadratic term is linear in $\Lambda$",
            ),
            Step(
                rhs=N / 2 * (Sig[b, a] - spread),
                why=(
                    r"factor: zero exactly when $\Sigma = \Lambda^{-1}$ is the average outer product about $\bm{\mu}$, "
                    r"so the one stationary point is $\bm{\mu} = \bar{\bm{x}}$, $\Sigma = \hat\Sigma$"
                ),
            ),
            Step(
                lhs=ell_hat,
                rhs=maximum,
                why=r"at the stationary point the quadratic term is $\tr(\hat\Sigma^{-1} \cdot N\hat\Sigma) = Nd$",
            ),
            Step(
                lhs=ell - ell_hat,
                rhs=-N / 2 * form.quad(mean_gap, lam_m)
                - N / 2 * (form.trace(lam_m, hat_m) - sp.log(form.det(product)) - d),
                why=(
                    r"expand about $\bar{\bm{x}}$; with $\lambda_i > 0$ the eigenvalues of $\Lambda\hat\Sigma$ the second "
                    r"bracket is $\sum_i(\lambda_i - 1 - \ln\lambda_i) \geq 0$ (as $\ln\lambda \leq \lambda - 1$), and the first is $\geq 0$ as $\Lambda \succ 0$"
                ),
            ),
            Step(
                lhs=ell,
                rhs=maximum,
                relation="<=",
                why=r"for every $\bm{\mu}$ and $\Lambda \succ 0$: the stationary point is the global maximum",
            ),
        ),
        result=Step(
            lhs=Sighat[a, b],  # Σ̂ as the checks draw it: (X − x̄)ᵀ(X − x̄)/N of the sample, in numpy
            rhs=over_t(X[t, a] * X[t, b]) / N - xbar[a] * xbar[b],
            why=(
                r"the maximiser's covariance, expanded: $\hat\Sigma = \frac1N X^\top X - \bar{\bm{x}}\bar{\bm{x}}^\top$ "
                r"(it divides by $N$, so it is biased: $\E\hat\Sigma = \frac{N - 1}{N}\Sigma$)"
            ),
        ),
        result_indices=(a, b),
    )
