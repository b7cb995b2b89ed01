"""Exact zero tests, and judging a claim: proved, refuted, or undecided.

``is_zero`` only answers True with an exact argument (normal form, exact
substitution and cancellation, or SymPy's ``simplify``/``equals`` reducing
the difference to 0).  ``claim(lhs, rhs)`` first looks for a counterexample
(exact substitution, evaluated to 60 significant digits), then for a proof,
and answers None when it finds neither: it never guesses.  It works within
a time budget (``seconds``); past it, the answer is undecided and says what
claim was doing.
"""
from __future__ import annotations

import functools
import random
from dataclasses import dataclass, field

import sympy as sp

from derive.maths import dag
from derive.maths import functions as fn
from derive.maths import rational
from derive.maths.budget import Budget, budget
from derive.maths.calculus import derivative
from derive.maths.expansion import expand
from derive.matrix import mexpr
from sympy.matrices.expressions.matexpr import MatrixElement

from derive.maths.indexform import apply_sum_rule, normal_form


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


def _is_real(s):
    """Real by assumption, or an entry of a matrix: derive's matrices are real."""
    return isinstance(s, MatrixElement) or s.is_extended_real is True


def _exp_to_symbols(e):
    """Exact substitution x = log(e_x), e_x > 0, for every *real* symbol or
    matrix entry x that occurs only inside exp: turns exp-rational
    expressions into rational functions that `cancel` decides.  A complex x
    is never substituted (x = log e_x covers the real line only, and e.g.
    log(exp(x)) = x fails off it).  The rewrites after it respect every
    symbol's assumptions (no force=True): log(e_x^2) = 2 log(e_x) because
    e_x > 0, while log(y^2) stays whole for a y that may be negative."""
    subs = {}
    for a in dag.atoms(sp.exp, e):
        for s in dag.free_symbols(a.args[0]) | dag.atoms(MatrixElement, a.args[0]):
            if isinstance(s, (sp.Symbol, MatrixElement)) and not s.is_integer and _is_real(s):
                subs.setdefault(s, sp.log(sp.Symbol(f"_e{len(subs)}", positive=True)))
    if not subs:
        return None
    rest = dag.xreplace(e, subs)
    left = dag.nodes(rest)
    leftovers = [s for s in subs if s in left]
    return None if leftovers else sp.expand_log(sp.powsimp(expand(rest)))


def _exp_atoms(e):
    """e with each exp(k a) written E_a**k (k an integer, a up to sign; E_a
    a fresh symbol): exp(a) exp(-a) and exp(2a) / exp(a)**2 then cancel as
    powers of one atom instead of swelling `together`'s numerator.  Sound:
    putting exp(a) back for E_a is an exact substitution (exp(k a) =
    exp(a)**k for every integer k), so a rational function of the E_a that
    is 0 gives 0.  None when no exp has an integer multiple to share."""
    gens, rep = {}, {}
    for a in dag.atoms(sp.exp, e):
        arg = expand(a.args[0])
        k, base = arg.primitive() if arg.is_Add else arg.as_coeff_Mul()
        if base.could_extract_minus_sign():
            k, base = -k, -base
        if k.is_Integer:
            rep[a] = gens.setdefault(base, sp.Dummy("E")) ** k
    return dag.xreplace(e, rep) if rep else None


def _cancels(e):
    """e is 0 as a rational function of its atoms (exp(.), sigma(.), entries).
    The exponentials as powers of shared atoms (:func:`_exp_atoms`) are tried
    first; then the numerator of `together`, expanded: the same argument
    as `cancel`, about twice as fast on the concrete checks' entries; cancel
    is the fallback."""
    atoms = _exp_atoms(e)
    if atoms is not None and expand(sp.fraction(sp.together(atoms))[0]) == 0:
        return True
    top, _ = sp.fraction(sp.together(e))
    return expand(top) == 0 or sp.cancel(sp.together(e)) == 0


def _has_quotient(e):
    return any(p.exp.is_negative and p.base.is_Add for p in dag.atoms(sp.Pow, e))


def is_zero(d, assume=()):
    """True when d is proved to be 0; the name of the argument used is
    returned by :func:`zero_by`."""
    return zero_by(d, assume) is not None


