"""The expression language users type: NumPy syntax on 2-D arrays and scalars.

``parse("v.T @ sigmoid(W @ x + b)", {"v": "h,1", "W": "h,n", ...})`` reads
the text with :mod:`ast` and accepts only a whitelist of constructs (nothing
is ever evaluated: no ``eval``, no ``sympify`` of user text), checks every
shape, and returns an :class:`E` tree.  Everything else in derive works on
that tree: derivation, the index-level and explicit forms for proofs, NumPy
code, the text and LaTeX printed back.

Shapes are ``"h,n"`` (an h x n matrix; sizes by name or literal), ``"n,1"``
(a column), ``""`` or ``()`` (a scalar).  ``*``, ``/``, ``+``, ``-``, ``**``
are elementwise with NumPy broadcasting of scalars, (m, 1) and (1, n)
operands; ``@`` is the matrix product; reductions given ``axis=`` keep
their dimension (NumPy's ``keepdims=True``).  A size name may be used as a
number (``/ m``).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

import sympy as sp

ELEMENTWISE = ("exp", "log", "sqrt", "tanh", "sigmoid", "relu", "step", "softplus", "sin", "cos", "abs", "sign",
               "f", "fprime", "g", "gprime")
AXIS_FUNCS = ("sum", "mean", "logsumexp", "softmax", "log_softmax")
MATRIX_FUNCS = ("trace", "inv", "det", "logdet", "diag")
MAKERS = ("eye", "ones")
FUNCTIONS = ELEMENTWISE + AXIS_FUNCS + MATRIX_FUNCS + MAKERS
_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**", ast.MatMult: "@"}
_CMPOPS = {ast.Gt: ">", ast.GtE: ">=", ast.Lt: "<", ast.LtE: "<="}

SUPPORTED = ("operators + - * / ** (elementwise, broadcasting scalars, (m,1) and (1,n)), @, unary -, .T, "
             "comparisons > >= < <= (a step function); functions " + ", ".join(ELEMENTWISE[:11]) +
             ", sum(x[, axis]), mean(x[, axis]), logsumexp(x[, axis]), softmax(x[, axis=0]), "
             "log_softmax(x[, axis=0]), trace, inv, det, logdet, diag, eye(n), ones(m, n); "
             "f, g: an unspecified differentiable function (f', g' as fprime, gprime)")


class LanguageError(ValueError):
    """Text outside the language, or shapes that do not fit; names the
    construct (and the column where there is one)."""

    def __init__(self, message, col=None, text=None):
        self.col, self.text = col, text
        where = f"column {col + 1}: " if col is not None else ""
        pointer = f"\n  {text}\n  {' ' * col}^" if text is not None and col is not None else ""
        super().__init__(where + message + pointer)


@dataclass(frozen=True)
class E:
    """One node: op, its operands, its attributes (a name, an axis, a
    number), and its shape (() or (rows, cols), sizes as names or ints)."""

    op: str
    args: tuple = ()
    attrs: tuple = ()
    shape: tuple = ()

    def __repr__(self):
        return f"E({text(self)!r})"


# ----------------------------------------------------------------------------
# shapes
# ----------------------------------------------------------------------------

def _dim(s):
    s = s.strip() if isinstance(s, str) else s
    if isinstance(s, int) or (isinstance(s, str) and s.isdigit()):
        n = int(s)
        if n < 1:
            raise LanguageError(f"size {n}: sizes are positive")
        return n
    if isinstance(s, str) and s.isidentifier():
        return s
    raise LanguageError(f"size {s!r}: a size is a name (n) or a positive integer")


def shape_of(spec):
    """'h,n' / ('h', 'n') / '' / () -> () or (d0, d1)."""
    if isinstance(spec, str):
        parts = [p for p in spec.replace("(", "").replace(")", "").split(",") if p.strip()]
    else:
        parts = list(spec)
    if len(parts) == 0:
        return ()
    if len(parts) == 1:  # "n": a column vector, as NumPy users write (n,) for one
        return (_dim(parts[0]), 1)
    if len(parts) != 2:
        raise LanguageError(f"shape {spec!r}: derive works on scalars and 2-D arrays")
    return tuple(_dim(p) for p in parts)


def shapes_of(shapes):
    out = {}
    for name, spec in dict(shapes).items():
        if not (isinstance(name, str) and name.isidentifier()) or name in FUNCTIONS or name in ("T", "axis"):
            raise LanguageError(f"variable name {name!r} is not usable (a function name or not an identifier)")
        out[name] = shape_of(spec)
    sizes = {d for s in out.values() for d in s if isinstance(d, str)}
    clash = sizes & set(out)
    if clash:
        raise LanguageError(f"{sorted(clash)[0]!r} is both a variable and a size name")
    return out


def fmt_shape(shape):
    return "scalar" if shape == () else f"({shape[0]}, {shape[1]})"


def broadcast(a, b, what="+"):
    """Shape of an elementwise a (op) b under NumPy's rules, or LanguageError."""
    if a == ():
        return b
    if b == ():
        return a
    out = []
    for x, y in zip(a, b):
        if x == y or y == 1:
            out.append(x)
        elif x == 1:
            out.append(y)
        else:
            raise LanguageError(f"shapes {fmt_shape(a)} and {fmt_shape(b)} do not broadcast in `{what}`")
    return tuple(out)


