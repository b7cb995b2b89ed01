"""python -m derive bench: the generated network gradient against hand-written NumPy.

A 2-layer network (sigmoid hidden layer, softmax cross-entropy, integer
labels, float64, layout "rows": X is m x Dx) at (Dx, H, Dy, m) =
(20, 50, 10, 1), (784, 256, 10, 64), (784, 1024, 10, 1024).  Each
implementation is timed in this process, interleaved, as the median of
repeated calls, in 5 rounds; each ratio is the median over the rounds of
the median ratio of neighbouring calls within a round, to the hand-written NumPy of
:func:`handwritten`.  derive is timed twice: plain calls, and calls
that reuse one Workspace (as a training loop would).
torch and jax (CPU, eager autograd) join when installed, timed after the
NumPy pair.  At the largest
size the achieved GFLOP/s (6 m (Dx H + H Dy) flops: three GEMMs per layer)
is compared with the GEMM throughput measured on a square float64 product.
This is a benchmark, not a test: its figures go in the README.
"""
from __future__ import annotations

import os
import platform
import time

import numpy as np

from derive.numeric import Workspace, mlp_loss_and_grads

SIZES = [(20, 50, 10, 1), (784, 256, 10, 64), (784, 1024, 10, 1024)]


def handwritten(W1, b1, W2, b2, X, y):
    """Careful hand-written backprop: stable sigmoid and log-softmax, labels by indexing."""
    m = X.shape[0]
    z1 = X @ W1 + b1
    e = np.exp(-np.abs(z1))
    r = 1.0 / (1.0 + e)
    a1 = np.where(z1 >= 0, r, e * r)
    z2 = a1 @ W2 + b2
    z2 = z2 - z2.max(axis=1, keepdims=True)
    logp = z2 - np.log(np.exp(z2).sum(axis=1, keepdims=True))
    rows = np.arange(m)
    loss = -logp[rows, y].sum() / m
    d2 = np.exp(logp)
    d2[rows, y] -= 1.0
    d2 /= m
    gW2 = a1.T @ d2
    gb2 = d2.sum(axis=0)
    d1 = (d2 @ W2.T) * (a1 * (1.0 - a1))
    gW1 = X.T @ d1
    gb1 = d1.sum(axis=0)
    return loss, [(gW1, gb1), (gW2, gb2)]


def generated(W1, b1, W2, b2, X, y):
    return mlp_loss_and_grads([(W1, b1), (W2, b2)], X, y, activation="sigmoid", output="softmax-ce", layout="rows")


_WS = Workspace()


def generated_workspace(W1, b1, W2, b2, X, y):
    """As a training loop calls it: one Workspace for every call (the gradients are its buffers)."""
    return mlp_loss_and_grads([(W1, b1), (W2, b2)], X, y, activation="sigmoid", output="softmax-ce", layout="rows",
                              workspace=_WS)


def _torch():
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(max(1, torch.get_num_threads()))

    def run(W1, b1, W2, b2, X, y, _t=torch):
        ps = [_t.from_numpy(p).requires_grad_() for p in (W1, b1, W2, b2)]
        Xt, yt = _t.from_numpy(X), _t.from_numpy(y)
        a1 = _t.sigmoid(Xt @ ps[0] + ps[1])
        loss = _t.nn.functional.cross_entropy(a1 @ ps[2] + ps[3], yt)
        loss.backward()
        return float(loss.detach()), [(ps[0].grad.numpy(), ps[1].grad.numpy()), (ps[2].grad.numpy(), ps[3].grad.numpy())]
    return f"torch {torch.__version__} (CPU eager)", run


def _jax():
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)

    def loss(W1, b1, W2, b2, X, y):
        a1 = jax.nn.sigmoid(X @ W1 + b1)
        logp = jax.nn.log_softmax(a1 @ W2 + b2, axis=1)
        return -jnp.mean(logp[jnp.arange(X.shape[0]), y])
    vg = jax.value_and_grad(loss, argnums=(0, 1, 2, 3))

    def run(W1, b1, W2, b2, X, y):
        val, g = vg(W1, b1, W2, b2, X, y)
        return float(val), [(np.asarray(g[0]), np.asarray(g[1])), (np.asarray(g[2]), np.asarray(g[3]))]
    return f"jax {jax.__version__} (CPU eager, value_and_grad, no jit)", run


def _problem(dx, h, dy, m, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((dx, h)) / np.sqrt(dx), rng.standard_normal(h) * 0.1,
            rng.standard_normal((h, dy)) / np.sqrt(h), rng.standard_normal(dy) * 0.1,
            rng.standard_normal((m, dx)), rng.integers(0, dy, m))


