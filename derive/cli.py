"""python -m derive {all, list, show ID, check [ID ...]}.

Exit status: 0 all as expected, 1 some result failed, 2 bad usage (nothing
is written then).
"""
from __future__ import annotations

import argparse
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


def _verify(rs):
    items, failed = [], 0
    for r in rs:
        t0 = time.perf_counter()
        v = r.verify()
        print(f"{v.line()}  ({time.perf_counter() - t0:.2f}s)", flush=True)
        failed += not v.ok
        items.append((r, v))
    return items, failed


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
