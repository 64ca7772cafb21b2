"""Scaled dot-product attention: why scores are divided by √d, and the Jacobians of A = softmax(QKᵀ/√d)V."""

from __future__ import annotations

import itertools

import numpy as np
import sympy as sp

from symwork import Body, Exercise, Input, Step, derivation, exact_answer

from ._attention_common import (
    INPUTS,
    SIZES,
    A,
    K,
    Kbar,
    P,
    Q,
    S,
    V,
    a,
    attention,
    b,
    c,
    definitions,
    exercise_for,
    f,
    g,
    j,
    k,
    l,
)

# --- attention-scaling -------------------------------------------------------------------------
# The engine has no expectation operator, so E and Var below are SymPy functions that evaluate
# themselves (on instances, once every entry index is concrete) under the stated model: the entries
# q_j, k_j are independent, with zero mean and standard deviations sigma_j, tau_j.
q, kk = sp.IndexedBase("q"), sp.IndexedBase("k")  # kk: the name k is taken by the key index
sigma, tau = sp.IndexedBase("sigma"), sp.IndexedBase("tau")
_STD_OF = {"q": sigma, "k": tau}


def _expectation(expr: sp.Expr) -> sp.Expr | None:
    """E[expr] for a polynomial in the random entries, or None while an entry's index is still symbolic."""
    if expr.has(sp.Sum, sp.Derivative, Expectation, Variance):
        return None
    entries = sorted((x for x in expr.atoms(sp.Indexed) if x.base.label.name in _STD_OF), key=sp.default_sort_key)
    if any(not index.is_Integer for entry in entries for index in entry.indices):
        return None  # q_j and q_l may be the same entry: decide only once j and l are numbers
    if not entries:
        return expr
    total = sp.S.Zero
    for powers, coefficient in sp.Poly(sp.expand(expr), *entries).terms():
        term = coefficient
        for entry, power in zip(entries, powers, strict=True):
            if power == 1:
                term = sp.S.Zero  # zero mean, and independent of every other entry
            elif power == 2:
                term *= _STD_OF[entry.base.label.name][entry.indices] ** 2
            elif power > 2:
                return None  # the model fixes only the first two moments
        total += term
    return total


class Expectation(sp.Function):
    """E[X] under the model above; printed as \\E[X]."""

    nargs = 1

    @classmethod
    def eval(cls, x: sp.Expr) -> sp.Expr | None:
        return _expectation(x)

    def _latex(self, printer: sp.printing.latex.LatexPrinter, exp: str | None = None) -> str:
        tex = r"\E\left[" + printer._print(self.args[0]) + r"\right]"
        return tex if exp is None else f"{tex}^{{{exp}}}"


class Variance(sp.Function):
    """Var(X) = E[X²] − E[X]² under the model above; printed as \\Var(X)."""

    nargs = 1

    @classmethod
    def eval(cls, x: sp.Expr) -> sp.Expr | None:
        second, first = _expectation(x**2), _expectation(x)
        return None if second is None or first is None else second - first**2

    def _latex(self, printer: sp.printing.latex.LatexPrinter, exp: str | None = None) -> str:
        tex = r"\Var\left(" + printer._print(self.args[0]) + r"\right)"
        return tex if exp is None else f"{tex}^{{{exp}}}"


