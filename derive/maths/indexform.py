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
compare equal too.  sigma(u)(1 - sigma(u)) is kept whole as sigma'(u) and
sigma^k (k >= 2) rewritten through it (see _rewritten): a network's k layers
of sigma' would otherwise expand into 2^k terms.  The test is sound: a zero
normal form is an exact proof; a non-zero one only means "not shown".
"""
from __future__ import annotations

import functools
import itertools
import math
from collections import defaultdict

import sympy as sp

from derive.maths import dag
from derive.maths import functions as fn
from derive.maths.expansion import expand

_MAX_ORDERS = 720  # orders of a term's bound indices tried (6!): the cost ceiling


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
        body = dag.xreplace(body, sub)
        bound = [(v, lo.xreplace(sub), hi.xreplace(sub)) for v, lo, hi in bound]
        return [Term(t.coeff, t.factors, bound + t.bound) for t in _terms(body)]
    if isinstance(e, sp.Pow) and e.exp.is_Integer and e.exp > 0 and e.base.has(sp.Sum):
        return _terms(sp.Mul(*([e.base] * int(e.exp)), evaluate=False))
    if e.is_Number:
        return [Term(e, [], [])]
    if isinstance(e, sp.Pow) and e.exp.is_Integer and e.base.has(sp.Sum):
        # (c * Sum(g))^k = c^k * Sum(g)^k: constants leave the sum, so that
        # sum_k e^{x_k + c} and e^c sum_k e^{x_k} normalise alike
        # canonical first (whether it is one term must not depend on how it is
        # written), its sums' indices then named apart from every canonical name
        inner = _terms(_freshen(normal_form(e.base)))
        if len(inner) == 1 and inner[0].bound:
            t = inner[0]
            bvars = {v for v, _, _ in t.bound}
            dep = [f for f in t.factors if f.free_symbols & bvars]
            indep = [f for f in t.factors if not f.free_symbols & bvars]
            core = dag.sum_of(sp.Mul(*dep), *t.bound) ** e.exp
            return [Term(t.coeff ** e.exp, [f ** e.exp for f in indep] + [core], [])]
    return [Term(sp.Integer(1), [e], [])]


def _freshen(e):
    """e with the index of every sum (product) in it renamed fresh: a normal
    form names its sums by nesting level, and moved to another level those
    names could capture an index renamed around them."""
    bound = {v for x in dag.atoms((sp.Sum, sp.Product), e) for v, _, _ in x.limits}
    return dag.xreplace(e, {v: _fresh(v) for v in bound}) if bound else e


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
    best = None
    for perm in _orders(term, prefix):
        sub = {bound[i][0]: _bound(f"{prefix}{j}") for j, i in enumerate(perm)}
        # normalise inner sums, then let Mul merge equal bases (S^-1 S^-1 = S^-2)
        factors = list(sp.Mul.make_args(sp.Mul(*[_opaque(dag.xreplace(f, sub), prefix) for f in term.factors])))
        limits = [(sub[bound[i][0]], bound[i][1].xreplace(sub), bound[i][2].xreplace(sub))
                  for i in perm]
        key = (tuple(_srepr(lim) for lim in limits), tuple(sorted(_srepr(f) for f in factors)))
        if best is None or key < best[0]:
            best = (key, factors, limits)
    return best


# placeholders for a bound index's signature: the index itself, and any other
_HERE, _OTHER = _bound("@"), _bound("#")


def _signature(term, j, prefix):
    """What bound index j does in its term, whatever the indices are called:
    its range and the (normalised) factors it occurs in, with j written @
    and every other bound index #."""
    v = term.bound[j][0]
    sub = {b[0]: _OTHER for b in term.bound}
    sub[v] = _HERE
    limits = tuple(_srepr(x.xreplace(sub)) for x in term.bound[j][1:])
    return limits, tuple(sorted(_srepr(_opaque(dag.xreplace(f, sub), prefix)) for f in term.factors if f.has(v)))


