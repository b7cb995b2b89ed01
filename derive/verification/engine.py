"""Matrix-level derivation on the language's trees: reverse mode, then the
simplifications a careful author makes, each pass a recorded step.

``backprop(f, name)`` runs the chain rule node by node (one vector-Jacobian
rule per construct, NumPy broadcasting undone by sums) and returns the raw
gradient with the list of rules it applied.  ``simplify_steps`` then tidies
it in passes: transposes and units, elementwise algebra (each maximal
elementwise region goes through SymPy as a scalar expression over opaque
atoms, and the shortest of its forms is kept: σ' is σ(1 − σ), BCE through σ
is σ(z) − y), common matrix factors (A @ X + B @ X = (A + B) @ X).  None of
this is trusted: every step is checked at index level by the caller, and
the answer is proved entry by entry against SymPy's own derivative of f.
"""
from __future__ import annotations

import itertools

import sympy as sp

from derive.maths import functions as fn
from derive.maths import language as L
from derive.matrix import lower
from derive.maths.language import E


class Unsupported(ValueError):
    """A construct derive cannot differentiate or simplify; names it."""


ONE = L.num(1)


def _n(v):
    return L.num(sp.sympify(v))


def is_num(e, v=None):
    return e.op == "num" and (v is None or e.attrs[0] == v)


# ----------------------------------------------------------------------------
# building blocks that keep shapes right
# ----------------------------------------------------------------------------

def ones(shape):
    return L.call("ones", *shape)


def full(g, shape):
    """g (broadcastable to `shape`) as an expression of exactly that shape."""
    if g.shape == shape or (shape == () and g.shape == ()):
        return g
    if shape == ():
        raise Unsupported(f"scalar expected, got {L.fmt_shape(g.shape)}")
    return L.binary("*", g, ones(shape))


def count(dims):
    """The number of entries along `dims` (a product of size names and ints)."""
    out = None
    lit = 1
    for d in dims:
        if isinstance(d, int):
            lit *= d
        else:
            out = L.size(d) if out is None else L.binary("*", out, L.size(d))
    if out is None:
        return _n(lit)
    return out if lit == 1 else L.binary("*", _n(lit), out)


def unbroadcast(g, node_shape, shape):
    """Adjoint of an operand of `shape` that was broadcast to `node_shape`,
    given the adjoint g of the result (g itself may be a broadcast form)."""
    if shape == node_shape:
        return g
    gs = g.shape if g.shape != () else (1, 1)
    ns = node_shape
    if shape == ():
        if g.shape == ():
            return L.binary("*", g, count(ns))
        rest = [ns[a] for a in (0, 1) if gs[a] == 1 and ns[a] != 1]
        total = L.call("sum", g)
        return total if not rest else L.binary("*", total, count(rest))
    out = g
    for axis in (0, 1):
        if shape[axis] == 1 and ns[axis] != 1:
            if gs[axis] == 1:  # g is constant along the axis: the sum is a product
                out = L.binary("*", out, count([ns[axis]]))
            else:
                out = L.call("sum", out, axis=axis)
    return out


# ----------------------------------------------------------------------------
# reverse mode
# ----------------------------------------------------------------------------

def _order(f):
    """Nodes of f, each once, children before parents."""
    seen, out = set(), []

    def visit(e):
        if e in seen:
            return
        seen.add(e)
        for a in e.args:
            visit(a)
        out.append(e)
    visit(f)
    return out


def _mm(a, b):
    """a @ b where either may be the scalar standing for a 1 x 1 adjoint."""
    if a.shape == ():
        return L.binary("*", a, b)
    if b.shape == ():
        return L.binary("*", a, b)
    return L.binary("@", a, b)


