"""Matrix-level statements over symbolic sizes, and what they turn into.

A statement is written once with SymPy matrix expressions (``W*x + b``,
``hadamard(v, apply(fprime, z))``) over ``MatrixSymbol``s whose sizes are
symbols.  From that one expression derive takes:

* ``entry(e, i, j)``: the index-level scalar with ``Sum``s over symbolic
  sizes (SymPy's own ``_entry``), for size-independent proofs;
* ``explicit(e, sizes)``: an explicit matrix at concrete small sizes;
* ``numpy_function(...)``: NumPy source code (our printer: ``@``, ``.T``,
  ``*`` for the Hadamard product, derive's kernels), with repeated
  subexpressions computed once as named steps.

SymPy's matrix *derivatives* are never used (they are unreliable for these
expressions); derivatives are taken entry by entry.
"""
from __future__ import annotations

import itertools
import re
from types import SimpleNamespace

import numpy as np
import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.matexpr import MatrixElement

from derive.maths import dag
from derive.maths import functions as fn
from derive.maths import kernels
from derive.maths.expansion import expand
from derive.maths.language import shape_of

_t = sp.Symbol("t")


def _patch_matmul_entry():
    """SymPy's MatMul._entry calls Sum.doit() (Gosper summation: seconds per
    entry) as soon as *one* inner dimension is a literal, e.g. a 1 x 1 factor,
    even when the other sums run over symbolic sizes.  Evaluate only when the
    sizes are concrete; derive's normal form collapses one-term sums
    itself.  `concrete`: every factor has literal sizes.  Each entry is
    remembered (see memo)."""
    from sympy.matrices.expressions.matmul import MatMul
    original = MatMul._entry
    if getattr(original, "_derive", False):
        return

    # (product, i, j) -> its entry.  An entry is a Sum over fresh Dummy
    # indices, so taken twice it was two expressions that only the normal form
    # saw equal: every check of a record takes the claim's entry (p, q) and
    # computed its derivatives and normal forms again.  Remembered, it is one
    # expression (the same Dummy in two sums of one product is still two
    # bound indices: each Sum binds its own).
    memo = {}

    def _entry(self, i, j, expand=True, **kwargs):
        key = (self, i, j, expand) if not kwargs else None  # an inner factor's call passes its dummy generator
        if len(memo) > 20000:
            memo.clear()
        if key is not None:
            try:
                return memo[key]
            except (KeyError, TypeError):
                pass
        _, mats = self.as_coeff_matrices()
        concrete = all(isinstance(k, (int, sp.Integer)) for m in mats for k in m.shape)
        out = original(self, i, j, expand=expand and concrete, **kwargs)
        if key is not None:
            try:
                memo[key] = out
            except TypeError:
                pass
        return out
    _entry._derive = True
    MatMul._entry = _entry


_patch_matmul_entry()


def _patch_valid_index():
    """MatrixExpr.valid_index builds relationals like i < n and asks the
    assumptions system about them for every matrix entry SymPy creates (a
    third of a proof's time).  Literal indices are still range-checked; a
    symbolic index is accepted, as SymPy accepts it whenever the answer is
    not provably False."""
    from sympy.matrices.expressions.matexpr import MatrixExpr
    if getattr(MatrixExpr.valid_index, "_derive", False):
        return
    original = MatrixExpr.valid_index

    def valid_index(self, i, j):
        if isinstance(i, (int, sp.Integer)) and isinstance(j, (int, sp.Integer)):
            return original(self, i, j)
        return isinstance(i, (int, sp.Expr)) and isinstance(j, (int, sp.Expr))
    valid_index._derive = True
    MatrixExpr.valid_index = valid_index


_patch_valid_index()


def dim(name):
    return sp.Symbol(name, integer=True, positive=True)


def _size(s):
    return dim(s) if isinstance(s, str) else sp.Integer(s)


