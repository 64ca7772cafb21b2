"""Xavier/He initialisation: the variance of u = Σ_i W_i relu(z_i) is Σ_i v_i s_i²/2, so He's v = 2/n keeps it at s²."""

from __future__ import annotations

import functools
import itertools
from typing import Any

import numpy as np
import sympy as sp
from scipy import integrate, stats

from symwork import Body, Exercise, Input, Step, derivation
from symwork.publish.figures import new_figure, pdf_bytes

i = sp.Symbol("i", integer=True, positive=True)
W, x = sp.IndexedBase("W"), sp.IndexedBase("x")
v, s = sp.IndexedBase("v"), sp.IndexedBase("s")
tau = sp.Symbol("t", real=True)
scale = sp.Symbol("sigma", positive=True)  # a standard deviation, for the ReLU moment


def _moment(entry: sp.Indexed, power: int) -> sp.Expr | None:
    """E[entry^power] under the model: W_i has mean 0 and variance v_i; x_i = relu(z_i) with z_i ~ N(0, s_i²)."""
    index = entry.indices
    if entry.base == W:
        return {1: sp.S.Zero, 2: v[index]}.get(power)
    return {1: s[index] / sp.sqrt(2 * sp.pi), 2: s[index] ** 2 / 2}.get(power)


def _expectation(expr: sp.Expr) -> sp.Expr | None:
    """E[expr] for a polynomial in the independent entries W_i, x_i; None while an index is still symbolic."""
    if expr.has(sp.Sum, Expectation, Variance):
        return None
    entries = sorted((e for e in expr.atoms(sp.Indexed) if e.base in (W, x)), key=sp.default_sort_key)
    if any(not index.is_Integer for entry in entries for index in entry.indices):
        return None  # W_i and W_k may be the same entry: decide once the indices are numbers
    if not entries:
        return expr
    total = sp.S.Zero
    for powers, coefficient in sp.Poly(sp.expand(expr), *entries).terms():
        term = coefficient
        for entry, power in zip(entries, powers, strict=True):
            if power:
                moment = _moment(entry, power)
                if moment is None:
                    return None  # the model fixes the first two moments only
                term *= moment
        total += term
    return total


class Expectation(sp.Function):
    """E[X] under the initialisation model above; printed \\E[X]."""

    nargs = 1

    @classmethod
    def eval(cls, arg: sp.Expr) -> sp.Expr | None:
        return _expectation(arg)

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        text = r"\E\left[" + printer._print(self.args[0]) + r"\right]"
        return text if exp is None else f"{text}^{{{exp}}}"


class Variance(sp.Function):
    """Var(X) = E[X²] − E[X]² under the model above; printed \\Var(X)."""

    nargs = 1

    @classmethod
    def eval(cls, arg: sp.Expr) -> sp.Expr | None:
        second, first = _expectation(arg**2), _expectation(arg)
        return None if second is None or first is None else sp.expand(second - first**2)

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        text = r"\Var\left(" + printer._print(self.args[0]) + r"\right)"
        return text if exp is None else f"{text}^{{{exp}}}"


@functools.cache
def _standard_relu_moment(power: int) -> float:
    """E[relu(z)^power] for z ~ N(0, 1), by numerical quadrature (computed once per power)."""
    value, _ = integrate.quad(lambda t: t**power * stats.norm.pdf(t), 0.0, np.inf, epsabs=1e-14, epsrel=1e-13)
    return float(value)


def _relu_moment(power: int, sd: float) -> float:
    # relu(σz) = σ relu(z) for σ > 0, so the moments scale by σ^power.
    return sd**power * _standard_relu_moment(power)


def _variance_by_enumeration(v: np.ndarray, s: np.ndarray) -> float:
    """Var(Σ W_i x_i) with W_i = ±√v_i (fair, independent signs: mean 0, variance v_i) over all 2^n sign patterns,
    and the ReLU moments of N(0, s_i²) by numerical quadrature."""
    v, s = np.atleast_1d(v).astype(float), np.atleast_1d(s).astype(float)
    first = np.array([_relu_moment(1, sd) for sd in s])
    second = np.array([_relu_moment(2, sd) for sd in s])
    # E[x_i x_k] for independent inputs: product of means off the diagonal, second moment on it.
    pair = np.outer(first, first)
    np.fill_diagonal(pair, second)
    mean_square, mean = 0.0, 0.0
    patterns = list(itertools.product((-1.0, 1.0), repeat=v.size))
    for signs in patterns:
        weights = np.asarray(signs) * np.sqrt(v)
        mean_square += float(weights @ pair @ weights)
        mean += float(weights @ first)
    mean_square, mean = mean_square / len(patterns), mean / len(patterns)
    return mean_square - mean**2


def _exercise(rng: np.random.Generator) -> Exercise:
    n = 4
    scheme = int(rng.integers(0, 3))
    fan_out = int(rng.choice([2, 4, 8]))
    variance, name = [
        (
            sp.Rational(2, n + fan_out),
            rf"Xavier/Glorot, $2/(n_{{\mathrm{{in}}}} + n_{{\mathrm{{out}}}})$ with $n_{{\mathrm{{out}}}} = {fan_out}$",
        ),
        (sp.Rational(1, n), r"LeCun, $1/n_{\mathrm{in}}$"),
        (sp.Rational(2, n), r"He, $2/n_{\mathrm{in}}$"),
    ][scheme]
    spreads = [sp.Rational(*pair) for pair in [(1, 2), (1, 1), (2, 1), (3, 1)]]
    sds = [spreads[int(k)] for k in rng.integers(0, 4, size=n)]
    return Exercise(
        prompt=(
            rf"A unit computes $u = \sum_{{i=1}}^{{{n}}} W_i x_i$ from ReLU outputs $x_i = \relu(z_i)$ of independent "
            rf"$z_i \sim \Normal(0, s_i^2)$ with $(s_1, \dots, s_{n}) = ({', '.join(sp.latex(sd) for sd in sds)})$. Its weights "
            rf"are independent of the $z_i$, with mean $0$ and variance $v = {sp.latex(variance)}$ ({name}). Compute $\Var(u)$."
        ),
        values={"v": [variance] * n, "s": sds},
        answer_label=r"\Var(u)",
    )


