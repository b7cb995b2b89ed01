"""Print derive/_generated.py: the NumPy that derive.numeric exports.

Every function in that file is printed by :func:`derive.matrix.mexpr.numpy_source`
from a SymPy statement of the registry that ``python -m derive all`` proves:

* one function per part of every Gradient result, batched over leading axes
  (a stack of examples, no Python loop), returning {variable: gradient};
* the kernels of the batched network (Export records of
  network-output-deltas and network-layer-backward);
* the activations and their derivatives through the output
  (activation-derivative-from-output).

The file is generated once and committed, so importing derive.numeric costs
no SymPy; tests/test_numeric.py regenerates it in memory and fails if the
committed file differs (``python -m derive codegen`` rewrites it).
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
from sympy.matrices.expressions.matexpr import MatrixElement

from derive.maths import functions as fn
from derive.matrix import mexpr
from derive.records import Gradient
from derive.render.files import NotWritable, write_atomic
from derive.verification import statements

PATH = Path(__file__).resolve().parent.parent / "_generated.py"

HEADER = '''"""NumPy printed from derive's proved statements by `python -m derive codegen`.

Do not edit: tests/test_numeric.py fails when this file differs from what
the registry prints.  Import from derive.numeric.
In the *_into twins out is positional: ufunc(x, y, out), and
reduce(array, axis, dtype, out, keepdims).
"""
import numpy as np

from derive.maths import kernels as _k
'''

# generic activations the per-result functions take as arguments, with defaults
_CALLABLES = {fn.f: "f", fn.fprime: "fprime", fn.g: "g", fn.gprime: "gprime"}
_DEFAULTS = {"f": "sigmoid", "fprime": "sigmoid_prime", "g": "tanh", "gprime": "tanh_prime"}
_OUT_PRIME = {fn.f: fn.fprime_out, fn.g: fn.gprime_out}
_OUT_NAMES = {fn.fprime_out: "df", fn.gprime_out: "dg"}


def snake(id):
    return id.replace("-", "_")


def export_name(r, k, nparts):
    """Name of the per-result function for part k of result r."""
    return snake(r.id) if nparts == 1 else f"{snake(r.id)}_part{k + 1}"


def _sizes_from(outputs, args, shapes):
    """size symbol -> (argument, axis): read sizes off argument shapes."""
    need = set()
    for o in outputs:
        need |= set(mexpr.numeric_sizes(o))
    found = {}
    for s in sorted(need, key=str):
        for a in args:
            shape = shapes.get(a, ())
            if str(s) in shape:
                found[s] = (a, -2 if shape.index(str(s)) == 0 else -1)
                break
        else:
            raise ValueError(f"size {s} cannot be read off any argument of {args}")
    return found


def _used(outputs, shapes):
    names = set()
    for o in outputs:
        names |= {getattr(a, "name", None) for a in o.atoms(sp.MatrixSymbol, sp.Symbol)}
    return [n for n in shapes if n in names]


def _activations():
    t = sp.Symbol("t", real=True)
    a = sp.Symbol("a", real=True)
    out = ["# activations f and f' through the output a = f(z) (activation-derivative-from-output)"]
    for name, (act, dout) in fn.ACTIVATIONS.items():
        out.append(mexpr.numpy_source(name, ["x"], act(t).xreplace({t: sp.Symbol("x")}) if name != "identity" else sp.Symbol("x")))
        out.append(mexpr.numpy_source(f"{name}_prime_from_output", ["a"], dout(a)))
        out.append(_scalar_into(f"{name}_prime_from_output_into", a, dout(a)))
    # f' as a function of z, the defaults of the per-result functions
    out.append(mexpr.numpy_source("sigmoid_prime", ["x"], fn.CONCRETE[fn.fprime](sp.Symbol("x"))))
    out.append(mexpr.numpy_source("tanh_prime", ["x"], fn.CONCRETE[fn.gprime](sp.Symbol("x"))))
    return out


def _doc(r, extra=""):
    return (f"{r.id} (seed {r.seed}, {r.section}): {r.title}.\n\n    Convention: {r.convention}\n    {extra}").rstrip()


def _result_functions(records):
    out = ["# one function per proved gradient: matrices may carry leading batch axes (..., rows, cols);\n"
           "# scalars that meet matrices then need shape (..., 1, 1)"]
    for r in records:
        if not isinstance(r.how, Gradient):
            continue
        parts = statements.parts(r.how)
        for k, (V, s, claims, _) in enumerate(parts):
            outs = list(claims.values())
            args, calls = _signature(r, claims)
            sig = args + [f"{c}={_DEFAULTS[c]}" for c in calls]
            doc = _doc(r, f"Returns {{{', '.join(repr(n) for n in claims)}}}: the gradients d/d" + ", d/d".join(claims) + ".")
            name = export_name(r, k, len(parts))
            if _is_scalar(r, args, calls):
                out.extend(_scalar_function(name, args, claims, doc))
                continue
            out.append(mexpr.numpy_source(name, sig, outs, batched=True,
                                          callables={f: n for f, n in _CALLABLES.items() if n in calls},
                                          sizes_from=_sizes_from(outs, args, statements.shapes(r.how)), doc=doc, keys=list(claims)))
    return out


# scalar formulas call the module's own activations by name (latexify-py then
# prints sigma, not the kernel module's attribute)
_BY_NAME = {fn.sigmoid: "sigmoid", fn.relu: "relu"}


def _signature(r, claims):
    """(variables, callables) a per-result function takes: the variables its
    formulas use, and always the differentiated ones (a constant gradient
    takes its shape from them); the generic activations it calls."""
    outs = list(claims.values())
    used = set(_used(outs, statements.shapes(r.how))) | set(claims)
    args = [n for n in statements.shapes(r.how) if n in used]
    calls = [name for func, name in _CALLABLES.items() if any(o.has(func) for o in outs)]
    return args, calls


def _is_scalar(r, args, calls):
    return all(statements.shapes(r.how)[a] == () for a in args) and not calls


def helpers(r):
    """Names of the one-gradient functions of a scalar result."""
    out = []
    parts = statements.parts(r.how)
    for k, (V, s, claims, _) in enumerate(parts):
        if _is_scalar(r, *_signature(r, claims)):
            out += [helper_name(export_name(r, k, len(parts)), v) for v in claims]
    return out


def helper_name(name, var):
    """The one-gradient function a scalar result's function calls."""
    return f"{name}__d{var}"