def is_scalar(shape):
    return shape == () or shape == (1, 1)


# ----------------------------------------------------------------------------
# constructors (shape checked); the derivation engine builds through these too
# ----------------------------------------------------------------------------

def var(name, shape):
    return E("var", (), (name,), tuple(shape))


def num(value):
    return E("num", (), (sp.nsimplify(value) if not isinstance(value, sp.Basic) else value,), ())


def size(name):
    return E("size", (), (name,), ())


def binary(op, a, b):
    if op == "@":
        if a.shape == () or b.shape == ():
            raise LanguageError(f"`@` needs two matrices: {text(a)} is {fmt_shape(a.shape)}, "
                                f"{text(b)} is {fmt_shape(b.shape)} (use * for a scalar)")
        if a.shape[1] != b.shape[0]:
            raise LanguageError(f"shapes {fmt_shape(a.shape)} and {fmt_shape(b.shape)} do not fit in "
                                f"`{text(a)} @ {text(b)}`")
        return E("@", (a, b), (), (a.shape[0], b.shape[1]))
    if op == "**" and b.shape != ():
        raise LanguageError(f"exponent {text(b)} must be a scalar")
    shape = broadcast(a.shape, b.shape, f"{text(a)} {op} {text(b)}")
    return E(op, (a, b), (), shape)


def neg(a):
    return E("neg", (a,), (), a.shape)


def transpose(a):
    return E("T", (a,), (), a.shape[::-1])


def call(name, *args, axis=None):
    """A function of the language applied to E operands."""
    if name in ELEMENTWISE:
        (a,) = args
        return E("fn", (a,), (name,), a.shape)
    if name in AXIS_FUNCS:
        (a,) = args
        if a.shape == () and name in ("softmax", "log_softmax"):
            raise LanguageError(f"{name} of a scalar {text(a)}: it needs a vector or a matrix")
        if axis is not None and a.shape == ():
            raise LanguageError(f"{name}(..., axis={axis}) of a scalar")
        if name in ("softmax", "log_softmax"):
            return E(name, (a,), (0 if axis is None else axis,), a.shape)
        shape = () if axis is None else ((1, a.shape[1]) if axis == 0 else (a.shape[0], 1))
        return E(name, (a,), (axis,), shape)
    if name in MATRIX_FUNCS:
        (a,) = args
        if name == "diag":
            if a.shape == ():
                raise LanguageError(f"diag of a scalar {text(a)}")
            if a.shape[1] == 1:
                return E("diag", (a,), (), (a.shape[0], a.shape[0]))
            if a.shape[0] == 1:
                return E("diag", (a,), (), (a.shape[1], a.shape[1]))
        if a.shape == () or a.shape[0] != a.shape[1]:
            raise LanguageError(f"{name} needs a square matrix: {text(a)} is {fmt_shape(a.shape)}")
        if name == "diag":
            return E("diag", (a,), (), (a.shape[0], 1))
        return E(name, (a,), (), a.shape if name == "inv" else ())
    if name == "eye":
        (n,) = args
        return E("eye", (), (n,), (n, n))
    if name == "ones":
        m, n = args
        return E("ones", (), (m, n), (m, n))
    raise LanguageError(f"unknown function {name}; supported: {SUPPORTED}")


