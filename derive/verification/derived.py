"""Derive the gradient, Jacobian or Hessian of a user's own expression.

    import derive
    d = derive.grad("v.T @ sigmoid(W @ x + b)", "W",
                    {"v": "h,1", "W": "h,n", "x": "n,1", "b": "h,1"})
    d.text            # 'delta @ x.T'
    d.where           # {'z': 'W @ x + b', 'delta': 'v * sigmoid(z) * (1 - sigmoid(z))'}
    d.verify().ok     # proof at symbolic sizes, exact at concrete sizes, numeric evidence
    d.numpy(v=..., W=..., x=..., b=...)

The answer is derived at matrix level (derive.verification.engine), then proved before it
is returned: entry (p, q) of the answer equals SymPy's own derivative of f
with respect to X_pq, at symbolic sizes, by the index normal form.  A form
that is refuted, or that no proof reaches, is never returned: grad raises
:class:`NotProved` naming why.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

import checks

from derive.verification import engine
from derive.verification import fromsympy
from derive.maths import functions as fn
from derive.maths import kernels
from derive.maths.budget import Budget, budget
from derive.maths.calculus import derivative
from derive.maths import language as L
from derive.matrix import lower
from derive.verification import reference
from derive.records import Derivation, Step
from derive.verification.steps import check as check_steps
from derive.verification.engine import Unsupported
from derive.maths.language import LanguageError
from derive.maths.indexform import collapse_deltas, contract, split_exp
from derive.matrix.prove import SumsToOne, claim, zero_by
from derive.records import EVIDENCE, PROOF, Check, Verdict
from derive.verification.sampling import SAMPLERS, rng


class NotProved(ValueError):
    """The derived form was refuted (a bug in a rule: reported, never
    returned) or no proof of it was found."""


@dataclass
class DStep:
    tree: object        # the whole answer at this stage (an E tree), or None for the quantity
    reason: str
    tex: str = ""


def _assumptions(assume, shapes):
    """'sum(y) == 1' / 'sum(Y, axis=0) == 1': (SumsToOne records, trees equal to 1)."""
    records, units = [], []
    for text in assume:
        if isinstance(text, SumsToOne):
            records.append(text)
            units += _units(L.var(text.name, shapes[text.name]), text.axis)
            continue
        parts = str(text).split("==")
        if len(parts) != 2:
            raise LanguageError(f"assumption {text!r}: write it as sum(y) == 1")
        lhs = L.parse(parts[0], shapes)
        rhs = L.parse(parts[1], shapes)
        if not (lhs.op == "sum" and lhs.args[0].op == "var" and rhs.op == "num" and rhs.attrs[0] == 1):
            raise LanguageError(f"assumption {text!r}: derive accepts sums to one, sum(y) == 1 or "
                                "sum(Y, axis=0) == 1 (columns) / sum(Y, axis=1) == 1 (rows)")
        y = lhs.args[0]
        axis = lhs.attrs[0]
        if axis is None:
            if y.shape[1] == 1:
                axis = 0
            elif y.shape[0] == 1:
                axis = 1
            else:
                raise LanguageError(f"assumption {text!r}: the whole of a matrix summing to 1 is not supported; "
                                    "give axis=0 (columns) or axis=1 (rows)")
        records.append(SumsToOne(y.attrs[0], y.shape, axis))
        units += _units(y, axis)
    return tuple(records), tuple(units)


def _units(y, axis):
    """The trees equal to 1 when y sums to 1 along axis (for a vector, its whole sum too)."""
    out = [L.call("sum", y, axis=axis)]
    return out + [L.call("sum", y)] if y.shape[1 - axis] == 1 else out


def _sizes(shapes, base=2):
    """Concrete sizes: distinct per name, so no matrix is square by accident."""
    names = sorted({d for s in shapes.values() for d in s if isinstance(d, str)})
    return {n: base + k for k, n in enumerate(names)}


@dataclass
class Derived:
    kind: str                 # grad | jacobian | hessian
    written: str              # the expression as typed
    f: object                 # its tree
    wrt: tuple
    shapes: dict
    answers: dict             # variable -> E (the full answer)
    names: dict               # subtree -> name
    steps: dict               # variable -> [DStep]
    rules: list
    assume: tuple = ()
    units: tuple = ()
    sample: dict = field(default_factory=dict)
    proof: dict = field(default_factory=dict)   # variable -> how it was proved
    _verdict: object = None
    _numpy: object = None

    # -- the answer --------------------------------------------------------
    @property
    def where(self):
        return {n: t for n, t, _ in engine.where_text(self.names)}

    @property
    def texts(self):
        return {v: L.text(a, self.names) for v, a in self.answers.items()}

    @property
    def text(self):
        t = self.texts
        return t[self.wrt[0]] if len(self.wrt) == 1 else "\n".join(f"{v}: {s}" for v, s in t.items())

    @property
    def expr(self):
        """The answer as a SymPy matrix expression (a dict for several variables)."""
        out = {v: lower.to_sympy(a) for v, a in self.answers.items()}
        return out[self.wrt[0]] if len(self.wrt) == 1 else out

    def length(self):
        """Operators, calls and transposes, each named part counted once."""
        return sum(L.cost(t) for t in self.texts.values()) + sum(L.cost(t) for t in self.where.values())

    def symbol(self, v):
        return {"grad": r"\frac{\partial f}{\partial %s}", "jacobian": r"\frac{\partial f}{\partial %s}",
                "hessian": r"\frac{\partial^2 f}{\partial %s^2}"}[self.kind] % lower.tex_name(v, self.shapes[v] != ())

    @property
    def latex(self):
        lines = [rf"f = {lower.latex(self.f)}"]
        for n, _, tree in engine.where_text(self.names):
            inner = {k: v for k, v in self.names.items() if k != tree}
            lines.append(rf"{lower.tex_name(n, tree.shape != ())} = {lower.latex(tree, inner)}")
        for v, a in self.answers.items():
            lines.append(rf"{self.symbol(v)} = {lower.latex(a, self.names)}")
        return r"\begin{aligned}" + r" \\ ".join(_align(x) for x in lines) + r"\end{aligned}"

    def _repr_latex_(self):
        """Jupyter: the answer, then each variable's steps with their reasons
        (verify() checks each pair at index level)."""
        blocks = [self.latex]
        for v in self.wrt:
            rows = [rf"{self.symbol(v) if k == 0 else ''} &= {_jupyter_step(s.tree)} "
                    rf"&& \text{{{_jupyter_reason(s.reason)}}}" for k, s in enumerate(self.steps[v])]
            if self.names:
                rows.append(rf"&= {lower.latex(self.answers[v], self.names)} && \text{{named parts}}")
            blocks.append(r"\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}")
        return "$$\\begin{gathered}" + r" \\[2ex] ".join(blocks) + "\\end{gathered}$$"

    def __repr__(self):
        where = "; ".join(f"{n} = {t}" for n, t in self.where.items())
        return f"<derived {self.kind} of {self.written}: {self.text}" + (f"  where {where}>" if where else ">")

    # -- code ----------------------------------------------------------------
    @property
    def source(self):
        """The generated NumPy function's code."""
        outs = [self.answers[v] for v in self.wrt]
        return lower.numpy_source(_fname(self), {k: s for k, s in self.shapes.items()},
                                  engine.where_text(self.names), outs)

    def numpy(self, **arrays):
        """The derived answer evaluated by generated NumPy (sizes read from the arrays)."""
        if self._numpy is None:
            self._numpy = lower.compile_numpy(_fname(self), self.source, _callables())
        missing = [k for k in self.shapes if k not in arrays]
        if missing:
            raise TypeError(f"missing arrays: {', '.join(missing)}")
        args = [np.asarray(arrays[k], dtype=float) if self.shapes[k] else arrays[k] for k in self.shapes]
        for k, a in zip(self.shapes, args):
            if self.shapes[k] and np.ndim(a) != 2:
                raise ValueError(f"{k} must be a 2-D array of shape {L.fmt_shape(self.shapes[k])}, got {np.shape(a)}")
        return self._numpy(*args)

    source_code = source

    # -- proof ---------------------------------------------------------------
    def verify(self):
        """Verdict: the steps (each pair checked at index level), the answer
        proved at symbolic sizes, exact at concrete non-square sizes, and
        numeric evidence against checks/ (independent backprop, complex step
        or central differences)."""
        if self._verdict is None:
            checks_ = [_timed("rules", PROOF, self._rules),
                       _timed("derivation", PROOF, self._derivation),
                       _timed("symbolic", PROOF, self._symbolic),
                       _timed("concrete", PROOF, self._concrete),
                       _timed("numeric", EVIDENCE, self._numeric)]
            checks_ = [c for c in checks_ if c is not None and c.detail != "n/a"]
            self._verdict = Verdict(self.written, "proved", checks_)
        return self._verdict

    def _quantity(self, v, p, q):
        """The index-level quantity: d f / d v_pq (or the Jacobian/Hessian entry)."""
        var = lower.symbol(v, self.shapes[v])
        x = var[p, q] if self.shapes[v] != () else var
        if self.kind == "grad":
            return sp.Derivative(lower.entry(self.f, 0, 0), x)
        if self.kind == "jacobian":
            fi = lower.entry(self.f, p if self.f.shape and self.f.shape[0] != 1 else 0, 0)
            xq = var[q, 0] if self.shapes[v] != () else var
            return sp.Derivative(fi, xq)
        xp, xq = var[p, 0], var[q, 0]
        return sp.Derivative(lower.entry(self.f, 0, 0), xp, xq)

    def _index(self, v):
        """(p, q) at which entries are compared."""
        shape = self.answers[v].shape
        return tuple(sp.Integer(0) if d == 1 else sp.Symbol(c, integer=True, nonnegative=True)
                     for d, c in zip(shape or (1, 1), "pq"))

    def _rules(self):
        """Each elementwise derivative rule used is proved from its definition."""
        used = sorted({s.attrs[0] for s in _walk(self.f) if s.op == "fn"} & {"sigmoid", "softplus", "relu"})
        if not used:
            return True, "n/a"
        t = sp.Symbol("t", real=True)
        notes = []
        for name in used:
            f = lower.SP_FN[name]
            if name == "relu":
                ok = all(zero_by(sp.diff(f(t).rewrite(sp.Piecewise).subs(t, s), s) - fn.step(s).rewrite(sp.Piecewise))
                         is not None for s in (sp.Symbol("u", positive=True), sp.Symbol("u", negative=True)))
                how = "each side of the kink"
            else:
                how = zero_by(sp.diff(fn.definitions(f(t)), t) - fn.definitions(f(t).fdiff()))
                ok = how is not None
            if not ok:
                return False, f"the rule for {name} is not shown from its definition"
            notes.append(f"{name}' from its definition ({how})")
        return True, "; ".join(notes)

    def _derivation(self):
        total = 0
        for v in self.wrt:
            p, q = self._index(v)
            try:
                # split_exp: one form for exp of a sum everywhere (the quantity is taken evaluated)
                steps = [Step(split_exp(_differentiated(self._quantity(v, p, q))), "the quantity, differentiated by SymPy")]
                for s in self.steps[v]:
                    x = split_exp(lower.entry(s.tree, p, q))
                    if x == steps[-1].expr:  # a rewrite invisible entrywise (1 * A -> A): one step with both reasons
                        steps[-1] = Step(x, steps[-1].reason + "; " + s.reason)
                    else:
                        steps.append(Step(x, s.reason))
            except lower.NoIndexForm:
                return True, "n/a"  # an inv/det answer is checked whole, at concrete sizes
            d = Derivation(f"d/d{v}", tuple(steps), assume=self.assume)
            for i, ok, how, _ in check_steps(d):
                if not ok:
                    # not shown is not refuted: the answer itself is proved (or refuted) by its own check
                    return False, f"undecided: d/d{v}: step {i} ({steps[i].reason}) not shown to follow: {how}"
                total += 1
        if not total:  # every step is, entry by entry, SymPy's derivative itself
            return True, "each step is SymPy's derivative entry by entry (entry (p, q), symbolic sizes)"
        return True, f"{total} step{'s' * (total != 1)} checked at index level (entry (p, q), symbolic sizes)"

    def _symbolic(self):
        notes = []
        for v in self.wrt:
            how = self.proof.get(v) or _prove(self, v)
            if how is None:
                return False, f"undecided: d/d{v}: not shown at symbolic sizes"
            notes.append(f"d/d{v} {how}")
        return True, "; ".join(notes)

    def _concrete(self):
        sizes = _sizes(self.shapes)
        done = []
        for v in self.wrt:
            truth, got = _explicit_pair(self, v, sizes)
            # expected to hold (grad proved it at symbolic sizes): the proof before the points
            verdict = claim(got, truth, sizes=sizes, assume=self.assume, tries=6, seconds=None, prove_first=True)
            if verdict.holds is not True:
                head = "undecided: " if verdict.holds is None else "refuted: "
                return False, f"{head}d/d{v} at sizes {sizes}: {verdict.detail} {verdict.counterexample or ''}"
            done.append(v)
        at = ", ".join(f"{k}={n}" for k, n in sizes.items()) or "scalars"
        return True, f"exact at {at} (every entry, SymPy's derivative of the explicit f)"

    def _numeric(self):
        return numeric_check(self)