def _vjp(e, g, wanted):
    """[(operand, its adjoint contribution, rule)] for node e with adjoint g."""
    a = e.args[0] if e.args else None
    ns, op = e.shape, e.op
    out = []
    if op in ("+", "-"):
        b = e.args[1]
        out.append((a, unbroadcast(g, ns, a.shape), None))
        gb = g if op == "+" else L.neg(g)
        out.append((b, unbroadcast(gb, ns, b.shape), None))
    elif op == "*":
        b = e.args[1]
        out.append((a, unbroadcast(L.binary("*", g, b), ns, a.shape), "product rule (elementwise)"))
        out.append((b, unbroadcast(L.binary("*", g, a), ns, b.shape), "product rule (elementwise)"))
    elif op == "/":
        b = e.args[1]
        out.append((a, unbroadcast(L.binary("/", g, b), ns, a.shape), "quotient rule (elementwise)"))
        db = L.neg(L.binary("/", L.binary("*", g, a), L.binary("**", b, _n(2))))
        out.append((b, unbroadcast(db, ns, b.shape), "quotient rule (elementwise)"))
    elif op == "**":
        b = e.args[1]
        if b.op == "num":
            da = L.binary("*", g, L.binary("*", b, L.binary("**", a, _n(b.attrs[0] - 1))))
        else:
            da = L.binary("*", g, L.binary("*", b, L.binary("**", a, L.binary("-", b, ONE))))
        out.append((a, unbroadcast(da, ns, a.shape), "power rule"))
        if any(L.depends(b, w) for w in wanted):
            db = L.binary("*", g, L.binary("*", e, L.call("log", a)))
            out.append((b, unbroadcast(db, ns, b.shape), "d a^b / d b = a^b log a"))
    elif op == "@":
        b = e.args[1]
        gf = g if g.shape == () and ns == (1, 1) else full(g, ns)
        out.append((a, _mm(gf, L.transpose(b)), "matrix product: d(A @ B) = dA @ B + A @ dB"))
        out.append((b, _mm(L.transpose(a), gf), "matrix product: d(A @ B) = dA @ B + A @ dB"))
    elif op == "neg":
        out.append((a, L.neg(g), None))
    elif op == "T":
        out.append((a, L.transpose(g) if g.shape != () else g, "transpose"))
    elif op == "fn":
        d = derivative(e.attrs[0], a, e)
        if d is not None:
            out.append((a, L.binary("*", g, d), f"the rule for {e.attrs[0]}, elementwise"))
    elif op == "cmp":
        pass  # a step function: derivative 0 away from where it jumps
    elif op in ("sum", "mean"):
        axis = e.attrs[0]
        ga = g if op == "sum" else L.binary("/", g, count(a.shape if axis is None else [a.shape[axis]]))
        out.append((a, ga, f"{op}: each entry's adjoint is its sum's"))
    elif op == "logsumexp":
        axis = e.attrs[0]
        p = L.call("softmax", a, axis=axis) if axis is not None or a.shape[1] == 1 else \
            L.call("exp", L.binary("-", a, e))
        out.append((a, L.binary("*", g, p), "d logsumexp = softmax"))
    elif op == "softmax":
        axis = e.attrs[0]
        inner = L.binary("-", full(g, ns), L.call("sum", L.binary("*", g, e), axis=axis))
        out.append((a, L.binary("*", e, inner), "softmax Jacobian: diag(s) - s s^T"))
    elif op == "log_softmax":
        axis = e.attrs[0]
        gsum = unbroadcast(g, ns, (1, ns[1]) if axis == 0 else (ns[0], 1))
        out.append((a, L.binary("-", full(g, ns), L.binary("*", L.call("softmax", a, axis=axis), gsum)),
                    "log_softmax: d = g - softmax * sum(g)"))
    elif op == "trace":
        out.append((a, L.binary("*", g, L.call("eye", a.shape[0])), "d tr(A) = tr(dA)"))
    elif op == "inv":
        gf = full(g, ns)
        out.append((a, L.neg(L.binary("@", L.binary("@", L.transpose(e), gf), L.transpose(e))),
                    "d inv(A) = -inv(A) dA inv(A)"))
    elif op == "det":
        out.append((a, L.binary("*", L.binary("*", g, e), L.transpose(L.call("inv", a))),
                    "d det(A) = det(A) tr(inv(A) dA)"))
    elif op == "logdet":
        out.append((a, L.binary("*", g, L.transpose(L.call("inv", a))), "d logdet(A) = tr(inv(A) dA)"))
    elif op == "diag":
        gf = full(g, ns)
        if a.shape[1] == 1 and ns != a.shape:
            out.append((a, L.call("diag", gf), "diag: the diagonal of the adjoint"))
        elif a.shape[0] == 1 and ns != a.shape and a.shape != (1, 1):
            out.append((a, L.transpose(L.call("diag", gf)), "diag: the diagonal of the adjoint"))
        else:
            out.append((a, L.call("diag", gf), "diag: the adjoint on the diagonal"))
    return out


