"""Test a hand-written backward pass against a proved gradient.

    from derive.testing import assert_backward

    def backward(W, X, b, Y):                      # every array of `shapes`, by name
        s = 1 / (1 + np.exp(-(W @ X + b)))
        D = 2 * (s - Y) * s * (1 - s) / X.shape[1]
        return {"W": D @ X.T, "b": D.sum(axis=1, keepdims=True)}   # or a tuple in wrt order

    def test_my_layer():
        assert_backward(backward, "sum((sigmoid(W @ X + b) - Y)**2) / m", wrt=["W", "b"],
                        shapes={"W": "h,n", "X": "n,m", "b": "h,1", "Y": "h,m"})

The reference is ``derive.grad``'s answer, proved for every size before it
is used; an expression derive cannot prove raises :class:`Unproved` and the
backward is not judged.  The backward runs at several seeded sizes (every
size name distinct and at least 2 by default, so no matrix is square by
accident).  Each gradient it returns is compared with the proved one; every
size is also checked by ``checks.gradcheck`` (an independent numeric
gradient), so a failure shows claimed vs derived vs numeric.  A slip is
named only when the returned gradient equals that mutation of the proved
one (transpose, swapped product, a factor m, 1/m, 2 or 1/2, a sign, σ for
σ(1 − σ), a sum over the other axis or none) at every size tried.
"""
from __future__ import annotations

import numpy as np

import checks
from derive.maths import language as L
from derive.maths.language import LanguageError
from derive.verification import reference
from derive.verification.derived import NotProved, grad
from derive.verification.engine import Unsupported
from derive.verification.sampling import SAMPLERS, rng

RTOL, ATOL = 1e-7, 1e-10   # float64 backprop agrees to ~1e-13; a slip is off by O(1)
ROWS = 6                    # entries shown per mismatch


class Unproved(Exception):
    """derive has no proof of this expression's gradient, so no backward
    can be judged against it (never an AssertionError: not a verdict)."""


_CACHE = {}   # (expr, wrt, shapes, assume) -> Derived: one derivation per expression and session


def _derived(expr, wrt, shapes, assume, sample):
    key = (expr, tuple(wrt), tuple(sorted(shapes.items())), tuple(map(str, assume)),
           tuple(sorted((sample or {}).items())))
    if key not in _CACHE:
        try:
            d = grad(expr, list(wrt), shapes, assume=assume, sample=sample)
        except (Unsupported, NotProved, NotImplementedError) as err:
            raise Unproved(f"assert_backward: derive cannot prove the gradient of {expr!r}, so the backward "
                           f"was not checked: {type(err).__name__}: {err}") from err
        weak = {v: how for v, how in d.proof.items() if not str(how).startswith("proved for every size")}
        if weak:
            v, how = next(iter(weak.items()))
            raise Unproved(f"assert_backward: the gradient of {expr!r} with respect to {v} is {how}; "
                           "a backward is judged only against a gradient proved for every size")
        _CACHE[key] = d
    return _CACHE[key]


def default_sizes(shapes, count=3, seed=0):
    """`count` size assignments: each name distinct and >= 2 within one, and
    each name's value changing from one to the next (a factor m is then told
    from a factor n)."""
    names = sorted({d for s in L.shapes_of(shapes).values() for d in s if isinstance(d, str)})
    k = len(names)
    gen = np.random.default_rng(seed)
    out = [{n: 2 + i for i, n in enumerate(names)}, {n: 2 + k - i for i, n in enumerate(names)}]
    while len(out) < count:   # above the values before: every name changes again
        low = 2 + k * (len(out) - 1) + 1
        out.append({n: int(v) for n, v in zip(names, low + gen.permutation(k))})
    return out[:count]


