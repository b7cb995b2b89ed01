"""Derivations: chains of equal expressions, one reason per step, every
consecutive pair checked by the engine.

A step is a SymPy expression *as written* (``sp.Derivative`` left
unevaluated, sums over symbolic sizes) and the reason for the equality that
leads to it.  ``check`` evaluates each pair (derivatives taken, never
``doit()`` on sums) and asks :func:`derive.matrix.prove.zero_by` whether the
difference is 0 under the result's assumptions; a step that does not
follow fails the result's ``derivation`` check, which names it.

Results may declare their own steps (the notes' route, e.g. the log of a
quotient for softmax cross-entropy); every other gradient and identity gets
the index-level route: the entry of the scalar, term-by-term derivative,
Kronecker deltas collapsed, the claimed entry.
"""
from __future__ import annotations

import sympy as sp

from derive.matrix import mexpr
from derive.maths import functions as fn
from derive.maths.calculus import derivative
from derive.maths.indexform import normal_form
from derive.matrix.latex import tex
from derive.matrix.prove import zero_by
from derive.records import Derivation, Gradient, Identity, Step
from derive.verification import statements

# a first step longer than this (LaTeX characters) is written as s (the scalar
# stated just above it); every other step is shown in full, however long:
# derive/render/breaking.py breaks it over lines
MAX_SHOWN = 700


class Circular(ValueError):
    """A step differentiates through a rule that the result itself proves."""


def evaluate(e, forbid=()):
    """Take every unevaluated derivative (sp.diff on its argument); release
    sp.UnevaluatedExpr (a factor kept apart for display).  `forbid`: functions
    whose derivative rule (fdiff) the result under check is the proof of;
    differentiating through one of them would assume the result."""
    if isinstance(e, sp.MatrixBase):
        return e.applyfunc(lambda x: evaluate(x, forbid))
    if not isinstance(e, sp.Basic):
        return e
    if e.has(sp.UnevaluatedExpr):
        e = e.replace(lambda x: isinstance(x, sp.UnevaluatedExpr), lambda x: x.args[0])
    if not e.has(sp.Derivative):
        return e
    for x in e.atoms(sp.Derivative):
        used = [f for f in forbid if x.expr.has(f)]
        if used:
            raise Circular(f"differentiates {used[0].__name__}, whose derivative is what this result proves")
    return e.replace(lambda x: isinstance(x, sp.Derivative), lambda x: derivative(x.expr, *x.variables))


_NF = {}


def _normal(e):
    """normal_form, remembered: each step is normalized once though it is in two pairs."""
    if not isinstance(e, sp.Basic) or isinstance(e, sp.MatrixBase) or not e.has(sp.Sum):
        return e
    if e not in _NF:
        _NF[e] = normal_form(e)
    return _NF[e]


def check(d, forbid=()):
    """[(i, ok, how, argued)]: step i follows from step i - 1 (the difference
    of the two normal forms is shown to be 0 by zero_by, assumptions
    included).  `argued` is False for a pair whose later step is the
    earlier one evaluated (its derivative taken, or its normal form): such a
    pair is checked but carries no argument, and is not counted as one.
    A step written twice in a row is an error, not a step."""
    out = []
    for i in range(1, len(d.steps)):
        if d.steps[i].expr == d.steps[i - 1].expr:
            out.append((i, False, "it repeats the step before it", False))
            continue
        try:
            ev = evaluate(d.steps[i - 1].expr, forbid)
            a, b = _normal(ev), _normal(evaluate(d.steps[i].expr, forbid))
        except Circular as err:
            out.append((i, False, f"circular: {err}", False))
            continue
        diff = (a - b) if not isinstance(a, sp.MatrixBase) else sp.Matrix(a - b)
        how = zero_by(diff, d.assume)
        later = d.steps[i].expr
        out.append((i, how is not None, how, not (later == ev or later == a)))
    return out


def tie(d, start, end, forbid=()):
    """None if derivation d starts at `start` and ends at `end` (each shown
    equal by zero_by), else what is wrong: a route attached to a result must
    be a route from that result's quantity to its claim."""
    try:
        first, last = evaluate(d.steps[0].expr, forbid), evaluate(d.steps[-1].expr, forbid)
    except Circular as err:
        return f"circular: {err}"
    if zero_by(_normal(first) - _normal(evaluate(start)), d.assume) is None:
        return "its first step is not the result's quantity"
    if zero_by(_normal(last) - _normal(end), d.assume) is None:
        return "its last step is not the result's claim"
    return None


