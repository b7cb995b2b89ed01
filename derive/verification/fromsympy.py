"""SymPy matrix expressions (derive.matrix.mexpr's vocabulary) as trees of the language.

``to_tree(expr, shapes)`` reads the expressions the registry's records build
(``MatrixSymbol``, ``MatMul`` with scalar coefficients, ``MatAdd``,
``HadamardProduct``/``HadamardPower``, elementwise functions, ``Softmax``,
transposes, ones matrices, traces, entries of 1 x 1 matrices, scalar
expressions over the functions of derive.maths.functions) and returns the same
quantity as a :mod:`derive.maths.language` tree, built with the language's own
constructors (every shape is checked again there).  ``language.text`` of
the tree is text a user could have typed: ``derive.grad`` can then derive
the gradient of a catalog entry from scratch.

Ones matrices are read as what they do: ``1^T M`` is ``sum(M, axis=0)``,
``M 1`` is ``sum(M, axis=1)``, ``1^T M 1`` is ``sum(M)``, and ``v 1^T``,
``1 r``, ``c 1 1^T`` inside an elementwise operation are NumPy broadcasting
of ``v``, ``r``, ``c``.  Anything else raises :class:`derive.verification.engine.Unsupported`
naming the construct.
"""
from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.matexpr import MatrixElement

from derive.maths import functions as fn
from derive.maths import language as L
from derive.matrix import mexpr
from derive.verification.engine import Unsupported

# SymPy function class -> the language's name
_FUNCS = {sp.exp: "exp", sp.log: "log", sp.tanh: "tanh", sp.sin: "sin", sp.cos: "cos", sp.Abs: "abs",
          sp.sign: "sign", fn.sigmoid: "sigmoid", fn.relu: "relu", fn.step: "step", fn.softplus: "softplus",
          fn.f: "f", fn.fprime: "fprime", fn.g: "g", fn.gprime: "gprime"}


def names(record_shapes):
    """{record variable: its name in the language}: a variable named like a
    function of the language (g, f, exp ...) or T/axis gets a trailing
    underscore (g -> g_), every other name is kept."""
    taken = set(record_shapes) | {d for s in record_shapes.values() for d in L.shape_of(s) if isinstance(d, str)}
    out = {}
    for v in record_shapes:
        new = v
        while new in L.FUNCTIONS or new in ("T", "axis") or (new != v and new in taken):
            new += "_"
        out[v] = new
        taken.add(new)
    return out


def shapes(record_shapes, renamed=None):
    """The language's shapes of a record's {"W": ("h", "n"), "c": ()}, under
    the language names of :func:`names`."""
    renamed = names(record_shapes) if renamed is None else renamed
    return L.shapes_of({renamed[v]: s for v, s in record_shapes.items()})


def back(tree, renamed):
    """A language tree over renamed variables with the record's names again
    (for lower.to_sympy, which then builds the record's own symbols)."""
    inverse = {new: old for old, new in renamed.items() if new != old}
    if not inverse:
        return tree
    return _rename(tree, inverse)


def _rename(e, mapping):
    if e.op == "var":
        return L.var(mapping.get(e.attrs[0], e.attrs[0]), e.shape)
    if not e.args:
        return e
    return L.rebuild(e, tuple(_rename(a, mapping) for a in e.args))


def assumption_text(a, renamed=None):
    """A prove.SumsToOne as the text derive.grad reads ("sum(y, axis=0) == 1"),
    so that the engine also simplifies sum(y) to 1 (the axis is written
    positionally: derive.grad splits an assumption at '='); other objects
    pass through."""
    if hasattr(a, "name") and hasattr(a, "axis") and hasattr(a, "shape"):
        return f"sum({(renamed or {}).get(a.name, a.name)}, {int(a.axis)}) == 1"
    return a


def to_tree(expr, record_shapes, renamed=None):
    """The language tree of the SymPy expression `expr` (a scalar, a 1 x 1
    matrix expression or a matrix expression) over the variables of
    `record_shapes` (named as :func:`names` says unless `renamed` is given);
    Unsupported names what is not expressible.  Pass the expression as the
    record builds it: indexing a 1 x 1 product ([0, 0]) expands it into Sums,
    which have no form in the language."""
    renamed = names(record_shapes) if renamed is None else renamed
    return lift(_Reader(shapes(record_shapes, renamed), renamed)(expr))


def to_text(expr, record_shapes, renamed=None):
    """to_tree, printed as text in the language."""
    return L.text(to_tree(expr, record_shapes, renamed))


