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

import numpy as np

from . import _generated as _g
from ._generated import *  # noqa: F401,F403  the activations, kernels and per-result gradients
from ._generated import BY_RESULT  # noqa: F401

ACTIVATIONS = {name: (getattr(_g, name), getattr(_g, f"{name}_prime_from_output"))
               for name in ("sigmoid", "tanh", "relu", "identity")}
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


def _targets(y, Z, output, rows):
    """y as a float array shaped like the logits Z; integer class labels
    become one-hot for softmax-ce."""
    y = np.asarray(y)
    k, m = (Z.shape[1], Z.shape[0]) if rows else Z.shape
    if output == "softmax-ce" and y.ndim == 1:
        if y.dtype.kind not in "iu":
            raise ValueError(f"y: 1-d labels for softmax-ce must be integer classes, got dtype {y.dtype}")
        if y.shape != (m,):
            raise ValueError(f"y: {y.shape[0]} labels for {m} examples")
        Y = np.zeros(Z.shape)
        try:  # labels >= k raise here; negative ones would wrap, hence the min
            if m and y.min() < 0:
                raise IndexError
            Y[(np.arange(m), y) if rows else (y, np.arange(m))] = 1.0
        except IndexError:
            raise ValueError(f"y: class labels must lie in [0, {k}), got {y.min()}..{y.max()}") from None
        return Y
    if y.ndim == 1 and k == 1:
        y = y.reshape(Z.shape)
    if y.shape != Z.shape:
        raise ValueError(f"y has shape {y.shape}; the network's outputs have shape {Z.shape} "
                         f"({'examples x outputs' if rows else 'outputs x examples'})")
    return np.asarray(y, dtype=float)


def _check(params, X, rows):
    if not isinstance(params, (list, tuple)) or not params:
        raise ValueError("params: expected a non-empty list of (W, b) pairs")
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-d ({'examples x features' if rows else 'features x examples'}), got shape {X.shape}")
    width = X.shape[1] if rows else X.shape[0]
    layers = []
    for i, pair in enumerate(params):
        if len(pair) != 2:
            raise ValueError(f"params[{i}]: expected a (W, b) pair")
        W, b = np.asarray(pair[0]), np.asarray(pair[1])
        if W.ndim != 2:
            raise ValueError(f"params[{i}]: W must be 2-d, got shape {W.shape}")
        fan_in, fan_out = (W.shape[0], W.shape[1]) if rows else (W.shape[1], W.shape[0])
        if fan_in != width:
            raise ValueError(f"params[{i}]: W has shape {W.shape}, which takes {fan_in} inputs, but the layer "
                             f"receives {width} ({'W is in x out' if rows else 'W is out x in'} in layout "
                             f"{'rows' if rows else 'columns'})")
        if b.size != fan_out:
            raise ValueError(f"params[{i}]: b has {b.size} entries for {fan_out} units")
        layers.append((W, b.reshape((1, fan_out) if rows else (fan_out, 1))))
        width = fan_out
    return X, layers


def mlp_loss_and_grads(params, X, y, activation="sigmoid", output="softmax-ce", reg=0.0, layout="rows",
                       output_activation="identity"):
    """Mean loss over the examples plus reg * sum ||W||^2 (weights, not
    biases: seed 001's lambda sum theta^2), and its gradients.

    params: [(W1, b1), (W2, b2), ...].  layout="rows": X is (m, n), z = a W + b,
    W is (in, out); layout="columns": X is (n, m), z = W a + b, W is (out, in).
    activation: hidden layers' f (sigmoid, tanh, relu, identity).
    output: "softmax-ce" (y integer labels (m,) or one-hot like the logits),
    "bce" (sigmoid outputs, y in [0, 1] like the logits), or "mse"
    (1/2 ||g(z) - y||^2 with g = output_activation).
    Returns (loss, grads) with grads shaped like params.
    """
    _choice("layout", layout, LAYOUTS)
    _choice("activation", activation, tuple(ACTIVATIONS))
    _choice("output", output, OUTPUTS)
    _choice("output_activation", output_activation, tuple(ACTIVATIONS))
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