def derivative(name, a, node):
    """f'(a) as an expression (node = f(a), reused where f' is written
    through f), or None when it is 0."""
    c = L.call
    table = {
        "exp": lambda: node,
        "log": lambda: L.binary("/", ONE, a),
        "sqrt": lambda: L.binary("/", ONE, L.binary("*", _n(2), node)),
        "tanh": lambda: L.binary("-", ONE, L.binary("**", node, _n(2))),
        "sigmoid": lambda: L.binary("*", node, L.binary("-", ONE, node)),
        "relu": lambda: c("step", a),
        "softplus": lambda: c("sigmoid", a),
        "sin": lambda: c("cos", a),
        "cos": lambda: L.neg(c("sin", a)),
        "abs": lambda: c("sign", a),
        "f": lambda: c("fprime", a),
        "g": lambda: c("gprime", a),
    }
    if name in ("step", "sign"):
        return None
    if name not in table:
        raise Unsupported(f"the derivative of {name} (an unspecified f') is not known")
    return table[name]()


def canonical(f):
    """log(softmax(x)) -> log_softmax(x): one node, whose rule is the
    textbook's softmax(x) * sum(g) - g."""
    args = tuple(canonical(a) for a in f.args)
    f = L.rebuild(f, args) if args != f.args else f
    if f.op == "fn" and f.attrs[0] == "log" and f.args[0].op == "softmax":
        s = f.args[0]
        return L.call("log_softmax", s.args[0], axis=s.attrs[0])
    return f


def backprop(f, wanted):
    """({name: raw gradient}, rules applied): f a scalar (or 1 x 1)."""
    if not L.is_scalar(f.shape):
        raise Unsupported(f"grad needs a scalar expression; {L.text(f)} is {L.fmt_shape(f.shape)} "
                          "(use jacobian)")
    order = _order(f)
    adj = {f: ONE}
    rules = []
    for e in reversed(order):
        g = adj.get(e)
        if g is None or not e.args:
            continue
        if not any(L.depends(e, w) for w in wanted):
            continue
        for operand, contrib, rule in _vjp(e, g, wanted):
            if not any(L.depends(operand, w) for w in wanted):
                continue
            if rule and rule not in rules:
                rules.append(rule)
            adj[operand] = contrib if operand not in adj else L.binary("+", adj[operand], contrib)
    out = {}
    for w in wanted:
        node = next((e for e in order if e.op == "var" and e.attrs[0] == w), None)
        if node is None:
            raise Unsupported(f"{L.text(f)} does not depend on {w}")
        g = adj.get(node)
        out[w] = full(g, node.shape) if g is not None else L.binary("*", _n(0), ones(node.shape)) \
            if node.shape else _n(0)
    return out, rules


# ----------------------------------------------------------------------------
# Jacobians (forward mode, column vectors)
# ----------------------------------------------------------------------------

def jacobian(f, x):
    """d f / d x for f a column vector (or scalar) and x a column vector
    variable: rows are the entries of f, columns those of x."""
    if f.shape not in ((),) and f.shape[1] != 1:
        raise Unsupported(f"jacobian of {L.text(f)} ({L.fmt_shape(f.shape)}): derive's Jacobians are of "
                          "column vectors (or scalars) with respect to a column vector")
    rules = []
    n = x.shape[0]

    def J(e):
        if not L.depends(e, x.attrs[0]):
            return None
        op, a = e.op, e.args[0] if e.args else None
        if op == "var":
            return L.call("eye", n)
        if e.shape == () or e.shape == (1, 1):
            # a scalar node: the row vector of its gradient
            g, r = backprop(e, [x.attrs[0]])
            rules.extend(x for x in r if x not in rules)
            return L.transpose(g[x.attrs[0]])
        if e.shape[1] != 1:
            raise Unsupported(f"jacobian through the matrix {L.text(e)} ({L.fmt_shape(e.shape)}) is not supported")
        if op in ("+", "-"):
            ja, jb = J(e.args[0]), J(e.args[1])
            ja = _rows(ja, e.args[0], e)
            jb = _rows(jb, e.args[1], e)
            if op == "-" and jb is not None:
                jb = L.neg(jb)
            return _add(ja, jb)
        if op == "neg":
            ja = J(a)
            return L.neg(ja)
        if op in ("*", "/"):
            b = e.args[1]
            ja, jb = J(a), J(b)
            parts = []
            if ja is not None:
                w = b if op == "*" else L.binary("/", ONE, b)
                parts.append(_scale(w, _rows(ja, a, e), e))
            if jb is not None:
                w = a if op == "*" else L.neg(L.binary("/", a, L.binary("**", b, _n(2))))
                parts.append(_scale(w, _rows(jb, b, e), e))
            rules.append("product rule (elementwise): diag of the other factor")
            return _add(*parts) if len(parts) == 2 else parts[0]
        if op == "**":
            b = e.args[1]
            if L.depends(b, x.attrs[0]):
                raise Unsupported(f"jacobian of a power with a varying exponent: {L.text(e)}")
            d = L.binary("*", b, L.binary("**", a, L.binary("-", b, ONE)))
            return _scale(d, _rows(J(a), a, e), e)
        if op == "@":
            A, b = e.args
            if L.depends(A, x.attrs[0]):
                raise Unsupported(f"jacobian of {L.text(e)}: the left factor depends on {x.attrs[0]}")
            rules.append("linear map: J(A @ u) = A @ J(u)")
            return L.binary("@", A, J(b))
        if op == "fn":
            d = derivative(e.attrs[0], a, e)
            rules.append(f"the rule for {e.attrs[0]}: diag of its derivative")
            if d is None:
                return None
            return _scale(d, J(a), e)
        if op == "softmax":
            rules.append("softmax Jacobian: diag(s) - s @ s.T")
            m = L.binary("-", L.call("diag", e), L.binary("@", e, L.transpose(e)))
            return L.binary("@", m, J(a))
        if op == "log_softmax":
            s = L.call("softmax", a)
            m = L.binary("-", L.call("eye", e.shape[0]), L.binary("@", ones(e.shape), L.transpose(s)))
            return L.binary("@", m, J(a))
        if op == "T" and a.shape == e.shape:
            return J(a)
        raise Unsupported(f"jacobian through {op} in {L.text(e)} is not supported")

    out = J(f)
    if out is None:
        out = L.binary("*", _n(0), ones((f.shape[0] if f.shape else 1, n)))
    if f.shape == ():
        out = out if out.shape == (1, n) else L.transpose(out)
    return out, rules


