"""Check claimed gradients of any NumPy scalar function numerically.

``gradcheck(f, args, grads)`` compares claimed gradients with numeric ones:
complex step (h = 1e-20, exact to rounding: no subtractive cancellation)
where ``f`` is detected to be complex-safe, else central differences with a
step scaled to each entry (h = cbrt(eps) * max(1, |x|)).  An entry passes
when |claimed - numeric| <= rtol * max(|claimed|, |numeric|) + atol * ||g||_inf
(+ 16 eps max(1, |f|), the rounding floor of a gradient that cancels to 0;
+ eps |f| / h for finite differences); a bare relative error is never used
(tiny entries would dominate it).

Kinks (ReLU, max, hinge): an entry that fails is re-examined with the
one-sided differences (f(x+h) - f(x))/h and (f(x) - f(x-h))/h at h and h/8.
Where their gap persists as h shrinks, the stencil sits on a kink and the
claimed value must lie between them (a subgradient-style interval test);
where it shrinks, the kink was merely inside the wider stencil and the
narrower central difference must match.

Above ``max_full`` entries the check is directional: a few Gaussian
directions d per tensor, claimed <g, d> against the numeric directional
derivative, with tolerance rtol_dir * sum_j |g_j d_j| + atol * ||g||_inf *
||d||_2 (DIRECTIONAL_RTOL below).  An error e in one entry shifts
<g, d> by e d_j, so it escapes only if every |d_j| < tol / |e|; the report
states, per tensor, the relative error caught with probability >= 1 - 1e-6.
A failed direction is bisected (halves of its support) down to the
entries, which are then checked and reported one by one.
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
# Directional checks compare a sum of n terms: the numeric error scales with
# sum_i |g_i d_i|, not with |<g, d>|.  Complex step is exact to rounding
# (measured ~1e-16 of that sum on a 1,560-parameter MLP), so 1e-12 of it
# leaves a 1e4 margin and still resolves a 1e-6 error in one entry; central
# differences cannot (their 1e-6 is that error's size).
DIRECTIONAL_RTOL = {"complex-step": 1e-12, "central": 1e-6, "richardson": 1e-8}


@dataclass
class Mismatch:
    tensor: int
    index: tuple        # multi-index of the entry; () for a direction that bisection could not pin down
    actual: float       # claimed
    desired: float      # numeric
    abs_err: float
    rel_err: float
    tol: float
    kink: tuple = None  # (left, right) one-sided derivatives where a kink was detected
    name: str = ""      # the tensor's name
    step: float = 0.0   # finite-difference step (0 for complex step: h = 1e-20)


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
    mode: str = "full"          # "full": every entry; "directional": Gaussian directions per tensor
    directions: int = 0         # directional mode: directions per tensor
    evaluations: int = 0        # calls of f (the cost)
    median_abs_err: float = 0.0
    # directional mode: per tensor name, the smallest error in one entry of
    # typical size that is caught with probability >= 1 - 1e-6
    detectable: dict = field(default_factory=dict)
    entrywise: list = field(default_factory=list)  # tensors whose directions crossed kinks: checked entry by entry

    def __bool__(self):
        return self.ok

    def __str__(self):
        what = (f"{self.checked} entries" if self.mode == "full" else
                f"{self.directions} Gaussian directions per tensor ({self.checked} entries)")
        head = (f"gradcheck {'passed' if self.ok else 'FAILED'}: {what} by {self.method} ({self.why}); "
                f"max abs err {self.max_abs_err:.2e}, median {self.median_abs_err:.2e}, "
                f"max rel err {self.max_rel_err:.2e}; {self.evaluations} evaluations of f"
                + (f"; {len(self.kinks)} entries at kinks passed the one-sided interval test" if self.kinks else "")
                + (f"; directions crossed kinks in {', '.join(self.entrywise)}: checked entry by entry"
                   if self.entrywise else ""))
        rows = []
        for m in self.failures[:5]:
            where = f"{m.name or 'arg ' + str(m.tensor)}{list(m.index)}" if m.index else \
                f"{m.name or 'arg ' + str(m.tensor)} (a direction; no single entry isolated)"
            step = "h = 1e-20i" if self.method == "complex-step" else f"h = {m.step:.1e}"
            rows.append(f"  {where}: ACTUAL (claimed) {m.actual:.17g} vs DESIRED (numeric) {m.desired:.17g}; "
                        f"abs {m.abs_err:.2e} rel {m.rel_err:.2e} > tol {m.tol:.2e} ({self.method}, {step})"
                        + (f"; at a kink, outside one-sided [{min(m.kink):.6g}, {max(m.kink):.6g}]" if m.kink else ""))
        if len(self.failures) > 5:
            rows.append(f"  ... and {len(self.failures) - 5} more")
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


def _step(method, x_scale):
    """Finite-difference step: cbrt(eps) scaled (central differences' best
    trade of O(h^2) truncation against eps/h rounding); 1e-3 for Richardson,
    whose O(h^4) truncation allows a larger h."""
    return (1e-3 if method == "richardson" else np.cbrt(EPS)) * max(1.0, x_scale)


class _Line:
    """f along one line through args: phi(t) = f(args with args[k] + t d)."""

    def __init__(self, checker, k, d):
        self.c, self.k, self.d = checker, k, d

    def __call__(self, t):
        c = self.c
        moved = list(c.args)
        base = c.args[self.k]
        moved[self.k] = (base.astype(complex) if np.iscomplexobj(t) else base) + t * self.d
        c.evaluations += 1
        return _scalar(c.f(*moved))

    def derivative(self, method, h):
        if method == "complex-step":
            return float(np.imag(self(1e-20j)) / 1e-20)
        wide = float(np.real(self(h) - self(-h))) / (2 * h)
        if method == "central":
            return wide
        narrow = float(np.real(self(h / 2) - self(-h / 2))) / h
        return (4 * narrow - wide) / 3


class _Checker:
    def __init__(self, f, args, claimed, method, rtol, atol, names, rtol_dir):
        self.f, self.args, self.claimed, self.method = f, args, claimed, method
        self.rtol, self.atol, self.names, self.rtol_dir = rtol, atol, names, rtol_dir
        self.evaluations = 0
        self.f0 = abs(float(np.real(_scalar(f(*args)))))
        self.evaluations += 1
        # an absolute floor: a gradient that is exactly 0 by cancellation of
        # O(|f|) terms is computed numerically as rounding noise, ~eps |f|
        self.floor = 16 * EPS * max(1.0, self.f0)

    def unit(self, k, idx):
        d = np.zeros(self.args[k].shape)
        d[idx] = 1.0
        return d

    def rounding(self, h):
        """Rounding error of a finite difference of f: ~eps |f| / h."""
        return 0.0 if self.method == "complex-step" else 4 * EPS * max(1.0, self.f0) / h

    def at_kink(self, line, c, tol, h):
        """Re-examine a failed comparison along `line`: is there a kink in the
        stencil?  One-sided differences of a smooth f differ by ~|f''| h, so
        the gap shrinks 8x with an 8x smaller step; at a kink it stays (the
        jump in slope), and the claim must lie between the one-sided
        derivatives.  If it shrinks, a kink was inside the wider stencil
        only, and the narrower central difference must match.  Returns
        (verdict "kink" | "near" | None, left, right, kinked: the gap persists);
        h: a central step."""

        def sides(s):
            f0 = float(np.real(line(0.0)))
            return (f0 - float(np.real(line(-s)))) / s, (float(np.real(line(s))) - f0) / s
        left, right = sides(h)
        l8, r8 = sides(h / 8)
        gap, gap8 = abs(right - left), abs(r8 - l8)
        # a one-sided difference errs by O(h): the change from h to h/8 is ~7x
        # the remaining error at h/8; plus rounding, ~eps |f| / h
        slack = tol + (abs(right - r8) + abs(left - l8)) / 7 + 4 * EPS * max(1.0, self.f0) / (h / 8)
        if gap8 > 0.5 * gap and gap8 > 4 * slack:
            ok = min(l8, r8) - slack <= c <= max(l8, r8) + slack
            return ("kink" if ok else None), l8, r8, True
        if self.method == "complex-step":  # no stencil to have crossed a kink: the failure stands
            return None, l8, r8, False
        near = abs(c - (l8 + r8) / 2) <= tol + 4 * EPS * max(1.0, self.f0) / (h / 8)
        return ("near" if near else None), l8, r8, False

    def entry(self, k, idx, scale):
        """Compare one entry; returns (Mismatch or None, kink record or None, abs err, rel err)."""
        x = float(self.args[k][idx]) if self.args[k].ndim else float(self.args[k])
        h = _step(self.method, abs(x))
        line = _Line(self, k, self.unit(k, idx))
        n = line.derivative(self.method, h)
        c = float(self.claimed[k][idx]) if self.claimed[k].ndim else float(self.claimed[k])
        err = abs(c - n)
        big = max(abs(c), abs(n))
        tol = self.rtol * big + self.atol * scale + self.rounding(h) + self.floor
        rel = err / max(big, np.finfo(float).tiny)
        if err <= tol:
            return None, None, err, rel
        verdict, left, right, _ = self.at_kink(line, c, tol, _step("central", abs(x)))
        ix = tuple(int(i) for i in idx)
        if verdict is not None:
            return None, (k, ix, left, right, c), None, None
        m = Mismatch(k, ix, c, n, err, rel, tol, name=self.names[k], step=0.0 if self.method == "complex-step" else h)
        if abs(right - left) > 1e-3 * max(1.0, abs(left), abs(right)):
            m.kink = (left, right)
        return m, None, err, rel

    def direction(self, k, d, scale):
        """Directional comparison in tensor k along d: (ok, claimed, numeric,
        tol, kinked, step); kinked: the line crosses a kink."""
        xs = float(np.max(np.abs(self.args[k]))) if self.args[k].size else 0.0
        h = _step(self.method, xs) / max(float(np.max(np.abs(d))), 1e-300)
        line = _Line(self, k, d)
        n = line.derivative(self.method, h)
        c = float(np.sum(self.claimed[k] * d))
        # errors in <g, d> and in f along d grow with sum |g_i d_i|; plus the
        # per-entry atol * ||g||_inf, over the entries in quadrature (||d||_2:
        # rounding errors of independent signs)
        tol = (self.rtol_dir * float(np.sum(np.abs(self.claimed[k] * d)))
               + (self.atol * scale + self.floor) * float(np.sqrt(np.sum(d * d))) + self.rounding(h))
        step = 0.0 if self.method == "complex-step" else h
        if abs(c - n) <= tol:
            return True, c, n, tol, False, step
        hc = _step("central", xs) / max(float(np.max(np.abs(d))), 1e-300)
        verdict, left, right, kinked = self.at_kink(line, c, tol, hc)
        # along a direction several kinks may be crossed at once, and the
        # claimed <g, d> (one branch per kink) need not lie between the
        # directional one-sided derivatives: kinked lines are resolved entry by entry
        return False, c, n, tol, kinked, step

    def bisect(self, k, d, scale, limit=5):
        """Flat indices of entries of tensor k that a failed direction d
        isolates: halve the support of d, keep the halves that still fail."""
        found, stack = [], [np.flatnonzero(d)]
        while stack and len(found) < limit:
            support = stack.pop()
            if len(support) == 1:
                found.append(int(support[0]))
                continue
            half = len(support) // 2
            for part in (support[half:], support[:half]):  # popped first half first
                masked = np.zeros_like(d)
                masked.flat[part] = d.flat[part]
                ok, _, _, _, kinked, _ = self.direction(k, masked, scale)
                if not ok and not kinked:
                    stack.append(part)
        return sorted(found)


def _detect_threshold(directions, p_miss=1e-6):
    """t with P(|N(0,1)| < t)^directions = p_miss: an error e in one entry
    escapes all directions only if every |d_j| < tol / |e|."""
    import math
    target = p_miss ** (1.0 / directions)
    lo, hi = 0.0, 10.0
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if math.erf(mid / math.sqrt(2)) < target else (lo, mid)
    return lo


def gradcheck(f, args, grads, *, method="auto", rtol=None, atol=None, upcast=False, raise_on_fail=False,
              mode="auto", max_full=500, directions=4, seed=0, names=None):
    """Compare claimed gradients `grads` (arrays shaped like `args`, or a
    callable returning them) with numeric gradients of scalar `f(*args)`.

    mode "full" compares every entry; "directional" compares directional
    derivatives along `directions` Gaussian directions per tensor (each tensor
    on its own, so a small bias gradient is not drowned by a large weight)
    and, when one fails, bisects the direction's support down to the
    entries.  "auto": full up to `max_full` entries in all.  `names` label
    the tensors in diagnostics."""
    args = list(args)
    for i, a in enumerate(args):
        dt = np.asarray(a).dtype
        if dt in (np.float32, np.float16):
            if not upcast:
                raise TypeError(f"argument {i} is {dt}: too imprecise to check a gradient "
                                f"(best normwise error ~1e-4); pass upcast=True to check in float64")
        args[i] = np.asarray(a, dtype=float)
    names = list(names) if names is not None else [f"arg {i}" for i in range(len(args))]
    if len(names) != len(args):
        raise ValueError(f"{len(names)} names for {len(args)} arguments")
    claimed = grads(*args) if callable(grads) else grads
    claimed = [np.asarray(g, dtype=float) for g in claimed]
    if len(claimed) != len(args):
        raise ValueError(f"{len(claimed)} claimed gradients for {len(args)} arguments")
    for i, (a, g) in enumerate(zip(args, claimed)):
        if a.shape != g.shape:
            raise ValueError(f"claimed gradient of {names[i]} has shape {g.shape}, the argument has {a.shape}")
    if method not in ("auto", *TOLERANCES):
        raise ValueError(f"method {method!r}: expected 'auto' or one of {sorted(TOLERANCES)}")
    if mode not in ("auto", "full", "directional"):
        raise ValueError(f"mode {mode!r}: expected 'auto', 'full' or 'directional'")
    if method == "auto":
        safe = complex_safe(f, args)
        method = "complex-step" if safe else "central"
        why = "f is complex-safe" if safe else "f is not complex-safe"
    else:
        why = "requested"
    total = sum(a.size for a in args)
    if mode == "auto":
        mode = "full" if total <= max_full else "directional"
        why += f"; {total} entries {'<=' if mode == 'full' else '>'} max_full={max_full}"
    r0, a0 = TOLERANCES[method]
    rtol_dir = DIRECTIONAL_RTOL[method] if rtol is None else rtol
    rtol = r0 if rtol is None else rtol
    atol = a0 if atol is None else atol
    chk = _Checker(f, args, claimed, method, rtol, atol, names, rtol_dir)
    # the scale of atol: the largest claimed gradient entry (per-entry numerics
    # are not at hand in directional mode; a wrong claim only raises it)
    scale = max([float(np.max(np.abs(c))) for c in claimed if c.size] + [0.0])
    rep = Report(ok=True, method=method, why=why, mode=mode, checked=total)
    errs = []
    if mode == "full":
        for k, a in enumerate(args):
            for idx in np.ndindex(*a.shape):
                mism, kink, err, rel = chk.entry(k, idx, scale)
                if kink is not None:
                    rep.kinks.append(kink)
                    continue
                if mism is not None:
                    rep.failures.append(mism)
                    continue
                errs.append(err)
                rep.max_rel_err = max(rep.max_rel_err, rel)
    else:
        rng = np.random.default_rng(seed)
        rep.directions = directions
        t = _detect_threshold(directions)
        for k, a in enumerate(args):
            if not a.size:
                continue
            tols = []
            for _ in range(directions):
                d = rng.standard_normal(a.shape)
                ok, c, n, tol, kinked, step = chk.direction(k, d, scale)
                tols.append(tol)
                if ok:
                    errs.append(abs(c - n))
                    rep.max_rel_err = max(rep.max_rel_err, abs(c - n) / max(abs(c), abs(n), np.finfo(float).tiny))
                    continue
                if kinked:  # the line crosses kinks: every entry of this tensor on its own
                    rep.entrywise.append(names[k])
                    for idx in np.ndindex(*a.shape):
                        mism, kink_rec, err, rel = chk.entry(k, idx, scale)
                        if kink_rec is not None:
                            rep.kinks.append(kink_rec)
                        elif mism is not None:
                            rep.failures.append(mism)
                        else:
                            errs.append(err)
                            rep.max_rel_err = max(rep.max_rel_err, rel)
                    break
                entries = chk.bisect(k, d, scale)
                found = []
                for flat in entries:
                    idx = np.unravel_index(flat, a.shape)
                    mism, kink_rec, _, _ = chk.entry(k, idx, scale)
                    if kink_rec is not None:
                        rep.kinks.append(kink_rec)
                    if mism is not None:
                        found.append(mism)
                if not found:  # nothing isolated: report the direction itself
                    found.append(Mismatch(k, (), c, n, abs(c - n), abs(c - n) / max(abs(c), abs(n), 1e-300), tol,
                                          name=names[k], step=step))
                rep.failures.extend(found)
                break  # this tensor has failed; its entries are named above
            # typical entry: |g_j| = mean |g|; caught unless every |d_j| < tol / (rel error * |g_j|)
            mean_g = float(np.mean(np.abs(claimed[k])))
            rep.detectable[names[k]] = float(np.median(tols)) / t / max(mean_g, 1e-300)
    rep.evaluations = chk.evaluations
    if errs:
        rep.max_abs_err = float(np.max(errs))
        rep.median_abs_err = float(np.median(errs))
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
