"""python -m derive {all, list, show ID, check [ID ...], grad EXPR --wrt X --shape X=m,n ..., codegen [--check],
bench [--quick]}.

Exit status: 0 all as expected, 1 some result failed, 2 bad usage (nothing
is written then).
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import textwrap
import time
from pathlib import Path

from derive.verification import derived
from derive import gradbench
from derive.verification.derived import NotProved
from derive.verification.engine import Unsupported
from derive.maths.language import LanguageError
from derive import bench
from derive.notes import plan, result, results, run_check
from derive.records import Gradient, Identity, Verdict
from derive.render import codegen
from derive.render.files import write_atomic
from derive.verification import checks, statements
from derive.render.derived import derived_document, textual
from derive.render.report import build_pdf, write_reports
from derive.verification.sampling import SAMPLERS


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def _parser():
    p = _Parser(prog="python -m derive", description="Prove, check and typeset the results of the notes.")
    sub = p.add_subparsers(dest="cmd", required=True, parser_class=_Parser)
    a = sub.add_parser("all", help="verify every result and write the LaTeX reports (and the PDF if pdflatex exists)")
    a.add_argument("--out", default="reports", help="directory for the reports (default: reports)")
    a.add_argument("--no-pdf", action="store_true", help="write .tex only")
    sub.add_parser("list", help="list the results and mistakes")
    s = sub.add_parser("show", help="show one result")
    s.add_argument("id")
    c = sub.add_parser("check", help="verify some results (all when none given); writes nothing")
    c.add_argument("ids", nargs="*")
    d = sub.add_parser("grad", help="derive, prove and print the gradient (Jacobian, Hessian) of your own expression")
    d.add_argument("expr", help="the expression, e.g. \"v.T @ sigmoid(W @ x + b)\"")
    d.add_argument("--wrt", action="append", required=True, help="a variable to differentiate by (repeatable)")
    d.add_argument("--shape", action="append", default=[], metavar="NAME=SHAPE",
                   help="a variable's shape: W=h,n (matrix), x=n,1 (column), lam= (scalar); repeatable")
    d.add_argument("--assume", action="append", default=[], help="a stated fact, e.g. \"sum(y) == 1\"")
    d.add_argument("--sample", action="append", default=[], metavar="NAME=HOW",
                   help="how the numeric check samples a variable: normal, positive, unit, onehot, simplex")
    kind = d.add_mutually_exclusive_group()
    kind.add_argument("--jacobian", action="store_true", help="the Jacobian (numerator layout) of a column vector")
    kind.add_argument("--hessian", action="store_true", help="the Hessian of a scalar w.r.t. a column vector")
    d.add_argument("--tex", metavar="FILE", help="also write a standalone LaTeX document of the derivation")
    d.add_argument("--numpy", action="store_true", help="also print the generated NumPy function")
    g = sub.add_parser("codegen", help="print the registry's gradients to derive/_generated.py (derive.numeric)")
    g.add_argument("--check", action="store_true", help="only report whether the file is up to date (exit 1 if not)")
    b = sub.add_parser("bench", help="time the generated network gradient against hand-written NumPy (and torch/jax)")
    b.add_argument("--quick", action="store_true", help="fewer repeats, skip the largest size")
    b.add_argument("--grad", action="store_true", help="time derive.grad (+ proof, + verify) on the public cases")
    return p


def _lookup(ids):
    try:
        return [result(i) for i in ids]
    except KeyError as err:
        raise UsageError(err.args[0]) from None


def _check(task):
    rid, name = task
    return rid, name, run_check(result(rid), name)


def _jobs():
    """Worker processes: one per core (the checks are CPU-bound SymPy);
    DERIVE_JOBS overrides, 1 runs in this process."""
    env = os.environ.get("DERIVE_JOBS", "")
    if env:
        if not env.isdigit() or int(env) < 1:
            raise UsageError(f"DERIVE_JOBS={env!r}: expected a positive integer")
        return int(env)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, 8))


def _verify(rs):
    """Run every check, spread over processes check by check; print each
    result's line and return the verdicts in catalog order."""
    tasks = [(r.id, name) for r in rs for name, _, _ in plan(r)]
    jobs = min(_jobs(), len(tasks))
    pool = None
    if jobs > 1:
        # symbolic checks of large statements are the long ones: start them first
        size = {r.id: len(getattr(r.how, "shapes", ()) or ()) for r in rs}
        order = sorted(tasks, key=lambda t: (t[1] == "numeric", -size[t[0]]))
        pool = multiprocessing.get_context("fork").Pool(jobs)
        done = pool.imap_unordered(_check, order, chunksize=1)
    else:
        done = map(_check, tasks)
    want = {r.id: [name for name, _, _ in plan(r)] for r in rs}
    got, items, failed, nxt = {}, [], 0, 0
    try:
        for rid, name, check in done:
            got.setdefault(rid, {})[name] = check
            while nxt < len(rs) and len(got.get(rs[nxt].id, {})) == len(want[rs[nxt].id]):
                r = rs[nxt]
                v = Verdict(r.id, r.expected, [got[r.id][n] for n in want[r.id]])
                print(f"{v.line()}  ({sum(c.seconds for c in v.checks):.2f}s)", flush=True)
                for c in v.checks:
                    if not c.ok:
                        print(f"    {c.name}: {c.detail}", flush=True)
                failed += not v.ok
                items.append((r, v))
                nxt += 1
    finally:
        if pool is not None:
            pool.terminate()
    return items, failed