def variables(shapes):
    """Namespace of variables from ``{"W": ("h", "n"), "x": ("n", 1), "c": ()}``:
    matrices become MatrixSymbols of symbolic size, () a real scalar Symbol."""
    ns = {}
    for name, shape in shapes.items():
        shape = shape_of(shape) if isinstance(shape, str) else shape  # "h,n" as the notes write it
        if shape == ():
            ns[name] = sp.Symbol(name, real=True)
        else:
            ns[name] = sp.MatrixSymbol(name, *(_size(s) for s in shape))
    return SimpleNamespace(**ns)


class Softmax(sp.MatrixExpr):
    """softmax over axis 0 (columns; the default) or 1 (rows), defined entry
    by entry: exp(x_ij) / sum_k exp(x_kj).  Printed to NumPy as the
    max-shifted kernel, which softmax-shift-invariance proves exact."""

    def __new__(cls, arg, axis=0):
        return sp.Basic.__new__(cls, arg, sp.Integer(axis))

    arg = property(lambda self: self.args[0])
    axis = property(lambda self: int(self.args[1]))
    shape = property(lambda self: self.args[0].shape)

    def _entry(self, i, j, **kwargs):
        k = sp.Dummy("k", integer=True)
        if self.axis == 0:
            den = sp.Sum(sp.exp(self.arg[k, j]), (k, 0, self.arg.shape[0] - 1))
        else:
            den = sp.Sum(sp.exp(self.arg[i, k]), (k, 0, self.arg.shape[1] - 1))
        return sp.exp(self.arg[i, j]) / den

    def _eval_transpose(self):
        return None


def apply(function, M):
    """f applied elementwise to the matrix M."""
    return ElementwiseApplyFunction(sp.Lambda(_t, function(_t)), M)


def hadamard(*ms):
    return sp.HadamardProduct(*ms)


def ones(n, m=1):
    return sp.OneMatrix(*(_size(k) if isinstance(k, (str, int)) else k for k in (n, m)))


def scalar_of(e):
    """A 1x1 matrix expression as its scalar entry; scalars pass through."""
    return e[0, 0] if isinstance(e, sp.MatrixExpr) else e


def generic_index(shape):
    """Symbolic entry indices (p, q) for a variable of `shape`, 0 for unit axes."""
    idx = []
    for s, name in zip(shape, "pq"):
        idx.append(sp.Integer(0) if s == 1 else sp.Symbol(name, integer=True, nonnegative=True))
    return tuple(idx)


def explicit(e, sizes):
    """`e` at concrete sizes (``{"h": 3, "n": 2}``) as an explicit matrix or scalar."""
    # by name: a size may be derive's dim("n") or any Symbol("n") a user made
    syms = dag.free_symbols(e) | {d for m in dag.atoms(sp.MatrixSymbol, e) for k in m.shape
                                  for d in sp.sympify(k).free_symbols}
    sub = {s: sp.Integer(sizes[s.name]) for s in syms if isinstance(s, sp.Symbol) and s.name in sizes}
    e = dag.xreplace(e, sub) if sub else e  # structural: subs() misses sizes inside Sum
    if isinstance(e, sp.MatrixExpr):
        return sp.ImmutableMatrix(_explicit(e))
    return unrolled(e).doit()


def unrolled(e):
    """Every Sum with integer limits written out term by term, inner sums
    first (the index replaced by each value): exact, and what Sum.doit does
    at the end, without its search for a closed form (apart, summation
    formulas) first, several times slower here."""
    if not dag.has(sp.Sum, e):
        return e
    if isinstance(e, sp.Sum):
        body = unrolled(e.function)
        for i, lo, hi in reversed(e.limits):
            if not (lo.is_Integer and hi.is_Integer) or hi < lo - 1:  # (SymPy's sums downward: Karr's convention)
                return e.func(body, *e.limits).doit()
        terms = [body]
        for i, lo, hi in reversed(e.limits):
            terms = [t.xreplace({i: sp.Integer(k)}) for t in terms for k in range(int(lo), int(hi) + 1)]
        return sp.Add(*terms)
    return e.func(*[unrolled(a) for a in e.args])