def compare(op, a, b):
    shape = broadcast(a.shape, b.shape, f"{text(a)} {op} {text(b)}")
    return E("cmp", (a, b), (op,), shape)


# ----------------------------------------------------------------------------
# parsing
# ----------------------------------------------------------------------------

class _Parser:
    def __init__(self, src, shapes):
        self.src, self.shapes = src, shapes
        self.sizes = {d for s in shapes.values() for d in s if isinstance(d, str)}

    def fail(self, node, message):
        raise LanguageError(message, getattr(node, "col_offset", None), self.src)

    def segment(self, node):
        return ast.get_source_segment(self.src, node) or type(node).__name__

    def __call__(self, node):
        try:
            return self._node(node)
        except LanguageError as err:
            if err.col is None and hasattr(node, "col_offset"):
                raise LanguageError(str(err), node.col_offset, self.src) from None
            raise

    def _node(self, node):
        p = self
        if isinstance(node, ast.Expression):
            return p(node.body)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            a, b = p(node.left), p(node.right)
            op = _BINOPS[type(node.op)]
            if a.op == "num" and b.op == "num":  # constants fold exactly: 1 / 3 is one number
                return _fold(op, a.attrs[0], b.attrs[0], lambda m: self.fail(node, m))
            return binary(op, a, b)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            a = p(node.operand)
            if isinstance(node.op, ast.UAdd):
                return a
            return num(-a.attrs[0]) if a.op == "num" else neg(a)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                self.fail(node, f"constant {node.value!r}: only real numbers are allowed")
            if node.value != node.value or node.value in (float("inf"), float("-inf")):
                self.fail(node, f"constant {node.value!r} is not finite")
            return num(sp.Integer(node.value) if isinstance(node.value, int) else sp.Rational(repr(node.value)))
        if isinstance(node, ast.Name):
            if node.id in self.shapes:
                return var(node.id, self.shapes[node.id])
            if node.id in self.sizes:
                return size(node.id)
            hint = " (a function: call it)" if node.id in FUNCTIONS else ""
            known = ", ".join(sorted(self.shapes)) or "none"
            self.fail(node, f"unknown name {node.id}{hint}; variables with shapes: {known}")
        if isinstance(node, ast.Attribute):
            if node.attr == "T":
                return transpose(p(node.value))
            self.fail(node, f"attribute .{node.attr} in `{self.segment(node)}`: only .T is supported")
        if isinstance(node, ast.Compare):
            if len(node.ops) != 1 or type(node.ops[0]) not in _CMPOPS:
                self.fail(node, f"comparison `{self.segment(node)}`: one of > >= < <= between two operands")
            return compare(_CMPOPS[type(node.ops[0])], p(node.left), p(node.comparators[0]))
        if isinstance(node, ast.Call):
            return self._call(node)
        what = {ast.Subscript: "indexing", ast.Lambda: "lambda", ast.IfExp: "conditional expression",
                ast.BoolOp: "and/or", ast.Tuple: "tuple", ast.List: "list"}.get(type(node), type(node).__name__)
        op = getattr(node, "op", None)
        if op is not None:
            what = f"operator {type(op).__name__}"
        self.fail(node, f"{what} in `{self.segment(node)}` is not in the language; supported: {SUPPORTED}")

    def _call(self, node):
        f = node.func
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id in ("np", "numpy"):
            name = f.attr  # np.exp(x) reads as exp(x)
        elif isinstance(f, ast.Name):
            name = f.id
        else:
            self.fail(node, f"call of `{self.segment(f)}`: only the language's functions can be called")
        if name not in FUNCTIONS:
            self.fail(node, f"unknown function {name}; supported: {SUPPORTED}")
        kw = {}
        for k in node.keywords:
            if k.arg != "axis" or name not in AXIS_FUNCS:
                self.fail(k.value if k.arg else node, f"keyword {k.arg}= in {name}(...): "
                          + ("only axis= is accepted" if name in AXIS_FUNCS else f"{name} takes no keywords"))
            kw["axis"] = self._axis(k.value, name)
        args = list(node.args)
        if name in MAKERS:
            want = 1 if name == "eye" else 2
            if len(args) != want:
                self.fail(node, f"{name} takes {want} size(s): {name}({'n' if want == 1 else 'm, n'})")
            return call(name, *[self._size_arg(a, name) for a in args])
        if name in AXIS_FUNCS and len(args) == 2 and "axis" not in kw:
            kw["axis"] = self._axis(args.pop(), name)
        if len(args) != 1:
            self.fail(node, f"{name} takes one operand" + (" and axis=" if name in AXIS_FUNCS else ""))
        return call(name, self(args[0]), **kw)

    def _axis(self, node, name):
        if isinstance(node, ast.Constant) and node.value is None:
            return None
        if isinstance(node, ast.Constant) and node.value in (0, 1) and not isinstance(node.value, bool):
            return int(node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant) \
                and node.operand.value in (1, 2):
            return 2 - node.operand.value  # -1 is the last axis (1), -2 the first (0)
        self.fail(node, f"axis of {name}: 0, 1 (or -2, -1, None)")

    def _size_arg(self, node, name):
        if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool) \
                and node.value > 0:
            return node.value
        if isinstance(node, ast.Name) and node.id in self.sizes:
            return node.id
        self.fail(node, f"{name}(...) takes size names of the shapes ({', '.join(sorted(self.sizes)) or 'none'}) "
                        "or positive integers")


