"""derive.maths.expansion.expand against SymPy's expand.

expand remembers each pass over a subtree; the normal form and every zero
test use it.  It must return exactly what sp.expand returns (the same tree,
not only an equal value): on random expressions, on the index-level
derivatives of every scalar of the catalog, and after a pass is remembered."""
from __future__ import annotations

import hypothesis
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from derive.catalog import results
from derive.maths import functions as fn
from derive.maths.calculus import derivative
from derive.maths.expansion import expand
from derive.matrix import mexpr
from derive.records import Gradient
from derive.verification import statements

n = sp.Symbol("n", integer=True, positive=True)
W = sp.MatrixSymbol("W", n, 2)
k = sp.Symbol("k", integer=True)
x, y = sp.symbols("x y", real=True)
p = sp.Symbol("p", positive=True)
ATOMS = [x, y, p, W[0, 1], W[k, 0], sp.Integer(2), sp.Rational(-1, 3), sp.KroneckerDelta(k, 1)]
UNARY = [sp.exp, sp.log, fn.sigmoid, sp.tanh, lambda a: sp.Sum(a * W[k, 1], (k, 0, n - 1))]


def _tree(draw, depth):
    if depth == 0 or draw(0, 3) == 0:
        return ATOMS[draw(0, len(ATOMS) - 1)]
    op = draw(0, 4)
    a = _tree(draw, depth - 1)
    if op == 0:
        return a + _tree(draw, depth - 1)
    if op == 1:
        return a * _tree(draw, depth - 1)
    if op == 2:
        return a ** [2, 3, -1, sp.Rational(1, 2)][draw(0, 3)]
    return UNARY[draw(0, len(UNARY) - 1)](a)


@settings(max_examples=150, deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
@given(st.randoms(use_true_random=False))
def test_random_expressions_expand_as_sympy_does(rnd):
    e = _tree(rnd.randint, 5)
    assert expand(e) == sp.expand(e), e
    # remembered passes: a larger tree that contains e comes out as SymPy's too
    assert expand(x * e - e * (y + 1) ** 2) == sp.expand(x * e - e * (y + 1) ** 2), e


GRADIENTS = [r for r in results() if isinstance(r.how, Gradient) and not r.is_mistake]


@pytest.mark.parametrize("r", GRADIENTS, ids=lambda r: r.id)
def test_every_index_level_derivative_of_the_catalog_expands_as_sympy_does(r):
    h = r.how
    for V, s, claims, _ in statements.parts(h):
        for name, cl in claims.items():
            var = getattr(V, name)
            if isinstance(var, sp.MatrixSymbol):
                idx = mexpr.generic_index(statements.shapes(h)[name])
                d = derivative(s, var[idx]) - cl[idx]
            else:
                d = derivative(s, var) - mexpr.scalar_of(cl)
            assert expand(d) == sp.expand(d), (r.id, name)


def test_what_expand_leaves_alone():
    # no Expr (a relation, a matrix): SymPy's expand, as it is
    A = sp.Matrix([[x * (x + 1), 1]])
    assert expand(A) == sp.expand(A)
    assert expand(sp.Eq(x * (y + 1), 0)) == sp.expand(sp.Eq(x * (y + 1), 0))
    # log expands only where SymPy's assumptions allow it
    assert expand(sp.log(x * x)) == sp.log(x ** 2) == sp.expand(sp.log(x * x))
    assert expand(sp.log(p * p)) == 2 * sp.log(p)
