"""The checks of a record: each a function of the record alone.

* symbolic: a proof at symbolic sizes (index level, sums over symbolic
  dimensions) or for all values; for a result without its own route, the
  index-level derivation, every pair of steps shown equal, is that proof.
* derivation: the notes' own route, every pair of steps checked.
* derived: derive.grad applied to the loss alone, its answer proved equal
  to the notes' form.
* concrete: exact arithmetic at small non-square sizes.
* numeric: the generated NumPy against checks/' independent backprop and
  complex-step / central differences (evidence, not proof).
* refutation and correction, for a mistake.

``plan(r)`` lists them in report order; ``verify(r, lookup)`` runs them
(`lookup(id)` finds the result a mistake's correction belongs to).
"""
from __future__ import annotations

import dataclasses
import time

import numpy as np
import sympy as sp
from sympy.matrices.expressions.matexpr import MatrixElement

import checks as independent
from derive.maths import language as L
from derive.maths.calculus import derivative
from derive.maths.indexform import normal_form
from derive.matrix import lower, mexpr
from derive.matrix.prove import claim, explicit_gradient, zero_by
from derive.records import EVIDENCE, PROOF, REFUTATION, Check, Gradient, Identity, Verdict
from derive.verification import facts, fromsympy, statements
from derive.verification.derived import grad
from derive.verification.sampling import rng, sample
from derive.verification.steps import check as check_steps
from derive.verification.steps import derivations, tie
from derive.maths.budget import Budget


def _timed(name, kind, func):
    t0 = time.perf_counter()
    shown = ()
    try:
        out = func()
        ok, detail = out[:2]
        shown = tuple(out[2]) if len(out) > 2 else ()
    except Budget as err:  # a time budget that escaped its block: not shown, never refuted
        ok, detail = False, f"undecided: {err}"
    except Exception as err:  # a check that crashes has failed, loudly
        ok, detail = False, f"{type(err).__name__}: {err}"
    return Check(name, kind, bool(ok), detail, time.perf_counter() - t0, shown)


def _shaped(g, shape):
    """A generated gradient as an array of the variable's shape: scalars
    broadcast (d/dx of x*c is c everywhere), 1x1 results of scalar variables reshape."""
    g = np.asarray(g, dtype=float)
    return g.reshape(shape) if g.size == int(np.prod(shape)) else np.broadcast_to(g, shape)


def _not_scalar(e):
    """A claim for a scalar variable must be a scalar (or 1 x 1)."""
    return getattr(e, "shape", (1, 1)) != (1, 1)


def _size_args(exprs):
    syms = set()
    for e in exprs:
        syms |= set(mexpr.numeric_sizes(e))
    return sorted(syms, key=str)


def _numeric_sizes(h):
    return {k: v + 2 for k, v in h.sizes[-1].items()}  # other sizes than the exact check's


# ----------------------------------------------------------------------------
# Gradient
# ----------------------------------------------------------------------------

def gradient_symbolic(h, main=True):
    """Proof at symbolic sizes.  main=False leaves the claim itself to the
    derivation chain (see _symbolic), which proves it step by step; shapes
    and the branches of non-smooth functions are checked here."""
    notes, sized = [], False
    shapes, assume = statements.shapes(h), statements.assumptions(h)
    for V, s, claims, _ in statements.parts(h):
        for label, rep in h.branches:
            ok, detail = _branch(h, V, s, claims, rep)
            if not ok:
                return False, f"branch {label}: {detail}"
            notes.append(f"branch {label} by {detail}")
        for name, cl in claims.items():
            var = getattr(V, name)
            if isinstance(var, sp.MatrixSymbol):
                sized = True
                if tuple(getattr(cl, "shape", ())) != tuple(var.shape):
                    return False, f"d/d{name}: claimed shape {getattr(cl, 'shape', ())} differs from {var.shape}"
            elif _not_scalar(cl):
                return False, f"d/d{name}: claimed shape {cl.shape} for a scalar variable"
            if not main:
                continue
            if isinstance(var, sp.MatrixSymbol):
                idx = mexpr.generic_index(shapes[name])
                d = derivative(s, var[idx]) - cl[idx]
            else:
                d = derivative(s, var) - mexpr.scalar_of(cl)
            how = zero_by(d, assume)
            if how is None:
                shown = normal_form(d) if d.has(sp.Sum) else sp.simplify(d)
                return False, f"d/d{name}: difference not shown to be 0: {shown}"
            notes.append(f"d/d{name} by {how}")
    if not main:
        return True, "; ".join(notes)
    scope = "entry (p, q) at symbolic sizes" if sized else "scalar"
    return True, f"{scope}: " + "; ".join(notes)


