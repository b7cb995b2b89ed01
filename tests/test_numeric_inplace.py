"""derive.numeric's in-place path: the _into twins that codegen prints
compute the same numbers as the kernels printed from the same statements,
the forward activations in place are the activations bit for bit, and a
reused Workspace gives the answers of fresh calls."""
import numpy as np
import pytest
import sympy as sp

import derive
from derive import numeric
from derive.render import codegen
from derive import _generated as _g
from derive.maths import kernels

EXTREME = np.array([-1e3, -745.2, -40.0, -1e-300, -0.0, 0.0, 5e-324, 1e-8, 0.5, 36.0, 1e3, np.inf, -np.inf])


def _scratch(name, z):
    """What the workspace passes: float scratch for sigmoid, a bool mask for relu (filled with junk)."""
    return np.full(z.shape, np.nan) if name != "relu" else np.ones(z.shape, bool)


@pytest.mark.parametrize("name", list(numeric.ACTIVATIONS))
def test_forward_in_place_is_the_activation_bit_for_bit(name):
    rng = np.random.default_rng(0)
    # a column with the extremes and NaN, and a block large enough for the SIMD loops
    for z in (np.concatenate([rng.standard_normal(200) * 30, EXTREME, [np.nan]]).reshape(-1, 1),
              rng.standard_normal((64, 257)) * 10):
        want = numeric.ACTIVATIONS[name][0](z.copy())
        got = numeric._FORWARD_INTO[name](z.copy(), np.empty_like(z), _scratch(name, z))
        assert got.dtype == np.float64 and np.array_equal(got, want, equal_nan=True)
        assert np.array_equal(np.signbit(got), np.signbit(np.asarray(want, float)))


def test_forward_sigmoid_in_place_matches_the_kernel_not_a_shortcut():
    """Bit-identical to kernels.sigmoid where the tanh form 0.5 + 0.5 tanh(z/2) would lose digits."""
    z = np.array([[-40.0, -30.0, -700.0]])
    got = numeric._FORWARD_INTO["sigmoid"](z.copy(), np.empty_like(z), _scratch("sigmoid", z))
    assert np.array_equal(got, kernels.sigmoid(z)) and got[0, 2] > 0
    assert not np.array_equal(got, 0.5 + 0.5 * np.tanh(z / 2))


@pytest.mark.parametrize("name", list(numeric.ACTIVATIONS))
def test_prime_from_output_into_is_the_printed_derivative(name):
    rng = np.random.default_rng(1)
    a = np.concatenate([rng.uniform(-2, 2, 100), [0.0, -0.0, 1.0, 0.5]]).reshape(4, -1)
    want = np.broadcast_to(getattr(_g, f"{name}_prime_from_output")(a), a.shape)
    out = np.full_like(a, np.nan)
    assert getattr(_g, f"{name}_prime_from_output_into")(a, out) is out
    assert np.array_equal(out, want)


LAYER = [(s, reg) for s in ("rows", "cols") for reg in ("", "_noreg")]


@pytest.mark.parametrize("layout,reg", LAYER, ids=[f"{s}{r}" for s, r in LAYER])
def test_layer_kernels_into_equal_the_kernels(layout, reg):
    """Each in-place twin writes exactly what its kernel returns (same
    operations on the same operands), and allocates none of it."""
    rng = np.random.default_rng(2)
    n, k, m = 5, 3, 7
    rows = layout == "rows"
    W = rng.standard_normal((n, k) if rows else (k, n))
    D = rng.standard_normal((m, k) if rows else (k, m))
    A = numeric.sigmoid(rng.standard_normal((m, n) if rows else (n, m)))
    lam = [0.3] if reg == "" else []
    df, df_into = _g.sigmoid_prime_from_output, _g.sigmoid_prime_from_output_into
    want = getattr(_g, f"layer_backward_{layout}{reg}")(W, D, *lam, A, df)
    out = tuple(np.full(np.shape(w), np.nan) for w in want)
    got = getattr(_g, f"layer_backward_{layout}{reg}_into")(W, D, *lam, A, df_into, out, np.empty_like(A))
    assert got is out
    for g, w in zip(got, want):
        assert np.array_equal(g, w)
    want = getattr(_g, f"input_layer_backward_{layout}{reg}")(W, D, *lam, A)
    out = tuple(np.full(np.shape(w), np.nan) for w in want)
    getattr(_g, f"input_layer_backward_{layout}{reg}_into")(W, D, *lam, A, out)
    for g, w in zip(out, want):
        assert np.array_equal(g, w)


