"""python -m checks.bench: detection and cost of checks.gradcheck against
torch.autograd.gradcheck (fast and slow mode), when torch is installed.

A 2-layer sigmoid/softmax-CE network with (Dx, H, Dy) = (34, 34, 10) and a
batch of 16: 1,540 parameters, W1 square so that a missing transpose keeps
its shape.  The correct gradient is written by hand below (this module
imports nothing from derive).  Each checker is given, over several trials
with a random entry each:
  correct       the right gradient (must pass: a false alarm is a failure)
  1e-6 entry    one entry of one tensor scaled by 1 + 1e-6
  transpose     dW1 transposed (a missing transpose)
  sign entry    one entry of one tensor negated
  bias x 1.1    db1 scaled by 1.1
and we count detections ("failed"; an "undecided" verdict is neither a
catch nor a pass and is shown apart) and time per call.  torch sees the same claimed
gradient through a custom autograd.Function whose backward returns it.
This is a benchmark, not a test; the README quotes its figures.
"""
from __future__ import annotations

import time

import numpy as np

from .gradcheck import gradcheck

DX, H, DY, M = 34, 34, 10, 16


def problem(seed=0):
    rng = np.random.default_rng(seed)
    params = [rng.standard_normal((DX, H)) / np.sqrt(DX), rng.standard_normal(H) * 0.1,
              rng.standard_normal((H, DY)) / np.sqrt(H), rng.standard_normal(DY) * 0.1]
    X = rng.standard_normal((M, DX))
    Y = np.eye(DY)[rng.integers(0, DY, M)]
    return params, X, Y


def loss(W1, b1, W2, b2, X, Y, xp=np):
    """Mean softmax cross-entropy; complex-safe in NumPy (max of the real part)."""
    a = 1 / (1 + xp.exp(-(X @ W1 + b1)))
    z = a @ W2 + b2
    if xp is np:
        z = z - z.real.max(axis=1, keepdims=True)
        lse = np.log(np.exp(z).sum(axis=1, keepdims=True))
    else:  # torch
        z = z - z.max(dim=1, keepdim=True).values
        lse = xp.log(xp.exp(z).sum(dim=1, keepdim=True))
    return -(Y * (z - lse)).sum() / X.shape[0]


def gradient(W1, b1, W2, b2, X, Y):
    a = 1 / (1 + np.exp(-(X @ W1 + b1)))
    z = a @ W2 + b2
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    d2 = (p - Y) / X.shape[0]
    d1 = (d2 @ W2.T) * a * (1 - a)
    return [X.T @ d1, d1.sum(0), a.T @ d2, d2.sum(0)]


def corrupt(kind, grads, rng):
    g = [x.copy() for x in grads]
    if kind == "correct":
        return g
    if kind == "1e-6 entry":
        k = int(rng.integers(4))
        g[k].flat[rng.integers(g[k].size)] *= 1 + 1e-6
    elif kind == "transpose":
        g[0] = g[0].T.copy()
    elif kind == "sign entry":
        k = int(rng.integers(4))
        j = rng.integers(g[k].size)
        g[k].flat[j] = -g[k].flat[j]
    elif kind == "bias x 1.1":
        g[1] = g[1] * 1.1
    return g


KINDS = ["correct", "1e-6 entry", "transpose", "sign entry", "bias x 1.1"]


def _ours(params, X, Y, claimed):
    rep = gradcheck(lambda *p: loss(*p, X, Y), params, claimed, names=["W1", "b1", "W2", "b2"])
    return rep.status, rep.evaluations


def _torch_checker(fast):
    import torch

    def run(params, X, Y, claimed):
        Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
        cl = [torch.from_numpy(np.ascontiguousarray(c)) for c in claimed]

        class Loss(torch.autograd.Function):
            @staticmethod
            def forward(ctx, *ps):
                return loss(*ps, Xt, Yt, xp=torch)

            @staticmethod
            def backward(ctx, go):
                return tuple(go * c for c in cl)

        ps = [torch.from_numpy(p.copy()).requires_grad_() for p in params]
        try:
            ok = torch.autograd.gradcheck(Loss.apply, ps, fast_mode=fast, raise_exception=False)
        except Exception:  # e.g. a shape mismatch in backward
            ok = False
        return ("ok" if ok else "failed"), None
    return run


def run(trials=20, out=print):
    params, X, Y = problem()
    grads = gradient(*params, X, Y)
    checkers = {"checks.gradcheck (auto: complex step, 4 Gaussian directions per tensor)": (_ours, trials)}
    try:
        import torch
        checkers[f"torch {torch.__version__} gradcheck fast_mode"] = (_torch_checker(True), trials)
        checkers[f"torch {torch.__version__} gradcheck slow (every entry)"] = (_torch_checker(False), max(3, trials // 4))
    except ImportError:
        out("torch is not installed: only checks.gradcheck is measured")
    out(f"checks.bench: 2-layer network (Dx, H, Dy) = ({DX}, {H}, {DY}), batch {M}: "
        f"{sum(p.size for p in params)} parameters, float64")
    out("| checker | " + " | ".join(KINDS) + " | time per call (correct) |")
    out("|---|" + "---|" * (len(KINDS) + 1))
    for name, (check, n) in checkers.items():
        cells, t_correct = [], None
        for kind in KINDS:
            rng = np.random.default_rng(KINDS.index(kind))
            statuses, times = [], []
            for _ in range(n):
                claimed = corrupt(kind, grads, rng)
                t = time.perf_counter()
                status, _ = check(params, X, Y, claimed)
                times.append(time.perf_counter() - t)
                statuses.append(status)
            # a pass is "ok", a catch is "failed"; "undecided" is neither, and shown
            undecided = statuses.count("undecided")
            if kind == "correct":
                cells.append(f"{statuses.count('ok')}/{n} pass" + (f" ({undecided} undecided)" if undecided else ""))
                t_correct = float(np.median(times))
            else:
                cells.append(f"{statuses.count('failed')}/{n} caught" + (f" ({undecided} undecided)" if undecided else ""))
        out(f"| {name} | " + " | ".join(cells) + f" | {t_correct * 1e3:.1f} ms |")
    return 0


if __name__ == "__main__":
    raise SystemExit(run())
