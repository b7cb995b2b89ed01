"""The registry: every result of the notes as one declarative record.

A :class:`Result` says where the result comes from, what it states (in the
note's own convention), and how it is established: a *kind* object that
knows the three checks.

* :class:`Gradient`: "the gradient of this scalar w.r.t. these variables is
  this formula".  Proved at symbolic sizes (index level), exactly at small
  non-square sizes, and numerically against checks/' independent backprop
  and complex-step / central differences of an independently written loss.
* :class:`Identity`: "lhs = rhs" for matrices or scalars, same three checks,
  numerics against an independent NumPy reference.
* :class:`Facts`: results that are not one equation (worked numbers, limits,
  inequalities): lists of exact checks, each an argument of its own.
* :class:`Mistake`: a claim as the notes wrote it, refuted by a
  counterexample that :func:`derive.claim` finds, beside the correct result.

The CLI, the tests and the reports iterate :func:`results`; adding a result
means adding a record to one of the ``derive/notes/`` modules.
"""
from __future__ import annotations

import difflib
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import sympy as sp

from . import mexpr
from .indexform import normal_form
from .prove import claim, zero_by
from .verdict import EVIDENCE, PROOF, REFUTATION, SAMPLERS, Check, Verdict, rng
from sympy.matrices.expressions.matexpr import MatrixElement

def _timed(name, kind, func):
    t0 = time.perf_counter()
    tex = ""
    try:
        out = func()
        ok, detail = out[:2]
        tex = out[2] if len(out) > 2 else ""
    except Exception as err:  # a check that crashes has failed, loudly
        ok, detail = False, f"{type(err).__name__}: {err}"
    return Check(name, kind, bool(ok), detail, time.perf_counter() - t0, tex)


_rng = rng


def sample(rng, shapes, sizes, how):
    vals = {}
    for name, shape in shapes.items():
        concrete = tuple(sizes[s] if isinstance(s, str) else s for s in shape)
        vals[name] = np.asarray(SAMPLERS[how.get(name, "normal")](rng, concrete), dtype=float)
    return vals


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


# ----------------------------------------------------------------------------
# kinds
# ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Export:
    """A kernel of derive.numeric printed from one part of a Gradient.

    part: which (scalar, claims) pair of the build; wrt: which gradients to
    return (all by default), after the scalar when `value`; given: pairs
    (argument, variable) where the caller passes a = f(variable) (or g(...))
    that it already has, and f'(variable) is then taken from a (f' through
    the output, proved in activation-derivative-from-output); zero: scalar
    variables set to 0 (a variant without regularization)."""

    name: str
    part: int = 0
    wrt: tuple = None
    value: bool = False
    given: tuple = ()
    zero: tuple = ()


