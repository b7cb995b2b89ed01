"""derive.testing.assert_backward: a hand-written backward judged against a
proved gradient.

A right backward passes (dict and tuple returns); each classic slip fails
and is named; a wrong backward that is no classic slip fails without a
name; an expression derive cannot prove raises Unproved before the backward
runs; a wrong shape, a wrong count, or a crash is a clear failure.  The
backwards here are written in NumPy by hand, independently of derive.
"""
import re

import numpy as np
import pytest

import derive
from derive.testing import Unproved, assert_backward, default_sizes

LAYER = "sum((sigmoid(W @ X + b) - Y)**2) / m"
SHAPES = {"W": "h,n", "X": "n,m", "b": "h,1", "Y": "h,m"}
SQUARE = "sum(Y * (W @ X))"
SQUARE_SHAPES = {"W": "n,n", "X": "n,n", "Y": "n,n"}


def sig(z):
    return 1 / (1 + np.exp(-z))


def layer(dW=lambda D, X: D @ X.T, db=lambda D: D.sum(axis=1, keepdims=True), scale=lambda m: 1 / m,
          prime=lambda s: s * (1 - s)):
    """The mean-squared-error sigmoid layer's backward, with one part swappable."""
    def backward(W, X, b, Y):
        s = sig(W @ X + b)
        D = 2 * (s - Y) * prime(s) * scale(X.shape[1])
        return {"W": dW(D, X), "b": db(D)}
    return backward


def failure(backward, expr=LAYER, wrt=("W", "b"), shapes=SHAPES, **kw):
    with pytest.raises(AssertionError) as info:
        assert_backward(backward, expr, list(wrt), shapes, **kw)
    return str(info.value)


def slip_line(msg, v):
    lines = [x for x in msg.splitlines() if x.strip().startswith(f"likely slip in d/d{v}:")]
    return lines[0] if lines else ""


# --- passes ------------------------------------------------------------------

def test_a_right_backward_passes_and_returns_the_proved_gradient():
    d = assert_backward(layer(), LAYER, ["W", "b"], SHAPES)
    assert d.texts["W"] and all(str(how).startswith("proved for every size") for how in d.proof.values())


def test_a_tuple_in_wrt_order_and_a_bare_array_are_accepted():
    def as_tuple(W, X, b, Y):
        out = layer()(W, X, b, Y)
        return out["W"], out["b"]
    assert_backward(as_tuple, LAYER, ["W", "b"], SHAPES)
    assert_backward(lambda W, X, Y: Y @ X.T, SQUARE, "W", SQUARE_SHAPES)
    # the same tuple in the other order is wrong (b's gradient where W's is meant)
    failure(as_tuple, wrt=("b", "W"))


def test_exported_from_the_package():
    assert derive.assert_backward is assert_backward


# --- each classic slip is named ------------------------------------------------

def test_missing_transpose_is_named_from_the_shape():
    msg = failure(layer(dW=lambda D, X: X @ D.T))
    assert "d/dW has shape" in msg and "W has shape" in msg
    assert "a missing transpose" in slip_line(msg, "W")
    assert "d/db: ok at every size" in msg


def test_missing_transpose_inside_a_square_product_is_named():
    msg = failure(lambda W, X, Y: Y @ X, SQUARE, ["W"], SQUARE_SHAPES)
    assert "a missing transpose (X where X.T is meant)" in slip_line(msg, "W")


def test_swapped_product_is_named():
    msg = failure(lambda W, X, Y: X.T @ Y, SQUARE, ["W"], SQUARE_SHAPES)
    line = slip_line(msg, "W")
    assert "a swapped product" in line and "transpose" not in line


def test_missing_one_over_m_is_named():
    msg = failure(layer(scale=lambda m: 1.0))
    assert "a missing 1/m" in slip_line(msg, "W") and "a missing 1/m" in slip_line(msg, "b")


def test_missing_factor_two_is_named():
    msg = failure(layer(scale=lambda m: 0.5 / m))
    assert "a missing factor 2" in slip_line(msg, "W")


def test_sigma_for_sigma_prime_is_named():
    msg = failure(layer(prime=lambda s: s))
    assert "σ where σ(1 − σ) is meant" in slip_line(msg, "W")
    assert "σ where σ(1 − σ) is meant" in slip_line(msg, "b")


