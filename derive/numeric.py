"""Gradients to import: NumPy printed from derive's proved statements.

    from derive.numeric import mlp_loss_and_grads, window_score_gradients

* ``mlp_loss_and_grads(params, X, y, ...)``: loss and gradients of a dense
  network of any depth, both layouts, four activations, three losses.
  Its backward pass is the generated kernels of network-output-deltas and
  network-layer-backward (BP1-BP4 batched), nothing hand-written.
* one function per proved gradient of the notes (``BY_RESULT`` maps result
  ids to them), e.g. ``window_score_gradients(W, x, b, v)`` -> {"W": ...};
  matrices may carry leading batch axes.

Everything here is plain NumPy (derive/_generated.py, printed once by
``python -m derive codegen``); importing it does not import SymPy.
Stable by construction: softmax is shifted by its max (exact by
softmax-shift-invariance), cross-entropy uses log-softmax, BCE is computed
from logits (log(1 - sigma(z)) = log sigma(-z)), sigmoid never overflows.
"""
from __future__ import annotations

import math
import numbers
import threading

import numpy as np

from derive import _generated as _g
from derive._generated import *  # noqa: F401,F403  the activations, kernels and per-result gradients
from derive._generated import BY_RESULT  # noqa: F401

ACTIVATIONS = {name: (getattr(_g, name), getattr(_g, f"{name}_prime_from_output"))
               for name in ("sigmoid", "tanh", "relu", "identity")}
_ACTIVATION_NAMES = tuple(ACTIVATIONS)
OUTPUTS = ("softmax-ce", "bce", "mse")
LAYOUTS = ("rows", "columns")

# the in-place twins of the layer kernels (codegen prints both from the same statements)
_KERNELS = {layout: {"loss": {"softmax-ce": getattr(_g, f"softmax_ce_{s}"), "bce": getattr(_g, f"bce_{s}"),
                              "mse": getattr(_g, f"mse_{s}")},
                     "softmax-ce": getattr(_g, f"softmax_ce_{s}_into"),
                     "hidden": getattr(_g, f"layer_backward_{s}_into"),
                     "hidden0": getattr(_g, f"layer_backward_{s}_noreg_into"),
                     "input": getattr(_g, f"input_layer_backward_{s}_into"),
                     "input0": getattr(_g, f"input_layer_backward_{s}_noreg_into")}
            for layout, s in (("rows", "rows"), ("columns", "cols"))}
_PRIME_INTO = {name: getattr(_g, f"{name}_prime_from_output_into") for name in ACTIVATIONS}


def _choice(name, value, allowed):
    if value not in allowed:
        raise ValueError(f"{name}={value!r}: expected one of {', '.join(map(repr, allowed))}")


_F64 = np.dtype(np.float64)


def _real(a, name, i=None):
    """a as a float64 array. Integers and bools are cast first, so int64
    entries such as 2**62 never overflow in a product; complex, object,
    string, datetime ... arrays are refused.  (The name is formatted only
    on error: this runs on every call.)"""
    a = a if type(a) is np.ndarray else np.asarray(a)
    if a.dtype is _F64:
        return a
    if a.dtype.kind in "biuf":
        return a.astype(np.float64)
    raise TypeError(f"{name if i is None else f'params[{i}]: {name}'}: expected an array of real numbers, "
                    f"got dtype {a.dtype}")


def _reg(reg):
    """reg as a float that is finite and >= 0; None, bools, strings, arrays
    and complex numbers are refused (never read as 0 or cut to their real part)."""
    if type(reg) is not float:
        if isinstance(reg, (bool, np.bool_)) or not isinstance(reg, numbers.Real):
            raise TypeError(f"reg={reg!r}: expected a real number >= 0 (the L2 penalty's weight), "
                            f"got {type(reg).__name__}")
        reg = float(reg)
    if not 0.0 <= reg < math.inf:  # NaN fails too
        raise ValueError(f"reg={reg!r}: expected a finite real number >= 0")
    return reg


