"""The ML functions as SymPy functions, one class each, and the registry that parsers and printers read."""

from __future__ import annotations

from symwork.core.activations import Phi, gelu, phi, relu, sigmoid
from symwork.core.mlfunction import MLFunction, Notation
from symwork.core.normalisers import logsumexp, softmax, softmax_vector

__all__ = [
    "ML_FUNCTIONS",
    "MLFunction",
    "Notation",
    "Phi",
    "gelu",
    "logsumexp",
    "phi",
    "relu",
    "sigmoid",
    "softmax",
    "softmax_vector",
]

#: Every ML function by name. Each class carries its derivative, rewrites, LaTeX, numpy and mpmath
#: code and the names people type for it (`notation`); nothing else lists them.
ML_FUNCTIONS: dict[str, type[MLFunction]] = {
    cls.__name__: cls for cls in (sigmoid, relu, gelu, Phi, phi, logsumexp, softmax)
}
