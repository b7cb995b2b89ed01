"""A language tree in the forms derive proves and runs.

* ``entry(e, i, j)``: the index-level SymPy scalar, with ``Sum``s over
  symbolic sizes: a proof on it holds for every size;
* ``explicit(e, sizes)``: an explicit SymPy matrix (or scalar) at concrete sizes;
* ``numpy_source(...)``: NumPy code, one line per named part;
* ``latex(e, names)``: the formula typeset in the notes' notation.

inv, det and logdet have no index-level form here (a determinant is not a
finite sum over symbolic sizes): ``entry`` raises :class:`NoIndexForm`
naming them, and their results are proved at concrete sizes.
"""
from __future__ import annotations

import functools
import itertools
import re

import numpy as np
import sympy as sp

from derive.maths import dag
from derive.maths import functions as fn
from derive.maths import kernels
from derive.maths import language as L
from derive.matrix import mexpr

SP_FN = {"exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt, "tanh": sp.tanh, "sigmoid": fn.sigmoid,
          "relu": fn.relu, "step": fn.step, "softplus": fn.softplus, "sin": sp.sin, "cos": sp.cos,
          "abs": fn.absolute, "sign": sp.sign, "f": fn.f, "fprime": fn.fprime, "g": fn.g, "gprime": fn.gprime}


class NoIndexForm(ValueError):
    """A construct without an index-level form at symbolic sizes."""


def dim(d):
    return sp.Integer(d) if isinstance(d, int) else sp.Symbol(d, integer=True, positive=True)


def symbol(name, shape, sizes=None):
    """The SymPy object of a variable: a MatrixSymbol (symbolic sizes, or the
    concrete `sizes`), or a real scalar Symbol."""
    if shape == ():
        return sp.Symbol(name, real=True)
    if sizes is None:
        return sp.MatrixSymbol(name, *(dim(d) for d in shape))
    return sp.MatrixSymbol(name, *(sp.Integer(sizes[d] if isinstance(d, str) else d) for d in shape))


_fresh = itertools.count()


def _k():
    return sp.Dummy(f"k{next(_fresh)}", integer=True)


def _cmp(op, a, b):
    return {">": lambda: fn.step(a - b), "<": lambda: fn.step(b - a),
            ">=": lambda: 1 - fn.step(b - a), "<=": lambda: 1 - fn.step(a - b)}[op]()


def entry(e, i, j, sizes=None):
    """Entry (i, j) of e as a SymPy scalar (a scalar e ignores i, j).
    sizes: concrete sizes by name (then sums have literal bounds)."""
    if sizes is not None and isinstance(i, (int, sp.Integer)) and isinstance(j, (int, sp.Integer)):
        return _concrete_entry(e, int(i), int(j), tuple(sorted(sizes.items())))
    return _entry(e, i, j, sizes)


@functools.lru_cache(maxsize=1 << 14)
def _concrete_entry(e, i, j, sizes):
    """An entry at concrete sizes, once per (node, i, j): the explicit f of a
    deep chain reads each entry of layer k once per entry of layer k + 1 (no
    Dummy in it, so the remembered entry is the same expression)."""
    return _entry(e, i, j, dict(sizes))