@pytest.mark.parametrize("layout", ("rows", "cols"))
def test_softmax_ce_into_equals_the_kernel(layout):
    """The loss kernel's in-place twin returns exactly the kernel's loss and
    delta (one-hot and soft targets, logits far apart, m = 1 and larger),
    and writes the delta into the buffer it was given."""
    rng = np.random.default_rng(6)
    rows = layout == "rows"
    for m, k, scale in ((1, 10, 1.0), (64, 10, 30.0), (7, 3, 1e3), (1, 1, 1.0)):
        Z = rng.standard_normal((m, k)) * scale
        Ys = [np.eye(k)[rng.integers(0, k, m)], rng.dirichlet(np.ones(k), m)]
        for Y in Ys:
            Zc, Yc = (Z, Y) if rows else (Z.T.copy(), Y.T.copy())
            want = getattr(_g, f"softmax_ce_{layout}")(Zc, Yc)
            out, col = np.full(Zc.shape, np.nan), np.full((m, 1) if rows else (1, m), np.nan)
            Yk = Yc.copy()
            loss, D = getattr(_g, f"softmax_ce_{layout}_into")(Zc.copy(), Yc, out, col)
            assert D is out and loss == want[0] and np.array_equal(D, want[1])
            assert np.array_equal(Yc, Yk)  # the targets are only read


def test_softmax_ce_into_printer_refuses_other_losses():
    """Only the softmax-CE form is printed in place: BCE's statement raises."""
    r = derive.result("network-output-deltas")
    bce = [ex for ex in r.how.exports if ex.name == "bce_rows"][0]
    with pytest.raises(NotImplementedError):
        codegen._loss_into(r, bce)


@pytest.mark.parametrize("layout", numeric.LAYOUTS)
def test_labels_that_are_no_class_are_refused_in_every_range(layout):
    """Integer labels go through a table of one-hot rows then NaN rows: a
    label take accepts but that is no class ([-2k, 0) or [k, 2k)) and one it
    refuses (beyond) are both refused with the same message, with and
    without a workspace, and the workspace's gradients are left alone."""
    rows = layout == "rows"
    rng = np.random.default_rng(7)
    params, X = _net(rows, [3, 4, 2], 5, rng)
    ws = numeric.Workspace()
    good = rng.integers(0, 2, 5)
    _, grads = numeric.mlp_loss_and_grads(params, X, good, layout=layout, workspace=ws)
    held = [g for pair in grads for g in pair]  # the workspace's own arrays
    kept = [g.copy() for g in held]
    for bad in (-1, -2, -3, -4, -5, 2, 3, 4, 5, 10**9, -(10**9)):
        y = good.copy()
        y[3] = bad
        for w in (None, ws):
            with pytest.raises(ValueError, match=r"y: class labels must lie in \[0, 2\)"):
                numeric.mlp_loss_and_grads(params, X, y, layout=layout, workspace=w)
    assert all(np.array_equal(a, b) for a, b in zip(kept, held))
    for dt in (np.uint8, np.uint64, np.int32):
        want = numeric.mlp_loss_and_grads(params, X, good, layout=layout)
        got = numeric.mlp_loss_and_grads(params, X, good.astype(dt), layout=layout)
        assert got[0] == want[0]
    with pytest.raises(ValueError, match=r"class labels must lie in \[0, 2\)"):
        numeric.mlp_loss_and_grads(params, X, np.array([0, 1, 2**64 - 1, 0, 1], dtype=np.uint64), layout=layout)


