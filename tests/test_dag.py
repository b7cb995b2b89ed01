"""derive.maths.dag against SymPy's tree walks, and the canonical order of
bound indices in the index normal form.

The DAG walks must give SymPy's answers (atoms, has, free_symbols, xreplace)
on random expressions, and be linear in the distinct nodes on a deep shared
one.  The normal form tries fewer orders of a term's bound indices than
all n!: it must still give alpha-equivalent terms one form, and keep the
order of limits that depend on each other."""
from __future__ import annotations

import random
import time

import hypothesis
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy.matrices.expressions.matexpr import MatrixElement

from derive.maths import dag
from derive.maths import functions as fn
from derive.maths.indexform import _MAX_ORDERS, normal_form

n = sp.Symbol("n", integer=True, positive=True)
W = sp.MatrixSymbol("W", n, 2)
k = sp.Symbol("k", integer=True)
x, y = sp.symbols("x y", real=True)
ATOMS = [x, y, W[0, 1], W[k, 0], sp.Integer(2), sp.Rational(-1, 3), sp.Float(0.5)]
UNARY = [sp.exp, fn.sigmoid, fn.f, lambda a: sp.Sum(a * W[k, 1], (k, 0, n - 1)), lambda a: sp.Derivative(fn.f(a), x)]


def _tree(draw, depth):
    if depth == 0 or draw(0, 3) == 0:
        return ATOMS[draw(0, len(ATOMS) - 1)]
    op = draw(0, 3)
    a = _tree(draw, depth - 1)
    if op == 0:
        return a + _tree(draw, depth - 1)
    if op == 1:
        return a * _tree(draw, depth - 1)
    return UNARY[draw(0, len(UNARY) - 1)](a)