def _explicit(e):
    """Bottom-up explicit matrix of a matrix expression with literal sizes:
    matrix products as products of explicit matrices.  (as_explicit() builds
    every entry as a Sum and evaluates it by summation routines: 10x slower.)"""
    if isinstance(e, (sp.MatrixSymbol, sp.OneMatrix, sp.Identity, sp.ZeroMatrix)):
        return sp.Matrix(e.as_explicit())
    if isinstance(e, sp.MatrixBase):
        return sp.Matrix(e)
    if isinstance(e, sp.MatMul):
        coeff, mats = e.as_coeff_matrices()
        out = _explicit(mats[0])
        for m in mats[1:]:
            out = out * _explicit(m)
        return coeff * out
    if isinstance(e, sp.MatAdd):
        parts = [_explicit(a) for a in e.args]
        return sum(parts[1:], parts[0])
    if isinstance(e, sp.Transpose):
        return _explicit(e.arg).T
    if isinstance(e, sp.HadamardProduct):
        parts = [_explicit(a) for a in e.args]
        out = parts[0]
        for p in parts[1:]:
            out = out.multiply_elementwise(p)
        return out
    if isinstance(e, sp.HadamardPower):
        return _explicit(e.base).applyfunc(lambda x: x ** e.exp)
    if isinstance(e, ElementwiseApplyFunction):
        return _explicit(e.expr).applyfunc(e.function)
    if isinstance(e, Softmax):
        z = _explicit(e.arg)
        ez = z.applyfunc(sp.exp)
        if e.axis == 0:
            return sp.Matrix(z.rows, z.cols, lambda i, j: ez[i, j] / sum(ez[k, j] for k in range(z.rows)))
        return sp.Matrix(z.rows, z.cols, lambda i, j: ez[i, j] / sum(ez[i, k] for k in range(z.cols)))
    return sp.Matrix(e.as_explicit()).applyfunc(lambda x: x.doit())


def free_matrices(e):
    return sorted(e.atoms(sp.MatrixSymbol), key=lambda m: m.name)


# ----------------------------------------------------------------------------
# NumPy code generation
# ----------------------------------------------------------------------------

_NP_FUNCS = {
    sp.exp: "np.exp", sp.log: "np.log", sp.tanh: "np.tanh", sp.sin: "np.sin", sp.cos: "np.cos",
    fn.sigmoid: "_k.sigmoid", fn.relu: "_k.relu", fn.step: "_k.step", sp.Abs: "np.abs",
}


