"""derive.numeric: the imported gradients are the proved formulas, and right.

Every generated function is compared with checks/' independent backprop of
the loss written separately (checks.ops), to 1e-12 relative.
"""
import inspect
import itertools
import subprocess
import sys
import zlib

import numpy as np
import pytest

import checks
import derive
from checks import ops as F
from derive.render import codegen
from derive import numeric
from derive.records import Gradient
from derive.verification.sampling import sample
from derive.verification import statements
from derive.verification.statements import parts

GRADIENTS = [r for r in derive.results() if isinstance(r.how, Gradient)]
PARTS = [(r.id, k) for r in GRADIENTS for k in range(len(parts(r.how)))]


def test_generated_file_is_what_the_registry_prints():
    """The shipped NumPy is printed from the proved statements: regenerate
    it in memory and compare byte for byte."""
    assert codegen.PATH.read_text() == codegen.source(derive.results()), "stale derive/_generated.py: run python -m derive codegen"


def test_every_gradient_result_has_a_function():
    assert set(numeric.BY_RESULT) == {r.id for r in GRADIENTS}
    for rid, names in numeric.BY_RESULT.items():
        for n in names:
            assert callable(getattr(numeric, n)), n


def test_import_does_not_load_sympy():
    code = "import sys, derive.numeric; assert 'sympy' not in sys.modules, 'sympy imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def _rel(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b)) / max(1.0, float(np.max(np.abs(b))))) if b.size else 0.0


@pytest.mark.parametrize("rid,part", PARTS, ids=[f"{i}:{k}" for i, k in PARTS])
def test_per_result_function_batched_matches_backprop(rid, part):
    """A stack of 3 examples through the generated function (leading batch
    axis, no loop) against backprop of the note's loss, example by example."""
    r = derive.result(rid)
    V, _, claims, forward = parts(r.how)[part]
    shapes = statements.shapes(r.how)
    func = getattr(numeric, numeric.BY_RESULT[rid][part])
    sizes = {k: v + 2 for k, v in r.how.sizes[-1].items()}
    rng = np.random.default_rng(zlib.crc32(f"{rid}:{part}".encode()))
    examples = []
    for _ in range(3):
        # no `adjust` onto a kink here: both sides are compared exactly, which at a
        # kink depends on rounding (the numeric check's interval test covers kinks)
        examples.append(sample(rng, shapes, sizes, r.how.sample))
    matrices = any(s != () for s in shapes.values())
    stacked = {n: np.stack([e[n] for e in examples]).reshape((3, 1, 1) if matrices and shapes[n] == () else -1 if not matrices else (3, *examples[0][n].shape))
               for n in shapes}
    params = [p for p in inspect.signature(func).parameters if p in stacked]
    got = func(**{p: stacked[p] for p in params})
    assert list(got) == list(claims)
    for b, vals in enumerate(examples):
        wrt = list(claims)

        def loss(*xs, vals=vals):
            kw = dict(vals)
            kw.update(zip(wrt, xs))
            return forward(F, **kw)

        _, ref = checks.grad(loss, *[vals[n] for n in wrt])
        for name, want in zip(wrt, ref):
            g = np.asarray(got[name], dtype=float)
            # per-example values; a constant gradient carries no batch axis, a
            # scalar variable's gradient may come as a (3, 1, 1) stack
            full = g.reshape(3, *np.shape(want)) if g.size == 3 * np.size(want) else np.broadcast_to(g, np.shape(want))
            one = full[b] if g.size == 3 * np.size(want) else full
            assert _rel(one, want) <= 1e-12, (name, b)


def _reference(params, X, Y, activation, output, reg, rows, out_act):
    fa = {"sigmoid": F.sigmoid, "tanh": F.tanh, "relu": F.relu, "identity": lambda t: t}
    a = X
    for W, b in params[:-1]:
        a = fa[activation](a @ W + b if rows else W @ a + b)
    W, b = params[-1]
    Z = a @ W + b if rows else W @ a + b
    m = X.shape[0] if rows else X.shape[1]
    if output == "softmax-ce":
        L = -F.sum(Y * F.log(F.softmax(Z, 1 if rows else 0))) * (1.0 / m)
    elif output == "bce":  # log(1 - sigma(z)) written as log sigma(-z): the reference must not lose digits either
        L = -F.sum(Y * F.log(F.sigmoid(Z)) + (1 - Y) * F.log(F.sigmoid(-Z))) * (1.0 / m)
    else:
        L = 0.5 * F.sum((fa[out_act](Z) - Y) ** 2) * (1.0 / m)
    for W, _ in params:
        L = L + reg * F.sum(W * W)
    return L


