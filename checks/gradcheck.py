"""Check claimed gradients of any NumPy scalar function numerically.

``gradcheck(f, args, grads)`` compares claimed gradients with numeric ones
and returns a Report whose ``status`` is one of three verdicts:

  "ok"         the numeric evidence supports the claim (to the tolerance);
  "failed"     a real mismatch: a counterexample the numeric error cannot
               explain (``failures`` names the entries, worst first);
  "undecided"  the check cannot tell (``why`` says why): differences that
               are ill-conditioned or noisy, a kink it cannot resolve,
               non-finite values.  Never reported as ok.

``report.ok`` and ``bool(report)`` are True only for "ok".

Numerics.  Complex step (Im f(x + i h u) / h, h = 1e-20: no subtractive
cancellation) where f is complex-safe, else central differences.  Complex
safety is not assumed: a probe compares the complex step along a random
direction with central differences, at steps chosen where the difference
is well conditioned (the step moves up where rounding dominates, down where
truncation does; every stencil point is exact in floating point), and
accepts it only where they agree to a stated resolution.

Every real-arithmetic estimate carries an error estimate: truncation from
two steps h and h/2 (Richardson's difference), rounding from eps |f| / h, from
the fourth difference of the five stencil values and from f evaluated twice
at x (noise), and a smoothness test (the fourth difference small beside the
first two: no aliasing, no noise above the signal).  The step moves by
factors of RATIO, down where truncation, aliasing or non-finite values
spoil it, up where rounding dominates or f does not change at all over the
stencil, until the estimate resolves the tolerance; every step must agree
with the best estimate so far (quantized values make finer steps see no
change).  An entry passes when |claimed - numeric| <= tol and the estimated
error <= tol, with tol = rtol |numeric| + atol * scale + 16 eps max(1, |f|);
scale is the gradient's size from the numeric side (the largest entry the
numerics establish), so a huge or infinite claimed entry cannot widen the
tolerance of the others.  It fails only when the mismatch exceeds tol + 2 x
the error estimate at two consecutive steps that agree with each other.
Where neither holds (ill-conditioned, noisy, not finite) it is undecided,
with why.  Non-finite claims never pass.  In complex-step mode a mismatch
is re-examined with central differences (a kink; code complex-unsafe at
that entry) before it counts.

Kinks (ReLU, max, hinge): the one-sided derivatives, extrapolated from
steps s and 2s (2 D(s) - D(2s): the curvature term cancels), show a gap that
stands out of rounding; it is a kink at x only if, at up to three steps
each RATIO smaller, each side stays put (or converges) and the gap persists.
Then the claim must lie between them (a subgradient-style interval test;
outside it, failed).  A kink merely near x moves the sides as the step
shrinks below its distance, and the central difference at those steps
decides.  Where several entries sit at kinks, each claimed value picks a
side; along the combined direction of those sides the claim must match f's
one-sided derivative, else undecided (max(x0, x1) at a tie with claim
[1, 1]: slope 2 claimed where f has 1).

Above ``max_full`` entries the check is directional: a few Gaussian
directions d per tensor, claimed <g, d> against the numeric directional
derivative, with tolerance rtol_dir * sum_j min(|g_j|, cap) |d_j| +
(atol * scale + floor) * ||d||_2 (DIRECTIONAL_RTOL below; cap = 10 x the
tensor's gradient norm as the numerics estimate it).  An error e in one
entry shifts <g, d> by e d_j, so it escapes only if every |d_j| < tol / |e|;
the report states, per tensor, the relative error caught with probability
>= 1 - 1e-6.  A failed direction is bisected (halves of its support) down to
the entries, which are then checked and reported one by one.

``raise_on_fail=True`` raises GradcheckError on "failed" only; on
"undecided" it warns (GradcheckUndecidedWarning, with the report) and
returns the report, whose bool is False.
"""
from __future__ import annotations

import contextlib
import functools
import math
import warnings
from dataclasses import dataclass, field

import numpy as np

EPS = np.finfo(np.float64).eps
CBRT_EPS = float(np.cbrt(EPS))
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
RATIO = 16          # step ratio between levels of the adaptive step search
MAX_LEVELS = 8      # levels per comparison: h0 down to h0 / 16^7
PROBE_TIGHT = 1e-7  # complex step accepted outright when it matches one difference this well
PROBE_LOOSE = 1e-3  # ... or when it matches a difference with a stated error below this
SQRT2, SQRT70 = math.sqrt(2.0), math.sqrt(70.0)
UNDECIDED_SEP = "; undecided: "   # Report.why = method's reason + this + why undecided


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
    err_est: float = 0.0  # estimated error of `desired`
    direction: bool = False  # a direction (index ()), not an entry of a 0-d tensor


@dataclass
class Undecided:
    """An entry (or direction, index ()) the check could not decide."""
    tensor: int
    index: tuple
    actual: float       # claimed
    desired: float      # best numeric estimate (nan if none)
    err_est: float      # its estimated error (inf if none)
    tol: float
    why: str
    name: str = ""
    step: float = 0.0
    direction: bool = False


class GradcheckError(AssertionError):
    pass


class GradcheckUndecidedWarning(UserWarning):
    """gradcheck(raise_on_fail=True) could not decide: not a failure, not a pass."""


def _where(m):
    label = m.name or f"arg {m.tensor}"
    return f"{label} (a direction; no single entry isolated)" if m.direction else f"{label}{list(m.index)}"


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
    evaluations: int = 0        # calls of f (the cost), the complex-safety probe included
    median_abs_err: float = 0.0
    # per tensor name, the smallest relative error in one entry of typical
    # size that is caught (directional mode: with probability >= 1 - 1e-6)
    detectable: dict = field(default_factory=dict)
    entrywise: list = field(default_factory=list)  # tensors whose directions crossed kinks: checked entry by entry
    status: str = ""            # "ok" | "failed" | "undecided"
    undecided: list = field(default_factory=list)  # Undecided records
    notes: list = field(default_factory=list)      # check-level reasons for undecided

    def __post_init__(self):
        if not self.status:
            self.status = "ok" if self.ok else "failed"

    def __bool__(self):
        return self.status == "ok"

    @property
    def reason(self):
        """Why the check is undecided ("" otherwise)."""
        if self.status != "undecided":
            return ""
        if self.notes:
            return self.notes[0]
        if self.undecided:
            return f"{self.undecided[0].why} at {_where(self.undecided[0])}"
        return "undecided"

    def __str__(self):
        what = (f"{self.checked} entries" if self.mode == "full" else
                f"{self.directions} Gaussian directions per tensor ({self.checked} entries)")
        passing = "" if self.status == "ok" else "passing entries: "
        stats = (f"{what} by {self.method} ({self.why.split(UNDECIDED_SEP)[0]}); {passing}"
                 f"max abs err {self.max_abs_err:.2e}, median {self.median_abs_err:.2e}, "
                 f"max rel err {self.max_rel_err:.2e}; {self.evaluations} evaluations of f"
                 + (f"; {len(self.kinks)} entries at kinks passed the one-sided interval test" if self.kinks else "")
                 + (f"; directions crossed kinks in {', '.join(self.entrywise)}: checked entry by entry"
                    if self.entrywise else ""))
        if self.status == "failed":
            m = self.failures[0]
            head = (f"gradcheck FAILED at {_where(m)}: claimed {m.actual:.10g} vs "
                    f"numeric {m.desired:.10g} (abs err {m.abs_err:.2e} > tol {m.tol:.2e}"
                    + (f", at a kink: one-sided [{min(m.kink):.6g}, {max(m.kink):.6g}]" if m.kink else "")
                    + f"); {len(self.failures)} failing; " + stats)
        elif self.status == "undecided":
            head = (f"gradcheck UNDECIDED: {self.reason}; "
                    + (f"{len(self.undecided)} undecided; " if self.undecided else "") + stats)
        else:
            head = "gradcheck passed: " + stats
        rows = []
        for m in self.failures[:5]:
            step = "h = 1e-20i" if m.step == 0.0 and self.method == "complex-step" else f"h = {m.step:.1e}"
            rows.append(f"  {_where(m)}: ACTUAL (claimed) {m.actual:.17g} vs DESIRED (numeric) "
                        f"{m.desired:.17g}; abs {m.abs_err:.2e} rel {m.rel_err:.2e} > tol {m.tol:.2e} "
                        f"({self.method}, {step}" + (f", error estimate {m.err_est:.1e}" if m.err_est else "") + ")"
                        + (f"; at a kink, outside one-sided [{min(m.kink):.6g}, {max(m.kink):.6g}]" if m.kink else ""))
        if len(self.failures) > 5:
            rows.append(f"  ... and {len(self.failures) - 5} more")
        for u in self.undecided[:5]:
            rows.append(f"  {_where(u)}: UNDECIDED claimed {u.actual:.10g}, numeric "
                        f"{u.desired:.10g} +- {u.err_est:.1e} (tol {u.tol:.1e}): {u.why}")
        if len(self.undecided) > 5:
            rows.append(f"  ... and {len(self.undecided) - 5} more undecided")
        if self.detectable and (self.method != "complex-step" or self.mode == "directional"):
            kind = "complex step" if self.method == "complex-step" else f"{self.method} differences"
            rows.append(f"  detectable ({kind}): relative error in one entry of typical size "
                        + ("(caught w.p. >= 1 - 1e-6) " if self.mode == "directional" else "")
                        + ", ".join(f"{k} {v:.1e}" for k, v in self.detectable.items()))
        return "\n".join([head, *rows])


