"""Mutual information is the KL divergence of the joint from the product of its marginals: H(X) + H(Y) − H(X, Y)."""

from __future__ import annotations

import numpy as np
import sympy as sp
from scipy import special

from symwork import Body, Definition, Exercise, Input, Step, derivation
from symwork.publish.figures import new_figure, pdf_bytes

from ._information_common import is_product, joint_fractions, joint_table, matrix_tex, printed_base

a, b = sp.symbols("a b", integer=True, positive=True)
P = sp.IndexedBase("P")
px, py = printed_base("pX", "p_X"), printed_base("pY", "p_Y")
I_XY = sp.Symbol("I(X; Y)")
H_X, H_Y, H_XY, H_XgY = sp.Symbol("H(X)"), sp.Symbol("H(Y)"), sp.Symbol("H(X, Y)"), sp.Symbol(r"H(X \mid Y)")


def _sampler(rng: np.random.Generator, n: int, m: int) -> dict[str, np.ndarray]:
    return {"P": joint_table(rng, (n, m))}


def _mi_reference(P: np.ndarray) -> float:  # noqa: N803 - the input's name
    # KL of the joint from the outer product of its marginals, by SciPy's relative entropy.
    joint = np.asarray(P, dtype=float)
    product = np.outer(joint.sum(axis=1), joint.sum(axis=0))
    return float(np.sum(special.rel_entr(joint, product)))


def _exercise(rng: np.random.Generator) -> Exercise:
    table = joint_fractions(rng, (2, 2))
    while is_product(table):  # independent X and Y: I = 0 whatever was drawn
        table = joint_fractions(rng, (2, 2))
    rows = table.tolist()
    return Exercise(
        prompt=(
            rf"Two binary variables have the joint distribution $P = {matrix_tex(rows)}$, with $P_{{ab}} = \Pr(X = a, Y = b)$ "
            r"(rows $a$, columns $b$). Compute their mutual information $I(X; Y)$ in nats."
        ),
        values={"P": rows},
        answer_label="I(X; Y)",
    )


def _figure() -> bytes:
    from matplotlib.patches import Circle  # matplotlib is imported by new_figure; only a build draws figures

    fig, ax = new_figure(4.0, 2.4)
    for centre, colour in ((-0.6, "C0"), (0.6, "C3")):
        ax.add_patch(Circle((centre, 0.0), 1.0, facecolor=colour, alpha=0.18, edgecolor=colour, lw=1.0))
    ax.text(-1.05, 0.0, r"$H(X \mid Y)$", ha="center", va="center", fontsize=8)
    ax.text(0.0, 0.0, r"$I(X; Y)$", ha="center", va="center", fontsize=8)
    ax.text(1.05, 0.0, r"$H(Y \mid X)$", ha="center", va="center", fontsize=8)
    ax.text(-0.6, 1.12, r"$H(X)$", ha="center", fontsize=8, color="C0")
    ax.text(0.6, 1.12, r"$H(Y)$", ha="center", fontsize=8, color="C3")
    ax.text(0.0, -1.25, r"union: $H(X, Y) = H(X) + H(Y) - I(X; Y)$", ha="center", fontsize=8)
    ax.set_xlim(-1.8, 1.8)
    ax.set_ylim(-1.45, 1.35)
    ax.set_aspect("equal")
    ax.axis("off")
    return pdf_bytes(fig)


@derivation(
    id="mutual-information-kl",
    title="Mutual information as a KL divergence",
    topic="probability",
    question=(
        r"Let $X \in \{1, \dots, n\}$ and $Y \in \{1, \dots, m\}$ have joint distribution $P_{ab} = \Pr(X = a, Y = b) > 0$ and "
        r"marginals $p_X$, $p_Y$. Their mutual information is $I(X; Y) = \KL(P\,\|\,p_X p_Y)$. Show that "
        r"$I(X; Y) = H(X) + H(Y) - H(X, Y) = H(X) - H(X \mid Y)$; by Gibbs' inequality $I(X; Y) \geq 0$, with equality "
        r"only when $X$ and $Y$ are independent."
    ),
    inputs=[
        Input(
            "P",
            ("n", "m"),
            "simplex",
            r"joint distribution $P_{ab}$ (all entries positive, summing to 1); the result is $I(X; Y)$ in nats",
        )
    ],
    sizes={"n": (2, 3, 2), "m": (2, 2, 4)},
    reference=_mi_reference,
    sampler=_sampler,
    exercise=_exercise,
    figure=_figure,
    tags=("mutual-information", "kl", "entropy"),
    uses=("gibbs-inequality", "discrete-entropy-maximum"),
)
def mutual_information_kl(n: sp.Expr, m: sp.Expr) -> Body:
    def total(expr: sp.Expr) -> sp.Expr:
        return sp.Sum(sp.Sum(expr, (b, 1, m)), (a, 1, n))

    return Body(
        definitions=(
            Definition(px, sp.Sum(P[a, b], (b, 1, m)), (a,), r"marginal of $X$"),
            Definition(py, sp.Sum(P[a, b], (a, 1, n)), (b,), r"marginal of $Y$"),
            Definition(
                I_XY,
                total(P[a, b] * sp.log(P[a, b] / (px[a] * py[b]))),
                (),
                r"mutual information, $\KL(P\,\|\,p_X p_Y)$",
            ),
            Definition(H_X, -sp.Sum(px[a] * sp.log(px[a]), (a, 1, n)), (), r"entropy of $X$"),
            Definition(H_Y, -sp.Sum(py[b] * sp.log(py[b]), (b, 1, m)), (), r"entropy of $Y$"),
            Definition(H_XY, -total(P[a, b] * sp.log(P[a, b])), (), "joint entropy"),
            Definition(
                H_XgY, -total(P[a, b] * sp.log(P[a, b] / py[b])), (), r"conditional entropy, $-\E[\ln p(X \mid Y)]$"
            ),
        ),
        indices={a: n, b: m},
        steps=(
            Step(
                lhs=I_XY,
                rhs=total(P[a, b] * sp.log(P[a, b])) - total(P[a, b] * sp.log(px[a])) - total(P[a, b] * sp.log(py[b])),
                why="the logarithm of a quotient, and linearity of the sum",
            ),
            Step(
                rhs=total(P[a, b] * sp.log(P[a, b]))
                - sp.Sum(px[a] * sp.log(px[a]), (a, 1, n))
                - sp.Sum(py[b] * sp.log(py[b]), (b, 1, m)),
                why=r"sum out the variable a logarithm does not depend on: $\sum_b P_{ab} = p_X(a)$, $\sum_a P_{ab} = p_Y(b)$",
            ),
            Step(rhs=H_X + H_Y - H_XY, why="recognise the three entropies"),
            Step(
                lhs=H_XgY,
                rhs=H_XY - H_Y,
                why=r"$\ln(P_{ab}/p_Y(b)) = \ln P_{ab} - \ln p_Y(b)$: the chain rule of entropy $H(X, Y) = H(Y) + H(X \mid Y)$",
            ),
            Step(
                lhs=I_XY,
                rhs=sp.S.Zero,
                relation=">=",
                why=r"a KL divergence (gibbs-inequality); $= 0$ only if $P_{ab} = p_X(a)\,p_Y(b)$ for all $a, b$: independence",
            ),
        ),
        result=Step(
            lhs=I_XY,
            rhs=H_X - H_XgY,
            why=(
                r"the third line with $H(X, Y) - H(Y) = H(X \mid Y)$: what observing $Y$ removes from the uncertainty "
                r"about $X$, never negative"
            ),
        ),
    )