def zero_by(d, assume=()):
    """The method that proves d == 0, or None if none does."""
    if isinstance(d, sp.MatrixBase):
        methods = [zero_by(x, assume) for x in d]
        return None if any(m is None for m in methods) else (sorted(set(methods))[-1] if methods else "trivial")
    if dag.has(sp.Sum, d):
        nf = normal_form(d)
        if nf != 0 and dag.has((fn.relu, fn.step), nf):
            nf = normal_form(fn.kink_rules(normal_form(fn.kink_rules(nf))))
        for a in assume:
            nf = normal_form(a.index_rule(nf)) if hasattr(a, "index_rule") else nf
        return "index normal form" if nf == 0 else None
    raw = fn.kink_rules(fn.unfold(d))  # no sums: sigma' written out (collapse_deltas abbreviates it)
    if rational.is_zero(raw):
        # the expansion (or, over a common denominator, the cancellation)
        # below, decided on plain polynomials in the atoms
        return "cancellation over transcendental atoms" if _has_quotient(raw) else "expansion"
    if _has_quotient(raw) and _cancels(raw):
        # a rational function of the atoms exp(.), sigma(.), ... that is 0 as
        # such is 0 for every value of them: sound, if not complete.  Tried
        # first where there are quotients (softmax), which expansion only enlarges
        return "cancellation over transcendental atoms"
    d = expand(raw)
    if d != 0 and dag.has(fn.step, d):  # expansion creates step(t)**2 = step(t)
        d = expand(fn.kink_rules(d))
    if d == 0:
        return "expansion"
    if not _has_quotient(raw) and _cancels(raw):
        return "cancellation over transcendental atoms"
    d = fn.definitions(d)
    if expand(d) == 0:
        return "definitions + expansion"
    sub = _exp_to_symbols(d)
    if sub is not None and sp.cancel(sp.together(sub)) == 0:
        return "exact substitution x = log e, cancellation"
    try:
        if sp.simplify(d) == 0:
            return "simplify"
    except (sp.polys.polyerrors.BasePolynomialError, TypeError, ValueError, NotImplementedError):
        pass  # simplify gave up (Piecewise of a matrix entry): no proof this way
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


# Exact sample values, by what a symbol is assumed to be.  Sizes come first
# as 2 and 3 so that a first guess is non-square; indices start at 0, which
# every size has.
_REAL = [sp.Integer(0), sp.Integer(1), sp.Integer(-1), sp.Rational(1, 2), sp.Integer(2),
         sp.Rational(-3, 2), sp.Integer(3), sp.Rational(1, 3)]
_COMPLEX = [sp.I * 4, 1 + 2 * sp.I, sp.Rational(-1, 2) + 3 * sp.I, -sp.I]
_POOLS = {
    "size": [sp.Integer(2), sp.Integer(3), sp.Integer(4), sp.Integer(1)],
    "index": [sp.Integer(0), sp.Integer(1)],
    "integer": [sp.Integer(0), sp.Integer(1), sp.Integer(-1), sp.Integer(2), sp.Integer(-2), sp.Integer(3)],
    "negative integer": [sp.Integer(-1), sp.Integer(-2), sp.Integer(-3)],
    "positive": [p for p in _REAL if p > 0],
    "nonnegative": [p for p in _REAL if p >= 0],
    "negative": [p for p in _REAL if p < 0],
    "real": _REAL,
    "complex": _REAL[:4] + _COMPLEX,
}


def _pool(s, positive=()):
    """The sample values of symbol (or matrix entry) s, by its assumptions."""
    if s in positive:
        return _POOLS["positive"]
    if s.is_integer:
        if s.is_positive:
            return _POOLS["size"]
        if s.is_nonnegative:
            return _POOLS["index"]
        return _POOLS["negative integer"] if s.is_negative else _POOLS["integer"]
    if not _is_real(s):
        return _POOLS["complex"]
    for kind in ("positive", "nonnegative", "negative"):
        if getattr(s, f"is_{kind}", None):
            return _POOLS[kind]
    return _POOLS["real"]


