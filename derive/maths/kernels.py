"""NumPy kernels that generated code calls for derive's elementwise functions.

Numerically stable by construction and complex-safe (so complex-step
checks can run through generated code): sigmoid never exponentiates a large
positive number, softmax subtracts its max first (softmax-shift-invariance
is the theorem that makes this exact).
"""
from __future__ import annotations

import numpy as np


def _array(x):
    return x if type(x) is np.ndarray else np.asarray(x)


def sigmoid(x):
    x = _array(x)
    if x.dtype.kind == "c":  # complex step: perturbation is tiny, plain form is exact
        return 1.0 / (1.0 + np.exp(-x))
    e = np.exp(-np.abs(x))  # in (0, 1]: no overflow for any x
    r = 1.0 / (1.0 + e)
    return np.where(x >= 0, r, e * r)


def step(x):
    """ReLU'(x): 1 where x > 0, else 0 (the notes' convention at 0)."""
    return (np.real(x) > 0).astype(float)


def relu(x):
    return np.where(np.real(x) > 0, x, 0.0)


def _shifted(x, axis):
    """x minus its max along axis (the real part's max, so complex steps pass)."""
    x = _array(x)
    return x - (x.real if x.dtype.kind == "c" else x).max(axis=axis, keepdims=True)


def softmax(x, axis=0):
    e = np.exp(_shifted(x, axis))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(x, axis=0):
    z = _shifted(x, axis)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def log_sigmoid(x):
    """log sigma(x) = -log(1 + e^{-x}), without overflow."""
    x = _array(x)
    if x.dtype.kind == "c":
        return -np.log1p(np.exp(-x))
    return np.minimum(x, 0.0) - np.log1p(np.exp(-np.abs(x)))


def softplus(x):
    """log(1 + e^x) without overflow: max(x, 0) + log1p(e^{-|x|})."""
    x = _array(x)
    if x.dtype.kind == "c":
        return np.log1p(np.exp(x))
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def logsumexp(x, axis=None):
    """log of the sum of e^x (over all entries, or along axis keeping it), shifted by the max."""
    x = _array(x)
    re = x.real if x.dtype.kind == "c" else x
    m = re.max() if axis is None else re.max(axis=axis, keepdims=True)
    out = m + np.log(np.exp(x - m).sum(axis=axis, keepdims=axis is not None))
    return out
