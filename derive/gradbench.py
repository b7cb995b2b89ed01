"""python -m derive bench --grad: how fast derive derives, and derives + proves.

For each public case (derive.examples): the derivation alone
(``prove=False``: reverse mode, simplification, names), derive with its
proof at symbolic sizes (what ``derive.grad`` does by default), and derive
+ ``verify()`` (steps, symbolic, exact, numeric).  Each figure is the median
of `repeats` runs in this process, after one warm-up run (SymPy's caches
warm, as in a session).  Then the same three for a chain of sigmoid layers
of growing depth: does the cost grow linearly?  A benchmark, not a test: its
figures go in the README.
"""
from __future__ import annotations

import statistics
import time

from derive.verification import derived
from derive.examples import cases


def _api(kind):
    return {"grad": derived.grad, "jacobian": derived.jacobian, "hessian": derived.hessian}[kind]


def _time(func, repeats):
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        func()
        out.append(time.perf_counter() - t0)
    return statistics.median(out)


def case_times(repeats=3):
    rows = []
    for c in cases():
        api = _api(c.kind)
        alone = lambda: api(c.expr, c.wrt, c.shapes, sample=c.sample, prove=False)  # noqa: E731
        proved = lambda: api(c.expr, c.wrt, c.shapes, sample=c.sample)  # noqa: E731
        full = lambda: api(c.expr, c.wrt, c.shapes, sample=c.sample).verify()  # noqa: E731
        full()  # warm-up
        rows.append((c.id, _time(alone, repeats), _time(proved, repeats), _time(full, repeats)))
    return rows


def layers(depth):
    """sum(sigmoid(W_d @ ... sigmoid(W_1 @ x))) and its shapes."""
    text = "x"
    shapes = {"x": "n,1"}
    for k in range(1, depth + 1):
        text = f"sigmoid(W{k} @ {text})"
        shapes[f"W{k}"] = "n,n"
    return f"sum({text})", shapes


def depth_times(depths=(1, 2, 3, 4, 5), repeats=3):
    rows = []
    for d in depths:
        expr, shapes = layers(d)
        alone = lambda: derived.grad(expr, "W1", shapes, prove=False)  # noqa: E731
        proved = lambda: derived.grad(expr, "W1", shapes)  # noqa: E731
        full = lambda: derived.grad(expr, "W1", shapes).verify()  # noqa: E731
        full()
        rows.append((d, _time(alone, repeats), _time(proved, repeats), _time(full, repeats)))
    return rows


def main(quick=False):
    repeats = 1 if quick else 3
    rows = case_times(repeats)
    print(f"{'case':20s} {'derive':>9s} {'+ proof':>9s} {'+ verify':>9s}")
    for id_, a, p, f in rows:
        print(f"{id_:20s} {a * 1e3:7.1f}ms {p * 1e3:7.1f}ms {f * 1e3:7.1f}ms")
    for label, k in (("derive alone", 1), ("derive + proof", 2), ("derive + verify", 3)):
        col = [r[k] for r in rows]
        print(f"{label:16s} median {statistics.median(col) * 1e3:7.1f} ms, worst {max(col) * 1e3:7.1f} ms "
              f"({max(rows, key=lambda r: r[k])[0]})")
    print("\ndepth (sigmoid layers, d/dW1)   derive   + proof   + verify")
    for d, a, p, f in depth_times((1, 2, 3), repeats):
        print(f"{d:5d} {a * 1e3:26.1f}ms {p * 1e3:7.1f}ms {f * 1e3:8.1f}ms", flush=True)
    return 0
