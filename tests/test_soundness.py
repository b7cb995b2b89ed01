"""Zero false "proved": every hole found by the adversarial audit of the proof
core, as a test that goes red if the hole comes back.  tests/test_mutants.py
re-opens each hole on purpose in a copy of the code and expects these to fail."""
import dataclasses

import pytest
import sympy as sp

import derive
from derive.verification import statements
from derive.verification.checks import mistake_spec
from conftest import built_in_sympy
from derive.verification.checks import kind_check
import derive.maths.functions
import derive.matrix.mexpr
import derive.catalog
from derive import claim
from derive.records import Derivation, Step
from derive.verification.steps import check
from derive.maths.functions import sigmoid
from derive.maths.indexform import apply_sum_rule, normal_form
from derive.matrix.mexpr import apply, dim, ones, variables
from derive.matrix.prove import SumsToOne, zero_by

x, y, z = sp.symbols("x y z")            # no assumptions: complex
xr = sp.Symbol("xr", real=True)
n_int = sp.Symbol("n", integer=True)
N = dim("N")
TINY = sp.exp(-1000 * (x ** 2 + 1))       # ~e^-1000 on the reals: below any absolute threshold


# ---------------------------------------------------------------------------
# 1. rewrites only under the assumptions that make them true; a search that
#    samples every symbol by its assumptions and compares relatively
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("lhs,rhs", [
    (n_int * sp.exp(x) * sp.log(y ** 2), 2 * n_int * sp.exp(x) * sp.log(y)),
    (TINY * sp.log(y ** 2), TINY * 2 * sp.log(y)),
    (TINY * sp.sqrt(y) * sp.sqrt(z), TINY * sp.sqrt(y * z)),
    (sp.log(sp.exp(x)), x),
], ids=["integer-factor", "tiny-factor-log", "tiny-factor-sqrt", "log-exp-complex"])
def test_false_claims_are_refuted_with_a_counterexample(lhs, rhs):
    v = claim(lhs, rhs)
    assert v.holds is False, v
    assert v.counterexample


@pytest.mark.parametrize("d", [
    n_int * sp.exp(x) * (sp.log(y ** 2) - 2 * sp.log(y)),
    TINY * (sp.log(y ** 2) - 2 * sp.log(y)),
    TINY * (sp.sqrt(y) * sp.sqrt(z) - sp.sqrt(y * z)),
    sp.log(sp.exp(x)) - x,
    # a real x that exp-substitution may take, beside a real y that may be negative
    sp.exp(xr) * (sp.log(sp.Symbol("yr", real=True) ** 2) - 2 * sp.log(sp.Symbol("yr", real=True))),
    sp.exp(xr) * (sp.sqrt(sp.Symbol("yr", real=True)) * sp.sqrt(sp.Symbol("zr", real=True))
                  - sp.sqrt(sp.Symbol("yr", real=True) * sp.Symbol("zr", real=True))),
    # exponentials as powers of shared atoms: exp(-x) is 1 / exp(x), never exp(x); exp(x / 2) no integer power
    (sp.exp(xr - y) - sp.exp(y - xr)) / (1 + sp.exp(xr)),
    (sp.exp(xr) - sp.exp(-xr)) / (1 + sp.exp(xr)),
    (sp.exp(2 * xr) - sp.exp(xr)) / (1 + sp.exp(xr)),
    (sp.exp(xr / 2) - sp.exp(xr)) / (1 + sp.exp(xr)),
])
def test_no_proof_of_a_false_identity(d):
    """The zero test on its own (no counterexample search in front of it)."""
    assert zero_by(d) is None


def test_true_claims_on_the_reals_are_still_proved():
    assert claim(sp.log(sp.exp(xr)), xr).holds is True
    assert zero_by(sp.log(sp.exp(xr) * sp.exp(2 * xr)) - 3 * xr) is not None
    # exp(a) exp(-a) = 1 and exp(2a) = exp(a)^2 inside a quotient (softmax's concrete entries)
    e = sp.exp(xr + sp.Symbol("yr", real=True))
    assert zero_by(sp.exp(2 * xr) * sp.exp(-xr) / (1 + e) - sp.exp(xr) / (1 + e)) is not None
    assert zero_by(sp.exp(2 * xr) / (sp.exp(xr) + 1) - (sp.exp(xr) - 1) - 1 / (sp.exp(xr) + 1)) is not None
    q = sp.Symbol("q", positive=True)
    assert claim(sp.log(q ** 2), 2 * sp.log(q)).holds is True


