"""A loss typed in the language, run by checks/' independent backprop.

The numeric check of a derived gradient needs the loss itself as NumPy: this
module walks the parsed tree and calls :mod:`checks.ops` (plain arrays for
finite differences and complex steps, ``checks.autodiff.Var`` for backprop).
It shares the parser with the symbolic side and nothing else: no SymPy, no
derivation rule, no generated code.
"""
from __future__ import annotations

import numpy as np

from checks import ops as F
from checks.autodiff import Var


def _value(x):
    return x.value if isinstance(x, Var) else np.asarray(x)


def _const(x):
    """A step's value: constant (no gradient flows through a comparison)."""
    return (np.real(_value(x)) > 0).astype(float)


class _Run:
    def __init__(self, values, shapes):
        self.values, self.shapes = values, shapes
        self.memo = {}

    def size(self, d):
        """A size by name: read off an array that has it."""
        if isinstance(d, int):
            return d
        for name, spec in self.shapes.items():
            for axis, s in enumerate(spec):
                if s == d:
                    return np.shape(_value(self.values[name]))[axis]
        raise KeyError(f"no array carries the size {d}")

    def __call__(self, e):
        if e not in self.memo:
            self.memo[e] = self._eval(e)
        return self.memo[e]

    def _eval(self, e):
        op, r = e.op, self
        if op == "var":
            return self.values[e.attrs[0]]
        if op == "num":
            return float(e.attrs[0])
        if op == "size":
            return float(self.size(e.attrs[0]))
        if op in ("+", "-", "*", "/", "**", "@"):
            a, b = r(e.args[0]), r(e.args[1])
            if op == "**":
                return a ** float(_value(b)) if not isinstance(b, Var) else F.exp(b * F.log(a))
            return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b,
                    "@": lambda: a @ b}[op]()
        if op == "neg":
            return -r(e.args[0])
        if op == "T":
            a = r(e.args[0])
            return a.T if np.ndim(_value(a)) == 2 else a
        if op == "cmp":
            a, b = _value(r(e.args[0])), _value(r(e.args[1]))
            d = {">": a - b, "<": b - a, ">=": a - b, "<=": b - a}[e.attrs[0]]
            if e.attrs[0] in (">", "<"):
                return _const(d)
            return 1.0 - _const(-d)
        a = r(e.args[0]) if e.args else None
        if op == "fn":
            name = e.attrs[0]
            table = {
                "exp": F.exp, "log": F.log, "tanh": F.tanh, "sigmoid": F.sigmoid, "relu": F.relu,
                "sin": F.sin, "cos": F.cos, "abs": F.abs,
                "sqrt": lambda x: x ** 0.5,
                "softplus": lambda x: F.log(1.0 + F.exp(x)),
                "step": _const, "sign": lambda x: np.sign(np.real(_value(x))),
                # an unspecified f is checked as one concrete choice (sigma; g as tanh)
                "f": F.sigmoid, "fprime": lambda x: F.sigmoid(x) * (1.0 - F.sigmoid(x)),
                "g": F.tanh, "gprime": lambda x: 1.0 - F.tanh(x) * F.tanh(x),
            }
            return table[name](a)
        if op in ("sum", "mean"):
            axis = e.attrs[0]
            if np.ndim(_value(a)) == 0:
                return a
            return (F.sum if op == "sum" else F.mean)(a, axis=axis, keepdims=axis is not None)
        if op == "logsumexp":
            axis = e.attrs[0]
            if np.ndim(_value(a)) == 0:
                return a
            return F.log(F.sum(F.exp(a), axis=axis, keepdims=axis is not None))
        if op == "softmax":
            return F.softmax(a, axis=e.attrs[0])
        if op == "log_softmax":
            return a - F.log(F.sum(F.exp(a), axis=e.attrs[0], keepdims=True))
        if op == "trace":
            n = np.shape(_value(a))[0]
            return F.sum(a * np.eye(n))
        if op == "inv":
            return F.inv(a)
        if op == "det":
            return F.det(a)
        if op == "logdet":
            return F.log(F.det(a))
        if op == "diag":
            shape = np.shape(_value(a))
            if e.shape[1] == 1 and shape[0] == shape[1] and shape != (1, 1):
                return F.sum(a * np.eye(shape[0]), axis=1, keepdims=True)
            n = max(shape)
            return (a if shape[1] == 1 else a.T) * np.eye(n)
        if op == "eye":
            return np.eye(self.size(e.attrs[0]))
        if op == "ones":
            return np.ones((self.size(e.attrs[0]), self.size(e.attrs[1])))
        raise ValueError(f"no numeric form for {op}")


def runner(e, shapes):
    """f(values) for tree e, with `shapes` ({name: parsed shape}) telling
    which array carries which size."""
    def f(values):
        return _Run(values, shapes)(e)
    return f
