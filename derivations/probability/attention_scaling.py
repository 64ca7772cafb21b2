"""Why attention scores are divided by √d: the variance of qᵀk is Σ_j σ_j²τ_j², which is d for unit variances."""

from __future__ import annotations

import itertools

import numpy as np
import sympy as sp

from symwork import Body, Exercise, Input, Step, derivation
from symwork.publish.figures import new_figure, pdf_bytes

# The engine has no expectation operator, so E and Var below are SymPy functions that evaluate
# themselves (on instances, once every entry index is concrete) under the stated model: the entries
# q_j, k_j are independent, with zero mean and standard deviations sigma_j, tau_j.
j = sp.Symbol("j", integer=True, positive=True)
q, k = sp.IndexedBase("q"), sp.IndexedBase("k")
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
    listed = {name: ", ".join(sp.latex(v) for v in values[name]) for name in values}
    return Exercise(
        prompt=(
            rf"The entries of $\bm{{q}} \in \R^{d}$ are independent with zero mean and standard deviations "
            rf"$({listed['sigma']})$; the entries of $\bm{{k}} \in \R^{d}$, independent of $\bm{{q}}$, have zero mean and "
            rf"standard deviations $({listed['tau']})$. Compute the variance of the attention score $\bm{{q}}^\top\bm{{k}}/\sqrt{{{d}}}$."
        ),
        values=values,
        answer_label=r"\Var(\bm{q}^\top\bm{k}/\sqrt{d})",
    )


def _figure() -> bytes:
    # The result itself, measured: sample variance of qᵀk and of qᵀk/√d over 4000 draws of independent
    # standard normal q, k, for each dimension d, against the derived d and 1.
    rng = np.random.default_rng(3)
    dims = np.array([1, 2, 4, 8, 16, 32, 64, 128])
    raw, scaled = [], []
    for d in dims:
        scores = np.sum(rng.normal(size=(4000, d)) * rng.normal(size=(4000, d)), axis=1)
        raw.append(np.var(scores))
        scaled.append(np.var(scores / np.sqrt(d)))
    fig, ax = new_figure(4.2, 3.0)
    ax.loglog(dims, dims, color="0.6", lw=1, label=r"derived: $\mathrm{Var}(q^\top k) = d$")
    ax.loglog(dims, raw, "o", color="C0", ms=4, label=r"sampled $\mathrm{Var}(q^\top k)$")
    ax.loglog(dims, np.ones_like(dims, dtype=float), color="0.6", lw=1, ls="--", label=r"derived: $\mathrm{Var}(q^\top k/\sqrt{d}) = 1$")
    ax.loglog(dims, scaled, "s", color="C3", ms=4, label=r"sampled $\mathrm{Var}(q^\top k/\sqrt{d})$")
    ax.set_xlabel(r"dimension $d$ (unit-variance entries)")
    ax.set_ylabel("variance of the score")
    ax.legend(frameon=False, fontsize=7)
    ax.set_title(r"Scaling by $1/\sqrt{d}$ keeps the score variance at 1", fontsize=9)
    return pdf_bytes(fig)


@derivation(
    id="attention-scaling",
    title="Variance of a dot-product attention score",
    topic="probability",
    question=(
        r"Let the query $\bm{q} \in \R^d$ and the key $\bm{k} \in \R^d$ be independent random vectors, each with "
        r"independent entries of zero mean, $\Var(q_j) = \sigma_j^2$ and $\Var(k_j) = \tau_j^2$. Show that "
        r"$\Var(\bm{q}^\top\bm{k}) = \sum_j \sigma_j^2\tau_j^2$, which is $d$ for unit variances, so that the scaled "
        r"score $\bm{q}^\top\bm{k}/\sqrt{d}$ has variance 1."
    ),
    inputs=[
        Input("sigma", ("d",), "positive", r"standard deviations $\sigma_j$ of the query entries"),
        Input("tau", ("d",), "positive", r"standard deviations $\tau_j$ of the key entries"),
    ],
    sizes={"d": (2, 3, 5)},
    reference=_score_variance_by_enumeration,
    exercise=_exercise_scaling,
    figure=_figure,
    tags=("attention", "variance"),
    uses=("bias-variance-decomposition",),
)
def attention_scaling(d: sp.Expr) -> Body:
    ex, var = Expectation, Variance  # short names keep the steps readable
    qj, kj = q[j], k[j]
    return Body(
        indices={j: d},
        steps=(
            Step(
                lhs=var(sp.Sum(qj * kj, (j, 1, d))),
                rhs=sp.Sum(var(qj * kj), (j, 1, d)),
                why=r"the products $q_j k_j$ are independent (the entries are, within and across $\bm{q}$ and $\bm{k}$), so their variances add",
            ),
            Step(rhs=sp.Sum(ex(qj**2 * kj**2) - ex(qj * kj) ** 2, (j, 1, d)), why=r"$\Var(X) = \E[X^2] - \E[X]^2$"),
            Step(
                rhs=sp.Sum(ex(qj**2) * ex(kj**2) - ex(qj) ** 2 * ex(kj) ** 2, (j, 1, d)),
                why=r"$q_j$ and $k_j$ are independent ($\bm{q}$ and $\bm{k}$ are), so expectations of products factor",
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