def _walk(e):
    yield e
    for a in e.args:
        yield from _walk(a)


def _align(line):
    return line.replace(" = ", " &= ", 1)


def _jupyter_step(tree, longest=600):
    t = lower.latex(tree)
    return t if len(t) <= longest else r"\text{(the chain rule's product: too long to typeset)}"


# characters that \text (LaTeX's and MathJax's) reads as markup
_SAFE = {"\\": "/", "{": "(", "}": ")", "$": " ", "%": " percent", "#": "no. ", "^": "", "~": " ", "_": " ",
         "&": "and"}


def _jupyter_reason(reason, width=70):
    """The first clause of a reason, with no character MathJax's \\text would read as markup."""
    head = reason.split(":")[0] if len(reason) > width else reason
    head = head if len(head) <= width else head[:width - 3].rsplit(" ", 1)[0] + "..."
    return "".join(_SAFE.get(ch, ch) for ch in head)


def _fname(d):
    return {"grad": "gradient", "jacobian": "jacobian", "hessian": "hessian"}[d.kind]


def _callables():
    """f, f' (g, g') in generated code: the concrete choice numeric checks make."""
    k = kernels
    return {"f": k.sigmoid, "fprime": lambda x: k.sigmoid(x) * (1 - k.sigmoid(x)),
            "g": np.tanh, "gprime": lambda x: 1 - np.tanh(x) ** 2}


