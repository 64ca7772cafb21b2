"""Loss design: the Gaussian likelihood behind the squared error, and the temperature of the softmax."""

from __future__ import annotations

import autograd.numpy as anp
import numpy as np
import sympy as sp
from scipy import stats

from symwork import Body, Definition, Exercise, Input, Step, derivation, exact_answer

i, j, k = sp.symbols("i j k", integer=True, positive=True)

# --- squared error as a Gaussian negative log-likelihood ---------------------------------------

y = sp.IndexedBase("y")
mu = sp.IndexedBase("mu")
sigma = sp.Symbol("sigma", positive=True)
MSE = sp.Symbol(r"\operatorname{MSE}")


def _gaussian_nll_reference(y: np.ndarray, mu: np.ndarray, sigma: float) -> float:
    # scipy's log-density, averaged: the definition, independent of the MSE form of the result.
    return float(-np.mean(stats.norm.logpdf(y, loc=mu, scale=float(sigma))))


def _gaussian_nll_exercise(rng: np.random.Generator) -> Exercise:
    scales = [sp.Rational(1, 2), sp.Integer(1), sp.Integer(2)]
    values = {
        "y": [sp.Integer(int(v)) for v in rng.integers(-3, 4, size=3)],
        "mu": [sp.Integer(int(v)) for v in rng.integers(-3, 4, size=3)],
        "sigma": scales[int(rng.integers(0, len(scales)))],
    }
    answer = exact_answer(mse_gaussian_likelihood, values)
    targets = ", ".join(sp.latex(v) for v in values["y"])
    means = ", ".join(sp.latex(v) for v in values["mu"])
    return Exercise(
        prompt=(
            rf"A regression model predicts means $\bm{{\mu}} = ({means})$ for the targets $\bm{{y}} = ({targets})$, with "
            rf"Gaussian noise of standard deviation $\sigma = {sp.latex(values['sigma'])}$. Compute the mean squared error and "
            r"hence the average negative log-likelihood per observation."
        ),
        values=values,
        answer=answer,
        answer_label=r"-\frac{1}{N}\ln L",
    )


@derivation(
    id="mse-gaussian-likelihood",
    title="Squared error as a Gaussian likelihood",
    topic="probability",
    question=(
        r"Observations $y_i \sim \Normal(\mu_i, \sigma^2)$, $i = 1, \dots, N$, are independent with predicted means $\mu_i$ and "
        r"a fixed $\sigma$. Show that the average negative log-likelihood is $\operatorname{MSE}/(2\sigma^2) + \frac12\ln(2\pi\sigma^2)$, "
        r"so that maximising the likelihood minimises the mean squared error."
    ),
    inputs=[
        Input("y", ("N",), "real", "observed targets $y_i$"),
        Input("mu", ("N",), "real", "predicted means $\\mu_i = f_\\theta(x_i)$"),
        Input(
            "sigma",
            (),
            "positive",
            "noise standard deviation $\\sigma$; the result is the average negative log-likelihood",
        ),
    ],
    sizes={"N": (2, 3, 5)},
    reference=_gaussian_nll_reference,
    exercise=_gaussian_nll_exercise,
    tags=("mse", "likelihood", "gaussian"),
)
def mse_gaussian_likelihood(N: sp.Expr) -> Body:  # noqa: N803 - N is the number of observations
    residual = y[i] - mu[i]
    density = sp.exp(-(residual**2) / (2 * sigma**2)) / sp.sqrt(2 * sp.pi * sigma**2)
    average_nll = -sp.log(sp.Product(density, (i, 1, N))) / N
    constant = sp.log(2 * sp.pi * sigma**2) / 2
    return Body(
        definitions=(Definition(MSE, sp.Sum(residual**2, (i, 1, N)) / N, (), "mean squared error"),),
        indices={i: N, j: N},
        steps=(
            Step(
                lhs=average_nll,
                rhs=-sp.Sum(sp.log(density), (i, 1, N)) / N,
                why="the log of a product is the sum of the logs",
            ),
            Step(
                rhs=sp.Sum(residual**2 / (2 * sigma**2) + constant, (i, 1, N)) / N,
                why=r"$\ln$ of the Gaussian density: $-\ln \Normal(y_i; \mu_i, \sigma^2) = \frac{(y_i - \mu_i)^2}{2\sigma^2} + \frac12\ln(2\pi\sigma^2)$",
            ),
            Step(
                rhs=sp.Sum(residual**2, (i, 1, N)) / (2 * sigma**2 * N) + constant,
                why=r"linearity of the sum; the constant is summed $N$ times",
            ),
            Step(
                lhs=sp.Derivative(average_nll, mu[j]),
                rhs=-(y[j] - mu[j]) / (N * sigma**2),
                why=r"differentiate: the gradient in $\mu_j$ is that of the MSE divided by $2\sigma^2$, so both have the same minimiser",
            ),
        ),
        result=Step(
            lhs=average_nll,
            rhs=MSE / (2 * sigma**2) + constant,
            why=r"recognise the MSE; $\frac12\ln(2\pi\sigma^2)$ does not depend on the predictions",
        ),
    )