@contextlib.contextmanager
def _quiet():
    """Floating-point warnings off (non-finite values are handled); a
    ComplexWarning (an imaginary part discarded) raises: f is then not
    complex-safe."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("error", np.exceptions.ComplexWarning)
        yield


def _scalar(v):
    v = np.asarray(v)
    if v.size != 1:
        raise ValueError(f"f must return a scalar, got shape {v.shape}")
    return v.reshape(())[()]


def _exact(x, v):
    """v rounded so that x + v, x - v, x +- v/2 and x +- v/4 are exact
    floating-point numbers (a multiple of 16 ulp(x) where |v| < |x| / 2):
    then every stencil point lies on one line x + t u."""
    x, v = np.asarray(x, dtype=float), np.asarray(v, dtype=float)
    q = 16.0 * np.spacing(np.abs(x))
    small = (x != 0) & (np.abs(v) < 0.5 * np.abs(x))
    with np.errstate(all="ignore"):
        return np.where(small, np.round(v / np.where(small, q, 1.0)) * q, v)


class _Stencil:
    """f at x + s h u for s in +-1, +-1/2 (, +-1/4): vals[s]."""
    __slots__ = ("h", "disp", "vals", "depth", "unit")

    def __init__(self, h, disp, unit):
        self.h, self.disp, self.unit, self.vals, self.depth = h, disp, unit, {}, -1

    @property
    def finite(self):
        return all(math.isfinite(v) for v in self.vals.values())


class _Est:
    """One level of a real-arithmetic estimate (see _Checker.analyse)."""
    __slots__ = ("h", "n", "E", "trunc", "noise", "sigma", "trusted", "bad", "left", "right", "sig_emp", "c", "tol",
                 "lex", "rex", "gap_ex", "std_side", "std_gap", "rescaled")


@dataclass
class _Verdict:
    status: str                 # "ok" | "failed" | "undecided"
    numeric: float
    err: float
    claimed: float
    tol: float
    step: float = 0.0
    kink: tuple = None          # (left, right) at a confirmed kink
    why: str = ""
    kinked: bool = False        # the line showed a persisting kink at some step


class _Checker:
    def __init__(self, f, args, claimed, method, rtol, atol, names, rtol_dir):
        self.f, self.args, self.claimed, self.method = f, args, claimed, method
        self.rtol, self.atol, self.names, self.rtol_dir = rtol, atol, names, rtol_dir
        # claims with non-finite entries zeroed: those entries are judged on their own
        self.cfin = [np.where(np.isfinite(c), c, 0.0) for c in claimed]
        self.evaluations = 0
        self.f0 = None
        self.sigma_rep = 0.0
        self._repeated = False
        self.scale = 0.0
        self.cap = [np.inf] * len(args)
        self.capped = [None] * len(args)          # min(|claimed|, cap), per tensor
        # smallest nonzero |x| per tensor: the complex step stays far below it
        self.xmin = [float(np.min(np.abs(a[a != 0]))) if np.any(a != 0) else 1.0 for a in args]
        self.probe_res = None
        self.probe_abs = 0.0      # absolute resolution of the probe, per unit direction
        self.floor = 0.0
        self.ctol = TOLERANCES["central"]

    def start(self):
        f0 = _scalar(self.call(self.args))
        self.f0 = float(np.real(f0))
        # an absolute floor: a gradient that is exactly 0 by cancellation of
        # O(|f|) terms is computed numerically as rounding noise, ~eps |f|
        self.floor = 16 * EPS * max(1.0, abs(self.f0)) if math.isfinite(self.f0) else np.inf
        return math.isfinite(self.f0)

    def call(self, xs):
        self.evaluations += 1
        return _scalar(self.f(*xs))

    def repeat(self):
        """f evaluated again at x: a nondeterministic f shows its noise here."""
        if not self._repeated:
            self._repeated = True
            again = float(np.real(self.call(self.args)))
            self.sigma_rep = abs(again - self.f0) if math.isfinite(again) else np.inf

    # -- lines and stencils ------------------------------------------------
    def stencil(self, d, h, unit=None):
        """Displacements of a stencil at step h along d (rounded: exact points)."""
        if unit is not None:
            k, idx = unit
            x = float(self.args[k][idx])
            h = float(_exact(x, h))
            if h <= 0 or x + h / 4 == x:
                return None
            disp = [None] * len(self.args)
            disp[k] = np.zeros(self.args[k].shape)
            disp[k][idx] = h
        else:
            disp = [None if dk is None else _exact(a, h * dk) for a, dk in zip(self.args, d)]
            if all(x is None or not np.any(x) for x in disp):
                return None
        return _Stencil(h, disp, unit)

    def fill(self, st, depth):
        for j in range(st.depth + 1, depth + 1):
            s = 0.5 ** j
            for sg in (s, -s):
                pts = [a if x is None else a + sg * x for a, x in zip(self.args, st.disp)]
                try:
                    st.vals[sg] = float(np.real(self.call(pts)))
                except (ZeroDivisionError, OverflowError, FloatingPointError):
                    st.vals[sg] = math.nan
                except ValueError as ex:        # math.sqrt(-1) and the like: outside f's domain
                    if "domain" not in str(ex):
                        raise
                    st.vals[sg] = math.nan
        st.depth = max(st.depth, depth)
        return st

    def claim(self, st):
        """The claimed derivative along the stencil's line (its exact direction)."""
        if st.unit is not None:
            k, idx = st.unit
            return float(self.cfin[k][idx])
        return sum(float(np.sum(c * x)) for c, x in zip(self.cfin, st.disp) if x is not None) / st.h

    def direction_norms(self, st):
        """(sum_j min(|c_j|, cap) |u_j|, ||u||_2) of the stencil's direction u."""
        s1 = s2 = 0.0
        for k, (c, x) in enumerate(zip(self.cfin, st.disp)):
            if x is None:
                continue
            if self.capped[k] is None:
                self.capped[k] = np.minimum(np.abs(c), self.cap[k])
            s1 += float(np.sum(self.capped[k] * np.abs(x)))
            s2 += float(np.sum(x * x))
        return s1 / st.h, math.sqrt(s2) / st.h

    def cs(self, d, unit=None):
        """Complex-step derivative along d: Im f(x + i hc d) / hc, or None
        where f does not carry the imaginary part (raises, warns, real output)."""
        if unit is not None:
            k, idx = unit
            x = abs(float(self.args[k][idx]))
            hc = 1e-20 * min(1.0, x) if x > 0 else 1e-20
        else:
            dmax = max(float(np.max(np.abs(dk))) for dk in d if dk is not None and dk.size)
            xmin = min([self.xmin[k] for k, dk in enumerate(d) if dk is not None] + [1.0])
            hc = 1e-20 * min(1.0, xmin) / max(dmax, 1e-300)
        hc = max(hc, 1e-290)
        pts = []
        for k, a in enumerate(self.args):
            if unit is not None and k == unit[0]:
                z = a.astype(complex)
                z[unit[1]] += 1j * hc
                pts.append(z)
            elif unit is None and d[k] is not None:
                pts.append(a + 1j * hc * d[k])
            else:
                pts.append(a)
        try:
            out = self.call(pts)      # under _quiet(): a ComplexWarning raises
        except Exception:
            return None
        if not np.iscomplexobj(out):
            return None
        return float(np.imag(out)) / hc

    # -- estimates ---------------------------------------------------------
    def analyse(self, st, method, sigma_floor=0.0):
        """Central (or Richardson) estimate at one stencil with its error:
        truncation 2 |D(h) - D(h/2)| / 3 (Richardson's difference, x2),
        rounding 3 sigma of the difference, sigma the largest of 4 eps |f|,
        the fourth difference of the stencil, f's repeat noise and
        sigma_floor (noise measured at a coarser step).  trusted: the fourth
        difference is small beside the first two (the steps resolve f: no
        aliasing, no noise above the signal).  Values all equal to f(x):
        sigma is one ulp.  For kinks, the extrapolated one-sided derivatives
        and their noise from rounding alone (a kink inflates the fourth
        difference)."""
        v, h, f0 = st.vals, st.h, self.f0
        depth = st.depth
        D = [(v[0.5 ** j] - v[-0.5 ** j]) / (2 * h * 0.5 ** j) for j in range(depth + 1)]
        s1, s2 = 0.5 ** depth, 0.5 ** (depth - 1)
        d1 = v[s1] - v[-s1]
        d2 = v[s1] + v[-s1] - 2 * f0
        d4 = v[s2] - 4 * v[s1] + 6 * f0 - 4 * v[-s1] + v[-s2]
        rho = EPS * max(abs(f0), max(abs(x) for x in v.values()))
        e = _Est()
        e.h, e.rescaled = h, False
        e.sig_emp = 2 * abs(d4) / SQRT70
        if all(x == f0 for x in v.values()):
            # f does not change at all: any slope moved f by less than ~1 ulp
            e.sigma = max(float(np.spacing(abs(f0))), self.sigma_rep, sigma_floor)
        else:
            e.sigma = max(e.sig_emp, 4 * rho, self.sigma_rep, sigma_floor)
        # rounding of intermediates of size >= 1 (f itself may be a cancellation
        # to ~0, as at a hinge): a fourth difference below it is no aliasing
        rho1 = max(rho, EPS)
        e.bad = abs(d4) / max(abs(d1), abs(d2), 64 * rho1, 1e-300)
        e.trusted = abs(d4) <= max(0.02 * max(abs(d1), abs(d2)), 64 * rho1)
        if method == "richardson":
            R0, R1 = (4 * D[1] - D[0]) / 3, (4 * D[2] - D[1]) / 3
            e.n, e.trunc, e.noise = R1, abs(R0 - R1) / 15, 3.8 * e.sigma / h
        else:
            e.n, e.trunc, e.noise = D[1], abs(D[0] - D[1]) / 3, SQRT2 * e.sigma / h
        e.E = 2 * e.trunc + 3 * e.noise
        e.right, e.left = (v[s1] - f0) / (s1 * h), (f0 - v[-s1]) / (s1 * h)
        rc, lc = (v[s2] - f0) / (s2 * h), (f0 - v[-s2]) / (s2 * h)
        # one-sided derivatives extrapolated (2 D(s) - D(2s)): the O(s) curvature
        # term cancels, so a jump in slope stands out even where f'' s exceeds it
        e.rex, e.lex = 2 * e.right - rc, 2 * e.left - lc
        e.gap_ex = abs(e.rex - e.lex)
        # noise only (a kink inflates the differences), for intermediates of
        # size >= 1: at a kink f itself is often a cancellation to ~0
        noise = max(4 * EPS * max(1.0, abs(f0), max(abs(x) for x in v.values())), self.sigma_rep, sigma_floor)
        e.std_side = 2.55 * noise / (s1 * h)                   # std of (4 f(s) - f(2s) - 3 f(0)) / 2s
        e.std_gap = 3.6 * noise / (s1 * h)
        return e

    def xscale(self, d, unit):
        if unit is not None:
            return abs(float(self.args[unit[0]][unit[1]]))
        return max([float(np.max(np.abs(a[dk != 0]))) for a, dk in zip(self.args, d)
                    if dk is not None and np.any(dk != 0)] + [0.0])

    def shrink_nonfinite(self, d, h, unit):
        """Next step after a stencil met non-finite values: f's domain may end
        near x (often at 0): at most cbrt(eps) of the distance to 0."""
        if unit is not None:
            k, idx = unit
            m = abs(float(self.args[k][idx]))
        else:
            r = [np.abs(a[dk != 0]) / np.abs(dk[dk != 0]) for a, dk in zip(self.args, d) if dk is not None]
            r = [x[x > 0] for x in r]
            m = min([float(np.min(x)) for x in r if x.size] + [0.0]) if any(x.size for x in r) else 0.0
        target = CBRT_EPS * m
        return min(h / RATIO, target) if 0 < target < h else h / RATIO

    def level(self, d, h, unit, method, tolf, st=None, cache=None):
        """Fill and analyse one stencil (None where there is none; st.finite False: non-finite values)."""
        if cache is not None and st is None and h in cache:
            return cache[h]
        if st is None:
            st = self.stencil(d, h, unit)
            if st is None:
                return None, None
        self.fill(st, 2 if method == "richardson" else 1)
        if not st.finite:
            return st, None
        e = self.analyse(st, method)
        e.c = self.claim(st)
        e.tol = tolf(e.c, e.n, st)
        if cache is not None:
            cache[h] = cache[st.h] = (st, e)
        return st, e

    def judge(self, d, h0, method, tolf, first=None, unit=None):
        """Real-arithmetic verdict on the claim along d (a unit vector when
        `unit` = (tensor, index)): the adaptive step search of the module
        docstring.  tolf(claimed, numeric, stencil) -> tolerance.

        From h0 the step moves down (truncation, aliasing, a kink, values
        not finite) or up (rounding or noise dominates, or f does not change
        at all over the stencil) by RATIO per level, at most MAX_LEVELS
        levels.  ok: a trusted level resolves the tolerance and agrees with
        the claim and with the best estimate so far; failed: two consecutive
        trusted levels agree with each other and not with the claim."""
        self.repeat()
        h, st = h0, first
        hmax = RATIO * max(1.0, self.xscale(d, unit))
        pending, best, ref, noise_check = None, None, None, None
        why, nonfinite, went_up, prev_bad = "", False, False, None
        kink_seen, coarse_tried, cache, mode, last_trusted = False, False, {}, None, None
        prev_trusted = None
        for _level in range(MAX_LEVELS):
            st, e = self.level(d, h, unit, method, tolf, st, cache)
            if st is None:
                why = why or "the steps reached the resolution of x"
                break
            h = st.h
            if e is None:
                nonfinite, st, mode = True, None, "down"
                h = self.shrink_nonfinite(d, h, unit)
                why = "f is not finite near x"
                continue
            st_vals = list(st.vals.values())
            st = None
            lt = prev_trusted = last_trusted
            if (e.trusted and lt is not None and abs(lt.h - h * RATIO) <= 1e-9 * lt.h and e.trunc > 0
                    and 2 * e.trunc > 3 * e.noise and 2 * lt.trunc > 3 * lt.noise):
                # truncation should fall RATIO^2-fold per level (O(h^2)); where it
                # falls slower (f not twice differentiable: a kink in f'), the
                # Richardson estimate of the error is too small: rescale it to the
                # observed order p, error ~ |D(h) - D(h/2)| / (2^p - 1)
                ratio = lt.trunc / e.trunc
                if 1.0 < ratio < RATIO ** 2 / 2 and not e.rescaled:
                    e.rescaled = True
                    p_obs = max(math.log(ratio) / math.log(RATIO), 0.25)
                    e.trunc *= 3 / (2 ** p_obs - 1)
                    e.E = 2 * e.trunc + 3 * e.noise
            if e.trusted:
                last_trusted = e
            if e.gap_ex > e.tol + 8 * e.std_gap and not kink_seen:   # a kink at x?
                kink_seen = True
                v = self.kink(d, unit, method, tolf, [e], cache)
                if v is not None:
                    return v
            if noise_check is not None:
                if e.sig_emp >= noise_check / 4:     # the noise stays as the step shrinks: it is noise
                    why = (f"noise: f varies by ~{e.sig_emp:.1e} at every step "
                           f"(estimated error {e.E:.1e}, tolerance {e.tol:.1e})")
                    break
                noise_check = None
            if best is None or e.E < best.E:
                best = e
            err = abs(e.c - e.n)
            # every level must agree with the best estimate so far that
            # resolved f (quantized values: finer steps see no change at all)
            agrees = ref is None or abs(ref.n - e.n) <= 2 * (ref.E + e.E)
            if e.bad <= 0.1 and (ref is None or e.E < ref.E):
                ref = e
            if e.trusted and e.E <= e.tol and err <= e.tol and agrees:
                return _Verdict("ok", e.n, e.E, e.c, e.tol, h)
            if e.trusted and err > e.tol + 2 * e.E and agrees:
                if pending is not None and abs(pending.n - e.n) <= 2 * (pending.E + e.E):
                    b = e if e.E <= pending.E else pending
                    return _Verdict("failed", b.n, b.E, b.c, b.tol, b.h)
                if pending is not None and went_up:   # went up to confirm, and the steps disagree
                    why = "estimates at two steps disagree"
                    break
                pending = e                  # (a disagreeing coarser failure is dropped: the finer step decides)
                # confirm at the next step, finer or coarser: where the predicted error is smaller
                finer = 2 * e.trunc / RATIO ** 2 + 3 * e.noise * RATIO
                coarser = 2 * e.trunc * RATIO ** 2 + 3 * e.noise / RATIO
                if went_up or mode == "down" or h * RATIO > hmax or finer <= coarser:
                    h = h / RATIO
                else:
                    went_up, h = True, h * RATIO
                continue
            if not agrees:
                why = (f"estimates at two steps disagree ({ref.n:.6g} +- {ref.E:.1e} vs {e.n:.6g} +- {e.E:.1e}): "
                       f"f is not resolved (rounding of large intermediates?)")
                break
            if pending is not None:
                why = "a mismatch at one step is not confirmed at the next"
                if went_up:
                    break
                pending = None               # the coarser step was wrong (aliasing): go on refining
            # undecided at this step.  A jump in slope too small to stand out
            # of rounding here (and hiding in the noise estimate) shows at a
            # coarser step, where the extrapolated one-sided derivatives are
            # sharper: look once
            if not coarse_tried and not kink_seen and e.gap_ex > e.tol:
                coarse_tried = True
                _, ec = self.level(d, h * RATIO, unit, method, tolf, cache=cache)
                if ec is not None and ec.gap_ex > ec.tol + 8 * ec.std_gap:
                    kink_seen = True
                    v = self.kink(d, unit, method, tolf, [ec, e], cache)
                    if v is not None:
                        return v
            flat = all(x == self.f0 for x in st_vals)   # f does not change over the stencil
            noisy = flat or 3 * e.noise >= 2 * e.trunc
            if noisy and (flat or e.trusted or e.bad <= 0.1):
                # rounding dominates: a larger step (if the search has not come down)
                why = (f"f is constant over +-{h:.1e}: its slope is below {e.E:.1e} only" if flat else
                       f"ill-conditioned: the estimated rounding error {e.E:.1e} of the difference "
                       f"exceeds the tolerance {e.tol:.1e}")
                if mode != "down" and h * RATIO <= (64 * hmax if flat else hmax):
                    mode, h = "up", h * RATIO
                    continue
                rho = 4 * EPS * max(abs(self.f0), abs(e.c * h))
                if not flat and mode != "up" and e.sig_emp > 2 * max(rho, self.sigma_rep):
                    # noise, or structure (a kink) in the stencil? a finer step tells
                    noise_check, mode = e.sig_emp, "down"
                    h = h / RATIO
                    continue
                break
            if mode == "up":     # truncation grows again: the steps went past their best
                why = why or f"the estimated error {e.E:.1e} exceeds the tolerance {e.tol:.1e} at every step"
                break
            if not e.trusted:
                if prev_bad is not None and e.bad > 4 * prev_bad and e.bad > 0.02:
                    why = "noise: differences grow as the step shrinks"
                    break
                prev_bad = e.bad
                why = "differences do not resolve f (noise or steps too coarse)"
            elif prev_trusted is not None and prev_trusted.h > h and e.trunc > prev_trusted.trunc:
                # truncation falls as the step shrinks; a difference that grows
                # instead is rounding of f (quantized values) read as truncation
                why = (f"rounding: the difference between two steps grows as the step shrinks "
                       f"(estimated error {e.E:.1e}, tolerance {e.tol:.1e})")
                break
            else:
                why = f"the estimated truncation error {e.E:.1e} exceeds the tolerance {e.tol:.1e}"
            mode, h = "down", h / RATIO
        if best is None:
            return _Verdict("undecided", math.nan, math.inf, math.nan, math.nan, h, why=why or "no finite stencil")
        if nonfinite and not why:
            why = "f is not finite near x"
        return _Verdict("undecided", best.n, best.E, best.c, best.tol, best.h, why=why)

    def kink(self, d, unit, method, tolf, levels, cache=None):
        """Is there a kink at x?  `levels`: analysed steps, coarsest first,
        whose extrapolated one-sided derivatives show a gap.  Adds finer
        steps (up to 3 in all, while rounding still lets the gap show) and
        requires each side to stay put across them, within the tolerance
        and rounding.  Returns the interval verdict at a kink, or None where
        the sides move (a kink merely near x, or no kink): the central
        differences then decide at finer steps."""
        while len(levels) < 3:
            last = levels[-1]
            if 3 * last.std_gap * RATIO > last.gap_ex / 2:
                break
            _, e = self.level(d, last.h / RATIO, unit, method, tolf, cache=cache)
            if e is None:
                break
            levels.append(e)
        e = levels[-1]           # the finest: the least truncation
        if len(levels) < 2:
            return _Verdict("undecided", e.n, e.E, e.c, e.tol, e.h, kinked=True,
                            why=(f"one-sided derivatives {e.lex:.6g}, {e.rex:.6g} suggest a kink at x that "
                                 f"rounding hides at finer steps"))
        # each side settles: successive values agree within tolerance and
        # rounding, or converge (their changes shrink, as O(s^2) does by
        # 256 per level; a kink at a distance makes them grow 16-fold)
        last_dev = 0.0
        for side in ("lex", "rex"):
            vals = [getattr(x, side) for x in levels]
            devs = [abs(p - q) for p, q in zip(vals, vals[1:])]
            j = len(devs) - 1
            # rounding of intermediates larger than f (f ~ 0 at a kink) is not in
            # std_side: a relative 1e-3 of the gap covers it (a kink at distance
            # delta moves a side by ~gap delta / s, 16-fold per level)
            lim = (max(levels[j].tol, levels[j + 1].tol) + 3 * (levels[j].std_side + levels[j + 1].std_side)
                   + 1e-3 * min(levels[j].gap_ex, levels[j + 1].gap_ex))
            if not (devs[j] <= lim or (j >= 1 and devs[j] <= devs[j - 1] / 8)):
                return None
            last_dev = max(last_dev, devs[-1])
        # the gap persists: it keeps (at least half) its size from the coarsest step,
        # where it stood out of rounding, and exceeds the sides' uncertainty
        g0 = levels[0]
        if (g0.gap_ex <= g0.tol + 8 * g0.std_gap or e.gap_ex < 0.5 * g0.gap_ex
                or e.gap_ex <= e.tol + 2 * last_dev):
            return None
        c = e.c
        lo, hi = min(e.lex, e.rex), max(e.lex, e.rex)
        slack = e.tol + last_dev + 3 * e.std_side
        out = max(lo - c, c - hi, 0.0)
        status = "ok" if out <= slack else "failed" if out > 2 * slack else "undecided"
        return _Verdict(status, (e.lex + e.rex) / 2, slack, c, e.tol, e.h, kink=(e.lex, e.rex), kinked=True,
                        why="" if status != "undecided" else "the claim is at the edge of the one-sided interval")


