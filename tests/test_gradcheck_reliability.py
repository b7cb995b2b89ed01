"""checks.gradcheck never gives a false verdict: "ok" only where the numeric
evidence supports the claim, "failed" only on a real mismatch, "undecided"
(with why) where it cannot tell.  Each case below was a wrong verdict of an
earlier version (wrong gradients passed, right ones failed)."""
import numpy as np
import pytest

import checks
from checks import GradcheckError, GradcheckUndecidedWarning, complex_safe, gradcheck, taylor_test

A = np.array


def sq(x):
    return (x ** 2).sum()


# ---------------------------------------------------------------------------
# non-finite claims, and a huge claim widening the others' tolerance
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["auto", "central", "richardson"])
@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_a_non_finite_claim_never_passes(method, bad):
    rep = gradcheck(sq, [np.ones(3)], [A([bad, 0.0, 0.0])], method=method)
    assert rep.status == "failed" and not rep.ok and not rep
    worst = rep.failures[0]
    assert worst.index == (0,) and worst.desired == pytest.approx(2.0, rel=1e-6)
    assert "arg 0[0]" in str(rep).splitlines()[0]


def test_a_huge_wrong_claim_does_not_widen_the_tolerance_of_the_others():
    # atol * ||claimed||_inf was 1e-12 * 1e10 = 1e-2: the 1e-3 error in entry 2 hid under it
    rep = gradcheck(sq, [np.ones(3)], [A([1e10, 2.0, 2.001])])
    assert rep.status == "failed"
    assert {m.index for m in rep.failures} == {(0,), (2,)}


def test_f_not_finite_at_x_is_undecided():
    rep = gradcheck(lambda x: np.log(x).sum(), [-np.ones(2)], [np.ones(2)])
    assert rep.status == "undecided" and not rep.ok and "not finite" in str(rep).splitlines()[0]


# ---------------------------------------------------------------------------
# ill-conditioned central differences: the complex-step probe decides
# complex safety without a fixed step
# ---------------------------------------------------------------------------
def big_offset(x):
    return 1e12 + (x ** 2).sum()


def pole(x):
    return (1 / x).sum()


def shifted_square(x):
    return ((x + 1e8) ** 2).sum() - 1e16


HARD = [  # (f, x, correct gradient)
    (big_offset, np.ones(3), 2 * np.ones(3)),
    (pole, A([1e-6]), A([-1e12])),
    (lambda x: np.sin(x).sum(), A([3e8]), np.cos(A([3e8]))),
    (lambda x: np.sqrt(x).sum(), A([1e-10]), A([0.5e5])),
    (shifted_square, A([0.0]), A([2e8])),
]
HARD_IDS = ["1e12 + x^2", "1/x at 1e-6", "sin at 3e8", "sqrt at 1e-10", "(x + 1e8)^2 - 1e16"]


@pytest.mark.parametrize("f, x, g", HARD, ids=HARD_IDS)
def test_hard_points_are_complex_safe_and_correct_gradients_pass(f, x, g):
    assert complex_safe(f, [x])
    rep = gradcheck(f, [x], [g])
    assert rep.status == "ok" and rep.method == "complex-step", str(rep)


@pytest.mark.parametrize("f, x, g", HARD, ids=HARD_IDS)
def test_hard_points_never_pass_a_zero_claim(f, x, g):
    for method in ("auto", "central", "richardson"):
        rep = gradcheck(f, [x], [np.zeros_like(x)], method=method)
        assert rep.status != "ok", (method, str(rep))
    assert gradcheck(f, [x], [np.zeros_like(x)]).status == "failed"


@pytest.mark.parametrize("f, x, g", HARD, ids=HARD_IDS)
@pytest.mark.parametrize("method", ["central", "richardson"])
def test_hard_points_never_fail_a_correct_claim_by_differences(f, x, g, method):
    rep = gradcheck(f, [x], [g], method=method)
    assert rep.status != "failed", str(rep)
    if rep.status == "undecided":
        assert rep.undecided and rep.undecided[0].why


def test_code_that_is_not_complex_safe_is_still_detected():
    assert not complex_safe(lambda x: np.abs(x).sum(), [A([0.5, -2.0])])
    assert not complex_safe(lambda x: float(np.sum(x ** 2)), [A([0.5, -2.0])])
    assert not complex_safe(lambda x: np.sum(x.real ** 2 + x), [A([0.5, -2.0])])
    assert complex_safe(lambda x: np.sum(np.tanh(x) ** 2), [A([0.5, -2.0])])


# ---------------------------------------------------------------------------
# kinks: only a kink at x excuses a mismatch, and several kinks must agree
# ---------------------------------------------------------------------------
def l1(x):
    return np.abs(x).sum()


def test_a_kink_near_x_does_not_excuse_a_wrong_claim():
    rep = gradcheck(l1, [A([1e-7])], [A([0.0])])
    assert rep.status == "failed" and not rep.kinks, str(rep)
    assert rep.failures[0].desired == pytest.approx(1.0) and rep.failures[0].kink is None
    assert gradcheck(l1, [A([1e-7])], [A([1.0])]).status == "ok"
    assert gradcheck(l1, [A([-3e-9])], [A([1.0])]).status == "failed"