@settings(max_examples=150, deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
@given(st.randoms(use_true_random=False))
def test_dag_walks_answer_as_sympy_does(rnd):
    e = _tree(rnd.randint, 5)
    for types in (sp.Sum, sp.exp, (fn.sigmoid, fn.f), MatrixElement, sp.Float, sp.Derivative, sp.MatrixSymbol):
        assert dag.atoms(types, e) == e.atoms(*(types if isinstance(types, tuple) else (types,))), (e, types)
        assert dag.has(types, e) == e.has(*(types if isinstance(types, tuple) else (types,))), (e, types)
    assert dag.free_symbols(e) == e.free_symbols, e
    mapping = {y: x + 1, W[0, 1]: sp.Integer(3), sp.Float(0.5): sp.Rational(1, 2)}
    assert dag.xreplace(e, mapping) == e.xreplace(mapping), e
    m = sp.ImmutableMatrix([[e, x], [y, e * x]])
    assert dag.atoms(sp.Symbol, m) == m.atoms(sp.Symbol)
    assert dag.xreplace(m, mapping) == m.xreplace(mapping)


def test_the_walks_visit_each_distinct_node_once():
    # a 40-deep chain whose every node holds the one below twice: 2^40 tree nodes
    # (an undefined U: building sigmoid(e) would ask assumptions of the whole tree)
    U = sp.Function("U")
    e = x
    for _ in range(40):
        e = U(e, x * e) + 1
    t0 = time.perf_counter()
    assert dag.has(sp.Float, e) is False and len(dag.atoms(U, e)) == 40
    assert dag.free_symbols(e) == {x}
    assert dag.xreplace(e, {x: y}).has(y)  # (has on the result: it stops at the first y)
    assert time.perf_counter() - t0 < 5  # a tree walk would not end (not a timing test: a bound 1000x off)


def test_concretize_replaces_each_unspecified_function_once():
    e = fn.f(fn.f(x) + fn.g(y)) * fn.fprime(x)
    assert fn.concretize(e) == fn.sigmoid(fn.sigmoid(x) + sp.tanh(y)) * fn.sigmoid(x) * (1 - fn.sigmoid(x))


# -- the order of bound indices ------------------------------------------------

A = sp.MatrixSymbol("A", n, n)
v = sp.MatrixSymbol("v", n, 1)
i, j, l, m = (sp.Dummy(c, integer=True) for c in "ijlm")


def _chain(names):
    """v_a A_ab sigma(A_bc) A_cd, summed: its indices have distinct roles."""
    a, b, c, d = names
    body = v[a, 0] * A[a, b] * fn.sigmoid(A[b, c] * v[c, 0]) * A[c, d] * v[d, 0]
    return sp.Sum(body, (a, 0, n - 1), (b, 0, n - 1), (c, 0, n - 1), (d, 0, n - 1))


def test_alpha_equivalent_terms_have_one_normal_form():
    rnd = random.Random(4)
    names = [i, j, l, m]
    for _ in range(6):
        rnd.shuffle(names)
        assert normal_form(_chain(names) - _chain([i, j, l, m])) == 0
    # and a term that differs only in which index meets the sigmoid is not equal
    assert normal_form(_chain([i, j, l, m]) - _chain([i, l, j, m])) == 0  # a renaming: equal
    other = sp.Sum(v[i, 0] * A[i, j] * fn.sigmoid(A[j, l] * v[l, 0]) * A[j, m] * v[m, 0],
                   (i, 0, n - 1), (j, 0, n - 1), (l, 0, n - 1), (m, 0, n - 1))
    assert normal_form(_chain([i, j, l, m]) - other) != 0


def test_symmetric_indices_are_all_tried():
    # a fully symmetric term: every order ties, and all are tried (4! = 24)
    body = A[i, j] * A[j, l] * A[l, m] * A[m, i]
    cyc = sp.Sum(body, (i, 0, n - 1), (j, 0, n - 1), (l, 0, n - 1), (m, 0, n - 1))
    rot = sp.Sum(A[j, l] * A[l, m] * A[m, i] * A[i, j], (m, 0, n - 1), (i, 0, n - 1), (j, 0, n - 1),
                 (l, 0, n - 1))
    assert normal_form(cyc - rot) == 0


def _outer_first(e):
    """A sum with literal outer bounds written out, the outermost index first
    (SymPy lists limits innermost first); a bound that is not literal where
    it is reached (a range left depending on an index outside it) raises."""
    if isinstance(e, sp.Sum):
        *inner, (v, lo, hi) = e.limits
        body = sp.Sum(e.function, *inner) if inner else e.function
        return sp.Add(*[_outer_first(body.subs(v, k)) for k in range(int(lo), int(hi) + 1)])
    return e


def test_dependent_ranges_keep_their_order():
    # sum_{i<=n} sum_{j<=i} x_j: the inner range depends on i; swapping the
    # limits would sum something else, so the order stays as written
    X = sp.MatrixSymbol("X", n, 1)
    tri = sp.Sum(X[j, 0], (j, 0, i), (i, 0, n - 1))
    assert normal_form(tri - tri) == 0
    flat = sp.Sum(X[j, 0], (j, 0, n - 1), (i, 0, n - 1))
    assert normal_form(tri - flat) != 0
    # the lower and the upper triangle: the normal form of each has its value
    # (at n = 3, written out), and the two stay apart
    low = sp.Sum(A[i, j], (j, 0, i), (i, 0, n - 1))
    up = sp.Sum(A[i, j], (i, 0, j), (j, 0, n - 1))
    for e in (low, up):
        at3 = [sp.expand(_outer_first(dag.xreplace(x, {n: sp.Integer(3)}))) for x in (e, normal_form(e))]
        assert at3[0] == at3[1] and not at3[1].has(sp.Sum), e
    assert normal_form(low - up) != 0


def test_too_many_tied_orders_is_refused_not_guessed():
    idx = [sp.Dummy(f"t{c}", integer=True) for c in range(7)]
    body = sp.Mul(*[A[a, b] for a, b in zip(idx, idx[1:] + idx[:1])])
    big = sp.Sum(body, *[(t, 0, n - 1) for t in idx])
    assert 5040 > _MAX_ORDERS
    with pytest.raises(ValueError, match="too large"):
        normal_form(big - big.xreplace({idx[0]: sp.Dummy("u", integer=True)}))


# -- sigma' kept whole -----------------------------------------------------------

from derive.maths.indexform import contract  # noqa: E402
from derive.matrix.prove import _unroll  # noqa: E402

Z = sp.MatrixSymbol("Z", n, 1)
U = sp.MatrixSymbol("U", n, n)
r = sp.Dummy("r", integer=True)


def _sig_tree(draw, depth):
    """Products and sums of sigma(u), 1 - sigma(u), their powers (negative
    ones too), sums over r of such terms, for a few arguments u."""
    us = [Z[0, 0], Z[r, 0], sp.Sum(U[r, i] * Z[i, 0], (i, 0, n - 1)), sp.Sum(U[r, j] * Z[j, 0], (j, 0, n - 1))]
    if depth == 0 or draw(0, 3) == 0:
        s = fn.sigmoid(us[draw(0, len(us) - 1)])
        return [s, 1 - s, s * (1 - s), Z[r, 0], sp.Integer(draw(1, 3))][draw(0, 4)]
    op = draw(0, 4)
    a = _sig_tree(draw, depth - 1)
    if op == 0:
        return a + _sig_tree(draw, depth - 1)
    if op == 1:
        return a * _sig_tree(draw, depth - 1)
    if op == 2:
        return a ** [2, -1][draw(0, 1)] if a.has(fn.sigmoid) and a.count_ops() < 12 else a  # (no power of a power blown up)
    if op == 3:
        d = sp.Dummy("d", integer=True)  # a fresh name: no sum shadows another's index
        return sp.Sum(a.xreplace({r: d}), (d, 0, n - 1)) if r in a.free_symbols else a
    return -a


def _at_point(e, seed):
    """e at n = 3, every entry given an exact rational value: a number."""
    e = _unroll(dag.xreplace(e, {n: sp.Integer(3)}).subs(r, 1))  # (subs: the free r only)
    vals = {}
    for m in dag.atoms(MatrixElement, e):  # each entry's value a function of its name: the same in e and nf
        rnd = random.Random(f"{seed} {m}")
        vals[m] = sp.Rational(rnd.randint(-9, 9), rnd.randint(1, 5))
    return sp.N(fn.definitions(dag.xreplace(e, vals)), 40)


@settings(max_examples=120, deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
@given(st.randoms(use_true_random=False))
def test_sigma_prime_normal_form_is_equal_and_canonical(rnd):
    e = _sig_tree(rnd.randint, 4)
    hypothesis.assume(e.count_ops() < 40)
    try:
        nf = normal_form(e)
        normal_form(sp.expand(e))
    except ValueError:  # too many interchangeable sum indices: refused, never guessed
        hypothesis.assume(False)
    # sound: the normal form has e's value at exact points
    for seed in range(2):
        a, b = _at_point(e, seed), _at_point(nf, seed)
        assert abs(a - b) <= 1e-25 * (1 + abs(a)), (e, nf)
    # canonical: e expanded (no sigma' left to find) and e contracted by hand
    # give one form (polynomials; a denominator is compared as written, before
    # sigma' as now: (sum x)^-2 and 1/(sum sum x x) are not recognised as one)
    if any(p.exp.is_negative for p in e.atoms(sp.Pow)):
        return
    assert normal_form(sp.expand(e)) == nf, e
    assert normal_form(contract(e)) == nf, e
    assert normal_form(e - sp.expand(e)) == 0, e


def test_sigma_prime_is_kept_whole_through_layers():
    # the chain of five sigma': one term, not 2^5
    zs = [sp.Sum(U[r, i] * Z[i, 0], (i, 0, n - 1))] + [Z[k, 0] for k in range(4)]
    e = sp.Mul(*[fn.sigmoid(z) * (1 - fn.sigmoid(z)) for z in zs])
    assert len(sp.Add.make_args(normal_form(e))) == 1
    assert normal_form(e - sp.expand(e)) == 0
    s = fn.sigmoid(Z[0, 0])
    assert normal_form(s ** 2 - s + fn.dsigmoid(Z[0, 0])) == 0
    assert normal_form(s ** 2 + s - fn.dsigmoid(Z[0, 0])) != 0
    # sigma(a)(1 - sigma(b)) is not sigma'(a): the two arguments must agree
    t = fn.sigmoid(Z[1, 0])
    assert normal_form(sp.Sum(U[r, 0], (r, 0, n - 1)) * (s * (1 - t) - fn.dsigmoid(Z[0, 0]))) != 0