# ---------------------------------------------------------------------------
# complex-safety probe
# ---------------------------------------------------------------------------
def _probe(chk):
    """Is f complex-safe at x?  The complex step along a random direction u
    must match central differences along the same (exact) u, at a step
    where the difference is well conditioned.  Returns (safe, reason,
    resolution): safe True/False, or None where no step could tell.
    "Not safe" needs two steps whose differences agree with each other and
    not with the complex step."""
    rng = np.random.default_rng(0)
    # perturbations scaled to the entries (at least 1); the ladder of steps below
    # reaches entries far smaller (e.g. near the end of f's domain) and larger
    dirs = [rng.standard_normal(a.shape) * np.maximum(np.abs(a), 1.0) for a in chk.args]
    last, against, carry, pref, prev = "no finite stencil", [], 0.0, None, None
    downs, ups = [1e-2, 1e-4, 1e-6, 1e-8, 1e-10, 1e-12], [1e2, 1e4, 1e6]
    t, down = CBRT_EPS, False
    for _ in range(8):
        st = chk.stencil(dirs, t)
        if st is None:
            break
        chk.fill(st, 0)
        if not st.finite:
            last, pref = "f is not finite at the probe's steps", "down"
        elif st.vals[1.0] == st.vals[-1.0] == chk.f0:
            # f does not change at all over this step: below its resolution (or constant)
            last = "f does not change over the probe's steps"
            pref = "up" if (pref is None or down) else pref
        else:
            u = [x / st.h for x in st.disp]
            cs = chk.cs(u)
            if cs is None:
                return False, "f does not carry an imaginary part through (complex step)", None
            if not math.isfinite(cs):
                return False, "complex step is not finite", None
            fd = (st.vals[1.0] - st.vals[-1.0]) / (2 * st.h)
            rho = 8 * EPS * max(abs(chk.f0), abs(st.vals[1.0]), abs(st.vals[-1.0])) / st.h
            if abs(cs) > 0 and abs(cs - fd) + rho <= PROBE_TIGHT * abs(cs):
                return True, "", (abs(cs - fd) + rho) / abs(cs)
            chk.fill(st, 1)
            e = chk.analyse(st, "central", carry)
            if e.bad <= 0.1:    # noise of f measured at this step holds at the others
                carry = max(carry, e.sig_emp)
            gap = abs(cs - e.n)
            if e.trusted and abs(cs) > 0 and gap <= 2 * e.E + PROBE_TIGHT * abs(cs) and e.E <= PROBE_LOOSE * abs(cs):
                return True, "", (gap + 2 * e.E) / abs(cs)
            # a derivative ~0 along u: confirmed to below the absolute floor of the check
            unorm = math.sqrt(sum(float(np.sum(x * x)) for x in u))
            if e.trusted and gap + 2 * e.E <= chk.floor * unorm:
                chk.probe_abs = (gap + 2 * e.E) / max(unorm, 1e-300)
                return True, "", (gap + 2 * e.E) / max(abs(cs), chk.floor * unorm)
            if e.trusted and gap > 4 * e.E + PROBE_TIGHT * abs(cs) and e.E <= 0.1 * max(abs(cs), abs(e.n)):
                for n0, E0 in against:
                    if abs(n0 - e.n) <= 2 * (E0 + e.E):
                        return False, (f"complex step {cs:.6g} vs central differences {e.n:.6g} "
                                       f"along a random direction"), None
                against.append((e.n, e.E))
            last = (f"central differences too inaccurate to confirm the complex step "
                    f"(error {e.E:.1e} vs {abs(cs):.1e})")
            # rounding-dominated differences want larger steps, truncation (or
            # aliasing: an untrusted stencil) smaller ones; a smaller step that
            # made things worse turns the search around
            if pref is None:
                pref = "up" if (e.trusted and 3 * e.noise >= 2 * e.trunc) else "down"
            elif down and prev is not None and e.E > prev:
                pref = "up"
            prev = e.E
        if pref == "up" and ups:
            t, down = CBRT_EPS * ups.pop(0), False
        elif downs:
            t, down = CBRT_EPS * downs.pop(0), True
        else:
            break
    return None, last, None