def _proved(r):
    """The statement as derive proves it, printed from its expressions."""
    h = r.how
    if isinstance(h, Gradient):
        out = []
        for _, scalar, claims, _ in statements.stated(h):
            out.append(f"s = {scalar}")
            out += [f"  ds/d{name} = {cl}" for name, cl in claims.items()]
        return out
    if isinstance(h, Identity):
        lhs, rhs = statements.sides(h)
        return [f"{lhs} = {rhs}"]
    return [f"statement: {r.statement}"]


def _pairs(items, what):
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"{what} {item!r}: expected NAME=VALUE, e.g. W=h,n")
        out[name.strip()] = "" if value.strip() in ("", "scalar", "()") else value.strip()
    return out


def _grad(args):
    """derive grad: print the named parts, the answer, the checked steps and
    the verdict.  Text outside the language exits 2 with the column."""
    shapes = _pairs(args.shape, "--shape")
    sample = _pairs(args.sample, "--sample")
    bad = [h for h in sample.values() if h not in SAMPLERS]
    if bad:
        raise UsageError(f"--sample {bad[0]!r}: one of {', '.join(SAMPLERS)}")
    if args.tex:
        _writable(Path(args.tex))
    api = derived.jacobian if args.jacobian else derived.hessian if args.hessian else derived.grad
    try:
        d = api(args.expr, args.wrt, shapes, assume=args.assume, sample=sample)
    except (LanguageError, Unsupported) as err:
        raise UsageError(str(err)) from None
    except NotProved as err:
        print(f"derive: NOT PROVED: {err}", file=sys.stderr)
        return 1
    print(textual(d))
    v = d.verify()
    print()
    for c in v.checks:
        print(f"  {c.name:10s} {'ok  ' if c.ok else 'FAIL'} {c.detail}")
    print(f"{v.status}: {d.written}")
    if args.numpy:
        print()
        print(d.source)
    if args.tex:
        write_atomic(Path(args.tex), derived_document(d, v))
        print(f"wrote {args.tex}")
    return 0 if v.ok else 1


def _writable(path):
    """A --tex path we can write, checked before any work is done."""
    if path.exists() and path.is_dir():
        raise UsageError(f"--tex {path}: is a directory")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"--tex {path}: directory {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise UsageError(f"--tex {path}: directory {parent} is not writable")


def main(argv=None):
    try:
        args = _parser().parse_args(argv)
        if args.cmd == "list":
            for r in results():
                kind = "mistake" if r.is_mistake else "result"
                # within 120 columns: a long section and title wrap under the title column
                print(textwrap.fill(f"{r.id:33s} {kind:7s} {r.seed}  {r.section}: {r.title}", 120,
                                    subsequent_indent=" " * 46, break_on_hyphens=False))
            return 0
        if args.cmd == "show":
            (r,) = _lookup([args.id])
            print(f"{r.id}: {r.title}\nsource: seed {r.seed}, {r.section}\nconvention: {r.convention}")
            if r.is_mistake:
                spec = checks.mistake_spec(r.how)
                print(f"as the notes write it: {r.written}")
                if "rhs" in spec:
                    print(f"judged as: {spec['rhs']}")
                fix = spec.get("corrected")
                print(f"correct: {fix if fix is not None and not callable(fix) else 'computed by the correction check'}"
                      f" (see {r.how.correct})")
            else:
                for line in _proved(r):
                    print(line)
            return 0
        if args.cmd == "grad":
            return _grad(args)
        if args.cmd == "codegen":
            if args.check:
                same = codegen.PATH.exists() and codegen.PATH.read_text() == codegen.source(results())
                print(f"{codegen.PATH}: {'up to date' if same else 'STALE: run python -m derive codegen'}")
                return 0 if same else 1
            try:
                changed = codegen.write(results())
            except codegen.NotWritable as err:
                raise UsageError(str(err)) from None
            print(f"{codegen.PATH}: {'written' if changed else 'unchanged'}")
            return 0
        if args.cmd == "bench":
            if args.grad:
                return gradbench.main(quick=args.quick)
            return bench.main(quick=args.quick)
        if args.cmd == "check":
            rs = _lookup(args.ids) if args.ids else results()
            _, failed = _verify(rs)
            return 1 if failed else 0
        # all
        out = Path(args.out)
        if out.exists() and not out.is_dir():
            raise UsageError(f"--out {out}: exists and is not a directory")
        t0 = time.perf_counter()
        items, failed = _verify(results())
        write_reports(items, out)
        print(f"{len(items)} results: {len(items) - failed} as expected, {failed} failed; "
              f"reports in {out}/ ({time.perf_counter() - t0:.1f}s)")
        if not args.no_pdf:
            _, msg = build_pdf(out)
            print(msg)
        return 1 if failed else 0
    except UsageError as err:
        print(f"derive: error: {err}", file=sys.stderr)
        return 2