def _rows(j, operand, node):
    """A Jacobian of a broadcast operand (scalar or 1 x 1) spread over node's rows."""
    if j is None or operand.shape == node.shape:
        return j
    return L.binary("@", ones((node.shape[0], 1)), j) if j.shape[0] == 1 else j


def _scale(w, j, node):
    """diag(w) @ j, w elementwise (a scalar w scales)."""
    if j is None:
        return None
    if w.shape == () or w.shape == (1, 1):
        return L.binary("*", w, j)
    return L.binary("@", L.call("diag", full(w, node.shape)), j)


def _add(*parts):
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    out = parts[0]
    for p in parts[1:]:
        out = L.binary("+", out, p)
    return out


# ----------------------------------------------------------------------------
# pass 1: transposes, units, scalar factors
# ----------------------------------------------------------------------------

def _scalar(e):
    return e.shape == ()


def _column_sum(x):
    return x.op == "sum" and x.attrs[0] is not None and x.shape == (1, 1)


def _split_scalar(e):
    """(c, M): e = c * M with c a scalar factor (None if there is none)."""
    if e.op == "neg":
        c, m = _split_scalar(e.args[0])
        return (L.neg(c) if c is not None else _n(-1)), m
    if e.op == "*":
        a, b = e.args
        if _scalar(a) and not _scalar(b):
            return a, b
        if _scalar(b) and not _scalar(a):
            return b, a
    if e.op == "/" and _scalar(e.args[1]) and not _scalar(e.args[0]):
        return L.binary("/", ONE, e.args[1]), e.args[0]
    return None, e


def _scaled(c, m):
    if c is None:
        return m
    if is_num(c, -1):
        return L.neg(m)
    if c.op == "/" and is_num(c.args[0], 1):
        return L.binary("/", m, c.args[1])
    return L.binary("*", c, m)


def tidy(e):
    """Local rewrites to a fixpoint, bottom up."""
    for _ in range(20):
        new = _tidy(e)
        if new == e:
            return e
        e = new
    return e


