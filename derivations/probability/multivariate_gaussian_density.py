"""The multivariate Gaussian density, from x = μ + Lz with z standard normal, by a change of variables."""

from __future__ import annotations

import numpy as np
import sympy as sp
from scipy import stats

from symwork import Body, Definition, Exercise, Input, Step, derivation
from symwork.core.functions import phi
from symwork.core.matrices import latex_matrix, latex_vector
from symwork.publish.figures import new_figure, pdf_bytes

from ._gaussian_forms import GaussianForms, cholesky_lower, spd_draw, spd_integer_2x2

i = sp.Symbol("i", integer=True, positive=True)
z = sp.IndexedBase("z")
log_density = sp.Symbol(r"\ln p(\bm{x})")


def _sampler(rng: np.random.Generator, d: int) -> dict[str, np.ndarray]:
    # The steps use the Cholesky factor L of Σ (x = μ + Lz), so Σ and L are drawn together.
    sigma = spd_draw(rng, d)
    return {
        "x": rng.uniform(-2.0, 2.0, d),
        "mu": rng.uniform(-2.0, 2.0, d),
        "Sigma": sigma,
        "L": cholesky_lower(sigma),
    }


def _reference(x: np.ndarray, mu: np.ndarray, Sigma: np.ndarray) -> float:  # noqa: N803 - the input's name
    return float(stats.multivariate_normal(mean=mu, cov=Sigma).logpdf(x))


def _exercise(rng: np.random.Generator) -> Exercise:
    sigma = spd_integer_2x2(rng)
    mean = [int(v) for v in rng.integers(-2, 3, size=2)]
    point = [int(v) for v in rng.integers(-2, 3, size=2)]
    while point == mean:  # at x = μ the quadratic term vanishes and the covariance's off-diagonal is untested
        point = [int(v) for v in rng.integers(-2, 3, size=2)]
    return Exercise(
        prompt=(
            rf"Compute the log-density $\ln p(\bm{{x}})$ of $\Normal(\bm{{\mu}}, \Sigma)$ with $\bm{{\mu}} = {latex_vector(mean)}^\top$ "
            rf"and $\Sigma = {latex_matrix(sigma)}$ at $\bm{{x}} = {latex_vector(point)}^\top$."
        ),
        values={"x": point, "mu": mean, "Sigma": sigma},
        answer_label=r"\ln p(\bm{x})",
    )


def _figure() -> bytes:
    sigma = np.array([[2.0, 1.2], [1.2, 1.0]])
    factor = np.linalg.cholesky(sigma)
    angles = np.linspace(0, 2 * np.pi, 200)
    circle = np.stack([np.cos(angles), np.sin(angles)])
    fig, ax = new_figure(4.2, 3.2)
    for radius in (1, 2, 3):
        ax.plot(*(radius * circle), color="0.75", lw=0.7)
        ellipse = factor @ (radius * circle)
        ax.plot(
            *ellipse,
            color="C0",
            lw=1.0,
            label=r"$\mathbf{x} = L\mathbf{z}$, $\|\mathbf{z}\| = 1, 2, 3$" if radius == 1 else None,
        )
    ax.plot([], [], color="0.75", lw=0.7, label=r"circles $\|\mathbf{z}\| = 1, 2, 3$")
    ax.set_aspect("equal")
    ax.legend(frameon=False, fontsize=7, loc="upper left")
    ax.set_title(r"Contours of $\mathcal{N}(\mathbf{0}, LL^\top)$: $L$ maps circles to ellipses")
    return pdf_bytes(fig)