def _figure() -> bytes:
    rng = np.random.default_rng(4)
    width, depth = 256, 30
    fig, ax = new_figure(4.4, 3.0)
    for label, variance, colour in (
        (r"Xavier $v = 2/(n_{\mathrm{in}} + n_{\mathrm{out}}) = 1/n$", 1.0 / width, "C0"),
        (r"He $v = 2/n$", 2.0 / width, "C3"),
    ):
        z = rng.normal(size=(512, width))
        ratios = []
        for _ in range(depth):
            weights = rng.normal(scale=np.sqrt(variance), size=(width, width))
            z = np.maximum(z, 0.0) @ weights
            ratios.append(float(z.var()))
        ax.semilogy(range(1, depth + 1), ratios, "o-", ms=2.5, color=colour, label=label)
    ax.axhline(1.0, color="0.6", lw=0.7)
    ax.set_xlabel("layer")
    ax.set_ylabel("variance of the pre-activations")
    ax.legend(frameon=False, fontsize=7, loc="lower left")
    ax.set_title(r"A ReLU network of width 256: each layer multiplies it by $n v/2$")
    return pdf_bytes(fig)


@derivation(
    id="initialisation-variance",
    title="Xavier and He initialisation",
    topic="probability",
    question=(
        r"A unit computes $u = \sum_{i=1}^{n} W_i x_i$ from the ReLU outputs $x_i = \relu(z_i)$ of independent "
        r"$z_i \sim \Normal(0, s_i^2)$, with weights independent of everything else, $\E W_i = 0$ and $\Var(W_i) = v_i$. "
        r"Show that $\Var(u) = \sum_i v_i s_i^2/2$. So with $v_i = v$ and $s_i = s$, He's $v = 2/n$ keeps $\Var(u) = s^2$ "
        r"from layer to layer, while for inputs with $\E x_i^2 = s_i^2$ (linear or tanh units near 0) the same steps give "
        r"$\Var(u) = n v s^2$, hence Xavier's $v = 1/n_{\mathrm{in}}$, or $2/(n_{\mathrm{in}} + n_{\mathrm{out}})$ to balance the backward pass."
    ),
    inputs=[
        Input("v", ("n",), "small", r"variances $v_i$ of the weights"),
        Input(
            "s", ("n",), "positive", r"standard deviations $s_i$ of the pre-activations $z_i$; the result is $\Var(u)$"
        ),
    ],
    sizes={"n": (2, 3, 5)},
    reference=_variance_by_enumeration,
    exercise=_exercise,
    figure=_figure,
    tags=("initialisation", "variance", "relu", "xavier", "he"),
    uses=("gaussian-moments", "attention-scaling"),
)
def initialisation_variance(n: sp.Expr) -> Body:
    ex, var = Expectation, Variance  # short names keep the steps readable
    Wi, xi = W[i], x[i]
    density = sp.exp(-(tau**2) / (2 * scale**2)) / (scale * sp.sqrt(2 * sp.pi))
    return Body(
        variables=(Input("sigma", (), "positive", r"a standard deviation $\sigma$"),),
        indices={i: n},
        steps=(
            Step(
                lhs=var(sp.Sum(Wi * xi, (i, 1, n))),
                rhs=sp.Sum(var(Wi * xi), (i, 1, n)),
                why=r"the terms $W_i x_i$ are independent, so their variances add",
            ),
            Step(
                rhs=sp.Sum(ex(Wi**2) * ex(xi**2) - ex(Wi) ** 2 * ex(xi) ** 2, (i, 1, n)),
                why=r"$\Var(X) = \E X^2 - (\E X)^2$, and $W_i$ is independent of $x_i$",
            ),
            Step(
                rhs=sp.Sum(v[i] * ex(xi**2), (i, 1, n)),
                why=r"$\E W_i = 0$ and $\E W_i^2 = v_i$; the ReLU's non-zero mean $\E x_i$ drops out with $\E W_i$",
            ),
            Step(
                lhs=sp.Integral(tau**2 * density, (tau, 0, sp.oo)),
                rhs=sp.Integral(tau**2 * density, (tau, -sp.oo, sp.oo)) / 2,
                why=(
                    r"$\E\,\relu(z)^2 = \int_0^\infty t^2\,\phi_\sigma(t)\,\mathrm{d}t$ for $z \sim \Normal(0, \sigma^2)$: "
                    r"the integrand is even, so this is half the full integral"
                ),
            ),
            Step(rhs=scale**2 / 2, why=r"the full integral is $\E z^2 = \sigma^2$: so $\E x_i^2 = s_i^2/2$"),
        ),
        result=Step(
            lhs=var(sp.Sum(Wi * xi, (i, 1, n))),
            rhs=sp.Sum(v[i] * s[i] ** 2, (i, 1, n)) / 2,
            why=(
                r"substitute $\E x_i^2 = s_i^2/2$ into the third line; with $v_i = v$, $s_i = s$ this is $nvs^2/2$, "
                r"equal to $s^2$ exactly when $v = 2/n$ (He)"
            ),
        ),
    )
