"""What a record states, as the checks need it: SymPy for the symbolic and
concrete side, a NumPy loss for the numeric side.

A record written in the language (text) is parsed once; its SymPy form is
derive.matrix.lower.to_sympy of the tree, and its numeric reference is the
same tree run by derive.verification.reference on checks/' independent backprop.
The two share the parser and nothing else.  A record built in SymPy (what
the language cannot state) brings both forms itself.
"""
from __future__ import annotations

import sympy as sp
from sympy.parsing.sympy_parser import auto_number, parse_expr

from derive.maths import functions as fn
from derive.maths import language as L
from derive.matrix import lower, mexpr
from derive.matrix.prove import SumsToOne
from derive.records import Derivation, Gradient, Step
from derive.verification import reference


def shapes(h):
    """{name: parsed shape} of a record ("h,n", ("h", "n"), "" or () for a scalar)."""
    if is_text(h):
        return L.shapes_of(h.shapes)
    return {k: L.shape_of(v) for k, v in h.shapes.items()}  # SymPy-built: any name (g, f) is a variable


def _subst(e, named):
    """e with each named subexpression (a variable of `named`) replaced by its tree."""
    if e.op == "var" and e.attrs[0] in named:
        return named[e.attrs[0]]
    if not e.args:
        return e
    return L.rebuild(e, [_subst(a, named) for a in e.args])


def trees(h, texts):
    """Parse texts over h's shapes, `where` names substituted: [E]."""
    env, named = dict(shapes(h)), {}
    for name, src in h.where.items():
        t = _subst(L.parse(src, env), named)
        named[name], env[name] = t, t.shape
    return [_subst(L.parse(src, env), named) for src in texts]


def assumptions(h):
    """The record's assumptions as SumsToOne ("sum(y) == 1" in the language, or the record itself)."""
    out = []
    for a in h.assume:
        if isinstance(a, SumsToOne):
            out.append(a)
            continue
        lhs, rhs = (t.strip() for t in str(a).split("=="))
        name = lhs[len("sum("):-1].split(",")[0].strip()
        shape = shapes(h)[name]
        axis = 1 if "axis=1" in lhs.replace(" ", "") or shape[1] != 1 and shape[0] == 1 else 0
        if not (lhs.startswith("sum(") and rhs == "1"):
            raise ValueError(f"assumption {a!r}: write it as sum(y) == 1 or sum(Y, axis=1) == 1")
        out.append(SumsToOne(name, shape, axis))
    return tuple(out)