VERIFY_BUDGET = 60.0  # seconds per check of verify()


def _timed(name, kind, func):
    t0 = time.perf_counter()
    try:
        with budget(VERIFY_BUDGET):
            ok, detail = func()
    except Budget as err:
        ok, detail = False, f"undecided: {err}"
    except (Unsupported, lower.NoIndexForm, NotImplementedError, ValueError) as err:
        ok, detail = False, f"{type(err).__name__}: {err}"
    return Check(name, kind, bool(ok), detail, time.perf_counter() - t0)


def _differentiated(quantity):
    """SymPy's derivative of an index-level quantity, its Kronecker deltas
    collapsed.  Derivative.doit() would first try closed forms for every Sum
    (Gosper summation: seconds per record, never applicable to these sums)."""
    return collapse_deltas(contract(derivative(quantity.expr, *quantity.variables)))  # sigma' whole before expanding


def _prove(d, v):
    """'proved for every size ...' or None: entry (p, q) of the answer
    against SymPy's derivative of f's entry."""
    p, q = d._index(v)
    try:
        truth = _differentiated(d._quantity(v, p, q))
        got = lower.entry(d.answers[v], p, q)
        how = zero_by(split_exp(truth - got), d.assume)
    except (lower.NoIndexForm, TypeError, ValueError):
        return None  # SymPy cannot take this entry apart: no proof this way (never a verdict)
    return None if how is None else f"proved for every size: entry (p, q) by {how}"