@dataclass
class Gradient:
    """shapes: variable -> shape over size names; build(V) -> (scalar,
    {variable: claimed gradient}); forward(F, **arrays) is the loss written
    independently in NumPy (F = checks.ops)."""

    shapes: dict
    build: Callable
    forward: Callable
    sizes: tuple = ({},)
    sample: dict = field(default_factory=dict)
    assume: tuple = ()
    # non-smooth results: (label, {function: replacement}) per branch, e.g.
    # ("z > 0", {relu: identity, step: 1}); each branch is proved as well
    branches: tuple = ()
    # move the numeric sample, e.g. onto a kink: adjust(F, vals) -> vals
    adjust: Callable = None
    # kernels of derive.numeric printed from this result (besides the
    # per-result function every Gradient gets): Export records
    exports: tuple = ()

    def _parts(self):
        """[(V, scalar, claims, forward)]: build may return one (scalar,
        claims) pair or a list of them, with `forward` a matching list."""
        V = mexpr.variables(self.shapes)
        built = self.build(V)
        pairs = built if isinstance(built, list) else [built]
        fwds = self.forward if isinstance(self.forward, (list, tuple)) else [self.forward]
        if len(fwds) != len(pairs):
            raise ValueError(f"{len(pairs)} scalars but {len(fwds)} forward functions")
        return [(V, mexpr.scalar_of(sc), cl, fw) for (sc, cl), fw in zip(pairs, fwds)]

    def symbolic(self, main=True):
        """Proof at symbolic sizes.  main=False leaves the claim itself to
        the derivation chain (Result._symbolic), which proves it step by
        step; shapes and the branches of non-smooth functions are checked here."""
        notes, sized = [], False
        for V, s, claims, _ in self._parts():
            for label, rep in self.branches:
                ok, detail = self._branch(V, s, claims, rep)
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
                    idx = mexpr.generic_index(self.shapes[name])
                    d = s.diff(var[idx]) - cl[idx]
                else:
                    d = sp.diff(s, var) - mexpr.scalar_of(cl)
                how = zero_by(d, self.assume)
                if how is None:
                    shown = normal_form(d) if d.has(sp.Sum) else sp.simplify(d)
                    return False, f"d/d{name}: difference not shown to be 0: {shown}"
                notes.append(f"d/d{name} by {how}")
        if not main:
            return True, "; ".join(notes)
        scope = "entry (p, q) at symbolic sizes" if sized else "scalar"
        return True, f"{scope}: " + "; ".join(notes)

    def _branch(self, V, s, claims, rep):
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
                idx = mexpr.generic_index(self.shapes[name])
                d = s.diff(var[idx]) - on(cl)[idx]
            else:
                d = sp.diff(s, var) - on(mexpr.scalar_of(cl))
            how = zero_by(d, self.assume)
            if how is None:
                return False, f"d/d{name} not shown to be 0"
            hows.append(how)
        return True, sorted(set(hows))[-1]

    def concrete(self):
        done = []
        for sizes in self.sizes:
            subs = {}
            for a in self.assume:
                subs.update(a.concrete_subs(sizes))
            for V, s, claims, _ in self._parts():
                se = mexpr.explicit(s, sizes)
                for name, cl in claims.items():
                    var = getattr(V, name)
                    cle = mexpr.explicit(cl, sizes)
                    if isinstance(var, sp.MatrixSymbol):
                        ve = mexpr.explicit(var, sizes)
                        if cle.shape != ve.shape:
                            return False, f"d/d{name} at {sizes}: claimed shape {cle.shape} vs {ve.shape}"
                        d = ve.applyfunc(lambda x: sp.diff(se, x)) - cle
                    elif _not_scalar(cle):
                        return False, f"d/d{name} at {sizes}: claimed shape {cle.shape} for a scalar variable"
                    else:
                        d = sp.Matrix([sp.diff(se, var) - mexpr.scalar_of(cle)])
                    d = d.xreplace(subs)
                    if zero_by(d) is None:
                        return False, f"d/d{name} at sizes {sizes}: nonzero difference {d}"
            done.append(", ".join(f"{k}={v}" for k, v in sizes.items()) or "scalar")
        return True, "exact at " + "; ".join(done)

    def numeric(self, key):
        import checks  # the independent side
        sizes = {k: v + 2 for k, v in self.sizes[-1].items()}  # other sizes than the exact check's
        vals = sample(_rng(key), self.shapes, sizes, self.sample)
        if self.adjust is not None:
            vals = self.adjust(checks.ops, dict(vals))
        names = list(self.shapes)
        worst, worst_fd, methods, entries, kinks = 0.0, 0.0, set(), 0, 0
        for V, s, claims, forward in self._parts():
            size_syms = _size_args(claims.values())
            func = mexpr.numpy_function("grad", names + [str(d) for d in size_syms], list(claims.values()))
            wrt = list(claims)
            got = [_shaped(g, np.shape(vals[n])) for g, n in
                   zip(func(*[vals[n] for n in names], *[sizes[str(d)] for d in size_syms]), wrt)]

            def loss(*xs, forward=forward, wrt=wrt):
                kw = dict(vals)
                kw.update(zip(wrt, xs))
                return forward(checks.ops, **kw)

            _, bp = checks.grad(loss, *[vals[n] for n in wrt])
            for name, g, b in zip(wrt, got, bp):
                err = float(np.max(np.abs(g - b) / np.maximum(1.0, np.abs(b)))) if np.size(b) else 0.0
                worst = max(worst, err)
                if err > 1e-10:
                    return False, f"d/d{name}: generated code vs backprop differ by {err:.2e}"
            rep = checks.gradcheck(loss, [vals[n] for n in wrt], got)
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