def _tidy(e):
    if e.args:
        args = tuple(_tidy(a) for a in e.args)
        e = L.rebuild(e, args) if args != e.args else e
    op = e.op
    a = e.args[0] if e.args else None
    if op == "T":
        if a.shape == () or a.op in ("eye", "diag") and a.shape[0] == a.shape[1] and a.op == "eye":
            return a
        if a.op == "T":
            return a.args[0]
        if a.op == "@":
            return L.binary("@", L.transpose(a.args[1]), L.transpose(a.args[0]))
        if a.op == "neg":
            return L.neg(L.transpose(a.args[0]))
        if a.op == "diag" and a.shape[0] == a.shape[1] and a.args[0].shape[1] == 1:
            return a
        if a.op == "ones":
            return ones(a.shape[::-1])
        if a.op in ("*", "/") and (_scalar(a.args[0]) or _scalar(a.args[1])):
            c, m = _split_scalar(a)
            if c is not None:
                return _scaled(c, L.transpose(m))
        if a.op in ("+", "-") and all(x.op == "T" or x.shape == () for x in a.args):
            return L.binary(a.op, *(L.transpose(x) for x in a.args))
    if op == "@":
        x, y = e.args
        if x.op == "eye":
            return y
        if y.op == "eye":
            return x
        cx, mx = _split_scalar(x)
        cy, my = _split_scalar(y)
        if cx is not None or cy is not None:
            c = cx if cy is None else cy if cx is None else L.binary("*", cx, cy)
            return _scaled(c, L.binary("@", mx, my))
        if x.op == "ones" and y.op == "ones":
            return L.binary("*", ones((x.shape[0], y.shape[1])), count([x.shape[1]])) if x.shape[1] != 1 \
                else ones((x.shape[0], y.shape[1]))
    if op in ("sum", "mean") and a.shape != ():
        c, m = _split_scalar(a)
        if c is not None:
            return _scaled(c, L.call(op, m, axis=e.attrs[0]))
        if a.op == "ones":
            dims = a.shape if e.attrs[0] is None else [a.shape[e.attrs[0]]]
            if op == "mean":
                return ones(e.shape) if e.shape else ONE
            return full(count(dims), e.shape) if e.shape else count(dims)
        if e.attrs[0] is not None and a.shape[e.attrs[0]] == 1:
            return a  # a sum along an axis of length 1
        if op == "sum" and a.op in ("+", "-") and e.attrs[0] is None and any(_scalar(x) for x in a.args):
            pass
    if op == "sum" and a.shape == ():
        return a
    if op in ("+", "-", "*", "/") and any(_column_sum(x) for x in e.args):
        # sum(y, axis=0) of a column is its whole sum: a scalar broadcasts alike,
        # as long as the result keeps its shape (a 1 x 1 may stand under @)
        new = L.binary(op, *(L.call("sum", x.args[0]) if _column_sum(x) else x for x in e.args))
        if new.shape == e.shape:
            return new
    if op == "@" and e.args[1].op == "@" and e.args[1].args[1].shape[1] != 1:
        # A @ (B @ C) -> A @ B @ C as printed; kept where C is a column (cheaper)
        x, (y, z) = e.args[0], e.args[1].args
        return L.binary("@", L.binary("@", x, y), z)
    if op == "*":
        x, y = e.args
        if is_num(x, 1) and y.shape == e.shape:
            return y
        if is_num(y, 1) and x.shape == e.shape:
            return x
        if y.op == "ones" and x.shape == e.shape:
            return x
        if x.op == "ones" and y.shape == e.shape:
            return y
        if is_num(x, -1) and y.shape == e.shape:
            return L.neg(y)
        if is_num(y, -1) and x.shape == e.shape:
            return L.neg(x)
        if x.op == "neg" and y.op == "neg":
            return L.binary("*", x.args[0], y.args[0])
    if op == "neg":
        if a.op == "neg":
            return a.args[0]
        if a.op == "num":
            return _n(-a.attrs[0])
    if op == "+":
        x, y = e.args
        if y.op == "neg":
            return L.binary("-", x, y.args[0])
        if x.op == "neg" and y.shape == e.shape:
            return L.binary("-", y, x.args[0])
    if op == "-":
        x, y = e.args
        if y.op == "neg":
            return L.binary("+", x, y.args[0])
    if op == "diag" and a.op == "T" and a.args[0].shape[1] == 1 and e.shape[0] == e.shape[1]:
        return L.call("diag", a.args[0])
    return e


# ----------------------------------------------------------------------------
# pass 2: elementwise algebra through SymPy
# ----------------------------------------------------------------------------

_EW_OPS = ("+", "-", "*", "/", "**", "neg", "fn", "num", "size")
# the language's functions as SymPy's; abs as SymPy's Abs here, whose rules for
# real atoms (|exp t| = exp t) are what the algebra wants
_SP_FN = lower.SP_FN | {"abs": sp.Abs}
_FN_NAME = {v: k for k, v in _SP_FN.items()}


class _Atoms:
    """Opaque subtrees as real symbols; `units`: subtrees stated to be 1
    (sum(y) under the assumption sum(y) == 1)."""

    def __init__(self, units=()):
        self.sym, self.node, self.units = {}, {}, set(units)

    def first(self, x):
        """Index of the earliest atom in SymPy expression x."""
        idx = [int(s.name[2:]) for s in x.free_symbols if s.name.startswith("_a")]
        return min(idx) if idx else -1

    def __call__(self, e):
        if e not in self.sym:
            if e.op == "size":
                s = sp.Symbol(f"_n_{e.attrs[0]}", integer=True, positive=True)
            else:
                s = sp.Symbol(f"_a{len(self.sym)}", real=True)
            self.sym[e] = s
            self.node[s] = e
        return self.sym[e]