def _entry(e, i, j, sizes):
    def ix(x, i, j):  # broadcasting: a unit axis is read at 0
        if x.shape == ():
            return entry(x, 0, 0, sizes)
        return entry(x, 0 if x.shape[0] == 1 else i, 0 if x.shape[1] == 1 else j, sizes)

    def n(d):
        return sp.Integer(sizes[d]) if sizes is not None and isinstance(d, str) else dim(d)

    def total(body, k, d):
        if d == 1:
            return body(sp.Integer(0))
        if sizes is not None:  # concrete: the sum written out
            return sp.Add(*[body(sp.Integer(t)) for t in range(int(n(d)))])
        v = _k()
        return dag.sum_of(body(v), (v, 0, n(d) - 1))
    op = e.op
    if op == "var":
        s = symbol(e.attrs[0], e.shape, sizes)
        return s if e.shape == () else s[i, j]
    if op == "num":
        return e.attrs[0]
    if op == "size":
        return n(e.attrs[0])
    if op in ("+", "-", "*", "/", "**"):
        x, y = (ix(a, i, j) for a in e.args)
        return {"+": lambda: x + y, "-": lambda: x - y, "*": lambda: x * y, "/": lambda: x / y,
                "**": lambda: x ** y}[op]()
    if op == "cmp":
        return _cmp(e.attrs[0], *(ix(a, i, j) for a in e.args))
    if op == "neg":
        return -ix(e.args[0], i, j)
    if op == "T":
        return ix(e.args[0], j, i)
    if op == "fn":
        return SP_FN[e.attrs[0]](ix(e.args[0], i, j))
    if op == "@":
        a, b = e.args
        return total(lambda k: ix(a, i, k) * ix(b, k, j), None, a.shape[1])
    a = e.args[0] if e.args else None
    if op in ("sum", "mean", "logsumexp"):
        axis = e.attrs[0]
        if a.shape == ():
            s = ix(a, 0, 0)
            return {"sum": s, "mean": s, "logsumexp": s}[op]
        wrap = (lambda x: sp.exp(x)) if op == "logsumexp" else (lambda x: x)
        if e.attrs[0] is None:
            s = total(lambda r: total(lambda c: wrap(ix(a, r, c)), None, a.shape[1]), None, a.shape[0])
            cnt = n(a.shape[0]) * n(a.shape[1])
        elif axis == 0:
            s = total(lambda r: wrap(ix(a, r, j)), None, a.shape[0])
            cnt = n(a.shape[0])
        else:
            s = total(lambda c: wrap(ix(a, i, c)), None, a.shape[1])
            cnt = n(a.shape[1])
        return {"sum": lambda: s, "mean": lambda: s / cnt, "logsumexp": lambda: sp.log(s)}[op]()
    if op in ("softmax", "log_softmax"):
        if e.attrs[0] == 0:
            den = total(lambda r: sp.exp(ix(a, r, j)), None, a.shape[0])
        else:
            den = total(lambda c: sp.exp(ix(a, i, c)), None, a.shape[1])
        x = ix(a, i, j)
        return sp.exp(x) / den if op == "softmax" else x - sp.log(den)
    if op == "trace":
        return total(lambda k: ix(a, k, k), None, a.shape[0])
    if op == "eye":
        d = e.attrs[0]
        return _delta(i, j, n(d))
    if op == "ones":
        return sp.Integer(1)
    if op == "diag":
        if e.shape[1] == 1 and a.shape[0] == a.shape[1] and a.shape != (1, 1):  # the diagonal of a matrix
            return ix(a, i, i)
        v = ix(a, i, 0) if a.shape[1] == 1 else ix(a, 0, i)
        return _delta(i, j, n(e.shape[0])) * v
    if op in ("inv", "det", "logdet"):
        if sizes is not None:
            return _explicit_entry(e, i, j, sizes)
        raise NoIndexForm(f"{op} has no index-level form at symbolic sizes")
    raise NoIndexForm(f"no index form for {op}")


def _delta(i, j, n):
    if isinstance(i, (int, sp.Integer)) and isinstance(j, (int, sp.Integer)):
        return sp.Integer(int(i == j))
    return sp.KroneckerDelta(i, j, (0, n - 1))


def _explicit_entry(e, i, j, sizes):
    m = explicit(e, sizes)
    return m[i, j] if isinstance(m, sp.MatrixBase) else m


def concrete_shape(shape, sizes):
    return tuple(sizes[d] if isinstance(d, str) else d for d in shape)


def explicit(e, sizes):
    """e at concrete sizes: an explicit SymPy Matrix, or a scalar."""
    if e.shape == ():
        if e.op in ("det", "logdet"):
            m = explicit(e.args[0], sizes)
            d = m.det(method="berkowitz")
            return d if e.op == "det" else sp.log(d)
        return entry(e, 0, 0, sizes)
    r, c = concrete_shape(e.shape, sizes)
    if e.op == "inv":
        return explicit(e.args[0], sizes).inv(method="LU")
    if e.op == "@":
        return explicit(e.args[0], sizes) * explicit(e.args[1], sizes)
    if any(_needs_explicit(a) for a in e.args):
        # inv inside: built node by node (an entry of inv(A) is a whole matrix's work)
        if e.op == "T":
            return explicit(e.args[0], sizes).T
        if e.op in ("+", "-", "*", "/", "**", "neg", "fn", "cmp"):
            return _elementwise(e, [_bcast(explicit(a, sizes), (r, c)) for a in e.args], (r, c))
        raise NoIndexForm(f"{e.op} of an inverse is not supported at concrete sizes")
    return sp.Matrix(r, c, lambda p, q: entry(e, p, q, sizes))