@dataclass
class Identity:
    """build(V) -> (lhs, rhs); reference(F, **arrays) computes lhs
    independently in NumPy for the numeric check."""

    shapes: dict
    build: Callable
    reference: Callable
    sizes: tuple = ({},)
    sample: dict = field(default_factory=dict)
    assume: tuple = ()

    def symbolic(self, main=True):
        V = mexpr.variables(self.shapes)
        lhs, rhs = self.build(V)
        if isinstance(lhs, sp.MatrixExpr) and tuple(lhs.shape) != tuple(rhs.shape):
            return False, f"shapes differ: {lhs.shape} vs {rhs.shape}"
        if not main:  # the derivation chain proves the claim (Result._symbolic)
            return True, ""
        if isinstance(lhs, sp.MatrixExpr):
            idx = tuple(sp.Integer(0) if s == 1 else sp.Symbol(c, integer=True, nonnegative=True)
                        for s, c in zip(lhs.shape, "pq"))
            d, scope = lhs[idx] - rhs[idx], "entry (p, q) at symbolic sizes"
        else:
            d, scope = lhs - rhs, "for all values"
        how = zero_by(d, self.assume)
        return (True, f"{scope}: difference is 0 by {how}") if how else (False, f"difference not shown to be 0: {d}")

    def concrete(self):
        V = mexpr.variables(self.shapes)
        lhs, rhs = self.build(V)
        done = []
        for sizes in self.sizes:
            v = claim(mexpr.explicit(lhs, sizes), mexpr.explicit(rhs, sizes), assume=self.assume, sizes=sizes)
            if v.holds is not True:
                return False, f"at {sizes}: {v.detail} {v.counterexample}"
            done.append("x".join(f"{k}={v}" for k, v in sizes.items()) or "symbols")
        return True, "exact at " + ", ".join(done)

    def numeric(self, key):
        import checks
        V = mexpr.variables(self.shapes)
        _, rhs = self.build(V)
        sizes = {k: v + 2 for k, v in self.sizes[-1].items()}
        vals = sample(_rng(key), self.shapes, sizes, self.sample)
        names = list(self.shapes)
        size_syms = _size_args([rhs])
        func = mexpr.numpy_function("rhs", names + [str(d) for d in size_syms], rhs)
        got = np.asarray(func(*[vals[n] for n in names], *[sizes[str(d)] for d in size_syms]), dtype=float)
        ref = np.asarray(self.reference(checks.ops, **vals), dtype=float)
        err = float(np.max(np.abs(got - ref) / np.maximum(1.0, np.abs(ref))))
        return err <= 1e-12, f"float64: generated rhs vs independent NumPy lhs, max rel err {err:.1e} (tol 1e-12)"


@dataclass
class Facts:
    """Each of symbolic/concrete/numeric is a function returning a list of
    (label, ok, detail); all must hold."""

    symbolic_facts: Callable
    concrete_facts: Callable = None
    numeric_facts: Callable = None

    @staticmethod
    def _run(func):
        """(ok, detail, LaTeX items for the report's derivation)."""
        from .latex import escape
        rows = func()
        bad = [f"{label}: {detail}" for label, ok, detail in rows if not ok]
        text = "; ".join(f"{label}: {detail}" for label, ok, detail in rows)
        items = "".join(rf"  \item {escape(label)}: {escape(detail)}" + "\n" for label, ok, detail in rows)
        return (not bad and bool(rows)), ("FAILED " + "; ".join(bad)) if bad else text, items

    def symbolic(self):
        return self._run(self.symbolic_facts)

    def concrete(self):
        return self._run(self.concrete_facts)

    def numeric(self, key):
        return self._run(self.numeric_facts)


def exact(label, lhs, rhs, assume=()):
    """A fact lhs == rhs, proved exactly (see prove.zero_by)."""
    lhs, rhs = sp.sympify(lhs), sp.sympify(rhs)
    how = zero_by(sp.Matrix(lhs - rhs) if isinstance(lhs, sp.MatrixBase) else lhs - rhs, assume)
    return label, how is not None, (f"{_short(lhs)} = {_short(rhs)} ({how})" if how
                                     else f"{_short(lhs)} != {_short(rhs)}")


def holds(label, ok, detail):
    """A fact established by the exact computation in `detail`."""
    return label, bool(ok), detail