def _explicit_pair(d, v, sizes):
    """(SymPy's derivative of the explicit f, the explicit answer) at sizes."""
    fe = lower.explicit(d.f, sizes)
    fe = fe[0, 0] if isinstance(fe, sp.MatrixBase) else fe
    var = lower.symbol(v, d.shapes[v], sizes)
    got = lower.explicit(d.answers[v], sizes)
    if d.kind == "grad":
        if d.shapes[v] == ():
            truth = sp.Matrix([[derivative(fe, var)]])
        else:
            truth = sp.Matrix(var.as_explicit()).applyfunc(lambda x: derivative(fe, x))
    elif d.kind == "jacobian":
        fv = lower.explicit(d.f, sizes)
        fv = sp.Matrix([fv]) if not isinstance(fv, sp.MatrixBase) else fv
        xs = list(sp.Matrix(var.as_explicit())) if d.shapes[v] != () else [var]
        truth = sp.Matrix(len(fv), len(xs), lambda i, j: derivative(fv[i], xs[j]))
    else:
        xs = list(sp.Matrix(var.as_explicit()))
        g = [derivative(fe, x) for x in xs]
        truth = sp.Matrix(len(xs), len(xs), lambda i, j: derivative(g[i], xs[j]))
    got = got if isinstance(got, sp.MatrixBase) else sp.Matrix([[got]])
    if got.shape != truth.shape:
        got = sp.Matrix(*truth.shape, lambda i, j: got[0, 0]) if got.shape == (1, 1) else got
    return truth, got