def _scalar_function(name, args, claims, doc):
    """A result with scalar variables only: one function per gradient (a
    single formula, which latexify-py can typeset) and the result's function
    returning them in a dict."""
    out = []
    for var, cl in claims.items():
        out.append(mexpr.numpy_source(helper_name(name, var), args, cl, callables=_BY_NAME,
                                      doc=f"d/d{var} of {name} (one formula)."))
    body = ", ".join(f"{var!r}: {helper_name(name, var)}({', '.join(args)})" for var in claims)
    out.append(f"def {name}({', '.join(args)}):\n    \"\"\"{doc}\"\"\"\n    return {{{body}}}\n")
    return out


def _kernel_statement(r, ex):
    """The SymPy outputs of an Export and the kernel's signature."""
    V, s, claims, _ = statements.parts(r.how)[ex.part]
    wrt = list(ex.wrt or claims)
    outs = [claims[w] for w in wrt]
    if ex.value:
        outs = [_unevaluated_scalar(r, ex.part), *outs]
    shapes = dict(statements.shapes(r.how))
    callables = {}
    for arg, var in ex.given:
        P = getattr(V, var)
        A = sp.MatrixSymbol(arg, *P.shape)
        shapes[arg] = statements.shapes(r.how)[var]
        for act, actp in ((fn.f, fn.fprime), (fn.g, fn.gprime)):
            # SymPy moves a transpose inside: f(P)^T is stored as f(P^T)
            rep = {mexpr.apply(act, P): A, mexpr.apply(actp, P): mexpr.apply(_OUT_PRIME[act], A),
                   mexpr.apply(act, P.T): A.T, mexpr.apply(actp, P.T): mexpr.apply(_OUT_PRIME[act], A.T)}
            outs = [o.xreplace(rep) for o in outs]
        if any(o.has(P) for o in outs):
            raise ValueError(f"{r.id} export {ex.name}: {var} is still needed after passing {arg} = f({var})")
    for z in ex.zero:
        outs = [o.xreplace({getattr(V, z): sp.Integer(0)}) for o in outs]
    for func, name in _OUT_NAMES.items():
        if any(o.has(func) for o in outs):
            callables[func] = name
    args = [a for a in _used(outs, shapes) if a not in ex.zero] + [a for a, _ in ex.given if a not in _used(outs, shapes)]
    args = [a for a in shapes if a in args]
    sig = args + list(callables.values())
    what = (["the loss"] if ex.value else []) + [f"d/d{w}" for w in wrt]
    return outs, args, sig, callables, shapes, what