# softmax-ce: each example's targets must sum to 1 within this much per class
# (the proved dCE/dz = softmax(z) - y uses sum(y) = 1; rounding of correctly
# rounded probabilities moves the sum by a few eps per class)
SUM_TOL = 1e-12


def _targets(y, Z, output, rows, Y1, idx):
    """y as a float64 array shaped like the logits Z; integer class labels
    become one-hot (in the buffer Y1; idx is arange(m)) for softmax-ce, whose
    soft targets must sum to 1 per example."""
    y = y if type(y) is np.ndarray else np.asarray(y)
    k, m = (Z.shape[1], Z.shape[0]) if rows else Z.shape
    if output == "softmax-ce" and y.ndim == 1:
        if y.dtype.kind not in "iu":
            raise ValueError(f"y: 1-d labels for softmax-ce must be integer classes, got dtype {y.dtype}")
        if y.shape != (m,):
            raise ValueError(f"y: {y.shape[0]} labels for {m} examples")
        try:  # raises for labels < 0 or >= k (plain indexing would wrap negative ones)
            at = np.ravel_multi_index((idx, y) if rows else (y, idx), Z.shape)
        except ValueError:
            raise ValueError(f"y: class labels must lie in [0, {k}), got {y.min()}..{y.max()}") from None
        Y1.fill(0.0)
        Y1.put(at, 1.0)
        return Y1
    if y.ndim == 1 and k == 1:
        y = y.reshape(Z.shape)
    if y.shape != Z.shape:
        raise ValueError(f"y has shape {y.shape}; the network's outputs have shape {Z.shape} "
                         f"({'examples x outputs' if rows else 'outputs x examples'})")
    Y = _real(y, "y")
    if output == "softmax-ce":
        s = Y.sum(axis=1 if rows else 0)
        bad = np.flatnonzero(~(np.abs(s - 1.0) <= SUM_TOL * k))  # ~(<=) also catches NaN
        if bad.size:
            i = int(bad[0])
            raise ValueError(f"y: softmax-ce targets must sum to 1 for each example (one-hot or probabilities), "
                             f"but example {i}'s sum to {float(s[i])!r}" + (f" ({bad.size} examples do not)" if bad.size > 1 else "")
                             + "; divide each example's targets by their sum, or pass integer class labels")
    return Y


def _bias_error(i, b, fan_out, rows):
    raise ValueError(f"params[{i}]: b has shape {b.shape}; a layer of {fan_out} units in layout "
                     f"{'rows' if rows else 'columns'} takes b of shape ({fan_out},) or "
                     f"{(1, fan_out) if rows else (fan_out, 1)}")


def _weight_error(i, W, width, rows):
    if W.ndim != 2:
        raise ValueError(f"params[{i}]: W must be 2-d, got shape {W.shape}")
    fan_in, fan_out = W.shape if rows else W.shape[::-1]
    if fan_in != width:
        raise ValueError(f"params[{i}]: W has shape {W.shape}, which takes {fan_in} inputs, but the layer "
                         f"receives {width} ({'W is in x out' if rows else 'W is out x in'} in layout "
                         f"{'rows' if rows else 'columns'})")
    raise ValueError(f"params[{i}]: W has shape {W.shape}: a layer of 0 units")


