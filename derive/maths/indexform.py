"""Decide whether an index-level expression over symbolic sizes is zero.

SymPy writes ``(W*x)[i, 0]`` as ``Sum(W[i, k]*x[k, 0], (k, 0, n - 1))`` with
``n`` a symbol, so an identity proved on such entries holds for every size.
What SymPy cannot do is see that two such sums are equal when a factor sits
inside one sum and outside the other, or the bound indices are named or nested
differently (``simplify`` fails on the two-layer gradients after minutes).

This module brings every expression to a normal form: a sum of terms, each
``coefficient * Sum_{bound indices} product(factors)``, with the bound indices
renamed canonically (all orders tried; terms have few indices).  Two
expressions are equal if their normal forms cancel.  Opaque factors (f(...),
1/Sum(...)) are normalised recursively, so nested sums inside activations
compare equal too.  The test is sound: a zero normal form is an exact proof;
a non-zero one only means "not shown".
"""
from __future__ import annotations

import functools
import itertools
from collections import defaultdict

import sympy as sp

from derive.maths.expansion import expand

_MAX_PERMUTED = 6  # bound indices per term; 6! orders is the cost ceiling


class BoundIndex(sp.Symbol):
    """A summation index renamed by the normal form.  Its own class, so it
    never equals a user's Symbol of the same name and assumptions: a free
    index called ``k0`` cannot be captured by a bound one (SymPy compares
    the class before the name)."""


def _bound(name):
    return BoundIndex(name, integer=True)


class Term:
    """coefficient * Sum over `bound` of the product of `factors`."""

    __slots__ = ("coeff", "factors", "bound")

    def __init__(self, coeff, factors, bound):
        self.coeff, self.factors, self.bound = coeff, factors, bound


_fresh_counter = itertools.count()


def _fresh(var):
    return _bound(f"_b{next(_fresh_counter)}")


def _terms(e):
    """Expand `e` into a list of Terms (bound variables renamed fresh)."""
    if isinstance(e, sp.Add):
        return [t for a in e.args for t in _terms(a)]
    if isinstance(e, sp.Mul):
        out = [Term(sp.Integer(1), [], [])]
        for a in e.args:
            out = [Term(t.coeff * u.coeff, t.factors + u.factors, t.bound + u.bound)
                   for t in out for u in _terms(a)]
        return out
    if isinstance(e, sp.Sum):
        body, sub, bound = e.function, {}, []
        for var, lo, hi in e.limits:
            if hi - lo == 0:  # one-term sum (a 1 x 1 matrix product): just the term
                sub[var] = lo
                continue
            nv = _fresh(var)
            sub[var] = nv
            bound.append((nv, lo, hi))
        body = body.xreplace(sub)
        bound = [(v, lo.xreplace(sub), hi.xreplace(sub)) for v, lo, hi in bound]
        return [Term(t.coeff, t.factors, bound + t.bound) for t in _terms(body)]
    if isinstance(e, sp.Pow) and e.exp.is_Integer and e.exp > 0 and e.base.has(sp.Sum):
        return _terms(sp.Mul(*([e.base] * int(e.exp)), evaluate=False))
    if e.is_Number:
        return [Term(e, [], [])]
    if isinstance(e, sp.Pow) and e.exp.is_Integer and e.base.has(sp.Sum):
        # (c * Sum(g))^k = c^k * Sum(g)^k: constants leave the sum, so that
        # sum_k e^{x_k + c} and e^c sum_k e^{x_k} normalise alike
        inner = _terms(expand(e.base))
        if len(inner) == 1 and inner[0].bound:
            t = inner[0]
            bvars = {v for v, _, _ in t.bound}
            dep = [f for f in t.factors if f.free_symbols & bvars]
            indep = [f for f in t.factors if not f.free_symbols & bvars]
            core = sp.Sum(sp.Mul(*dep), *t.bound) ** e.exp
            return [Term(t.coeff ** e.exp, [f ** e.exp for f in indep] + [core], [])]
    return [Term(sp.Integer(1), [e], [])]


@functools.lru_cache(maxsize=1 << 14)  # a term's factors come back under every order of its indices
def _opaque(e, prefix):
    """Normalise the inside of a factor we do not distribute over (f(...),
    1/Sum(...)); its own bound indices get names under `prefix`.  A pure
    function of (e, prefix), so it is remembered."""
    if not e.args or not e.has(sp.Sum, sp.Product):
        return e
    inner = prefix + "k"
    if isinstance(e, sp.Product):
        # expand() turns exp(a + Sum) into exp(a) * Product(exp(...)): give the
        # product's dummy index a canonical name so equal products compare equal
        sub = {v: _bound(f"{prefix}p{j}") for j, (v, _, _) in enumerate(e.limits)}
        body = normal_form(e.function.xreplace(sub), inner)
        return sp.Product(body, *[(sub[v], lo, hi) for v, lo, hi in e.limits])
    args = [normal_form(a, inner) if isinstance(a, sp.Expr) else a for a in e.args]
    if isinstance(e, sp.Pow):
        return sp.Pow(*args, evaluate=False)
    return e.func(*args)


# srepr of a factor or a limit, the sort key of _canonical: the same factors
# come back under every permutation and in every normal form of a proof.
# Equal SymPy objects (==: same tree, same symbols with the same assumptions)
# print the same srepr, so the memo returns what srepr would.
_srepr = functools.lru_cache(maxsize=1 << 15)(sp.srepr)