def _network(rows, widths, m, rng, bias_2d=False):
    Ws = [rng.standard_normal((i, o) if rows else (o, i)) for i, o in zip(widths[:-1], widths[1:])]
    bs = [rng.standard_normal(o) for o in widths[1:]]
    if bias_2d:
        bs = [b.reshape((1, -1) if rows else (-1, 1)) for b in bs]
    X = rng.standard_normal((m, widths[0]) if rows else (widths[0], m))
    return list(zip(Ws, bs)), X


CASES = list(itertools.product(numeric.LAYOUTS, numeric.ACTIVATIONS, numeric.OUTPUTS, (0.0, 0.3)))


@pytest.mark.parametrize("layout,activation,output,reg", CASES, ids=["-".join(map(str, c)) for c in CASES])
def test_mlp_matches_independent_backprop(layout, activation, output, reg):
    rows = layout == "rows"
    rng = np.random.default_rng(zlib.crc32(f"{layout}{activation}{output}{reg}".encode()))
    widths, m = [4, 5, 3, 3], 6
    params, X = _network(rows, widths, m, rng, bias_2d=reg > 0)
    k = widths[-1]
    if output == "softmax-ce":
        y = rng.integers(0, k, m)
        Y = np.eye(k)[y] if rows else np.eye(k)[y].T
    else:
        Y = y = rng.uniform(0.05, 0.95, (m, k) if rows else (k, m))
    out_act = "sigmoid" if output == "mse" else "identity"
    loss, grads = numeric.mlp_loss_and_grads(params, X, y, activation, output, reg, layout, output_activation=out_act)
    b2 = [np.reshape(b, (1, -1) if rows else (-1, 1)) for _, b in params]
    Ws = [W for W, _ in params]
    want_loss, ref = checks.grad(lambda *p: _reference(list(zip(p[:3], p[3:])), X, Y, activation, output, reg, rows, out_act),
                                 *Ws, *b2)
    assert abs(loss - want_loss) <= 1e-12 * max(1.0, abs(want_loss))
    for i, ((gW, gb), (W, b)) in enumerate(zip(grads, params)):
        assert gW.shape == W.shape and gb.shape == np.shape(b), i
        assert _rel(gW, ref[i]) <= 1e-12, f"dW{i + 1}"
        assert _rel(gb.reshape(b2[i].shape), ref[3 + i]) <= 1e-12, f"db{i + 1}"
    if output == "softmax-ce":  # one-hot labels give the same as integer labels
        loss2, grads2 = numeric.mlp_loss_and_grads(params, X, Y, activation, output, reg, layout)
        assert loss2 == pytest.approx(loss, rel=1e-15)


def test_mlp_gradient_passes_the_checker():
    """A second, derivative-free opinion on one deep configuration."""
    rng = np.random.default_rng(3)
    params, X = _network(True, [3, 4, 4, 2], 5, rng)
    y = rng.integers(0, 2, 5)
    flat = [a for pair in params for a in pair]

    def f(*ps):
        return numeric.mlp_loss_and_grads(list(zip(ps[::2], ps[1::2])), X, y, "tanh", "softmax-ce", 0.1)[0]

    _, grads = numeric.mlp_loss_and_grads(params, X, y, "tanh", "softmax-ce", 0.1)
    rep = checks.gradcheck(f, flat, [g for pair in grads for g in pair])
    assert rep.ok, str(rep)
    assert checks.taylor_test(f, flat, [g for pair in grads for g in pair]).ok