def _check(params, X, rows, ws):
    """X and the (W, b) as float64 arrays, checked: O(1) per array (type,
    dtype and shape attributes, each read once; a cast only for other real
    dtypes); m; for each b whether it was given 1-d (its gradient is
    returned so); the layers' widths.  In layout rows a bias (out,) is used
    as it is (it broadcasts as (1, out) does); in columns it becomes the
    view (out, 1).

    The workspace ws remembers the layout and shapes of the last call whose
    arrays were all float64 and needed no view: when this call's are float64
    arrays of exactly those shapes, every check below holds (they read
    nothing else), and params is used as it is."""
    seen = ws._seen
    if seen is not None and seen[0] is rows and (type(params) is list or type(params) is tuple) \
            and len(params) == len(seen[2]) and type(X) is np.ndarray and X.dtype is _F64 and X.shape == seen[1]:
        try:
            for (W, b), (sW, sb) in zip(params, seen[2]):
                if not (type(W) is np.ndarray and type(b) is np.ndarray and W.dtype is _F64 and b.dtype is _F64
                        and W.shape == sW and b.shape == sb):
                    break
            else:
                return X, seen[3], params, seen[4], seen[5]
        except (TypeError, ValueError):  # not a pair: the full check says so
            pass
    X0, params0 = X, params
    X, m, layers, vec, widths = _full_check(params, X, rows)
    # remembered when nothing was cast or reshaped (params can then be used as it is)
    same = X is X0 and (type(params) is list or type(params) is tuple) and all(
        W is pair[0] and b is pair[1] for (W, b), pair in zip(layers, params0))
    ws._seen = (rows, X.shape, tuple((W.shape, b.shape) for W, b in layers), m, vec, widths) if same else None
    return X, m, layers, vec, widths


def _full_check(params, X, rows):
    if type(params) is not list and not isinstance(params, (list, tuple)) or not params:
        raise ValueError("params: expected a non-empty list of (W, b) pairs")
    if type(X) is not np.ndarray or X.dtype is not _F64:
        X = _real(X, "X")
    shape = X.shape
    if len(shape) != 2:
        raise ValueError(f"X must be 2-d ({'examples x features' if rows else 'features x examples'}), got shape {shape}")
    m, width = shape if rows else shape[::-1]
    if not (m and width):
        raise ValueError(f"X has shape {shape}: " + ("0 features" if m else "no examples (the loss is a mean over them)"))
    # rows: W is (in, out), so shape[0] is fan-in and shape[1] fan-out; columns the reverse
    i_in, i_out = (0, 1) if rows else (1, 0)
    layers, vec, widths = [], [], [width]
    for i, pair in enumerate(params):
        try:
            W, b = pair
        except (TypeError, ValueError):
            raise ValueError(f"params[{i}]: expected a (W, b) pair") from None
        if type(W) is not np.ndarray or W.dtype is not _F64:
            W = _real(W, "W", i)
        if type(b) is not np.ndarray or b.dtype is not _F64:
            b = _real(b, "b", i)
        shape = W.shape
        if len(shape) != 2 or shape[i_in] != width or not shape[i_out]:
            _weight_error(i, W, width, rows)
        width = shape[i_out]
        shape = b.shape
        one = shape == (width,)
        if one:
            if not rows:  # (out,) would broadcast along the examples' axis: a column (out, 1)
                b = b.reshape(width, 1)
        elif shape != ((1, width) if rows else (width, 1)):
            _bias_error(i, b, width, rows)
        layers.append((W, b))
        vec.append(one)
        widths.append(width)
    return X, m, layers, tuple(vec), tuple(widths)


# The forward activations in place.  Each computes exactly what the
# activation above computes (the same operations on the same operands, so
# the same bits; tests check it) into buffers of the workspace: z is
# scratch, s more scratch (a float array shaped like z for sigmoid, a bool
# one for relu), the activation's value is returned.  out is positional:
# parsing keywords costs more than the arithmetic at small sizes.

def _sigmoid_into(z, a, s):
    """_k.sigmoid: e = exp(-|z|), r = 1/(1 + e), r where z >= 0 else e r
    (never exp of a positive number), as r q with q = max(e, [z >= 0]):
    q = 1.0 exactly where z >= 0 (e <= 1), e where z < 0, NaN where z is
    NaN (np.maximum propagates it), and r 1.0 = r.  No masked loop: a
    where= loop runs element by element, 15x slower than these."""
    np.greater_equal(z, 0.0, s)
    np.copysign(z, -1.0, z)  # -|z| in one pass
    np.exp(z, z)
    np.add(z, 1.0, a)
    np.divide(1.0, a, a)
    np.maximum(z, s, out=s)  # (np.maximum deprecates a positional out)
    np.multiply(a, s, a)
    return a