class _Emitter:
    """Print matrix/scalar expressions as NumPy; every subexpression used
    more than once becomes one named step (matrix-level CSE).

    batched: matrices may carry leading batch axes (transpose swaps the last
    two axes, reductions name axes -2/-1), so one formula runs on a stack of
    examples without a Python loop.  callables: {sympy function: argument
    name} for functions the caller passes in (an activation f and its f')."""

    def __init__(self, roots, batched=False, callables=None):
        self.batched = batched
        self.callables = dict(callables or {})
        self.counts = {}
        for r in roots:
            self._count(r)
        self.names, self.lines, self.force = {}, [], set()
        for node in list(self.counts):  # softmax and log softmax both used: name the log once
            if isinstance(node, Softmax) and self._log_of(node) is not None:
                self.force.add(self._log_of(node))

    def _count(self, e):
        if not e.args or isinstance(e, (sp.MatrixSymbol, sp.Symbol, sp.Number)):
            return
        self.counts[e] = self.counts.get(e, 0) + 1
        if self.counts[e] == 1:
            for a in e.args:
                if isinstance(a, sp.Basic):
                    self._count(a)

    def __call__(self, e):
        if e in self.names:
            return self.names[e]
        code = self._print(e)
        if (self.counts.get(e, 0) > 1 or e in self.force) and not isinstance(e, (sp.Symbol, sp.MatrixSymbol)):
            name = f"_s{len(self.lines)}"
            self.lines.append(f"{name} = {code}")
            self.names[e] = name
            return name
        return code

    def _T(self, code):
        return f"np.swapaxes({code}, -1, -2)" if self.batched else f"{_paren(code)}.T"

    def _matmul(self, e):
        coeff, mats = e.as_coeff_matrices()
        mats = list(mats)
        # 1^T M and M 1 are column and row sums: no ones matrix is built
        lead = len(mats) > 1 and isinstance(mats[0], sp.OneMatrix) and mats[0].shape[0] == 1
        mats = mats[1:] if lead else mats
        trail = len(mats) > 1 and isinstance(mats[-1], sp.OneMatrix) and mats[-1].shape[1] == 1
        mats = mats[:-1] if trail else mats
        body = " @ ".join(_paren(self(m)) for m in mats)
        if lead:
            body = f"{_paren(body)}.sum(axis=-2, keepdims=True)"
        if trail:
            body = f"{_paren(body)}.sum(axis=-1, keepdims=True)"
        if coeff == -1:
            return f"(-{_paren(body)})"
        return body if coeff == 1 else f"{_paren(self(coeff))} * {_paren(body)}"

    @staticmethod
    def _broadcast(term):
        """v 1^T (v a column) or 1 v (v a row) inside a sum: NumPy
        broadcasting adds v to every column (row) without building it."""
        if not isinstance(term, sp.MatMul):
            return None
        coeff, mats = term.as_coeff_matrices()
        if len(mats) != 2:
            return None
        a, b = mats
        if isinstance(b, sp.OneMatrix) and b.shape[0] == 1 and a.shape[1] == 1 and not isinstance(a, sp.OneMatrix):
            return coeff, a
        if isinstance(a, sp.OneMatrix) and a.shape[1] == 1 and b.shape[0] == 1 and not isinstance(b, sp.OneMatrix):
            return coeff, b
        return None

    def _matadd(self, e):
        # a term 0*M comes from substituting lam = 0 (no regularization): drop it
        args = [a for a in e.args if not (isinstance(a, sp.MatMul) and a.as_coeff_matrices()[0] == 0)]
        if len(args) == 1:
            return self(args[0])
        e = sp.MatAdd(*args, evaluate=False)
        spread = [self._broadcast(a) for a in e.args]
        full = [s is None and not isinstance(a, sp.OneMatrix) for a, s in zip(e.args, spread)]
        if not any(full):  # nothing full-sized to broadcast against
            spread = [None] * len(spread)
        terms = []
        for a, s in zip(e.args, spread):
            if s is None and isinstance(a, sp.OneMatrix) and any(full):
                terms.append((1, "1"))  # 1 1^T next to a full matrix: the scalar 1 broadcasts
                continue
            coeff, v = s if s is not None else (a.as_coeff_matrices()[0] if isinstance(a, sp.MatMul) else 1, None)
            if v is None:
                v = a if coeff == 1 else sp.MatMul(*a.as_coeff_matrices()[1])
            terms.append((coeff, self(v)))
        return _signed_sum(terms, self)

    def _log_of(self, e):
        """The log(softmax(x)) node of this program, if there is one."""
        for node in self.counts:
            if (isinstance(node, ElementwiseApplyFunction) and node.expr == e
                    and node.function.expr == sp.log(node.function.variables[0])):
                return node
        return None

    def _axis(self, axis):
        return -2 if axis == 0 else -1

    def _print(self, e):
        p = self
        if isinstance(e, (sp.MatrixSymbol, sp.Symbol)):
            return e.name
        if isinstance(e, sp.Transpose):
            return self._T(p(e.arg))
        if isinstance(e, sp.MatMul):
            return self._matmul(e)
        if isinstance(e, sp.MatAdd):
            return self._matadd(e)
        if isinstance(e, sp.HadamardPower):
            return f"({_paren(p(e.base))} ** {_paren(p(e.exp))})"
        if isinstance(e, sp.HadamardProduct):
            return "(" + " * ".join(_paren(p(a)) for a in e.args) + ")"
        if isinstance(e, sp.Identity):
            return f"np.eye({p(e.shape[0])})"
        if isinstance(e, sp.OneMatrix):
            return f"np.ones(({p(e.shape[0])}, {p(e.shape[1])}))"
        if isinstance(e, Softmax):
            log_node = self._log_of(e)
            if log_node is not None:  # both needed: softmax = exp(log softmax), one pass fewer
                self.force.add(log_node)
                return f"np.exp({p(log_node)})"
            return f"_k.softmax({p(e.arg)}, axis={self._axis(e.axis)})"
        if isinstance(e, ElementwiseApplyFunction):
            lam = e.function
            if lam.expr == sp.log(lam.variables[0]) and isinstance(e.expr, Softmax):
                # stable log(softmax): shifted by the max (softmax-shift-invariance)
                return f"_k.log_softmax({p(e.expr.arg)}, axis={self._axis(e.expr.axis)})"
            inner = p(e.expr)
            var = lam.variables[0]
            return self._print_scalar_body(lam.expr, {var: inner})
        if isinstance(e, sp.MatrixExpr):
            raise NotImplementedError(f"no NumPy form for matrix expression {type(e).__name__}: {e}")
        return self._print_scalar_body(e, {})

    def _print_scalar_body(self, e, env):
        # outside a lambda body (env empty) subexpressions go through the
        # naming of __call__, so a repeated scalar is computed once too
        p = (lambda x: self._print_scalar_body(x, env)) if env else self  # noqa: E731
        if e in env:
            return _paren(env[e])
        if isinstance(e, sp.MatrixExpr):
            return self(e)
        if isinstance(e, MatrixElement):
            i, j = e.indices
            whole = _full_sum(e.parent) if (i, j) == (0, 0) else None
            if whole is not None:  # c 1^T M 1 as one reduction
                coeff, m = whole
                axes = "axis=(-2, -1)" if self.batched else ""
                total = f"{_paren(self(m))}.sum({axes})"
                return total if coeff == 1 else f"{_paren(p(coeff))} * {total}"
            lead = "..., " if self.batched else ""
            return f"{_paren(self(e.parent))}[{lead}{p(i)}, {p(j)}]"
        if e.is_Integer:
            return str(int(e))
        if e.is_Rational:
            return f"({int(e.p)}/{int(e.q)})"
        if e.is_Number:
            return repr(float(e))
        if isinstance(e, sp.Symbol):
            return e.name
        if isinstance(e, sp.Add):
            terms = []
            for a in e.args:
                c, t = a.as_coeff_Mul()
                terms.append((-1, p(t)) if c == -1 and t != 1 else (1, p(a)))
            return _signed_sum(terms, self)
        if isinstance(e, sp.Mul):
            if e.args[0] == -1:
                return f"(-{_paren(p(sp.Mul(*e.args[1:])))})"
            return "(" + " * ".join(p(a) for a in e.args) + ")"
        if isinstance(e, sp.Pow):
            if e.exp == -1:
                return f"(1 / {p(e.base)})"
            return f"({p(e.base)} ** {p(e.exp)})"
        if e.func in self.callables:
            return f"{self.callables[e.func]}({', '.join(p(a) for a in e.args)})"
        if e.func == sp.log:
            # log sigma(u) and log(1 - sigma(u)) = log sigma(-u): from logits, no overflow
            (arg,) = e.args
            rest = expand(1 - arg)
            if isinstance(arg, fn.sigmoid):
                return f"_k.log_sigmoid({p(arg.args[0])})"
            if isinstance(rest, fn.sigmoid):
                return f"_k.log_sigmoid({p(-rest.args[0])})"
        if e.func in _NP_FUNCS:
            return f"{_NP_FUNCS[e.func]}({', '.join(p(a) for a in e.args)})"
        raise NotImplementedError(f"no NumPy form for {type(e).__name__}: {e}")


