"""checks.gradcheck as a tool of its own: directional mode, bisection,
kinks, diagnostics, and property-based checks of the registry's numerics."""
import inspect

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import checks
import derive
from checks import bench
from checks import ops as F
from derive import numeric
from derive.records import Gradient
from derive.verification.sampling import sample
from derive.verification import statements
from derive.verification.statements import parts

NAMES = ["W1", "b1", "W2", "b2"]


@pytest.fixture(scope="module")
def mlp():
    """bench's 1,540-parameter network with its hand-written gradient."""
    params, X, Y = bench.problem()
    return params, (lambda *p: bench.loss(*p, X, Y)), bench.gradient(*params, X, Y)


def test_directional_mode_passes_a_correct_gradient_cheaply(mlp):
    params, f, grads = mlp
    rep = checks.gradcheck(f, params, grads, names=NAMES)
    assert rep.ok, str(rep)
    assert rep.mode == "directional" and rep.method == "complex-step"
    # f(x), the complex-safety probe (1 complex + 2 real calls; counted since the
    # probe became adaptive, made but uncounted before), 4 directions x 4 tensors
    assert rep.evaluations <= 1 + 3 + 4 * 4
    # the stated power: a 1e-6 relative error in one entry of mean size is caught w.p. >= 1 - 1e-6
    assert all(v < 1e-6 for v in rep.detectable.values()), rep.detectable


@pytest.mark.parametrize("trial", range(8))
def test_one_entry_off_by_1e_6_is_caught_and_named(mlp, trial):
    params, f, grads = mlp
    rng = np.random.default_rng(100 + trial)
    k = trial % 4
    j = np.unravel_index(int(rng.integers(grads[k].size)), grads[k].shape)
    bad = [g.copy() for g in grads]
    bad[k][j] *= 1 + 1e-6
    rep = checks.gradcheck(f, params, bad, names=NAMES, seed=trial)
    assert not rep.ok
    worst = rep.failures[0]   # bisection narrowed the failing direction down to the entry
    assert (worst.name, worst.index) == (NAMES[k], tuple(int(i) for i in j))
    assert worst.rel_err == pytest.approx(1e-6, rel=1e-3)
    assert rep.evaluations < 200


@pytest.mark.parametrize("kind", ["transpose", "sign entry", "bias x 1.1"])
def test_structural_mistakes_are_caught(mlp, kind):
    params, f, grads = mlp
    bad = bench.corrupt(kind, grads, np.random.default_rng(0))
    rep = checks.gradcheck(f, params, bad, names=NAMES)
    assert not rep.ok
    assert rep.failures[0].name == {"transpose": "W1", "bias x 1.1": "b1"}.get(kind, rep.failures[0].name)


def test_full_mode_and_directional_agree_on_the_same_mistake(mlp):
    params, f, grads = mlp
    bad = [g.copy() for g in grads]
    bad[3][2] *= 1.001
    for mode in ("full", "directional"):
        rep = checks.gradcheck(f, params, bad, names=NAMES, mode=mode)
        assert not rep.ok and (rep.failures[0].name, rep.failures[0].index) == ("b2", (2,)), mode


def test_failure_report_lists_worst_entries_with_method_and_step():
    x = np.linspace(0.5, 2.0, 12)
    bad = 2 * x
    bad[[1, 4, 6, 8, 9, 11]] += [1e-2, 2e-2, 3e-2, 4e-2, 5e-2, 6e-2]
    rep = checks.gradcheck(lambda x: float(np.sum(x ** 2)), [x], [bad], names=["x"])
    text = str(rep)
    assert rep.method == "central" and "not complex-safe" in rep.why
    assert text.count("ACTUAL (claimed)") == 5 and "and 1 more" in text
    assert "x[11]" in text.splitlines()[1]          # worst first
    assert "h = " in text and "median" in text.splitlines()[0]