@pytest.mark.parametrize("layout", numeric.LAYOUTS)
def test_stable_at_extreme_logits(layout):
    """Logits of +-1e3: no overflow, no NaN, the exact values (softmax shifted
    by its max; CE from log-softmax; BCE from logits)."""
    rows = layout == "rows"
    x = np.array([[1e3, 0.0, -1e3]])
    X = x if rows else x.T
    I = np.eye(3)
    params = [(I, np.zeros(3))]
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is exact enough
        loss, grads = numeric.mlp_loss_and_grads(params, X, np.array([1]), "sigmoid", "softmax-ce", layout=layout)
        assert loss == 1e3  # -log softmax_1 = 1000 + log(1 + e^-1000 + e^-2000) = 1000 in float64
        D = np.array([[1.0, -1.0, 0.0]])  # softmax - y: softmax = (1, e^-1000, e^-2000)
        assert np.array_equal(grads[0][0], (x.T @ D) if rows else (D.T @ x))
        loss, grads = numeric.mlp_loss_and_grads(params, X, np.zeros((1, 3)) if rows else np.zeros((3, 1)),
                                                 "sigmoid", "bce", layout=layout)
        assert loss == pytest.approx(1e3 + np.log1p(1.0) + np.log1p(np.exp(-1e3)), rel=1e-15)  # -log sigma(-z) summed
        for act in numeric.ACTIVATIONS:  # hidden units saturated at +-1e3
            deep = [(np.eye(3), np.zeros(3)), (np.eye(3), np.zeros(3))]
            loss, grads = numeric.mlp_loss_and_grads(deep, X * 1.0, np.array([0]), act, "softmax-ce", layout=layout)
            assert np.isfinite(loss) and all(np.isfinite(g).all() for pair in grads for g in pair), act
    s = numeric.sigmoid(np.array([-1e3, 0.0, 1e3]))
    assert s[0] == 0.0 and s[1] == 0.5 and s[2] == 1.0


def test_mlp_errors_name_the_problem():
    rng = np.random.default_rng(0)
    params, X = _network(True, [4, 3, 2], 5, rng)
    y = rng.integers(0, 2, 5)
    with pytest.raises(ValueError, match="layout='cols'"):
        numeric.mlp_loss_and_grads(params, X, y, layout="cols")
    with pytest.raises(ValueError, match="activation='softplus'"):
        numeric.mlp_loss_and_grads(params, X, y, activation="softplus")
    with pytest.raises(ValueError, match=r"params\[0\]: W has shape \(4, 3\)"):
        numeric.mlp_loss_and_grads(params, X.T, y, layout="columns")
    with pytest.raises(ValueError, match=r"class labels must lie in \[0, 2\)"):
        numeric.mlp_loss_and_grads(params, X, np.array([0, 1, 2, 0, 1]))
    with pytest.raises(ValueError, match=r"class labels must lie in \[0, 2\)"):
        numeric.mlp_loss_and_grads(params, X, np.array([0, 1, -1, 0, 1]))
    with pytest.raises(ValueError, match="integer classes"):
        numeric.mlp_loss_and_grads(params, X, y.astype(float))
    with pytest.raises(ValueError, match="y has shape"):
        numeric.mlp_loss_and_grads(params, X, np.zeros((5, 3)), output="bce")
    with pytest.raises(ValueError, match=r"params\[1\]: b has shape \(3,\); a layer of 2 units in layout rows "
                                         r"takes b of shape \(2,\) or \(1, 2\)"):
        numeric.mlp_loss_and_grads([params[0], (params[1][0], np.zeros(3))], X, y)