def _kernel(r, ex):
    outs, args, sig, callables, shapes, what = _kernel_statement(r, ex)
    doc = _doc(r, f"Kernel of derive.numeric; returns ({', '.join(what)}).")
    return mexpr.numpy_source(ex.name, sig, outs, callables=callables,
                              sizes_from=_sizes_from(outs, args, shapes), doc=doc)


# In-place twins of the layer kernels, printed from the same SymPy outputs
# as the kernels above: every product goes into a caller's buffer
# (np.matmul(a, b, out)), transposes stay views (BLAS reads them transposed),
# sums are np.add.reduce (np.sum's Python wrapper costs more than the sum at small sizes),
# nothing is allocated.  out is passed positionally, and reduce takes
# (array, axis, dtype, out, keepdims): parsing keywords costs more than the
# arithmetic at small sizes.  Only the forms these statements take are printed;
# any other raises, so a changed statement cannot be printed wrongly.

def _kernel_into(r, ex):
    outs, args, sig, callables, shapes, what = _kernel_statement(r, ex)
    name = f"{ex.name}_into"
    lines = []
    for k, o in enumerate(outs):
        lines += _matrix_into(o, f"out[{k}]", callables, name)
    tmp = ["tmp"] if any("tmp" in line for line in lines) else []
    doc = _doc(r, f"In-place twin of {ex.name}: writes ({', '.join(what)}) into out, a tuple of C-contiguous "
                  "float64 arrays of their shapes, and returns it" + ("; tmp: scratch shaped like A, for f'(A)" if tmp else "")
               + (". Allocates only the term 2 lam W." if "lam" in sig else ". Allocates nothing."))
    body = "".join(f"    {line}\n" for line in lines)
    return f"def {name}({', '.join(sig + ['out'] + tmp)}):\n    \"\"\"{doc}\"\"\"\n{body}    return out\n"


def _operand(e, where):
    if isinstance(e, sp.MatrixSymbol):
        return e.name
    if isinstance(e, sp.Transpose) and isinstance(e.arg, sp.MatrixSymbol):
        return f"{e.arg.name}.T"  # a view: np.matmul hands BLAS the transposed flag, no copy
    raise NotImplementedError(f"{where}: no in-place form for operand {e}")