def _signed_sum(terms, emitter):
    """a + b - c from [(coefficient, code)]: a -1 coefficient subtracts
    (one NumPy pass instead of a multiply and an add)."""
    out = []
    for coeff, code in sorted(terms, key=lambda t: bool(t[0] == -1)):  # lead with a positive term
        if coeff == 1:
            out.append(("+", code))
        elif coeff == -1:
            out.append(("-", _paren(code)))
        else:
            out.append(("+", f"{_paren(emitter._print_scalar_body(coeff, {}))} * {_paren(code)}"))
    text = out[0][1] if out[0][0] == "+" else f"-{out[0][1]}"
    for sign, code in out[1:]:
        text += f" {sign} {code}"
    return f"({text})"


def _full_sum(e):
    """(c, M) where e is c 1^T M 1 (c times the sum of all entries of M), else None."""
    if not isinstance(e, sp.MatMul):
        return None
    coeff, mats = e.as_coeff_matrices()
    if len(mats) != 3:
        return None
    a, m, b = mats
    if isinstance(a, sp.OneMatrix) and isinstance(b, sp.OneMatrix) and a.shape[0] == 1 and b.shape[1] == 1:
        return coeff, m
    return None


def _paren(code):
    simple = code.replace("_", "").replace(".T", "").isalnum()
    return code if simple or (code.startswith("(") and code.endswith(")") and _balanced(code[1:-1])) else f"({code})"


