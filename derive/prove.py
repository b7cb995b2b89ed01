"""Exact zero tests, and judging a claim: proved, refuted, or undecided.

``is_zero`` only answers True with an exact argument (normal form, exact
substitution and cancellation, or SymPy's ``simplify``/``equals`` reducing
the difference to 0).  ``claim(lhs, rhs)`` first looks for a counterexample
(exact substitution, evaluated to 60 significant digits), then for a proof,
and answers None when it finds neither: it never guesses.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

import sympy as sp

from . import functions as fn
from . import mexpr
from sympy.matrices.expressions.matexpr import MatrixElement

from .indexform import apply_sum_rule, normal_form


@dataclass(frozen=True)
class SumsToOne:
    """Assumption: the entries of the variable `name` (of `shape`, over size
    names) sum to 1 along `axis`: a probability vector, or a matrix whose
    columns (axis 0) or rows (axis 1) are probability vectors (one-hot labels)."""

    name: str
    shape: tuple
    axis: int = 0

    def _owned(self, factor, k):
        if not isinstance(factor, MatrixElement) or getattr(factor.parent, "name", None) != self.name:
            return False
        idx = factor.indices
        return idx[self.axis] == k and not idx[1 - self.axis].has(k)

    def index_rule(self, e):
        size = self.shape[self.axis]
        hi = (mexpr.dim(size) if isinstance(size, str) else sp.Integer(size)) - 1
        return apply_sum_rule(e, self._owned, (0, hi), 1)

    def concrete_subs(self, sizes):
        """Eliminate the last entry of every column (row): y_last = 1 - rest."""
        dims = [sizes[s] if isinstance(s, str) else s for s in self.shape]
        y = sp.MatrixSymbol(self.name, *dims)
        n, subs = dims[self.axis], {}
        for j in range(dims[1 - self.axis]):
            at = (lambda i: (i, j)) if self.axis == 0 else (lambda i: (j, i))
            subs[y[at(n - 1)]] = 1 - sum(y[at(i)] for i in range(n - 1))
        return subs

    def __str__(self):
        return f"entries of {self.name} sum to 1" + (" along each row" if self.axis else "")


def _exp_to_symbols(e):
    """Exact substitution x = log(e_x), e_x > 0, for every real symbol or
    matrix entry x that occurs only inside exp: turns exp-rational
    expressions into rational functions that `cancel` decides."""
    subs = {}
    for a in e.atoms(sp.exp):
        for s in a.args[0].free_symbols | a.args[0].atoms(MatrixElement):
            if isinstance(s, (sp.Symbol, MatrixElement)) and not getattr(s, "is_integer", False):
                subs.setdefault(s, sp.log(sp.Symbol(f"_e{len(subs)}", positive=True)))
    if not subs:
        return None
    rest = e.xreplace(subs)
    leftovers = [s for s in subs if rest.has(s)]
    return None if leftovers else sp.expand_log(sp.powsimp(sp.expand(rest), force=True), force=True)


def _has_quotient(e):
    return any(p.exp.is_negative and p.base.is_Add for p in e.atoms(sp.Pow))


def is_zero(d, assume=()):
    """True when d is proved to be 0; the name of the argument used is
    returned by :func:`zero_by`."""
    return zero_by(d, assume) is not None


def zero_by(d, assume=()):
    """The method that proves d == 0, or None if none does."""
    if isinstance(d, sp.MatrixBase):
        methods = [zero_by(x, assume) for x in d]
        return None if any(m is None for m in methods) else (sorted(set(methods))[-1] if methods else "trivial")
    if d.has(sp.Sum):
        nf = normal_form(d)
        if nf != 0 and nf.has(fn.relu, fn.step):
            nf = normal_form(fn.kink_rules(normal_form(fn.kink_rules(nf))))
        for a in assume:
            nf = normal_form(a.index_rule(nf)) if hasattr(a, "index_rule") else nf
        return "index normal form" if nf == 0 else None
    raw = fn.kink_rules(d)
    if _has_quotient(raw) and sp.cancel(sp.together(raw)) == 0:
        # a rational function of the atoms exp(.), sigma(.), ... that is 0 as
        # such is 0 for every value of them: sound, if not complete.  Tried
        # first where there are quotients (softmax), which expansion only enlarges
        return "cancellation over transcendental atoms"
    d = sp.expand(raw)
    if d != 0 and d.has(fn.step):  # expansion creates step(t)**2 = step(t)
        d = sp.expand(fn.kink_rules(d))
    if d == 0:
        return "expansion"
    if not _has_quotient(raw) and sp.cancel(sp.together(raw)) == 0:
        return "cancellation over transcendental atoms"
    d = fn.definitions(d)
    if sp.expand(d) == 0:
        return "definitions + expansion"
    sub = _exp_to_symbols(d)
    if sub is not None and sp.cancel(sp.together(sub)) == 0:
        return "exact substitution x = log e, cancellation"
    if sp.simplify(d) == 0:
        return "simplify"
    return None


# ----------------------------------------------------------------------------
# claims
# ----------------------------------------------------------------------------

@dataclass
class ClaimVerdict:
    """holds: True (proved), False (refuted: see counterexample), None (neither)."""

    holds: bool | None
    detail: str
    counterexample: dict = field(default_factory=dict)
    lhs_value: object = None
    rhs_value: object = None

    def __bool__(self):
        return self.holds is True


_POINTS = [sp.Integer(0), sp.Integer(1), sp.Integer(-1), sp.Rational(1, 2), sp.Integer(2),
           sp.Rational(-3, 2), sp.Integer(3), sp.Rational(1, 3)]


def _candidates(symbols, assume_positive, tries, seed):
    rnd = random.Random(seed)
    syms = list(symbols)
    for k in range(tries):
        point = {}
        for s in syms:
            pool = [p for p in _POINTS if p > 0] if (s in assume_positive or getattr(s, "is_positive", False)) else _POINTS
            point[s] = pool[(k + rnd.randrange(len(pool))) % len(pool)] if k else pool[min(1, len(pool) - 1)]
        yield point


def _free(e):
    if isinstance(e, sp.MatrixBase):
        out = set()
        for x in e:
            out |= _free(x)
        return out
    return {s for s in (e.free_symbols | e.atoms(MatrixElement)) if not isinstance(s, sp.MatrixSymbol)
            and not getattr(s, "is_integer", False)} - {a for x in e.atoms(MatrixElement) for a in x.free_symbols}


def claim(lhs, rhs, *, sizes=None, assume=(), positive=(), tries=24, seed=0):
    """Judge the claim lhs == rhs for all values of its free symbols.

    lhs, rhs: SymPy scalars, explicit matrices, or matrix expressions (then
    judged at `sizes`, e.g. {"h": 3, "n": 2}).  `positive` lists symbols
    restricted to positive values.  Unspecified activations f are taken as
    sigma when a counterexample is evaluated."""
    try:
        if isinstance(lhs, sp.MatrixExpr) or isinstance(rhs, sp.MatrixExpr):
            lhs, rhs = mexpr.explicit(lhs, sizes or {}), mexpr.explicit(rhs, sizes or {})
    except (sp.ShapeError, ValueError) as err:
        return ClaimVerdict(False, f"undefined at sizes {sizes}: {err}", dict(sizes or {}))
    lshape = getattr(lhs, "shape", ())
    rshape = getattr(rhs, "shape", ())
    if lshape != rshape:
        return ClaimVerdict(False, f"shapes differ: {lshape} vs {rshape}", dict(sizes or {}))
    d = lhs - rhs
    subs = {}
    for a in assume:
        if hasattr(a, "concrete_subs"):
            subs.update(a.concrete_subs(sizes or {}))
    d = d.xreplace(subs) if subs else d
    dc = fn.concretize(d)
    symbols = sorted(_free(dc), key=str)
    for point in _candidates(symbols, set(positive), tries, seed):
        val = (dc.xreplace(point) if isinstance(dc, sp.MatrixBase) else dc.xreplace(point))
        vals = list(val) if isinstance(val, sp.MatrixBase) else [val]
        try:
            nums = [sp.N(fn.definitions(v), 60) for v in vals]
        except (TypeError, ValueError):
            continue
        if any(not n.is_number or n.has(sp.zoo, sp.nan, sp.oo) for n in nums):
            continue
        if any(abs(n) > sp.Float("1e-30") for n in nums):
            lv = fn.concretize(lhs).xreplace(subs).xreplace(point) if subs or point else lhs
            rv = fn.concretize(rhs).xreplace(subs).xreplace(point) if subs or point else rhs
            return ClaimVerdict(False, "counterexample by exact substitution (60 digits)",
                                {str(k): v for k, v in point.items()} | dict(sizes or {}),
                                _value(lv), _value(rv))
    method = zero_by(d, assume)
    if method:
        return ClaimVerdict(True, f"proved: difference is 0 by {method}")
    return ClaimVerdict(None, f"no counterexample in {tries} exact points, and no proof found")


def _value(v):
    v = fn.definitions(v)
    if isinstance(v, sp.MatrixBase):
        return v.applyfunc(lambda x: sp.nsimplify(sp.N(x, 30), rational=False, tolerance=1e-25) if not x.is_Rational else x)
    return v if v.is_Rational else sp.N(v, 15)


def gradient(scalar, var, sizes=None):
    """Explicit gradient of a scalar (or 1x1) expression w.r.t. matrix
    symbol `var` at concrete `sizes`, entry by entry (no matrix calculus)."""
    s = mexpr.explicit(scalar, sizes or {})
    s = s[0, 0] if isinstance(s, sp.MatrixBase) else s
    v = mexpr.explicit(var, sizes or {})
    if not isinstance(v, sp.MatrixBase):
        return sp.diff(s, v)
    return v.applyfunc(lambda x: sp.diff(s, x))


__all__ = ["claim", "ClaimVerdict", "is_zero", "zero_by", "gradient", "SumsToOne"]