def _needs_explicit(e):
    return e.op in ("inv", "det", "logdet") or any(_needs_explicit(a) for a in e.args)


def _bcast(m, shape):
    if not isinstance(m, sp.MatrixBase):
        return sp.Matrix(*shape, lambda p, q: m)
    return sp.Matrix(*shape, lambda p, q: m[0 if m.rows == 1 else p, 0 if m.cols == 1 else q])


def _elementwise(e, parts, shape):
    op = e.op
    out = sp.zeros(*shape)
    for p in range(shape[0]):
        for q in range(shape[1]):
            xs = [m[p, q] for m in parts]
            if op in ("+", "-", "*", "/", "**"):
                x, y = xs
                v = {"+": x + y, "-": x - y, "*": x * y, "/": x / y, "**": x ** y}[op]
            elif op == "neg":
                v = -xs[0]
            elif op == "fn":
                v = SP_FN[e.attrs[0]](xs[0])
            else:
                v = _cmp(e.attrs[0], *xs)
            out[p, q] = v
    return out


# ----------------------------------------------------------------------------
# NumPy
# ----------------------------------------------------------------------------

_NP = {"exp": "np.exp", "log": "np.log", "sqrt": "np.sqrt", "tanh": "np.tanh", "sigmoid": "_k.sigmoid",
       "relu": "_k.relu", "step": "_k.step", "softplus": "_k.softplus", "sin": "np.sin", "cos": "np.cos",
       "abs": "np.abs", "sign": "np.sign"}


def np_text(e, names):
    """NumPy code for e (named parts by name)."""
    if e in names:
        return names[e]
    p = lambda x: np_text(x, names)  # noqa: E731
    op = e.op
    if op in ("var", "size"):
        return e.attrs[0]
    if op == "num":
        v = e.attrs[0]
        return str(int(v)) if v.is_Integer else repr(float(v))
    if op in ("+", "-", "*", "/", "**", "@"):
        return f"({p(e.args[0])} {op} {p(e.args[1])})"
    if op == "neg":
        return f"(-{p(e.args[0])})"
    if op == "T":
        return f"{p(e.args[0])}.T" if e.args[0].shape != () else p(e.args[0])
    if op == "cmp":
        a, b = e.args
        return {">": f"_k.step({p(a)} - {p(b)})", "<": f"_k.step({p(b)} - {p(a)})",
                ">=": f"(1 - _k.step({p(b)} - {p(a)}))", "<=": f"(1 - _k.step({p(a)} - {p(b)}))"}[e.attrs[0]]
    if op == "fn":
        if e.attrs[0] in ("f", "fprime", "g", "gprime"):
            return f"{e.attrs[0]}({p(e.args[0])})"
        return f"{_NP[e.attrs[0]]}({p(e.args[0])})"
    a = e.args[0] if e.args else None
    if op in ("sum", "mean"):
        axis = e.attrs[0]
        f = "np.sum" if op == "sum" else "np.mean"
        return f"{f}({p(a)})" if axis is None else f"{f}({p(a)}, axis={axis}, keepdims=True)"
    if op == "logsumexp":
        return f"_k.logsumexp({p(a)}, axis={e.attrs[0]})"
    if op in ("softmax", "log_softmax"):
        return f"_k.{op}({p(a)}, axis={e.attrs[0]})"
    if op == "trace":
        return f"np.trace({p(a)})"
    if op == "inv":
        return f"np.linalg.inv({p(a)})"
    if op == "det":
        return f"np.linalg.det({p(a)})"
    if op == "logdet":
        return f"np.log(np.linalg.det({p(a)}))"
    if op == "diag":
        if e.shape[1] == 1 and a.shape[0] == a.shape[1] and a.shape != (1, 1):
            return f"np.diagonal({p(a)}).reshape(-1, 1)"
        return f"np.diagflat({p(a)})"
    if op == "eye":
        return f"np.eye({e.attrs[0]})"
    if op == "ones":
        return f"np.ones(({e.attrs[0]}, {e.attrs[1]}))"
    raise ValueError(f"no NumPy form for {op}")