def _shown(steps):
    """The steps as displayed: all of them (each pair shown is the pair
    checked); a first step too long to repeat is written as s, the scalar
    stated just above it, and its reason says so."""
    first = steps[0]
    if first.display is None and len(tex(first.expr)) > MAX_SHOWN:
        first = Step(first.expr, first.reason + r" ($s$ as stated above; too long to repeat)",
                     _short_first(first.expr))
    return (first, *steps[1:])


def _short_first(e):
    if isinstance(e, sp.Derivative):
        return rf"\frac{{\partial s}}{{\partial {tex(e.variables[0])}}}"
    return "s"


def _entry_reason(assume):
    extra = "; " + "; ".join(str(a) for a in assume) if assume else ""
    return r"entry $(p, q)$ of the claim" + extra


def _abbreviated(e):
    """What a normal form abbreviates, for the reason of the step that shows it."""
    return r"; $\sigma(u)(1 - \sigma(u))$ written $\sigma'(u)$" if isinstance(e, sp.Basic) and e.has(fn.dsigmoid) else ""


def gradient_derivations(how):
    """Index-level derivations of a Gradient: one per part and variable."""
    out = []
    for V, s, claims, _ in statements.parts(how):
        for name, cl in claims.items():
            var = getattr(V, name)
            if isinstance(var, sp.MatrixSymbol):
                idx = mexpr.generic_index(statements.shapes(how)[name])
                x = var[idx]
                raw = derivative(s, x)
                collapsed = _normal(raw)
                steps = [Step(sp.Derivative(s, x, evaluate=False), r"$s$ entry by entry (sums over symbolic sizes)"),
                         Step(raw, r"term by term: $\partial x_{ij}/\partial x_{pq} = \delta_{ip}\delta_{jq}$, chain rule"),
                         Step(collapsed, r"collapse the Kronecker deltas" + _abbreviated(collapsed)),
                         Step(cl[idx], _entry_reason(statements.assumptions(how)))]
                title = rf"\frac{{\partial s}}{{\partial {tex(x)}}}"
                concl = rf"\frac{{\partial s}}{{\partial {tex(var)}}} = {tex(cl)}"
            else:
                raw = derivative(s, var)
                steps = [Step(sp.Derivative(s, var, evaluate=False), r"the scalar as stated"),
                         Step(raw, r"chain rule, derivatives of the elementary functions"),
                         Step(mexpr.scalar_of(cl), r"algebra (the claim)" + ("; " + "; ".join(map(str, statements.assumptions(how))) if how.assume else ""))]
                title = rf"\frac{{\partial s}}{{\partial {tex(var)}}}"
                concl = ""
            out.append(Derivation(title, _shown(tuple(_dedupe(steps))), concl, statements.assumptions(how)))
    return out


def identity_derivations(how):
    lhs, rhs = statements.sides(how)
    if isinstance(lhs, sp.MatrixExpr):
        idx = tuple(sp.Integer(0) if s == 1 else sp.Symbol(c, integer=True, nonnegative=True)
                    for s, c in zip(lhs.shape, "pq"))
        a, b = lhs[idx], rhs[idx]
        steps = [Step(a, r"left-hand side, entry $(p, q)$"), Step(normal_form(a), r"index normal form" + _abbreviated(normal_form(a))),
                 Step(b, r"right-hand side, entry $(p, q)$")]
        title = rf"\left({tex(lhs)}\right)_{{pq}}"
    else:
        steps = [Step(lhs, r"left-hand side"), Step(rhs, r"algebra")]
        title = tex(lhs)
    return [Derivation(title, _shown(tuple(_dedupe(steps))), "", statements.assumptions(how))]


def _dedupe(steps):
    """Consecutive steps that print the same are one step."""
    out = []
    for s in steps:
        if out and s.expr == out[-1].expr:
            continue
        out.append(s)
    return out  # one step left: the claim is the quantity as SymPy writes it


def derivations(r):
    """The derivations a result's report shows and its derivation check verifies."""
    if r.steps:
        return list(r.steps)
    if isinstance(r.how, Gradient):
        return gradient_derivations(r.how)
    if isinstance(r.how, Identity):
        return identity_derivations(r.how)
    return []