# --- softmax with a temperature ------------------------------------------------------------------

z = sp.IndexedBase("z")
s = sp.IndexedBase("s")
S = sp.Symbol("S")  # the normaliser Σ_k e^{z_k / T}
T = sp.Symbol("T", positive=True)
gap = sp.Symbol("g", positive=True)  # z_max - z_i for a non-maximal logit


def _tempered_softmax(z: anp.ndarray, T: anp.ndarray) -> anp.ndarray:  # noqa: N803 - T is the temperature
    scaled = z / T
    shifted = anp.exp(scaled - anp.max(scaled))
    return shifted / anp.sum(shifted)


def _temperature_exercise(rng: np.random.Generator) -> Exercise:
    # z = log w with small integers w and T = 1/m makes s proportional to w^m: simple fractions.
    weights = [int(w) for w in rng.integers(1, 5, size=3)]
    while len(set(weights)) == 1:  # equal logits make every derivative zero: draw again
        weights = [int(w) for w in rng.integers(1, 5, size=3)]
    temperature = sp.Rational(1, int(rng.integers(1, 4)))
    values = {"z": [sp.log(w) for w in weights], "T": temperature}
    answer = exact_answer(softmax_temperature, values)
    logits = ", ".join(sp.latex(sp.log(w)) for w in weights)
    return Exercise(
        prompt=(
            rf"For $\bm{{s}} = \softmax(\bm{{z}}/T)$ with $\bm{{z}} = ({logits})$ and $T = {sp.latex(temperature)}$, compute "
            r"$\partial s_i/\partial T$ for every $i$."
        ),
        values=values,
        answer=answer,
        answer_label=r"\partial \bm{s}/\partial T",
    )


@derivation(
    id="softmax-temperature",
    title="Softmax with a temperature",
    topic="probability",
    question=(
        r"Let $s_i = e^{z_i/T} / \sum_k e^{z_k/T}$ with temperature $T > 0$. Show that $s_i/s_j = e^{(z_i - z_j)/T}$, that "
        r"$\bm{s}$ tends to the uniform distribution as $T \to \infty$ and to the one-hot vector of $\argmax_k z_k$ as "
        r"$T \to 0^+$ (for a unique maximum), and that $\partial s_i/\partial T = \frac{s_i}{T^2}\bigl(\sum_k s_k z_k - z_i\bigr)$."
    ),
    inputs=[
        Input("z", ("n",), "real", "logits"),
        Input("T", (), "positive", "temperature; the result is the vector $\\partial s_i/\\partial T$"),
    ],
    sizes={"n": (2, 3, 5)},
    forward=_tempered_softmax,
    wrt="T",
    exercise=_temperature_exercise,
    tags=("softmax", "temperature", "sampling"),
)
def softmax_temperature(n: sp.Expr) -> Body:
    normaliser = sp.Sum(sp.exp(z[k] / T), (k, 1, n))
    return Body(
        definitions=(
            Definition(s, sp.exp(z[i] / T) / S, (i,), "softmax component at temperature $T$"),
            Definition(S, normaliser, (), "normaliser"),
        ),
        indices={i: n, j: n, k: n},
        variables=(Input("g", (), "positive", "gap $z_{\\max} - z_i > 0$ of a non-maximal logit"),),
        steps=(
            Step(lhs=s[i] / s[j], rhs=sp.exp(z[i] / T) / sp.exp(z[j] / T), why=r"the normaliser $S$ cancels"),
            Step(rhs=sp.exp((z[i] - z[j]) / T), why="combine the exponents"),
            Step(
                lhs=sp.Limit(sp.exp((z[i] - z[j]) / T), T, sp.oo),
                rhs=sp.S.One,
                why=r"$T \to \infty$: all ratios tend to 1, so $s_i \to 1/n$ (uniform)",
            ),
            Step(
                lhs=sp.Limit(sp.exp(-gap / T), T, 0, "+"),
                rhs=sp.S.Zero,
                why=r"$T \to 0^+$: a logit $g > 0$ below the maximum has $s_i/s_{\max} = e^{-g/T} \to 0$, so $\bm{s}$ tends to the one-hot vector of the argmax",
            ),
            Step(
                lhs=sp.Derivative(s[i], T),
                rhs=(
                    sp.exp(z[i] / T) * sp.Sum(z[k] * sp.exp(z[k] / T), (k, 1, n)) - z[i] * sp.exp(z[i] / T) * normaliser
                )
                / (T**2 * normaliser**2),
                why=r"quotient rule, with $\partial e^{z_k/T}/\partial T = -z_k e^{z_k/T}/T^2$",
            ),
            Step(
                rhs=-z[i] / T**2 * s[i] + s[i] / T**2 * sp.Sum(z[k] * s[k], (k, 1, n)),
                why=r"recognise $s_i$ and $s_k$",
            ),
        ),
        result=Step(
            rhs=s[i] / T**2 * (sp.Sum(s[k] * z[k], (k, 1, n)) - z[i]),
            why=r"factor out $s_i/T^2$: lowering $T$ moves mass to logits above the mean $\sum_k s_k z_k$",
        ),
        result_indices=(i,),
    )