def numpy_source(name, shapes, where, outputs):
    """def name(<variables>): size lines, one line per named part, return."""
    args = list(shapes)
    names = {}
    body = []
    for n, _, tree in where:
        body.append(f"    {n} = {_strip(np_text(tree, names))}")
        names[tree] = n
    rets = [_strip(np_text(o, names)) for o in outputs]
    used = "\n".join(body + rets)
    head = [f"def {name}({', '.join(args)}):"]
    seen = set()
    for v, shape in shapes.items():
        for axis, d in enumerate(shape):
            if isinstance(d, str) and d not in seen and _uses(used, d):
                seen.add(d)
                head.append(f"    {d} = np.shape({v})[{axis}]")
    ret = rets[0] if len(rets) == 1 else "(" + ", ".join(rets) + ")"
    return "\n".join(head + body + [f"    return {ret}", ""])


def _uses(code, name):
    return re.search(rf"(?<![\w.]){name}(?!\w)", code) is not None


def _strip(code):
    return code[1:-1] if code.startswith("(") and code.endswith(")") and mexpr._balanced(code[1:-1]) else code


def compile_numpy(name, src, extra=None):
    """The function defined by our own generated source (never user text:
    the source is printed from a parsed, whitelisted tree)."""
    namespace = {"np": np, "_k": kernels} | dict(extra or {})
    exec(compile(src, f"<derive:{name}>", "exec"), namespace)
    func = namespace[name]
    func.source = src
    return func


# ----------------------------------------------------------------------------
# LaTeX
# ----------------------------------------------------------------------------

_TEX_FN = {"exp": r"\exp", "log": r"\log", "tanh": r"\tanh", "sigmoid": r"\sigma", "sin": r"\sin",
           "cos": r"\cos", "relu": r"\operatorname{ReLU}", "softplus": r"\operatorname{softplus}",
           "sign": r"\operatorname{sign}", "f": "f", "fprime": "f'", "g": "g", "gprime": "g'"}
_GREEK = {"delta": r"\boldsymbol{\delta}", "lam": r"\lambda", "theta": r"\boldsymbol{\theta}",
          "alpha": r"\alpha", "beta": r"\beta", "gamma": r"\gamma", "mu": r"\mu", "sigma": r"\sigma"}


def tex_name(name, matrix=True):
    base = name.rstrip("0123456789")
    digits = name[len(base):]
    if base in _GREEK:
        b = _GREEK[base] if matrix or not _GREEK[base].startswith(r"\boldsymbol") else _GREEK[base]
    elif len(base) == 1:
        b = rf"\mathbf{{{base}}}" if matrix else base
    elif matrix:  # xc, uo, zL: a letter and its subscript, never a bold word
        b, digits = rf"\mathbf{{{base[0]}}}", base[1:] + ("," if digits else "") + digits
    else:
        b = rf"\mathit{{{base}}}"
    return f"{b}_{{{digits}}}" if digits else b


_TPREC = {"cmp": 1, "+": 2, "-": 2, "*": 3, "/": 6, "@": 3, "neg": 4, "**": 5}


def _base(a, t):
    """The base of a superscript; one that has its own gets braces (x^T^T is an error)."""
    inner = t(a, 6)
    return f"{{{inner}}}" if a.op in ("T", "**", "inv") and not inner.startswith(r"\left(") else inner


def latex(e, names=None):
    return _tex(e, names or {})[0]