def _matrix_into(e, dst, callables, where):
    """Lines that write the matrix expression e into the array dst."""
    if isinstance(e, sp.MatAdd):
        # a term 0*M comes from lam = 0 (the _noreg variants): dropped, as the kernel printer does
        terms = [a for a in e.args if not (isinstance(a, sp.MatMul) and a.as_coeff_matrices()[0] == 0)]
        scaled = [a for a in terms if isinstance(a, sp.MatMul) and len(a.as_coeff_matrices()[1]) == 1
                  and a.as_coeff_matrices()[0] != 1]
        rest = [a for a in terms if a not in scaled]
        if len(rest) != 1:
            raise NotImplementedError(f"{where}: no in-place form for the sum {e}")
        lines = _matrix_into(rest[0], dst, callables, where)
        for a in scaled:
            coeff, (m,) = a.as_coeff_matrices()
            lines.append(f"np.add({dst}, ({sp.pycode(coeff)}) * {_operand(m, where)}, {dst})")
        return lines
    if isinstance(e, sp.MatMul):
        coeff, mats = e.as_coeff_matrices()
        if coeff != 1:
            raise NotImplementedError(f"{where}: no in-place form for the scaled product {e}")
        if len(mats) == 2 and isinstance(mats[0], sp.OneMatrix) and mats[0].shape[0] == 1:  # 1^T M: column sums
            return [f"np.add.reduce({_operand(mats[1], where)}, -2, None, {dst}, True)"]
        if len(mats) == 2 and isinstance(mats[1], sp.OneMatrix) and mats[1].shape[1] == 1:  # M 1: row sums
            return [f"np.add.reduce({_operand(mats[0], where)}, -1, None, {dst}, True)"]
        if len(mats) == 2:
            return [f"np.matmul({_operand(mats[0], where)}, {_operand(mats[1], where)}, {dst})"]
    if isinstance(e, sp.HadamardProduct) and len(e.args) == 2:
        applied = [a for a in e.args if isinstance(a, ElementwiseApplyFunction)
                   and isinstance(a.function.expr, sp.Function) and a.function.expr.func in callables
                   and a.function.expr.args == a.function.variables]
        if len(applied) == 1:
            (f,), other = applied, [a for a in e.args if a is not applied[0]][0]
            # M o f'(A): M into dst, f'(A) into tmp, one multiply in place
            return (_matrix_into(other, dst, callables, where)
                    + [f"{callables[f.function.expr.func]}({_operand(f.expr, where)}, tmp)",
                       f"np.multiply({dst}, tmp, {dst})"])
    raise NotImplementedError(f"{where}: no in-place form for {type(e).__name__} {e}")


def _scalar_into(name, var, e):
    """def name(a, out): writes the elementwise e(a) into out (ufuncs with out positional)."""
    lines = _elementwise_into(e, var, "out", name)
    body = "".join(f"    {line}\n" for line in lines)
    return (f"def {name}({var.name}, out):\n    \"\"\"In place: out[...] = {name[:-5]}({var.name}); "
            f"returns out.\"\"\"\n{body}    return out\n")


def _elementwise_into(e, var, dst, where):
    a = var.name
    if e == var:
        return [f"np.copyto({dst}, {a})"]
    if e.is_Number:
        return [f"{dst}[...] = {sp.pycode(e)}"]
    if isinstance(e, fn.step) and e.args == (var,):
        return [f"np.greater({a}, 0, {dst})"]  # _k.step's real(a) > 0, for real a, as 1.0/0.0
    if isinstance(e, sp.Pow) and e.base == var and e.exp == 2:
        return [f"np.square({a}, {dst})"]  # what a ** 2 computes
    if isinstance(e, sp.Mul) and len(e.args) == 2 and var in e.args:
        other = e.args[0] if e.args[1] == var else e.args[1]
        if other != var:  # a * u: u into dst, then times a (the order the kernel prints, a * u)
            return _elementwise_into(other, var, dst, where) + [f"np.multiply({a}, {dst}, {dst})"]
    if isinstance(e, sp.Add) and len(e.args) == 2 and any(t.is_Number for t in e.args):
        c = [t for t in e.args if t.is_Number][0]
        t = [t for t in e.args if not t.is_Number][0]
        coeff, u = t.as_coeff_Mul()
        if coeff == -1:  # c - u
            if u == var:
                return [f"np.subtract({sp.pycode(c)}, {a}, {dst})"]
            return _elementwise_into(u, var, dst, where) + [f"np.subtract({sp.pycode(c)}, {dst}, {dst})"]
    raise NotImplementedError(f"{where}: no in-place form for {e}")


