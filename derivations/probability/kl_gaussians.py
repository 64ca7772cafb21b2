"""The KL divergence between two univariate Gaussians, in closed form."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp
from scipy import stats

from symwork import Body, Exercise, Input, Step, derivation
from symwork.publish.printing import latex

x = sp.Symbol("x", real=True)
mu1, mu2 = sp.Symbol("mu1", real=True), sp.Symbol("mu2", real=True)
sigma1, sigma2 = sp.Symbol("sigma1", positive=True), sp.Symbol("sigma2", positive=True)


def _std_normal_moment(power: int) -> sp.Expr:
    # E[ξ^k] for ξ ~ N(0, 1): zero for odd k, (k - 1)!! for even k.
    return sp.S.Zero if power % 2 else sp.factorial2(power - 1)


class NormalExpectation(sp.Function):
    """E_{x ~ N(mu, sigma^2)}[f(x)], written ``NormalExpectation(f, x, mu, sigma)``.

    ``doit`` substitutes x = mu + sigma ξ and uses the moments of N(0, 1); it needs f to be a
    polynomial in x once logarithms are expanded (as log-densities of Gaussians are), and leaves
    the expectation unevaluated otherwise. SymPy's own integrator takes seconds on these integrands.
    """

    nargs = 4

    def doit(self, **hints: Any) -> sp.Expr:
        deep = hints.get("deep", True)
        body, var, mean, sd = (arg.doit(**hints) if deep else arg for arg in self.args)
        xi = sp.Dummy("xi", real=True)
        integrand = sp.expand(sp.expand_log(body.xreplace({var: mean + sd * xi}), force=True))
        try:
            poly = sp.Poly(integrand, xi)
        except sp.PolynomialError:
            return self.func(body, var, mean, sd)
        if any(xi in coeff.free_symbols for coeff in poly.coeffs()):
            return self.func(body, var, mean, sd)
        return sp.Add(*(coeff * _std_normal_moment(power) for (power,), coeff in poly.terms()))

    def _latex(self, printer: Any) -> str:
        body, var, mean, sd = self.args
        return (
            rf"\E_{{{printer._print(var)} \sim \Normal({printer._print(mean)}, {printer._print(sd**2)})}}"
            rf"\left[{printer._print(body)}\right]"
        )


def _normal_density(mean: sp.Expr, sd: sp.Expr) -> sp.Expr:
    return sp.exp(-((x - mean) ** 2) / (2 * sd**2)) / (sd * sp.sqrt(2 * sp.pi))


class GaussianKL(sp.Function):
    """KL(N(mu1, sigma1^2) || N(mu2, sigma2^2)) by its definition E_p[ln p(x) - ln q(x)]; printed as \\KL."""

    nargs = 4

    def doit(self, **hints: Any) -> sp.Expr:
        m1, s1, m2, s2 = (arg.doit(**hints) if hints.get("deep", True) else arg for arg in self.args)
        log_ratio = sp.log(_normal_density(m1, s1) / _normal_density(m2, s2))
        return NormalExpectation(log_ratio, x, m1, s1).doit(**hints)

    def _latex(self, printer: Any) -> str:
        m1, s1, m2, s2 = (
            printer._print(arg) for arg in (self.args[0], self.args[1] ** 2, self.args[2], self.args[3] ** 2)
        )
        return rf"\KL\big(\Normal({m1}, {s1})\,\|\,\Normal({m2}, {s2})\big)"


# Gauss–Hermite quadrature (probabilists' weight e^{-ξ²/2}) is exact for polynomial integrands of
# degree < 2·40, and ln p - ln q is quadratic in x: an exact numerical integration of the definition.
_HERMITE_NODES, _HERMITE_WEIGHTS = np.polynomial.hermite_e.hermegauss(40)


def _kl_gaussians_reference(mu1: Any, sigma1: Any, mu2: Any, sigma2: Any) -> float:
    points = float(mu1) + float(sigma1) * _HERMITE_NODES
    log_ratio = stats.norm.logpdf(points, float(mu1), float(sigma1)) - stats.norm.logpdf(
        points, float(mu2), float(sigma2)
    )
    return float(np.sum(_HERMITE_WEIGHTS * log_ratio) / np.sqrt(2 * np.pi))


def _exercise(rng: np.random.Generator) -> Exercise:
    scales = [sp.Rational(1, 2), sp.Integer(1), sp.Integer(2), sp.Integer(3)]
    values = {
        "mu1": sp.Integer(int(rng.integers(-3, 4))),
        "sigma1": scales[int(rng.integers(0, len(scales)))],
        "mu2": sp.Integer(int(rng.integers(-3, 4))),
        "sigma2": scales[int(rng.integers(0, len(scales)))],
    }
    m1, s1, m2, s2 = (sp.latex(values[name]) for name in ("mu1", "sigma1", "mu2", "sigma2"))
    return Exercise(
        prompt=(
            rf"Compute $\KL\big(\Normal(\mu_1, \sigma_1^2)\,\|\,\Normal(\mu_2, \sigma_2^2)\big)$ for "
            rf"$\mu_1 = {m1}$, $\sigma_1 = {s1}$, $\mu_2 = {m2}$, $\sigma_2 = {s2}$ (natural logarithms)."
        ),
        values=values,
        answer_label=rf"\KL\big(\Normal({m1}, {latex(values['sigma1'] ** 2)})\,\|\,\Normal({m2}, {latex(values['sigma2'] ** 2)})\big)",
    )


@derivation(
    id="kl-gaussians",
    title="KL divergence between two Gaussians",
    topic="probability",
    question=(
        r"Let $p = \Normal(\mu_1, \sigma_1^2)$ and $q = \Normal(\mu_2, \sigma_2^2)$. Show that "
        r"$\KL(p\,\|\,q) = \ln\frac{\sigma_2}{\sigma_1} + \frac{\sigma_1^2 + (\mu_1 - \mu_2)^2}{2\sigma_2^2} - \frac12$."
    ),
    inputs=[
        Input("mu1", (), "real", "mean $\\mu_1$ of $p$"),
        Input("sigma1", (), "positive", "standard deviation $\\sigma_1$ of $p$"),
        Input("mu2", (), "real", "mean $\\mu_2$ of $q$"),
        Input(
            "sigma2",
            (),
            "positive",
            "standard deviation $\\sigma_2$ of $q$; the result is the scalar $\\KL(p\\,\\|\\,q)$",
        ),
    ],
    reference=_kl_gaussians_reference,
    exercise=_exercise,
    tags=("kl", "gaussian", "vae"),
)
def kl_gaussians() -> Body:
    def expect(body: sp.Expr) -> sp.Expr:
        return NormalExpectation(body, x, mu1, sigma1)

    kl = GaussianKL(mu1, sigma1, mu2, sigma2)
    return Body(
        steps=(
            Step(
                lhs=kl,
                rhs=expect(
                    sp.log(sigma2 / sigma1) - (x - mu1) ** 2 / (2 * sigma1**2) + (x - mu2) ** 2 / (2 * sigma2**2)
                ),
                why=r"definition $\KL(p\,\|\,q) = \E_p[\ln p(x) - \ln q(x)]$; the factors $\sqrt{2\pi}$ cancel",
            ),
            Step(
                rhs=sp.log(sigma2 / sigma1)
                - expect((x - mu1) ** 2) / (2 * sigma1**2)
                + expect((x - mu2) ** 2) / (2 * sigma2**2),
                why="linearity of expectation",
            ),
            Step(
                lhs=expect((x - mu2) ** 2),
                rhs=expect((x - mu1) ** 2) + 2 * (mu1 - mu2) * expect(x - mu1) + (mu1 - mu2) ** 2,
                why=r"write $x - \mu_2 = (x - \mu_1) + (\mu_1 - \mu_2)$ and expand",
            ),
            Step(
                rhs=sigma1**2 + (mu1 - mu2) ** 2,
                why=r"$\E_p[x - \mu_1] = 0$ and $\E_p[(x - \mu_1)^2] = \sigma_1^2$",
            ),
        ),
        result=Step(
            lhs=kl,
            rhs=sp.log(sigma2 / sigma1) + (sigma1**2 + (mu1 - mu2) ** 2) / (2 * sigma2**2) - sp.Rational(1, 2),
            why=r"substitute both second moments; $\sigma_1^2/(2\sigma_1^2) = \frac12$",
        ),
    )
