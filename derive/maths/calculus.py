"""The partial derivative of a scalar expression by SymPy's own rules, each
subexpression once.

SymPy's ``diff`` builds a ``Derivative`` at every node and asks whether the
result is zero, an assumption query over the whole subtree: on the
index-level sums and the element-level expressions of the checks, that query
is most of its time.  ``derivative`` applies the rules SymPy's nodes apply
(``Add``, ``Mul``, ``Pow`` and ``Function._eval_derivative``; ``Sum`` term
by term over one limit at a time; an entry of a matrix symbol by Kronecker
deltas), with the same argument order, memoised per subexpression, and
hands every other kind of node to SymPy's ``diff``: no rule here that SymPy
does not use.  tests/test_calculus.py checks that the two agree.
"""
from __future__ import annotations

import functools

import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

from derive.maths import dag
from derive.maths import functions as fn

# functions whose fdiff is their derivative with respect to each argument
_CHAIN = (sp.exp, sp.log, sp.tanh, sp.sin, sp.cos, sp.sinh, sp.cosh,
          fn.sigmoid, fn.dsigmoid, fn.relu, fn.step, fn.softplus, fn.absolute, fn.f, fn.g)
_ZERO, _ONE = sp.Integer(0), sp.Integer(1)


def _entry(e):
    return isinstance(e, MatrixElement) and isinstance(e.parent, sp.MatrixSymbol)


def derivative(e, x, *more):
    """d e / d x (then d/d each of `more`) for a scalar expression e and a
    Symbol or an entry of a matrix symbol x (at integer or symbolic indices)."""
    out = _derivative(e, x)
    for y in more:
        out = _derivative(out, y)
    return out


@functools.lru_cache(maxsize=4096)  # the checks of a record take the same derivative (symbolic, route, derived)
def _derivative(e, x):
    if not isinstance(e, sp.Basic):
        return _ZERO  # a Python number
    if not (x.is_Symbol or _entry(x)):
        return sp.diff(e, x)
    indices = x.free_symbols - {x.parent} if _entry(x) else set()
    memo = {}

    def d(e):
        if e == x:
            return _ONE
        got = memo.get(e)
        if got is not None:
            return got
        if e.is_Atom:
            out = _ZERO
        elif _entry(e) and not (x.is_Symbol and x in e.free_symbols):
            # MatrixElement._eval_derivative: another matrix is 0; the same, deltas
            if _entry(x) and e.parent == x.parent:
                m, n = e.parent.shape
                out = (sp.KroneckerDelta(e.indices[0], x.indices[0], (0, m - 1))
                       * sp.KroneckerDelta(e.indices[1], x.indices[1], (0, n - 1)))
            else:
                out = _ZERO
        elif e.is_Add:
            out = sp.Add(*[d(a) for a in e.args])
        elif e.is_Mul:
            args = e.args
            out = sp.Add(*[sp.Mul(*args[:k], da, *args[k + 1:])
                           for k, da in ((k, d(a)) for k, a in enumerate(args)) if da != 0])
        elif e.is_Pow:
            base, power = e.args
            db, dp = d(base), d(power)
            if dp == 0:  # SymPy's e*(dp*log(base) + ...) with its 0*log(base) left out: building log asks assumptions
                out = e * (db * power / base) if db != 0 else _ZERO
            else:
                out = e * (dp * sp.log(base) + db * power / base)
        elif isinstance(e, _CHAIN):
            out = sp.Add(*[e.fdiff(k + 1) * da for k, da in ((k, d(a)) for k, a in enumerate(e.args)) if da != 0])
        elif isinstance(e, sp.KroneckerDelta) and not (e.free_symbols & ({x} | indices)):
            out = _ZERO  # a function of indices only
        elif isinstance(e, sp.Sum) and _plain_sum(e, x, indices):
            # Sum._eval_derivative: the last limit's sum of the derivative
            *inner, last = e.limits
            body = e.function if not inner else dag.sum_of(e.function, *inner)
            db = d(body)
            out = dag.sum_of(db, last) if db != 0 else _ZERO
        else:  # Abs, Piecewise, Max, a Sum that binds x's indices, ...: SymPy's own rule
            out = sp.diff(e, x)
        memo[e] = out
        return out

    return d(e)


def _plain_sum(e, x, indices):
    """No limit depends on x, and no bound index is one of x's indices."""
    bound = {v for v, _, _ in e.limits}
    limits = set().union(*(a.free_symbols | b.free_symbols for _, a, b in e.limits))
    return not (bound & indices) and not (limits & ({x} | indices)) and not (x.is_Symbol and x in bound)
