"""The checks can fail: deliberately wrong claims must be refuted by each
check that can see them."""
import dataclasses

import numpy as np
import pytest
import sympy as sp

import checks
import derive
from derive.functions import f, fprime, sigmoid
from derive.mexpr import apply, hadamard


def _with_claims(rid, edit):
    """A copy of a registry Gradient whose claims are edited by `edit`."""
    r = derive.result(rid)
    build = r.how.build

    def wrong(V):
        scalar, claims = build(V)
        return scalar, edit(V, dict(claims))

    return dataclasses.replace(r.how, build=wrong)


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
    ok_sym, detail = how.symbolic()
    assert not ok_sym, detail
    assert not how.concrete()[0]
    assert not how.numeric("test")[0]


def test_missing_transpose_is_refuted_by_claim():
    """dL/dx = W delta (no transpose) is undefined for non-square W."""
    V = derive.mexpr.variables({"W": ("h", "n"), "x": ("n", 1), "b": ("h", 1), "v": ("h", 1)})
    s = V.v.T * apply(f, V.W * V.x + V.b)
    sizes = {"h": 3, "n": 2}
    v = derive.claim(derive.gradient(s, V.x, sizes), V.W * _delta(V), sizes=sizes)
    assert v.holds is False and "undefined" in v.detail
    ok = derive.claim(derive.gradient(s, V.x, sizes), V.W.T * _delta(V), sizes=sizes)
    assert ok.holds is True


def test_wrong_sigmoid_derivative_fails():
    r = derive.result("sigmoid-derivative")
    how = dataclasses.replace(r.how, build=lambda V: (1 / (1 + sp.exp(-V.x)), {"x": sigmoid(V.x) * (1 + sigmoid(V.x))}))
    assert not how.symbolic()[0]
    assert not how.concrete()[0]
    assert not how.numeric("t")[0]


def test_softmax_ce_needs_its_assumption():
    r = derive.result("softmax-ce-gradient")
    how = dataclasses.replace(r.how, assume=())
    assert not how.symbolic()[0], "without sum(y) = 1 the result must not be proved"


def test_wrong_delta_recursion_fails():
    def edit(V, c):
        z2 = V.W1 * V.x + V.b1
        z3 = V.W2 * apply(f, z2) + V.b2
        d3 = hadamard(V.v, apply(fprime, z3))
        return {**c, "b1": hadamard(V.W2.T * d3, apply(fprime, z2 + z2))}
    how = _with_claims("two-layer-delta-recursion", edit)
    assert not how.symbolic()[0]
    assert not how.numeric("t")[0]


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