def _canonical(term, prefix):
    """Rename a term's bound indices to k0, k1, ... in the order that gives
    the smallest printed form, so equal terms get equal keys.  Inner sums are
    normalised after the renaming, so their form cannot depend on the
    arbitrary fresh names."""
    bound = term.bound
    if len(bound) > _MAX_PERMUTED:
        raise ValueError(f"term with {len(bound)} bound indices is too large to normalise")
    best = None
    for perm in itertools.permutations(range(len(bound))):
        sub = {bound[i][0]: _bound(f"{prefix}{j}") for j, i in enumerate(perm)}
        # normalise inner sums, then let Mul merge equal bases (S^-1 S^-1 = S^-2)
        factors = list(sp.Mul.make_args(sp.Mul(*[_opaque(f.xreplace(sub), prefix) for f in term.factors])))
        limits = [(sub[bound[i][0]], bound[i][1].xreplace(sub), bound[i][2].xreplace(sub))
                  for i in perm]
        key = (tuple(_srepr(lim) for lim in limits), tuple(sorted(_srepr(f) for f in factors)))
        if best is None or key < best[0]:
            best = (key, factors, limits)
    return best


def collapse_deltas(e):
    """Sum_{k=lo..hi} KroneckerDelta(k, j, (lo, hi)) * g(k) -> g(j).

    The delta's range annotation (SymPy adds it when differentiating a
    matrix entry) says j lies in [lo, hi], so the sum has exactly one
    non-zero term.  This is the only evaluation a derivative of index
    expressions needs; Sum.doit() would also try closed forms (Gosper
    summation), which costs seconds and never applies here."""
    if not isinstance(e, sp.Basic) or not e.args or not e.has(sp.KroneckerDelta):
        return e  # nothing to collapse: the tree as it is, not rebuilt
    if isinstance(e, sp.Sum):
        body = collapse_deltas(e.function)
        out = []
        for term in sp.Add.make_args(expand(body)):
            limits = list(e.limits)
            changed = True
            while changed:
                changed = False
                for n, (v, lo, hi) in enumerate(limits):
                    for d in term.atoms(sp.KroneckerDelta):
                        if v in d.args[:2] and d.delta_range == (lo, hi):
                            other = d.args[1] if d.args[0] == v else d.args[0]
                            if other.has(v):
                                continue
                            term = term.xreplace({d: sp.Integer(1)}).xreplace({v: other})
                            limits.pop(n)
                            changed = True
                            break
                    if changed:
                        break
            out.append(sp.Sum(term, *limits) if limits else term)
        return sp.Add(*out)
    return e.func(*[collapse_deltas(a) for a in e.args])


def split_exp(e):
    """exp(a + Sum_k g_k) -> exp(a) * Prod_k exp(g_k), everywhere: expand()
    does this to some exponentials and not to others, and a sum left whole
    would not match its own product form."""
    def split(x):
        out = []
        for t in sp.Add.make_args(expand(x.args[0])):
            out.append(sp.Product(sp.exp(t.function), *t.limits) if isinstance(t, sp.Sum) else sp.exp(t))
        return sp.Mul(*out)
    if not isinstance(e, sp.Basic) or not e.has(sp.exp):
        return e
    return e.replace(lambda x: isinstance(x, sp.exp) and x.args[0].has(sp.Sum), split)


def normal_form(e, prefix="k"):
    """A canonical expression equal to `e`: like terms collected, bound
    indices canonically named.  normal_form(a - b) == 0 proves a == b."""
    e = expand(collapse_deltas(e))
    collected = defaultdict(lambda: sp.Integer(0))
    witness = {}
    for addend in sp.Add.make_args(e):
        for key, coeff, w in _addend(addend, prefix):
            collected[key] += coeff
            witness[key] = w
    return sp.Add(*[collected[k] * witness[k] for k in sorted(collected) if collected[k] != 0])


@functools.lru_cache(maxsize=1 << 14)
def _addend(t, prefix):
    """[(key, coefficient, canonical form)] of the terms of one addend of an
    expanded expression: a pure function of (t, prefix), since the fresh
    names _terms gives its bound indices are renamed canonically, so it is
    remembered (a - b after a: the addends of a come back)."""
    out = []
    for term in _terms(t):
        key, factors, limits = _canonical(term, prefix)
        body = sp.Mul(*factors)
        out.append((key, term.coeff, sp.Sum(body, *limits) if limits else body))
    return tuple(out)


def apply_sum_rule(e, matches, limits_lohi, value):
    """Rewrite every Sum_{k in limits} y(k) -> value inside `e`'s normal
    form: used for stated assumptions such as sum_i y_i = 1.

    `matches(factor, k)` says whether a factor is the summand y(k).  A term
    qualifies when one of its bound indices k ranges over `limits_lohi`, a
    factor matches, and no other factor uses k."""
    lo, hi = limits_lohi
    out = []
    for t in _terms(expand(e)):
        for j, (bv, blo, bhi) in enumerate(t.bound):
            if (blo, bhi) != (lo, hi):
                continue
            users = [f for f in t.factors if f.has(bv)]
            nested = any(b[1].has(bv) or b[2].has(bv) for b in t.bound)  # another range depends on it
            if len(users) == 1 and not nested and matches(users[0], bv):
                factors = list(t.factors)
                factors.remove(users[0])
                t = Term(t.coeff * value, factors, t.bound[:j] + t.bound[j + 1:])
                break
        body = sp.Mul(*t.factors)
        out.append(t.coeff * (sp.Sum(body, *t.bound) if t.bound else body))
    return sp.Add(*out)
