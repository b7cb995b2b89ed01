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

import numpy as np

from derive import _generated as _g
from derive._generated import *  # noqa: F401,F403  the activations, kernels and per-result gradients
from derive._generated import BY_RESULT  # noqa: F401

ACTIVATIONS = {name: (getattr(_g, name), getattr(_g, f"{name}_prime_from_output"))
               for name in ("sigmoid", "tanh", "relu", "identity")}
_ACTIVATION_NAMES = tuple(ACTIVATIONS)
OUTPUTS = ("softmax-ce", "bce", "mse")
LAYOUTS = ("rows", "columns")

_KERNELS = {layout: {"loss": {"softmax-ce": getattr(_g, f"softmax_ce_{s}"), "bce": getattr(_g, f"bce_{s}"),
                              "mse": getattr(_g, f"mse_{s}")},
                     "hidden": getattr(_g, f"layer_backward_{s}"), "hidden0": getattr(_g, f"layer_backward_{s}_noreg"),
                     "input": getattr(_g, f"input_layer_backward_{s}"),
                     "input0": getattr(_g, f"input_layer_backward_{s}_noreg")}
            for layout, s in (("rows", "rows"), ("columns", "cols"))}


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


def _targets(y, Z, output, rows):
    """y as a float64 array shaped like the logits Z; integer class labels
    become one-hot for softmax-ce, whose soft targets must sum to 1 per example."""
    y = y if type(y) is np.ndarray else np.asarray(y)
    k, m = (Z.shape[1], Z.shape[0]) if rows else Z.shape
    if output == "softmax-ce" and y.ndim == 1:
        if y.dtype.kind not in "iu":
            raise ValueError(f"y: 1-d labels for softmax-ce must be integer classes, got dtype {y.dtype}")
        if y.shape != (m,):
            raise ValueError(f"y: {y.shape[0]} labels for {m} examples")
        try:  # raises for labels < 0 or >= k (plain indexing would wrap negative ones)
            at = np.ravel_multi_index((np.arange(m), y) if rows else (y, np.arange(m)), Z.shape)
        except ValueError:
            raise ValueError(f"y: class labels must lie in [0, {k}), got {y.min()}..{y.max()}") from None
        Y = np.zeros(Z.shape)
        Y.put(at, 1.0)
        return Y
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


def _check(params, X, rows):
    if not isinstance(params, (list, tuple)) or not params:
        raise ValueError("params: expected a non-empty list of (W, b) pairs")
    X = _real(X, "X")
    if X.ndim != 2:
        raise ValueError(f"X must be 2-d ({'examples x features' if rows else 'features x examples'}), got shape {X.shape}")
    m, width = X.shape if rows else X.shape[::-1]
    if not (m and width):
        raise ValueError(f"X has shape {X.shape}: " + ("0 features" if m else "no examples (the loss is a mean over them)"))
    layers = []
    for i, pair in enumerate(params):
        if len(pair) != 2:
            raise ValueError(f"params[{i}]: expected a (W, b) pair")
        W, b = _real(pair[0], "W", i), _real(pair[1], "b", i)
        if W.ndim != 2:
            raise ValueError(f"params[{i}]: W must be 2-d, got shape {W.shape}")
        fan_in, fan_out = W.shape if rows else W.shape[::-1]
        if fan_in != width:
            raise ValueError(f"params[{i}]: W has shape {W.shape}, which takes {fan_in} inputs, but the layer "
                             f"receives {width} ({'W is in x out' if rows else 'W is out x in'} in layout "
                             f"{'rows' if rows else 'columns'})")
        if not fan_out:
            raise ValueError(f"params[{i}]: W has shape {W.shape}: a layer of 0 units")
        if b.ndim == 1:  # (out,): made a row (1, out) or a column (out, 1), which adds faster than (out,)
            if b.shape[0] != fan_out:
                _bias_error(i, b, fan_out, rows)
            b = b.reshape((1, fan_out) if rows else (fan_out, 1))
        elif b.shape != ((1, fan_out) if rows else (fan_out, 1)):
            _bias_error(i, b, fan_out, rows)
        layers.append((W, b))
        width = fan_out
    return X, layers


def mlp_loss_and_grads(params, X, y, activation="sigmoid", output="softmax-ce", reg=0.0, layout="rows",
                       output_activation="identity"):
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
    Returns (loss, grads) with grads shaped like params, float64.
    """
    _choice("layout", layout, LAYOUTS)
    _choice("activation", activation, _ACTIVATION_NAMES)
    _choice("output", output, OUTPUTS)
    _choice("output_activation", output_activation, _ACTIVATION_NAMES)
    reg = _reg(reg)
    rows = layout == "rows"
    X, layers = _check(params, X, rows)
    f, df = ACTIVATIONS[activation]
    kern = _KERNELS[layout]
    # forward: z = a W + b (rows) or W a + b (columns); keep each layer's input a
    acts, a = [X], X
    for W, b in layers[:-1]:
        a = f(a @ W + b if rows else W @ a + b)
        acts.append(a)
    W, b = layers[-1]
    Z = a @ W + b if rows else W @ a + b
    Y = _targets(y, Z, output, rows)
    if output == "mse":
        g, dg = ACTIVATIONS[output_activation]
        loss, D = kern["loss"]["mse"](Y, g(Z), dg)
    else:
        loss, D = kern["loss"][output](Z, Y)
    # backward: D = dJ/dZ of the layer being processed
    grads = [None] * len(layers)
    for i in range(len(layers) - 1, 0, -1):
        W = layers[i][0]
        gW, gb, D = kern["hidden"](W, D, reg, acts[i], df) if reg else kern["hidden0"](W, D, acts[i], df)
        grads[i] = (gW, gb)
    W = layers[0][0]
    grads[0] = kern["input"](W, D, reg, X) if reg else kern["input0"](W, D, X)
    if reg:
        loss = loss + reg * sum(float(np.vdot(W, W)) for W, _ in layers)
    shaped = [(gW, gb.reshape(np.shape(pair[1]))) for (gW, gb), pair in zip(grads, params)]
    return float(loss), shaped
