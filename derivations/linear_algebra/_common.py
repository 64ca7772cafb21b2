"""Shared helpers for the linear-algebra derivations: Jacobi eigenvalues and rational rotations for exercise draws."""

from __future__ import annotations

import numpy as np


def jacobi_eigh(matrix: np.ndarray, *, sweeps: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (ascending) and orthonormal eigenvectors of a symmetric matrix by cyclic Jacobi rotations.

    An algorithm independent of LAPACK's, so that it can be checked against ``np.linalg.eigh``.
    """
    a = np.array(matrix, dtype=float)
    size = a.shape[0]
    q = np.eye(size)
    for _ in range(sweeps):
        off = np.sqrt(np.sum(np.tril(a, -1) ** 2))
        if off <= 1e-15 * max(1.0, np.linalg.norm(a)):
            break
        for p in range(size - 1):
            for r in range(p + 1, size):
                if a[p, r] == 0.0:
                    continue
                # The rotation angle that zeroes a[p, r] (Golub & Van Loan, Algorithm 8.4.1).
                tau = (a[r, r] - a[p, p]) / (2.0 * a[p, r])
                t = np.sign(tau) / (abs(tau) + np.sqrt(1.0 + tau * tau)) if tau != 0 else 1.0
                c = 1.0 / np.sqrt(1.0 + t * t)
                s = t * c
                rotation = np.eye(size)
                rotation[p, p] = rotation[r, r] = c
                rotation[p, r], rotation[r, p] = s, -s
                a = rotation.T @ a @ rotation
                q = q @ rotation
    order = np.argsort(np.diag(a))
    return np.diag(a)[order], q[:, order]


def pythagorean_rotation(rng: np.random.Generator) -> tuple[int, int, int]:
    """A Pythagorean triple (p, q, h), shuffled and signed, so that [[p, -q], [q, p]]/h is a rational rotation."""
    p, q, h = [(3, 4, 5), (5, 12, 13), (8, 15, 17)][int(rng.integers(0, 3))]
    if rng.integers(0, 2):
        p, q = q, p
    return p * int(rng.choice([-1, 1])), q * int(rng.choice([-1, 1])), h
