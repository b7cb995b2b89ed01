"""derive.maths.calculus.derivative against SymPy's diff.

derivative applies SymPy's own rules once per subexpression; every check
that differentiates (symbolic, derived, concrete, the notes' routes, a
mistake's refutation) uses it.  Here it must agree with sp.diff: on every
scalar of the catalog, entry (p, q) at symbolic sizes and every entry at the
concrete sizes, and on random expressions."""
from __future__ import annotations

import random

import hypothesis
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from derive.catalog import results
from derive.maths import functions as fn
from derive.maths.calculus import derivative
from derive.matrix import mexpr
from derive.matrix.prove import zero_by
from derive.records import Gradient
from derive.verification import statements

GRADIENTS = [r for r in results() if isinstance(r.how, Gradient) and not r.is_mistake]


def _agree(a, b):
    """a == b shown exactly: structurally, or their difference proved 0."""
    return a == b or zero_by(a - b) is not None


@pytest.mark.parametrize("r", GRADIENTS, ids=lambda r: r.id)
def test_every_scalar_of_the_catalog_differentiates_as_sympy_does(r):
    h = r.how
    for V, s, claims, _ in statements.parts(h):
        for name in claims:
            var = getattr(V, name)
            x = var[mexpr.generic_index(statements.shapes(h)[name])] if isinstance(var, sp.MatrixSymbol) else var
            assert _agree(derivative(s, x), sp.diff(s, x)), (r.id, name, "symbolic sizes")
            sizes = h.sizes[0]
            se = mexpr.explicit(s, sizes)
            xs = list(mexpr.explicit(var, sizes)) if isinstance(var, sp.MatrixSymbol) else [var]
            for xe in xs[:3]:
                assert _agree(derivative(se, xe), sp.diff(se, xe)), (r.id, name, sizes, xe)


W = sp.MatrixSymbol("W", 3, 2)
x, y = sp.symbols("x y", real=True)
ATOMS = [x, y, W[0, 0], W[0, 1], W[2, 1], sp.Integer(2), sp.Rational(-1, 3)]
UNARY = [sp.exp, sp.log, sp.tanh, sp.sin, fn.sigmoid, fn.softplus, fn.f, sp.Abs]


def _tree(draw_int, depth):
    if depth == 0 or draw_int(0, 3) == 0:
        return ATOMS[draw_int(0, len(ATOMS) - 1)]
    op = draw_int(0, 4)
    a = _tree(draw_int, depth - 1)
    if op == 0:
        return a + _tree(draw_int, depth - 1)
    if op == 1:
        return a * _tree(draw_int, depth - 1)
    if op == 2:
        return a ** [2, -1, sp.Rational(1, 2), x][draw_int(0, 3)]
    return UNARY[draw_int(0, len(UNARY) - 1)](a)


@settings(max_examples=60, deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
@given(st.randoms(use_true_random=False))
def test_random_expressions_differentiate_as_sympy_does(rnd):
    e = _tree(rnd.randint, 4)
    for v in (x, W[0, 1]):
        ours, theirs = derivative(e, v), sp.diff(e, v)
        if ours == theirs or sp.expand(ours - theirs) == 0:
            continue
        # not equal as written: equal in value at exact points (rational where defined)
        for k in range(3):
            at = {s: sp.Rational(random.Random(k).randint(1, 9), 7) for s in e.free_symbols | e.atoms(sp.MatrixElement)}
            a, b = ours.xreplace(at), theirs.xreplace(at)
            assert abs(sp.N(fn.definitions(a - b), 30)) < 1e-20, (e, v, ours, theirs)


def test_index_level_rules():
    n, m = sp.symbols("n m", integer=True, positive=True)
    A = sp.MatrixSymbol("A", n, m)
    i, j, p, q = sp.symbols("i j p q", integer=True, nonnegative=True)
    s = sp.Sum(fn.sigmoid(A[i, j]) * A[i, j] ** 2, (i, 0, n - 1), (j, 0, m - 1))
    assert _agree(derivative(s, A[p, q]), sp.diff(s, A[p, q]))
    # a sum over one of the variable's own indices, or a limit in x: SymPy's rule, unchanged
    clash = sp.Sum(A[p, j], (p, 0, n - 1))
    assert derivative(clash, A[p, q]) == sp.diff(clash, A[p, q])
    k = sp.Symbol("k", integer=True)
    assert derivative(sp.Sum(x * k, (k, 0, x)), x) == sp.diff(sp.Sum(x * k, (k, 0, x)), x)
    # another matrix, a Kronecker delta: 0
    B = sp.MatrixSymbol("B", n, m)
    assert derivative(B[i, j] * sp.KroneckerDelta(i, j), A[p, q]) == 0
    # higher derivatives one variable after the other
    assert _agree(derivative(x ** 3 * y, x, y, x), sp.diff(x ** 3 * y, x, y, x))


@pytest.mark.parametrize("lo, hi", [(0, 3), (1, 1), (0, -1), (2, -3), (0, sp.Symbol("n", integer=True))])
def test_sums_written_out_are_the_sums_sympy_evaluates(lo, hi):
    """mexpr.unrolled (the concrete checks' explicit entries) against Sum.doit,
    downward and empty ranges included (SymPy's convention for those)."""
    from derive.matrix.mexpr import unrolled
    k, j = sp.symbols("k j", integer=True)
    xs = sp.IndexedBase("x")
    e = sp.Sum(xs[k] * k + sp.Sum(xs[j] * k, (j, 0, 2)), (k, lo, hi))
    assert sp.expand(unrolled(e) - e.doit()) == 0
