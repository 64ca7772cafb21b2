"""Gradient descent on a quadratic: the error contracts by I − ηA, so it converges iff 0 < η < 2/λ_max."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation
from symwork.core.matrices import Matrices, latex_matrix, matrix_evaluator
from symwork.publish.figures import new_figure, pdf_bytes

from ._opt_common import named
from ._quadratic_objective import QUADRATIC_INPUTS, f_x, gradient_steps, i, ints, j, k, quadratic

eta = named("eta", r"\eta", positive=True)
lamda = sp.IndexedBase("lamda")  # the eigenvalues λ_k of A


def _error(form: Matrices) -> sp.Expr:
    A, b, x = form.symbol("A", None, None), form.symbol("b"), form.symbol("x")
    return form.mul(form.add(form.eye(), -eta * A), form.add(x, -form.mul(form.inv(A), b)))


def _sampler(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    # A = QΛQᵀ is drawn through its eigendecomposition, which the convergence steps use.
    q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    lam = rng.uniform(0.5, 2.5, size=n)
    a = q @ np.diag(lam) @ q.T
    return {
        "A": (a + a.T) / 2,
        "b": rng.uniform(-2, 2, size=n),
        "x": rng.uniform(-2, 2, size=n),
        # A step size inside the claimed range 0 < η < 2/λ_max, anywhere in it.
        "eta": np.asarray(rng.uniform(0.01, 0.99) * 2 / lam.max()),
        "Q": q,
        "Lambda": np.diag(lam),
        "lamda": lam,
    }


def _reference(A: np.ndarray, b: np.ndarray, x: np.ndarray, eta: float) -> np.ndarray:
    step = x - eta * (A @ x - b)
    return step - np.linalg.solve(A, b)


def _exercise(rng: np.random.Generator) -> Exercise:
    # A = [[a, c], [c, a]] has the integer eigenvalues a ± c; η = 1/q keeps the answer a fraction.
    a, c = int(rng.integers(2, 5)), int(rng.choice([-1, 1]))
    step = sp.Rational(1, int(rng.choice([4, 5, 8, 10])))
    values = {"A": [[a, c], [c, a]], "b": ints(rng, 2), "x": ints(rng, 2), "eta": step}
    while np.array_equal(np.array(values["A"]) @ values["x"], values["b"]):  # x = x*: the error is 0 whatever A and η
        values["x"] = ints(rng, 2)
    return Exercise(
        prompt=(
            r"Gradient descent on $f(\bm{x}) = \frac{1}{2}\bm{x}^\top A\bm{x} - \bm{b}^\top\bm{x}$ with "
            rf"$A = {latex_matrix(values['A'])}$ and $\bm{{b}} = {latex_matrix(values['b'])}$ takes one step "
            rf"of size $\eta = {sp.latex(step)}$ from $\bm{{x}}_t = {latex_matrix(values['x'])}$. Compute the error "
            r"$\bm{e}_{t+1} = \bm{x}_{t+1} - \bm{x}^\star$, where $\bm{x}^\star = A^{-1}\bm{b}$."
        ),
        values=values,
        answer_label=r"\bm{e}_{t+1}",
    )


def _figure() -> bytes:
    matrix = np.array([[3.0, 0.0], [0.0, 1.0]])
    fig, ax = new_figure(4.5, 3.5)
    grid = np.linspace(-2.2, 2.2, 200)
    xx, yy = np.meshgrid(grid, grid)
    values = 0.5 * (matrix[0, 0] * xx**2 + matrix[1, 1] * yy**2)
    ax.contour(xx, yy, values, levels=12, colors="0.7", linewidths=0.8)
    for rate, colour in ((0.3, "C0"), (0.6, "C3")):
        point = np.array([-2.0, 1.8])
        path = [point]
        for _ in range(12):
            point = point - rate * matrix @ point
            path.append(point)
        trace = np.array(path)
        ax.plot(
            trace[:, 0],
            trace[:, 1],
            "o-",
            ms=3,
            color=colour,
            label=rf"$\eta = {rate}$, rate $\max|1-\eta\lambda| = {max(abs(1 - rate * 3), abs(1 - rate)):.1f}$",
        )
    ax.set_aspect("equal")
    ax.legend(frameon=False, fontsize=7, loc="lower right")
    ax.set_title(r"Gradient descent on $\frac{1}{2}x^\top A x$, $\lambda = 3, 1$")
    return pdf_bytes(fig)


@derivation(
    id="gradient-descent-quadratic",
    title="Gradient descent on a quadratic",
    topic="calculus",
    question=(
        r"Let $f(\bm{x}) = \frac{1}{2}\bm{x}^\top A\bm{x} - \bm{b}^\top\bm{x}$ with $A$ symmetric positive definite, "
        r"minimiser $\bm{x}^\star = A^{-1}\bm{b}$ and eigenvalues $\lambda_k$. Show that gradient descent "
        r"$\bm{x}_{t+1} = \bm{x}_t - \eta\nabla f(\bm{x}_t)$ has error $\bm{e}_{t+1} = (I - \eta A)\bm{e}_t$, and that it "
        r"converges from every start iff $0 < \eta < 2/\lambda_{\max}$, at rate $\max_k |1 - \eta\lambda_k|$."
    ),
    inputs=[
        *QUADRATIC_INPUTS,
        Input(
            "x",
            ("n",),
            "real",
            r"current iterate $\bm{x}_t$; the result is $\bm{e}_{t+1} = \bm{x}_{t+1} - A^{-1}\bm{b}$, shape (n,)",
        ),
        Input("eta", (), "small", r"step size $\eta$"),
    ],
    sizes={"n": (2, 3)},
    reference=_reference,
    sampler=_sampler,
    exercise=_exercise,
    figure=_figure,
    evaluator=matrix_evaluator(_error, ("A", "b", "x", "eta")),
    tags=("optimisation", "gradient-descent", "quadratic"),
)
def gradient_descent_quadratic(n: sp.Expr) -> Body:
    """Evaluates to the error e_{t+1} = x_{t+1} − A⁻¹b after one step from x (shape (n,))."""
    form = Matrices(n)
    A, b, x = form.symbol("A", None, None), form.symbol("b"), form.symbol("x")
    # Q (orthogonal) and Λ (diagonal) are the eigendecomposition A = QΛQᵀ, drawn by `_sampler`.
    Q, Lam = form.symbol("Q", None, None), form.symbol("Lambda", None, None)
    x_star = form.mul(form.inv(A), b)
    error = form.add(x, -x_star)
    update = form.add(form.eye(), -eta * A)
    next_error = form.add(x, -eta * form.add(form.mul(A, x), -b), -x_star)
    contraction = form.add(form.eye(), -eta * Lam)
    return Body(
        definitions=(Definition(f_x, quadratic(n), (), "the quadratic objective"),),
        indices={i: n, j: n, k: n},
        steps=(
            *gradient_steps(n),
            Step(
                lhs=form.mul(Q.T, update),
                rhs=form.mul(contraction, Q.T),
                why=r"$A = Q\Lambda Q^\top$ with $Q^\top Q = I$: in the eigenbasis $I - \eta A$ is diagonal, with entries $1 - \eta\lambda_k$",
            ),
            Step(
                lhs=sp.Abs(1 - eta * lamda[k]),
                rhs=sp.S.One,
                relation="<",
                why=r"for $0 < \eta < 2/\lambda_{\max}$ and every eigenvalue $\lambda_k > 0$: $-1 < 1 - \eta\lambda_k < 1$ (sampled over such $\eta$)",
            ),
            Step(
                lhs=next_error,
                rhs=form.add(error, -eta * form.mul(A, error)),
                why=r"gradient step, and $\bm{b} = A\bm{x}^\star$ with $\bm{x}^\star = A^{-1}\bm{b}$",
            ),
        ),
        result=Step(
            lhs=next_error,
            rhs=form.mul(update, error),
            why=(
                r"factor out $\bm{e}_t = \bm{x}_t - \bm{x}^\star$. By the eigenbasis step each coordinate of $Q^\top\bm{e}_t$ "
                r"scales by $1 - \eta\lambda_k$, so $\|\bm{e}_t\| \le \max_k|1 - \eta\lambda_k|^t\,\|\bm{e}_0\|$ (with equality "
                r"along the worst eigenvector): convergence from every start iff $0 < \eta < 2/\lambda_{\max}$"
            ),
        ),
    )