def _draw(symbols, rnd, k, positive):
    """Point k: the first point takes each symbol's first (simplest) value."""
    point = {}
    for s in symbols:
        pool = _pool(s, positive)
        point[s] = pool[0] if k == 0 else pool[rnd.randrange(len(pool))]
    return point


def _unroll(e):
    """Sums with literal bounds written out term by term (no summation
    algorithms); applied until none is left, for nested sums."""
    def literal(x):
        return isinstance(x, sp.Sum) and all(lo.is_Integer and hi.is_Integer for _, lo, hi in x.limits)

    def out(x):
        (v, lo, hi), rest = x.limits[0], x.limits[1:]
        body = sp.Sum(x.function, *rest) if rest else x.function
        return sp.Add(*[dag.xreplace(body, {v: sp.Integer(i)}) for i in range(int(lo), int(hi) + 1)])
    while any(literal(x) for x in dag.atoms(sp.Sum, e)):
        e = dag.rebuild(e, lambda x: out(x) if literal(x) else None)
    return e


def _entries(*es):
    """The scalars of each expression: its entries if it is a matrix."""
    return [x for e in es for x in (e if isinstance(e, sp.MatrixBase) else [e])]


def _integers(*es):
    return {s for s in dag.free_symbols(*es) if isinstance(s, sp.Symbol) and s.is_integer}


def _values(*es):
    """Values (symbols and matrix entries) left to sample."""
    return {s for s in dag.free_symbols(*es) | dag.atoms(MatrixElement, *es) if isinstance(s, (sp.Symbol, MatrixElement))}


@functools.lru_cache(maxsize=4096)  # a search asks for the same entries' values again (which have one, which differ)
def _num(e, digits):
    """e at `digits` significant digits, or None where it has no finite value."""
    try:
        v = sp.N(fn.definitions(e), digits)
    except (TypeError, ValueError, ZeroDivisionError, ArithmeticError):
        return None
    if not v.is_number or v.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        return None
    return v


def _significant(v):
    """v has digits evalf could certify: a part with >= 100 bits of precision.
    An exact 0 written another way evaluates to 0 or to a Float of no
    precision (0.e-191): its digits are noise.  A scale-free test, so a tiny
    common factor (e^-2000) does not make a difference look like 0."""
    return any(isinstance(p, sp.Float) and p != 0 and p._prec >= 100 for p in v.as_real_imag())


def _differs(l, r):
    """True when l != r is established at this exact point: l - r has
    significant digits at 60 and again at 100 digits, and they agree."""
    d60 = _num(l - r, 60)
    if d60 is None or _num(l, 15) is None or _num(r, 15) is None:
        return None  # no finite value here: this point says nothing
    if not _significant(d60):
        return False
    d100 = _num(l - r, 100)
    if d100 is None:
        return None
    return _significant(d100) and abs(d100 - d60) <= sp.Float("1e-40", 30) * abs(d100)


def _search(lhs, rhs, *, positive=(), points=range(24), seed=0, doing=None, tries=None):
    """(point, lhs value, rhs value) of a counterexample, or None; and how
    many points gave finite values.  Every free symbol is sampled by its
    assumptions (integers and complex values included); sizes and indices
    first, then sums over the now literal ranges are written out and the
    matrix entries they bring are sampled too."""
    lc, rc = fn.concretize(lhs), fn.concretize(rhs)
    ints = sorted(_integers(lc, rc), key=str)
    evaluated = 0
    for k in points:
        if doing is not None:
            doing[0] = f"looking for a counterexample at exact point {k + 1} of {tries or len(points)}"
        rnd = random.Random(1000 * seed + k)  # point k is the same whichever points are asked for
        point = _draw(ints, rnd, k, positive)
        try:
            lk, rk = _unroll(dag.xreplace(lc, point)), _unroll(dag.xreplace(rc, point))
        except (IndexError, ValueError):  # an index out of its size's range
            continue
        if not _in_range(lk, rk):
            continue  # an index outside its matrix: not a point of the claim
        rest = sorted(_values(lk, rk), key=str)
        point.update(_draw(rest, rnd, k, positive))
        la, ra = dag.xreplace(lk, point), dag.xreplace(rk, point)
        pairs = list(zip(la, ra)) if isinstance(la, sp.MatrixBase) else [(la, ra)]
        verdicts = []
        for a, b in pairs:
            verdicts.append(_differs(a, b))
            if verdicts[-1] is None:
                break
            if verdicts[-1] and all(_num(x, 15) is not None for pair in pairs for x in pair):
                break  # one entry differs where every entry has a value: the rest cannot change that
        if any(v is None for v in verdicts):
            continue
        evaluated += 1
        if any(verdicts):
            return (point, la, ra), evaluated
    return None, evaluated