def _branch(h, V, s, claims, rep):
    """The claim with each kinked function replaced by one branch."""
    def on(e):
        for func, r in rep.items():
            e = e.replace(func, r)
        return e
    s = on(s)
    hows = []
    for name, cl in claims.items():
        var = getattr(V, name)
        if isinstance(var, sp.MatrixSymbol):
            idx = mexpr.generic_index(statements.shapes(h)[name])
            d = derivative(s, var[idx]) - on(cl)[idx]
        else:
            d = derivative(s, var) - on(mexpr.scalar_of(cl))
        how = zero_by(d, statements.assumptions(h))
        if how is None:
            return False, f"d/d{name} not shown to be 0"
        hows.append(how)
    return True, sorted(set(hows))[-1]


def gradient_concrete(h):
    done = []
    assume = statements.assumptions(h)
    for sizes in h.sizes:
        subs = {}
        for a in assume:
            subs.update(a.concrete_subs(sizes))
        for V, s, claims, _ in statements.parts(h):
            se = mexpr.explicit(s, sizes)
            for name, cl in claims.items():
                var = getattr(V, name)
                cle = mexpr.explicit(cl, sizes)
                if isinstance(var, sp.MatrixSymbol):
                    ve = mexpr.explicit(var, sizes)
                    if cle.shape != ve.shape:
                        return False, f"d/d{name} at {sizes}: claimed shape {cle.shape} vs {ve.shape}"
                    d = ve.applyfunc(lambda x: derivative(se, x)) - cle
                elif _not_scalar(cle):
                    return False, f"d/d{name} at {sizes}: claimed shape {cle.shape} for a scalar variable"
                else:
                    d = sp.Matrix([derivative(se, var) - mexpr.scalar_of(cle)])
                d = d.xreplace(subs)
                if zero_by(d) is None:
                    return False, f"d/d{name} at sizes {sizes}: nonzero difference {d}"
        done.append(", ".join(f"{k}={v}" for k, v in sizes.items()) or "scalar")
    return True, "exact at " + "; ".join(done)


def gradient_numeric(h, key):
    sizes = _numeric_sizes(h)
    shapes = statements.shapes(h)
    vals = sample(rng(key), shapes, sizes, h.sample)
    if h.adjust is not None:
        vals = h.adjust(independent.ops, dict(vals))
    names = list(shapes)
    worst, worst_fd, methods, entries, kinks = 0.0, 0.0, set(), 0, 0
    for V, s, claims, forward in statements.parts(h):
        size_syms = _size_args(claims.values())
        func = mexpr.numpy_function("grad", names + [str(d) for d in size_syms], list(claims.values()))
        wrt = list(claims)
        got = [_shaped(g, np.shape(vals[n])) for g, n in
               zip(func(*[vals[n] for n in names], *[sizes[str(d)] for d in size_syms]), wrt)]

        def loss(*xs, forward=forward, wrt=wrt):
            kw = dict(vals)
            kw.update(zip(wrt, xs))
            return forward(independent.ops, **kw)

        _, bp = independent.grad(loss, *[vals[n] for n in wrt])
        for name, g, b in zip(wrt, got, bp):
            err = float(np.max(np.abs(g - b) / np.maximum(1.0, np.abs(b)))) if np.size(b) else 0.0
            worst = max(worst, err)
            if err > 1e-10:
                return False, f"d/d{name}: generated code vs backprop differ by {err:.2e}"
        rep = independent.gradcheck(loss, [vals[n] for n in wrt], got)
        if not rep.ok:
            return False, str(rep)
        kinks += len(rep.kinks)
        methods.add(rep.method)
        entries += rep.checked
        worst_fd = max(worst_fd, rep.max_rel_err)
    at = ", ".join(f"{k}={v}" for k, v in sizes.items()) or "scalar"
    return True, (f"float64 at {at}: generated code vs independent backprop max rel err {worst:.1e} "
                  f"(tol 1e-10); vs {'/'.join(sorted(methods))} max rel err {worst_fd:.1e} ({entries} entries)"
                  + (f"; {kinks} entries at kinks passed the one-sided interval test" if kinks else ""))


