"""Mutation testing of the proof core: does the test suite notice a broken proof?

    python tests/mutate.py [--jobs 2] [--limit N] [--only FILE]

Each mutant changes one operator, constant or condition in one function of
the proof core (derive/maths/indexform.py, matrix/prove.py, verification/steps.py and
the checks in verification/checks.py), in a copy of the repository; the soundness tests
are run against the copy, and a mutant is *killed* when they fail (or run
past the time limit).  Survivors are listed with their line for a look:
some are equivalent (the change cannot alter any verdict).  Named mutants
for each hole of the audit live in tests/test_mutants.py, which CI runs;
this sweep is slow (minutes) and is run by hand, its figures in the README.
"""
from __future__ import annotations

import argparse
import ast
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT
TARGETS = {
    "derive/maths/indexform.py": None,  # every function
    "derive/matrix/prove.py": None,
    "derive/verification/steps.py": {"evaluate", "check", "tie", "_dedupe", "_normal"},
    "derive/verification/checks.py": {"gradient_symbolic", "_branch", "gradient_concrete", "gradient_numeric",
                                      "identity_symbolic", "identity_concrete", "identity_numeric", "_not_scalar",
                                      "_circular", "_ends", "_symbolic", "_derivation", "_refutation", "_correction"},
    "derive/verification/facts.py": {"exact"},
}
TESTS = ["tests/test_soundness.py", "tests/test_can_fail.py", "tests/test_mutants.py::test_named_mutants_are_live",
         "tests/test_registry.py::test_check[sigmoid-derivative:derivation]",
         "tests/test_registry.py::test_check[softmax-ce-gradient:symbolic]",
         "tests/test_registry.py::test_check[softmax-ce-gradient:concrete]",
         "tests/test_registry.py::test_check[window-score-gradients:derivation]",
         "tests/test_registry.py::test_check[mse-relu-neuron:symbolic]",
         "tests/test_registry.py::test_check[softmax-shift-invariance:derivation]",
         "tests/test_registry.py::test_verdict_status[mistake-window-dx]",
         "tests/test_registry.py::test_verdict_status[mistake-gradient-example]",
         "tests/test_registry.py::test_verdict_status[mistake-log-chain-rule]"]

SWAP = {ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE,
        ast.GtE: ast.Gt, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is}


class _Finder(ast.NodeVisitor):
    """Mutation sites inside the selected functions: (line, col, kind, text)."""

    def __init__(self, names):
        self.names, self.stack, self.sites = names, [], []

    def visit_FunctionDef(self, node):
        self.stack.append(node.name)
        self.generic_visit(node)
        self.stack.pop()

    def _inside(self):
        return self.stack and (self.names is None or any(n in self.names for n in self.stack))

    def visit_Compare(self, node):
        if self._inside():
            for k, op in enumerate(node.ops):
                if type(op) in SWAP:
                    self.sites.append((node, "compare", k))
        self.generic_visit(node)

    def visit_BoolOp(self, node):
        if self._inside():
            self.sites.append((node, "boolop", None))
        self.generic_visit(node)

    def visit_UnaryOp(self, node):
        if self._inside() and isinstance(node.op, ast.Not):
            self.sites.append((node, "not", None))
        self.generic_visit(node)

    def visit_If(self, node):
        if self._inside():
            self.sites.append((node, "if-true", None))
            self.sites.append((node, "if-false", None))
        self.generic_visit(node)

    def visit_Constant(self, node):
        if self._inside() and type(node.value) in (int, float) and not isinstance(node.value, bool):
            self.sites.append((node, "number", None))
        self.generic_visit(node)

    def visit_Return(self, node):
        if self._inside() and node.value is not None and not (isinstance(node.value, ast.Constant)
                                                                and node.value.value is None):
            self.sites.append((node, "return-none", None))
        self.generic_visit(node)


def _replace(tree, node, new):
    for parent in ast.walk(tree):
        for field, value in ast.iter_fields(parent):
            if value is node:
                setattr(parent, field, new)
            elif isinstance(value, list) and any(v is node for v in value):
                setattr(parent, field, [new if v is node else v for v in value])


