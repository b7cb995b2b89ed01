"""python -m derive {all, list, show ID, check [ID ...]}.

Exit status: 0 all as expected, 1 some result failed, 2 bad usage (nothing
is written then).
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from pathlib import Path

from .registry import result, results
from .report import build_pdf, write_reports


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
    return p


def _lookup(ids):
    try:
        return [result(i) for i in ids]
    except KeyError as err:
        raise UsageError(err.args[0]) from None


def _verify_one(rid):
    t0 = time.perf_counter()
    return result(rid).verify(), time.perf_counter() - t0


def _jobs():
    """Worker processes: one per core (the checks are CPU-bound SymPy);
    DERIVE_JOBS overrides, 1 runs in this process."""
    env = os.environ.get("DERIVE_JOBS", "")
    if env:
        if not env.isdigit() or int(env) < 1:
            raise UsageError(f"DERIVE_JOBS={env!r}: expected a positive integer")
        return int(env)
    return max(1, min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 8))


def _verify(rs):
    """Verify in parallel; print and return in catalog order."""
    ids = [r.id for r in rs]
    jobs = min(_jobs(), len(ids)) or 1
    if jobs == 1:
        done = map(_verify_pair, ids)
    else:
        # the largest statements first, so that no long check starts last
        order = sorted(ids, key=lambda i: -len(getattr(result(i).how, "shapes", ()) or ()))
        pool = multiprocessing.get_context("fork").Pool(jobs)
        done = pool.imap_unordered(_verify_pair, order, chunksize=1)
    got, printed, items, failed = {}, 0, [], 0
    try:
        for rid, v, secs in done:
            got[rid] = (v, secs)
            while printed < len(ids) and ids[printed] in got:
                v, secs = got[ids[printed]]
                print(f"{v.line()}  ({secs:.2f}s)", flush=True)
                failed += not v.ok
                items.append((rs[printed], v))
                printed += 1
    finally:
        if jobs > 1:
            pool.terminate()
    return items, failed


def _verify_pair(rid):
    return (rid, *_verify_one(rid))


def main(argv=None):
    try:
        args = _parser().parse_args(argv)
        if args.cmd == "list":
            for r in results():
                kind = "mistake" if r.is_mistake else "result"
                print(f"{r.id:40s} {kind:8s} seed {r.seed} {r.section:28s} {r.title}")
            return 0
        if args.cmd == "show":
            (r,) = _lookup([args.id])
            print(f"{r.id}: {r.title}\nsource: seed {r.seed}, {r.section}\nconvention: {r.convention}")
            print(f"statement: {r.written or r.statement}")
            if r.is_mistake:
                print(f"correct: {r.correction} (see {r.how.correct})")
            return 0
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