# ----------------------------------------------------------------------------
# Identity
# ----------------------------------------------------------------------------

def identity_symbolic(h, main=True):
    lhs, rhs = statements.sides(h)
    if isinstance(lhs, sp.MatrixExpr) and tuple(lhs.shape) != tuple(rhs.shape):
        return False, f"shapes differ: {lhs.shape} vs {rhs.shape}"
    if not main:  # the derivation chain proves the claim (_symbolic)
        return True, ""
    if isinstance(lhs, sp.MatrixExpr):
        idx = tuple(sp.Integer(0) if s == 1 else sp.Symbol(c, integer=True, nonnegative=True)
                    for s, c in zip(lhs.shape, "pq"))
        d, scope = lhs[idx] - rhs[idx], "entry (p, q) at symbolic sizes"
    else:
        d, scope = lhs - rhs, "for all values"
    how = zero_by(d, statements.assumptions(h))
    return (True, f"{scope}: difference is 0 by {how}") if how else (False, f"difference not shown to be 0: {d}")


def identity_concrete(h):
    lhs, rhs = statements.sides(h)
    done = []
    for sizes in h.sizes:
        v = claim(mexpr.explicit(lhs, sizes), mexpr.explicit(rhs, sizes), assume=statements.assumptions(h), sizes=sizes,
                  seconds=None)
        if v.holds is not True:
            return False, f"at {sizes}: {v.detail} {v.counterexample}"
        done.append("x".join(f"{k}={v}" for k, v in sizes.items()) or "symbols")
    return True, "exact at " + ", ".join(done)


def identity_numeric(h, key):
    _, rhs = statements.sides(h)
    sizes = _numeric_sizes(h)
    shapes = statements.shapes(h)
    vals = sample(rng(key), shapes, sizes, h.sample)
    names = list(shapes)
    size_syms = _size_args([rhs])
    func = mexpr.numpy_function("rhs", names + [str(d) for d in size_syms], rhs)
    got = np.asarray(func(*[vals[n] for n in names], *[sizes[str(d)] for d in size_syms]), dtype=float)
    ref = np.asarray(statements.identity_reference(h)(independent.ops, **vals), dtype=float)
    err = float(np.max(np.abs(got - ref) / np.maximum(1.0, np.abs(ref))))
    return err <= 1e-12, f"float64: generated rhs vs independent NumPy lhs, max rel err {err:.1e} (tol 1e-12)"


# ----------------------------------------------------------------------------
# Facts
# ----------------------------------------------------------------------------

def _facts(func):
    """(ok, detail, the Fact rows for the report)."""
    rows = [facts.as_fact(row) for row in func()]
    bad = [f"{f.label}: {f.detail}" for f in rows if not f.ok]
    text = "; ".join(f"{f.label}: {f.detail}" for f in rows)
    return (not bad and bool(rows)), ("FAILED " + "; ".join(bad)) if bad else text, rows


# ----------------------------------------------------------------------------
# a result
# ----------------------------------------------------------------------------