# ----------------------------------------------------------------------------
# numeric evidence
# ----------------------------------------------------------------------------

def numeric_check(d, seed_key=None):
    sizes = _sizes(d.shapes, base=3)
    gen = rng(seed_key or f"{d.written}|{d.kind}|{','.join(d.wrt)}")
    values = {}
    for name, shape in d.shapes.items():
        how = d.sample.get(name) or ("onehot" if any(a.name == name for a in d.assume) else "normal")
        shp = lower.concrete_shape(shape, sizes) if shape else ()
        values[name] = np.asarray(SAMPLERS[how](gen, shp or (1, 1)), dtype=float).reshape(shp) if shp else \
            float(SAMPLERS[how](gen, (1,))[0])
    run = reference.runner(d.f, d.shapes)
    if not np.all(np.isfinite(np.real(_value(run(values))))):
        for name, shape in d.shapes.items():  # outside f's domain (log, sqrt of a negative): positive values
            if name not in d.sample:
                shp = lower.concrete_shape(shape, sizes) if shape else ()
                values[name] = SAMPLERS["positive"](gen, shp) if shp else float(SAMPLERS["positive"](gen, (1,))[0])
        if not np.all(np.isfinite(np.real(_value(run(values))))):
            return False, "undecided: f has no finite value at the sampled points"
    got = d.numpy(**values)
    got = got if len(d.wrt) > 1 else (got,)
    worst, notes = 0.0, []
    for v, g in zip(d.wrt, got):
        g = np.asarray(g, dtype=float)
        if d.kind == "grad":
            want = np.shape(values[v])
            g = np.broadcast_to(g, want) if g.size != int(np.prod(want)) else g.reshape(want)

            def loss(x, v=v):
                kw = dict(values)
                kw[v] = x
                out = run(kw)
                return out if np.ndim(_value(out)) == 0 else out[0, 0] if isinstance(out, checks.autodiff.Var) \
                    else np.asarray(out).reshape(())
            try:
                _, (bp,) = checks.grad(loss, np.asarray(values[v], dtype=float))
            except AttributeError:  # f does not depend on v where it is sampled (a step): its gradient is 0
                bp = np.zeros(np.shape(values[v]))
            err = float(np.max(np.abs(g - bp) / np.maximum(1.0, np.abs(bp)))) if np.size(bp) else 0.0
            worst = max(worst, err)
            if err > 1e-8:
                return False, f"d/d{v}: generated code vs independent backprop differ by {err:.2e}"
            rep = checks.gradcheck(loss, [np.asarray(values[v], dtype=float)], [g])
            if rep.status == "failed":
                return False, f"d/d{v}: {rep}"
            if rep.status != "ok":
                return False, f"undecided: d/d{v}: {rep}"
            notes.append(f"{rep.method} on {rep.checked} entries")
        else:
            J = _numeric_jacobian(d, v, values, run)
            err = float(np.max(np.abs(g - J) / np.maximum(1.0, np.abs(J))))
            worst = max(worst, err)
            if err > 1e-6:
                return False, f"d/d{v}: generated code vs differences of the independent backprop differ by {err:.2e}"
            notes.append("central differences of the independent backprop")
    at = ", ".join(f"{k}={n}" for k, n in sizes.items()) or "scalars"
    return True, f"float64 at {at}: vs independent backprop max rel err {worst:.1e}; " + "; ".join(sorted(set(notes)))