@pytest.mark.parametrize("claim, status", [(0.0, "ok"), (1.0, "ok"), (-0.5, "ok"), (2.0, "failed")])
def test_a_kink_at_x_uses_the_one_sided_interval(claim, status):
    rep = gradcheck(l1, [A([0.0])], [A([claim])])
    assert rep.status == status, str(rep)
    if status == "ok":
        assert rep.kinks and sorted(rep.kinks[0][2:4]) == pytest.approx([-1.0, 1.0])


@pytest.mark.parametrize("claim, ok", [([1.0, 1.0], False), ([0.0, 0.0], False),
                                       ([1.0, 0.0], True), ([0.0, 1.0], True), ([0.5, 0.5], True)])
def test_a_tie_of_max_needs_a_consistent_claim(claim, ok):
    """At max(x0, x1) with x0 = x1 each entry alone is at a kink with one-sided
    derivatives 0 and 1; along (1, 1) f has slope 1, so [1, 1] (slope 2) is no
    gradient of either branch: never ok."""
    rep = gradcheck(lambda x: np.max(x), [A([1.0, 1.0])], [A(claim)])
    assert rep.ok is ok, str(rep)
    if not ok:
        assert rep.status == "undecided" and "combined direction" in str(rep).splitlines()[0]


# ---------------------------------------------------------------------------
# noise: read as noise, not as kinks
# ---------------------------------------------------------------------------
def noisy(seed, safe):
    noise = np.random.default_rng(seed)
    if safe:
        return lambda x: np.sum(x ** 2) + 1e-9 * noise.standard_normal()
    return lambda x: float(np.sum(x ** 2)) + 1e-9 * noise.standard_normal()


@pytest.mark.parametrize("safe", [False, True])
def test_noisy_f_never_passes_a_wrong_gradient(safe):
    """f = x^2 + 1e-9 noise, claim 2x (1 + 1e-4): an earlier version passed
    33 of 50 (noise read as kinks)."""
    rng, f = np.random.default_rng(0), noisy(1000, safe)
    statuses = []
    for _ in range(20):
        x = rng.standard_normal(1)
        statuses.append(gradcheck(f, [x], [2 * x * (1 + 1e-4)]).status)
    assert "ok" not in statuses, statuses


def test_noisy_f_never_fails_a_right_gradient_and_says_why():
    rng, f = np.random.default_rng(0), noisy(1000, False)
    statuses = []
    for _ in range(10):
        x = rng.standard_normal(2)
        rep = gradcheck(f, [x], [2 * x])
        statuses.append(rep.status)
        assert rep.status != "failed", str(rep)
        if rep.status == "undecided":   # or ok where a larger step beats the noise
            assert "noise" in rep.undecided[0].why or "rounding" in rep.undecided[0].why, str(rep)
    rng, f = np.random.default_rng(0), noisy(1000, False)
    x = rng.standard_normal(2)
    loud = lambda x: f(x) + 1e-6 * np.random.default_rng().standard_normal()  # noqa: E731
    assert gradcheck(loud, [x], [2 * x]).status == "undecided"


def test_a_constant_f_has_zero_gradient_not_undecided():
    rep = gradcheck(lambda x: 5.0 + 0 * x.sum(), [A([0.3, 2.0])], [np.zeros(2)], method="central")
    assert rep.status == "ok", str(rep)
    assert gradcheck(lambda x: 5.0 + 0 * x.sum(), [A([0.3, 2.0])], [A([0.0, 1e-3])],
                     method="central").status == "failed"


# ---------------------------------------------------------------------------
# the report
# ---------------------------------------------------------------------------
def test_the_summary_line_names_the_worst_failing_entry():
    x = np.linspace(0.5, 2.0, 12)
    bad = 2 * x
    bad[[1, 4, 6]] += [1e-2, 3e-2, 2e-2]
    rep = gradcheck(lambda x: float(np.sum(x ** 2)), [x], [bad], names=["x"])
    head = str(rep).splitlines()[0]
    assert head.startswith("gradcheck FAILED at x[4]: claimed ")
    assert f"claimed {bad[4]:.10g} vs numeric {2 * x[4]:.6f}" in head
    assert "3 failing" in head and "passing entries: max abs err" in head


def test_a_central_difference_report_states_what_it_could_detect():
    rng = np.random.default_rng(3)
    W, v = rng.standard_normal((3, 4)), rng.standard_normal(4)
    f = lambda W: float(np.sum(np.tanh(W @ v) ** 2))  # noqa: E731  float(): not complex-safe
    g = np.outer(2 * np.tanh(W @ v) * (1 - np.tanh(W @ v) ** 2), v)
    rep = gradcheck(f, [W], [g], names=["W"])
    assert rep.status == "ok" and rep.method == "central"
    assert "detectable (central differences)" in str(rep) and 0 < rep.detectable["W"] < 1e-5