def kind_checks(h, key):
    """{check: function} of a kind."""
    if isinstance(h, Gradient):
        return {"symbolic": lambda: gradient_symbolic(h), "concrete": lambda: gradient_concrete(h),
                "numeric": lambda: gradient_numeric(h, key)}
    if isinstance(h, Identity):
        return {"symbolic": lambda: identity_symbolic(h), "concrete": lambda: identity_concrete(h),
                "numeric": lambda: identity_numeric(h, key)}
    out = {"symbolic": lambda: _facts(h.symbolic_facts)}
    if h.concrete_facts is not None:
        out["concrete"] = lambda: _facts(h.concrete_facts)
    if h.numeric_facts is not None:
        out["numeric"] = lambda: _facts(h.numeric_facts)
    return out


def kind_check(h, name, key="test"):
    """One check of a kind alone (no derivation, no derived): (ok, detail[, shown])."""
    return kind_checks(h, key)[name]()


def plan(r, lookup=None):
    """[(check name, kind, function -> (ok, detail[, shown]))] in report order.
    lookup(id) -> Result: where a mistake's correction finds its result."""
    h = r.how
    if r.is_mistake:
        return [("refutation", REFUTATION, lambda: _refutation(r)), ("correction", PROOF, lambda: _correction(r, lookup))]
    kind = kind_checks(h, r.id)
    if isinstance(h, (Gradient, Identity)) and not r.steps:
        # the index-level derivation proves the claim step by step: it is the symbolic proof
        out = [("symbolic", PROOF, lambda: _symbolic(r))]
    else:
        out = [("symbolic", PROOF, kind["symbolic"])]
        if r.steps:  # the notes' own route, checked besides
            out.append(("derivation", PROOF, lambda: _derivation(r)))
    if isinstance(h, Gradient):  # the catalog derives itself: derive.grad from the scalar alone
        out.append(("derived", PROOF, lambda: _derived(r)))
    out += [(n, PROOF, kind[n]) for n in ("concrete",) if n in kind]
    out += [(n, EVIDENCE, kind[n]) for n in ("numeric",) if n in kind]
    bad = _circular(r)
    if bad:  # every exact check would assume the result: each fails, saying why
        out = [(n, k, (lambda: (False, bad)) if k == PROOF else f) for n, k, f in out]
    return out


def run_check(r, name, lookup=None):
    """One check of :func:`plan` by name (checks are independent, so the
    CLI can spread them over processes)."""
    for n, kind, func in plan(r, lookup):
        if n == name:
            return _timed(n, kind, func)
    raise KeyError(f"{r.id} has no check {name!r}")


def verify(r, lookup=None):
    return Verdict(r.id, r.expected, [_timed(n, kind, func) for n, kind, func in plan(r, lookup)])


_SPECS = {}  # (id(mistake), gradient) -> (mistake, spec): the refutation and the correction share one


def mistake_spec(m, gradient=True):
    """dict(lhs, rhs, corrected, sizes, assume, ...) of a Mistake, once per
    record in a process.  One in the language: lhs is the gradient of its loss
    entry by entry at its sizes (left out when not `gradient`: the report
    prints the other parts only), rhs the form as written, read at symbolic
    sizes or, where its shapes fit only at the given sizes (all widths 2), at
    those; a written form whose shapes fit at neither is refuted by that
    (dict(refute=...))."""
    hit = _SPECS.get((id(m), gradient))
    if hit is None or hit[0] is not m:
        hit = _SPECS[(id(m), gradient)] = (m, _mistake_spec(m, gradient))
    return dict(hit[1])


