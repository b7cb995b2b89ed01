"""The checks can fail: deliberately wrong claims must be refuted by each
check that can see them."""
import dataclasses

import numpy as np
import pytest
import sympy as sp

import checks
import derive
from conftest import built_in_sympy
from derive.verification.checks import kind_check
import derive.matrix.mexpr
from derive.maths.functions import f, fprime, sigmoid
from derive.matrix.mexpr import apply, hadamard


def _with_claims(rid, edit):
    """A copy of a registry Gradient whose claims are edited by `edit`."""
    return built_in_sympy(derive.result(rid).how, lambda V, k, claims: edit(V, claims) if k == 0 else claims)


def _delta(V):
    return hadamard(V.v, apply(fprime, V.W * V.x + V.b))


WRONG_WINDOW = {
    "x gradient doubled": lambda V, c: {**c, "x": V.W.T * (2 * _delta(V))},
    "sign flip": lambda V, c: {**c, "W": -(_delta(V) * V.x.T)},
    "bias scaled by 1.1": lambda V, c: {**c, "b": sp.Rational(11, 10) * _delta(V)},
    "f' at the wrong argument": lambda V, c: {**c, "b": hadamard(V.v, apply(fprime, V.W * V.x))},
}


@pytest.mark.parametrize("name", WRONG_WINDOW)
def test_wrong_window_gradient_fails_every_check(name):
    how = _with_claims("window-score-gradients", WRONG_WINDOW[name])
    ok_sym, detail = kind_check(how, "symbolic")
    assert not ok_sym, detail
    assert not kind_check(how, "concrete")[0]
    assert not kind_check(how, "numeric", "test")[0]


def test_missing_transpose_is_refuted_by_claim():
    """dL/dx = W delta (no transpose) is undefined for non-square W."""
    V = derive.matrix.mexpr.variables({"W": ("h", "n"), "x": ("n", 1), "b": ("h", 1), "v": ("h", 1)})
    s = V.v.T * apply(f, V.W * V.x + V.b)
    sizes = {"h": 3, "n": 2}
    v = derive.claim(derive.explicit_gradient(s, V.x, sizes), V.W * _delta(V), sizes=sizes)
    assert v.holds is False and "undefined" in v.detail
    ok = derive.claim(derive.explicit_gradient(s, V.x, sizes), V.W.T * _delta(V), sizes=sizes)
    assert ok.holds is True


def test_wrong_sigmoid_derivative_fails():
    r = derive.result("sigmoid-derivative")
    how = dataclasses.replace(r.how, claims={"x": "sigmoid(x) * (1 + sigmoid(x))"})
    assert not kind_check(how, "symbolic")[0]
    assert not kind_check(how, "concrete")[0]
    assert not kind_check(how, "numeric", "t")[0]


def test_softmax_ce_needs_its_assumption():
    r = derive.result("softmax-ce-gradient")
    how = dataclasses.replace(r.how, assume=())
    assert not kind_check(how, "symbolic")[0], "without sum(y) = 1 the result must not be proved"


def test_wrong_delta_recursion_fails():
    def edit(V, c):
        z2 = V.W1 * V.x + V.b1
        z3 = V.W2 * apply(f, z2) + V.b2
        d3 = hadamard(V.v, apply(fprime, z3))
        return {**c, "b1": hadamard(V.W2.T * d3, apply(fprime, z2 + z2))}
    how = _with_claims("two-layer-delta-recursion", edit)
    assert not kind_check(how, "symbolic")[0]
    assert not kind_check(how, "numeric", "t")[0]


def test_gradcheck_catches_small_error():
    rng = np.random.default_rng(1)
    W, x = rng.standard_normal((3, 2)), rng.standard_normal((2, 1))
    loss = lambda W: (np.tanh(W @ x) ** 2).sum()  # noqa: E731  complex-safe
    good = (2 * np.tanh(W @ x) * (1 - np.tanh(W @ x) ** 2)) @ x.T
    assert checks.gradcheck(loss, [W], [good]).ok
    bad = good.copy()
    bad[1, 0] *= 1 + 1e-6
    rep = checks.gradcheck(loss, [W], [bad])
    assert rep.method == "complex-step"
    assert not rep.ok and rep.failures[0].index == (1, 0)