def _value(x):
    return x.value if isinstance(x, checks.autodiff.Var) else x


def _numeric_jacobian(d, v, values, run):
    """Rows: entries of f (Jacobian) or of its backprop gradient (Hessian);
    columns: entries of v; central differences at h = 6e-6 max(1, |x|)."""
    x0 = np.asarray(values[v], dtype=float)

    def out(x):
        kw = dict(values)
        kw[v] = x
        if d.kind == "jacobian":
            return np.asarray(_value(run(kw)), dtype=float).reshape(-1)

        def loss(y):
            k2 = dict(values)
            k2[v] = y
            r = run(k2)
            return r if np.ndim(_value(r)) == 0 else r[0, 0]
        return checks.grad(loss, x)[1][0].reshape(-1)
    cols = []
    flat = x0.reshape(-1)
    for j in range(flat.size):
        h = 6e-6 * max(1.0, abs(flat[j]))
        e = np.zeros_like(flat)
        e[j] = h
        cols.append((out((flat + e).reshape(x0.shape)) - out((flat - e).reshape(x0.shape))) / (2 * h))
    return np.stack(cols, axis=1)


# ----------------------------------------------------------------------------
# the API
# ----------------------------------------------------------------------------

def _as_text(expr, shapes):
    """A SymPy matrix expression of derive's vocabulary, read into the
    language (pass a 1 x 1 unindexed); text passes through."""
    if isinstance(expr, sp.Basic):
        return fromsympy.to_text(expr, shapes, renamed={v: v for v in shapes})
    return expr


def _start(expr, wrt, shapes, assume):
    shapes_ = L.shapes_of(shapes)
    f = engine.canonical(L.parse(expr, shapes_))
    wrt = (wrt,) if isinstance(wrt, str) else tuple(wrt)
    if not wrt:
        raise LanguageError("no variable to differentiate with respect to")
    for v in wrt:
        if v not in shapes_:
            raise LanguageError(f"wrt {v!r} is not one of the variables ({', '.join(shapes_)})")
    records, units = _assumptions(assume, shapes_)
    return f, wrt, shapes_, records, units


def _finish(kind, expr, f, wrt, shapes, raws, rules, records, units, sample, prove):
    steps, answers = {}, {}
    for v in wrt:
        chain = [DStep(raws[v], "chain rule, node by node (reverse mode): " + "; ".join(rules[v])
                       if rules[v] else "chain rule (reverse mode)")]
        for tree, reason in engine.simplify_steps(raws[v], units):
            chain.append(DStep(tree, reason))
        steps[v] = chain
        answers[v] = chain[-1].tree
    taken = set(shapes) | {d for s in shapes.values() for d in s if isinstance(d, str)}
    names = engine.name_parts([answers[v] for v in wrt], taken)
    d = Derived(kind, expr, f, wrt, shapes, answers, names, steps, sorted({r for v in wrt for r in rules[v]}),
                records, units, dict(sample or {}))
    if prove:
        try:
            with budget(prove if not isinstance(prove, bool) else PROOF_BUDGET):
                _prove_all(d, expr, wrt, shapes, names, answers, records)
        except Budget as err:
            raise NotProved(f"{expr}: undecided: {err} (derive.grad(..., prove=seconds) gives more time)") from None
    return d