def _mistake_spec(m, gradient):
    if m.build is not None:
        return m.build()
    sizes = m.sizes or {}
    h = Gradient(shapes=m.shapes, where=m.where, assume=m.assume)
    loss, corrected = statements.trees(h, [m.loss, m.corrected])
    x = getattr(mexpr.variables(statements.shapes(h)), m.wrt)
    side = lambda t: mexpr.scalar_of(lower.to_sympy(t)) if t.shape in ((), (1, 1)) else lower.to_sympy(t)  # noqa: E731
    spec = dict(corrected=side(corrected), sizes=sizes, assume=statements.assumptions(h))
    if gradient:
        scalar = mexpr.scalar_of(lower.to_sympy(loss))
        spec["lhs"] = explicit_gradient(scalar, x, sizes) if isinstance(x, sp.MatrixSymbol) else sp.diff(scalar, x)
    try:
        (written,) = statements.trees(h, [m.written])
    except L.LanguageError:
        fixed = {k: tuple(sizes.get(d, d) for d in L.shape_of(v)) for k, v in m.shapes.items()}
        try:
            (written,) = statements.trees(Gradient(shapes=fixed, where=m.where), [m.written])
        except L.LanguageError as err:  # a product the notes wrote is undefined at these sizes
            why = f"as written, {m.written} is undefined at {_at(sizes)}: {str(err).splitlines()[0]}"
            spec["refute"] = lambda: (True, why)
            return spec
    spec["rhs"] = side(written)
    return spec


def _at(sizes):
    return ", ".join(f"{k} = {v}" for k, v in sizes.items())


def _refutation(r):
    spec = mistake_spec(r.how)
    if "refute" in spec:
        return spec["refute"]()
    kwargs = {k: spec[k] for k in ("sizes", "assume", "positive") if spec.get(k)}
    v = claim(spec["lhs"], spec["rhs"], seconds=None, **kwargs)
    if v.holds is False:
        ce = ", ".join(f"{k} = {val}" for k, val in v.counterexample.items())
        vals = f"; as written {v.rhs_value}, correct {v.lhs_value}" if v.rhs_value is not None else ""
        return True, f"{v.detail}: {ce}{vals}"
    return False, f"not refuted: {v.detail}"


def _circular(r):
    """What is wrong if a check would differentiate a justified function."""
    if not r.justifies or not isinstance(r.how, Gradient):
        return None
    for _, s, _, _ in statements.parts(r.how):
        used = [f.__name__ for f in r.justifies if s.has(f)]
        if used:
            return f"circular: the scalar contains {used[0]}, whose derivative is what this result proves"
    return None


def _derived(r):
    """derive.grad of each loss of the record, from the loss alone (its text
    in the language; a SymPy-built scalar is printed as text and parsed back),
    each gradient proved equal to the notes' claimed form at symbolic sizes.
    Returns (ok, detail, LaTeX of the derived forms for the report)."""
    h = r.how
    renamed = fromsympy.names(statements.shapes(h))
    shapes = fromsympy.shapes(statements.shapes(h), renamed)
    assume = tuple(fromsympy.assumption_text(a, renamed) for a in statements.assumptions(h))
    pairs = [(s, cl) for _, s, cl, _ in statements.stated(h)]
    texts = [L.text(t) for t, _ in statements.text_parts(h)] if h.loss is not None else None
    notes, blocks, methods = [], [], set()
    for k, (scalar, claims) in enumerate(pairs):
        part = f"part {k + 1}: " if len(pairs) > 1 else ""
        if texts is not None:
            src = texts[k]
            tree = L.parse(src, shapes)
        else:
            try:
                tree = fromsympy.to_tree(scalar, statements.shapes(h), renamed)
            except ValueError as err:  # Unsupported, LanguageError: the construct is named
                return False, f"{part}the scalar has no form in derive's language: {err}"
            src = L.text(tree)
            if L.parse(src, shapes) != tree:
                return False, f"{part}the scalar's text {src!r} does not parse back to the same tree"
        wrt = [v for v in claims if L.depends(tree, renamed[v])]
        for v in claims:
            if v not in wrt:  # derive.grad refuses a variable the scalar does not contain: the gradient is 0
                cl = claims[v]
                zero = sp.ZeroMatrix(*cl.shape) if isinstance(cl, sp.MatrixExpr) else sp.Integer(0)
                if claim(zero, cl, seconds=None).holds is not True:
                    return False, f"{part}the scalar {src} does not depend on {v}, but the notes claim {cl}"
        try:
            d = grad(src, [renamed[v] for v in wrt], shapes, assume=assume) if wrt else None
        except ValueError as err:  # NotProved, Unsupported, LanguageError
            return False, f"{part}derive.grad of {src}: {type(err).__name__}: {err}"
        used = [fn.__name__ for fn in r.justifies
                if d is not None and any(f"the rule for {fn.__name__}," in rule for rule in d.rules)]
        if used:
            return False, (f"circular: derive.grad differentiated {used[0]} by its rule, "
                           "whose derivative is what this result proves")
        shown = []
        if d is not None:
            d = _restored(d, renamed, statements.shapes(h), wrt)
            for v in wrt:
                verdict = claim(lower.to_sympy(d.answers[v]), claims[v], assume=statements.assumptions(h), seconds=None)
                if verdict.holds is not True:
                    ce = f" {verdict.counterexample}" if verdict.counterexample else ""
                    return False, (f"{part}d/d{v}: derive.grad gives {d.texts[v]}{_where(d)}, not shown equal to "
                                   f"the notes' {claims[v]}: {verdict.detail}{ce}")
                methods.add(verdict.detail.split(" by ")[-1] if " by " in verdict.detail else verdict.detail)
                shown.append(f"{v}: {d.texts[v]}")
            blocks.append(d.latex)
        shown += [f"{v}: 0 (the scalar does not contain {v})" for v in claims if v not in wrt]
        notes.append(f"{part}{', '.join(shown)}{_where(d) if d is not None else ''}")
    alias = [f"{old} as {new}" for old, new in renamed.items() if old != new]
    scope = "for every size" if any(s != () for s in statements.shapes(h).values()) else "for all values"
    detail = (f"derive.grad: {'; '.join(notes)}; each proved equal to the notes' form {scope} "
              f"({', '.join(sorted(methods)) or 'trivial'})"
              + (f"; {', '.join(alias)} in the language (a function's name)" if alias else ""))
    return True, detail, blocks