def test_sum_over_the_wrong_axis_is_named():
    msg = failure(layer(db=lambda D: D.sum(axis=0, keepdims=True)))
    assert "a sum over the wrong axis" in slip_line(msg, "b")
    assert "d/dW: ok at every size" in msg


def test_a_missing_sum_and_a_missing_keepdims_are_named():
    assert "a missing sum over axis 1" in slip_line(failure(layer(db=lambda D: D)), "b")
    assert "keepdims missing" in slip_line(failure(layer(db=lambda D: D.sum(axis=1))), "b")


# --- no slip is guessed ---------------------------------------------------------

def test_a_wrong_backward_that_is_no_classic_slip_names_none():
    msg = failure(layer(prime=lambda s: s * (1 - s) ** 2))
    assert not slip_line(msg, "W") and not slip_line(msg, "b")
    assert "no classic slip matches d/dW" in msg


def test_a_slip_at_one_size_only_is_not_named():
    """Missing 1/m only where m == 3: it must match at every size to be named."""
    msg = failure(layer(scale=lambda m: 1.0 if m == 3 else 1 / m))
    assert "differs at 1 of 3 sizes" in msg
    assert "1/m" not in slip_line(msg, "W")


def test_the_table_shows_claimed_derived_and_numeric():
    msg = failure(layer(scale=lambda m: 1.0))
    assert re.search(r"entry\s+claimed \(backward\)\s+derived \(proved\)\s+numeric \(complex-step\)", msg)
    rows = [x.split() for x in msg.splitlines() if re.match(r"\s+W\[\d+, \d+\]\s", x)]
    assert rows
    for entry, i, claimed, derived_, numeric in rows:
        # derived (proved) and numeric (independent) agree; the claim is m (here 2 or more) times them
        assert float(derived_) == pytest.approx(float(numeric), rel=1e-9, abs=1e-12)
        assert abs(float(claimed)) > 1.9 * abs(float(derived_))
    assert "checks.gradcheck of backward's gradients there: gradcheck FAILED" in msg


# --- what is not a verdict on the backward ----------------------------------------

def test_an_unsupported_expression_raises_unproved_and_never_runs_the_backward():
    called = []

    def spy(**kw):
        called.append(1)
        return {}
    with pytest.raises(Unproved, match="grad needs a scalar expression"):
        assert_backward(spy, "W @ x", ["W"], {"W": "h,n", "x": "n,1"})
    # logdet: derive proves it at concrete sizes only, which is not enough to judge a backward
    with pytest.raises(Unproved, match="proved for every size"):
        assert_backward(spy, "logdet(A)", ["A"], {"A": "n,n"})
    assert not called
    assert not issubclass(Unproved, AssertionError)


def test_a_wrong_shape_is_a_clear_failure():
    msg = failure(lambda W, X, b, Y: {"W": np.zeros((3, 3)), "b": np.zeros(b.shape)})
    assert re.search(r"d/dW has shape \(3, 3\) at .*; W has shape \(2, 4\)", msg)
    assert not slip_line(msg, "W")


def test_a_wrong_count_or_a_missing_key_is_a_clear_failure():
    assert "returned 1 gradients for 2 variables" in failure(lambda **kw: (np.zeros(1),))
    assert "without b" in failure(lambda W, **kw: {"W": np.zeros(W.shape)})


def test_a_backward_that_raises_fails_naming_the_sizes():
    msg = failure(lambda W, X, b, Y: {"W": W @ X.T, "b": b})   # (h, n) @ (m, n): does not fit
    assert "backward raised ValueError at h=2, m=3, n=4" in msg


# --- sizes --------------------------------------------------------------------------

def test_default_sizes_are_distinct_at_least_two_and_change_every_time():
    sizes = default_sizes({"W": "h,n", "X": "n,m", "b": "h,1"})
    assert len(sizes) == 3
    for s in sizes:
        assert len(set(s.values())) == len(s) == 3 and min(s.values()) >= 2
    for a, b in zip(sizes, sizes[1:]):
        assert all(a[n] != b[n] for n in a)


def test_all_square_sizes_are_refused():
    with pytest.raises(ValueError, match="missing transpose can pass"):
        assert_backward(layer(), LAYER, ["W", "b"], SHAPES, sizes=[{"h": 3, "n": 3, "m": 3}])
    # given sizes are used: a transposed W gradient passes nowhere when h != n
    failure(layer(dW=lambda D, X: X @ D.T), sizes=[{"h": 2, "n": 3, "m": 4}])