def test_search_samples_integer_symbols():
    v = claim(n_int * xr, 0 * xr)
    assert v.holds is False and "n" in v.counterexample


def test_tiny_but_nonzero_difference_is_a_counterexample():
    t = sp.exp(-2000 * (xr ** 2 + 1))
    v = claim(t * (1 + xr), t * (1 - xr))
    assert v.holds is False


def test_python_numbers_are_accepted():
    assert claim(sp.Integer(2), 2).holds is True
    assert claim(xr, 0).holds is False


# ---------------------------------------------------------------------------
# 2, 3, 5. the index normal form: no capture, bounds are part of a term,
#          deltas collapse only over their range, sum rules only when sound
# ---------------------------------------------------------------------------
A, B = sp.MatrixSymbol("a", N, 1), sp.MatrixSymbol("b", N, 1)
j = sp.Symbol("j", integer=True)


def test_bound_index_cannot_capture_a_free_one():
    k0 = sp.Symbol("k0", integer=True)
    d = sp.Sum(A[j, 0] * B[k0, 0], (j, 0, N - 1)) - sp.Sum(A[j, 0] * B[j, 0], (j, 0, N - 1))
    assert normal_form(d) != 0
    assert zero_by(d) is None
    assert claim(d, 0).holds is not True


@pytest.mark.parametrize("hi", [N - 2, N, 2 * N - 1])
def test_sum_bounds_are_part_of_the_normal_form(hi):
    d = sp.Sum(A[j, 0], (j, 0, N - 1)) - sp.Sum(A[j, 0], (j, 0, hi))
    assert zero_by(d) is None


def test_off_by_one_bound_in_a_route_step_is_rejected():
    V = variables({"x": ("n", 1)})
    n = dim("n")
    i = sp.Symbol("i", integer=True, nonnegative=True)
    p = sp.Symbol("p", integer=True, nonnegative=True)
    full = sp.Sum(V.x[i, 0] ** 2, (i, 0, n - 1))
    short = sp.Sum(V.x[i, 0] ** 2, (i, 0, n - 2))
    d = Derivation("t", (Step(sp.Derivative(full, V.x[p, 0], evaluate=False), "s"),
                         Step(sp.Derivative(short, V.x[p, 0], evaluate=False), "bounds changed"),
                         Step(2 * V.x[p, 0], "end")))
    assert [ok for _, ok, _, _ in check(d)][0] is False


def test_one_term_sums_only_when_the_range_has_one_term():
    assert zero_by(sp.Sum(A[j, 0], (j, 0, 2)) - A[0, 0]) is None
    assert zero_by(sp.Sum(A[j, 0], (j, 1, 1)) - A[1, 0]) is not None


def test_kronecker_delta_collapses_only_over_its_range():
    h, p = dim("h"), sp.Symbol("p", integer=True, nonnegative=True)
    k = sp.Symbol("k", integer=True)
    g = sp.Function("g")
    inside = sp.Sum(sp.KroneckerDelta(k, p, (0, N - 1)) * g(k), (k, 0, N - 1))
    outside = sp.Sum(sp.KroneckerDelta(k, p, (0, h - 1)) * g(k), (k, 0, N - 1))
    assert zero_by(inside - g(p)) is not None
    assert zero_by(outside - g(p)) is None


def test_sums_to_one_rule_needs_the_index_alone_in_its_factor():
    Y = sp.MatrixSymbol("y", N, 1)
    rule = SumsToOne("y", ("N", 1))
    k = sp.Symbol("k", integer=True)
    assert zero_by(sp.Sum(Y[k, 0], (k, 0, N - 1)) - 1, (rule,)) is not None
    # sum_k y_k a_k is not 1 when sum_k y_k = 1
    weighted = sp.Sum(Y[k, 0] * A[k, 0], (k, 0, N - 1))
    assert apply_sum_rule(weighted, rule._owned, (0, N - 1), 1).has(sp.Sum)
    assert zero_by(weighted - 1, (rule,)) is None
    assert zero_by(weighted - sp.Sum(A[k, 0], (k, 0, N - 1)), (rule,)) is None
    # nor over part of the range
    part = sp.Sum(Y[k, 0], (k, 0, N - 2))
    assert apply_sum_rule(part, rule._owned, (0, N - 1), 1).has(sp.Sum)
    assert zero_by(part - 1, (rule,)) is None


