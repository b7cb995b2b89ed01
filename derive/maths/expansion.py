"""SymPy's ``expand``, each subexpression's pass remembered.

``Expr.expand`` makes one pass over the whole tree per hint (basic, log,
multinomial, mul, power_base, power_exp), then repeats the multinomial, mul
and log passes until nothing changes.  A pass is a pure function of the
subtree and the hint, but SymPy remembers only the whole expression's
expansion: the normal form expands ``a - b`` after expanding ``a``, and the
inside of every activation again after the outer expansion, so most of its
time went to walking trees it had already expanded.  ``expand`` here runs
the same passes in the same order, calling the same node methods with the
same hints, and remembers each (subtree, hint) pass: its output is SymPy's
(tests/test_expansion.py compares the two).
"""
from __future__ import annotations

import functools

import sympy as sp
from sympy.concrete.expr_with_limits import AddWithLimits

# Expr.expand's defaults, passed to every node method as SymPy passes them
_HINTS = {"power_base": True, "power_exp": True, "mul": True, "log": True, "multinomial": True, "basic": True}
# SymPy's order: the hints sorted, multinomial before mul ("mul" sorts as "mulz")
_ORDER = tuple("_eval_expand_" + h for h in sorted(_HINTS, key=lambda h: "mulz" if h == "mul" else h))
_AGAIN = ("_eval_expand_multinomial", "_eval_expand_mul", "_eval_expand_log")


def expand(e):
    """sp.expand(e), with each pass over a subtree computed once per process."""
    if not isinstance(e, sp.Expr):
        return sp.expand(e)
    for hint in _ORDER:
        e = _pass(e, hint)[0]
    while True:
        was = e
        for hint in _AGAIN:
            e = _pass(e, hint)[0]
        if e == was:
            return e


def _pass(expr, hint):
    try:
        return _remembered(expr, hint)
    except TypeError:  # an unhashable argument (a mutable matrix): not remembered
        return _hint(expr, hint)


@functools.lru_cache(maxsize=1 << 16)
def _remembered(expr, hint):
    return _hint(expr, hint)


def _hint(expr, hint):
    """Expr._expand_hint(expr, hint, deep=True, **hints): the children first,
    then the node's own method; (result, whether anything changed)."""
    hit = False
    if getattr(expr, "args", ()) and not expr.is_Atom:
        sargs = []
        for arg in expr.args:
            arg, arghit = _pass(arg, hint)
            hit |= arghit
            sargs.append(arg)
        if hit:
            expr = expr.func(*sargs)
    if hasattr(expr, hint):
        if hint == "_eval_expand_basic" and type(expr)._eval_expand_basic is _SUM_BASIC:
            new = _sum_basic(expr)
        else:
            new = getattr(expr, hint)(**_HINTS)
        if new != expr:
            return new, True
    return expr, hit


_SUM_BASIC = AddWithLimits._eval_expand_basic


def _sum_basic(s):
    """AddWithLimits._eval_expand_basic (a Sum of terms is a sum of Sums), its
    summand expanded here, with the passes remembered, instead of by a fresh
    Expr.expand that walks the summand again."""
    summand = expand(s.function)
    if summand.is_Add and summand.is_commutative and s.has_finite_limits is not False:
        return sp.Add(*[s.func(t, *s.limits) for t in summand.args])
    if isinstance(summand, sp.MatrixBase):
        return summand.applyfunc(lambda x: s.func(x, *s.limits))
    if summand != s.function:
        return s.func(summand, *s.limits)
    return s