def _balanced(s):
    depth = 0
    for ch in s:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def numpy_source(name, args, outputs, *, batched=False, callables=None, sizes_from=None, doc=None, keys=None):
    """Source of ``def name(*args): ...; return outputs`` (a tuple when
    `outputs` is a list).  f/f' (and g/g') are replaced by the concrete
    activation of the numeric checks unless they are `callables`
    ({function: argument name}, passed in by the caller).  sizes_from maps a
    size symbol to (argument, axis) it is read from; keys: return a dict."""
    single = not isinstance(outputs, (list, tuple))
    outs = [o for o in ([outputs] if single else outputs)]
    keep = set(callables or {})
    for func, rep in fn.CONCRETE.items():
        if func not in keep:
            outs = [o.replace(func, rep) for o in outs]
    em = _Emitter(outs, batched=batched, callables=callables)
    rets = [em(o) for o in outs]
    head = [f"def {name}({', '.join(args)}):"]
    if doc:
        head.append(f'    """{doc}"""')
    body = [f"    {line}" for line in em.lines]
    used = "\n".join(body + rets)
    for sym, (arg, axis) in (sizes_from or {}).items():
        if re.search(rf"\b{sym}\b", used):
            head.append(f"    {sym} = {arg}.shape[{axis}]")
    if keys is not None:
        ret = "{" + ", ".join(f"{k!r}: {r}" for k, r in zip(keys, rets)) + "}"
    else:
        ret = rets[0] if single else "(" + ", ".join(rets) + ("," if len(rets) == 1 else "") + ")"
    return "\n".join([*head, *body, f"    return {ret}", ""])


def numpy_function(name, args, outputs, **options):
    """Compile :func:`numpy_source`; the source stays on ``.source``."""
    src = numpy_source(name, args, outputs, **options)
    namespace = {"np": np, "_k": kernels}
    exec(compile(src, f"<derive:{name}>", "exec"), namespace)  # our own generated code, never user text
    func = namespace[name]
    func.source = src
    return func


def numeric_sizes(e):
    """Size symbols appearing in `e` (to be bound when it is evaluated)."""
    return sorted((s for s in e.free_symbols if s.is_integer and s.is_positive), key=str)


def product(ranges):
    return itertools.product(*[range(r) for r in ranges])
