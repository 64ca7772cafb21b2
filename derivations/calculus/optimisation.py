"""Optimisation on quadratics (gradient descent, Newton), Adam's bias correction and the second-order Taylor expansion."""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy as np
import sympy as sp

from symwork import Body, Definition, Exercise, Input, Step, derivation, exact_answer

from ._opt_common import Matrices, latex_matrix, matrix_evaluator, named

i, j, k = sp.symbols("i j k", integer=True, positive=True)
step_index = sp.Symbol("k", integer=True, nonnegative=True)  # Adam's recursion starts at m_0
A_ = sp.IndexedBase("A")
b_ = sp.IndexedBase("b")
x_ = sp.IndexedBase("x")
h_ = sp.IndexedBase("h")
g_ = sp.IndexedBase("g")
m_ = sp.IndexedBase("m")
eta = named("eta", r"\eta", positive=True)
beta = named("beta1", r"\beta_1", positive=True)
f_x = named("f", r"f(\bm{x})")
f_xh = named("f_xh", r"f(\bm{x} + \bm{h})")
mean_g = named("Eg", r"\E[g]")
mean_m = named("Em", r"\E[m_t]")
m_hat = named("mhat", r"\hat{m}_t")

_HALF = sp.Rational(1, 2)


def _quadratic(
    n: sp.Expr, point: sp.IndexedBase | None = None, shift: sp.IndexedBase | None = None, *, sign: int = -1
) -> sp.Expr:
    """½ Σ_ij u_i A_ij u_j + sign · Σ_i b_i u_i at u = x (+ h), in index notation."""

    def u(index: sp.Symbol) -> sp.Expr:
        return (point or x_)[index] + (shift[index] if shift is not None else 0)

    return _HALF * sp.Sum(sp.Sum(u(i) * A_[i, j] * u(j), (j, 1, n)), (i, 1, n)) + sign * sp.Sum(b_[i] * u(i), (i, 1, n))


def _gradient_steps(n: sp.Expr, *, sign: int = -1) -> tuple[Step, Step]:
    """∂f/∂x_j for f = ½ xᵀAx ± bᵀx: the product rule, then the symmetry of A."""
    gradient = r"A\bm{x} - \bm{b}" if sign < 0 else r"A\bm{x} + \bm{b}"
    return (
        Step(
            lhs=sp.Derivative(f_x, x_[j]),
            rhs=_HALF * sp.Sum((A_[j, k] + A_[k, j]) * x_[k], (k, 1, n)) + sign * b_[j],
            why=r"product rule: $\partial x_i/\partial x_j = \delta_{ij}$",
        ),
        Step(
            rhs=sp.Sum(A_[j, k] * x_[k], (k, 1, n)) + sign * b_[j],
            why=rf"symmetry $A_{{jk}} = A_{{kj}}$; that is, $\nabla f = {gradient}$",
        ),
    )


def _spd_2x2(rng: np.random.Generator) -> list[list[int]]:
    # Diagonal 2..5 and off-diagonal -2..2 with a positive determinant: symmetric positive definite.
    while True:
        a, d = (int(v) for v in rng.integers(2, 6, size=2))
        c = int(rng.integers(-2, 3))
        if a * d - c * c > 0:
            return [[a, c], [c, d]]


def _ints(rng: np.random.Generator, size: int, low: int = -3, high: int = 3) -> list[int]:
    return [int(v) for v in rng.integers(low, high + 1, size=size)]


# ---------------------------------------------------------------------------------------------
# Gradient descent on a quadratic


def _gd_error(form: Matrices) -> sp.Expr:
    A, b, x = form.symbol("A", None, None), form.symbol("b"), form.symbol("x")
    return form.mul(form.add(form.eye(), -eta * A), form.add(x, -form.mul(form.inv(A), b)))