def _ends(r, d):
    """[(start, end)]: what a notes' route d must start from (the result's
    quantity: its scalar differentiated by the entry the route's first step
    differentiates by, or an identity's left-hand side) and end at (the
    claim's entry)."""
    first, h, out = d.steps[0].expr, r.how, []
    if isinstance(h, Gradient):
        x = first.variables[0] if isinstance(first, sp.Derivative) and len(first.variables) == 1 else None
        for V, s, claims, _ in statements.parts(h) if x is not None else ():
            for name, cl in claims.items():
                var = getattr(V, name)
                if isinstance(x, MatrixElement) and x.parent == var:
                    out.append((derivative(s, x), cl[x.indices]))
                elif x == var:
                    out.append((derivative(s, x), mexpr.scalar_of(cl)))
    elif isinstance(h, Identity):
        lhs, rhs = statements.sides(h)
        if not isinstance(lhs, sp.MatrixExpr):
            out.append((lhs, rhs))
        else:  # a route for entry (p, q) of the identity
            idx = mexpr.generic_index(lhs.shape)
            out.append((lhs[idx], rhs[idx]))
    return out


def _symbolic(r):
    h = r.how
    ok, detail = (gradient_symbolic if isinstance(h, Gradient) else identity_symbolic)(h, main=False)
    if not ok:
        return False, detail
    out = _derivation(r)
    if not out[0]:
        return out
    scope = "entry (p, q) at symbolic sizes" if any(
        s != () for s in statements.shapes(h).values()) else "for all values"
    return True, f"{scope}: {out[1]}" + (f"; {detail}" if detail else ""), out[2]