def _check_sizes(sizes, shapes):
    names = {d for s in shapes.values() for d in s if isinstance(d, str)}
    for s in sizes:
        missing = names - set(s)
        if missing:
            raise ValueError(f"sizes {s}: no value for {', '.join(sorted(missing))}")
        bad = {n: v for n, v in s.items() if n in names and (not isinstance(v, (int, np.integer)) or v < 1)}
        if bad:
            raise ValueError(f"sizes {s}: sizes are integers >= 1, got {bad}")
    # all-square sizes cannot catch a missing transpose: one assignment must tell every size apart
    if names and not any(len({s[n] for n in names}) == len(names) and min(s[n] for n in names) >= 2 for s in sizes):
        raise ValueError("sizes: give at least one assignment where every size is distinct and >= 2 "
                         "(otherwise a missing transpose can pass)")


def _shape(spec, at):
    return tuple(at[d] if isinstance(d, str) else d for d in spec)


def _draw(d, at, gen):
    """Arrays at sizes `at`: each by its sampler (sums-to-one variables one-hot),
    positive where f is not finite at normal values (log, sqrt)."""
    def one(name, how):
        shp = _shape(d.shapes[name], at)
        return np.asarray(SAMPLERS[how](gen, shp), dtype=float) if shp else float(SAMPLERS[how](gen, (1,))[0])

    onehot = {a.name for a in d.assume}
    values = {n: one(n, d.sample.get(n) or ("onehot" if n in onehot else "normal")) for n in d.shapes}
    run = reference.runner(d.f, d.shapes)
    if not np.all(np.isfinite(np.asarray(run(values), dtype=float))):
        values.update({n: one(n, "positive") for n in d.shapes if n not in d.sample and n not in onehot})
    return values


def _as_gradients(out, wrt):
    """backward's answer as {name: array}: a dict, a tuple/list in wrt order,
    or (for one variable) the array itself."""
    if isinstance(out, dict):
        missing = [v for v in wrt if v not in out]
        if missing:
            raise AssertionError(f"assert_backward: backward returned a dict without {', '.join(missing)} "
                                 f"(keys: {', '.join(map(str, out))})")
        return {v: out[v] for v in wrt}
    if isinstance(out, (tuple, list)):
        if len(out) != len(wrt):
            raise AssertionError(f"assert_backward: backward returned {len(out)} gradients for "
                                 f"{len(wrt)} variables ({', '.join(wrt)}); return them in that order or as a dict")
        return dict(zip(wrt, out))
    if len(wrt) == 1:
        return {wrt[0]: out}
    raise AssertionError(f"assert_backward: backward returned a {type(out).__name__}; return a dict "
                         f"{{name: gradient}} or a tuple in the order {', '.join(wrt)}")


def _close(a, b, rtol, atol):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape or not np.all(np.isfinite(a)):
        return False
    scale = max(1.0, float(np.max(np.abs(b)))) if b.size else 1.0
    return bool(np.all(np.abs(a - b) <= rtol * np.abs(b) + atol * scale))


# ----------------------------------------------------------------------------
# the classic slips, as mutations of the proved gradient
# ----------------------------------------------------------------------------

def _positions(e, path=()):
    yield path, e
    for i, a in enumerate(e.args):
        yield from _positions(a, path + (i,))


def _replace(e, path, new):
    """e with the node at `path` replaced (ancestors rebuilt through the
    shape-checking constructors: LanguageError when it no longer fits)."""
    if not path:
        return new
    args = list(e.args)
    args[path[0]] = _replace(args[path[0]], path[1:], new)
    return L.rebuild(e, tuple(args))


def _is_sigmoid_prime(e):
    """sigmoid(a) * (1 - sigmoid(a)): the engine's rule for σ'."""
    if e.op != "*" or len(e.args) != 2:
        return False
    s, rest = e.args
    return (s.op == "fn" and s.attrs[0] == "sigmoid" and rest.op == "-" and rest.args[1] == s
            and rest.args[0].op == "num" and rest.args[0].attrs[0] == 1)


