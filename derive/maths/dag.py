"""Walks of a SymPy expression that visit each distinct subexpression once.

SymPy's ``atoms``, ``has``, ``free_symbols``, ``xreplace`` and ``replace``
walk the expression as a tree.  The explicit matrices of a deep network are
DAGs: an entry of layer k's activation appears in every entry of layer k + 1,
so at 2 x 3 sizes the derivative of a 4-layer chain has ~200 distinct nodes
and ~50 000 tree nodes, and every tree walk is exponential in the depth.
These walk the DAG (equal subtrees are one node: SymPy caches hashes), with
the same answers as SymPy's (tests/test_dag.py).
"""
from __future__ import annotations

import functools

import sympy as sp


def _roots(es):
    for e in es:
        if isinstance(e, sp.MatrixBase):
            yield from e
        elif isinstance(e, sp.Basic):
            yield e


def nodes(*es):
    """Each distinct subexpression of the expressions (entries of a matrix), once."""
    seen, stack = set(), list(_roots(es))
    while stack:
        e = stack.pop()
        if e in seen:
            continue
        seen.add(e)
        stack.extend(e.args)
    return seen


def atoms(types, *es):
    """The subexpressions of these types (SymPy's e.atoms(*types))."""
    return {n for n in nodes(*es) if isinstance(n, types)}


def has(types, *es):
    """Some subexpression is of one of these types (SymPy's e.has(*types))."""
    seen, stack = set(), list(_roots(es))
    while stack:
        e = stack.pop()
        if e in seen:
            continue
        if isinstance(e, types):
            return True
        seen.add(e)
        stack.extend(e.args)
    return False


# node kinds whose free symbols are those of their arguments
_PLAIN = (sp.Add, sp.Mul, sp.Pow, sp.Function)


def free_symbols(*es):
    """The free symbols (SymPy's e.free_symbols), each node's set taken once;
    a node that binds variables (a Sum) and a matrix entry answer for themselves."""
    memo = {}

    def fs(e):
        got = memo.get(e)
        if got is None:
            if isinstance(e, _PLAIN) and not isinstance(e, sp.Derivative):
                got = frozenset().union(*(fs(a) for a in e.args))
            else:
                got = frozenset(e.free_symbols)
            memo[e] = got
        return got
    return set().union(*(fs(r) for r in _roots(es)))


@functools.lru_cache(maxsize=1 << 15)
def _has_piecewise(e):
    return isinstance(e, sp.Piecewise) or any(_has_piecewise(a) for a in e.args)


def sum_of(function, *limits):
    """SymPy's Sum(function, *limits), the same object, without the walks of
    its constructor: each new Sum looks for a Piecewise to fold through the
    whole body (~1-2 ms on a network's entry, and the index normal form
    builds thousands).  Only for limits (symbol, lo, hi) and a body with no
    Piecewise (known per node, remembered); anything else goes to SymPy."""
    function = sp.sympify(function)
    limits = [tuple(lim) for lim in limits]
    if (not isinstance(function, sp.Expr) or function is sp.nan or _has_piecewise(function)
            or not all(len(lim) == 3 and isinstance(lim[0], sp.Symbol) and not isinstance(lim[0], sp.Idx)
                       and lim[1] is not None and lim[2] is not None for lim in limits)):
        return sp.Sum(function, *limits)
    while isinstance(function, sp.Sum):  # SymPy's denesting: Sum(Sum(f, a), b) is Sum(f, a, b)
        limits = [tuple(lim) for lim in function.limits] + limits
        function = function.function
    obj = sp.Expr.__new__(sp.Sum)
    obj._args = (function, *(sp.Tuple(*lim) for lim in limits))
    obj.is_commutative = function.is_commutative
    return obj


def rebuild(e, leaf):
    """e with every node n for which leaf(n) is not None replaced by it, the
    rest rebuilt from their new arguments (unchanged nodes kept as they are);
    each distinct node once.  xreplace(e, {a: b}) is rebuild(e, {a: b}.get);
    a matrix is mapped entry by entry."""
    if isinstance(e, sp.MatrixBase):
        return e.__class__(*e.shape, [rebuild(x, leaf) for x in e])
    memo = {}

    def go(n):
        got = memo.get(n)
        if got is None:
            got = leaf(n)
            if got is None:
                args = [go(a) for a in n.args] if n.args else ()
                if not any(x is not y for x, y in zip(args, n.args)):
                    got = n
                elif isinstance(n, sp.Sum):
                    got = sum_of(*args)
                else:
                    got = n.func(*args)
            memo[n] = got
        return got
    return go(e) if isinstance(e, sp.Basic) else e


def xreplace(e, mapping):
    """SymPy's e.xreplace(mapping), each distinct node once."""
    if not mapping:
        return e
    return rebuild(e, mapping.get)
