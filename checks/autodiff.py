"""An independent reverse-mode backprop on NumPy arrays.

Lets a loss written once with Python operators and the functions of
:mod:`checks.ops` be differentiated by backprop (``grad(f, *arrays)``), or
evaluated on plain (even complex) arrays for finite differences.  It shares
no code with derive's symbolic side, so agreement with it is independent
evidence.  Each primitive records its vector-Jacobian product beside its
forward value, micrograd-style.
"""
from __future__ import annotations

import numpy as np


def _unbroadcast(g, shape):
    """Sum `g` over the axes NumPy broadcast to reach it from `shape`."""
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for ax, s in enumerate(shape):
        if s == 1 and g.shape[ax] != 1:
            g = g.sum(axis=ax, keepdims=True)
    return g


class Var:
    """A value in the computation graph; `parents` holds (Var, vjp)."""

    __array_priority__ = 100  # so ndarray @ Var dispatches to Var

    def __init__(self, value, parents=()):
        self.value = np.asarray(value, dtype=float)
        self.parents = parents
        self.grad = None

    shape = property(lambda self: self.value.shape)
    T = property(lambda self: Var(self.value.T, [(self, lambda g: g.T)]))

    def __add__(self, o):
        o = _lift(o)
        return Var(self.value + o.value, [(self, lambda g: _unbroadcast(g, self.shape)),
                                         (o, lambda g: _unbroadcast(g, o.shape))])

    def __mul__(self, o):
        o = _lift(o)
        return Var(self.value * o.value, [(self, lambda g: _unbroadcast(g * o.value, self.shape)),
                                         (o, lambda g: _unbroadcast(g * self.value, o.shape))])

    def __matmul__(self, o):
        o = _lift(o)
        return Var(self.value @ o.value, [(self, lambda g: g @ o.value.T), (o, lambda g: self.value.T @ g)])

    def __neg__(self):
        return self * -1.0

    def __sub__(self, o):
        return self + (-_lift(o))

    def __truediv__(self, o):
        return self * _lift(o) ** -1.0

    def __pow__(self, k):
        assert np.isscalar(k), "only constant exponents"
        return Var(self.value ** k, [(self, lambda g: g * k * self.value ** (k - 1))])

    __radd__ = __add__
    __rmul__ = __mul__
    __rsub__ = lambda self, o: _lift(o) - self  # noqa: E731
    __rtruediv__ = lambda self, o: _lift(o) / self  # noqa: E731
    __rmatmul__ = lambda self, o: _lift(o) @ self  # noqa: E731

    def __getitem__(self, idx):
        def vjp(g):
            out = np.zeros_like(self.value)
            np.add.at(out, idx, g)
            return out
        return Var(self.value[idx], [(self, vjp)])


def _lift(x):
    return x if isinstance(x, Var) else Var(x)


def unary(x, value, dvalue):
    """A Var for elementwise y = h(x) with h'(x) = dvalue."""
    return Var(value, [(x, lambda g: g * dvalue)])


def reduce_sum(x, axis=None, keepdims=False):
    def vjp(g):
        if axis is not None and not keepdims:
            g = np.expand_dims(g, axis)
        return np.broadcast_to(g, x.shape).copy()
    return Var(x.value.sum(axis=axis, keepdims=keepdims), [(x, vjp)])


def backward(out):
    """Accumulate d(out)/d(node) into every node's .grad (out is scalar)."""
    order, seen = [], set()

    def visit(v):
        if id(v) in seen:
            return
        seen.add(id(v))
        for p, _ in v.parents:
            visit(p)
        order.append(v)

    visit(out)
    for v in order:
        v.grad = np.zeros_like(v.value)
    out.grad = np.ones_like(out.value)
    for v in reversed(order):
        for p, vjp in v.parents:
            p.grad = p.grad + vjp(v.grad)


def grad(f, *args):
    """(f(*args), [df/darg for each arg]) by backprop; f returns a scalar
    (or a 1x1 array)."""
    xs = [Var(a) for a in args]
    out = f(*xs)
    if out.value.size != 1:
        raise ValueError(f"grad needs a scalar output, got shape {out.value.shape}")
    backward(out)
    # an argument f does not use has gradient 0 (it is not in the graph)
    return float(out.value.reshape(())), [np.zeros_like(x.value) if x.grad is None else x.grad for x in xs]