def complex_safe(f, args):
    """True when f carries a complex perturbation through analytically:
    the imaginary part of f(x + i h u) / h must match central differences
    along a random direction u, at a step where they are well conditioned
    (code that takes abs, real parts or casts to float breaks this, and is
    then not complex-safe).  False also where the probe cannot tell."""
    args = [np.asarray(a, dtype=float) for a in args]
    chk = _Checker(f, args, [np.zeros(a.shape) for a in args], "central", 0.0, 0.0, [""] * len(args), 0.0)
    with _quiet():
        try:
            return chk.start() and _probe(chk)[0] is True
        except Exception:        # f fails at x (real or complex): nothing is complex-safe there
            return False


def _step(method, x_scale):
    """Finite-difference step: cbrt(eps) scaled (central differences' best
    trade of O(h^2) truncation against eps/h rounding); 1e-3 for Richardson,
    whose O(h^4) truncation allows a larger h.  The adaptive search refines it."""
    return (1e-3 if method == "richardson" else CBRT_EPS) * max(1.0, x_scale)


@functools.lru_cache(maxsize=None)
def _detect_threshold(directions, p_miss=1e-6):
    """t with P(|N(0,1)| < t)^directions = p_miss: an error e in one entry
    escapes all directions only if every |d_j| < tol / |e|."""
    target = p_miss ** (1.0 / directions)
    lo, hi = 0.0, 10.0
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if math.erf(mid / math.sqrt(2)) < target else (lo, mid)
    return lo