def _in_range(*es):
    for x in dag.atoms(MatrixElement, *es):
        for i, n in zip(x.indices, x.parent.shape):
            if i.is_Integer and (i < 0 or (n.is_Integer and i >= n)):
                return False
    return True


def _shape_symbols(*es):
    out = set()
    for e in es:
        for m in dag.atoms(sp.MatrixSymbol, e) if isinstance(e, sp.Basic) else ():
            for d in m.shape:
                out |= sp.sympify(d).free_symbols
        if isinstance(e, sp.MatrixExpr):
            for d in e.shape:
                out |= sp.sympify(d).free_symbols
    return out


CLAIM_SECONDS = 10.0  # claim's default time budget: a long simplify gives up, it does not hang


def claim(lhs, rhs, *, sizes=None, assume=(), positive=(), tries=24, seed=0, seconds=CLAIM_SECONDS,
          prove_first=False):
    """Judge the claim lhs == rhs for all values of its free symbols.

    lhs, rhs: SymPy scalars, Python or NumPy numbers, explicit matrices, or
    matrix expressions.  A scalar against a matrix means every entry of the
    matrix (``claim(W - W, 0)``).  Floats are read as the decimals they print
    as (0.1 is 1/10), and the verdict says so.  An unevaluated Derivative is
    evaluated (``doit``); one that SymPy cannot evaluate (of an unknown
    function) has no value to sample, so it can be proved but not refuted.
    Matrix expressions are judged at symbolic sizes (entry
    (p, q), every size) unless `sizes` (e.g. {"h": 3, "n": 2}, by size name)
    fixes every size; then the verdict holds at those sizes only, and says
    so.  Symbols are sampled by their assumptions: a Symbol without
    assumptions is complex, matrix entries are real (derive's matrices are
    real).  `positive` lists symbols restricted to positive values.
    Unspecified activations f are taken as sigma when a counterexample is
    evaluated.  `seconds` bounds the wall time (None: no limit, as the
    catalog's checks ask, so that no verdict of theirs depends on the
    machine's load): past it the
    verdict is undecided, naming what was under way (SIGALRM: the limit
    applies in the main thread on POSIX only).  `prove_first` tries the
    proof before any point, for a claim expected to hold (a correction):
    only the time changes, never the verdict or its detail, since a proof
    and a counterexample cannot both be found and the points are tried in
    the same order either way."""
    (lhs, lfloats), (rhs, rfloats) = _read(lhs, "lhs"), _read(rhs, "rhs")
    floats = sorted(lfloats | rfloats, key=float)
    doing = ["reading the claim"]  # what claim is doing, for the verdict when its budget runs out
    try:
        with budget(seconds) as block:
            if isinstance(lhs, sp.MatrixExpr) or isinstance(rhs, sp.MatrixExpr):
                v = _matrix_claim(lhs, rhs, dict(sizes or {}), assume, positive, tries, seed, doing, prove_first)
            else:
                v = _judge(lhs, rhs, dict(sizes or {}), assume, positive, tries, seed, doing, prove_first=prove_first)
    except Budget as err:
        if err.owner is not block:
            raise  # an enclosing budget ran out: not ours to answer
        v = ClaimVerdict(None, f"undecided: time budget of {seconds:g} s exceeded while {doing[0]}")
    if floats:
        read = ", ".join(f"{f} as {sp.Rational(str(f))}" for f in floats[:4]) + (", ..." if len(floats) > 4 else "")
        v.detail += f" (floats read as exact decimals: {read})"
    return v


