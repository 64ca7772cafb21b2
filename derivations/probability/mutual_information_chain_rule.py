"""The chain rule of mutual information, I(X; Y, Z) = I(X; Y) + I(X; Z | Y), from the KL form term by term."""

from __future__ import annotations

import numpy as np
import sympy as sp
from scipy import special

from symwork import Body, Definition, Exercise, Input, Step, derivation
from symwork.core.spec import Part

from ._information_common import joint_fractions, joint_table, matrix_tex, printed_base

a, b, c = sp.symbols("a b c", integer=True, positive=True)
P = sp.IndexedBase("P")
px, py = printed_base("pX", "p_X"), printed_base("pY", "p_Y")
pxy, pyz = printed_base("pXY", "p_{XY}"), printed_base("pYZ", "p_{YZ}")
I_X_YZ = sp.Symbol("I(X; Y, Z)")
I_XY = sp.Symbol("I(X; Y)")
I_XZgY = sp.Symbol(r"I(X; Z \mid Y)")


def _sampler(rng: np.random.Generator, n: int, m: int, r: int) -> dict[str, np.ndarray]:
    return {"P": joint_table(rng, (n, m, r))}


def _mi_reference(P: np.ndarray) -> float:  # noqa: N803 - the input's name
    # I(X; (Y, Z)): treat (Y, Z) as one variable and take the KL of the joint from the product of marginals.
    joint = np.asarray(P, dtype=float).reshape(P.shape[0], -1)
    product = np.outer(joint.sum(axis=1), joint.sum(axis=0))
    return float(np.sum(special.rel_entr(joint, product)))


def _pair_reference(P: np.ndarray) -> float:  # noqa: N803 - the input's name
    # I(X; Y) from the (X, Y) marginal, by SciPy's relative entropy.
    pair = np.asarray(P, dtype=float).sum(axis=2)
    return float(np.sum(special.rel_entr(pair, np.outer(pair.sum(axis=1), pair.sum(axis=0)))))


def _conditional_reference(P: np.ndarray) -> float:  # noqa: N803 - the input's name
    # I(X; Z | Y) = Σ_b p(b) KL(p(x, z | b) || p(x | b) p(z | b)), slice by slice.
    joint = np.asarray(P, dtype=float)
    total = 0.0
    for b in range(joint.shape[1]):
        weight = joint[:, b, :].sum()
        conditional = joint[:, b, :] / weight
        product = np.outer(conditional.sum(axis=1), conditional.sum(axis=0))
        total += weight * float(np.sum(special.rel_entr(conditional, product)))
    return total


def _exercise(rng: np.random.Generator) -> Exercise:
    while True:
        table = joint_fractions(rng, (2, 2, 2), high=3)
        flat = table.reshape(2, 4)
        rows, cols = flat.sum(axis=1), flat.sum(axis=0)
        if any(flat[i, j] != rows[i] * cols[j] for i in range(2) for j in range(4)):
            break  # X is not independent of (Y, Z): the answer depends on the table
    slices = " and ".join(rf"$(P_{{ab{z + 1}}})_{{ab}} = {matrix_tex(table[:, :, z].tolist())}$" for z in range(2))
    return Exercise(
        prompt=(
            r"Three binary variables have the joint distribution $P_{abc} = \Pr(X = a, Y = b, Z = c)$ with "
            rf"{slices} (rows $a$, columns $b$). Use natural logarithms."
        ),
        values={"P": table.tolist()},
        parts=(
            Part(name="I(X; Y)", ask=r"Compute $I(X; Y)$.", of=I_XY, reference=_pair_reference),
            Part(name=r"I(X; Z \mid Y)", ask=r"Compute $I(X; Z \mid Y)$.", of=I_XZgY, reference=_conditional_reference),
            Part(name="I(X; Y, Z)", ask=r"Hence give $I(X; Y, Z)$."),
        ),
    )