# ---------------------------------------------------------------------------
# the check
# ---------------------------------------------------------------------------
class _Run:
    """One gradcheck: entries, directions, bisection, kinks, the report."""

    def __init__(self, chk, rep):
        self.chk, self.rep = chk, rep
        self.errs = []
        self.detect_terms = {}     # tensor -> list of (tol + 2E, |numeric|) for full-mode detectability
        self.mags = []             # sizes of gradient entries the numerics established
        self.allfinite = {}

    # tolerances
    def entry_tol(self, method):
        chk = self.chk
        rtol, atol = (chk.rtol, chk.atol) if method == chk.method else chk.ctol
        return lambda c, n, st=None: rtol * abs(n) + atol * chk.scale + chk.floor

    def dir_tol(self, method):
        chk = self.chk
        rtol, atol = (chk.rtol_dir, chk.atol) if method == chk.method else (DIRECTIONAL_RTOL["central"], chk.ctol[1])

        def tol(c, n, st):
            s1, s2 = chk.direction_norms(st)
            return rtol * s1 + (atol * chk.scale + chk.floor) * s2
        return tol

    # records
    def passed(self, k, c, n, tol=None, E=0.0):
        self.mags.append(abs(n))
        err = abs(c - n)
        self.errs.append(err)
        self.rep.max_rel_err = max(self.rep.max_rel_err, err / max(abs(c), abs(n), np.finfo(float).tiny))
        if tol is not None:
            self.detect_terms.setdefault(k, []).append((tol + 2 * E, abs(n)))

    def mismatch(self, k, idx, c, v, kink=None):
        chk = self.chk
        err = abs(c - v.numeric)
        rel = err / max(abs(c), abs(v.numeric), np.finfo(float).tiny) if math.isfinite(err) else math.inf
        return Mismatch(k, idx, c, v.numeric, err, rel, v.tol, kink=kink, name=chk.names[k], step=v.step,
                        err_est=v.err)

    def undecided(self, k, idx, c, v, why=None):
        self.rep.undecided.append(Undecided(k, idx, c, v.numeric, v.err, v.tol, why or v.why,
                                            name=self.chk.names[k], step=v.step))

    # one entry
    def entry(self, k, idx, first=None):
        """Judge one entry; records the outcome.  Returns 'ok' | 'failed' | 'undecided'."""
        chk = self.chk
        ix = tuple(int(i) for i in idx)
        c = float(chk.claimed[k][idx])
        unit = (k, idx)
        x = float(chk.args[k][idx])
        if chk.method == "complex-step":
            n = first if first is not None else chk.cs(None, unit)
            tol = self.entry_tol("complex-step")(c, n if n is not None else 0.0)
            if n is not None and math.isfinite(n) and math.isfinite(c) and abs(c - n) <= tol:
                self.passed(k, c, n, tol)
                return "ok"
            v = chk.judge(None, _step("central", abs(x)), "central", self.entry_tol("central"), unit=unit)
            return self.settle_cs(k, ix, c, n, tol, v)
        v = chk.judge(None, _step(chk.method, abs(x)), chk.method, self.entry_tol(chk.method),
                      first=first, unit=unit)
        return self.settle(k, ix, c, v)

    def settle(self, k, ix, c, v):
        """Record a real-arithmetic verdict on entry (k, ix) with claim c."""
        rep = self.rep
        if not math.isfinite(c):
            if math.isfinite(v.numeric) and v.err <= max(abs(v.numeric), v.tol):
                v = _Verdict("failed", v.numeric, v.err, c, v.tol, v.step)
                rep.failures.append(self.mismatch(k, ix, c, v))
                return "failed"
            self.undecided(k, ix, c, v, "claimed value is not finite and the numeric one is not reliable")
            return "undecided"
        if v.status == "ok":
            if v.kink is not None:
                rep.kinks.append((k, ix, v.kink[0], v.kink[1], c))
                self.mags.append(max(abs(v.kink[0]), abs(v.kink[1])))
                self.detect_terms.setdefault(k, []).append((v.tol + 2 * v.err, max(abs(v.kink[0]), abs(v.kink[1]))))
            else:
                self.passed(k, c, v.numeric, v.tol, v.err)
            return "ok"
        if v.status == "failed":
            self.mags.append(max(abs(v.kink[0]), abs(v.kink[1])) if v.kink else abs(v.numeric))
            self.detect_terms.setdefault(k, []).append((v.tol + 2 * v.err, abs(v.numeric)))
            rep.failures.append(self.mismatch(k, ix, c, v, kink=v.kink))
            return "failed"
        self.undecided(k, ix, c, v)
        return "undecided"

    def settle_cs(self, k, ix, c, n, tol, v):
        """Complex step disagreed with the claim (or is not finite); v: the
        central-difference verdict at the same entry."""
        chk, rep = self.chk, self.rep
        if v.kink is not None or n is None or not math.isfinite(n):
            return self.settle(k, ix, c, v)          # at a kink complex step sees one branch only
        cs_v = _Verdict("failed", n, 0.0, c, tol, 0.0)
        if math.isfinite(v.numeric) and abs(n - v.numeric) <= tol + 3 * v.err:
            # central differences agree with the complex step (within their error): a real mismatch
            if not math.isfinite(c) or abs(c - n) > tol:
                rep.failures.append(self.mismatch(k, ix, c, cs_v))
                return "failed"
        if v.status in ("ok", "failed") and math.isfinite(v.numeric):
            return self.settle(k, ix, c, v)          # complex step is off here: central differences decide
        # central differences cannot tell: the complex step stands if the
        # mismatch exceeds what the probe left open
        res = chk.probe_res if chk.probe_res is not None else 1.0
        if math.isfinite(c) and abs(c - n) > tol + 2 * (res * max(abs(n), chk.scale) + chk.probe_abs):
            rep.failures.append(self.mismatch(k, ix, c, cs_v))
            return "failed"
        if not math.isfinite(c):
            rep.failures.append(self.mismatch(k, ix, c, cs_v))
            return "failed"
        self.undecided(k, ix, c, v, f"complex step gives {n:.6g}; central differences: {v.why}")
        return "undecided"

    # directions
    def direction(self, k, d, first=None):
        """Verdict of one direction d (tensor k): 'ok' | 'failed' | 'kinked' | 'undecided', verdict."""
        chk = self.chk
        dd = [None] * len(chk.args)
        dd[k] = d

        def h0():
            xs = float(np.max(np.abs(chk.args[k]))) if chk.args[k].size else 0.0
            method = "central" if chk.method == "complex-step" else chk.method
            return _step(method, xs) / max(float(np.max(np.abs(d))), 1e-300)
        if chk.method == "complex-step":
            n = first if first is not None else chk.cs(dd)
            c = float(np.sum(chk.cfin[k] * d))
            st = _Stencil(1.0, dd, None)
            tol = self.dir_tol("complex-step")(c, n, st)
            if n is not None and math.isfinite(n) and abs(c - n) <= tol:
                return "ok", _Verdict("ok", n, 0.0, c, tol)
            v = chk.judge(dd, h0(), "central", self.dir_tol("central"))
            if v.kinked:
                return "kinked", v
            cs_v = _Verdict("failed", n if n is not None else math.nan, 0.0, c, tol)
            if n is not None and math.isfinite(n) and math.isfinite(v.numeric) and \
                    abs(n - v.numeric) <= tol + 3 * v.err:
                return "failed", cs_v
            return "kinked", v       # complex step unreliable along d: entry by entry
        v = chk.judge(dd, h0(), chk.method, self.dir_tol(chk.method), first=first)
        if v.kinked:
            return "kinked", v
        return v.status, v

    def bisect(self, k, d, limit=5):
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
                status, _ = self.direction(k, masked)
                if status == "failed":
                    stack.append(part)
        return sorted(found)

    def all_entries(self, k):
        for idx in np.ndindex(*self.chk.args[k].shape):
            self.entry(k, idx)

    # kinks at several entries
    def combined_kinks(self):
        """Each claimed entry at a kink picks a side (the one-sided derivative
        it equals); along the combined direction of those sides f's
        one-sided derivative must match the claim."""
        chk, rep = self.chk, self.rep
        if len(rep.kinks) < 2:
            return
        v = [np.zeros(a.shape) for a in chk.args]
        used, tolf = [], self.entry_tol("central")
        for k, idx, left, right, c in rep.kinks:
            t = tolf(c, max(abs(left), abs(right)))
            near_r, near_l = abs(c - right) <= t, abs(c - left) <= t
            if near_r != near_l:
                v[k][idx] = 1.0 if near_r else -1.0
                used.append((k, idx))
        if len(used) < 2:
            return
        d = [x if np.any(x) else None for x in v]
        xs = max(abs(float(chk.args[k][idx])) for k, idx in used)
        verdict = chk.judge(d, _step("central", xs), "central", self.dir_tol("central"))
        if verdict.status == "ok":
            return
        where = ", ".join(f"{chk.names[k]}{list(idx)}" for k, idx in used[:4]) + (" ..." if len(used) > 4 else "")
        side = (f"one-sided [{min(verdict.kink):.6g}, {max(verdict.kink):.6g}]" if verdict.kink
                else f"{verdict.numeric:.6g}")
        rep.notes.append(f"{len(used)} entries at kinks ({where}) each match a one-sided derivative, but along their "
                         f"combined direction the claim gives {verdict.claimed:.6g} and f {side}: the claim is not one "
                         f"consistent one-sided gradient (or the kinks interact beyond what a numeric check "
                         f"can separate)")

    # the whole check
    def run_full(self):
        """Every entry.  The tolerance's scale is the gradient's size from the
        numeric side (claims cannot widen it): first the reliable estimates of
        the first step, then, where the verdicts found a larger gradient
        (e.g. one-sided derivatives at kinks), undecided and failed entries
        are judged again at that scale."""
        chk, rep = self.chk, self.rep
        firsts, mags = {}, []
        for k, a in enumerate(chk.args):
            for idx in np.ndindex(*a.shape):
                unit = (k, idx)
                if chk.method == "complex-step":
                    n = firsts[unit] = chk.cs(None, unit)
                    if n is not None and math.isfinite(n):
                        mags.append(abs(n))
                    continue
                st = chk.stencil(None, _step(chk.method, abs(float(a[idx]))), unit)
                if st is not None:
                    chk.fill(st, 2 if chk.method == "richardson" else 1)
                    if st.finite:
                        e = chk.analyse(st, chk.method)
                        if e.trusted and math.isfinite(e.n) and e.E <= 0.1 * abs(e.n):
                            mags.append(abs(e.n))
                firsts[unit] = st
        chk.scale = max(mags + [0.0])
        for k, a in enumerate(chk.args):
            for idx in np.ndindex(*a.shape):
                self.entry(k, idx, first=firsts[(k, idx)])
        larger = max(self.mags + [0.0])
        if larger > 1.001 * chk.scale and (rep.undecided or rep.failures):
            chk.scale = larger
            again = [(m.tensor, m.index) for m in rep.failures + rep.undecided]
            rep.failures, rep.undecided = [], []
            for k, ix in again:
                self.entry(k, ix)

    def run_directional(self, directions, seed):
        chk, rep = self.chk, self.rep
        rng = np.random.default_rng(seed)
        rep.directions = directions
        plan = []          # (k, [d], [first])
        ns = []
        for k, a in enumerate(chk.args):
            if not a.size:
                plan.append((k, [], []))
                continue
            finite = np.isfinite(chk.claimed[k])
            allfinite = bool(np.all(finite))
            self.allfinite[k] = allfinite
            ds, firsts = [], []
            for _ in range(directions):
                d = rng.standard_normal(a.shape)
                if not allfinite:
                    d = np.where(finite, d, 0.0)
                dd = [None] * len(chk.args)
                dd[k] = d
                if chk.method == "complex-step":
                    first = chk.cs(dd)
                    n = first
                else:
                    xs = float(np.max(np.abs(a)))
                    first = chk.stencil(dd, _step(chk.method, xs) / max(float(np.max(np.abs(d))), 1e-300))
                    n = None
                    if first is not None:
                        chk.fill(first, 2 if chk.method == "richardson" else 1)
                        n = chk.analyse(first, chk.method).n if first.finite else None
                ds.append(d)
                firsts.append(first)
                if n is not None and math.isfinite(n):
                    ns.append((k, n))
            plan.append((k, ds, firsts))
        # the gradient's size from the numerics: E <g, d>^2 = ||g||_2^2 for Gaussian d
        scale = 0.0
        for k, a in enumerate(chk.args):
            vals = [n for kk, n in ns if kk == k]
            cmax = float(np.max(np.abs(chk.cfin[k]))) if a.size else 0.0
            if vals:
                g2 = math.sqrt(sum(n * n for n in vals) / len(vals))
                chk.cap[k], chk.capped[k] = 10 * g2, None
                scale = max(scale, min(cmax, chk.cap[k]))
            else:
                scale = max(scale, cmax)
        chk.scale = scale
        t = _detect_threshold(directions)
        for k, ds, firsts in plan:
            a = chk.args[k]
            if not a.size:
                continue
            if not self.allfinite[k]:
                for idx in zip(*np.nonzero(~np.isfinite(chk.claimed[k]))):
                    self.entry(k, idx)
            tols = []
            for d, first in zip(ds, firsts):
                status, v = self.direction(k, d, first=first)
                tols.append(v.tol + 2 * (v.err if math.isfinite(v.err) else 0.0) if math.isfinite(v.tol) else math.inf)
                if status == "ok":
                    self.passed(k, v.claimed, v.numeric)
                    continue
                if status == "kinked":   # the line crosses kinks: every entry of this tensor on its own
                    rep.entrywise.append(chk.names[k])
                    self.all_entries(k)
                    break
                if status == "undecided":
                    self.undecided(k, (), v.claimed, v)
                    rep.undecided[-1].direction = True
                    continue
                entries = self.bisect(k, d)
                before = len(rep.failures)
                for flat in entries:
                    self.entry(k, np.unravel_index(flat, a.shape))
                if len(rep.failures) == before:  # nothing isolated: report the direction itself
                    err = abs(v.claimed - v.numeric)
                    rep.failures.append(Mismatch(k, (), v.claimed, v.numeric, err,
                                                 err / max(abs(v.claimed), abs(v.numeric), 1e-300), v.tol,
                                                 name=chk.names[k], step=v.step, err_est=v.err, direction=True))
                break  # this tensor has failed; its entries are named above
            # typical entry: |g_j| = mean |g|; caught unless every |d_j| < tol / (rel error * |g_j|)
            capped = chk.capped[k] if chk.capped[k] is not None else np.minimum(np.abs(chk.cfin[k]), chk.cap[k])
            mean_g = float(np.mean(capped))
            rep.detectable[chk.names[k]] = float(np.median(tols)) / t / max(mean_g, 1e-300) if tols else math.inf