def test_a_matrix_is_zero_only_when_every_entry_is():
    assert zero_by(sp.Matrix([0, xr])) is None
    assert zero_by(sp.Matrix([xr, 0])) is None
    assert zero_by(sp.Matrix([0, xr - xr])) is not None


# ---------------------------------------------------------------------------
# 4. the last pair of a derivation (the one that reaches the claim) is checked,
#    on the path the CLI uses (Result.verify)
# ---------------------------------------------------------------------------
def _edited(rid, **claims):
    r = derive.result(rid)
    edit = lambda V, k, c: {**c, **{n: f(V) for n, f in claims.items()}} if k == 0 else c  # noqa: E731
    return dataclasses.replace(r, how=built_in_sympy(r.how, edit))


def test_l2_regularization_without_its_factor_two_fails_verify():
    r = _edited("l2-regularization", theta=lambda V: V.lam * V.theta)
    v = derive.verify(r)
    checks = {c.name: c for c in v.checks}
    assert not checks["symbolic"].ok, checks["symbolic"].detail
    assert not checks["concrete"].ok
    assert v.status == "FAILED"


def test_wrong_claim_fails_the_derivation_at_its_last_step():
    r = _edited("window-score-gradients", x=lambda V: 2 * V.W.T * derive.matrix.mexpr.hadamard(
        V.v, apply(derive.maths.functions.fprime, V.W * V.x + V.b)))
    by = {c.name: c for c in derive.verify(r).checks}
    assert not by["derivation"].ok and "last step" in by["derivation"].detail
    assert not by["symbolic"].ok


# ---------------------------------------------------------------------------
# 5. the concrete check compares every entry; the numeric check compares the
#    generated code with the independent backprop
# ---------------------------------------------------------------------------
def test_concrete_check_sees_an_error_off_entry_zero():
    # dW = delta x^T with one entry away from (0, 0) doubled: E is 1 at (1, 1) only
    def wrong_W(V):
        h, n = dim("h"), dim("n")
        e1 = sp.Matrix([0, 1, 0])
        d = derive.matrix.mexpr.hadamard(V.v, apply(derive.maths.functions.fprime, V.W * V.x + V.b)) * V.x.T
        return d + sp.MatrixSymbol("W", h, n) * 0 + derive.matrix.mexpr.hadamard(d, _unit(h, n))
    how = _edited("window-score-gradients", W=wrong_W).how
    assert not kind_check(how, "concrete")[0]


def _unit(h, n):
    """A matrix expression that is 1 at entry (1, 1) and 0 elsewhere, for any size."""
    i, k = sp.symbols("i k", integer=True)
    return sp.FunctionMatrix(h, n, sp.Lambda((i, k), sp.KroneckerDelta(i, 1) * sp.KroneckerDelta(k, 1)))


def test_numeric_check_compares_with_the_independent_backprop():
    how = _edited("l2-regularization", theta=lambda V: 3 * V.lam * V.theta).how
    ok, detail = kind_check(how, "numeric", "test")
    assert not ok and "backprop" in detail


# ---------------------------------------------------------------------------
# 6. a claim for a scalar variable must be a scalar
# ---------------------------------------------------------------------------
def test_scalar_variable_claimed_as_a_row_fails():
    m = dim("m")

    def row_b(V):
        z = V.w.T * V.X + V.b * ones(1, "m")
        a = apply(sigmoid, z)
        return (1 / m) * (a - V.y) * ones("m") * ones(1, "m")   # 1 x m, every entry the right value
    how = _edited("logistic-regression-batched", b=row_b).how
    ok, detail = kind_check(how, "symbolic")
    assert not ok and "scalar variable" in detail
    assert not kind_check(how, "concrete")[0]


# ---------------------------------------------------------------------------
# 8. a notes' route is tied to its result, does not assume what it proves,
#    and repeats no step; only steps that carry the argument are counted
# ---------------------------------------------------------------------------
def test_a_route_of_another_result_fails():
    sigma_route = derive.result("sigmoid-derivative").steps
    r = dataclasses.replace(derive.result("window-score-gradients"), steps=sigma_route)
    by = {c.name: c for c in derive.verify(r).checks}
    assert not by["derivation"].ok and "not" in by["derivation"].detail


