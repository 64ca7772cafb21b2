"""Perplexity is exp of the mean negative log-likelihood; bits per token are that mean over ln 2."""

from __future__ import annotations

import numpy as np
import sympy as sp
from scipy import stats

from symwork import Body, Definition, Exercise, Input, Step, derivation
from symwork.core.spec import Part

i = sp.Symbol("i", integer=True, positive=True)
logp = sp.IndexedBase("logp")
p = sp.IndexedBase("p")
NLL = sp.Symbol(r"\overline{\mathrm{NLL}}")


def _log_probability_sampler(rng: np.random.Generator, N: int) -> dict[str, np.ndarray]:  # noqa: N803 - N tokens
    # Log-probabilities are at most 0; the default "real" domain would give probabilities above 1.
    return {"logp": np.log(rng.uniform(0.05, 1.0, N))}


def _perplexity_reference(logp: np.ndarray) -> float:
    # The definition: the inverse geometric mean of the token probabilities.
    return float(1.0 / stats.gmean(np.exp(np.asarray(logp, dtype=float))))


def _nats(logp: np.ndarray) -> float:
    return float(-np.mean(logp))


def _bits(logp: np.ndarray) -> float:
    return float(-np.mean(np.log2(np.exp(logp))))


def _exercise(rng: np.random.Generator) -> Exercise:
    # Probabilities 2^{-k} make the perplexity a power of 2 and the bits per token a simple fraction.
    tokens = int(rng.integers(2, 5))
    powers = [int(k) for k in rng.integers(1, 5, size=tokens)]
    probabilities = [sp.Rational(1, 2**k) for k in powers]
    listed = ", ".join(sp.latex(prob) for prob in probabilities)
    return Exercise(
        prompt=(
            rf"A language model assigns the probabilities $({listed})$ to the $N = {tokens}$ observed tokens of a text."
        ),
        values={"logp": [sp.log(prob) for prob in probabilities]},
        parts=(
            Part(name=r"\overline{\mathrm{NLL}}", ask="Compute the mean negative log-likelihood, in nats (natural logarithms).", of=NLL, reference=_nats),
            Part(name=r"\text{bits per token}", ask="Compute the bits per token.", of=NLL / sp.log(2), reference=_bits),
            Part(name=r"\mathrm{PPL}", ask="Compute the perplexity."),
        ),
    )


@derivation(
    id="perplexity",
    title="Perplexity and bits per token",
    topic="probability",
    question=(
        r"A model gives the observed tokens probabilities $p_1, \dots, p_N$. Show that the perplexity "
        r"$\bigl(\prod_i p_i\bigr)^{-1/N}$ (the inverse geometric mean) is $\exp$ of the mean negative log-likelihood "
        r"$\overline{\mathrm{NLL}} = -\frac1N \sum_i \ln p_i$, and that the bits per token are $\overline{\mathrm{NLL}}/\ln 2$."
    ),
    inputs=[
        Input(
            "logp",
            ("N",),
            "real",
            "natural-log probabilities $\\ln p_i \\le 0$ of the observed tokens; the result is the perplexity",
        )
    ],
    sizes={"N": (2, 3, 5)},
    reference=_perplexity_reference,
    sampler=_log_probability_sampler,
    exercise=_exercise,
    tags=("perplexity", "language-model", "evaluation"),
)
def perplexity(N: sp.Expr) -> Body:  # noqa: N803 - N is the number of tokens
    inverse_geometric_mean = sp.Product(p[i], (i, 1, N)) ** (-1 / N)
    return Body(
        definitions=(
            Definition(p, sp.exp(logp[i]), (i,), "probability of the $i$-th observed token"),
            Definition(NLL, -sp.Sum(logp[i], (i, 1, N)) / N, (), "mean negative log-likelihood (nats per token)"),
        ),
        indices={i: N},
        steps=(
            Step(
                lhs=inverse_geometric_mean,
                rhs=sp.exp(-sp.log(sp.Product(p[i], (i, 1, N))) / N),
                why=r"$a = e^{\ln a}$ for $a > 0$",
            ),
            Step(rhs=sp.exp(-sp.Sum(sp.log(p[i]), (i, 1, N)) / N), why="the log of a product is the sum of the logs"),
            Step(
                lhs=sp.log(inverse_geometric_mean, 2),
                rhs=-sp.Sum(sp.log(p[i]), (i, 1, N)) / (N * sp.log(2)),
                why=r"bits per token: change of base, $\log_2 a = \ln a / \ln 2$",
            ),
            Step(rhs=NLL / sp.log(2), why=r"recognise the mean NLL, in nats"),
        ),
        result=Step(
            lhs=inverse_geometric_mean,
            rhs=sp.exp(NLL),
            why=r"by the second line; equivalently $2^{\text{bits per token}}$",
        ),
    )