class _Reader:
    def __init__(self, shapes_, renamed):
        self.shapes = shapes_
        self.renamed = renamed
        self.seen = {}  # SymPy matrix expression -> its tree (strict reading)
        self.sizes = {d for s in shapes_.values() for d in s if isinstance(d, str)}

    # -- entry point ---------------------------------------------------------
    def __call__(self, e):
        e = sp.sympify(e, strict=True) if not isinstance(e, sp.Basic) else e
        if isinstance(e, sp.MatrixBase):
            raise Unsupported(f"an explicit matrix {_short(e)}: write it as a matrix expression")
        if isinstance(e, sp.MatrixExpr):
            t = self.mat(e)
            want = self.shape(e)
            if t.shape != want and not (want == (1, 1) and t.shape == ()):
                raise Unsupported(f"{_short(e)}: read as {L.fmt_shape(t.shape)}, expected {L.fmt_shape(want)}")
            return t
        return self.scalar(e, {})

    # -- sizes and shapes ----------------------------------------------------
    def dim(self, d):
        d = sp.sympify(d)
        if d.is_Integer and d > 0:
            return int(d)
        if isinstance(d, sp.Symbol):
            if d.name not in self.sizes:
                raise Unsupported(f"size {d.name} is not a size of any variable ({', '.join(sorted(self.sizes))})")
            return d.name
        raise Unsupported(f"size {d}: only size names and positive integers")

    def shape(self, e):
        return tuple(self.dim(d) for d in e.shape)

    # -- matrices ------------------------------------------------------------
    def mat(self, e, loose=False):
        """The tree of matrix expression e.  loose: a broadcastable stand-in
        may be returned (v for v 1^T, c for c 1 1^T): the caller is an
        elementwise operation that checks the broadcast shape.

        SymPy pushes transposes inwards as it builds (r.T for r = y - f(z)
        becomes y.T - f(z.T)): an operand whose transpose was read before
        is read as that tree's transpose, so r.T @ r stays one r."""
        if loose or isinstance(e, (sp.MatrixSymbol, sp.Transpose, sp.OneMatrix, sp.Identity, sp.ZeroMatrix)):
            return self._mat(e, loose)
        if e in self.seen:
            return self.seen[e]
        et = _transposed(e)
        if et is not None and et in self.seen:
            t = L.transpose(self.seen[et])
        else:
            t = self._mat(e, loose)
        self.seen[e] = t
        return t

    def _mat(self, e, loose):
        if isinstance(e, sp.MatrixSymbol):
            name = self.renamed.get(e.name)
            if name is None:
                raise Unsupported(f"matrix {e.name} is not a variable of the record ({', '.join(self.renamed)})")
            t = L.var(name, self.shapes[name])
            if t.shape != self.shape(e):
                raise Unsupported(f"matrix {e.name} is {L.fmt_shape(self.shape(e))} in the expression but "
                                  f"{L.fmt_shape(t.shape)} in the shapes")
            return t
        if isinstance(e, sp.MatAdd):
            return self._elementwise(e, [self._term(a) for a in e.args], "+", loose)
        if isinstance(e, sp.MatMul):
            return self._matmul(e, loose)
        if isinstance(e, sp.HadamardProduct):
            return self._elementwise(e, [(1, a) for a in e.args], "*", loose)
        if isinstance(e, sp.HadamardPower):
            base = self.mat(e.base)
            ex = sp.sympify(e.exp)
            if ex == -1:
                return L.binary("/", L.num(1), base)
            return L.binary("**", base, self.scalar(ex, {}))
        if isinstance(e, ElementwiseApplyFunction):
            inner = self.mat(e.expr)
            lam = e.function
            if isinstance(lam, sp.Lambda) and len(lam.variables) == 1:
                var, body = lam.variables[0], lam.expr
            else:
                var = sp.Dummy("t")
                body = lam(var)
            t = self.scalar(body, {var: inner})
            if t.shape != inner.shape:
                if not loose:
                    raise Unsupported(f"elementwise function {lam} does not depend on its argument")
            return t
        if isinstance(e, mexpr.Softmax):
            return L.call("softmax", self.mat(e.arg), axis=e.axis)
        if isinstance(e, sp.Transpose):
            a = self.mat(e.arg)
            return a if a.shape == () else L.transpose(a)
        if isinstance(e, sp.OneMatrix):
            r, c = self.shape(e)
            if (r, c) == (1, 1) or loose:
                return L.num(1)
            return L.call("ones", r, c)
        if isinstance(e, sp.ZeroMatrix):
            r, c = self.shape(e)
            return L.num(0) if loose or (r, c) == (1, 1) else L.binary("*", L.num(0), L.call("ones", r, c))
        if isinstance(e, sp.Identity):  # SymPy writes a 1 x 1 ones matrix as Identity(1)
            n = self.dim(e.shape[0])
            return L.num(1) if n == 1 else L.call("eye", n)
        if isinstance(e, sp.Inverse):
            return L.call("inv", self.mat(e.arg))
        raise Unsupported(f"matrix construct {type(e).__name__} ({_short(e)}) has no form in the language")

    def _elementwise(self, e, terms, op, loose):
        """An elementwise sum or product of terms [(sign, operand)]:
        broadcastable stand-ins where the result still has e's shape, the
        full operands otherwise."""
        want = self.shape(e)
        combine = self._add if op == "+" else (lambda ts, _: _fold("*", ts))  # noqa: E731
        loose_trees = [self.mat(a, loose=True) if isinstance(a, sp.MatrixExpr) else self.scalar(a, {})
                       for _, a in terms]
        got = _broadcast([t.shape for t in loose_trees])
        if got == want or (loose and got is not None):
            return combine(loose_trees, terms)
        trees = [self.mat(a) if isinstance(a, sp.MatrixExpr) else self.scalar(a, {}) for _, a in terms]
        return combine(trees, terms)

    def _term(self, a):
        """(sign, the term without a negative coefficient)."""
        if isinstance(a, sp.MatMul):
            coeff, mats = a.as_coeff_matrices()
            c, _ = sp.sympify(coeff).as_coeff_Mul()
            if c.is_negative:
                if -coeff != 1:
                    return -1, sp.MatMul(-coeff, *mats)
                return -1, mats[0] if len(mats) == 1 else sp.MatMul(*mats)
        return 1, a

    @staticmethod
    def _add(trees, terms):
        order = sorted(range(len(trees)), key=lambda i: terms[i][0] < 0)  # lead with a positive term
        out = None
        for i in order:
            t, sign = trees[i], terms[i][0]
            if out is None:
                out = t if sign > 0 else _neg(t)
            else:
                out = L.binary("+" if sign > 0 else "-", out, t)
        return out

    def _matmul(self, e, loose):
        coeff, mats = e.as_coeff_matrices()
        mats = list(mats)
        ones = lambda m: isinstance(m, sp.OneMatrix)  # noqa: E731
        body = None
        if len(mats) == 1 and ones(mats[0]):
            body = self.mat(mats[0], loose)
        elif len(mats) == 2 and loose and ones(mats[1]) and mats[1].shape[0] == 1 and not ones(mats[0]):
            body = self.mat(mats[0])            # v 1^T: v broadcast along the rows
        elif len(mats) == 2 and loose and ones(mats[0]) and mats[0].shape[1] == 1 and not ones(mats[1]):
            body = self.mat(mats[1])            # 1 r: r broadcast along the columns
        else:
            lead = len(mats) > 1 and ones(mats[0]) and mats[0].shape[0] == 1
            trail = len(mats) > 1 and ones(mats[-1]) and mats[-1].shape[1] == 1
            if lead and trail and len(mats) == 2:  # 1^T 1 = the length
                lead = False
            mid = mats[int(lead):len(mats) - int(trail)]
            body = self._chain(mid)
            if lead and trail:
                body = L.call("sum", body)
            elif lead:
                body = L.call("sum", body) if body.shape[1] == 1 else L.call("sum", body, axis=0)
            elif trail:
                body = L.call("sum", body) if body.shape[0] == 1 else L.call("sum", body, axis=1)
        return self._scaled(sp.sympify(coeff), body)

    def _chain(self, mats):
        # a factor and its transpose (r.T @ r as SymPy stores it): read the
        # one with fewer transposes first, the other as its transpose
        for i, a in enumerate(mats):
            for b in mats[i + 1:]:
                if _transposed(b) == a and _count_T(b) < _count_T(a):
                    self.mat(b)
        out = None
        for m in mats:
            t = self.mat(m)
            out = t if out is None else _mm(out, t)
        return out

    def _scaled(self, coeff, body):
        if coeff == 1:
            return body
        c, _ = coeff.as_coeff_Mul()
        if c.is_negative:
            return _neg(self._scaled(-coeff, body))
        if body.op == "num" and body.attrs[0] == 1:
            return self.scalar(coeff, {})
        return L.binary("*", self.scalar(coeff, {}), body)

    # -- scalars ---------------------------------------------------------------
    def scalar(self, e, env):
        if e in env:
            return env[e]
        if isinstance(e, sp.MatrixExpr):
            return self.mat(e)
        if isinstance(e, sp.Trace):  # scalars in SymPy
            return L.call("trace", self.mat(e.arg))
        if isinstance(e, sp.Determinant):
            return L.call("det", self.mat(e.arg))
        if isinstance(e, MatrixElement):
            parent = e.parent
            if tuple(parent.shape) == (1, 1) and tuple(e.indices) == (0, 0):
                return self.mat(parent)
            raise Unsupported(f"entry {e} of a matrix that is not 1 x 1: indexing is not in the language")
        if e.is_Number:
            if not (e.is_Rational or e.is_Float):
                raise Unsupported(f"number {e}")
            return L.num(e)
        if isinstance(e, sp.Symbol):
            name = self.renamed.get(e.name)
            if name is not None and self.shapes[name] == ():
                return L.var(name, ())
            if e.name in self.sizes and e.is_integer:
                return L.size(e.name)
            raise Unsupported(f"symbol {e.name} is neither a scalar variable nor a size of the record")
        if isinstance(e, sp.Add):
            terms = []
            for a in e.args:
                c, rest = a.as_coeff_Mul()
                terms.append((-1, -a) if c.is_negative else (1, a))
            return self._add([self.scalar(a, env) for _, a in terms], terms)
        if isinstance(e, sp.Mul):
            return self._mul(e, env)
        if isinstance(e, sp.Pow):
            if e.exp.is_Number and e.exp.is_negative:
                return L.binary("/", L.num(1), self.scalar(sp.Pow(e.base, -e.exp), env))
            if e.exp == sp.Rational(1, 2):
                return L.call("sqrt", self.scalar(e.base, env))
            if e.base == sp.E:
                return L.call("exp", self.scalar(e.exp, env))
            return L.binary("**", self.scalar(e.base, env), self.scalar(e.exp, env))
        if e.func in _FUNCS:
            if len(e.args) != 1:
                raise Unsupported(f"{e.func.__name__} with {len(e.args)} arguments ({e})")
            return L.call(_FUNCS[e.func], self.scalar(e.args[0], env))
        if e == sp.E:
            return L.call("exp", L.num(1))
        raise Unsupported(f"scalar construct {type(e).__name__} ({_short(e)}) has no form in the language")

    def _mul(self, e, env):
        c, rest = e.as_coeff_Mul()
        if c.is_negative:
            return _neg(self.scalar(-e, env))
        num, den = [], []
        if c != 1:
            if c.is_Rational and c.q != 1:
                if c.p != 1:
                    num.append(L.num(c.p))
                den.append(L.num(c.q))
            else:
                num.append(L.num(c))
        for f in sp.Mul.make_args(rest):
            if isinstance(f, sp.Pow) and f.exp.is_Number and f.exp.is_negative:
                den.append(self.scalar(sp.Pow(f.base, -f.exp), env))
            else:
                num.append(self.scalar(f, env))
        top = _fold("*", num) if num else L.num(1)
        return L.binary("/", top, _fold("*", den)) if den else top


