"""Functions for writing a loss once and running it two ways.

Each works on plain NumPy arrays (real or complex: complex step passes
through) and on :class:`checks.autodiff.Var` (backprop).  A reference loss
is written as ``lambda F, W, x: F.sum(F.sigmoid(W @ x))`` with ``F`` this
module.
"""
from __future__ import annotations

import numpy as np

from .autodiff import Var, reduce_sum, unary


def exp(x):
    if isinstance(x, Var):
        v = np.exp(x.value)
        return unary(x, v, v)
    return np.exp(x)


def log(x):
    if isinstance(x, Var):
        return unary(x, np.log(x.value), 1.0 / x.value)
    return np.log(x)


def sigmoid(x):
    if isinstance(x, Var):
        s = 1.0 / (1.0 + np.exp(-x.value))
        return unary(x, s, s * (1.0 - s))
    return 1.0 / (1.0 + np.exp(-x))


def tanh(x):
    if isinstance(x, Var):
        t = np.tanh(x.value)
        return unary(x, t, 1.0 - t * t)
    return np.tanh(x)


def relu(x):
    """max(0, x); derivative 0 at x = 0 (the notes' convention)."""
    if isinstance(x, Var):
        return unary(x, np.maximum(x.value, 0.0), (x.value > 0).astype(float))
    return np.where(np.real(x) > 0, x, 0.0)


def sin(x):
    if isinstance(x, Var):
        return unary(x, np.sin(x.value), np.cos(x.value))
    return np.sin(x)


def cos(x):
    if isinstance(x, Var):
        return unary(x, np.cos(x.value), -np.sin(x.value))
    return np.cos(x)


def sum(x, axis=None, keepdims=False):  # noqa: A001 - mirrors np.sum
    if isinstance(x, Var):
        return reduce_sum(x, axis, keepdims)
    return np.sum(x, axis=axis, keepdims=keepdims)


def mean(x, axis=None, keepdims=False):
    n = (x.value if isinstance(x, Var) else np.asarray(x)).size if axis is None else x.shape[axis]
    return sum(x, axis, keepdims) * (1.0 / n)


def softmax(x, axis=0):
    e = exp(x)
    return e / sum(e, axis=axis, keepdims=True)


def abs(x):  # noqa: A001 - mirrors np.abs
    """|x|, written x * sign(re x) so that a complex step passes through."""
    if isinstance(x, Var):
        s = np.sign(x.value)
        return unary(x, np.abs(x.value), s)
    return x * np.sign(np.real(x))


def inv(x):
    """The inverse of a square matrix; d inv(X) = -inv(X) dX inv(X)."""
    if isinstance(x, Var):
        y = np.linalg.inv(x.value)
        return Var(y, [(x, lambda g: -y.T @ g @ y.T)])
    return np.linalg.inv(x)


def det(x):
    """det(X); d det(X) = det(X) tr(inv(X) dX)."""
    if isinstance(x, Var):
        d = np.linalg.det(x.value)
        return Var(d, [(x, lambda g: g * d * np.linalg.inv(x.value).T)])
    return np.linalg.det(x)