def test_nan_inputs_with_good_labels_give_a_nan_loss_not_an_error():
    """A NaN loss sends the labels to the full check; good labels pass it and the NaN comes back."""
    rng = np.random.default_rng(8)
    params, X = _net(True, [3, 2], 4, rng)
    X[1, 0] = np.nan
    loss, _ = numeric.mlp_loss_and_grads(params, X, rng.integers(0, 2, 4))
    assert np.isnan(loss)


def test_many_classes_take_the_indexed_one_hot():
    """Beyond ONEHOT_MAX classes no table is built; labels are checked and placed by index."""
    rng = np.random.default_rng(9)
    k = numeric.ONEHOT_MAX + 1
    params, X = _net(True, [3, k], 4, rng)
    y = rng.integers(0, k, 4)
    loss, grads = numeric.mlp_loss_and_grads(params, X, y, "identity")
    want = numeric.mlp_loss_and_grads(params, X, np.eye(k)[y], "identity")
    assert loss == want[0] and all(np.array_equal(g, h) for p, q in zip(grads, want[1]) for g, h in zip(p, q))
    with pytest.raises(ValueError, match=rf"class labels must lie in \[0, {k}\)"):
        numeric.mlp_loss_and_grads(params, X, np.array([0, 1, -1, 2]), "identity")


def test_in_place_printer_refuses_forms_it_does_not_know():
    """A changed statement is never printed wrongly in place: an unknown form raises."""
    A, B = sp.MatrixSymbol("A", 2, 2), sp.MatrixSymbol("B", 2, 2)
    with pytest.raises(NotImplementedError):
        codegen._matrix_into(A * B * A, "out[0]", {}, "test")
    with pytest.raises(NotImplementedError):
        codegen._matrix_into(sp.HadamardProduct(A, B), "out[0]", {}, "test")
    a = sp.Symbol("a")
    with pytest.raises(NotImplementedError):
        codegen._elementwise_into(sp.exp(a) * sp.sin(a), a, "out", "test")


def _net(rows, widths, m, rng):
    Ws = [rng.standard_normal((i, o) if rows else (o, i)) for i, o in zip(widths[:-1], widths[1:])]
    return [(W, rng.standard_normal(W.shape[1] if rows else W.shape[0])) for W in Ws], \
        rng.standard_normal((m, widths[0]) if rows else (widths[0], m))


@pytest.mark.parametrize("layout", numeric.LAYOUTS)
@pytest.mark.parametrize("activation", list(numeric.ACTIVATIONS))
def test_workspace_gives_the_answers_of_fresh_calls(layout, activation):
    """Reused buffers: the same loss and gradients as without a workspace,
    call after call, across a change of batch size and back; the gradients
    are the workspace's own arrays (no allocation), overwritten by its next call."""
    rows = layout == "rows"
    rng = np.random.default_rng(3)
    ws = numeric.Workspace()
    params, X = _net(rows, [4, 6, 5, 3], 8, rng)
    first = None
    for m, output, reg in ((8, "softmax-ce", 0.0), (8, "bce", 0.2), (3, "mse", 0.0), (8, "softmax-ce", 0.1)):
        X = rng.standard_normal((m, 4) if rows else (4, m))
        y = rng.integers(0, 3, m) if output == "softmax-ce" else rng.uniform(0, 1, (m, 3) if rows else (3, m))
        want = numeric.mlp_loss_and_grads(params, X, y, activation, output, reg, layout)
        got = numeric.mlp_loss_and_grads(params, X, y, activation, output, reg, layout, workspace=ws)
        again = numeric.mlp_loss_and_grads(params, X, y, activation, output, reg, layout, workspace=ws)
        assert got[0] == want[0] == again[0]
        for (gW, gb), (wW, wb), (aW, ab) in zip(got[1], want[1], again[1]):
            assert np.array_equal(gW, wW) and np.array_equal(gb, wb)
            assert np.shares_memory(gW, aW) and np.shares_memory(gb, ab)  # the workspace's buffers
        if first is None:
            first = got[1][0][0]
        elif reg == 0.2:
            assert np.shares_memory(first, got[1][0][0])  # same shapes, another loss: the same buffers
        elif reg == 0.1:
            assert not np.shares_memory(first, got[1][0][0])  # m changed in between: reallocated