def test_gradcheck_detects_code_that_is_not_complex_safe():
    rng = np.random.default_rng(2)
    W, x = rng.standard_normal((3, 2)), rng.standard_normal((2, 1))
    loss = lambda W: float((np.tanh(W @ x) ** 2).sum())  # noqa: E731  float() drops the imaginary part
    rep = checks.gradcheck(loss, [W], [(2 * np.tanh(W @ x) * (1 - np.tanh(W @ x) ** 2)) @ x.T])
    assert rep.ok and rep.method == "central" and "not complex-safe" in rep.why


def test_gradcheck_refuses_float32():
    with pytest.raises(TypeError, match="float32"):
        checks.gradcheck(lambda w: (w ** 2).sum(), [np.ones(3, dtype=np.float32)], [2 * np.ones(3)])


# ---------------------------------------------------------------------------
# non-smooth results: branches, kinks
# ---------------------------------------------------------------------------
def test_relu_neuron_without_the_indicator_fails():
    """dC/dw = (1/m) X e^T, forgetting the sum runs over z_i > 0 only."""
    r = derive.result("mse-relu-neuron")
    how = dataclasses.replace(r.how, claims={**r.how.claims, "w": "X @ e.T / m"})
    assert not kind_check(how, "symbolic")[0]       # the z > 0 branch holds, the z < 0 one does not
    assert not kind_check(how, "concrete")[0]
    assert not kind_check(how, "numeric", "mse-relu-neuron")[0]


def _hinge(theta_shift=0.0):
    """The max-margin loss of seed 001 as a function of b, and its claimed
    gradient (the derive convention: indicator 0 at the kink)."""
    rng = np.random.default_rng(3)
    W, x, xc, v = rng.standard_normal((3, 2)), rng.standard_normal((2, 1)), rng.standard_normal((2, 1)), rng.standard_normal((3, 1))
    sig = lambda t: 1 / (1 + np.exp(-t))  # noqa: E731
    b0 = rng.standard_normal((3, 1))
    v = v / (v.T @ (sig(W @ x + b0) - sig(W @ xc + b0))).item()   # 1 - s + s_c = 0 at b0
    J = lambda b: np.maximum(0.0, 1 - v.T @ sig(W @ x + b) + v.T @ sig(W @ xc + b)).item()  # noqa: E731

    def grad(b):
        margin = 1 - (v.T @ sig(W @ x + b)).item() + (v.T @ sig(W @ xc + b)).item()
        d, dc = v * sig(W @ x + b) * (1 - sig(W @ x + b)), v * sig(W @ xc + b) * (1 - sig(W @ xc + b))
        return (dc - d) * (margin > 0)
    return J, grad, b0 + theta_shift


@pytest.mark.parametrize("shift", [0.0, 1e-7, -1e-7, 1e-3])
def test_hinge_at_and_near_its_kink_passes(shift):
    J, grad, b = _hinge(shift)
    rep = checks.gradcheck(J, [b], [grad(b)])
    assert rep.ok, str(rep)


def test_hinge_at_its_kink_detects_the_kink_and_a_wrong_gradient():
    J, grad, b = _hinge()
    rep = checks.gradcheck(J, [b], [grad(b)])
    assert rep.kinks, "the stencil crosses the hinge: the interval test must be used"
    assert np.any(grad(b) != 0)   # margin = +1e-16 here: the z > 0 branch
    wrong = checks.gradcheck(J, [b], [-2 * grad(b)])   # outside [left, right]
    assert not wrong.ok and "kink" in str(wrong)


def test_a_smooth_function_is_not_taken_for_a_kink():
    """Large curvature (f'' = 2e4) must not excuse a wrong gradient."""
    f_ = lambda x: 1e4 * float(np.sum(x ** 2))  # noqa: E731
    x = np.array([0.3, -0.2])
    assert checks.gradcheck(f_, [x], [2e4 * x]).ok
    rep = checks.gradcheck(f_, [x], [2e4 * x * (1 + 1e-4)], method="central")
    assert not rep.ok and not rep.kinks