def _interleaved_times(funcs, args, repeat, budget_s=3.0):
    """Seconds per call of each function in each of `repeat` rounds; within a
    round every function runs once, in an order that rotates from round to
    round, so that drifts in machine speed (a shared machine) hit all alike
    and ratios within a round compare like with like."""
    for f in funcs.values():
        f(*args)  # warm up (first-call costs are not the steady state)
    t0 = time.perf_counter()
    for f in funcs.values():
        f(*args)
    once = max(time.perf_counter() - t0, 1e-7)
    inner = max(1, int(2e-3 / once * len(funcs)))  # batch tiny calls so the timer resolves them
    times = {k: [] for k in funcs}
    keys = list(funcs)
    deadline = time.perf_counter() + budget_s
    for r in range(repeat):
        for k in keys[r % len(keys):] + keys[:r % len(keys)]:
            f = funcs[k]
            t = time.perf_counter()
            for _ in range(inner):
                f(*args)
            times[k].append((time.perf_counter() - t) / inner)
        if time.perf_counter() > deadline and r >= 4:
            break
    return times


def _median_times(funcs, args, repeat, budget_s=3.0):
    """Median seconds per call of each function, calls interleaved."""
    return {k: float(np.median(v)) for k, v in _interleaved_times(funcs, args, repeat, budget_s).items()}


def gemm_gflops(n=1024, repeat=5):
    a, b = np.random.default_rng(1).standard_normal((2, n, n))
    a @ b
    best = min(_timed(lambda: a @ b) for _ in range(repeat))
    return 2 * n ** 3 / best / 1e9


def _timed(f):
    t = time.perf_counter()
    f()
    return time.perf_counter() - t


def run(quick=False, out=print):
    extra = [x for x in (_torch(), _jax()) if x is not None]
    sizes = SIZES[:2] if quick else SIZES
    threads = {k: os.environ[k] for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS") if k in os.environ}
    out(f"derive bench: 2-layer network, sigmoid + softmax-CE, float64, layout rows; "
        f"numpy {np.__version__}, {platform.machine()}, {os.cpu_count()} CPUs, BLAS threads "
        f"{', '.join(f'{k}={v}' for k, v in threads.items()) or 'library default'}; median of repeated calls, same process")
    names = ["hand-written NumPy", "derive (generated)", "derive + Workspace"] + [label for label, _ in extra]
    head = "| (Dx, H, Dy, m) | " + " | ".join(names) + " | derive / hand-written | derive + Workspace / hand-written |"
    out(head)
    out("|" + "---|" * (len(names) + 3))
    rows = []
    for dx, h, dy, m in sizes:
        args = _problem(dx, h, dy, m)
        funcs = {"hand": handwritten, "gen": generated, "ws": generated_workspace, **{label: f for label, f in extra}}
        # agreement first: a fast wrong answer is not a result
        ref_loss, ref = handwritten(*args)
        for label, f in funcs.items():
            loss, g = f(*args)
            err = max(np.max(np.abs(np.asarray(a) - b)) / max(1.0, np.max(np.abs(b)))
                      for pa, pb in zip(g, ref) for a, b in zip(pa, pb))
            if abs(loss - ref_loss) > 1e-10 * max(1.0, abs(ref_loss)) or err > 1e-10:
                raise AssertionError(f"{label} disagrees with the hand-written gradient at {(dx, h, dy, m)}: {err:.1e}")
        # the NumPy pair interleaved; torch/jax each on its own afterwards (their
        # thread pools spin after a call and would slow the NumPy calls between)
        # (a shared machine: several rounds of interleaved medians, then the median of each's medians)
        rounds = 1 if quick else 5
        per = [_interleaved_times({"hand": handwritten, "gen": generated, "ws": generated_workspace}, args,
                                  repeat=7 if quick else 21, budget_s=1.0 if quick else 2.0) for _ in range(rounds)]
        t = {k: float(np.median([np.median(p[k]) for p in per])) for k in per[0]}
        # the ratio within each round of calls (neighbours in time), then medians of medians
        ratios = {k: float(np.median([np.median(np.divide(p[k], p["hand"])) for p in per])) for k in ("gen", "ws")}
        for label, f in extra:
            t.update(_median_times({label: f}, args, repeat=7 if quick else 15))
        cells = [f"{t[k] * 1e3:.3f} ms" for k in ("hand", "gen", "ws")] + [f"{t[k] * 1e3:.3f} ms" for k, _ in extra]
        ratio = ratios["gen"]
        out(f"| ({dx}, {h}, {dy}, {m}) | " + " | ".join(cells) + f" | {ratio:.2f}x | {ratios['ws']:.2f}x |")
        rows.append(((dx, h, dy, m), t, ratio))
    if not quick:
        (dx, h, dy, m), t, _ = rows[-1]
        flops = 6 * m * (dx * h + h * dy)
        peak = gemm_gflops()
        out(f"at {(dx, h, dy, m)}: derive {flops / t['gen'] / 1e9:.1f} GFLOP/s, hand-written "
            f"{flops / t['hand'] / 1e9:.1f} GFLOP/s; measured float64 GEMM (1024^3) {peak:.1f} GFLOP/s")
    for (size, t, ratio) in rows:
        for label, _ in extra:
            out(f"{size}: derive / {label.split(' (')[0]} = {t['gen'] / t[label]:.2f}x")
    return rows


def main(quick=False):
    run(quick=quick)
    return 0