def _fold(op, x, y, fail):
    if op == "@":
        fail("`@` needs two matrices, not two numbers")
    if op == "/" and y == 0:
        fail("division by the constant 0")
    value = {"+": lambda: x + y, "-": lambda: x - y, "*": lambda: x * y, "/": lambda: x / y,
             "**": lambda: x ** y}[op]()
    if not value.is_real or not value.is_finite:
        fail(f"constant {x} {op} {y} is not a finite real number")
    return num(value)


MAX_TEXT = 10_000


def parse(src, shapes):
    """The E tree of `src` with variable `shapes` ({"W": "h,n", ...})."""
    if not isinstance(src, str):
        raise LanguageError(f"expression must be text, got {type(src).__name__}")
    if len(src) > MAX_TEXT:
        raise LanguageError(f"expression of {len(src)} characters (at most {MAX_TEXT})")
    shapes = shapes_of(shapes)
    try:
        tree = ast.parse(src.strip(), mode="eval")
    except SyntaxError as err:
        raise LanguageError(f"syntax error: {err.msg}", (err.offset or 1) - 1, src.strip()) from None
    return _Parser(src.strip(), shapes)(tree)


# ----------------------------------------------------------------------------
# printing back: text in the language, and its length
# ----------------------------------------------------------------------------

_PREC = {"cmp": 1, "+": 2, "-": 2, "*": 3, "/": 3, "@": 3, "neg": 4, "**": 5}


def _num_text(v):
    if v.is_Integer:
        return str(int(v)), (6 if v >= 0 else 4)
    if v.is_Rational:
        return f"{v.p} / {v.q}", 3
    return repr(float(v)), (6 if v >= 0 else 4)