def _tanh_into(z, a, s):
    return np.tanh(z, z)


def _relu_into(z, a, s):
    """_k.relu: z where z > 0, else 0.0 (NaN included, as np.where does)."""
    np.greater(z, 0.0, s)
    np.logical_not(s, s)
    np.copyto(z, 0.0, where=s)
    return z


def _identity_into(z, a, s):
    return z


_FORWARD_INTO = {"sigmoid": _sigmoid_into, "tanh": _tanh_into, "relu": _relu_into, "identity": _identity_into}


class Workspace:
    """Buffers that mlp_loss_and_grads reuses across calls, as torch's
    allocator does: pass the same Workspace to every call of a training loop
    and no array is allocated after the first call (for softmax-ce with
    integer labels and no reg).

    The gradients returned are then views of the workspace's buffers: the
    next call with the same workspace overwrites them (copy them to keep
    them).  A new network shape, batch size, layout, activation or loss
    reallocates.  Not for use by two threads at once.
    """

    __slots__ = ("_key", "_bufs", "_seen")

    def __init__(self):
        self._key = None
        self._bufs = None
        self._seen = None


# a call without a workspace takes its scratch (not what it returns) from
# its thread's own, kept for the last shape used: allocating a dozen arrays
# per call costs more than the whole gradient at small sizes
_LOCAL = threading.local()


def _buffers(ws, rows, widths, m, activation, grads=True):
    """Z (pre-activations, reused as scratch), A (sigmoid's output), relu's masks,
    the gradients' buffers (their shapes when not `grads`), dJ/dZ of each
    hidden layer, f'(A) scratch, the one-hot labels and their table,
    arange(m), the loss kernel's delta and column of per-example scratch,
    allocated once per shape."""
    key = (rows, activation, widths, m, grads)
    if ws._key == key:
        return ws._bufs
    def mat(w, dtype=np.float64):
        return np.empty((m, w) if rows else (w, m), dtype=dtype)
    hidden = widths[1:-1]
    bufs = {
        "Z": [mat(w) for w in widths[1:]],
        "A": [mat(w) if activation == "sigmoid" else None for w in hidden],
        "mask": [mat(w, bool) if activation == "relu" else None for w in hidden],
        "gW": [(i, o) if rows else (o, i) for i, o in zip(widths[:-1], widths[1:])],
        "gb": [(1, o) if rows else (o, 1) for o in widths[1:]],
        "D": [mat(w) for w in hidden],
        "tmp": [mat(w) for w in hidden],
        "Y": mat(widths[-1]),
        "dZ": mat(widths[-1]),
        "col": np.empty((m, 1) if rows else (1, m)),
        "rows": np.arange(m),
        "label": np.empty(m, np.intp),
        "onehot": _onehot_table(widths[-1], rows),
    }
    bufs["gshapes"] = list(zip(bufs["gW"], bufs["gb"]))
    # sigmoid's scratch is f'(A)'s, free until the backward pass
    bufs["forward"] = list(zip(bufs["Z"], bufs["A"], bufs["tmp"] if activation == "sigmoid" else bufs["mask"]))
    if grads:
        # the gradients' buffers as the kernels' out tuples (dW, db), and the
        # same with db 1-d, for a b given 1-d: made once
        bufs["grads"] = [(np.empty(sW), np.empty(sb)) for sW, sb in zip(bufs["gW"], bufs["gb"])]
        bufs["grads1"] = [(gW, gb.reshape(-1)) for gW, gb in bufs["grads"]]
        bufs["returned"] = {}
    ws._key, ws._bufs = key, bufs
    return bufs