@derivation(
    id="multivariate-gaussian-density",
    title="The multivariate Gaussian density",
    topic="probability",
    question=(
        r"Let $\bm{z} \in \R^d$ have independent $\Normal(0, 1)$ entries and $\bm{x} = \bm{\mu} + L\bm{z}$ with $L$ lower "
        r"triangular with positive diagonal, $\Sigma = LL^\top$ (the Cholesky factorisation). By the change of variables "
        r"$p(\bm{x}) = p_{\bm{z}}(L^{-1}(\bm{x} - \bm{\mu}))\,/\det L$, show that "
        r"$\ln p(\bm{x}) = -\frac d2 \ln(2\pi) - \frac12 \ln\det\Sigma - \frac12 (\bm{x} - \bm{\mu})^\top \Sigma^{-1} (\bm{x} - \bm{\mu})$, "
        r"i.e.\ $p(\bm{x}) = (2\pi)^{-d/2} (\det\Sigma)^{-1/2} e^{-\frac12 (\bm{x} - \bm{\mu})^\top \Sigma^{-1} (\bm{x} - \bm{\mu})}$."
    ),
    inputs=[
        Input("x", ("d",), "real", "the point"),
        Input("mu", ("d",), "real", r"mean $\bm{\mu}$"),
        Input("Sigma", ("d", "d"), "spd", r"covariance $\Sigma$; the result is the scalar $\ln p(\bm{x})$"),
    ],
    sizes={"d": (2, 3)},
    reference=_reference,
    sampler=_sampler,
    exercise=_exercise,
    figure=_figure,
    tags=("gaussian", "multivariate", "density", "change-of-variables"),
)
def multivariate_gaussian_density(d: sp.Expr) -> Body:
    form = GaussianForms(d)
    x, mu, sigma, L = form.vec("x"), form.vec("mu"), form.mat("Sigma"), form.mat("L")
    r = form.sub(x, mu)
    half = sp.Rational(1, 2)
    if form.explicit:
        # At an instance z is the explicit vector L⁻¹(x − μ); printed, it is the name z of the definition below.
        white = form.mul(form.inv(L), r)
        entries = [white[row, 0] for row in range(int(d))]
        sum_log_phi = sp.Add(*(sp.log(phi(entry)) for entry in entries))
        z_norm = sp.Add(*(entry**2 for entry in entries))
        definitions: tuple[Definition, ...] = ()
    else:
        white = sp.MatrixSymbol("z", d, 1)
        sum_log_phi = sp.Sum(sp.log(phi(z[i])), (i, 1, d))
        z_norm = sp.Sum(z[i] ** 2, (i, 1, d))
        definitions = (
            Definition(white, form.mul(form.inv(L), r), (), r"the standardised point, $\bm{x} = \bm{\mu} + L\bm{z}$"),
        )
    inv_L = form.inv(L)
    return Body(
        definitions=(
            *definitions,
            Definition(
                log_density,
                sum_log_phi - sp.log(form.det(L)),
                (),
                r"change of variables: $p(\bm{x}) = \prod_i \phi(z_i) \cdot |\det L^{-1}|$, with $\det L > 0$",
            ),
        ),
        indices={i: d},
        steps=(
            Step(
                lhs=log_density,
                rhs=-sp.S(d) / 2 * sp.log(2 * sp.pi) - half * z_norm - sp.log(form.det(L)),
                why=r"$\ln\phi(t) = -\frac12\ln(2\pi) - \frac{t^2}{2}$, summed over the $d$ entries of $\bm{z}$",
            ),
            Step(
                lhs=z_norm,
                rhs=form.quad(r, form.mul(form.T(inv_L), inv_L)),
                why=r"$\bm{z} = L^{-1}(\bm{x} - \bm{\mu})$, so $\bm{z}^\top\bm{z} = (\bm{x} - \bm{\mu})^\top L^{-\top} L^{-1} (\bm{x} - \bm{\mu})$",
            ),
            Step(
                rhs=form.quad_inv(r, sigma),
                why=r"$L^{-\top}L^{-1} = (LL^\top)^{-1} = \Sigma^{-1}$",
            ),
            Step(
                lhs=sp.log(form.det(L)),
                rhs=half * sp.log(form.det(sigma)),
                why=r"$\det\Sigma = \det L \det L^\top = (\det L)^2$ and $\det L > 0$ (the product of a positive diagonal)",
            ),
        ),
        result=Step(
            lhs=log_density,
            rhs=-sp.S(d) / 2 * sp.log(2 * sp.pi) - half * sp.log(form.det(sigma)) - half * form.quad_inv(r, sigma),
            why=r"substitute both into the first line, then exponentiate for $p(\bm{x})$",
        ),
    )