def _tree_mutants(tree, target):
    """[(slip, mutated tree)] of the chain rule's raw answer: each a single
    local change that still type-checks at symbolic sizes."""
    out = []
    for path, e in _positions(tree):
        if e.op == "T" and e.args[0].shape == e.shape and not L.is_scalar(e.shape) and e.args[0].op != "T":
            out.append((f"a missing transpose ({L.text(e.args[0])} where {L.text(e)} is meant)", path, e.args[0]))
        if e.op == "@":
            a, b = e.args
            try:
                swapped = L.binary("@", b, a)
            except LanguageError:
                swapped = None
            if swapped is not None and swapped.shape == e.shape and a != b:
                out.append((f"a swapped product ({L.text(swapped)} where {L.text(e)} is meant)", path, swapped))
        if _is_sigmoid_prime(e):
            s = e.args[0]
            out.append((f"σ where σ(1 − σ) is meant (sigmoid({L.text(s.args[0])}) as sigmoid's derivative)",
                        path, s))
        if e.op == "sum" and e.attrs[0] in (0, 1):
            a = e.args[0]
            other = L.call("sum", a, axis=1 - e.attrs[0])
            out.append((f"a sum over the wrong axis (axis={1 - e.attrs[0]} where axis={e.attrs[0]} is meant)",
                        path, other))
            out.append((f"a missing sum over axis {e.attrs[0]} (the summand returned as it is)", path, a))
    mutants = []
    for slip, path, new in out:
        try:
            m = _replace(tree, path, new)
        except LanguageError:
            continue
        # a structural slip keeps the gradient's shape, except a sum's axis, which shows as a shape
        if m.shape == target or slip.startswith(("a sum over", "a missing sum")):
            mutants.append((slip, m))
    return mutants


def _value_mutants(G, at, v):
    """[(slip, array)]: the proved gradient G transposed, scaled, negated."""
    out = [(f"a missing transpose (the transpose of d/d{v})", G.T)] if G.ndim == 2 else []
    out.append(("an extra factor 2: twice the gradient", 2 * G))
    out.append(("a missing factor 2: half the gradient", G / 2))
    out.append(("a sign error: the gradient's negative", -G))
    for n, k in sorted(at.items()):
        out.append((f"a missing 1/{n}: {n} times the gradient", k * G))
        out.append((f"an extra 1/{n}: the gradient divided by {n}", G / k))
    if G.ndim == 2 and 1 in G.shape:
        out.append(("keepdims missing: the right entries as a 1-D array", G.reshape(-1)))
    return out


def _matches(user, mutants, G, rtol, atol):
    """Slips whose value equals the user's answer here (those that equal
    the proved gradient itself tell nothing at this size and are left out
    unless the user is right here too)."""
    right = _close(user, G, rtol, atol) if np.shape(user) == np.shape(G) else False
    return [slip for slip, M in mutants if _close(user, M, rtol, atol) and (right or not _close(M, G, rtol, atol))]


# ----------------------------------------------------------------------------
# the check
# ----------------------------------------------------------------------------

def _fmt_at(at):
    return ", ".join(f"{n}={k}" for n, k in sorted(at.items())) or "scalars"


def _table(v, user, G, rep, rtol, atol):
    """Worst entries: claimed vs derived vs numeric (checks.gradcheck's, where it isolated the entry)."""
    user, G = np.asarray(user, dtype=float), np.asarray(G, dtype=float)
    numeric = {tuple(m.index): m.desired for m in (rep.failures if rep is not None else []) if m.name == v}
    scale = max(1.0, float(np.max(np.abs(G)))) if G.size else 1.0
    err = np.abs(user - G) / (rtol * np.abs(G) + atol * scale)
    bad = [tuple(int(i) for i in ix) for ix in np.argwhere(~(err <= 1))]
    bad.sort(key=lambda ix: -err[ix] if np.isfinite(err[ix]) else -np.inf)
    method = rep.method if rep is not None else "numeric"
    head = f"    {'entry':<12}{'claimed (backward)':>22}{'derived (proved)':>22}{'numeric (' + method + ')':>26}"
    rows = [head]
    for ix in bad[:ROWS]:
        num = numeric.get(ix)
        rows.append(f"    {v + str(list(ix)):<12}{user[ix]:>22.12g}{G[ix]:>22.12g}"
                    f"{(format(num, '>26.12g') if num is not None else '—'.rjust(26))}")
    if len(bad) > ROWS:
        rows.append(f"    ... and {len(bad) - ROWS} more")
    return len(bad), rows