def _gd_sampler(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    # A = QΛQᵀ is drawn through its eigendecomposition, which the convergence steps use.
    q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    lam = rng.uniform(0.5, 2.5, size=n)
    a = q @ np.diag(lam) @ q.T
    return {
        "A": (a + a.T) / 2,
        "b": rng.uniform(-2, 2, size=n),
        "x": rng.uniform(-2, 2, size=n),
        "eta": np.asarray(rng.uniform(0.05, 0.8)),
        "Q": q,
        "Lambda": np.diag(lam),
    }


def _gd_reference(A: np.ndarray, b: np.ndarray, x: np.ndarray, eta: float) -> np.ndarray:
    step = x - eta * (A @ x - b)
    return step - np.linalg.solve(A, b)


def _gd_exercise(rng: np.random.Generator) -> Exercise:
    # A = [[a, c], [c, a]] has the integer eigenvalues a ± c; η = 1/q keeps the answer a fraction.
    a, c = int(rng.integers(2, 5)), int(rng.choice([-1, 1]))
    step = sp.Rational(1, int(rng.choice([4, 5, 8, 10])))
    values = {"A": [[a, c], [c, a]], "b": _ints(rng, 2), "x": _ints(rng, 2), "eta": step}
    return Exercise(
        prompt=(
            r"Gradient descent on $f(\bm{x}) = \frac{1}{2}\bm{x}^\top A\bm{x} - \bm{b}^\top\bm{x}$ with "
            rf"$A = {latex_matrix(values['A'])}$ and $\bm{{b}} = {latex_matrix(values['b'])}$ takes one step "
            rf"of size $\eta = {sp.latex(step)}$ from $\bm{{x}}_t = {latex_matrix(values['x'])}$. Compute the error "
            r"$\bm{e}_{t+1} = \bm{x}_{t+1} - \bm{x}^\star$, where $\bm{x}^\star = A^{-1}\bm{b}$."
        ),
        values=values,
        answer=exact_answer(gradient_descent_quadratic, values),
        answer_label=r"\bm{e}_{t+1}",
    )


_QUADRATIC_INPUTS = [
    Input(
        "A",
        ("n", "n"),
        "spd",
        r"symmetric positive-definite matrix of $f(\bm{x}) = \frac12\bm{x}^\top A\bm{x} - \bm{b}^\top\bm{x}$",
    ),
    Input("b", ("n",), "real", "linear term of the quadratic"),
]


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
        *_QUADRATIC_INPUTS,
        Input(
            "x",
            ("n",),
            "real",
            r"current iterate $\bm{x}_t$; the result is $\bm{e}_{t+1} = \bm{x}_{t+1} - A^{-1}\bm{b}$, shape (n,)",
        ),
        Input("eta", (), "small", r"step size $\eta$"),
    ],
    sizes={"n": (2, 3)},
    reference=_gd_reference,
    sampler=_gd_sampler,
    exercise=_gd_exercise,
    evaluator=matrix_evaluator(_gd_error, ("A", "b", "x", "eta")),
    tags=("optimisation", "gradient-descent", "quadratic"),
)
def gradient_descent_quadratic(n: sp.Expr) -> Body:
    """Evaluates to the error e_{t+1} = x_{t+1} − A⁻¹b after one step from x (shape (n,))."""
    form = Matrices(n)
    A, b, x = form.symbol("A", None, None), form.symbol("b"), form.symbol("x")
    # Q (orthogonal) and Λ (diagonal) are the eigendecomposition A = QΛQᵀ, drawn by `_gd_sampler`.
    Q, Lam = form.symbol("Q", None, None), form.symbol("Lambda", None, None)
    x_star = form.mul(form.inv(A), b)
    error = form.add(x, -x_star)
    update = form.add(form.eye(), -eta * A)
    next_error = form.add(x, -eta * form.add(form.mul(A, x), -b), -x_star)
    contraction = form.add(form.eye(), -eta * Lam)
    return Body(
        definitions=(Definition(f_x, _quadratic(n), (), "the quadratic objective"),),
        indices={i: n, j: n, k: n},
        steps=(
            *_gradient_steps(n),
            Step(
                lhs=form.mul(Q.T, update),
                rhs=form.mul(contraction, Q.T),
                why=r"$A = Q\Lambda Q^\top$ with $Q^\top Q = I$: in the eigenbasis $I - \eta A$ is diagonal, with entries $1 - \eta\lambda_k$",
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


# ---------------------------------------------------------------------------------------------
# Newton's method on a quadratic


def _newton_point(form: Matrices) -> sp.Expr:
    return form.mul(form.inv(form.symbol("A", None, None)), form.symbol("b"))


def _newton_reference(A: np.ndarray, b: np.ndarray, x: np.ndarray) -> np.ndarray:
    # One Newton step with the gradient and Hessian that autograd computes from f itself.
    def objective(u: anp.ndarray) -> anp.ndarray:
        return 0.5 * anp.dot(u, anp.dot(A, u)) - anp.dot(b, u)

    gradient = autograd.grad(objective)(x)
    hessian = autograd.hessian(objective)(x)
    return x - np.linalg.solve(hessian, gradient)


def _newton_exercise(rng: np.random.Generator) -> Exercise:
    values = {"A": _spd_2x2(rng), "b": _ints(rng, 2), "x": _ints(rng, 2)}
    return Exercise(
        prompt=(
            r"Take one Newton step $\bm{x}^+ = \bm{x} - [\nabla^2 f(\bm{x})]^{-1}\nabla f(\bm{x})$ on "
            r"$f(\bm{x}) = \frac{1}{2}\bm{x}^\top A\bm{x} - \bm{b}^\top\bm{x}$ with "
            rf"$A = {latex_matrix(values['A'])}$, $\bm{{b}} = {latex_matrix(values['b'])}$, "
            rf"from $\bm{{x}} = {latex_matrix(values['x'])}$."
        ),
        values=values,
        answer=exact_answer(newton_method, values),
        answer_label=r"\bm{x}^+",
    )


@derivation(
    id="newton-method",
    title="Newton's method on a quadratic",
    topic="calculus",
    question=(
        r"Let $f(\bm{x}) = \frac{1}{2}\bm{x}^\top A\bm{x} - \bm{b}^\top\bm{x}$ with $A$ symmetric positive definite. "
        r"Show that one Newton step $\bm{x}^+ = \bm{x} - [\nabla^2 f(\bm{x})]^{-1}\nabla f(\bm{x})$ lands on the minimiser "
        r"$A^{-1}\bm{b}$ from any $\bm{x}$."
    ),
    inputs=[
        *_QUADRATIC_INPUTS,
        Input("x", ("n",), "real", r"starting point $\bm{x}$; the result is $\bm{x}^+$, shape (n,)"),
    ],
    sizes={"n": (2, 3)},
    reference=_newton_reference,
    exercise=_newton_exercise,
    evaluator=matrix_evaluator(_newton_point, ("A", "b")),
    tags=("optimisation", "newton", "quadratic"),
)
def newton_method(n: sp.Expr) -> Body:
    form = Matrices(n)
    A, b, x = form.symbol("A", None, None), form.symbol("b"), form.symbol("x")
    A_inv = form.inv(A)
    return Body(
        definitions=(Definition(f_x, _quadratic(n), (), "the quadratic objective"),),
        indices={i: n, j: n, k: n},
        steps=(
            *_gradient_steps(n),
            Step(
                lhs=sp.Derivative(f_x, x_[i], x_[j]),
                rhs=_HALF * (A_[i, j] + A_[j, i]),
                why=r"differentiate $\partial f/\partial x_j$ once more",
            ),
            Step(rhs=A_[i, j], why=r"symmetry of $A$: $\nabla^2 f = A$, constant and positive definite"),
            Step(
                lhs=form.add(form.mul(A, A_inv, b), -b),
                rhs=form.zeros(),
                why=r"the gradient vanishes at $\bm{x}^\star = A^{-1}\bm{b}$, the unique minimiser since $A \succ 0$",
            ),
            Step(
                lhs=form.add(x, -form.mul(A_inv, form.add(form.mul(A, x), -b))),
                rhs=form.add(x, form.mul(-1, A_inv, A, x), form.mul(A_inv, b)),
                why=r"Newton step with $\nabla f = A\bm{x} - \bm{b}$ and $\nabla^2 f = A$; distribute",
            ),
        ),
        result=Step(
            lhs=form.add(x, -form.mul(A_inv, form.add(form.mul(A, x), -b))),
            rhs=form.mul(A_inv, b),
            why=r"$A^{-1}A = I$: one step reaches $\bm{x}^\star$, whatever $\bm{x}$",
        ),
    )


# ---------------------------------------------------------------------------------------------
# Adam's bias correction


def _adam_reference(g: np.ndarray, beta1: float) -> np.ndarray:
    moment = 0.0
    for gradient in np.atleast_1d(g):
        moment = beta1 * moment + (1 - beta1) * gradient
    return np.asarray(moment / (1 - beta1 ** len(np.atleast_1d(g))))


def _adam_exercise(rng: np.random.Generator) -> Exercise:
    rate = sp.Rational(*[(1, 2), (3, 4), (4, 5), (9, 10)][int(rng.integers(0, 4))])
    values = {"g": _ints(rng, 3, -4, 4), "beta1": rate}
    return Exercise(
        prompt=(
            rf"Adam's first moment $m_t = \beta_1 m_{{t-1}} + (1 - \beta_1) g_t$, $m_0 = 0$, with $\beta_1 = {sp.latex(rate)}$ "
            rf"sees the gradients $g_1, g_2, g_3 = {', '.join(str(v) for v in values['g'])}$. "
            r"Compute the bias-corrected estimate $\hat{m}_3 = m_3/(1 - \beta_1^3)$."
        ),
        values=values,
        answer=exact_answer(adam_bias_correction, values),
        answer_label=r"\hat{m}_3",
    )


@derivation(
    id="adam-bias-correction",
    title="Adam's bias correction",
    topic="calculus",
    question=(
        r"Adam's first moment is $m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t$ with $m_0 = 0$. Show that "
        r"$m_t = (1 - \beta_1)\sum_{k=1}^{t}\beta_1^{t-k} g_k$ and, for stationary gradients with mean $\E[g]$, "
        r"$\E[m_t] = (1 - \beta_1^t)\E[g]$, so that $\hat{m}_t = m_t/(1 - \beta_1^t)$ is unbiased."
    ),
    inputs=[
        Input("g", ("t",), "real", r"gradients $g_1, \dots, g_t$; the result is $\hat{m}_t$, a scalar"),
        Input("beta1", (), "unit", r"decay rate $\beta_1$"),
    ],
    sizes={"t": (2, 3, 5)},
    reference=_adam_reference,
    exercise=_adam_exercise,
    tags=("optimisation", "adam"),
)
def adam_bias_correction(t: sp.Expr) -> Body:
    unrolled = (1 - beta) * sp.Sum(beta ** (t - k) * g_[k], (k, 1, t))
    weights = sp.Sum(beta ** (t - k), (k, 1, t))
    return Body(
        definitions=(
            Definition(
                m_,
                sp.Piecewise(
                    (0, sp.Eq(step_index, 0)), (beta * m_[step_index - 1] + (1 - beta) * g_[step_index], True)
                ),
                (step_index,),
                "first moment",
            ),
            Definition(mean_m, (1 - beta) * weights * mean_g, (), r"expected first moment, by linearity of $\E$"),
            Definition(m_hat, m_[t] / (1 - beta**t), (), "bias-corrected first moment"),
        ),
        indices={k: t, step_index: t},
        variables=(Input("Eg", (), "real", r"mean gradient $\E[g]$"),),
        steps=(
            Step(
                lhs=m_[t],
                rhs=beta**2 * m_[t - 2] + (1 - beta) * (beta * g_[t - 1] + g_[t]),
                why="apply the update twice",
            ),
            Step(rhs=unrolled, why=r"unroll down to $m_0 = 0$: $g_k$ is discounted $t - k$ times"),
            Step(
                lhs=mean_m,
                rhs=(1 - beta) * sp.Sum(beta ** (t - k) * mean_g, (k, 1, t)),
                why=r"linearity of $\E$ and stationarity $\E[g_k] = \E[g]$",
            ),
            Step(
                rhs=(1 - beta) * mean_g * (1 - beta**t) / (1 - beta),
                why=r"geometric series $\sum_{k=1}^{t}\beta_1^{t-k} = (1 - \beta_1^t)/(1 - \beta_1)$",
            ),
            Step(rhs=(1 - beta**t) * mean_g, why=r"cancel $1 - \beta_1$: biased towards $m_0 = 0$ for small $t$"),
        ),
        result=Step(
            lhs=m_hat,
            rhs=unrolled / (1 - beta**t),
            why=r"divide by $1 - \beta_1^t$, so that $\E[\hat{m}_t] = \E[g]$",
        ),
    )


# ---------------------------------------------------------------------------------------------
# Second-order Taylor expansion


def _taylor_reference(A: np.ndarray, b: np.ndarray, x: np.ndarray, h: np.ndarray) -> np.ndarray:
    point = x + h
    return np.asarray(0.5 * point @ A @ point + b @ point)


def _taylor_exercise(rng: np.random.Generator) -> Exercise:
    a, d, c = int(rng.integers(-3, 4)), int(rng.integers(-3, 4)), int(rng.integers(-2, 3))
    values = {"A": [[a, c], [c, d]], "b": _ints(rng, 2), "x": _ints(rng, 2, -2, 2), "h": _ints(rng, 2, -2, 2)}
    return Exercise(
        prompt=(
            r"For $f(\bm{x}) = \frac{1}{2}\bm{x}^\top A\bm{x} + \bm{b}^\top\bm{x}$ with "
            rf"$A = {latex_matrix(values['A'])}$ and $\bm{{b}} = {latex_matrix(values['b'])}$, compute "
            r"$f(\bm{x}) + \nabla f(\bm{x})^\top\bm{h} + \frac{1}{2}\bm{h}^\top\nabla^2 f(\bm{x})\,\bm{h}$ at "
            rf"$\bm{{x}} = {latex_matrix(values['x'])}$, $\bm{{h}} = {latex_matrix(values['h'])}$, and check it against "
            r"$f(\bm{x} + \bm{h})$."
        ),
        values=values,
        answer=exact_answer(taylor_second_order, values),
        answer_label=r"f(\bm{x} + \bm{h})",
    )


@derivation(
    id="taylor-second-order",
    title="Second-order Taylor expansion of a quadratic",
    topic="calculus",
    question=(
        r"Let $f(\bm{x}) = \frac{1}{2}\bm{x}^\top A\bm{x} + \bm{b}^\top\bm{x}$ with $A$ symmetric. Show that "
        r"$f(\bm{x} + \bm{h}) = f(\bm{x}) + \nabla f(\bm{x})^\top\bm{h} + \frac{1}{2}\bm{h}^\top\nabla^2 f(\bm{x})\,\bm{h}$ "
        r"holds exactly, with $\nabla f = A\bm{x} + \bm{b}$ and $\nabla^2 f = A$."
    ),
    inputs=[
        Input("A", ("n", "n"), "symmetric", "symmetric matrix of the quadratic term"),
        Input("b", ("n",), "real", "linear term"),
        Input("x", ("n",), "real", r"expansion point $\bm{x}$"),
        Input("h", ("n",), "real", r"displacement $\bm{h}$; the result is $f(\bm{x} + \bm{h})$, a scalar"),
    ],
    sizes={"n": (2, 3, 5)},
    reference=_taylor_reference,
    exercise=_taylor_exercise,
    tags=("taylor", "quadratic", "hessian"),
)
def taylor_second_order(n: sp.Expr) -> Body:
    def double(term: sp.Expr) -> sp.Expr:
        return sp.Sum(sp.Sum(term, (j, 1, n)), (i, 1, n))

    gradient_dot_h = sp.Sum(sp.Derivative(f_x, x_[j]) * h_[j], (j, 1, n))
    curvature = _HALF * double(h_[i] * sp.Derivative(f_x, x_[i], x_[j]) * h_[j])
    return Body(
        definitions=(
            Definition(f_x, _quadratic(n, sign=1), (), "the quadratic at $\\bm{x}$"),
            Definition(f_xh, _quadratic(n, shift=h_, sign=1), (), "the quadratic at $\\bm{x} + \\bm{h}$"),
        ),
        indices={i: n, j: n, k: n},
        steps=(
            *_gradient_steps(n, sign=1),
            Step(
                lhs=sp.Derivative(f_x, x_[i], x_[j]),
                rhs=A_[i, j],
                why=r"differentiate again (symmetric $A$); constant, so every third derivative vanishes",
            ),
            Step(lhs=f_xh, rhs=_quadratic(n, shift=h_, sign=1), why=r"definition of $f$"),
            Step(
                rhs=_quadratic(n, sign=1)
                + _HALF * double(x_[i] * A_[i, j] * h_[j] + h_[i] * A_[i, j] * x_[j])
                + sp.Sum(b_[i] * h_[i], (i, 1, n))
                + _HALF * double(h_[i] * A_[i, j] * h_[j]),
                why="expand the products and regroup by powers of $\\bm{h}$",
            ),
            Step(
                rhs=f_x
                + sp.Sum((sp.Sum(A_[j, k] * x_[k], (k, 1, n)) + b_[j]) * h_[j], (j, 1, n))
                + _HALF * double(h_[i] * A_[i, j] * h_[j]),
                why=r"$\sum_{ij} x_i A_{ij} h_j = \sum_{ij} h_i A_{ij} x_j$ for symmetric $A$",
            ),
        ),
        result=Step(
            lhs=f_xh,
            rhs=f_x + gradient_dot_h + curvature,
            why="recognise the gradient and the Hessian: the expansion is exact, with no remainder",
        ),
    )