def _read(x, side):
    """A side of a claim as exact SymPy, and the floats it had: Python and
    NumPy numbers sympified, Floats made exact decimals, Derivatives evaluated."""
    # (a Symbol is a Boolean too in SymPy: only truth values and relations are refused)
    if isinstance(x, (bool, sp.logic.boolalg.BooleanAtom, sp.logic.boolalg.BooleanFunction, sp.core.relational.Relational)):
        raise TypeError(f"claim: {side} is a truth value ({x!r}), not a number or an expression")
    if hasattr(x, "dtype") and getattr(x, "shape", None) == ():
        x = x.item()  # a NumPy scalar
    try:
        e = sp.sympify(x, strict=True)
    except sp.SympifyError:
        raise TypeError(f"claim: {side} {x!r} is not a SymPy expression or a number "
                        "(a string is not parsed: use sympy.sympify, or derive's language through derive.grad)") from None
    atoms = dag.atoms(sp.Float, e) if isinstance(e, (sp.Basic, sp.MatrixBase)) else set()
    if atoms:
        e = e.xreplace({f: sp.Rational(str(f)) for f in atoms})
    if isinstance(e, (sp.Basic, sp.MatrixBase)) and dag.has(sp.Derivative, e):
        e = e.replace(lambda a: isinstance(a, sp.Derivative), lambda a: a.doit())
    return e, atoms


def _broadcast(lhs, rhs):
    """A scalar against an explicit matrix: the matrix of that scalar."""
    lm, rm = isinstance(lhs, sp.MatrixBase), isinstance(rhs, sp.MatrixBase)
    if lm and not rm and not isinstance(rhs, sp.MatrixExpr):
        rhs = sp.ImmutableMatrix(*lhs.shape, [rhs] * len(lhs))
    elif rm and not lm and not isinstance(lhs, sp.MatrixExpr):
        lhs = sp.ImmutableMatrix(*rhs.shape, [lhs] * len(rhs))
    return lhs, rhs


def _judge(lhs, rhs, sizes, assume, positive, tries, seed, doing, scope="", prove_first=False):
    lhs, rhs = _broadcast(lhs, rhs)
    lshape, rshape = getattr(lhs, "shape", ()), getattr(rhs, "shape", ())
    if lshape != rshape:
        return ClaimVerdict(False, f"shapes differ: {lshape} vs {rshape}" + scope, dict(sizes))
    subs = {}
    for a in assume:
        if hasattr(a, "concrete_subs"):
            subs.update(a.concrete_subs(sizes))
    lhs_s, rhs_s = (dag.xreplace(lhs, subs), dag.xreplace(rhs, subs)) if subs else (lhs, rhs)
    # a few points first (most false claims fall there), then a proof (cheaper
    # than many points on a large true claim), then the rest of the points
    evaluated, first = 0, 0 if prove_first else min(3, tries)
    unknown = _unevaluated(lhs_s, rhs_s)
    for points in (range(first), None, range(first, tries)):
        if points is None:
            doing[0] = f"looking for a proof{scope} (the difference reduced to 0)"
            d = lhs_s - rhs_s
            method = zero_by(sp.Matrix(d) if isinstance(d, sp.MatrixBase) else d, assume)
            if method:
                return ClaimVerdict(True, f"proved{scope}: difference is 0 by {method}")
            continue
        if unknown is not None:
            continue  # no value to sample: only a proof can decide
        found, n = _search(lhs_s, rhs_s, positive=set(positive), points=points, seed=seed, doing=doing, tries=tries)
        evaluated += n
        if found is not None:
            point, lv, rv = found
            return ClaimVerdict(False, "counterexample by exact substitution (60 and 100 digits)" + scope,
                                {str(k): v for k, v in point.items()} | sizes, _value(lv), _value(rv))
    if unknown is not None:
        return ClaimVerdict(None, f"undecided{scope}: {unknown} is a derivative SymPy cannot evaluate, so no point "
                                  "can be sampled, and no proof found")
    return ClaimVerdict(None, f"undecided{scope}: no counterexample at {evaluated} of {tries} exact points "
                              "that evaluate, and no proof found")


def _unevaluated(*es):
    """A Derivative left after doit (of an unknown function), or None."""
    for x in _entries(*es):
        found = sorted(dag.atoms(sp.Derivative, x), key=str) if isinstance(x, sp.Basic) else []
        if found:
            return found[0]
    return None