def mutants(path, names):
    """[(description, new source)] for one file."""
    src = (SNAPSHOT / path).read_text()
    tree = ast.parse(src)
    finder = _Finder(names)
    finder.visit(tree)
    out = []
    for idx in range(len(finder.sites)):
        t = ast.parse(src)
        f = _Finder(names)
        f.visit(t)
        node, kind, k = f.sites[idx]
        line = node.lineno
        if kind == "compare":
            old = type(node.ops[k]).__name__
            node.ops[k] = SWAP[type(node.ops[k])]()
            what = f"{old} -> {type(node.ops[k]).__name__}"
        elif kind == "boolop":
            node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
            what = "and <-> or"
        elif kind == "not":
            _replace(t, node, node.operand)
            what = "not dropped"
        elif kind == "if-true":
            node.test = ast.Constant(True)
            what = "condition -> True"
        elif kind == "if-false":
            node.test = ast.Constant(False)
            what = "condition -> False"
        elif kind == "number":
            node.value = node.value + 1
            what = f"constant {node.value - 1} -> {node.value}"
        else:
            node.value = ast.Constant(None)
            what = "returns None"
        out.append((f"{path}:{line}: {what}", ast.unparse(ast.fix_missing_locations(t))))
    return out


# a survivor of the fast set is run again on these (slower, every registry check)
FULL = ["tests/test_soundness.py", "tests/test_can_fail.py", "tests/test_registry.py", "tests/test_numeric.py"]


def run_one(path, new_src, timeout, tests=TESTS):
    with tempfile.TemporaryDirectory() as tmp:
        for d in ("derive", "checks", "tests"):
            shutil.copytree(SNAPSHOT / d, Path(tmp) / d)
        shutil.copy(SNAPSHOT / "README.md", tmp)
        (Path(tmp) / path).write_text(new_src)
        env = dict(os.environ, PYTHONPATH=tmp, PYTHONDONTWRITEBYTECODE="1", DERIVE_JOBS="1")
        t0 = time.perf_counter()
        try:
            rc = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
                                cwd=tmp, env=env, capture_output=True, timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            return "timeout", time.perf_counter() - t0
        return ("killed" if rc != 0 else "survived"), time.perf_counter() - t0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--only", default="")
    ap.add_argument("--timeout", type=int, default=300)
    args = ap.parse_args(argv)
    # one frozen copy: mutants and the files beside them come from the same moment,
    # whatever happens to the working tree while the sweep runs
    global SNAPSHOT
    SNAPSHOT = Path(tempfile.mkdtemp(prefix="derive-mutate-"))
    for d in ("derive", "checks", "tests"):
        shutil.copytree(ROOT / d, SNAPSHOT / d, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "README.md", SNAPSHOT)
    todo = []
    for path, names in TARGETS.items():
        if args.only and args.only not in path:
            continue
        todo += [(path, d, s) for d, s in mutants(path, names)]
    import random
    random.Random(0).shuffle(todo)  # a stopped run is still a fair sample
    if args.limit:
        todo = todo[:args.limit]
    print(f"{len(todo)} mutants", flush=True)
    results = {}
    def one(t):
        status, secs = run_one(t[0], t[2], args.timeout)
        if status == "survived":  # the fast set missed it: every registry check next
            status, more = run_one(t[0], t[2], 4 * args.timeout, FULL)
            secs += more
        return status, secs

    with ThreadPoolExecutor(args.jobs) as pool:
        for (path, desc, _), (status, secs) in zip(todo, pool.map(one, todo)):
            results[desc] = status
            print(f"{status:9s} {secs:6.1f}s  {desc}", flush=True)
    killed = sum(s != "survived" for s in results.values())
    print(f"killed {killed} of {len(results)} ({100 * killed / max(1, len(results)):.1f} %); survivors:")
    for d, s in results.items():
        if s == "survived":
            print("  ", d)


if __name__ == "__main__":
    main()