def _tex(e, names):
    if e in names:
        return tex_name(names[e], e.shape != ()), 6

    def t(x, lo):
        s, pr = _tex(x, names)
        return s if pr >= lo else rf"\left({s}\right)"
    op = e.op
    if op == "var":
        return tex_name(e.attrs[0], e.shape != ()), 6
    if op == "size":
        return e.attrs[0], 6
    if op == "num":
        v = e.attrs[0]
        return (sp.latex(v), 6) if v >= 0 else (sp.latex(v), 4)
    if op in ("+", "-"):
        return f"{t(e.args[0], 2)} {op} {t(e.args[1], 3)}", 2
    if op == "*":
        a, b = e.args
        sym = r" \odot " if a.shape != () and b.shape != () else r" \, " if a.op != "num" else " "
        return f"{t(a, 3)}{sym}{t(b, 4)}", 3
    if op == "@":
        return f"{t(e.args[0], 3)} {t(e.args[1], 4)}", 3
    if op == "/":
        return rf"\frac{{{latex(e.args[0], names)}}}{{{latex(e.args[1], names)}}}", 6
    if op == "**":
        return f"{_base(e.args[0], t)}^{{{latex(e.args[1], names)}}}", 5
    if op == "neg":
        return f"-{t(e.args[0], 4)}", 4
    if op == "T":
        return rf"{_base(e.args[0], t)}^{{\top}}", 6
    if op == "cmp":
        rel = {">": ">", "<": "<", ">=": r"\geq", "<=": r"\leq"}[e.attrs[0]]
        return rf"\mathbf{{1}}\left[{latex(e.args[0], names)} {rel} {latex(e.args[1], names)}\right]", 6
    a = e.args[0] if e.args else None
    if op == "fn":
        name = e.attrs[0]
        if name == "sqrt":
            return rf"\sqrt{{{latex(a, names)}}}", 6
        if name == "abs":
            return rf"\left|{latex(a, names)}\right|", 6
        if name == "step":
            return rf"\mathbf{{1}}\left[{latex(a, names)} > 0\right]", 6
        return rf"{_TEX_FN[name]}\left({latex(a, names)}\right)", 6
    if op in L.AXIS_FUNCS:
        axis = e.attrs[0]
        head = {"sum": r"\operatorname{sum}", "mean": r"\operatorname{mean}", "logsumexp": r"\operatorname{logsumexp}",
                "softmax": r"\operatorname{softmax}", "log_softmax": r"\log\operatorname{softmax}"}[op]
        quiet = axis is None or (op in ("softmax", "log_softmax") and axis == 0 and a.shape[1] == 1)
        sub = "" if quiet else f"_{{{axis}}}"
        return rf"{head}{sub}\left({latex(a, names)}\right)", 6
    if op == "trace":
        return rf"\operatorname{{tr}}\left({latex(a, names)}\right)", 6
    if op == "inv":
        return rf"{t(a, 6)}^{{-1}}", 6
    if op == "det":
        return rf"\det\left({latex(a, names)}\right)", 6
    if op == "logdet":
        return rf"\log\det\left({latex(a, names)}\right)", 6
    if op == "diag":
        return rf"\operatorname{{diag}}\left({latex(a, names)}\right)", 6
    if op == "eye":
        return rf"\mathbf{{I}}_{{{e.attrs[0]}}}", 6
    if op == "ones":
        return rf"\mathbf{{1}}_{{{e.attrs[0]} \times {e.attrs[1]}}}", 6
    raise ValueError(f"no LaTeX for {op}")


# ----------------------------------------------------------------------------
# SymPy matrix expressions (derive.matrix.mexpr's vocabulary)
# ----------------------------------------------------------------------------