def gradcheck(f, args, grads, *, method="auto", rtol=None, atol=None, upcast=False, raise_on_fail=False,
              mode="auto", max_full=500, directions=4, seed=0, names=None):
    """Compare claimed gradients `grads` (arrays shaped like `args`, or a
    callable returning them) with numeric gradients of scalar `f(*args)`.

    Returns a Report with status "ok", "failed" or "undecided" (see the
    module docstring); bool(report) is True only for "ok".  mode "full"
    compares every entry; "directional" compares directional derivatives
    along `directions` Gaussian directions per tensor (each tensor on its
    own, so a small bias gradient is not drowned by a large weight) and,
    when one fails, bisects the direction's support down to the entries.
    "auto": full up to `max_full` entries in all.  `names` label the tensors
    in diagnostics.  raise_on_fail: raise GradcheckError when the status is
    "failed"; when "undecided", warn (GradcheckUndecidedWarning) and return."""
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
    total = sum(a.size for a in args)
    if mode == "auto":
        mode = "full" if total <= max_full else "directional"
        mode_why = f"; {total} entries {'<=' if mode == 'full' else '>'} max_full={max_full}"
    else:
        mode_why = ""
    chk = _Checker(f, args, claimed, "central", 0.0, 0.0, names, 0.0)
    rep = Report(ok=False, method=method if method != "auto" else "central", why="", mode=mode, checked=total)
    with _quiet():
        _check(chk, rep, method, mode, mode_why, rtol, atol, directions, seed)
    return _finish(rep, chk, raise_on_fail)


