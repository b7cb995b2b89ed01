"""derive.claim on what users pass it: numbers on one side, a scalar against
a matrix, unevaluated derivatives, and claims too hard to decide in time.
The verdict is never false: a refutation is checked here by substituting its
counterexample independently, and a time-out is undecided."""
import signal
import time

import numpy as np
import pytest
import sympy as sp

from derive.maths.budget import Budget, budget
from derive.matrix.prove import CLAIM_SECONDS, claim

x = sp.Symbol("x", real=True)
z = sp.Symbol("z")  # no assumptions: complex
n = sp.Symbol("n", integer=True, positive=True)
V = sp.MatrixSymbol("V", n, 1)
P10 = sum(sp.Rational(k + 1, 3) * x ** k for k in range(10))  # a 10-term polynomial
HARD = (sp.sin(P10) ** 2 + sp.cos(P10) ** 2, 1)                # true, and slow for simplify


def _differs_at(point, lhs, rhs):
    """lhs != rhs at the counterexample, evaluated here with SymPy alone."""
    subs = {s: point[str(s)] for s in (sp.sympify(lhs) - sp.sympify(rhs)).free_symbols}
    return sp.N(sp.sympify(lhs).subs(subs) - sp.sympify(rhs).subs(subs), 30) != 0


@pytest.mark.parametrize("lhs, rhs", [(x, 0), (0, x), (z, 0), (x, 0.5), (np.float64(0.5), x), (2, x ** 2)])
def test_a_number_on_either_side_is_judged(lhs, rhs):
    v = claim(lhs, rhs)
    assert v.holds is False
    assert _differs_at(v.counterexample, sp.nsimplify(lhs), sp.nsimplify(rhs))


def test_numbers_alone_and_floats_as_decimals():
    assert claim(2, 2).holds is True
    assert claim(np.int64(3), 3).holds is True
    assert claim(3, 2).holds is False
    v = claim(0.1 * x, x / 10)
    assert v.holds is True and "1/10" in v.detail  # says how it read the float
    assert claim(0.1 + 0.2, sp.Rational(3, 10)).holds is True  # the decimals as written, not binary round-off


def test_a_wrong_claim_still_refutes_with_a_counterexample():
    v = claim((x + 1) ** 2, x ** 2 + 1)
    assert v.holds is False and _differs_at(v.counterexample, (x + 1) ** 2, x ** 2 + 1)
    assert claim((x + 1) ** 2, x ** 2 + 2 * x + 1).holds is True


def test_a_scalar_against_a_matrix_means_every_entry():
    assert claim(V - V, 0).holds is True
    assert claim(sp.Matrix([[0, 0]]), 0).holds is True
    v = claim(V, 0)
    assert v.holds is False and any(val != 0 for k, val in v.counterexample.items() if k.startswith("V["))
    v = claim(0, sp.Matrix([[x, 0]]))
    assert v.holds is False and v.counterexample["x"] != 0


def test_an_unevaluated_derivative_is_evaluated_or_undecided_never_wrong():
    assert claim(sp.Derivative(sp.sin(x), x), sp.cos(x)).holds is True
    v = claim(sp.Derivative(sp.sin(x), x), sp.sin(x))
    assert v.holds is False and _differs_at(v.counterexample, sp.cos(x), sp.sin(x))
    g = sp.Function("g")
    assert claim(sp.Derivative(g(x), x) * 2, 2 * sp.Derivative(g(x), x)).holds is True
    v = claim(sp.Derivative(g(x), x), 0)  # g unknown: nothing to sample, nothing to prove
    assert v.holds is None and "Derivative(g(x), x)" in v.detail


def test_a_truth_value_or_a_string_is_refused_clearly():
    with pytest.raises(TypeError, match="truth value"):
        claim(x, True)
    with pytest.raises(TypeError, match="not parsed"):
        claim("x", 0)


def test_a_hard_true_claim_ends_within_the_default_budget_undecided_or_proved():
    t0 = time.perf_counter()
    v = claim(*HARD)
    took = time.perf_counter() - t0
    assert took < CLAIM_SECONDS + 5, took
    assert v.holds is not False
    if v.holds is None:
        assert f"time budget of {CLAIM_SECONDS:g} s exceeded while" in v.detail


def test_the_budget_names_what_was_under_way():
    t0 = time.perf_counter()
    v = claim(*HARD, seconds=1)
    assert time.perf_counter() - t0 < 4
    assert v.holds is None and "time budget of 1 s exceeded while looking for" in v.detail


def test_budgets_nest_an_outer_budget_still_rings():
    # claim's own budget ends inside a longer outer one, which is re-armed after it
    with budget(60) as outer:
        assert claim(*HARD, seconds=1).holds is None
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 0 < left < 60
    assert not outer.ran_out and signal.getitimer(signal.ITIMER_REAL)[0] == 0
    # an outer budget shorter than claim's: its Budget goes through claim, not an undecided verdict
    with pytest.raises(Budget) as err:
        with budget(1) as short:
            claim(*HARD, seconds=30)
    assert err.value.owner is short


@pytest.mark.parametrize("lhs, rhs, sizes", [
    (sp.exp(x) / (1 + sp.exp(x)), 1 - 1 / (1 + sp.exp(x)), None),    # true
    (sp.exp(x) / (1 + sp.exp(x)), 1 / (1 + sp.exp(-2 * x)), None),   # false
    (V.T * V, V.T * V + sp.ZeroMatrix(1, 1), None),                   # true at symbolic sizes
    (V * V.T, 2 * V * V.T, {"n": 2}),                                 # false at a size
])
def test_the_proof_first_changes_only_the_time(lhs, rhs, sizes):
    """prove_first (a correction's claim) gives the verdict, detail and counterexample of the default order."""
    a = claim(lhs, rhs, sizes=sizes, seconds=None)
    b = claim(lhs, rhs, sizes=sizes, seconds=None, prove_first=True)
    assert (a.holds, a.detail, a.counterexample) == (b.holds, b.detail, b.counterexample)


def test_a_budget_that_something_swallowed_rings_again():
    """A Budget lost once (raised inside a __del__ or a callback, where Python
    drops exceptions) is raised again: the block still ends."""
    t0 = time.perf_counter()
    with pytest.raises(Budget):
        with budget(0.2):
            try:
                while True:
                    pass
            except Budget:
                pass  # swallowed, as a __del__ would
            while True:
                pass
    assert time.perf_counter() - t0 < 3
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
