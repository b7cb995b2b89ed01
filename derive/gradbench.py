"""python -m derive bench --grad: how fast derive derives, and derives + proves.

For each public case (derive.examples): the derivation alone
(``prove=False``: reverse mode, simplification, names), derive with its
proof at symbolic sizes (what ``derive.grad`` does by default), and derive
+ ``verify()`` (steps, symbolic, exact, numeric).  Each figure is the median
of `repeats` runs in this process, after one warm-up run (SymPy's caches
warm, as in a session).  Then the same three for a chain of sigmoid layers
of growing depth: does the cost grow linearly?  A benchmark, not a test: its
figures go in the README.

``--growth`` measures how the costs grow, each figure in a fresh process
(cold: nothing cached): ``derive all``'s verification + reports (no PDF)
against the number of records (the catalog's first 8, 16, 32, all), and
the proof of an L-layer chain ``v.T @ sigmoid(WL @ ... sigmoid(W1 @ x +
b1) ... + bL)`` w.r.t. every parameter (``derive.grad`` with its proof, then
``verify()``) against L.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
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
        print(f"{d:5d} {a * 1e3:26.1f}ms {p * 1e3:7.1f}ms {f * 1e3:8.1f}ms")
    return 0


# ----------------------------------------------------------------------------
# growth: each figure in a fresh interpreter, so that no cache carries over
# ----------------------------------------------------------------------------

# `derive all --no-pdf` on the first n records; wall and CPU (this process and
# its reaped workers) of the run, the import apart
_ALL = r"""
import contextlib, io, json, resource, sys, time
t0 = time.perf_counter()
from derive import catalog, cli
t1 = time.perf_counter()
n, out = int(sys.argv[1]), sys.argv[2]
catalog.use(catalog.results()[:n])
checks = sum(len(catalog.plan(r)) for r in catalog.results())
c0 = time.process_time()
with contextlib.redirect_stdout(io.StringIO()):
    rc = cli.main(["all", "--no-pdf", "--out", out])
wall = time.perf_counter() - t1
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": rc, "records": len(catalog.results()), "checks": checks, "import": t1 - t0, "wall": wall,
                  "cpu": time.process_time() - c0 + kids.ru_utime + kids.ru_stime}))
"""

# derive.grad (its proof included) and verify() of the L-layer chain
_CHAIN = r"""
import json, sys, time
t0 = time.perf_counter()
from derive.verification import derived
from derive.gradbench import chain
expr, shapes, wrt = chain(int(sys.argv[1]))
t1 = time.perf_counter()
c0 = time.process_time()
try:
    d = derived.grad(expr, wrt, shapes)
except derived.NotProved as err:
    print(json.dumps({"error": str(err).split(": undecided: ")[-1].split(" (")[0], "grad": time.perf_counter() - t1}))
    sys.exit(0)
t2 = time.perf_counter()
v = d.verify()
t3 = time.perf_counter()
print(json.dumps({"grad": t2 - t1, "verify": t3 - t2, "cpu": time.process_time() - c0, "status": v.status,
                  "checks": [c.name for c in v.checks]}))
"""


def _say(line):
    print(line, flush=True)


def chain(depth):
    """(expr, shapes, wrt): v.T @ sigmoid(W_L @ ... sigmoid(W_1 @ x + b_1) ... + b_L), every W_k and b_k."""
    text, shapes, wrt = "x", {"x": "n,1", "v": "h,1"}, []
    for k in range(1, depth + 1):
        text = f"sigmoid(W{k} @ {text} + b{k})"
        shapes[f"W{k}"] = "h,n" if k == 1 else "h,h"
        shapes[f"b{k}"] = "h,1"
        wrt += [f"W{k}", f"b{k}"]
    return f"v.T @ {text}", shapes, wrt


def _fresh(code, args, timeout):
    """The JSON line a fresh `python -c code args` prints; None past `timeout` seconds."""
    try:
        run = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True,
                             timeout=timeout, env={**os.environ, "PYTHONHASHSEED": "0"})
    except subprocess.TimeoutExpired:
        return None
    if run.returncode != 0:
        raise RuntimeError(f"growth bench: {run.stderr.strip().splitlines()[-1] if run.stderr.strip() else run.returncode}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def records_growth(counts=(8, 16, 32, None), out=None):
    """derive all (verification + reports, no PDF) on the catalog's first n records."""
    out = out or _say
    out("| records | checks | wall | wall / record | CPU (all processes) | CPU / check | wall vs previous row |")
    out("|---|---|---|---|---|---|---|")
    rows, prev = [], None
    for n in counts:
        with tempfile.TemporaryDirectory() as tmp:
            r = _fresh(_ALL, [n if n is not None else 10 ** 6, tmp], timeout=600)
        if r["rc"] != 0:
            raise RuntimeError(f"growth bench: derive all on {r['records']} records exited {r['rc']}")
        grow = "" if prev is None else (f"x{r['wall'] / prev['wall']:.2f} for x{r['records'] / prev['records']:.2f} "
                                        "records")
        out(f"| {r['records']} | {r['checks']} | {r['wall']:.1f} s | {r['wall'] / r['records'] * 1e3:.0f} ms | "
            f"{r['cpu']:.1f} s | {r['cpu'] / r['checks'] * 1e3:.0f} ms | {grow} |")
        rows.append(r)
        prev = r
    return rows


def depth_growth(depths=range(1, 7), cap=150.0, out=None):
    """The L-layer chain, w.r.t. every parameter; stops after the first depth
    over `cap` seconds (the next would be slower still)."""
    out = out or _say
    out("| L | parameters | derive.grad (+ proof) | verify() | total | CPU | total vs L-1 |")
    out("|---|---|---|---|---|---|---|")
    rows, prev = [], None
    for depth in depths:
        r = _fresh(_CHAIN, [depth], timeout=cap * 2)
        if r is None or "error" in r:
            why = f"killed after {cap * 2:.0f} s" if r is None else f"NotProved after {r['grad']:.1f} s: {r['error']}"
            out(f"| {depth} | {2 * depth} | {why} | | | | |")
            break
        total = r["grad"] + r["verify"]
        grow = "" if prev is None else f"x{total / prev:.1f}"
        out(f"| {depth} | {2 * depth} | {r['grad']:.2f} s | {r['verify']:.2f} s | {total:.2f} s | {r['cpu']:.2f} s | "
            f"{grow} |")
        rows.append((depth, r))
        prev = total
        if total > cap:
            out(f"(L = {depth} took over {cap:.0f} s: the deeper chains are not run)")
            break
    return rows


def growth(quick=False, out=None):
    """Both growth tables; quick: 8 and 16 records, depths 1..3."""
    out = out or _say
    t0 = time.perf_counter()
    out(f"derive all: verification + reports (.tex, no PDF) on the catalog's first n records, "
        f"each in a fresh process ({len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()} "
        "CPUs)")
    records_growth((8, 16) if quick else (8, 16, 32, None), out=out)
    out("\nthe L-layer chain v.T @ sigmoid(WL @ ... sigmoid(W1 @ x + b1) ... + bL), w.r.t. every Wk and bk, "
        "each L in a fresh process")
    depth_growth(range(1, 4) if quick else range(1, 7), out=out)
    out(f"\n(growth bench: {time.perf_counter() - t0:.0f} s)")
    return 0