def test_a_workspace_returns_a_new_list_each_call():
    """The arrays are the workspace's; the list holding them is the caller's
    to change, and a change does not reach the next call's list."""
    rng = np.random.default_rng(5)
    ws = numeric.Workspace()
    params, X = _net(True, [3, 4, 2], 5, rng)
    y = rng.integers(0, 2, 5)
    first = numeric.mlp_loss_and_grads(params, X, y, workspace=ws)[1]
    first.append("mine")
    first[0] = None
    second = numeric.mlp_loss_and_grads(params, X, y, workspace=ws)[1]
    assert len(second) == 2 and second[0] is not None and second is not first
    assert second[0][1].shape == params[0][1].shape  # a 1-d b: its gradient 1-d


def test_calls_without_workspace_return_new_arrays():
    rng = np.random.default_rng(4)
    params, X = _net(True, [3, 4, 2], 5, rng)
    y = rng.integers(0, 2, 5)
    first = numeric.mlp_loss_and_grads(params, X, y)
    keep = [g.copy() for pair in first[1] for g in pair]
    second = numeric.mlp_loss_and_grads(params, X * 2.0, y)
    assert all(not np.shares_memory(a, b) for p, q in zip(first[1], second[1]) for a, b in zip(p, q))
    assert all(np.array_equal(a, b) for a, b in zip(keep, [g for pair in first[1] for g in pair]))


def test_workspace_must_be_a_workspace():
    rng = np.random.default_rng(5)
    params, X = _net(True, [3, 2], 4, rng)
    with pytest.raises(TypeError, match="workspace: expected a derive.numeric.Workspace, got dict"):
        numeric.mlp_loss_and_grads(params, X, rng.integers(0, 2, 4), workspace={})


class _Sub(np.ndarray):
    pass


def test_remembered_shapes_never_let_a_bad_call_through():
    """A workspace remembers the shapes of its last fully checked call and
    then skips the full check for float64 arrays of the same shapes.  Calls
    that differ from the remembered one in any way the check reads (dtype,
    type, a shape, the number of layers, the layout, a pair that is no
    pair) get the answer, or the error, of a fresh workspace."""
    rng = np.random.default_rng(10)
    params, X = _net(True, [3, 4, 2], 5, rng)
    y = rng.integers(0, 2, 5)
    (W1, b1), (W2, b2) = params
    variants = [
        ("same", params, X),
        ("float32 W", [(W1.astype(np.float32), b1), (W2, b2)], X),
        ("int X", params, (X * 10).astype(int)),
        ("subclass W", [(W1.view(_Sub), b1), (W2, b2)], X),
        ("2-d b", [(W1, b1.reshape(1, -1)), (W2, b2)], X),
        ("list b", [(W1, list(b1)), (W2, b2)], X),
        ("W transposed", [(W1.T.copy(), b1), (W2, b2)], X),
        ("b too long", [(W1, np.zeros(5)), (W2, b2)], X),
        ("X transposed", params, X.T.copy()),
        ("one layer more", params + [(np.ones((2, 2)), np.zeros(2))], X),
        ("one layer less", params[:1], X),
        ("triple", [(W1, b1, b1), (W2, b2)], X),
        ("tuple params", tuple(params), X),
        ("columns", [(W.T, b) for W, b in params], X.T),
    ]
    ws = numeric.Workspace()
    for name, p, Xv in variants:
        layout = "columns" if name == "columns" else "rows"
        for remembered in (True, False):
            if remembered:
                numeric.mlp_loss_and_grads(params, X, y, workspace=ws)  # the shapes to remember
                assert ws._seen is not None
            w = ws if remembered else numeric.Workspace()
            try:
                got = numeric.mlp_loss_and_grads(p, Xv, y, layout=layout, workspace=w)
                got = (got[0], [g.copy() for pair in got[1] for g in pair])
            except (ValueError, TypeError) as e:
                got = (type(e), str(e))
            if remembered:
                first = got
            else:
                if isinstance(got[0], type):
                    assert got == first, name
                else:
                    assert got[0] == first[0] and all(np.array_equal(a, b) for a, b in zip(got[1], first[1])), name