def _onehot_table(k, rows):
    """A row of NaN, the k one-hot rows, a row of NaN (transposed in layout
    columns), for k <= ONEHOT_MAX classes, else None.  Integer labels y
    become one-hot in two calls: y + 1 into an index buffer, and take in
    mode "clip", which sends every index below 1 (a negative label, or one
    whose y + 1 wrapped around) to the first NaN row and every one above k
    to the last.  A label that is no class thus makes the loss NaN, and
    only then are the labels looked at (_labels_error): checked without a
    pass over them on the hot path."""
    if k > ONEHOT_MAX:
        return None
    nan = np.full((1, k), np.nan)
    E = np.concatenate([nan, np.eye(k), nan])
    return E if rows else np.ascontiguousarray(E.T)


ONEHOT_MAX = 256  # the table is (k + 2) k floats: 0.5 MiB at 256 classes


def _labels_error(y, k):
    """The error for labels outside [0, k), or None."""
    if y.min() < 0 or y.max() >= k:
        return ValueError(f"y: class labels must lie in [0, {k}), got {y.min()}..{y.max()}")
    return None


_CONFIGS = {}


def _config(layout, activation, output, output_activation):
    """(rows, forward in place, f'(A) in place, kernels) for these options,
    checked the first time each combination is seen."""
    key = (layout, activation, output, output_activation)
    try:
        return _CONFIGS[key]
    except (KeyError, TypeError):  # TypeError: unhashable, refused by _choice
        pass
    _choice("layout", layout, LAYOUTS)
    _choice("activation", activation, _ACTIVATION_NAMES)
    _choice("output", output, OUTPUTS)
    _choice("output_activation", output_activation, _ACTIVATION_NAMES)
    cfg = _CONFIGS[key] = (layout == "rows", _FORWARD_INTO[activation], _PRIME_INTO[activation], _KERNELS[layout])
    return cfg