def text(e, names=None):
    """e as text in the language; `names` maps a subtree to a name to print."""
    return _text(e, names or {})[0]


def _text(e, names):
    if e in names:
        return names[e], 6
    t = lambda x, lo: _wrap(_text(x, names), lo)  # noqa: E731
    op = e.op
    if op == "var" or op == "size":
        return e.attrs[0], 6
    if op == "num":
        return _num_text(e.attrs[0])
    if op in ("+", "-", "*", "/", "@"):
        p = _PREC[op]
        # a matrix product inside an elementwise one gets parentheses a reader needs
        left = 4 if (op in ("*", "/") and e.args[0].op == "@") or (op == "@" and e.args[0].op in ("*", "/")) else p
        return f"{t(e.args[0], left)} {op} {t(e.args[1], p + 1)}", p
    if op == "**":
        return f"{t(e.args[0], 6)} ** {t(e.args[1], 4)}", 5
    if op == "neg":
        return f"-{t(e.args[0], 4 if e.args[0].op != 'num' else 6)}", 4
    if op == "T":
        return f"{t(e.args[0], 6)}.T", 6
    if op == "cmp":
        return f"{t(e.args[0], 2)} {e.attrs[0]} {t(e.args[1], 2)}", 1
    if op == "fn":
        return f"{e.attrs[0]}({text(e.args[0], names)})", 6
    if op in AXIS_FUNCS:
        axis, a = e.attrs[0], e.args[0]
        # softmax's default axis is 0: written out only where the operand has columns to tell apart
        quiet = axis is None or (op in ("softmax", "log_softmax") and axis == 0 and a.shape[1] == 1)
        tail = "" if quiet else f", axis={axis}"
        return f"{op}({text(e.args[0], names)}{tail})", 6
    if op in MATRIX_FUNCS:
        return f"{op}({text(e.args[0], names)})", 6
    if op in MAKERS:
        return f"{op}({', '.join(str(a) for a in e.attrs)})", 6
    raise ValueError(f"no text for {op}")


def _wrap(tp, lo):
    s, p = tp
    return s if p >= lo else f"({s})"


def cost(src):
    """Length of a formula: operators, calls and transposes (the measure
    of GRADIENTS.md), read off Python's own parse of the text."""
    tree = ast.parse(src, mode="eval")
    n = 0
    for node in ast.walk(tree):
        if isinstance(node, (ast.BinOp, ast.Call, ast.Compare)):
            n += 1
        elif isinstance(node, ast.UnaryOp) and not isinstance(node.operand, ast.Constant):
            n += 1
        elif isinstance(node, ast.Attribute) and node.attr == "T":
            n += 1
    return n


# ----------------------------------------------------------------------------
# walking
# ----------------------------------------------------------------------------

def variables(e):
    """Names of the variables e uses."""
    if e.op == "var":
        return {e.attrs[0]}
    out = set()
    for a in e.args:
        out |= variables(a)
    return out


def depends(e, name):
    return name in variables(e)


def size_names(e):
    out = {d for d in e.shape if isinstance(d, str)}
    if e.op == "size":
        out.add(e.attrs[0])
    if e.op in MAKERS:
        out |= {a for a in e.attrs if isinstance(a, str)}
    for a in e.args:
        out |= size_names(a)
    return out


def rebuild(e, args):
    """e with new operands (shape recomputed through the constructors)."""
    op = e.op
    if op in ("+", "-", "*", "/", "**", "@"):
        return binary(op, *args)
    if op == "neg":
        return neg(*args)
    if op == "T":
        return transpose(*args)
    if op == "cmp":
        return compare(e.attrs[0], *args)
    if op == "fn":
        return call(e.attrs[0], *args)
    if op in AXIS_FUNCS:
        return call(op, *args, axis=e.attrs[0])
    if op in MATRIX_FUNCS:
        return call(op, *args)
    return e