def _listed(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


_MEMO = {}  # (id(record), what) -> (record, value): records hold dicts, so they are not hashable


def _memo(h, what, compute):
    """compute(), once per record: a record's text is parsed and translated once."""
    hit = _MEMO.get((id(h), what))
    if hit is None or hit[0] is not h:
        hit = _MEMO[(id(h), what)] = (h, compute())
    return hit[1]


def _gradient_parts(h):
    def parse():
        losses, claims = _listed(h.loss), _listed(h.claims)
        if len(losses) != len(claims):
            raise ValueError(f"{len(losses)} losses but {len(claims)} claim sets")
        sh, out = shapes(h), []
        for loss, cl in zip(losses, claims):
            names = list(cl)
            ts = trees(h, [loss] + [cl[n] for n in names])
            run = reference.runner(ts[0], sh)
            out.append((ts[0], dict(zip(names, ts[1:])), lambda F, _run=run, **kw: _run(kw)))
        return out
    return _memo(h, "parsed", parse)


def text_parts(h):
    """[(loss tree, {variable: claim tree})] of a Gradient written in the language."""
    return [(t, c) for t, c, _ in _gradient_parts(h)]


def stated(h):
    """[(V, loss, claims, forward)] of a Gradient in SymPy, the loss as written: a
    1 x 1 matrix expression stays one (its [0, 0] entry would expand into index sums)."""
    def translate():
        V = mexpr.variables(shapes(h))
        if h.loss is None:  # built in SymPy
            built = h.build(V)
            pairs = built if isinstance(built, list) else [built]
            fwds = h.forward if isinstance(h.forward, (list, tuple)) else [h.forward]
            if len(fwds) != len(pairs):
                raise ValueError(f"{len(pairs)} scalars but {len(fwds)} forward functions")
            return [(V, sc, cl, fw) for (sc, cl), fw in zip(pairs, fwds)]
        return [(V, lower.to_sympy(t), {n: lower.to_sympy(c) for n, c in cl.items()}, fw)
                for t, cl, fw in _gradient_parts(h)]
    return _memo(h, "sympy", translate)


def parts(h):
    """[(V, scalar, claims, forward)] of a Gradient: V the variables as SymPy
    symbols, the scalar and claims in SymPy, forward(F, **arrays) the loss in NumPy."""
    return [(V, mexpr.scalar_of(s), cl, fw) for V, s, cl, fw in stated(h)]


def sides(h):
    """(lhs, rhs) of an Identity in SymPy."""
    if h.lhs is None:
        return h.build(mexpr.variables(shapes(h)))
    a, b = trees(h, [h.lhs, h.rhs])
    return lower.to_sympy(a), lower.to_sympy(b)


def identity_reference(h):
    """The numeric reference of an Identity's left-hand side: reference(F, **arrays)."""
    if h.lhs is None:
        return h.reference
    run = reference.runner(trees(h, [h.lhs])[0], shapes(h))
    return lambda F, **kw: run(kw)


def losses(h):
    """The losses of a Gradient as written (see stated)."""
    return [s for _, s, _, _ in stated(h)]


def is_text(h):
    return getattr(h, "loss", None) is not None or getattr(h, "lhs", None) is not None


# What a route's text may name besides the record's variables, sizes and parts:
# index-level SymPy, as the notes write a derivation entry by entry.
_ROUTE_NAMES = {"Sum": sp.Sum, "Derivative": sp.Derivative, "KroneckerDelta": sp.KroneckerDelta,
                "UnevaluatedExpr": sp.UnevaluatedExpr, "Mul": sp.Mul, "exp": sp.exp, "log": sp.log,
                "f": fn.f, "fprime": fn.fprime, "sigmoid": fn.sigmoid, "softmax": mexpr.Softmax,
                "ones": mexpr.ones, "Integer": sp.Integer, "Float": sp.Float, "Rational": sp.Rational}


def route(title, shape_map, steps, conclusion="", where=None, assume=()):
    """A Derivation written as the page writes it: steps are (text, reason),
    each text SymPy syntax over the variables of `shape_map` (W[i, k] an entry,
    W * x a matrix product), their size names, the indices i j k m p q r
    (integers >= 0), the parts of `where` in order ("z(r)": a part of an
    index r) and lang("v * fprime(z)"), an expression of derive's language.
    Unknown names raise (no name silently becomes a free symbol)."""
    h = Gradient(shapes=shape_map, assume=assume)
    V = vars(mexpr.variables(shape_map))
    sizes = {d: mexpr.dim(d) for s in V.values() if isinstance(s, sp.MatrixSymbol) for d in map(str, s.shape)
             if not d.isdigit()}
    ns = {**_ROUTE_NAMES, **sizes, **V, "lang": lambda t: lower.to_sympy(trees(h, [t])[0])}
    ns.update({i: sp.Symbol(i, integer=True, nonnegative=True) for i in "ijkmpqr" if i not in ns})

    def read(text):
        return parse_expr(text, local_dict=ns, global_dict={"__builtins__": {}}, transformations=(auto_number,))
    for name, text in (where or {}).items():
        if "(" in name:  # a part with an index argument: z(r)
            fname, arg = name[:-1].split("(")
            ns[fname] = sp.Lambda(ns[arg.strip()], read(text))
        else:
            ns[name] = read(text)
    return Derivation(title, tuple(Step(read(t), reason) for t, reason in steps), conclusion, assumptions(h))