def _check(chk, rep, method, mode, mode_why, rtol, atol, directions, seed):
    if not chk.start():
        rep.why = "requested" if method != "auto" else "not probed"
        rep.notes.append(f"f(x) = {chk.f0} is not finite")
        return
    if method == "auto":
        safe, reason, res = _probe(chk)
        if safe:
            method = "complex-step"
            chk.probe_res = res
            why = f"f is complex-safe: complex step matches central differences to {res:.0e} along a random direction"
        else:
            method = "central"
            why = "f is not complex-safe" + (f" ({reason})" if reason and safe is False else
                                             f" (unconfirmed: {reason})" if reason else "")
    else:
        why = "requested"
    rep.method, rep.why = method, why + mode_why
    r0, a0 = TOLERANCES[method]
    chk.method = method
    chk.rtol_dir = DIRECTIONAL_RTOL[method] if rtol is None else rtol
    chk.rtol = r0 if rtol is None else rtol
    chk.atol = a0 if atol is None else atol
    run = _Run(chk, rep)
    if mode == "full":
        run.run_full()
    else:
        run.run_directional(directions, seed)
    _kinks_meet(rep)
    if not rep.failures:
        run.combined_kinks()
    if mode == "full":
        # the smallest error in one entry of typical size (the tensor's mean
        # |numeric|, else the gradient's scale) that fails: (tol + 2 E) / size
        for k, terms in run.detect_terms.items():
            typical = float(np.mean([n for _, n in terms]))
            typical = typical if typical > 1e-3 * chk.scale else chk.scale
            if typical > 0:
                rep.detectable[chk.names[k]] = float(np.median([t for t, _ in terms])) / typical
    if run.errs:
        rep.max_abs_err = float(np.max(run.errs))
        rep.median_abs_err = float(np.median(run.errs))