# In-place twin of the softmax-CE loss kernel, printed from the same SymPy
# outputs: the loss c 1^T (log softmax(Z) o Y) 1 and the delta
# c' (softmax(Z) - Y).  Each line is one ufunc of what the kernel computes,
# in its order (_k.log_softmax: shift by the max, exp, sum, log, subtract;
# softmax = exp(log softmax)), so the results are the kernel's bit for bit;
# at small sizes the kernel's Python wrappers cost more than its arithmetic.
# Any other form raises.

def _loss_into(r, ex):
    outs, args, sig, callables, shapes, what = _kernel_statement(r, ex)
    name = f"{ex.name}_into"
    if len(outs) != 2 or callables:
        raise NotImplementedError(f"{name}: no in-place form for {outs}")
    loss, grad = outs
    Z, Y, axis, c_loss = _log_softmax_sum(loss, name)
    c_grad, (Z2, Y2, axis2) = _softmax_minus(grad, name)
    if (Z2, Y2, axis2) != (Z, Y, axis):
        raise NotImplementedError(f"{name}: the loss and the delta differ in Z, Y or axis")
    ax = -2 if axis == 0 else -1
    (size,) = c_loss.free_symbols  # m of -1/m
    arg, size_axis = _sizes_from(outs, args, shapes)[size]
    lines = [f"{size} = {arg}.shape[{size_axis}]",
             f"np.maximum.reduce({Z}, {ax}, None, col, True)",
             f"np.subtract({Z}, col, {Z})",
             f"np.exp({Z}, out)",
             f"np.add.reduce(out, {ax}, None, col, True)",
             "np.log(col, col)",
             f"np.subtract({Z}, col, {Z})",
             f"np.multiply({Z}, {Y}, out)",
             f"loss = ({_coeff(c_loss, size)}) * np.add.reduce(out, None)",
             f"np.exp({Z}, out)",
             f"np.subtract(out, {Y}, out)",
             f"np.multiply({_coeff(c_grad, size)}, out, out)"]
    doc = _doc(r, f"In-place twin of {ex.name}: overwrites {Z} with log softmax({Z}), writes d/d{Z} into out "
                  f"(C-contiguous float64, shaped like {Z}) and returns (the loss, out); col: scratch of the "
                  f"shape of {Z}.max(axis={ax}, keepdims=True). Allocates nothing.")
    body = "".join(f"    {line}\n" for line in lines)
    return f"def {name}({', '.join(sig + ['out', 'col'])}):\n    \"\"\"{doc}\"\"\"\n{body}    return loss, out\n"


def _coeff(c, size):
    """-1/m and 1/m as the kernel prints them: (-(1 / m)) and (1 / m)."""
    if c == 1 / size:
        return f"1 / {size}"
    if c == -1 / size:
        return f"-(1 / {size})"
    raise NotImplementedError(f"no in-place form for the coefficient {c}")


def _log_softmax_sum(e, where):
    """(Z, Y, axis, c) of e = (c 1^T (log softmax(Z, axis) o Y) 1)[0, 0]."""
    whole = mexpr._full_sum(e.parent) if isinstance(e, MatrixElement) and e.indices == (0, 0) else None
    if whole is not None and isinstance(whole[1], sp.HadamardProduct) and len(whole[1].args) == 2:
        coeff, H = whole
        logs = [a for a in H.args if isinstance(a, ElementwiseApplyFunction)
                and a.function.expr == sp.log(a.function.variables[0]) and isinstance(a.expr, mexpr.Softmax)
                and isinstance(a.expr.arg, sp.MatrixSymbol)]
        other = [a for a in H.args if isinstance(a, sp.MatrixSymbol)]
        if len(logs) == 1 and len(other) == 1:
            return logs[0].expr.arg.name, other[0].name, logs[0].expr.axis, coeff
    raise NotImplementedError(f"{where}: no in-place form for the loss {e}")