PROOF_BUDGET = 30.0  # seconds for grad's proof; prove=<seconds> sets another


def _prove_all(d, expr, wrt, shapes, names, answers, records):
    for v in wrt:
        how = _prove(d, v)
        if how is None:
            sizes = _sizes(shapes)
            try:
                truth, got = _explicit_pair(d, v, sizes)
            except (lower.NoIndexForm, ValueError) as err:
                raise NotProved(f"d/d{v} of {expr}: derived {L.text(answers[v], names)}; no proof: {err}")
            verdict = claim(got, truth, sizes=sizes, assume=records, tries=12, seconds=None)
            if verdict.holds is False:
                raise NotProved(f"d/d{v} of {expr}: the derived form {L.text(answers[v], names)} is REFUTED "
                                f"({verdict.detail}; {verdict.counterexample}); this is a bug in derive, "
                                "please report it")
            if verdict.holds is None or lower_has_index_form(d, v):
                raise NotProved(f"d/d{v} of {expr}: the derived form {L.text(answers[v], names)} is not proved "
                                f"at symbolic sizes ({verdict.detail} at {sizes})")
            how = f"proved at sizes {sizes} only ({verdict.detail}); inv/det have no index form"
        d.proof[v] = how


def lower_has_index_form(d, v):
    try:
        lower.entry(d.answers[v], *d._index(v))
        lower.entry(d.f, 0, 0)
        return True
    except lower.NoIndexForm:
        return False


def grad(expr, wrt, shapes, *, assume=(), sample=None, prove=True):
    """The gradient of the scalar `expr` with respect to `wrt` (a name or a
    list of names), in textbook form, proved within PROOF_BUDGET seconds
    (prove=<seconds> for another budget; prove=False skips the proof and is
    meant for benchmarks)."""
    expr = _as_text(expr, shapes)
    f, wrt, shapes_, records, units = _start(expr, wrt, shapes, assume)
    raws, rules = {}, {}
    raw, r = engine.backprop(f, list(wrt))
    for v in wrt:
        raws[v], rules[v] = raw[v], r
    return _finish("grad", expr, f, wrt, shapes_, raws, rules, records, units, sample, prove)


def jacobian(expr, wrt, shapes, *, assume=(), sample=None, prove=True):
    """d expr / d wrt in numerator layout (rows: entries of expr; columns:
    entries of wrt, a column vector)."""
    expr = _as_text(expr, shapes)
    f, wrt, shapes_, records, units = _start(expr, wrt, shapes, assume)
    raws, rules = {}, {}
    for v in wrt:
        if shapes_[v] == () or shapes_[v][1] != 1:
            raise Unsupported(f"jacobian with respect to {v} ({L.fmt_shape(shapes_[v])}): derive's Jacobians are "
                              "with respect to a column vector")
        raws[v], rules[v] = engine.jacobian(f, L.var(v, shapes_[v]))
    return _finish("jacobian", expr, f, wrt, shapes_, raws, rules, records, units, sample, prove)


def hessian(expr, wrt, shapes, *, assume=(), sample=None, prove=True):
    """The Hessian of scalar `expr` with respect to the column vector `wrt`:
    the Jacobian of its gradient."""
    expr = _as_text(expr, shapes)
    f, wrt, shapes_, records, units = _start(expr, wrt, shapes, assume)
    raws, rules = {}, {}
    for v in wrt:
        if shapes_[v] == () or shapes_[v][1] != 1:
            raise Unsupported(f"hessian with respect to {v} ({L.fmt_shape(shapes_[v])}): derive's Hessians are "
                              "with respect to a column vector")
        g, r = engine.backprop(f, [v])
        steps = engine.simplify_steps(g[v], units)
        g = steps[-1][0] if steps else g[v]
        raws[v], r2 = engine.jacobian(g, L.var(v, shapes_[v]))
        rules[v] = r + [x for x in r2 if x not in r]
    return _finish("hessian", expr, f, wrt, shapes_, raws, rules, records, units, sample, prove)


__all__ = ["grad", "jacobian", "hessian", "Derived", "NotProved", "LanguageError", "Unsupported"]