def assert_backward(backward, expr, wrt, shapes, *, sizes=None, assume=(), sample=None, seed=0,
                    rtol=RTOL, atol=ATOL):
    """Check `backward` against the proved gradient of `expr`; AssertionError if it is wrong.

    backward(**arrays) gets every array named in `shapes` as a keyword
    argument (scalars as floats) and returns the gradients of `expr` with
    respect to `wrt`: a dict {name: array}, or a tuple/list in wrt order
    (one variable: the array itself).  Each must have its variable's shape.
    sizes: a list of {size name: int}; by default three seeded assignments
    with every size distinct and >= 2.  assume/sample: as for derive.grad.
    Returns the Derived gradient it compared against.  Raises Unproved
    (not AssertionError) when derive cannot prove the gradient."""
    wrt = [wrt] if isinstance(wrt, str) else list(wrt)
    d = _derived(expr, wrt, shapes, assume, sample)
    sizes = default_sizes(shapes) if sizes is None else [sizes] if isinstance(sizes, dict) else list(sizes)
    _check_sizes(sizes, d.shapes)
    run = reference.runner(d.f, d.shapes)
    wrong = {}      # v -> [(at, user, G, values)] where it differs
    shape_msgs = {}  # v -> first wrong-shape message
    slips = {v: None for v in wrt}   # v -> slips matching at every size so far
    for i, at in enumerate(sizes):
        values = _draw(d, at, rng(f"assert_backward|{expr}|{seed}|{i}"))
        got = d.numpy(**values)
        got = got if len(wrt) > 1 else (got,)
        derived = {}
        for v, g in zip(wrt, got):
            want = _shape(d.shapes[v], at)
            g = np.asarray(g, dtype=float)
            derived[v] = np.broadcast_to(g, want).copy() if g.size != int(np.prod(want)) else g.reshape(want)
        try:
            out = backward(**{n: (x.copy() if isinstance(x, np.ndarray) else x) for n, x in values.items()})
        except Exception as err:
            raise AssertionError(f"assert_backward: backward raised {type(err).__name__} at {_fmt_at(at)}: {err}"
                                 + _hint_shapes(d, at)) from err
        user = _as_gradients(out, wrt)

        def loss(*xs):
            kw = dict(values)
            kw.update(zip(wrt, xs))
            return np.asarray(run(kw)).reshape(())
        args = [np.asarray(values[v], dtype=float).reshape(_shape(d.shapes[v], at)) for v in wrt]
        ref = checks.gradcheck(loss, args, [derived[v] for v in wrt], names=wrt)
        if ref.status == "failed":   # the proved gradient vs independent numerics: derive's bug, never a pass
            raise RuntimeError(f"assert_backward: derive's proved gradient of {expr!r} disagrees with numeric "
                               f"differences at {_fmt_at(at)} (please report this): {ref}")
        for v in wrt:
            G = derived[v]
            u = np.asarray(user[v], dtype=float)
            if d.shapes[v] == ():   # a scalar's gradient: any size-1 array
                u = u.reshape(()) if u.size == 1 else u
                G = G.reshape(())
            mutants = _value_mutants(G, at, v)
            # the answer as printed, then the chain rule's raw form (σ' is literal there), each
            # mutated only where it equals the proved gradient at these values
            for tree in (d.answers[v], d.steps[v][0].tree):
                tv = _eval(tree, values, d)
                if tv is None or tv.size != G.size or not _close(tv.reshape(G.shape), G, 1e-9, 1e-12):
                    continue
                for slip, m in _tree_mutants(tree, tree.shape):
                    mv = _eval(m, values, d)
                    if mv is not None:   # a scalar's (1, 1) read as ()
                        mutants.append((slip, mv.reshape(G.shape) if m.shape == tree.shape and mv.size == G.size
                                        else mv))
            found = _matches(u, mutants, G, rtol, atol)
            slips[v] = found if slips[v] is None else [x for x in slips[v] if x in found]
            if u.shape != G.shape:
                shape_msgs.setdefault(v, f"backward's d/d{v} has shape {u.shape} at {_fmt_at(at)}; "
                                         f"{v} has shape {G.shape}")
                wrong.setdefault(v, [])
            elif not _close(u, G, rtol, atol):
                wrong.setdefault(v, []).append((at, u, G, values, args, user))
    if not wrong:
        return d
    raise AssertionError(_message(d, expr, wrt, sizes, wrong, shape_msgs, slips, run, rtol, atol))


