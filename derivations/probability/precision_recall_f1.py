"""The F1 score, the harmonic mean of precision and recall, in terms of the confusion counts."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp
from scipy import stats

from symwork import Body, Definition, Exercise, Input, Step, derivation
from symwork.core.spec import Part

TP, FP, FN = (sp.Symbol(name, positive=True) for name in ("TP", "FP", "FN"))
precision, recall, F1 = sp.Symbol("P"), sp.Symbol("R"), sp.Symbol("F_1")


def _f1_reference(TP: Any, FP: Any, FN: Any) -> float:  # noqa: N803 - the usual names of the counts
    # The definition: the harmonic mean of precision and recall.
    return float(stats.hmean([float(TP) / (float(TP) + float(FP)), float(TP) / (float(TP) + float(FN))]))


def _precision(TP: Any, FP: Any, FN: Any) -> float:  # noqa: N803
    return float(TP) / (float(TP) + float(FP))


def _recall(TP: Any, FP: Any, FN: Any) -> float:  # noqa: N803
    return float(TP) / (float(TP) + float(FN))


def _exercise(rng: np.random.Generator) -> Exercise:
    # TP ≥ 1 keeps precision and recall defined and non-zero; FP or FN may be 0.
    values = {
        "TP": sp.Integer(int(rng.integers(1, 21))),
        "FP": sp.Integer(int(rng.integers(0, 11))),
        "FN": sp.Integer(int(rng.integers(0, 11))),
    }
    return Exercise(
        prompt=(
            rf"A classifier makes ${values['TP']}$ true positives, ${values['FP']}$ false positives and ${values['FN']}$ false "
            r"negatives on a test set."
        ),
        values=values,
        parts=(
            Part(name="P", ask="Compute its precision $P$.", of=precision, reference=_precision),
            Part(name="R", ask="Compute its recall $R$.", of=recall, reference=_recall),
            Part(name="F_1", ask="Compute its $F_1$ score."),
        ),
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
    exercise=_exercise,
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