def _softmax_minus(e, where):
    """(c, (Z, Y, axis)) of e = c (softmax(Z, axis) - Y)."""
    if isinstance(e, sp.MatMul):
        coeff, mats = e.as_coeff_matrices()
        if len(mats) == 1 and isinstance(mats[0], sp.MatAdd) and len(mats[0].args) == 2:
            soft = [a for a in mats[0].args if isinstance(a, mexpr.Softmax) and isinstance(a.arg, sp.MatrixSymbol)]
            minus = [a.as_coeff_matrices()[1][0] for a in mats[0].args if isinstance(a, sp.MatMul)
                     and a.as_coeff_matrices()[0] == -1 and len(a.as_coeff_matrices()[1]) == 1
                     and isinstance(a.as_coeff_matrices()[1][0], sp.MatrixSymbol)]
            if len(soft) == 1 and len(minus) == 1:
                return coeff, (soft[0].arg.name, minus[0].name, soft[0].axis)
    raise NotImplementedError(f"{where}: no in-place form for the delta {e}")


def _unevaluated_scalar(r, part):
    """The scalar of a part as a 1x1 matrix's [0, 0] entry, left unevaluated
    (indexing a matrix expression would expand it into index sums)."""
    scalar = statements.losses(r.how)[part]
    return MatrixElement(scalar, 0, 0) if isinstance(scalar, sp.MatrixExpr) else scalar


def _has_softmax(r, ex):
    return any(o.has(mexpr.Softmax) for o in _kernel_statement(r, ex)[0])


def _kernels(records):
    out = ["# kernels of the batched network (derive.numeric.mlp_loss_and_grads)"]
    for r in records:
        for ex in getattr(r.how, "exports", ()):
            out.append(_kernel(r, ex))
            if not ex.value:  # the layer kernels: their in-place twin
                out.append(_kernel_into(r, ex))
            elif _has_softmax(r, ex):  # softmax-CE: its twin (BCE and MSE are kept whole)
                out.append(_loss_into(r, ex))
    return out


def _index(records):
    """BY_RESULT: result id -> its functions, and __all__."""
    by, names = {}, []
    for r in records:
        if isinstance(r.how, Gradient):
            n = len(statements.parts(r.how))
            by[r.id] = tuple(export_name(r, k, n) for k in range(n))
        names += [n for ex in getattr(r.how, "exports", ())
                  for n in ((ex.name, f"{ex.name}_into") if not ex.value or _has_softmax(r, ex) else (ex.name,))]
    names = [*(n for a in fn.ACTIVATIONS for n in (a, f"{a}_prime_from_output", f"{a}_prime_from_output_into")),
             "sigmoid_prime", "tanh_prime",
             *names, *(n for v in by.values() for n in v),
             *(h for r in records if isinstance(r.how, Gradient) for h in helpers(r))]
    rows = "".join(f"    {k!r}: {v!r},\n" for k, v in by.items())
    return (f"# the per-result functions of each proved gradient\nBY_RESULT = {{\n{rows}}}\n\n"
            f"__all__ = {names!r}\n")


def source(records):
    """The module printed from the Gradient records among `records`."""
    return "\n\n".join([HEADER, *_activations(), *_kernels(records), *_result_functions(records),
                        _index(records)]).rstrip() + "\n"


def write(records, path=None):
    """Write the generated module atomically; True when it changed.  A
    read-only file (no write permission bit, or not writable by this user)
    is refused with NotWritable and left unchanged: the atomic write renames
    a new file over it, which the file's own mode would not stop."""
    path = Path(PATH if path is None else path)
    text = source(records)
    if path.exists() and path.read_text() == text:
        return False
    if path.exists() and (not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
                          or not os.access(path, os.W_OK)):
        raise NotWritable(f"{path}: read-only, not overwritten (make it writable to regenerate it)")
    write_atomic(path, text)
    return True