def to_scalar(e, atoms):
    """The elementwise region at e as a SymPy scalar over atoms."""
    op = e.op
    if e in atoms.units:
        return sp.Integer(1)
    if op == "num":
        return e.attrs[0]
    if op in ("+", "-", "*", "/", "**"):
        x, y = (to_scalar(a, atoms) for a in e.args)
        return {"+": lambda: x + y, "-": lambda: x - y, "*": lambda: x * y, "/": lambda: x / y,
                "**": lambda: x ** y}[op]()
    if op == "neg":
        return -to_scalar(e.args[0], atoms)
    if op == "fn":
        return _SP_FN[e.attrs[0]](to_scalar(e.args[0], atoms))
    return atoms(e)


def from_scalar(x, atoms, shape):
    """A SymPy scalar back as an E tree, in the order an author writes it."""
    e = _from(x, atoms)
    if e.shape != shape and shape != ():
        e = full(e, shape)
    return e


def _rank(x):
    if x.is_Number:
        return 0
    if x.is_Symbol:
        return 1
    if x.is_Pow and x.exp.is_Integer and x.exp > 0:
        return 3
    if x.is_Function:
        return 2
    return 4


def _from(x, atoms):
    if x.is_Symbol:
        return atoms.node[x]
    if x.is_Number:
        if x.is_negative:
            return L.neg(_n(-x)) if not x.is_Integer else _n(x)
        if x.is_Rational and not x.is_Integer:
            return L.binary("/", _n(x.p), _n(x.q))
        return _n(x)
    if x.is_Add:
        terms = list(x.args)
        pos = [t for t in terms if not t.could_extract_minus_sign()]
        neg_ = [-t for t in terms if t.could_extract_minus_sign()]

        def key(t):  # numbers last, shorter terms first, then the order the terms came in
            return (t.is_Number, atoms.first(t), weight(_from(t, atoms)), sp.default_sort_key(t))
        pos.sort(key=key)
        neg_.sort(key=key)
        if not pos:
            out = L.neg(_from(neg_[0], atoms))
            neg_ = neg_[1:]
        else:
            out = _from(pos[0], atoms)
            for t in pos[1:]:
                out = L.binary("+", out, _from(t, atoms))
        for t in neg_:
            out = L.binary("-", out, _from(t, atoms))
        return out
    if x.is_Mul:
        coeff, rest = x.as_coeff_Mul()
        if coeff < 0:
            return L.neg(_from(-x, atoms))
        num_, den = [], []
        for f in sp.Mul.make_args(rest):
            if f.is_Pow and f.exp.is_negative:
                den.append(f.base ** (-f.exp))
            else:
                num_.append(f)
        if coeff.is_Rational and coeff.q != 1:
            den.insert(0, sp.Integer(coeff.q))
            coeff = sp.Integer(coeff.p)
        if coeff != 1:
            num_.insert(0, coeff)
        # the coefficient first, then the factors in the order their atoms came
        # in (the upstream error before the activation's derivative)
        num_.sort(key=lambda f: (not f.is_Number, atoms.first(f), _rank(f), sp.default_sort_key(f)))
        top = _product([_from(f, atoms) for f in num_]) if num_ else ONE
        if not den:
            return top
        return L.binary("/", top, _product([_from(f, atoms) for f in den]))
    if x.is_Pow:
        b, k = x.args
        if k == sp.Rational(1, 2):
            return L.call("sqrt", _from(b, atoms))
        if k.is_negative:
            return L.binary("/", ONE, _from(b ** (-k), atoms))
        if k == sp.Rational(3, 2):
            return L.binary("**", _from(b, atoms), _n(k))
        return L.binary("**", _from(b, atoms), _from(k, atoms))
    if isinstance(x, sp.exp):
        return L.call("exp", _from(x.args[0], atoms))
    if x.func in _FN_NAME:
        return L.call(_FN_NAME[x.func], _from(x.args[0], atoms))
    if x == sp.E:
        return L.call("exp", ONE)
    raise Unsupported(f"no language form for {x}")


def _product(fs):
    out = fs[0]
    for f in fs[1:]:
        out = L.binary("*", out, f)
    return out