def _bad_calls():
    """(id, call kwargs changes, exception, message regex): each names the argument and the problem."""
    W, b = np.ones((2, 3)), np.zeros(3)
    return [
        ("m=0", dict(X=np.zeros((0, 2)), y=np.zeros(0, int)), ValueError, r"X has shape \(0, 2\): no examples"),
        ("n=0", dict(params=[(np.ones((0, 3)), b)], X=np.zeros((4, 0))), ValueError, r"X has shape \(4, 0\): 0 features"),
        ("hidden k=0", dict(params=[(np.ones((2, 0)), np.zeros(0)), (np.ones((0, 3)), b)]), ValueError,
         r"params\[0\]: W has shape \(2, 0\): a layer of 0 units"),
        ("output k=0", dict(params=[(np.ones((2, 0)), np.zeros(0))], y=np.zeros((4, 0)), output="mse"), ValueError,
         r"params\[0\]: W has shape \(2, 0\): a layer of 0 units"),
        ("object X", dict(X=np.ones((4, 2), dtype=object)), TypeError, r"X: expected an array of real numbers, got dtype object"),
        ("complex X", dict(X=np.ones((4, 2)) + 1j), TypeError, r"X: .*got dtype complex128"),
        ("object W", dict(params=[(W.astype(object), b)]), TypeError, r"params\[0\]: W: .*got dtype object"),
        ("complex W", dict(params=[(W + 0j, b)]), TypeError, r"params\[0\]: W: .*got dtype complex128"),
        ("string b", dict(params=[(W, np.array(["0", "0", "0"]))]), TypeError, r"params\[0\]: b: .*got dtype <U1"),
        ("object y", dict(y=np.eye(3)[[0, 1, 2, 0]].astype(object)), TypeError, r"y: .*got dtype object"),
        ("reg array", dict(reg=np.array([0.1, 0.2])), TypeError, r"reg=array\(\[0\.1, 0\.2\]\): expected a real number"),
        ("reg 0-d array", dict(reg=np.array(0.1)), TypeError, r"reg=array\(0\.1\): expected a real number"),
        ("reg string", dict(reg="0.1"), TypeError, r"reg='0\.1': expected a real number .*got str"),
        ("reg None", dict(reg=None), TypeError, r"reg=None: expected a real number .*got NoneType"),
        ("reg complex", dict(reg=1j), TypeError, r"reg=1j: expected a real number .*got complex"),
        ("reg bool", dict(reg=True), TypeError, r"reg=True: expected a real number .*got bool"),
        ("reg negative", dict(reg=-0.1), ValueError, r"reg=-0\.1: expected a finite real number >= 0"),
        ("reg nan", dict(reg=float("nan")), ValueError, r"reg=nan: expected a finite"),
        ("reg inf", dict(reg=np.inf), ValueError, r"reg=inf: expected a finite"),
        ("bias column in rows", dict(params=[(W, b.reshape(3, 1))]), ValueError,
         r"params\[0\]: b has shape \(3, 1\); a layer of 3 units in layout rows takes b of shape \(3,\) or \(1, 3\)"),
        ("bias row in columns", dict(params=[(W.T, b.reshape(1, 3))], X=np.ones((2, 4)), layout="columns"), ValueError,
         r"params\[0\]: b has shape \(1, 3\); a layer of 3 units in layout columns takes b of shape \(3,\) or \(3, 1\)"),
        ("bias 3-d", dict(params=[(W, b.reshape(1, 3, 1))]), ValueError, r"params\[0\]: b has shape \(1, 3, 1\)"),
        ("bias scalar", dict(params=[(np.ones((2, 1)), np.float64(0.0))], y=np.zeros((4, 1)), output="bce"), ValueError,
         r"params\[0\]: b has shape \(\); a layer of 1 units in layout rows takes b of shape \(1,\) or \(1, 1\)"),
    ]


BAD = _bad_calls()


