"""The parameter count of a LoRA update ΔW = BA: r(m + n) trainable parameters instead of mn."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Exercise, Input, Step, derivation
from symwork.core.spec import Part


def _lora_reference(m: float, n: float, r: float) -> np.ndarray:
    # Count the entries of actual factor arrays B (m×r) and A (r×n) against a full m×n update.
    B, A, full = np.zeros((int(m), int(r))), np.zeros((int(r), int(n))), np.zeros((int(m), int(n)))
    return np.array([B.size + A.size, (B.size + A.size) / full.size])


def _lora_exercise(rng: np.random.Generator) -> Exercise:
    m, n = (int(v) for v in rng.choice([512, 768, 1024, 2048, 4096], size=2))
    r = int(rng.choice([2, 4, 8, 16, 32]))
    return Exercise(
        prompt=rf"A frozen weight $W_0 \in \R^{{{m}\times{n}}}$ is fine-tuned with a LoRA update $\Delta W = BA$ of rank $r = {r}$.",
        values={"m": m, "n": n, "r": r},
        parts=(
            Part(name=r"P_{\mathrm{LoRA}}", ask="How many parameters are trained?", of=0),
            Part(name=r"P_{\mathrm{LoRA}}/P_{\mathrm{full}}", ask="What fraction of a full update of $W_0$ is that?", of=1),
        ),
    )


@derivation(
    id="lora-parameter-count",
    title="Parameter count of a LoRA update",
    topic="linear-algebra",
    question=r"A LoRA update of $W_0 \in \R^{m\times n}$ is $\Delta W = BA$ with $B \in \R^{m\times r}$ and $A \in \R^{r\times n}$. Show that $\rank(\Delta W) \le r$, that it trains $r(m+n)$ parameters instead of $mn$, a fraction $r/m + r/n$, and that it saves parameters exactly when $r < mn/(m+n)$.",
    inputs=[
        Input("m", (), "count", "rows of the weight (output size)"),
        Input("n", (), "count", "columns of the weight (input size)"),
        Input("r", (), "count", "rank of the update; the result is (trainable parameters, fraction of m n)"),
    ],
    reference=_lora_reference,
    exercise=_lora_exercise,
    tags=("lora", "low-rank", "fine-tuning"),
)
def lora_parameter_count() -> Body:
    m, n, r = sp.symbols("m n r", positive=True)
    lora = m * r + r * n
    return Body(
        steps=(
            Step(
                lhs=m * n - lora,
                rhs=m * n - r * (m + n),
                why=r"$B$ has $mr$ entries and $A$ has $rn$; every column of $BA$ is a combination of the $r$ columns of $B$, so $\rank(BA) \le r$",
            ),
            Step(
                rhs=(m + n) * (m * n / (m + n) - r),
                why=r"factor out $m + n$: positive exactly when $r < mn/(m+n)$",
            ),
            Step(lhs=lora / (m * n), rhs=r / n + r / m, why=r"divide by $mn$ and split the fraction"),
        ),
        result=Step(
            lhs=sp.ImmutableMatrix([lora, lora / (m * n)]),
            rhs=sp.ImmutableMatrix([r * (m + n), r / m + r / n]),
            why=r"parameters and fraction; for $m = n = d$ the fraction is $2r/d$",
        ),
    )