def weight(e):
    """The measure of GRADIENTS.md on a tree: operators, calls, transposes."""
    own = 0 if e.op in ("var", "num", "size") else 1
    if e.op == "neg" and e.args[0].op == "num":
        own = 0
    return own + sum(weight(a) for a in e.args)


def _negated(x):
    return sp.Add(*[-t for t in sp.Add.make_args(x)], evaluate=False) if x.is_Add else -x


def _orient(x):
    """Forms of a product with its sign moved into one of its sum factors:
    -(y - s) s (s - 1) is also (s - y) s (1 - s)."""
    coeff, rest = x.as_coeff_Mul()
    factors = list(sp.Mul.make_args(rest))
    sums = [i for i, f in enumerate(factors) if f.is_Add]
    out = []
    for flips in itertools.product((False, True), repeat=min(len(sums), 4)):
        fs = list(factors)
        sign = 1
        for i, flip in zip(sums, flips):
            if flip:
                fs[i] = sp.Add(*[-t for t in fs[i].args])
                sign = -sign
        out.append(sp.Mul(coeff * sign, *fs))
    return out


def best_form(x, atoms, shape):
    """The shortest of a few equivalent forms of the scalar x."""
    cands = [x]
    for f in (sp.factor, sp.expand, sp.cancel, lambda y: sp.factor(sp.cancel(y))):
        try:
            cands.append(f(x))
        except (sp.polys.polyerrors.BasePolynomialError, TypeError, ValueError, RecursionError):
            pass  # a form SymPy cannot produce here is simply not a candidate
    more = []
    for c in cands:
        if c.is_Mul:
            more.extend(_orient(c))
        if c.is_Add:
            more.append(sp.Add(*[sp.factor(t) for t in c.args]))
    cands += more
    best = None
    for i, c in enumerate(cands):
        try:
            tree = from_scalar(c, atoms, shape)
        except Unsupported:
            continue
        key = (weight(tree), _negs(tree), i)
        if best is None or key < best[0]:
            best = (key, tree)
    if best is None:
        raise Unsupported(f"no language form for {x}")
    return best[1]


def _negs(e):
    return (e.op == "neg") + sum(_negs(a) for a in e.args)


def algebra(e, assume=(), top=True):
    """Each maximal elementwise region rewritten in its shortest form.  Only
    the top of a region is rewritten (`top`): rewriting its inner regions
    first would be undone by the rewrite of the whole, at the cost of a
    factor and a cancel per level."""
    ew = e.op in _EW_OPS and e.op not in ("num", "size")
    args = tuple(algebra(a, assume, top=not ew) for a in e.args)
    e = L.rebuild(e, args) if args != e.args else e
    if not ew or not top:
        return e
    key = (e, tuple(assume))
    if key not in _BEST:
        if len(_BEST) > _BEST_MAX:  # a long session derives many expressions: keep the memory bounded
            _BEST.clear()
        atoms = _Atoms(units=assume)
        best = best_form(to_scalar(e, atoms), atoms, e.shape)
        _BEST[key] = _BEST[(best, key[1])] = best  # a shortest form is its own: a later pass keeps it
    return _BEST[key]


_BEST_MAX = 20_000
_BEST = {}  # region -> its shortest form: simplify_steps revisits the same regions on each pass


# ----------------------------------------------------------------------------
# pass 3: common matrix factors
# ----------------------------------------------------------------------------

def _terms(e, sign=1):
    if e.op == "+":
        return _terms(e.args[0], sign) + _terms(e.args[1], sign)
    if e.op == "-":
        return _terms(e.args[0], sign) + _terms(e.args[1], -sign)
    if e.op == "neg":
        return _terms(e.args[0], -sign)
    return [(sign, e)]


def _signed(terms):
    terms = sorted(terms, key=lambda t: (t[0] < 0, weight(t[1])))
    s, out = terms[0]
    out = out if s > 0 else L.neg(out)
    for s, t in terms[1:]:
        out = L.binary("+" if s > 0 else "-", out, t)
    return out


def factor_matmul(e):
    """A @ X + B @ X -> (A + B) @ X, X @ A + X @ B -> X @ (A + B)."""
    args = tuple(factor_matmul(a) for a in e.args)
    e = L.rebuild(e, args) if args != e.args else e
    if e.op not in ("+", "-"):
        return e
    terms = _terms(e)
    for side in (1, 0):  # common right factor first: A @ X + B @ X
        groups = {}
        for i, (s, t) in enumerate(terms):
            if t.op == "@":
                groups.setdefault(t.args[side], []).append(i)
        for common, idx in groups.items():
            if len(idx) < 2:
                continue
            inner = _signed([(terms[i][0], terms[i][1].args[1 - side]) for i in idx])
            merged = L.binary("@", inner, common) if side == 1 else L.binary("@", common, inner)
            rest = [t for i, t in enumerate(terms) if i not in idx]
            return factor_matmul(_signed(rest + [(1, merged)]))
    return e