def close(label, got, want, rtol=1e-12):
    """A floating-point fact: evidence, not proof."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    err = float(np.max(np.abs(got - want) / np.maximum(1.0, np.abs(want)))) if got.size else 0.0
    return label, err <= rtol, f"{np.array2string(got, precision=10)} vs {np.array2string(want, precision=10)}, rel err {err:.1e}"


def _short(e):
    text = str(e.tolist() if isinstance(e, sp.MatrixBase) else e)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass
class Mistake:
    """build() -> dict(lhs=..., rhs=..., sizes=..., assume=..., positive=...)
    as the notes wrote it (judged by derive.claim), or dict(refute=func)
    where func() computes (refuted, detail) for a claim that is not an
    equation (a step size, a shape); `correct` is the id of the right result."""

    build: Callable
    correct: str
    # how the correction is one of the target's claims: the target's variables
    # renamed to this erratum's (name -> expression), and a scalar factor
    # (the correction is scale times that claim, e.g. 1/m, -alpha)
    via: dict = field(default_factory=dict)
    scale: object = 1


@dataclass
class Result:
    id: str
    seed: str
    section: str
    title: str
    statement: str          # LaTeX, in the note's own convention
    how: object             # Gradient | Identity | Facts | Mistake
    convention: str = ""
    written: str = ""       # mistakes: the claim as the notes wrote it (LaTeX, a quotation)
    steps: tuple = ()       # derive.derivation.Derivation records: the notes' route (default: index level)
    code: tuple = ()        # functions of derive.numeric shown in the report besides BY_RESULT's
    # functions whose derivative rule (fdiff) this result is the proof of:
    # none of its checks may differentiate through them (that would assume it)
    justifies: tuple = ()

    @property
    def is_mistake(self):
        return isinstance(self.how, Mistake)

    @property
    def expected(self):
        return "refuted" if self.is_mistake else "proved"

    def plan(self):
        """[(check name, kind, function -> (ok, detail))] in report order."""
        h = self.how
        if self.is_mistake:
            return [("refutation", REFUTATION, self._refutation), ("correction", PROOF, self._correction)]
        if isinstance(h, (Gradient, Identity)) and not self.steps:
            # the index-level derivation proves the claim step by step: it is the symbolic proof
            out = [("symbolic", PROOF, self._symbolic)]
        else:
            out = [("symbolic", PROOF, h.symbolic)]
            if self.steps:  # the notes' own route, checked besides
                out.append(("derivation", PROOF, self._derivation))
        if isinstance(h, Gradient):  # the catalog derives itself: derive.grad from the scalar alone
            out.append(("derived", PROOF, self._derived))
        if getattr(h, "concrete_facts", True) is not None:
            out.append(("concrete", PROOF, h.concrete))
        if getattr(h, "numeric_facts", True) is not None:
            out.append(("numeric", EVIDENCE, lambda: h.numeric(self.id)))
        bad = self._circular()
        if bad:  # every exact check would assume the result: each fails, saying why
            out = [(n, k, (lambda: (False, bad)) if k == PROOF else f) for n, k, f in out]
        return out

    def run_check(self, name):
        """One check of :meth:`plan` by name (checks are independent, so
        the CLI can spread them over processes)."""
        for n, kind, func in self.plan():
            if n == name:
                return _timed(n, kind, func)
        raise KeyError(f"{self.id} has no check {name!r}")

    def verify(self):
        return Verdict(self.id, self.expected, [_timed(n, kind, func) for n, kind, func in self.plan()])

    def _refutation(self):
        spec = self.how.build()
        if "refute" in spec:
            return spec["refute"]()
        kwargs = {k: spec[k] for k in ("sizes", "assume", "positive") if k in spec}
        v = claim(spec["lhs"], spec["rhs"], **kwargs)
        if v.holds is False:
            ce = ", ".join(f"{k} = {val}" for k, val in v.counterexample.items())
            vals = f"; as written {v.rhs_value}, correct {v.lhs_value}" if v.rhs_value is not None else ""
            return True, f"{v.detail}: {ce}{vals}"
        return False, f"not refuted: {v.detail}"

    def _circular(self):
        """What is wrong if a check would differentiate a justified function."""
        if not self.justifies or not isinstance(self.how, Gradient):
            return None
        for _, s, _, _ in self.how._parts():
            used = [f.__name__ for f in self.justifies if s.has(f)]
            if used:
                return f"circular: the scalar contains {used[0]}, whose derivative is what this result proves"
        return None

    def _derived(self):
        """derive.grad of each scalar of the record, from the scalar alone
        (printed as text in the language and parsed back), each gradient
        proved equal to the notes' claimed form at symbolic sizes.  Returns
        (ok, detail, LaTeX of the derived forms for the report)."""
        from . import fromsympy
        from . import language as L
        from . import lower
        from .derived import grad
        h = self.how
        renamed = fromsympy.names(h.shapes)
        shapes = fromsympy.shapes(h.shapes, renamed)
        assume = tuple(fromsympy.assumption_text(a, renamed) for a in h.assume)
        built = h.build(mexpr.variables(h.shapes))
        pairs = built if isinstance(built, list) else [built]
        notes, blocks, methods = [], [], set()
        for k, (scalar, claims) in enumerate(pairs):
            part = f"part {k + 1}: " if len(pairs) > 1 else ""
            try:
                tree = fromsympy.to_tree(scalar, h.shapes, renamed)
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
                    if claim(zero, cl).holds is not True:
                        return False, f"{part}the scalar {src} does not depend on {v}, but the notes claim {cl}"
            try:
                d = grad(src, [renamed[v] for v in wrt], shapes, assume=assume) if wrt else None
            except ValueError as err:  # NotProved, Unsupported, LanguageError
                return False, f"{part}derive.grad of {src}: {type(err).__name__}: {err}"
            used = [fn.__name__ for fn in self.justifies
                    if d is not None and any(f"the rule for {fn.__name__}," in rule for rule in d.rules)]
            if used:
                return False, (f"circular: derive.grad differentiated {used[0]} by its rule, "
                               "whose derivative is what this result proves")
            shown = []
            if d is not None:
                d = _restored(d, renamed, h.shapes, wrt)
                for v in wrt:
                    verdict = claim(lower.to_sympy(d.answers[v]), claims[v], assume=h.assume)
                    if verdict.holds is not True:
                        ce = f" {verdict.counterexample}" if verdict.counterexample else ""
                        return False, (f"{part}d/d{v}: derive.grad gives {d.texts[v]}{_where(d)}, not shown equal to "
                                       f"the notes' {claims[v]}: {verdict.detail}{ce}")
                    methods.add(verdict.detail.split(" by ")[-1] if " by " in verdict.detail else verdict.detail)
                    shown.append(f"{v}: {d.texts[v]}")
                blocks.append(rf"\[ {d.latex} \]")
            shown += [f"{v}: 0 (the scalar does not contain {v})" for v in claims if v not in wrt]
            notes.append(f"{part}{', '.join(shown)}{_where(d) if d is not None else ''}")
        alias = [f"{old} as {new}" for old, new in renamed.items() if old != new]
        scope = "for every size" if any(s != () for s in h.shapes.values()) else "for all values"
        detail = (f"derive.grad: {'; '.join(notes)}; each proved equal to the notes' form {scope} "
                  f"({', '.join(sorted(methods)) or 'trivial'})"
                  + (f"; {', '.join(alias)} in the language (a function's name)" if alias else ""))
        tex = (r"\subsection*{Derived}" + "\n" + r"\noindent What \texttt{derive.grad} derives from the scalar alone "
               r"(check \emph{derived}: each form proved equal to the statement above):" + "\n"
               + "\n".join(blocks) + "\n") if blocks else ""
        return True, detail, tex

    def _ends(self, d):
        """[(start, end)]: what a notes' route d must start from (the
        result's quantity: its scalar differentiated by the entry the route's
        first step differentiates by, or an identity's left-hand side) and
        end at (the claim's entry)."""
        first, h, out = d.steps[0].expr, self.how, []
        if isinstance(h, Gradient):
            x = first.variables[0] if isinstance(first, sp.Derivative) and len(first.variables) == 1 else None
            for V, s, claims, _ in h._parts() if x is not None else ():
                for name, cl in claims.items():
                    var = getattr(V, name)
                    if isinstance(x, MatrixElement) and x.parent == var:
                        out.append((sp.diff(s, x), cl[x.indices]))
                    elif x == var:
                        out.append((sp.diff(s, x), mexpr.scalar_of(cl)))
        elif isinstance(h, Identity):
            lhs, rhs = h.build(mexpr.variables(h.shapes))
            if not isinstance(lhs, sp.MatrixExpr):
                out.append((lhs, rhs))
            else:  # a route for entry (p, q) of the identity
                idx = mexpr.generic_index(lhs.shape)
                out.append((lhs[idx], rhs[idx]))
        return out

    def _symbolic(self):
        ok, detail = self.how.symbolic(main=False)
        if not ok:
            return False, detail
        out = self._derivation()
        if not out[0]:
            return out
        scope = "entry (p, q) at symbolic sizes" if any(
            s != () for s in self.how.shapes.values()) else "for all values"
        return True, f"{scope}: {out[1]}" + (f"; {detail}" if detail else ""), out[2]

    def _derivation(self):
        """Every consecutive pair of every derivation step follows
        (derive.derivation); a notes' route must also start from this
        result's quantity and end at its claim."""
        from .derivation import check, derivations, tie
        from .report import derivations_tex
        ds = derivations(self)
        if not ds:
            return False, "no derivation"
        argued = restated = 0
        for d in ds:
            if self.steps:
                ends = self._ends(d)
                if not ends:
                    return False, f"the route {d.title} is not about a variable or entry of this result"
                wrong = [tie(d, a, b, self.justifies) for a, b in ends]
                if all(wrong):
                    return False, f"the route {d.title} is not a route of this result: {wrong[0]}"
            for i, ok, how, carries in check(d, self.justifies):
                if not ok:
                    return False, (f"step {i + 1} of the derivation of {d.title} does not follow from step {i}: "
                                   f"{d.steps[i].reason}" + (f" ({how})" if how else ""))
                argued += carries
                restated += not carries
        more = f"; {restated} more restate{'s' * (restated == 1)} the step before, evaluated" if restated else ""
        return True, (f"{argued} step{'s' * (argued != 1)} carrying the argument in {len(ds)} "
                      f"derivation{'s' * (len(ds) > 1)}, each shown to follow{more}"), derivations_tex(ds)

    def _correction(self):
        """The correction is proved, not typed: `corrected` (an expression,
        printed in the report) equals the quantity the notes compute, judged
        like the refutation (same sizes and assumptions); or, for a claim that
        is not an equation, a function that computes it."""
        target = result(self.how.correct)
        if target.is_mistake:
            return False, f"{target.id} is itself a mistake"
        spec = self.how.build()
        fix = spec.get("corrected")
        if fix is None:
            return False, "no corrected form"
        if callable(fix):
            ok, detail = fix()
            return ok, f"{detail}; the result: {target.id}"
        kwargs = {k: spec[k] for k in ("sizes", "assume", "positive") if k in spec}
        v = claim(spec["lhs"], fix, **kwargs)
        if v.holds is not True:
            return False, f"the correction is not shown equal to what the notes compute: {v.detail}"
        tied = self._tied(target, fix, kwargs)
        if tied is None:
            return False, f"{v.detail}; but the correction is none of {target.id}'s claims"
        return True, f"{v.detail}; it is {tied} of {target.id}"

    def _tied(self, target, fix, kwargs):
        """Which claim of the target the correction is (scale times the claim,
        the target's variables renamed by `via`), judged by claim at the
        erratum's sizes; None if none is."""
        h = target.how
        if not isinstance(h, Gradient):
            return None
        sub = lambda V: {getattr(V, k): e for k, e in self.how.via.items()}  # noqa: E731
        for V, _, claims, _ in h._parts():
            cands = [(f"the claim for {n}", cl) for n, cl in claims.items()]
            scalars = [cl for n, cl in claims.items() if not isinstance(getattr(V, n), sp.MatrixSymbol)]
            if len(scalars) > 1:
                cands.append(("the gradient vector", sp.Matrix([mexpr.scalar_of(c) for c in scalars])))
            for label, cl in cands:
                try:
                    v = claim(self.how.scale * cl.xreplace(sub(V)), fix, **kwargs)
                except (TypeError, ValueError, sp.ShapeError):
                    continue
                if v.holds is True:
                    return label
        return None

    def _repr_latex_(self):
        from .latex import result_display
        return result_display(self)


def _restored(d, renamed, shapes, wrt):
    """A derive.grad result over renamed variables (g_ for g) with the
    record's own names again: its text, LaTeX and SymPy forms use them."""
    import dataclasses

    from . import fromsympy
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


# ----------------------------------------------------------------------------
# the catalog
# ----------------------------------------------------------------------------

_CACHE = {}


def results():
    """All results (and mistakes) in catalog order: seeds 000..004."""
    if "all" not in _CACHE:
        from .notes import ALL
        seen = set()
        for r in ALL:
            if r.id in seen:
                raise ValueError(f"duplicate result id {r.id!r}")
            seen.add(r.id)
        _CACHE["all"] = list(ALL)
    return list(_CACHE["all"])


def result(id):
    """The result with this id; KeyError naming the closest ids otherwise."""
    for r in results():
        if r.id == id:
            return r
    close = difflib.get_close_matches(str(id), [r.id for r in results()], n=3, cutoff=0.4)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise KeyError(f"no result {id!r}{hint}")
