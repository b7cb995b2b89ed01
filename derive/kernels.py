"""NumPy kernels that generated code calls for derive's elementwise functions.

Numerically stable by construction and complex-safe (so complex-step
checks can run through generated code): sigmoid never exponentiates a large
positive number, softmax subtracts its max first (softmax-shift-invariance
is the theorem that makes this exact).
"""
from __future__ import annotations

import numpy as np


def sigmoid(x):
    x = np.asarray(x)
    if np.iscomplexobj(x):  # complex step: perturbation is tiny, plain form is exact
        return 1.0 / (1.0 + np.exp(-x))
    e = np.exp(-np.abs(x))  # in (0, 1]: no overflow for any x
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def step(x):
    """ReLU'(x): 1 where x > 0, else 0 (the notes' convention at 0)."""
    return (np.real(x) > 0).astype(float)


def relu(x):
    return np.where(np.real(x) > 0, x, 0.0)


def softmax(x, axis=0):
    z = x - np.max(np.real(x), axis=axis, keepdims=True)
    e = np.exp(z)
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(x, axis=0):
    z = x - np.max(np.real(x), axis=axis, keepdims=True)
    return z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))


def log_sigmoid(x):
    """log sigma(x) = -log(1 + e^{-x}), without overflow."""
    x = np.asarray(x)
    if np.iscomplexobj(x):
        return -np.log1p(np.exp(-x))
    return np.minimum(x, 0.0) - np.log1p(np.exp(-np.abs(x)))
