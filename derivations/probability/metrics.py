"""Evaluation metrics: perplexity and bits per token of a language model, and the F1 score of a classifier."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp
from scipy import stats

from symwork import Body, Definition, Exercise, Input, Step, derivation, exact_answer

# --- perplexity ----------------------------------------------------------------------------------

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


def _perplexity_exercise(rng: np.random.Generator) -> Exercise:
    # Probabilities 2^{-k} make the perplexity a power of 2 and the bits per token a simple fraction.
    tokens = int(rng.integers(2, 5))
    powers = [int(k) for k in rng.integers(1, 5, size=tokens)]
    probabilities = [sp.Rational(1, 2**k) for k in powers]
    values = {"logp": [sp.log(prob) for prob in probabilities]}
    answer = exact_answer(perplexity, values)
    listed = ", ".join(sp.latex(prob) for prob in probabilities)
    return Exercise(
        prompt=(
            rf"A language model assigns the probabilities $({listed})$ to the $N = {tokens}$ observed tokens of a text. "
            r"Compute the mean negative log-likelihood, the bits per token and the perplexity."
        ),
        values=values,
        answer=answer,
        answer_label=r"\mathrm{PPL}",
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
    exercise=_perplexity_exercise,
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


# --- precision, recall and F1 ---------------------------------------------------------------------

TP, FP, FN = (sp.Symbol(name, positive=True) for name in ("TP", "FP", "FN"))
precision, recall, F1 = sp.Symbol("P"), sp.Symbol("R"), sp.Symbol("F_1")


def _f1_reference(TP: Any, FP: Any, FN: Any) -> float:  # noqa: N803 - the usual names of the counts
    # The definition: the harmonic mean of precision and recall.
    return float(stats.hmean([float(TP) / (float(TP) + float(FP)), float(TP) / (float(TP) + float(FN))]))


def _f1_exercise(rng: np.random.Generator) -> Exercise:
    # TP ≥ 1 keeps precision and recall defined and non-zero; FP or FN may be 0.
    values = {
        "TP": sp.Integer(int(rng.integers(1, 21))),
        "FP": sp.Integer(int(rng.integers(0, 11))),
        "FN": sp.Integer(int(rng.integers(0, 11))),
    }
    answer = exact_answer(precision_recall_f1, values)
    return Exercise(
        prompt=(
            rf"A classifier makes ${values['TP']}$ true positives, ${values['FP']}$ false positives and ${values['FN']}$ false "
            r"negatives on a test set. Compute its precision, recall and $F_1$ score."
        ),
        values=values,
        answer=answer,
        answer_label="F_1",
    )


@derivation(
    id="precision-recall-f1",
    title="Precision, recall and the F1 score",
    topic="probability",
    question=(
        r"With $TP$ true positives, $FP$ false positives and $FN$ false negatives, precision is $P = TP/(TP + FP)$ and "
        r"recall $R = TP/(TP + FN)$. Show that their harmonic mean is $F_1 = 2PR/(P + R) = 2\,TP/(2\,TP + FP + FN)$."
    ),
    inputs=[
        Input("TP", (), "count", "true positives"),
        Input("FP", (), "count", "false positives"),
        Input("FN", (), "count", "false negatives; the result is the scalar $F_1$"),
    ],
    reference=_f1_reference,
    exercise=_f1_exercise,
    tags=("f1", "precision", "recall", "evaluation"),
)
def precision_recall_f1() -> Body:
    return Body(
        definitions=(
            Definition(F1, 2 / (1 / precision + 1 / recall), (), "harmonic mean of precision and recall"),
            Definition(precision, TP / (TP + FP), (), "precision"),
            Definition(recall, TP / (TP + FN), (), "recall"),
        ),
        steps=(
            Step(
                lhs=F1,
                rhs=2 * precision * recall / (precision + recall),
                why=r"multiply numerator and denominator by $PR$",
            ),
            Step(
                rhs=2 * (TP / (TP + FP)) * (TP / (TP + FN)) / (TP / (TP + FP) + TP / (TP + FN)),
                why=r"substitute $P$ and $R$",
            ),
            Step(
                rhs=2 * TP**2 / (TP * (TP + FN) + TP * (TP + FP)),
                why=r"multiply numerator and denominator by $(TP + FP)(TP + FN)$",
            ),
        ),
        result=Step(rhs=2 * TP / (2 * TP + FP + FN), why=r"cancel $TP$ and collect the denominator"),
    )
