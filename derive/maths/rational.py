"""Is an expression 0 as a rational function of its atoms?  Decided with
plain Python polynomials, without building SymPy expressions.

The zero tests of derive.matrix.prove expand an expression (or the
numerator of ``together``) and compare it with 0.  That is a question about
polynomials in the expression's atoms (matrix entries, symbols, exp(.),
sigma(.), ...), and SymPy answers it by building every intermediate
product as a SymPy object, asking assumptions of each.  ``is_zero`` answers
it on dictionaries {monomial: Fraction}:

* an atom is a variable of the polynomial ring; exp(k a) with k an integer
  is E_a**k, and exp(a + b) is exp(a) exp(b), so exp(a) exp(-a) and
  exp(2a) / exp(a)**2 cancel; an atom raised to a negative integer power
  is a Laurent monomial (the expression is undefined where the atom is 0);
* a sum raised to a negative power is a denominator: the sum over a common
  denominator (the least common multiple of the denominators, as products
  of these sums, no polynomial gcd) has a numerator that is a polynomial;
* the expression is 0 if that numerator is the zero polynomial.

Sound: every step is an identity wherever the expression is defined (a
substitution of values for the atoms maps polynomial identities to
identities), so a zero numerator proves the expression 0.  Not complete:
an atom is only equal to itself (exp(2(a + b)) and exp(2a + 2b) differ
here), a Float or an infinity gives up, and so does a denominator that has
a denominator itself.  ``is_zero`` then returns None, and the caller goes
on to SymPy's own expansion and cancellation.
"""
from __future__ import annotations

from collections import Counter
from fractions import Fraction

import sympy as sp


class _GiveUp(Exception):
    """Outside what this test decides: the caller asks SymPy."""


def is_zero(e):
    """True if e is 0 as a rational function of its atoms; None if not shown (never False)."""
    try:
        num, _ = _Converter().rational(e)
    except (_GiveUp, RecursionError):
        return None
    return True if not num else None


def _mono_mul(a, b):
    if not a:
        return b
    if not b:
        return a
    d = dict(a)
    for g, k in b:
        v = d.get(g, 0) + k
        if v:
            d[g] = v
        else:
            del d[g]
    return tuple(sorted(d.items()))


def _mul(p, q):
    out = {}
    for ma, ca in p.items():
        for mb, cb in q.items():
            m = _mono_mul(ma, mb)
            c = out.get(m, 0) + ca * cb
            if c:
                out[m] = c
            else:
                out.pop(m, None)
    return out


def _add_into(out, p, scale=None):
    for m, c in p.items():
        c = out.get(m, 0) + (c if scale is None else c * scale)
        if c:
            out[m] = c
        else:
            out.pop(m, None)
    return out


def _pow(p, n):
    out, base = {(): Fraction(1)}, p
    while n:
        if n & 1:
            out = _mul(out, base)
        n >>= 1
        if n:
            base = _mul(base, base)
    return out


_ONE = {(): Fraction(1)}


class _Converter:
    """Expressions to (numerator polynomial, denominator: Counter of sums)."""

    def __init__(self):
        self.gens = {}  # atom -> its variable's number
        self.memo = {}
        self.base_polys = {}  # a denominator's sum -> its polynomial

    def _gen(self, atom, k=1):
        g = self.gens.setdefault(atom, len(self.gens))
        return {((g, k),): Fraction(1)}

    def _exp(self, arg):
        """exp(arg) as a monomial: exp(sum of k_i a_i) = prod E_{a_i}^{k_i}."""
        out = {(): Fraction(1)}
        for t in sp.Add.make_args(arg):
            k, base = t.as_coeff_Mul()
            if k.is_Integer and k != 0:
                if base.could_extract_minus_sign():
                    k, base = -k, -base
                out = _mul(out, self._gen(("exp", base), int(k)))
            else:
                out = _mul(out, self._gen(("exp", t)))
        return out

    def _base(self, b):
        """The polynomial of a sum that is a denominator."""
        p = self.base_polys.get(b)
        if p is None:
            num, den = self.rational(b)
            if den or not num:
                raise _GiveUp  # a denominator with a denominator, or one that is 0
            p = self.base_polys[b] = num
        return p

    def rational(self, e):
        got = self.memo.get(e)
        if got is None:
            got = self.memo[e] = self._rational(e)
        return got

    def _rational(self, e):
        if e.is_Rational:
            return ({(): Fraction(int(e.p), int(e.q))} if e != 0 else {}), Counter()
        if e.is_Number:
            raise _GiveUp  # a Float (no exact arithmetic), an infinity, nan
        if e.is_Add:
            parts = [self.rational(a) for a in e.args]
            common = Counter()
            for _, den in parts:
                common |= den  # the lcm: the highest power of each sum
            num = {}
            for n, den in parts:
                scale = n
                for b, k in (common - den).items():
                    scale = _mul(scale, _pow(self._base(b), k))
                _add_into(num, scale)
            return num, (common if num else Counter())
        if e.is_Mul:
            num, den = _ONE, Counter()
            for a in e.args:
                n, d = self.rational(a)
                num = _mul(num, n)
                den = den + d
                if not num:
                    return {}, Counter()
            return num, den
        if e.is_Pow and e.exp.is_Integer:
            b, n = e.base, int(e.exp)
            if n > 0:
                num, den = self.rational(b)
                return _pow(num, n), Counter({k: v * n for k, v in den.items()})
            if b.is_Add:
                self._base(b)
                return dict(_ONE), Counter({b: -n})
            if b.is_Mul:
                return self.rational(sp.Mul(*[a ** n for a in b.args], evaluate=False))
            if isinstance(b, sp.exp):
                return self._exp(n * b.args[0]), Counter()  # exp(a)^n = exp(n a)
            num, den = self.rational(b)
            if len(num) == 1 and not den:  # a monomial: a Laurent monomial, its exponents negated
                (m, c), = num.items()
                return {tuple((g, k * n) for g, k in m): Fraction(1) / c ** -n}, Counter()
            raise _GiveUp
        if isinstance(e, sp.exp):
            return self._exp(e.args[0]), Counter()
        if isinstance(e, sp.Basic) and not isinstance(e, (sp.MatrixBase, sp.Tuple)):
            return self._gen(e), Counter()  # an atom: a symbol, an entry, f(...), a power with another exponent
        raise _GiveUp