def _matrix_claim(lhs, rhs, sizes, assume, positive, tries, seed, doing, prove_first=False):
    known = {s: sp.Integer(sizes[s.name]) for s in _shape_symbols(lhs, rhs) if s.name in sizes}
    unknown = _shape_symbols(lhs, rhs) - set(known)
    if not unknown:
        at = ", ".join(f"{k} = {v}" for k, v in sorted(sizes.items()))
        scope = f" at sizes {at} only" if at else ""
        doing[0] = f"writing out the matrices at sizes {at}"
        try:
            le, re_ = mexpr.explicit(lhs, sizes), mexpr.explicit(rhs, sizes)
        except (sp.ShapeError, ValueError) as err:
            return ClaimVerdict(False, f"undefined at sizes {at}: {err}", dict(sizes))
        return _judge(le, re_, sizes, assume, positive, tries, seed, doing, scope, prove_first)
    # symbolic sizes: entry (p, q) of both sides, for every size at once
    lhs, rhs = lhs.xreplace(known), rhs.xreplace(known)
    lshape, rshape = getattr(lhs, "shape", None), getattr(rhs, "shape", None)
    # a scalar against a matrix is compared with every entry (entry (p, q) of the matrix)
    lshape, rshape = lshape or rshape, rshape or lshape
    same = all(expand(a - b) == 0 for a, b in zip(lshape, rshape))
    if same:
        doing[0] = "proving entry (p, q) at symbolic sizes"
        idx = tuple(sp.Integer(0) if n == 1 else sp.Symbol(c, integer=True, nonnegative=True)
                    for n, c in zip(lshape, "pq"))
        entry = lambda e: e[idx] if isinstance(e, sp.MatrixExpr) else e  # noqa: E731
        method = zero_by(entry(lhs) - entry(rhs), assume)
        if method:
            return ClaimVerdict(True, f"proved for every size: entry (p, q) at symbolic sizes, difference is 0 "
                                      f"by {method}")
    # no proof: look for a counterexample at small concrete sizes
    names = sorted({s.name for s in unknown})
    for values in ([2 + i for i in range(len(names))], [2] * len(names), [1] * len(names)):
        at = dict(sizes) | dict(zip(names, values))
        v = _matrix_claim(lhs, rhs, at, assume, positive, tries, seed, doing, prove_first)
        if v.holds is False:
            return v
    why = "their shapes differ symbolically" if not same else "no proof found at symbolic sizes"
    return ClaimVerdict(None, f"undecided: {why}, and no counterexample at small sizes")


def _value(v):
    v = fn.definitions(v)
    if isinstance(v, sp.MatrixBase):
        return v.applyfunc(lambda x: _identified(sp.N(x, 30)) if not x.is_Rational else x)
    return v if v.is_Rational else sp.N(v, 15)


def _identified(x):
    """x, the 30-digit value of an exact entry that is not a Rational, as a
    fraction where it is one to 25 digits (a 1 written as sigma(a) + sigma(-a)),
    else as it is.  (nsimplify's search for closed forms, PSLQ over powers,
    logs and roots, took a third of a refutation and found none: the exact
    entry is what it is a value of.)"""
    if not isinstance(x, sp.Float):
        return x
    r = sp.Rational(x).limit_denominator(10 ** 6)
    return r if abs(x - r) < sp.Float("1e-25", 30) else x


def explicit_gradient(scalar, var, sizes=None):
    """Explicit gradient of a scalar (or 1x1) expression w.r.t. matrix
    symbol `var` at concrete `sizes`, entry by entry (no matrix calculus)."""
    s = mexpr.explicit(scalar, sizes or {})
    s = s[0, 0] if isinstance(s, sp.MatrixBase) else s
    v = mexpr.explicit(var, sizes or {})
    if not isinstance(v, sp.MatrixBase):
        return derivative(s, v)
    return v.applyfunc(lambda x: derivative(s, x))


__all__ = ["claim", "CLAIM_SECONDS", "ClaimVerdict", "is_zero", "zero_by", "explicit_gradient", "SumsToOne"]