@pytest.mark.parametrize("change,exc,msg", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_mlp_refuses_bad_arguments_clearly(change, exc, msg):
    """Each bad argument is a ValueError or TypeError that names it and the
    problem, never a ZeroDivisionError, a raw NumPy error or a silent default."""
    call = dict(params=[(np.ones((2, 3)), np.zeros(3))], X=np.ones((4, 2)), y=np.array([0, 1, 2, 0]))
    call.update(change)
    with pytest.raises(exc, match=msg):
        numeric.mlp_loss_and_grads(**call)
    ws = numeric.Workspace()  # the same checks when buffers are reused, even after a good call
    numeric.mlp_loss_and_grads(params=[(np.ones((2, 3)), np.zeros(3))], X=np.ones((4, 2)), y=np.array([0, 1, 2, 0]),
                               workspace=ws)
    with pytest.raises(exc, match=msg):
        numeric.mlp_loss_and_grads(**call, workspace=ws)


@pytest.mark.parametrize("layout", numeric.LAYOUTS)
def test_mlp_accepts_each_bias_shape_of_its_layout(layout):
    """b is (out,) in either layout, or the layout's own 2-d shape: (1, out)
    for rows, (out, 1) for columns; its gradient comes back in that shape."""
    rows = layout == "rows"
    rng = np.random.default_rng(5)
    params, X = _network(rows, [3, 4, 2], 5, rng)
    y = rng.integers(0, 2, 5)
    loss, grads = numeric.mlp_loss_and_grads(params, X, y, layout=layout)
    for shape in ((1, -1) if rows else (-1, 1),):
        p2 = [(W, b.reshape(shape)) for W, b in params]
        loss2, grads2 = numeric.mlp_loss_and_grads(p2, X, y, layout=layout)
        assert loss2 == loss
        for (gW, gb), (gW2, gb2), (_, b2) in zip(grads, grads2, p2):
            assert gb2.shape == b2.shape and np.array_equal(gb2.ravel(), gb) and np.array_equal(gW2, gW)


def test_mlp_reg_accepts_real_scalars_of_any_type():
    rng = np.random.default_rng(6)
    params, X = _network(True, [3, 2], 4, rng)
    y = rng.integers(0, 2, 4)
    want = numeric.mlp_loss_and_grads(params, X, y, reg=0.5)[0]
    for reg in (np.float64(0.5), np.float32(0.5), 0.5):
        assert numeric.mlp_loss_and_grads(params, X, y, reg=reg)[0] == want
    assert numeric.mlp_loss_and_grads(params, X, y, reg=1)[0] == numeric.mlp_loss_and_grads(params, X, y, reg=1.0)[0]
    assert numeric.mlp_loss_and_grads(params, X, y, reg=np.int64(0))[0] == numeric.mlp_loss_and_grads(params, X, y)[0]


@pytest.mark.parametrize("layout", numeric.LAYOUTS)
def test_integer_inputs_are_cast_to_float64_first(layout):
    """int64 entries of 2**62 used to overflow silently inside a @ W (the
    logit 2**62 + 2**62 wrapped to -2**63, and the loss came out 0.0).  Every
    integer or bool array is cast to float64 first: the loss is the float one."""
    rows = layout == "rows"
    X = np.array([[2**62, 2**62]])
    W = np.array([[1, 0], [1, 0]])
    X, W = (X, W) if rows else (X.T, W.T)
    b = np.zeros(2, dtype=np.int64)
    loss, grads = numeric.mlp_loss_and_grads([(W, b)], X, np.array([1]), "identity", "softmax-ce", layout=layout)
    # z = (2**63, 0) for label 1: -log softmax_1 = 2**63 + log(1 + e^-2**63) = 2**63 in float64
    assert loss == 2.0 ** 63
    want = numeric.mlp_loss_and_grads([(W.astype(float), b.astype(float))], X.astype(float), np.array([1]),
                                      "identity", "softmax-ce", layout=layout)
    assert loss == want[0] and all(np.array_equal(g, h) for p, q in zip(grads, want[1]) for g, h in zip(p, q))
    assert all(g.dtype == np.float64 for pair in grads for g in pair)
    # mse with integer targets and bool inputs: the same as their float64 values
    Xb = np.array([[True, False], [True, True]])
    Xb = Xb if rows else Xb.T
    Y = np.array([[2**62, 0], [0, 1]])
    Y = Y if rows else Y.T
    loss, grads = numeric.mlp_loss_and_grads([(W, b)], Xb, Y, "identity", "mse", layout=layout)
    want = numeric.mlp_loss_and_grads([(W.astype(float), b.astype(float))], Xb.astype(float), Y.astype(float),
                                      "identity", "mse", layout=layout)
    assert loss == want[0] and loss > 1e36
    assert all(np.array_equal(g, h) for p, q in zip(grads, want[1]) for g, h in zip(p, q))


@pytest.mark.parametrize("layout", numeric.LAYOUTS)
def test_softmax_ce_soft_targets_gradient_matches_the_loss(layout):
    """Probability targets that sum to 1 per example are accepted, and the
    gradient is the gradient of the returned loss: checked against the
    independent backprop of the loss written separately (1e-12), and against
    central differences of mlp_loss_and_grads' own loss (checks.gradcheck)."""
    rows = layout == "rows"
    rng = np.random.default_rng(7)
    params, X = _network(rows, [3, 4, 3], 5, rng)
    P = rng.dirichlet(np.ones(3), 5)
    P[0] = [0.7, 0.2, 0.1]  # sums to 1 - 1.1e-16 in float64: rounding, accepted
    P[1] = [1.0, 0.0, 0.0]
    assert P[0].sum() != 1.0
    Y = P if rows else P.T
    loss, grads = numeric.mlp_loss_and_grads(params, X, Y, "tanh", "softmax-ce", 0.1, layout)
    b2 = [np.reshape(b, (1, -1) if rows else (-1, 1)) for _, b in params]
    Ws = [W for W, _ in params]
    want_loss, ref = checks.grad(lambda *p: _reference(list(zip(p[:2], p[2:])), X, Y, "tanh", "softmax-ce", 0.1,
                                                       rows, "identity"), *Ws, *b2)
    assert abs(loss - want_loss) <= 1e-12 * abs(want_loss)
    for i, (gW, gb) in enumerate(grads):
        assert _rel(gW, ref[i]) <= 1e-12 and _rel(gb.reshape(b2[i].shape), ref[2 + i]) <= 1e-12, i
    flat = [a for pair in params for a in pair]

    def f(*ps):
        return numeric.mlp_loss_and_grads(list(zip(ps[::2], ps[1::2])), X, Y, "tanh", "softmax-ce", 0.1, layout)[0]

    rep = checks.gradcheck(f, flat, [g for pair in grads for g in pair])
    assert rep.ok, str(rep)


def test_softmax_ce_kernel_needs_targets_that_sum_to_one():
    """Why targets that do not sum to 1 are refused: for them the proved
    kernel's softmax(z) - y is not the gradient of its own loss, whose
    gradient is softmax(z) * sum(y) - y."""
    rng = np.random.default_rng(8)
    Z, Y = rng.standard_normal((4, 3)), 0.5 * rng.dirichlet(np.ones(3), 4)  # each row sums to 0.5
    loss, D = numeric.softmax_ce_rows(Z, Y)
    num = np.zeros_like(Z)
    for ix in np.ndindex(Z.shape):
        e = np.zeros_like(Z)
        e[ix] = 1e-6
        num[ix] = (numeric.softmax_ce_rows(Z + e, Y)[0] - numeric.softmax_ce_rows(Z - e, Y)[0]) / 2e-6
    S = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    assert _rel(num, (S * Y.sum(axis=1, keepdims=True) - Y) / 4) <= 1e-8
    assert _rel(num, D) > 1e-2


@pytest.mark.parametrize("layout", numeric.LAYOUTS)
def test_softmax_ce_refuses_targets_that_do_not_sum_to_one(layout):
    rows = layout == "rows"
    rng = np.random.default_rng(9)
    params, X = _network(rows, [3, 3], 4, rng)
    for P, first, n_bad in (
            (np.array([[0.5, 0.5, 0], [0.25, 0.25, 0], [1, 0, 0], [0, 0, 1]]), "example 1's sum to 0.5", 1),
            (np.array([[1, 1, 0], [0, 1, 0], [0, 0, 0], [0, 0, 1]]), "example 0's sum to 2.0", 2),  # int "multi-hot"
            (np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [np.nan, 0, 1]]), "example 3's sum to nan", 1),
            (np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 1 + 1e-9]]), "example 3's sum to 1.000000001", 1)):
        msg = rf"y: softmax-ce targets must sum to 1 for each example .*but {first}"
        msg += rf" \({n_bad} examples do not\)" if n_bad > 1 else ";"
        with pytest.raises(ValueError, match=msg):
            numeric.mlp_loss_and_grads(params, X, P if rows else P.T, layout=layout)


def test_a_wrong_kernel_would_be_caught():
    """The comparison above can fail: a transposed weight gradient is caught."""
    rng = np.random.default_rng(1)
    params, X = _network(False, [3, 3, 2], 4, rng)
    y = rng.integers(0, 2, 4)
    _, grads = numeric.mlp_loss_and_grads(params, X, y, layout="columns")
    Ws = [W for W, _ in params]
    b2 = [b.reshape(-1, 1) for _, b in params]
    Y = np.eye(2)[y].T
    _, ref = checks.grad(lambda *p: _reference(list(zip(p[:2], p[2:])), X, Y, "sigmoid", "softmax-ce", 0.0, False, "identity"),
                         *Ws, *b2)
    assert _rel(grads[0][0], ref[0]) <= 1e-12
    assert _rel(grads[0][0].T, ref[0]) > 1e-3