# ---------------------------------------------------------------------------
# facts and errata
# ---------------------------------------------------------------------------
def test_a_false_fact_fails():
    from derive.records import Facts
    from derive.verification.facts import exact
    how = Facts(lambda: [exact("1/3 + 1/3 = 1/2", sp.Rational(1, 3) * 2, sp.Rational(1, 2))])
    ok, detail = kind_check(how, "symbolic")[:2]
    assert not ok and "FAILED" in detail


def test_a_true_claim_is_not_refuted():
    """An erratum whose 'mistake' is in fact right must fail its refutation."""
    from derive.records import Mistake, Result
    x = sp.Symbol("x", real=True)
    r = Result(id="not-a-mistake", seed="001", section="", title="", statement="", written="",
               how=Mistake(lambda: dict(lhs=sp.diff(sigmoid(x), x), rhs=sigmoid(x) * (1 - sigmoid(x))),
                           correct="sigmoid-derivative"))
    v = derive.verify(r)
    assert not v.ok and "not refuted" in v.checks[0].detail


def test_worked_numbers_are_checked_not_copied():
    """Change one worked number of the notes and the entry fails."""
    from derive.verification.facts import exact
    t = sp.Rational(123456, 1000)
    assert exact("", t ** 2, sp.Rational(15241383936, 10 ** 6)).ok
    assert not exact("", t ** 2, sp.Rational(15241383937, 10 ** 6)).ok


# ---------------------------------------------------------------------------
# Richardson extrapolation and the Taylor test
# ---------------------------------------------------------------------------
def _mlp():
    rng = np.random.default_rng(7)
    W1, W2, x = rng.standard_normal((4, 3)), rng.standard_normal((2, 4)), rng.standard_normal((3, 1))
    sig = lambda t: 1 / (1 + np.exp(-t))  # noqa: E731
    loss = lambda W1, W2: float(np.sum(sig(W2 @ sig(W1 @ x)) ** 2))  # noqa: E731
    _, grads = checks.grad(lambda W1, W2: checks.ops.sum(checks.ops.sigmoid(W2 @ checks.ops.sigmoid(W1 @ x)) ** 2), W1, W2)
    return loss, [W1, W2], grads


def test_richardson_is_sharper_than_central():
    loss, args, grads = _mlp()
    rich = checks.gradcheck(loss, args, grads, method="richardson")
    cent = checks.gradcheck(loss, args, grads, method="central")
    assert rich.ok and cent.ok and rich.method == "richardson"
    assert rich.max_rel_err < cent.max_rel_err / 10, (rich.max_rel_err, cent.max_rel_err)
    wrong = [g.copy() for g in grads]
    wrong[0][1, 2] *= 1 + 1e-6       # central (rtol 1e-6) cannot see this; Richardson can
    assert not checks.gradcheck(loss, args, wrong, method="richardson").ok


def test_unknown_method_is_a_clear_error():
    loss, args, grads = _mlp()
    with pytest.raises(ValueError, match="richardson"):
        checks.gradcheck(loss, args, grads, method="forward")


def test_taylor_test_has_order_two_for_a_correct_gradient_only():
    loss, args, grads = _mlp()
    good = checks.taylor_test(loss, args, grads)
    assert good.ok and 1.9 <= good.order <= 2.1, str(good)
    wrong = [g.copy() for g in grads]
    wrong[1] = wrong[1].T.reshape(wrong[1].shape) if wrong[1].shape[0] != wrong[1].shape[1] else -wrong[1]
    wrong[1][0, 0] += 0.1
    bad = checks.taylor_test(loss, args, wrong)
    assert not bad.ok and bad.order < 1.5, str(bad)


def test_a_wrong_correction_fails():
    """The correction is proved: a typed-in wrong one (sigma(1 + sigma)) fails."""
    import dataclasses
    r = derive.result("mistake-sigmoid-derivative-sign")
    how = dataclasses.replace(r.how, corrected="sigmoid(x) * (1 + sigmoid(x))")
    by = {c.name: c for c in derive.verify(dataclasses.replace(r, how=how)).checks}
    assert by["refutation"].ok and not by["correction"].ok