def test_a_route_from_another_quantity_fails():
    r = derive.result("sigmoid-derivative")
    X = sp.Symbol("x", real=True)
    other = Derivation("t", (Step(sp.Derivative(sp.tanh(X), X, evaluate=False), "tanh"),
                             Step(1 - sp.tanh(X) ** 2, "its derivative")))
    by = {c.name: c for c in derive.verify(dataclasses.replace(r, steps=(other,))).checks}
    assert not by["derivation"].ok and "first step" in by["derivation"].detail


def test_a_route_that_ends_elsewhere_fails():
    """The sigma' route is sound on its own; attached to a result that claims
    2 sigma(1 - sigma) it does not end at that claim."""
    r = derive.result("sigmoid-derivative")
    how = dataclasses.replace(r.how, claims={"x": "2 * sigmoid(x) * (1 - sigmoid(x))"})
    by = {c.name: c for c in derive.verify(dataclasses.replace(r, how=how)).checks}
    assert not by["derivation"].ok and "last step" in by["derivation"].detail


def test_a_route_through_the_rule_it_proves_is_circular():
    r = derive.result("sigmoid-derivative")
    X = sp.Symbol("x", real=True)
    circ = Derivation("c", (Step(sp.Derivative(1 / (1 + sp.exp(-X)), X, evaluate=False), "definition"),
                            Step(sp.Derivative(sigmoid(X), X, evaluate=False), r"$\sigma$"),
                            Step(sigmoid(X) * (1 - sigmoid(X)), "by the rule for sigma")))
    by = {c.name: c for c in derive.verify(dataclasses.replace(r, steps=(circ,))).checks}
    assert not by["derivation"].ok and "circular" in by["derivation"].detail
    # and a scalar written with sigma itself
    how = dataclasses.replace(r.how, loss="sigmoid(x)")
    by = {c.name: c for c in derive.verify(dataclasses.replace(r, how=how)).checks}
    assert not by["symbolic"].ok and not by["concrete"].ok


def test_repeated_steps_are_an_error():
    r = derive.result("sigmoid-derivative")
    d = r.steps[0]
    padded = dataclasses.replace(d, steps=(d.steps[0], d.steps[1], d.steps[1], *d.steps[2:]))
    by = {c.name: c for c in derive.verify(dataclasses.replace(r, steps=(padded,))).checks}
    assert not by["derivation"].ok and "repeats" in by["derivation"].detail


def test_restated_steps_are_not_counted(verdict):
    detail = {c.name: c.detail for c in verdict("logistic-regression-batched").checks}["symbolic"]
    # the index-level route: s entry by entry -> its derivative -> its normal form -> the claim;
    # only the last pair carries an argument
    assert "more restate" in detail


# ---------------------------------------------------------------------------
# 9. concrete sizes are non-square
# ---------------------------------------------------------------------------
def test_concrete_sizes_are_non_square():
    bad = []
    for r in derive.results():
        h = r.how
        if r.is_mistake or not hasattr(h, "shapes") or not hasattr(h, "sizes"):
            continue
        for sizes in h.sizes:
            for name, shape in statements.shapes(h).items():
                dims = [sizes[s] if isinstance(s, str) else s for s in shape]
                if len(shape) == 2 and all(isinstance(s, str) for s in shape) and dims[0] == dims[1] \
                        and shape[0] != shape[1]:
                    bad.append((r.id, name, sizes))
            if any(v < 2 for v in sizes.values()):
                bad.append((r.id, "size below 2", sizes))
    assert not bad, bad


# ---------------------------------------------------------------------------
# 10, 12. matrix claims: judged at symbolic sizes without `sizes`, scoped to the
#         sizes given otherwise; any Symbol may name a size
# ---------------------------------------------------------------------------
def test_matrix_claim_without_sizes_is_judged_at_symbolic_sizes():
    W = sp.MatrixSymbol("W", dim("h"), dim("n"))
    v = claim(W.T.T, W)
    assert v.holds is True and "every size" in v.detail
    S = sp.MatrixSymbol("S", dim("n"), dim("n"))
    v = claim(S.T, S)
    assert v.holds is False and v.counterexample


def test_a_proof_at_given_sizes_says_so():
    S = sp.MatrixSymbol("S", dim("n"), dim("n"))
    v = claim(S.T, S, sizes={"n": 1})
    assert v.holds is True and "n = 1 only" in v.detail