# ----------------------------------------------------------------------------
# the passes, as steps
# ----------------------------------------------------------------------------

def simplify_steps(raw, assume=()):
    """[(expression, reason)] from the raw gradient to its textbook form;
    a pass that changes nothing leaves no step."""
    steps = []
    cur = raw
    for _ in range(4):
        before = cur
        t = tidy(cur)
        if t != cur:
            steps.append((t, "transposes distributed ((AB)^T = B^T A^T), units and scalar factors taken out"))
            cur = t
        a = tidy(algebra(cur, assume))
        if a != cur:
            steps.append((a, "elementwise algebra on each elementwise expression (collected, factored, "
                             "the shortest form kept)" + (", with the stated assumptions" if assume else "")))
            cur = a
        fm = tidy(factor_matmul(cur))
        if fm != cur:
            steps.append((fm, "common matrix factors taken out: A @ X + B @ X = (A + B) @ X"))
            cur = fm
        if cur == before:
            break
    return steps


# ----------------------------------------------------------------------------
# names: z for pre-activations, delta for the adjoint a layer's weight sees
# ----------------------------------------------------------------------------

def _subtrees(e):
    yield e
    for a in e.args:
        yield from _subtrees(a)


def name_parts(answers, taken):
    """{subtree: name} for the answers (a list of trees): the arguments of
    elementwise functions that are affine maps (z), the operand of a
    gradient's matrix product with the data (delta), and any other subtree
    used more than once that is longer than a call."""
    names = {}
    used = set(taken)

    def fresh(base):
        for k in itertools.chain([""], range(1, 100)):
            n = f"{base}{k}"
            if n not in used:
                used.add(n)
                return n

    pre = []
    for ans in answers:
        for s in _subtrees(ans):
            if s.op in ("fn", "softmax", "log_softmax", "logsumexp", "cmp") and s.args[0].op in ("+", "-", "@") \
                    and any(x.op == "@" for x in _subtrees(s.args[0])) and s.args[0] not in pre:
                pre.append(s.args[0])
    pre.sort(key=weight)
    for k, z in enumerate(pre):
        names[z] = fresh("z") if len(pre) == 1 else fresh(f"z{k + 1}") if f"z{k + 1}" not in used else fresh("z")
    for ans in answers:
        d = _delta(ans)
        nonlinear = d is not None and any(s.op in ("fn", "softmax", "log_softmax", "logsumexp", "cmp")
                                          for s in _subtrees(d))
        if nonlinear and d not in names and named_weight(d, names) >= 2:
            names[d] = fresh("delta")
    counts = {}
    for ans in answers:
        for s in _subtrees(ans):
            counts[s] = counts.get(s, 0) + 1
    for s, c in sorted(counts.items(), key=lambda kv: weight(kv[0])):
        if c > 1 and named_weight(s, names) >= 2 and s not in names and not _inside_named(s, names):
            names[s] = fresh("s" if s.op == "softmax" else "u")
    return names


def named_weight(e, names):
    """weight with named subtrees counted as names."""
    if e in names:
        return 0
    own = 0 if e.op in ("var", "num", "size") or (e.op == "neg" and e.args[0].op == "num") else 1
    return own + sum(named_weight(a, names) for a in e.args)


def _inside_named(s, names):
    return any(s in set(_subtrees(n)) and s != n for n in names)


def _delta(e):
    """The elementwise factor of a weight gradient: D in D @ x.T, x @ D.T, X.T @ D."""
    if e.op == "neg":
        return _delta(e.args[0])
    if e.op == "@":
        a, b = e.args
        for cand in (a, b.args[0] if b.op == "T" else b, a.args[0] if a.op == "T" else a):
            if cand.op in ("*", "-", "+", "/") and cand.shape != () and weight(cand) >= 2:
                return cand
    if e.op == "sum" and e.args[0].op in ("*", "-", "+", "/"):
        return e.args[0]
    return None


def where_text(names):
    """[(name, text)] in dependency order; each definition uses earlier names."""
    order = sorted(names, key=lambda s: (weight(s), L.text(s)))
    out = []
    for s in order:
        inner = {k: v for k, v in names.items() if k != s and k in set(_subtrees(s))}
        out.append((names[s], L.text(s, inner), s))
    return out