def _derivation(r):
    """Every consecutive pair of every derivation step follows; a notes'
    route must also start from this result's quantity and end at its claim."""
    ds = derivations(r)
    if not ds:
        return False, "no derivation"
    argued = restated = 0
    for d in ds:
        if r.steps:
            ends = _ends(r, d)
            if not ends:
                return False, f"the route {d.title} is not about a variable or entry of this result"
            wrong = [tie(d, a, b, r.justifies) for a, b in ends]
            if all(wrong):
                return False, f"the route {d.title} is not a route of this result: {wrong[0]}"
        for i, ok, how, carries in check_steps(d, r.justifies):
            if not ok:
                return False, (f"step {i + 1} of the derivation of {d.title} does not follow from step {i}: "
                               f"{d.steps[i].reason}" + (f" ({how})" if how else ""))
            argued += carries
            restated += not carries
    more = f"; {restated} more restate{'s' * (restated == 1)} the step before, evaluated" if restated else ""
    return True, (f"{argued} step{'s' * (argued != 1)} carrying the argument in {len(ds)} "
                  f"derivation{'s' * (len(ds) > 1)}, each shown to follow{more}"), ds


def _correction(r, lookup):
    """The correction is proved, not typed: `corrected` equals the quantity
    the notes compute, judged like the refutation (same sizes and
    assumptions); or, for a claim that is not an equation, a function that
    computes it."""
    if lookup is None:
        return False, f"no catalog to find {r.how.correct} in"
    target = lookup(r.how.correct)
    if target.is_mistake:
        return False, f"{target.id} is itself a mistake"
    spec = mistake_spec(r.how)
    fix = spec.get("corrected")
    if fix is None:
        return False, "no corrected form"
    if callable(fix):
        ok, detail = fix()
        return ok, f"{detail}; the result: {target.id}"
    kwargs = {k: spec[k] for k in ("sizes", "assume", "positive") if spec.get(k)}
    v = claim(spec["lhs"], fix, seconds=None, prove_first=True, **kwargs)  # expected to hold: the proof first
    if v.holds is not True:
        return False, f"the correction is not shown equal to what the notes compute: {v.detail}"
    tied = _tied(r, target, fix, kwargs)
    if tied is None:
        return False, f"{v.detail}; but the correction is none of {target.id}'s claims"
    return True, f"{v.detail}; it is {tied} of {target.id}"


def _tied(r, target, fix, kwargs):
    """Which claim of the target the correction is (scale times the claim,
    the target's variables renamed by `via`), judged by claim at the
    erratum's sizes; None if none is."""
    h = target.how
    if not isinstance(h, Gradient):
        return None
    for V, _, claims, _ in statements.parts(h):
        sub = {getattr(V, k): _via(e) for k, e in r.how.via.items()}
        cands = [(f"the claim for {n}", cl) for n, cl in claims.items()]
        scalars = [cl for n, cl in claims.items() if not isinstance(getattr(V, n), sp.MatrixSymbol)]
        if len(scalars) > 1:
            cands.append(("the gradient vector", sp.Matrix([mexpr.scalar_of(c) for c in scalars])))
        for label, cl in cands:
            try:
                v = claim(r.how.scale * cl.xreplace(sub), fix, seconds=None, **kwargs)
            except (TypeError, ValueError, sp.ShapeError):
                continue
            if v.holds is True:
                return label
    return None


def _via(e):
    """A renaming target: a SymPy expression, or a scalar's name."""
    return sp.Symbol(e, real=True) if isinstance(e, str) else e


def _restored(d, renamed, shapes, wrt):
    """A derive.grad result over renamed variables (g_ for g) with the
    record's own names again: its text, LaTeX and SymPy forms use them."""
    if all(old == new for old, new in renamed.items()):
        return d
    back = lambda t: fromsympy.back(t, renamed)  # noqa: E731
    inverse = {new: old for old, new in renamed.items()}
    return dataclasses.replace(d, f=back(d.f), wrt=tuple(wrt), shapes={v: d.shapes[renamed[v]] for v in shapes},
                               answers={inverse[v]: back(a) for v, a in d.answers.items()},
                               names={back(t): n for t, n in d.names.items()},
                               steps={inverse[v]: s for v, s in d.steps.items()},
                               proof={inverse[v]: p for v, p in d.proof.items()})


def _where(d):
    parts = d.where
    return f" (where {'; '.join(f'{n} = {t}' for n, t in parts.items())})" if parts else ""