def test_plain_symbol_sizes():
    n = sp.Symbol("n")
    M = sp.MatrixSymbol("A", n, n)
    assert claim(M.T.T, M, sizes={"n": 2}).holds is True
    assert claim(M.T, M, sizes={"n": 2}).holds is False


# ---------------------------------------------------------------------------
# 7. an erratum's correction is proved, and is a claim of the result it names
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("rid,other", [("mistake-window-dx", "glove-gradient"),
                                       ("mistake-sigmoid-derivative-sign", "window-score-gradients"),
                                       ("mistake-delta-recursion", "window-score-gradients")])
def test_a_correction_pointing_at_an_unrelated_result_fails(rid, other):
    r = derive.result(rid)
    c = derive.catalog.run_check(dataclasses.replace(r, how=dataclasses.replace(r.how, correct=other)), "correction")
    assert not c.ok and "none of" in c.detail


def test_every_correction_is_a_claim_of_its_result(verdict):
    for r in derive.results():
        if r.is_mistake and not callable(mistake_spec(r.how).get("corrected")):
            detail = {c.name: c.detail for c in verdict(r.id).checks}["correction"]
            assert f"of {r.how.correct}" in detail, (r.id, detail)


def test_the_symbolic_check_itself_refuses_a_scalar_claimed_as_a_row():
    """On the CLI's path (Result.verify), not only Gradient.symbolic."""
    m = dim("m")

    def row_b(V):
        a = apply(sigmoid, V.w.T * V.X + V.b * ones(1, "m"))
        return (1 / m) * (a - V.y) * ones("m") * ones(1, "m")
    by = {c.name: c for c in derive.verify(_edited("logistic-regression-batched", b=row_b)).checks}
    assert not by["symbolic"].ok and "scalar variable" in by["symbolic"].detail


def test_argued_steps_are_counted_exactly(verdict):
    """The window route: every pair carries an argument (chain rule, the
    partials of z_i, the delta collapse, the matrix form), none restates."""
    detail = {c.name: c.detail for c in verdict("window-score-gradients").checks}["derivation"]
    assert detail == "7 steps carrying the argument in 2 derivations, each shown to follow"


def test_identity_numeric_check_sees_a_small_error():
    """An identity's numeric evidence has its own tolerance (1e-12): a right-hand
    side off by one part in 1e9 must fail it, as the exact checks fail it."""
    r = derive.result("trig-cancellation")
    build = r.how.build
    how = dataclasses.replace(r.how, build=lambda V: (build(V)[0], build(V)[1] * (1 + sp.Rational(1, 10 ** 9))))
    ok, detail = kind_check(how, "numeric", "test")
    assert not ok, detail
    assert not kind_check(how, "concrete")[0]
    assert not kind_check(how, "symbolic")[0]   # main=True: the check used beside a notes' route


def test_every_step_is_compared_with_the_one_before():
    """A, B, A, B: no step repeats its neighbour, every other step agrees; a
    check that skipped a step would see no difference."""
    a, b = xr ** 2, xr ** 2 + 1
    d = Derivation("t", (Step(a, "a"), Step(b, "b"), Step(a, "a"), Step(b, "b")))
    assert [ok for _, ok, _, _ in check(d)] == [False, False, False]


def test_identity_symbolic_check_sees_an_error_off_row_zero():
    """softmax(x + c1) = softmax(x) + e_1 is wrong in row 1 only."""
    r = derive.result("softmax-shift-invariance")
    lhs, rhs = statements.sides(r.how)
    n = dim("n")
    i, k = sp.symbols("i k", integer=True)
    e1 = sp.FunctionMatrix(n, 1, sp.Lambda((i, k), sp.KroneckerDelta(i, 1)))
    how = dataclasses.replace(r.how, lhs=None, rhs=None, build=lambda V: (lhs, rhs + e1),
                              reference=statements.identity_reference(r.how))
    assert not kind_check(how, "symbolic")[0]


def test_a_route_text_names_only_what_it_may():
    """A misspelled name in a route's step raises: it never becomes a free
    symbol whose step might then be judged (parse_expr's auto_symbol is off)."""
    with pytest.raises(NameError):
        statements.route("t", {"x": ""}, [("Derivative(1 / (1 + exp(-x)), xx)", "r")])
    with pytest.raises(NameError):   # no Python builtins either: sum is not Sum
        statements.route("t", {"x": "n,1"}, [("sum([x[0, 0]])", "r")])