def test_relu_network_at_kinks_passes_directional_by_falling_back_to_entries():
    rng = np.random.default_rng(1)
    W1 = rng.integers(-2, 3, (20, 30)).astype(float)   # integers: many pre-activations exactly 0
    b1, W2, b2 = np.zeros(30), rng.standard_normal((30, 5)), np.zeros(5)
    X, y = rng.integers(-1, 2, (8, 20)).astype(float), rng.integers(0, 5, 8)
    assert np.sum(X @ W1 == 0) > 0

    def f(W1, b1, W2, b2):
        z1 = X @ W1 + b1
        z = np.where(z1.real > 0, z1, 0) @ W2 + b2
        z = z - z.real.max(axis=1, keepdims=True)
        return -np.sum(np.eye(5)[y] * (z - np.log(np.exp(z).sum(axis=1, keepdims=True)))) / 8

    _, g = numeric.mlp_loss_and_grads([(W1, b1), (W2, b2)], X, y, activation="relu")
    G = [g[0][0], g[0][1], g[1][0], g[1][1]]
    rep = checks.gradcheck(f, [W1, b1, W2, b2], G, names=NAMES)
    assert rep.ok, str(rep)
    assert rep.mode == "directional" and rep.kinks and "W1" in rep.entrywise
    bad = [x.copy() for x in G]
    bad[2][3, 1] *= 1.001
    rep = checks.gradcheck(f, [W1, b1, W2, b2], bad, names=NAMES)
    assert not rep.ok and (rep.failures[0].name, rep.failures[0].index) == ("W2", (3, 1))


def test_float16_refused_and_upcast_on_request():
    with pytest.raises(TypeError, match="float16"):
        checks.gradcheck(lambda w: (w ** 2).sum(), [np.ones(3, dtype=np.float16)], [2 * np.ones(3)])
    rep = checks.gradcheck(lambda w: (w ** 2).sum(), [np.ones(3, dtype=np.float32)], [2 * np.ones(3)], upcast=True)
    assert rep.ok


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="claimed gradient of W has shape"):
        checks.gradcheck(lambda w: (w ** 2).sum(), [np.ones((2, 3))], [np.ones((3, 2))], names=["W"])
    with pytest.raises(ValueError, match="mode 'fast'"):
        checks.gradcheck(lambda w: (w ** 2).sum(), [np.ones(3)], [2 * np.ones(3)], mode="fast")


# ---------------------------------------------------------------------------
# property-based: the registry's numeric checks over shapes and values
# ---------------------------------------------------------------------------

SIZED = [r for r in derive.results() if isinstance(r.how, Gradient) and r.how.sizes[-1]]


@pytest.mark.parametrize("rid", [r.id for r in SIZED])
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_property_generated_gradient_matches_backprop_and_numerics(rid, data):
    """Any sizes 1..4, normal or integer-valued entries (kinks of ReLU and the
    hinge, ties in max and softmax): the generated NumPy equals backprop of
    the note's loss to 1e-12, and checks.gradcheck finds no mismatch except
    at a detected kink."""
    r = derive.result(rid)
    sizes = {k: data.draw(st.integers(1, 4), label=k) for k in r.how.sizes[-1]}
    values = data.draw(st.sampled_from(["normal", "integer"]), label="values")
    seed = data.draw(st.integers(0, 2 ** 32 - 1), label="seed")
    shapes = statements.shapes(r.how)
    how = {n: r.how.sample.get(n, values) for n in shapes}
    vals = sample(np.random.default_rng(seed), shapes, sizes, how)
    if r.how.adjust is not None:
        with np.errstate(all="ignore"):
            vals = r.how.adjust(F, dict(vals))
    # moving the hinge onto its kink divides by a gap that equal integer draws make 0
    assume(all(np.all(np.isfinite(v)) for v in vals.values()))
    for part, (_, _, claims, forward) in enumerate(parts(r.how)):
        func = getattr(numeric, numeric.BY_RESULT[rid][part])
        got = func(**{p: vals[p] for p in inspect.signature(func).parameters if p in vals})
        wrt = list(claims)

        def loss(*xs, forward=forward):
            kw = dict(vals)
            kw.update(zip(wrt, xs))
            return forward(F, **kw)

        _, ref = checks.grad(loss, *[vals[n] for n in wrt])
        claimed = [np.broadcast_to(np.asarray(got[n], dtype=float).reshape(np.shape(b)) if np.size(got[n]) == np.size(b)
                                   else np.asarray(got[n], dtype=float), np.shape(b)) for n, b in zip(wrt, ref)]
        rep = checks.gradcheck(loss, [vals[n] for n in wrt], claimed, names=wrt)
        smooth = [m for m in rep.failures if m.kink is None]
        assert not smooth, str(rep)
        for n, c, b in zip(wrt, claimed, ref):
            err = np.max(np.abs(c - b)) / max(1.0, np.max(np.abs(b))) if np.size(b) else 0.0
            # exactly on a kink (the hinge moved onto it), rounding may put the
            # two codes on different sides: then both must be one-sided values
            # the checker accepts
            assert err <= 1e-12 or (rep.ok and rep.kinks), (n, err, str(rep))
