"""Rotation, scaling and shear of the plane: their composition, and the determinant as the area scale."""

from __future__ import annotations

import numpy as np
import sympy as sp

from symwork import Body, Exercise, Input, Step, derivation
from symwork.core.matrices import Det, Prod
from symwork.core.spec import Part
from symwork.publish.printing import latex

theta = sp.Symbol("theta", real=True)
s1, s2 = sp.symbols("s1 s2", positive=True)
h = sp.Symbol("h", real=True)


def _transformation_reference(theta: float, s1: float, s2: float, h: float) -> np.ndarray:
    # Apply the three maps to the standard basis one after another: the columns are the images of e1, e2.
    def rotate(v: np.ndarray) -> np.ndarray:
        return np.array([np.cos(theta) * v[0] - np.sin(theta) * v[1], np.sin(theta) * v[0] + np.cos(theta) * v[1]])

    def scale(v: np.ndarray) -> np.ndarray:
        return np.array([s1 * v[0], s2 * v[1]])

    def shear(v: np.ndarray) -> np.ndarray:
        return np.array([v[0] + h * v[1], v[1]])

    return np.stack([rotate(scale(shear(e))) for e in np.eye(2)], axis=1)


def _transformation_exercise(rng: np.random.Generator) -> Exercise:
    angle = [sp.pi / 6, sp.pi / 4, sp.pi / 3, sp.pi / 2, 2 * sp.pi / 3][int(rng.integers(0, 5))]
    scale_x, scale_y = (int(v) for v in rng.integers(1, 4, size=2))
    shear = int(rng.choice([-2, -1, 1, 2]))
    return Exercise(
        prompt=rf"A map of the plane first shears by $(x, y) \mapsto (x {'+' if shear > 0 else '-'} {abs(shear)}y, y)$, then scales the axes by $s_1 = {scale_x}$ and $s_2 = {scale_y}$, then rotates by $\theta = {latex(angle)}$.",
        values={"theta": angle, "s1": scale_x, "s2": scale_y, "h": shear},
        parts=(
            Part(name="M", ask="Find its matrix $M$."),
            # The area factor from the entries of the composed matrix, not from the claim det M = s1 s2.
            Part(name=r"|\det M|", ask="By what factor does it scale areas?", of=sp.Abs(Det(_composed())), reference=_area_factor),
        ),
    )


def _area_factor(theta: float, s1: float, s2: float, h: float) -> float:
    # The area of the image of the unit square: |cross product| of the images of e1 and e2.
    columns = _transformation_reference(theta, s1, s2, h)
    return float(abs(columns[0, 0] * columns[1, 1] - columns[1, 0] * columns[0, 1]))


def _composed() -> sp.ImmutableMatrix:
    """M = R_θ S H, entry by entry."""
    return sp.ImmutableMatrix(
        [
            [s1 * sp.cos(theta), s1 * h * sp.cos(theta) - s2 * sp.sin(theta)],
            [s1 * sp.sin(theta), s1 * h * sp.sin(theta) + s2 * sp.cos(theta)],
        ]
    )


@derivation(
    id="matrix-transformations",
    title="Rotation, scaling and shear",
    topic="linear-algebra",
    question=r"Let $R_\theta$ rotate the plane by $\theta$, $S = \diag(s_1, s_2)$ scale the axes and $H = \begin{bmatrix}1 & h\\ 0 & 1\end{bmatrix}$ shear. Compute the composition $M = R_\theta S H$ (shear first) and show that $\det M = s_1s_2$: rotations and shears preserve area, and $|\det M|$ is the area of the image of the unit square.",
    inputs=[
        Input("theta", (), "real", "rotation angle"),
        Input("s1", (), "positive", "scale of the first axis"),
        Input("s2", (), "positive", "scale of the second axis"),
        Input("h", (), "real", "shear factor; the result is the 2x2 matrix M = R S H"),
    ],
    reference=_transformation_reference,
    exercise=_transformation_exercise,
    tags=("rotation", "determinant", "composition"),
)
def matrix_transformations() -> Body:
    rotation = sp.ImmutableMatrix([[sp.cos(theta), -sp.sin(theta)], [sp.sin(theta), sp.cos(theta)]])
    scaling = sp.ImmutableMatrix([[s1, 0], [0, s2]])
    shear = sp.ImmutableMatrix([[1, h], [0, 1]])
    composed = _composed()
    c, s = sp.cos(theta), sp.sin(theta)
    return Body(
        steps=(
            Step(
                lhs=Det(Prod(rotation, scaling, shear)),
                rhs=Det(rotation) * Det(scaling) * Det(shear),
                why=r"$\det(XY) = \det X\det Y$",
            ),
            Step(rhs=(c**2 + s**2) * (s1 * s2) * 1, why=r"$2\times2$ determinants; $H$ is unit triangular"),
            Step(rhs=s1 * s2, why=r"$\cos^2\theta + \sin^2\theta = 1$: only the scaling changes areas"),
            Step(
                lhs=Det(composed),
                rhs=s1 * c * (s1 * h * s + s2 * c) - s1 * s * (s1 * h * c - s2 * s),
                why=r"the same area scale from the entries of $M$ below, $ad - bc$",
            ),
            Step(rhs=s1 * s2 * (c**2 + s**2), why=r"the shear terms $s_1^2 h\sin\theta\cos\theta$ cancel"),
        ),
        result=Step(
            lhs=Prod(rotation, scaling, shear),
            rhs=composed,
            why=r"compose right to left: $H$ then $S$ then $R_\theta$ (columns are the images of $\bm{e}_1, \bm{e}_2$)",
        ),
    )