def _eval(tree, values, d):
    try:
        return np.asarray(reference.runner(tree, d.shapes)(values), dtype=float)
    except (ValueError, KeyError, TypeError):
        return None


def _hint_shapes(d, at):
    return "\n  shapes at these sizes: " + ", ".join(f"{n} {_shape(s, at)}" for n, s in d.shapes.items())


def _message(d, expr, wrt, sizes, wrong, shape_msgs, slips, run, rtol, atol):
    lines = [f"assert_backward: backward's gradient of {expr} is wrong for {', '.join(v for v in wrt if v in wrong)}"
             f" (sizes tried: {'; '.join(_fmt_at(s) for s in sizes)})"]
    for v in wrt:
        if v not in wrong:
            lines.append(f"  d/d{v}: ok at every size")
            continue
        lines.append(f"  {shape_msgs.get(v) or f'd/d{v}: differs at {len(wrong[v])} of {len(sizes)} sizes'}")
        kinds = {}   # one wording per kind of slip (the answer's and the raw form's can both match)
        for slip in slips[v] or ():
            kinds.setdefault(slip.split(" (")[0].split(":")[0], slip)
        named = list(kinds.values())
        if named:
            lines.append(f"  likely slip in d/d{v}: {' or '.join(named)} -- backward's answer equals the proved "
                         f"gradient with that mistake, at every size tried")
        else:
            lines.append(f"  no classic slip matches d/d{v} (transpose, swapped product, factor m, 1/m, 2, 1/2, sign, "
                         "σ for σ(1 − σ), sum axis)")
    lines.append("proved for every size:")
    lines += [f"  {n} = {t}" for n, t in d.where.items()]
    lines += [f"  d/d{v} = {d.texts[v]}" for v in wrt]
    # the table at the first size where a value (not a shape) differs, with checks.gradcheck's verdict there
    first = min((rows[0] for rows in wrong.values() if rows), key=lambda r: sizes.index(r[0]), default=None)
    if first is None:
        return "\n".join(lines)
    at, _, _, values, args, user = first
    ok_shape = [w for w, a in zip(wrt, args) if np.shape(user[w]) == a.shape]
    kept = [a for w, a in zip(wrt, args) if w in ok_shape]

    def loss(*xs):
        kw = dict(values)
        kw.update(zip(ok_shape, xs))
        return np.asarray(run(kw)).reshape(())
    rep = checks.gradcheck(loss, kept, [np.asarray(user[w], dtype=float) for w in ok_shape], names=ok_shape)
    for v in ok_shape:
        same = [r for r in wrong.get(v, []) if r[0] is at]
        if same:
            count, rows = _table(v, same[0][1], same[0][2], rep, rtol, atol)
            lines.append(f"d/d{v} at {_fmt_at(at)}: {count} of {same[0][2].size} entries differ")
            lines += rows
    lines.append("checks.gradcheck of backward's gradients there: " + str(rep).splitlines()[0])
    return "\n".join(lines)


__all__ = ["assert_backward", "default_sizes", "Unproved"]