def _kinks_meet(rep):
    """Where several entries sit at kinks, the kinks of several terms meet
    (a sum of ReLUs at z_i = 0 for several examples, say): one entry's
    one-sided interval then need not contain the gradient a convention such
    as ReLU'(0) = 0 gives, so a claim outside it is no counterexample.  Such
    failures become undecided; an isolated kink keeps its interval test."""
    at_kinks = [m for m in rep.failures if m.kink]
    if not at_kinks or len(at_kinks) + len(rep.kinks) < 2:
        return
    for m in at_kinks:
        rep.failures.remove(m)
        rep.undecided.append(Undecided(m.tensor, m.index, m.actual, m.desired, m.abs_err, m.tol,
                                       f"{len(at_kinks) + len(rep.kinks)} entries sit at kinks, which meet here: "
                                       f"outside this entry's one-sided interval [{min(m.kink):.6g}, "
                                       f"{max(m.kink):.6g}] is no counterexample", name=m.name, step=m.step))


def _finish(rep, chk, raise_on_fail):
    rep.evaluations = chk.evaluations
    rep.failures.sort(key=lambda m: -(m.abs_err / max(m.tol, 1e-300)) if math.isfinite(m.abs_err) else -math.inf)
    rep.status = "failed" if rep.failures else "undecided" if (rep.undecided or rep.notes) else "ok"
    rep.ok = rep.status == "ok"
    if rep.status == "undecided":     # why: the method's reason, then why undecided
        rep.why = f"{rep.why}{UNDECIDED_SEP}{rep.reason}"
    if raise_on_fail and rep.status == "failed":
        raise GradcheckError(str(rep))
    if raise_on_fail and rep.status == "undecided":
        warnings.warn(str(rep), GradcheckUndecidedWarning, stacklevel=3)
    return rep


# ---------------------------------------------------------------------------
# Taylor test
# ---------------------------------------------------------------------------
@dataclass
class TaylorReport:
    ok: bool
    order: float
    steps: list       # h
    remainders: list  # |f(x + h d) - f(x) - h g.d|
    status: str = ""  # "ok" | "failed" | "undecided"
    why: str = ""
    window: list = field(default_factory=list)   # the steps the order was fitted on

    __post_init__ = Report.__post_init__
    __bool__ = Report.__bool__

    @property
    def reason(self):
        """Why the test is undecided ("" otherwise)."""
        return self.why if self.status == "undecided" else ""

    def __str__(self):
        word = {"ok": "passed", "failed": "FAILED", "undecided": "UNDECIDED"}[self.status]
        rows = ", ".join(f"h={h:.1e}: {r:.2e}" for h, r in zip(self.steps, self.remainders) if h in self.window) \
            or ", ".join(f"h={h:.1e}: {r:.2e}" for h, r in zip(self.steps, self.remainders))
        return (f"Taylor test {word}: remainder order {self.order:.3f} (want >= 2: a wrong gradient leaves order 1)"
                + (f"; {self.why}" if self.why else "") + f"; {rows}")


def taylor_test(f, args, grads, *, seed=0, steps=None):
    """An eps-free second opinion: along a random Gaussian direction d, the
    remainder |f(x + h d) - f(x) - h grad.d| of a correct gradient shrinks
    like h^2 (h^3 where d is a direction of zero curvature); a wrong
    gradient leaves an O(h) term, which dominates at small h.

    The steps halve from ~1/||d|| until the remainder reaches 1e3 x its
    rounding level (or `steps` are given); the order is the median of the
    local orders log2(r(h) / r(h/2)) over the smallest steps above rounding:
    the asymptotic regime.  ok: order >= 1.8; failed: order <= 1.3 with
    every local order in the window <= 1.6; else undecided."""
    args = [np.asarray(a, dtype=float) for a in args]
    claimed = grads(*args) if callable(grads) else grads
    rng = np.random.default_rng(seed)
    dirs = [rng.standard_normal(a.shape) for a in args]
    f0 = float(_scalar(f(*args)))
    slope = sum(float(np.sum(np.asarray(g, dtype=float) * d)) for g, d in zip(claimed, dirs))
    if not (math.isfinite(f0) and math.isfinite(slope)):
        return TaylorReport(False, math.nan, [], [], "undecided", "f(x) or the claimed slope is not finite")

    def remainder(h):
        fh = float(_scalar(f(*[a + h * d for a, d in zip(args, dirs)])))
        floor = 1e3 * 8 * EPS * (abs(f0) + abs(fh) + abs(h * slope))
        return abs(fh - f0 - h * slope), floor, math.isfinite(fh)

    hs, rs, floors = [], [], []
    if steps is not None:
        for h in steps:
            r, fl, ok = remainder(h)
            hs.append(h), rs.append(r), floors.append(fl if ok else math.inf)
    else:
        norm = math.sqrt(sum(float(np.sum(d * d)) for d in dirs))
        h = 1.0 / max(norm, 1e-300)
        for _ in range(60):
            r, fl, ok = remainder(h)
            hs.append(h), rs.append(r), floors.append(fl if ok else math.inf)
            if ok and r <= fl and len(hs) > 1:
                break
            h /= 2
    above = [i for i, (r, fl) in enumerate(zip(rs, floors)) if r > fl]
    if not above:
        if all(math.isfinite(fl) for fl in floors):   # f is linear along d, and so is the claim
            return TaylorReport(True, math.nan, hs, rs, "ok", "remainders at rounding level: f is linear along d")
        return TaylorReport(False, math.nan, hs, rs, "undecided", "f is not finite along d")
    # the smallest steps whose remainder (and its successor's) are above rounding
    pairs = [i for i in range(len(hs) - 1) if i in above and i + 1 in above]
    pairs = pairs[-5:]
    if len(pairs) < 2:
        return TaylorReport(False, math.nan, hs, rs, "undecided", "too few steps above rounding to fit an order")
    local = [math.log(rs[i] / rs[i + 1]) / math.log(hs[i] / hs[i + 1]) for i in pairs]
    order = float(np.median(local))
    window = [hs[i] for i in pairs] + [hs[pairs[-1] + 1]]
    if order >= 1.8:
        # an error e in the slope adds h |e| to the remainder: hidden below r / h at the smallest step fitted
        i = pairs[-1] + 1
        return TaylorReport(True, order, hs, rs, "ok",
                            f"a slope error below {rs[i] / hs[i]:.1e} along d would not show", window=window)
    if order <= 1.3 and max(local) <= 1.6:
        return TaylorReport(False, order, hs, rs, "failed", window=window)
    return TaylorReport(False, order, hs, rs, "undecided",
                        f"local orders {', '.join(f'{p:.2f}' for p in local)} do not settle", window=window)
