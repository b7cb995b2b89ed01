"""Check claimed gradients of any NumPy scalar function numerically.

``gradcheck(f, args, grads)`` compares claimed gradients with numeric ones:
complex step (h = 1e-20, exact to rounding: no subtractive cancellation)
where ``f`` is detected to be complex-safe, else central differences with a
step scaled to each entry (h = cbrt(eps) * max(1, |x|)).  An entry passes
when |claimed - numeric| <= rtol * max(|claimed|, |numeric|) + atol * ||g||_inf;
a bare relative error is never used (tiny entries would dominate it).

Kinks (ReLU, max, hinge): an entry that fails is re-examined with the
one-sided differences (f(x+h) - f(x))/h and (f(x) - f(x-h))/h at h and h/8.
Where their gap persists as h shrinks, the stencil sits on a kink and the
claimed value must lie between them (a subgradient-style interval test);
where it shrinks, the kink was merely inside the wider stencil and the
narrower central difference must match.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

EPS = np.finfo(np.float64).eps
# Defaults, per method: complex step agrees to ~1e-15 relative; central
# differences carry O(h^2) truncation plus eps/h rounding, ~1e-10 at best.
# Richardson: (4 D(h/2) - D(h)) / 3 cancels the h^2 term of central
# differences; with h ~ 1e-3 its error is O(h^4) + O(eps/h), ~1e-12.
TOLERANCES = {"complex-step": (1e-9, 1e-12), "central": (1e-6, 1e-8), "richardson": (1e-8, 1e-10)}


@dataclass
class Mismatch:
    tensor: int
    index: tuple
    actual: float   # claimed
    desired: float  # numeric
    abs_err: float
    rel_err: float
    tol: float
    kink: tuple = None   # (left, right) one-sided derivatives where a kink was detected


@dataclass
class Report:
    ok: bool
    method: str
    why: str
    max_abs_err: float = 0.0
    max_rel_err: float = 0.0
    checked: int = 0
    failures: list = field(default_factory=list)
    kinks: list = field(default_factory=list)   # (tensor, index, left, right, claimed) at detected kinks

    def __bool__(self):
        return self.ok

    def __str__(self):
        head = (f"gradcheck {'passed' if self.ok else 'FAILED'}: {self.checked} entries by {self.method} "
                f"({self.why}); max abs err {self.max_abs_err:.2e}, max rel err {self.max_rel_err:.2e}"
                + (f"; {len(self.kinks)} entries at kinks passed the one-sided interval test" if self.kinks else ""))
        rows = [f"  arg {m.tensor}{list(m.index)}: ACTUAL (claimed) {m.actual:.17g} vs DESIRED (numeric) "
                f"{m.desired:.17g}; abs {m.abs_err:.2e} rel {m.rel_err:.2e} > tol {m.tol:.2e}"
                + (f"; at a kink, outside one-sided [{min(m.kink):.6g}, {max(m.kink):.6g}]" if m.kink else "")
                for m in self.failures[:5]]
        return "\n".join([head, *rows])


class GradcheckError(AssertionError):
    pass


def _scalar(v):
    v = np.asarray(v)
    if v.size != 1:
        raise ValueError(f"f must return a scalar, got shape {v.shape}")
    return v.reshape(())[()]


def complex_safe(f, args):
    """True when f carries a complex perturbation through analytically:
    the imaginary part of f(x + i h e) / h must match a central difference
    along a random direction (code that takes abs, real parts or casts to
    float breaks this, and is then not complex-safe)."""
    rng = np.random.default_rng(0)
    dirs = [rng.standard_normal(np.shape(a)) for a in args]
    h = 1e-20
    try:
        with np.errstate(all="ignore"):
            import warnings
            with warnings.catch_warnings():
                warnings.simplefilter("error", np.exceptions.ComplexWarning)
                out = _scalar(f(*[a + 1j * h * d for a, d in zip(args, dirs)]))
    except Exception:
        return False
    if not np.iscomplexobj(out):
        return False
    cs = out.imag / h
    t = 1e-6
    fd = (_scalar(f(*[a + t * d for a, d in zip(args, dirs)])) - _scalar(f(*[a - t * d for a, d in zip(args, dirs)]))) / (2 * t)
    return bool(abs(cs - np.real(fd)) <= 1e-5 * max(1.0, abs(cs)))


def numeric_grad(f, args, method):
    """Per-entry numeric gradient of f at args by `method`."""
    out = []
    for k, a in enumerate(args):
        g = np.zeros(np.shape(a))
        for idx in np.ndindex(*np.shape(a)):
            def at(delta):
                moved = [np.array(x, dtype=complex if np.iscomplexobj(delta) else float) for x in args]
                moved[k][idx] += delta
                return _scalar(f(*moved))
            if method == "complex-step":
                g[idx] = at(1e-20j).imag / 1e-20
            elif method == "richardson":
                h = 1e-3 * max(1.0, abs(float(np.asarray(a)[idx])))
                wide, narrow = (at(h) - at(-h)) / (2 * h), (at(h / 2) - at(-h / 2)) / h
                g[idx] = (4 * narrow - wide) / 3
            else:
                h = np.cbrt(EPS) * max(1.0, abs(float(np.asarray(a)[idx])))
                g[idx] = (at(h) - at(-h)) / (2 * h)
        out.append(g)
    return out


def _one_sided(f, args, k, idx, shrink=1.0):
    """Backward and forward differences of f in entry idx of argument k, with
    the usual step divided by `shrink`."""
    h = np.cbrt(EPS) * max(1.0, abs(float(args[k][idx]))) / shrink

    def at(delta):
        moved = [np.array(x, dtype=float) for x in args]
        moved[k][idx] += delta
        return _scalar(f(*moved))
    f0 = at(0.0)
    return (f0 - at(-h)) / h, (at(h) - f0) / h, h


def _at_kink(f, args, k, idx, c, tol, scale):
    """Re-examine an entry that failed: is there a kink in the stencil?

    One-sided differences of a smooth f differ by ~|f''| h, so the gap shrinks
    8x with an 8x smaller step; at a kink it stays (the jump in slope).  At a
    kink the claim must lie between the one-sided derivatives.  If the gap
    shrinks, a kink was inside the wider stencil only, and the narrower
    central difference (mean of the narrow one-sided ones) must match.
    Returns (verdict, left, right): verdict "kink", "near" (narrow central
    matches), or None (a genuine mismatch)."""
    left, right, h = _one_sided(f, args, k, idx)
    l8, r8, h8 = _one_sided(f, args, k, idx, shrink=8.0)
    gap, gap8 = abs(right - left), abs(r8 - l8)
    # a one-sided difference errs by O(h): the change from h to h/8 is ~7x the
    # remaining error at h/8; plus rounding, ~eps |f| / h
    f0 = abs(_scalar(f(*args)))
    slack = tol + (abs(right - r8) + abs(left - l8)) / 7 + 4 * EPS * max(1.0, f0) / h8
    if gap8 > 0.5 * gap and gap8 > 4 * slack:
        ok = min(l8, r8) - slack <= c <= max(l8, r8) + slack
        return ("kink" if ok else None), l8, r8
    # no kink in the narrow stencil: its central difference (the mean of the
    # one-sided ones) errs by O(h8^2) plus rounding only
    near = abs(c - (l8 + r8) / 2) <= tol + 4 * EPS * max(1.0, f0) / h8
    return ("near" if near else None), l8, r8


def gradcheck(f, args, grads, *, method="auto", rtol=None, atol=None, upcast=False, raise_on_fail=False):
    """Compare claimed gradients `grads` (arrays shaped like `args`, or a
    callable returning them) with numeric gradients of scalar `f(*args)`."""
    args = list(args)
    for i, a in enumerate(args):
        dt = np.asarray(a).dtype
        if dt in (np.float32, np.float16):
            if not upcast:
                raise TypeError(f"argument {i} is {dt}: too imprecise to check a gradient "
                                f"(best normwise error ~1e-4); pass upcast=True to check in float64")
        args[i] = np.asarray(a, dtype=float)
    claimed = grads(*args) if callable(grads) else grads
    claimed = [np.asarray(g, dtype=float) for g in claimed]
    for i, (a, g) in enumerate(zip(args, claimed)):
        if a.shape != g.shape:
            raise ValueError(f"claimed gradient {i} has shape {g.shape}, argument has {a.shape}")
    if method not in ("auto", *TOLERANCES):
        raise ValueError(f"method {method!r}: expected 'auto' or one of {sorted(TOLERANCES)}")
    if method == "auto":
        safe = complex_safe(f, args)
        method = "complex-step" if safe else "central"
        why = "f is complex-safe" if safe else "f is not complex-safe"
    else:
        why = "requested"
    num = numeric_grad(f, args, method)
    r0, a0 = TOLERANCES[method]
    rtol = r0 if rtol is None else rtol
    atol = a0 if atol is None else atol
    scale = max([float(np.max(np.abs(n))) if n.size else 0.0 for n in num] + [0.0])
    rep = Report(ok=True, method=method, why=why)
    for k, (c, n) in enumerate(zip(claimed, num)):
        c, n = np.atleast_1d(c), np.atleast_1d(n)
        err = np.abs(c - n)
        tol = rtol * np.maximum(np.abs(c), np.abs(n)) + atol * scale
        rel = err / np.maximum(np.maximum(np.abs(c), np.abs(n)), np.finfo(float).tiny)
        rep.checked += c.size
        smooth = np.ones(c.shape, dtype=bool)  # entries judged by the central/complex value
        for idx in zip(*np.nonzero(err > tol)):
            mism = Mismatch(k, tuple(int(i) for i in idx), float(c[idx]), float(n[idx]),
                            float(err[idx]), float(rel[idx]), float(tol[idx]))
            at = idx if np.ndim(args[k]) else ()
            verdict, left, right = _at_kink(f, args, k, at, float(c[idx]), float(tol[idx]), scale)
            if verdict is not None:
                rep.kinks.append((k, mism.index, left, right, float(c[idx])))
                smooth[idx] = False
                continue
            if abs(right - left) > 1e-3 * max(1.0, abs(left), abs(right)):
                mism.kink = (left, right)
            rep.failures.append(mism)
        if smooth.any():  # the error figures describe the entries compared point-wise
            rep.max_abs_err = max(rep.max_abs_err, float(err[smooth].max()))
            rep.max_rel_err = max(rep.max_rel_err, float(rel[smooth].max()))
    rep.failures.sort(key=lambda m: -m.abs_err / max(m.tol, 1e-300))
    rep.ok = not rep.failures
    if raise_on_fail and not rep.ok:
        raise GradcheckError(str(rep))
    return rep


@dataclass
class TaylorReport:
    ok: bool
    order: float
    steps: list       # h
    remainders: list  # |f(x + h d) - f(x) - h g.d|

    def __bool__(self):
        return self.ok

    def __str__(self):
        rows = ", ".join(f"h={h:.0e}: {r:.2e}" for h, r in zip(self.steps, self.remainders))
        return f"Taylor test {'passed' if self.ok else 'FAILED'}: remainder order {self.order:.3f} (want 2); {rows}"


def taylor_test(f, args, grads, *, seed=0, steps=(1e-1, 5e-2, 2.5e-2, 1.25e-2, 6.25e-3)):
    """An eps-free second opinion: along a random Gaussian direction d, the
    remainder |f(x + h d) - f(x) - h grad.d| of a correct gradient shrinks
    like h^2 (order in [1.9, 2.1]); a wrong gradient leaves an O(h) term."""
    args = [np.asarray(a, dtype=float) for a in args]
    claimed = grads(*args) if callable(grads) else grads
    rng = np.random.default_rng(seed)
    dirs = [rng.standard_normal(a.shape) for a in args]
    f0 = float(_scalar(f(*args)))
    slope = sum(float(np.sum(np.asarray(g, dtype=float) * d)) for g, d in zip(claimed, dirs))
    rem = [abs(float(_scalar(f(*[a + h * d for a, d in zip(args, dirs)]))) - f0 - h * slope) for h in steps]
    if max(rem) <= 64 * EPS * max(1.0, abs(f0)):  # f is linear along d: nothing to fit
        return TaylorReport(True, float("nan"), list(steps), rem)
    order = float(np.polyfit(np.log(steps), np.log(np.maximum(rem, 1e-300)), 1)[0])
    return TaylorReport(1.9 <= order <= 2.1, order, list(steps), rem)