def mlp_loss_and_grads(params, X, y, activation="sigmoid", output="softmax-ce", reg=0.0, layout="rows",
                       output_activation="identity", workspace=None):
    """Mean loss over the examples plus reg * sum ||W||^2 (weights, not
    biases: seed 001's lambda sum theta^2), and its gradients.

    params: [(W1, b1), (W2, b2), ...].  layout="rows": X is (m, n), z = a W + b,
    W is (in, out), b is (out,) or (1, out); layout="columns": X is (n, m),
    z = W a + b, W is (out, in), b is (out,) or (out, 1).  Any other bias
    shape is refused, even one with the right number of entries (a (out, 1)
    bias in layout rows is most likely a layout mix-up).
    X, the W and b may be integer or bool arrays: everything is computed in
    float64, and integers are cast first, so int64 inputs never overflow.
    m >= 1 examples, every layer >= 1 unit.
    activation: hidden layers' f (sigmoid, tanh, relu, identity).
    output: "softmax-ce": y integer labels (m,), or targets shaped like the
    logits (one-hot or probabilities) that sum to 1 for each example within
    SUM_TOL * (number of classes); other sums are refused (ValueError naming
    the example), since dCE/dz = softmax(z) - y holds only when sum(y) = 1.
    "bce": sigmoid outputs, y in [0, 1] like the logits.  "mse":
    1/2 ||g(z) - y||^2 with g = output_activation.
    reg: a finite real number >= 0 (None, bools, complex, strings and arrays
    are refused with a TypeError).
    workspace: a Workspace to reuse buffers across calls (see Workspace):
    the gradients returned are then its buffers, overwritten by its next
    call.  Without one, every array returned is new.
    Returns (loss, grads) with grads shaped like params, float64.
    """
    try:
        rows, f, df, kern = _CONFIGS[layout, activation, output, output_activation]
    except (KeyError, TypeError):  # a first use, or a bad option (refused there)
        rows, f, df, kern = _config(layout, activation, output, output_activation)
    if workspace is not None and type(workspace) is not Workspace:
        raise TypeError(f"workspace: expected a derive.numeric.Workspace, got {type(workspace).__name__}")
    if type(reg) is not float or reg:  # 0.0, the default, is a valid reg: no call
        reg = _reg(reg)
    if workspace is None:
        ws = _LOCAL.__dict__.get("ws")
        if ws is None:
            ws = _LOCAL.ws = Workspace()
        X, m, layers, vec, widths = _check(params, X, rows, ws)
        bufs = _buffers(ws, rows, widths, m, activation, grads=False)
        grads = [(np.empty(sW), np.empty(sb)) for sW, sb in bufs["gshapes"]]
    else:
        X, m, layers, vec, widths = _check(params, X, rows, workspace)
        bufs = _buffers(workspace, rows, widths, m, activation)
        grads = bufs["grads"]
    # forward, in place: z = a W + b (rows) or W a + b (columns) into Z[i];
    # keep each layer's input a
    acts, a = [X], X
    for (W, b), (Z, A, S) in zip(layers, bufs["forward"]):
        np.matmul(a, W, Z) if rows else np.matmul(W, a, Z)
        np.add(Z, b, Z)
        a = f(Z, A, S)
        acts.append(a)
    W, b = layers[-1]
    Z = bufs["Z"][-1]
    np.matmul(a, W, Z) if rows else np.matmul(W, a, Z)
    np.add(Z, b, Z)
    E = bufs["onehot"]
    if (output == "softmax-ce" and E is not None and type(y) is np.ndarray and y.ndim == 1
            and y.dtype.kind in "iu" and y.shape[0] == m):
        # integer labels: one-hot in two calls (see _onehot_table)
        Y = E.take(np.add(y, 1, bufs["label"]), 0 if rows else 1, bufs["Y"], "clip")
        loss, D = kern["softmax-ce"](Z, Y, bufs["dZ"], bufs["col"])  # the in-place twin: Z is scratch now
        loss = float(loss)  # (a Python float compares faster than NumPy's)
        if loss != loss:  # NaN: from a label that is no class (a NaN row of the table), or from the inputs
            err = _labels_error(y, widths[-1])
            if err is not None:
                raise err
    else:
        Y = _targets(y, Z, output, rows, bufs["Y"], bufs["rows"])
        if output == "softmax-ce":
            loss, D = kern["softmax-ce"](Z, Y, bufs["dZ"], bufs["col"])
        elif output == "mse":
            g, dg = ACTIVATIONS[output_activation]
            loss, D = kern["loss"]["mse"](Y, g(Z), dg)
        else:
            loss, D = kern["loss"][output](Z, Y)
    # backward: D = dJ/dZ of the layer being processed; each kernel writes
    # (dW, db, dJ/dZ below) into the workspace
    Ds, tmps = bufs["D"], bufs["tmp"]
    for i in range(len(layers) - 1, 0, -1):
        if reg:
            kern["hidden"](layers[i][0], D, reg, acts[i], df, (*grads[i], Ds[i - 1]), tmps[i - 1])
        else:
            kern["hidden0"](layers[i][0], D, acts[i], df, (*grads[i], Ds[i - 1]), tmps[i - 1])
        D = Ds[i - 1]
    if reg:
        kern["input"](layers[0][0], D, reg, X, grads[0])
        loss = loss + reg * sum(float(np.vdot(W, W)) for W, _ in layers)
    else:
        kern["input0"](layers[0][0], D, X, grads[0])
    # db in the shape of b: a 1-d b gets a 1-d view (the workspace's, made once)
    if workspace is None:
        return float(loss), [(gW, gb.ravel()) if v else (gW, gb) for (gW, gb), v in zip(grads, vec)]  # a view: gb is contiguous
    # the list of (dW, db) for this pattern of 1-d biases, made once; a new list each call (the caller may change it)
    ret = bufs["returned"].get(vec)
    if ret is None:
        ret = bufs["returned"][vec] = [g1 if v else g for g, g1, v in zip(grads, bufs["grads1"], vec)]
    return float(loss), ret.copy()