def test_status_api_and_raise_on_fail():
    ok = gradcheck(sq, [np.ones(3)], [2 * np.ones(3)], raise_on_fail=True)
    assert ok.status == "ok" and ok.ok and bool(ok) and str(ok).startswith("gradcheck passed")
    with pytest.raises(GradcheckError, match="FAILED at arg 0"):
        gradcheck(sq, [np.ones(3)], [np.zeros(3)], raise_on_fail=True)
    # undecided is no failure: raise_on_fail warns (with the report) and returns it
    with pytest.warns(GradcheckUndecidedWarning, match="UNDECIDED"):
        rep = gradcheck(lambda x: np.max(x), [A([1.0, 1.0])], [A([1.0, 1.0])], raise_on_fail=True)
    assert rep.status == "undecided" and not rep.ok and not rep
    assert rep.reason and rep.why.endswith("undecided: " + rep.reason) and "combined direction" in rep.reason
    # Report keeps its old constructor: status follows ok
    assert checks.Report(ok=True, method="central", why="").status == "ok"
    assert checks.Report(ok=False, method="central", why="").status == "failed"


def test_an_undecided_entry_is_never_counted_as_passed():
    noise = np.random.default_rng(7)
    f = lambda x: float(np.sum(x ** 2)) + 1e-6 * noise.standard_normal()  # noqa: E731
    x = np.random.default_rng(0).standard_normal(3)
    rep = gradcheck(f, [x], [2 * x])
    assert rep.status == "undecided" and len(rep.undecided) == 3 and rep.max_abs_err == 0.0
    assert "UNDECIDED" in str(rep) and all(u.why for u in rep.undecided)


# ---------------------------------------------------------------------------
# correct gradients of ordinary functions still pass, by every method
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["auto", "central", "richardson"])
@pytest.mark.parametrize("seed", range(3))
def test_correct_smooth_gradients_pass_by_every_method(method, seed):
    rng = np.random.default_rng(seed)
    W1, W2, x = rng.standard_normal((4, 3)), rng.standard_normal((2, 4)), rng.standard_normal((3, 1))
    _, grads = checks.grad(lambda W1, W2: checks.ops.sum(checks.ops.tanh(W2 @ checks.ops.sigmoid(W1 @ x)) ** 2),
                           W1, W2)
    f = lambda W1, W2: np.sum(np.tanh(W2 @ (1 / (1 + np.exp(-(W1 @ x))))) ** 2)  # noqa: E731
    rep = gradcheck(f, [W1, W2], grads, method=method)
    assert rep.status == "ok", str(rep)
    wrong = [g.copy() for g in grads]
    wrong[1][1, 2] += 1e-3 * (1 + abs(wrong[1][1, 2]))
    bad = gradcheck(f, [W1, W2], wrong, method=method)
    assert bad.status == "failed" and bad.failures[0].index == (1, 2) and bad.failures[0].tensor == 1


# ---------------------------------------------------------------------------
# the Taylor test
# ---------------------------------------------------------------------------
def tanh_softmax_net(seed=0, Dx=34, H=34, Dy=10, M=16):
    rng = np.random.default_rng(seed)
    params = [rng.standard_normal((Dx, H)) / np.sqrt(Dx), rng.standard_normal(H) * 0.1,
              rng.standard_normal((H, Dy)) / np.sqrt(H), rng.standard_normal(Dy) * 0.1]
    X, Y = rng.standard_normal((M, Dx)), np.eye(Dy)[rng.integers(0, Dy, M)]

    def f(W1, b1, W2, b2):
        z = np.tanh(X @ W1 + b1) @ W2 + b2
        z = z - z.max(axis=1, keepdims=True)
        return -(Y * (z - np.log(np.exp(z).sum(axis=1, keepdims=True)))).sum() / M

    a = np.tanh(X @ params[0] + params[1])
    z = a @ params[2] + params[3]
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    d2 = (p - Y) / M
    d1 = (d2 @ params[2].T) * (1 - a ** 2)
    return f, params, [X.T @ d1, d1.sum(0), a.T @ d2, d2.sum(0)]


@pytest.mark.parametrize("dims", [(34, 34, 10, 16), (3, 4, 3, 5)])
def test_taylor_test_accepts_a_correct_tanh_softmax_network_on_every_seed(dims):
    f, params, grads = tanh_softmax_net(0, *dims)
    for seed in range(20):
        rep = taylor_test(f, params, grads, seed=seed)
        assert rep.status == "ok" and rep.order >= 1.8, (seed, str(rep))


def test_taylor_test_rejects_a_wrong_gradient_on_every_seed():
    f, params, grads = tanh_softmax_net()
    for seed in range(20):
        rng = np.random.default_rng(seed)
        wrong = [g.copy() for g in grads]
        k = int(rng.integers(4))
        wrong[k].flat[rng.integers(wrong[k].size)] += 0.05
        rep = taylor_test(f, params, wrong, seed=seed)
        assert rep.status == "failed" and rep.order < 1.5 and not rep, (seed, str(rep))