def _transposed(e):
    """SymPy's transpose of e, evaluated (transposes pushed inwards as SymPy
    does when building), or None."""
    try:
        return sp.Transpose(e).doit(deep=False) if e.shape != (1, 1) else None
    except Exception:  # a construct without a transpose rule
        return None


def _count_T(e):
    return sum(isinstance(x, sp.Transpose) for x in sp.preorder_traversal(e))


_ELEMENTWISE_OPS = ("+", "-", "*", "/")


def lift(e):
    """Transposes moved out of elementwise operations, bottom up:
    f(x.T) -> f(x).T, a.T + b.T -> (a + b).T, c * a.T -> (c * a).T for a
    scalar c, x.T.T -> x.  Exact (elementwise operations commute with the
    transpose); it undoes SymPy's pushing transposes inwards, so that
    log(sigmoid(z)).T reads as the notes wrote it."""
    if not e.args:
        return e
    args = tuple(lift(a) for a in e.args)
    e = L.rebuild(e, args) if args != e.args else e
    if e.op == "T" and e.args[0].op == "T":
        return e.args[0].args[0]
    if e.op == "fn" and e.args[0].op == "T":
        return L.transpose(L.call(e.attrs[0], e.args[0].args[0]))
    if e.op in _ELEMENTWISE_OPS or e.op == "**":
        mats = [a for a in (e.args if e.op != "**" else e.args[:1]) if a.shape != ()]
        if mats and all(a.op == "T" for a in mats):
            inner = tuple(a.args[0] if a.op == "T" else a for a in e.args)
            return L.transpose(L.binary(e.op, *inner))
    return e


def _neg(t):
    if t.op == "num":
        return L.num(-t.attrs[0])
    if t.op == "neg":
        return t.args[0]
    return L.neg(t)


def _mm(a, b):
    """a @ b, where a 1 x 1 factor read as a scalar (a sum) multiplies."""
    if a.shape == () or b.shape == ():
        return L.binary("*", a, b)
    return L.binary("@", a, b)


def _fold(op, trees):
    out = trees[0]
    for t in trees[1:]:
        out = L.binary(op, out, t)
    return out


def _broadcast(shapes_):
    out = ()
    try:
        for s in shapes_:
            out = L.broadcast(out, s)
    except L.LanguageError:
        return None
    return out


def _short(e):
    s = str(e)
    return s if len(s) <= 80 else s[:77] + "..."


__all__ = ["to_tree", "to_text", "names", "shapes", "back", "assumption_text"]