@functools.lru_cache(maxsize=8192)  # a pure function of the tree; SymPy's matrix algebra (MatMul, MatAdd) is the costly part
def to_sympy(e):
    """e as a SymPy matrix expression (or scalar) over symbolic sizes, in the
    vocabulary of derive.matrix.mexpr (Hadamard products, elementwise functions,
    Softmax, ones matrices for broadcasting)."""
    op = e.op
    if op == "var":
        return symbol(e.attrs[0], e.shape)
    if op == "num":
        return e.attrs[0]
    if op == "size":
        return dim(e.attrs[0])
    if op == "neg":
        return -to_sympy(e.args[0])
    if op == "T":
        a = to_sympy(e.args[0])
        return a.T if isinstance(a, sp.MatrixExpr) else a
    if op == "@":
        return to_sympy(e.args[0]) * to_sympy(e.args[1])
    if op in ("+", "-", "*", "/", "**", "cmp"):
        a, b = e.args
        x, y = to_sympy(a), to_sympy(b)
        if e.shape == ():
            if op == "cmp":
                return _cmp(e.attrs[0], x, y)
            return {"+": lambda: x + y, "-": lambda: x - y, "*": lambda: x * y, "/": lambda: x / y,
                    "**": lambda: x ** y}[op]()
        if op == "**":
            return sp.HadamardPower(_spread(x, a.shape, e.shape), y)
        if op == "cmp":  # as _cmp, entrywise: a > b is step(a - b), a >= b is 1 - step(b - a)
            d = _spread(x, a.shape, e.shape) - _spread(y, b.shape, e.shape)
            one = _spread(sp.Integer(1), (), e.shape)
            return {">": lambda: mexpr.apply(fn.step, d), "<": lambda: mexpr.apply(fn.step, -d),
                    ">=": lambda: one - mexpr.apply(fn.step, -d), "<=": lambda: one - mexpr.apply(fn.step, d)}[e.attrs[0]]()
        if op in ("*", "/") and (a.shape == () or b.shape == ()):
            s, m = (x, y) if a.shape == () else (y, x)
            if op == "/":
                return m / s if b.shape == () else sp.HadamardPower(m, -1) * s
            return s * m
        xs, ys = _spread(x, a.shape, e.shape), _spread(y, b.shape, e.shape)
        if op == "+":
            return xs + ys
        if op == "-":
            return xs - ys
        if op == "*":
            return sp.HadamardProduct(xs, ys)
        return sp.HadamardProduct(xs, sp.HadamardPower(ys, -1))
    if op == "fn":
        x = to_sympy(e.args[0])
        f = SP_FN[e.attrs[0]]
        return f(x) if e.shape == () else mexpr.apply(f, x)
    a = e.args[0] if e.args else None
    if op in ("sum", "mean", "logsumexp"):
        x = to_sympy(a)
        if a.shape == ():
            return x
        if op == "logsumexp":
            x = mexpr.apply(sp.exp, x)
        r, c = (dim(d) for d in a.shape)
        axis = e.attrs[0]
        if axis is None:
            s = (sp.OneMatrix(1, r) * x * sp.OneMatrix(c, 1))[0, 0]
            cnt = r * c
        elif axis == 0:
            s, cnt = sp.OneMatrix(1, r) * x, r
        else:
            s, cnt = x * sp.OneMatrix(c, 1), c
        if op == "sum":
            return s
        if op == "mean":
            return s / cnt
        return sp.log(s) if axis is None else mexpr.apply(sp.log, s)
    if op == "softmax":
        return mexpr.Softmax(to_sympy(a), e.attrs[0])
    if op == "log_softmax":
        return mexpr.apply(sp.log, mexpr.Softmax(to_sympy(a), e.attrs[0]))
    if op == "trace":
        return sp.Trace(to_sympy(a))
    if op == "inv":
        return sp.Inverse(to_sympy(a))
    if op == "det":
        return sp.Determinant(to_sympy(a))
    if op == "logdet":
        return sp.log(sp.Determinant(to_sympy(a)))
    if op == "diag":
        x = to_sympy(a)
        if e.shape[1] == 1 and a.shape[0] == a.shape[1] and a.shape != (1, 1):
            return sp.DiagonalOf(x)
        return sp.DiagMatrix(x if a.shape[1] == 1 else x.T)
    if op == "eye":
        return sp.Identity(dim(e.attrs[0]))
    if op == "ones":
        return sp.OneMatrix(*(dim(d) for d in e.attrs))
    raise ValueError(f"no SymPy form for {op}")


def _spread(x, shape, target):
    """x of `shape` broadcast to `target` with ones matrices (v 1^T, 1 v, c 1 1^T)."""
    r, c = (dim(d) for d in target)
    if shape == target:
        return x
    if shape == () or shape == (1, 1):
        s = x[0, 0] if isinstance(x, sp.MatrixExpr) else x
        return s * sp.OneMatrix(r, c)
    if shape[1] == 1:
        return x * sp.OneMatrix(1, c)
    return sp.OneMatrix(r, 1) * x