def _score_variance_by_enumeration(sigma: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """Exact Var(qᵀk/√d) when q_j = ±sigma_j and k_j = ±tau_j with independent fair signs.

    This two-point law has the model's mean and variance, and the variance of qᵀk depends on no
    other moment, so averaging over all 4^d sign patterns is an exact, independent computation.
    """
    sigma, tau = np.atleast_1d(sigma), np.atleast_1d(tau)
    d = sigma.size
    signs = np.array(list(itertools.product((-1.0, 1.0), repeat=2 * d)))
    scores = np.sum(signs[:, :d] * sigma * signs[:, d:] * tau, axis=1) / np.sqrt(d)
    return np.asarray(np.mean(scores**2) - np.mean(scores) ** 2)


def _exercise_scaling(rng: np.random.Generator) -> Exercise:
    d = 3
    choices = [sp.Rational(1, 2), sp.Integer(1), sp.Integer(2), sp.Integer(3)]
    values = {name: [choices[int(i)] for i in rng.integers(0, len(choices), size=d)] for name in ("sigma", "tau")}
    answer = exact_answer(attention_scaling, values)
    listed = {name: ", ".join(sp.latex(v) for v in values[name]) for name in values}
    return Exercise(
        prompt=(
            rf"The entries of $\bm{{q}} \in \R^{d}$ are independent with zero mean and standard deviations "
            rf"$({listed['sigma']})$; the entries of $\bm{{k}} \in \R^{d}$, independent of $\bm{{q}}$, have zero mean and "
            rf"standard deviations $({listed['tau']})$. Compute the variance of the attention score $\bm{{q}}^\top\bm{{k}}/\sqrt{{{d}}}$."
        ),
        values=values,
        answer=answer,
        answer_label=r"\Var(\bm{q}^\top\bm{k}/\sqrt{d})",
    )


@derivation(
    id="attention-scaling",
    title="Variance of a dot-product attention score",
    topic="linear-algebra",
    question=(
        r"Let $\bm{q}, \bm{k} \in \R^d$ have independent entries with zero mean, $\Var(q_j) = \sigma_j^2$ and "
        r"$\Var(k_j) = \tau_j^2$. Show that $\Var(\bm{q}^\top\bm{k}) = \sum_j \sigma_j^2\tau_j^2$, which is $d$ for "
        r"unit variances, so that the scaled score $\bm{q}^\top\bm{k}/\sqrt{d}$ has variance 1."
    ),
    inputs=[
        Input("sigma", ("d",), "positive", r"standard deviations $\sigma_j$ of the query entries"),
        Input("tau", ("d",), "positive", r"standard deviations $\tau_j$ of the key entries"),
    ],
    sizes={"d": (2, 3, 5)},
    reference=_score_variance_by_enumeration,
    exercise=_exercise_scaling,
    tags=("attention", "variance"),
)
def attention_scaling(d: sp.Expr) -> Body:
    ex, var = Expectation, Variance  # short names keep the steps readable
    qj, kj = q[j], kk[j]
    return Body(
        indices={j: d},
        steps=(
            Step(
                lhs=var(sp.Sum(qj * kj, (j, 1, d))),
                rhs=sp.Sum(var(qj * kj), (j, 1, d)),
                why=r"the products $q_j k_j$ are independent, so their variances add",
            ),
            Step(rhs=sp.Sum(ex(qj**2 * kj**2) - ex(qj * kj) ** 2, (j, 1, d)), why=r"$\Var(X) = \E[X^2] - \E[X]^2$"),
            Step(
                rhs=sp.Sum(ex(qj**2) * ex(kj**2) - ex(qj) ** 2 * ex(kj) ** 2, (j, 1, d)),
                why=r"independence of $q_j$ and $k_j$",
            ),
            Step(
                rhs=sp.Sum(sigma[j] ** 2 * tau[j] ** 2, (j, 1, d)),
                why=r"$\E[q_j] = \E[k_j] = 0$, $\E[q_j^2] = \sigma_j^2$, $\E[k_j^2] = \tau_j^2$; this is $d$ for unit variances",
            ),
        ),
        result=Step(
            lhs=var(sp.Sum(qj * kj, (j, 1, d)) / sp.sqrt(d)),
            rhs=sp.Sum(sigma[j] ** 2 * tau[j] ** 2, (j, 1, d)) / d,
            why=r"$\Var(cX) = c^2 \Var(X)$ with $c = 1/\sqrt{d}$; unit variances give $d/d = 1$",
        ),
    )


# --- attention Jacobians -------------------------------------------------------------------------
delta = sp.KroneckerDelta

# The softmax Jacobian of row a, ∂P_ak/∂S_al, written once for the Q and K chains.
_SOFTMAX_ROW = (
    r"chain rule through the softmax of row $a$, $\partial P_{ak}/\partial S_{al} = P_{ak}(\delta_{kl} - P_{al})$"
)


def _softmax_chain(m: sp.Expr, inner: sp.Expr) -> sp.Expr:
    """Σ_k V_kb Σ_l P_ak(δ_kl − P_al) · inner, where inner stands for ∂S_al/∂X_cf."""
    return sp.Sum(V[k, b] * sp.Sum(P[a, k] * (delta(k, l) - P[a, l]) * inner, (l, 1, m)), (k, 1, m))


def _exercise_q(rng: np.random.Generator) -> Exercise:
    return exercise_for(attention_jacobian_q, "Q", rng, n=2, e=1, logs_in="Q")


def _exercise_k(rng: np.random.Generator) -> Exercise:
    return exercise_for(attention_jacobian_k, "K", rng, n=1, e=2, logs_in="K")


def _exercise_v(rng: np.random.Generator) -> Exercise:
    return exercise_for(attention_jacobian_v, "V", rng, n=1, e=2, logs_in="Q")


@derivation(
    id="attention-jacobian-q",
    title="Attention Jacobian with respect to the queries",
    topic="linear-algebra",
    question=(
        r"For $A = \softmax(QK^\top/\sqrt{d})\,V$ with the softmax over each row, show that "
        r"$\partial A_{ab}/\partial Q_{cf} = \frac{\delta_{ac}}{\sqrt{d}} \sum_k P_{ak} V_{kb}(K_{kf} - \bar{K}_{af})$, "
        r"where $P$ holds the attention weights and $\bar{K}_{af} = \sum_l P_{al} K_{lf}$ is the weighted mean key."
    ),
    inputs=INPUTS,
    sizes=SIZES,
    forward=attention,
    wrt="Q",
    exercise=_exercise_q,
    tags=("jacobian", "attention", "softmax"),
)
def attention_jacobian_q(n: sp.Expr, d: sp.Expr, m: sp.Expr, e: sp.Expr) -> Body:
    return Body(
        definitions=definitions(d, m, mean_key=True),
        indices={a: n, b: e, c: n, f: d, k: m, l: m, g: d, j: m},
        steps=(
            Step(
                lhs=sp.Derivative(A[a, b], Q[c, f]),
                rhs=sp.Sum(V[k, b] * sp.Derivative(P[a, k], Q[c, f]), (k, 1, m)),
                why=r"$A_{ab} = \sum_k P_{ak} V_{kb}$ and $V$ does not depend on $Q$",
            ),
            Step(rhs=_softmax_chain(m, sp.Derivative(S[a, l], Q[c, f])), why=_SOFTMAX_ROW),
            Step(
                rhs=_softmax_chain(m, delta(a, c) * K[l, f] / sp.sqrt(d)),
                why=r"$S_{al} = \frac{1}{\sqrt{d}}\sum_g Q_{ag} K_{lg}$, so $\partial S_{al}/\partial Q_{cf} = \delta_{ac} K_{lf}/\sqrt{d}$",
            ),
            Step(
                rhs=delta(a, c)
                / sp.sqrt(d)
                * sp.Sum(P[a, k] * V[k, b] * (K[k, f] - sp.Sum(P[a, l] * K[l, f], (l, 1, m))), (k, 1, m)),
                why=r"sum the $\delta_{kl}$ term over $l$",
            ),
        ),
        result=Step(
            lhs=sp.Derivative(A[a, b], Q[c, f]),
            rhs=delta(a, c) / sp.sqrt(d) * sp.Sum(P[a, k] * V[k, b] * (K[k, f] - Kbar[a, f]), (k, 1, m)),
            why=r"recognise the weighted mean key $\bar{K}_{af}$; only row $c = a$ of $Q$ affects row $a$ of $A$",
        ),
        result_indices=(a, b, c, f),
    )


@derivation(
    id="attention-jacobian-k",
    title="Attention Jacobian with respect to the keys",
    topic="linear-algebra",
    question=(
        r"For $A = \softmax(QK^\top/\sqrt{d})\,V$ with the softmax over each row and attention weights $P$, show that "
        r"$\partial A_{ab}/\partial K_{cf} = \frac{1}{\sqrt{d}}\, P_{ac}\,(V_{cb} - A_{ab})\, Q_{af}$."
    ),
    inputs=INPUTS,
    sizes=SIZES,
    forward=attention,
    wrt="K",
    exercise=_exercise_k,
    tags=("jacobian", "attention", "softmax"),
)
def attention_jacobian_k(n: sp.Expr, d: sp.Expr, m: sp.Expr, e: sp.Expr) -> Body:
    return Body(
        definitions=definitions(d, m),
        indices={a: n, b: e, c: m, f: d, k: m, l: m, g: d, j: m},
        steps=(
            Step(
                lhs=sp.Derivative(A[a, b], K[c, f]),
                rhs=sp.Sum(V[k, b] * sp.Derivative(P[a, k], K[c, f]), (k, 1, m)),
                why=r"$A_{ab} = \sum_k P_{ak} V_{kb}$ and $V$ does not depend on $K$",
            ),
            Step(rhs=_softmax_chain(m, sp.Derivative(S[a, l], K[c, f])), why=_SOFTMAX_ROW),
            Step(
                rhs=_softmax_chain(m, delta(l, c) * Q[a, f] / sp.sqrt(d)),
                why=r"$S_{al} = \frac{1}{\sqrt{d}}\sum_g Q_{ag} K_{lg}$, so $\partial S_{al}/\partial K_{cf} = \delta_{lc} Q_{af}/\sqrt{d}$",
            ),
            Step(
                rhs=sp.Sum(V[k, b] * P[a, k] * (delta(k, c) - P[a, c]), (k, 1, m)) * Q[a, f] / sp.sqrt(d),
                why=r"sum the $\delta_{lc}$ over $l$",
            ),
            Step(
                rhs=(P[a, c] * V[c, b] - P[a, c] * sp.Sum(P[a, k] * V[k, b], (k, 1, m))) * Q[a, f] / sp.sqrt(d),
                why=r"sum the $\delta_{kc}$ over $k$",
            ),
        ),
        result=Step(
            lhs=sp.Derivative(A[a, b], K[c, f]),
            rhs=P[a, c] * (V[c, b] - A[a, b]) * Q[a, f] / sp.sqrt(d),
            why=r"recognise $A_{ab} = \sum_k P_{ak} V_{kb}$ and factor out $P_{ac}$",
        ),
        result_indices=(a, b, c, f),
    )


@derivation(
    id="attention-jacobian-v",
    title="Attention Jacobian with respect to the values",
    topic="linear-algebra",
    question=(
        r"For $A = \softmax(QK^\top/\sqrt{d})\,V$ with the softmax over each row and attention weights $P$, show that "
        r"$\partial A_{ab}/\partial V_{cf} = P_{ac}\,\delta_{bf}$: the output is linear in $V$."
    ),
    inputs=INPUTS,
    sizes=SIZES,
    forward=attention,
    wrt="V",
    exercise=_exercise_v,
    tags=("jacobian", "attention"),
)
def attention_jacobian_v(n: sp.Expr, d: sp.Expr, m: sp.Expr, e: sp.Expr) -> Body:
    return Body(
        definitions=definitions(d, m),
        indices={a: n, b: e, c: m, f: e, k: m, g: d, j: m},
        steps=(
            Step(
                lhs=A[a, b],
                rhs=sp.Sum(P[a, k] * V[k, b], (k, 1, m)),
                why=r"$A = PV$, with $P = \softmax(QK^\top/\sqrt{d})$ free of $V$",
            ),
            Step(
                lhs=sp.Derivative(A[a, b], V[c, f]),
                rhs=sp.Sum(P[a, k] * sp.Derivative(V[k, b], V[c, f]), (k, 1, m)),
                why=r"differentiate term by term; $P$ does not depend on $V$",
            ),
            Step(
                rhs=sp.Sum(P[a, k] * delta(k, c) * delta(b, f), (k, 1, m)),
                why=r"$\partial V_{kb}/\partial V_{cf} = \delta_{kc}\,\delta_{bf}$",
            ),
        ),
        result=Step(
            lhs=sp.Derivative(A[a, b], V[c, f]), rhs=P[a, c] * delta(b, f), why=r"sum the $\delta_{kc}$ over $k$"
        ),
        result_indices=(a, b, c, f),
    )