def _orders(term, prefix):
    """The orders of the bound indices _canonical tries.  Every order for up
    to two indices; beyond, the indices sorted by signature, with every
    order tried only among indices of equal signature (a renaming maps
    signatures to equal signatures, so equal terms still get the same set
    of candidates, and the same smallest form: the key stays canonical, at
    one candidate where each index has its own role, not n!).  Ranges that
    depend on another bound index keep their order: reordering such limits
    would change the sum."""
    n = len(term.bound)
    names = {b[0] for b in term.bound}
    if any((lo.free_symbols | hi.free_symbols) & names for _, lo, hi in term.bound):
        return [tuple(range(n))]
    if n <= 2:
        return list(itertools.permutations(range(n)))
    sigs = [_signature(term, j, prefix) for j in range(n)]
    classes = defaultdict(list)
    for j, s in enumerate(sigs):
        classes[s].append(j)
    groups = [classes[s] for s in sorted(classes)]
    count = 1
    for g in groups:
        count *= math.factorial(len(g))
    if count > _MAX_ORDERS:
        raise ValueError(f"term with {n} bound indices in {count} orders is too large to normalise")
    return [tuple(itertools.chain(*pick)) for pick in itertools.product(*(itertools.permutations(g) for g in groups))]


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
                            term = dag.xreplace(dag.xreplace(term, {d: sp.Integer(1)}), {v: other})
                            limits.pop(n)
                            changed = True
                            break
                    if changed:
                        break
            out.append(dag.sum_of(term, *limits) if limits else term)
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
    e = expand(collapse_deltas(contract(e)))
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
        again = _rewritten(factors)
        if again is not None:
            for addend in sp.Add.make_args(expand(again)):
                out.extend((k_, term.coeff * c, w)
                           for k_, c, w in _addend(dag.sum_of(addend, *limits) if limits else addend, prefix))
            continue
        body = sp.Mul(*factors)
        out.append((key, term.coeff, dag.sum_of(body, *limits) if limits else body))
    return tuple(out)


def _rewritten(factors):
    """The product of `factors` rewritten towards the form the normal form
    keeps, or None if it is in that form.  Without a sigma in a denominator:
    sigma(u)^k = sigma(u)^(k-2) (sigma(u) - sigma'(u)) for k >= 2, since
    sigma^0 or sigma^1 times powers of sigma' = sigma - sigma^2 are a basis
    of the polynomials in sigma (degrees 2a and 2a + 1): the form stays
    canonical.  With one (sigma^-1, 1/(1 - sigma)), sigma' is written out,
    as the normal form did before it had sigma' (no basis of that kind
    there).  Each rewrite lowers a degree, so rewriting ends."""
    def up(f):  # sigma'(u)^k, k > 0
        base, k = f.as_base_exp()
        return isinstance(base, fn.dsigmoid) and k.is_positive
    if any(f.is_Pow and f.exp.is_negative and dag.has((fn.sigmoid, fn.dsigmoid), f.base) for f in factors):
        if not any(up(f) for f in factors):
            return None  # (a sigma' in the denominator stays: written out, it would come back from its sum)
        return sp.Mul(*[fn.unfold(f) if up(f) else f for f in factors])
    for j, f in enumerate(factors):
        if f.is_Pow and isinstance(f.base, fn.sigmoid) and f.exp.is_Integer and f.exp >= 2:
            s, k = f.base, int(f.exp)
            return sp.Mul(*factors[:j], *factors[j + 1:], s ** (k - 2) * (s - fn.dsigmoid(s.args[0])))
    return None


def contract(e):
    """e with sigma(u) (1 - sigma(u)) written sigma'(u) in every product
    (u and u' count as one when their normal forms agree: the lowering
    names the sums of each copy apart).  An abbreviation, so equal to e."""
    if not isinstance(e, sp.Basic) or not dag.has(fn.sigmoid, e):
        return e
    return _contracted(e)


@functools.lru_cache(maxsize=1 << 15)  # a pure function of the node; subtrees come back in every step
def _contracted(n):
    if not n.args:
        return n
    args = [_contracted(a) for a in n.args]
    got = n.func(*args) if any(x is not y for x, y in zip(args, n.args)) else n
    return _pairs(got) if got.is_Mul else got


def _pairs(m):
    """sigma(u)^a (1 - sigma(u))^b in the product m -> sigma'(u)^min(a, b) ..."""
    ups, downs, other = [], [], []
    for f in m.args:
        base, k = f.as_base_exp()
        if k.is_Integer and k > 0 and isinstance(base, fn.sigmoid):
            ups.append((base, int(k)))
        elif k.is_Integer and k > 0 and base.is_Add and len(base.args) == 2 and base.args[0] == 1 \
                and isinstance(-base.args[1], fn.sigmoid):
            downs.append((-base.args[1], int(k)))
        else:
            other.append(f)
    if not (ups and downs):
        return m
    key = (lambda s: s) if len(ups) == len(downs) == 1 and ups[0][0] == downs[0][0] else \
        (lambda s: _opaque(s, "c"))
    a, b, first = defaultdict(int), defaultdict(int), {}
    for count, found in ((a, ups), (b, downs)):
        for s, k in found:
            kk = key(s)
            count[kk] += k
            first.setdefault(kk, s)
    if not set(a) & set(b):
        return m
    out = list(other)
    for kk, s in first.items():
        c = min(a[kk], b[kk])
        out += [fn.dsigmoid(s.args[0]) ** c, s ** (a[kk] - c), (1 - s) ** (b[kk] - c)]
    return sp.Mul(*out)


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
        out.append(t.coeff * (dag.sum_of(body, *t.bound) if t.bound else body))
    return sp.Add(*out)