@derivation(
    id="mutual-information-chain-rule",
    title="The chain rule of mutual information",
    topic="probability",
    question=(
        r"Let $X, Y, Z$ take finitely many values with joint distribution $P_{abc} = \Pr(X = a, Y = b, Z = c) > 0$. "
        r"With $I(X; Y, Z) = \KL(P\,\|\,p_X\,p_{YZ})$, $I(X; Y) = \KL(p_{XY}\,\|\,p_X\,p_Y)$ and the conditional mutual "
        r"information $I(X; Z \mid Y) = \sum_{abc} P_{abc} \ln\frac{P_{abc}\,p_Y(b)}{p_{XY}(a, b)\,p_{YZ}(b, c)}$, show that "
        r"$I(X; Y, Z) = I(X; Y) + I(X; Z \mid Y)$. As $I(X; Z \mid Y) \geq 0$, adding a feature never loses information "
        r"about $X$."
    ),
    inputs=[
        Input(
            "P",
            ("n", "m", "r"),
            "simplex",
            r"joint distribution $P_{abc}$ (all entries positive, summing to 1); the result is $I(X; Y, Z)$ in nats",
        )
    ],
    sizes={"n": (2, 2, 3), "m": (2, 3, 2), "r": (2, 2, 2)},
    reference=_mi_reference,
    sampler=_sampler,
    exercise=_exercise,
    tags=("mutual-information", "kl", "chain-rule"),
    uses=("mutual-information-kl", "gibbs-inequality"),
)
def mutual_information_chain_rule(n: sp.Expr, m: sp.Expr, r: sp.Expr) -> Body:
    def total(expr: sp.Expr) -> sp.Expr:
        return sp.Sum(sp.Sum(sp.Sum(expr, (c, 1, r)), (b, 1, m)), (a, 1, n))

    def pair_total(expr: sp.Expr) -> sp.Expr:
        return sp.Sum(sp.Sum(expr, (b, 1, m)), (a, 1, n))

    first = sp.log(pxy[a, b] / (px[a] * py[b]))
    second = sp.log(P[a, b, c] * py[b] / (pxy[a, b] * pyz[b, c]))
    conditional = total(P[a, b, c] * second)
    return Body(
        definitions=(
            Definition(px, sp.Sum(sp.Sum(P[a, b, c], (c, 1, r)), (b, 1, m)), (a,), r"marginal of $X$"),
            Definition(py, sp.Sum(sp.Sum(P[a, b, c], (c, 1, r)), (a, 1, n)), (b,), r"marginal of $Y$"),
            Definition(pxy, sp.Sum(P[a, b, c], (c, 1, r)), (a, b), r"marginal of $(X, Y)$"),
            Definition(pyz, sp.Sum(P[a, b, c], (a, 1, n)), (b, c), r"marginal of $(Y, Z)$"),
            Definition(
                I_X_YZ,
                total(P[a, b, c] * sp.log(P[a, b, c] / (px[a] * pyz[b, c]))),
                (),
                r"information $(Y, Z)$ carries about $X$",
            ),
            Definition(I_XY, pair_total(pxy[a, b] * first), (), r"information $Y$ carries about $X$"),
            Definition(I_XZgY, conditional, (), r"what $Z$ adds once $Y$ is known"),
        ),
        indices={a: n, b: m, c: r},
        steps=(
            Step(
                lhs=I_X_YZ,
                rhs=total(P[a, b, c] * (first + second)),
                why=(
                    r"split the ratio: $\frac{P_{abc}}{p_X(a)\,p_{YZ}(b, c)} = \frac{p_{XY}(a, b)}{p_X(a)\,p_Y(b)} \cdot "
                    r"\frac{P_{abc}\,p_Y(b)}{p_{XY}(a, b)\,p_{YZ}(b, c)}$, and the logarithm of a product is a sum"
                ),
            ),
            Step(
                rhs=pair_total(sp.Sum(P[a, b, c], (c, 1, r)) * first) + conditional,
                why=r"the first logarithm does not depend on $c$: take it out of the sum over $c$",
            ),
            Step(rhs=pair_total(pxy[a, b] * first) + conditional, why=r"$\sum_c P_{abc} = p_{XY}(a, b)$"),
            Step(
                lhs=I_XZgY,
                rhs=sp.S.Zero,
                relation=">=",
                why=(
                    r"$I(X; Z \mid Y) = \sum_b p_Y(b)\,\KL\bigl(p(X, Z \mid b)\,\|\,p(X \mid b)\,p(Z \mid b)\bigr)$, "
                    r"a weighted sum of KL divergences (gibbs-inequality)"
                ),
            ),
        ),
        result=Step(
            lhs=I_X_YZ,
            rhs=I_XY + I_XZgY,
            why=r"recognise both terms of the third line; with the claim above, $I(X; Y, Z) \geq I(X; Y)$",
        ),
    )
