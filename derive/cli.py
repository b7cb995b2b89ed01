"""python -m derive {all, list, show [--latex] ID, check [-v] [ID ...], grad EXPR --wrt X --shape X=m,n ...,
codegen [--check], bench [--quick] [--grad | --growth]}.

Exit status: 0 all as expected, 1 some result failed, 2 bad usage (nothing
is written then), 130 interrupted (SIGINT), 143 terminated (SIGTERM).  An
error is one line on stderr, never a traceback.
"""
from __future__ import annotations

import argparse
import multiprocessing
import multiprocessing.connection
import os
try:
    import resource
except ImportError:  # not POSIX: no CPU total in --profile
    resource = None
import shutil
import signal
import sys
import threading
import time
from pathlib import Path

from derive.verification import derived
from derive import gradbench
from derive.verification.derived import NotProved
from derive.verification.engine import Unsupported
from derive.maths.language import LanguageError
from derive import bench
from derive.catalog import plan, result, results, run_check, use
from derive.catalog.load import NotesError
from derive.catalog.load import load as load_notes
from derive.records import Check, Verdict
from derive.render import codegen
from derive.render.files import NotWritable, check_writable_dir, check_writable_file, write_atomic
from derive.render.text import check_lines, result_text
from derive.render.derived import derived_document, textual
from derive.render.report import build_pdf, pdf_of, result_tex, write_reports
from derive.verification.sampling import SAMPLERS


class UsageError(Exception):
    pass


class Terminated(BaseException):
    """SIGTERM, raised in the main process so that every `finally` (temporary
    files, the worker pool) runs; a BaseException, so no `except Exception` stops it."""


def _terminate(signum, frame):
    raise Terminated()


class _Workers:
    """Worker processes forked once, each with a pipe of its own to the main
    process: the checks are handed out one at a time, the results come back
    in the order they finish.

    Nothing is shared between the workers (no queue, no lock) and nothing
    replaces one that ends, so a signal can stop any of them at any moment
    without leaving the others or the main process waiting: a worker
    ignores SIGINT and dies of SIGTERM outright; on the way out the main
    process kills whatever is left and reaps it.  (multiprocessing.Pool,
    used before, hung under load on a SIGTERM to the process group: a worker
    ended half-way through writing a result left the pool's result thread
    waiting for the rest of it forever, and the pool forked replacements for
    the workers that ended, which could lose the SIGTERM meant to stop them.)"""

    def __init__(self, jobs):
        ctx = multiprocessing.get_context("fork")
        self.procs, self.conns = [], []
        # forked with SIGINT ignored and SIGTERM at its default: the worker has
        # no handler of the main process's to run, before or after it starts
        old = signal.signal(signal.SIGINT, signal.SIG_IGN), signal.signal(signal.SIGTERM, signal.SIG_DFL)
        try:
            for _ in range(jobs):
                mine, theirs = ctx.Pipe()
                proc = ctx.Process(target=_serve, args=(theirs,), daemon=True)
                proc.start()
                theirs.close()
                self.procs.append(proc)
                self.conns.append(mine)
        except BaseException:
            self.close()
            raise
        finally:
            signal.signal(signal.SIGINT, old[0])
            signal.signal(signal.SIGTERM, old[1])

    def run(self, tasks):
        """_check's answer to each task, as they finish; a worker that ends
        without answering leaves its task's checks undecided, and gets no other."""
        todo, busy, idle, last = list(tasks), {}, list(self.conns), {}
        while todo or busy:
            while todo and idle:
                conn = idle.pop(0)
                task = _next(todo, last.get(conn), {last[c] for c in last if c is not conn})
                last[conn] = task[0]
                try:
                    conn.send(task)
                    busy[conn] = task
                except OSError:  # the worker has ended
                    yield _undecided(task, "the worker process ended before answering")
            if not busy:  # every worker has ended
                for task in todo:
                    yield _undecided(task, "no worker process left")
                return
            for conn in multiprocessing.connection.wait(list(busy)):
                task = busy.pop(conn)
                try:
                    answer = conn.recv()
                except (EOFError, OSError):
                    yield _undecided(task, "the worker process ended before answering")
                    continue
                idle.append(conn)
                yield answer

    def close(self):
        """Kill what is still running and reap every worker (no zombie, no orphan)."""
        for proc in self.procs:
            if proc.exitcode is None:
                proc.kill()
        for proc in self.procs:
            proc.join()
        for conn in self.conns:
            conn.close()


def _next(todo, mine, theirs):
    """The next task for a worker: another check of the record it did last
    (SymPy's cache then holds that record's expressions: the symbolic,
    derived and concrete checks share them), else one of a record no other
    worker is on, else the first."""
    for want in (lambda rid: rid == mine, lambda rid: rid not in theirs, lambda rid: True):
        for i, task in enumerate(todo):
            if want(task[0]):
                return todo.pop(i)


def _serve(conn):
    """A worker: answer each task until the main process closes its end."""
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        answer = _check(task)
        try:
            conn.send(answer)
        except OSError:  # the main process is gone
            return


def _undecided(task, why):
    """The answer to a task none was given for: each of its checks undecided."""
    rid, names, _ = task
    kinds = {n: k for n, k, _ in plan(result(rid))}
    return rid, {n: Check(n, kinds.get(n, "proof"), False, f"undecided: {why}", 0.0) for n in names}, None


def _typeset(r, got):
    """(r's report from its checks `got` by name, the CPU seconds it took)."""
    t0 = time.process_time()
    tex = result_tex(r, Verdict(r.id, r.expected, [got[n] for n, _, _ in plan(r)]))
    return tex, time.process_time() - t0


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def _parser():
    p = _Parser(prog="python -m derive", description="Prove, check and typeset the results of the notes.")
    sub = p.add_subparsers(dest="cmd", required=True, parser_class=_Parser)
    a = sub.add_parser("all", help="verify every result and write the LaTeX reports (and the PDF if pdflatex exists)")
    a.add_argument("--out", default="reports", help="directory for the reports (default: reports)")
    a.add_argument("--no-pdf", action="store_true", help="write .tex only")
    a.add_argument("--profile", action="store_true", help="print the time of each stage (and of each kind of check)")
    ls = sub.add_parser("list", help="list the results and mistakes")
    s = sub.add_parser("show", help="verify one result and print it in plain text: statement, derivation, verdict")
    s.add_argument("id")
    s.add_argument("--latex", action="store_true", help="print its section of the LaTeX report instead")
    c = sub.add_parser("check", help="verify some results (all when none given); writes nothing")
    c.add_argument("ids", nargs="*")
    c.add_argument("-v", "--verbose", action="store_true", help="print each check's detail")
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
    d.add_argument("--pdf", metavar="FILE", help="also compile the standalone document into a PDF (needs pdflatex)")
    d.add_argument("--numpy", action="store_true", help="also print the generated NumPy function")
    for one in (a, ls, s, c):
        one.add_argument("--notes", metavar="FILE",
                         help="a notes file of your own (a Python file defining RESULTS, written like derive/notes/)")
    g = sub.add_parser("codegen", help="print the registry's gradients to derive/_generated.py (derive.numeric)")
    g.add_argument("--check", action="store_true", help="only report whether the file is up to date (exit 1 if not)")
    b = sub.add_parser("bench", help="time the generated network gradient against hand-written NumPy (and torch/jax)")
    b.add_argument("--quick", action="store_true", help="fewer repeats, skip the largest size")
    b.add_argument("--grad", action="store_true", help="time derive.grad (+ proof, + verify) on the public cases")
    b.add_argument("--growth", action="store_true",
                   help="how the costs grow: derive all against the number of records, a proof against depth")
    return p


def _lookup(ids):
    try:
        return [result(i) for i in ids]
    except KeyError as err:
        raise UsageError(err.args[0]) from None


def _check(task):
    """(rid, names, typeset) -> (rid, {name: Check}, (the record's report, CPU
    seconds to typeset it) or None).
    The checks of one record run in one process, one after the other: SymPy's
    cache then holds the expressions they share (the scalar, its derivative,
    the claim's entries), and the report typeset after them reuses them too."""
    rid, names, typeset = task
    r, got = result(rid), {}
    for name in names:
        try:
            got[name] = run_check(r, name)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as err:  # noqa: B036 -- an answer for every task: the main process waits for each
            got.update(_undecided((rid, (name,), None), f"{type(err).__name__}: {err}")[1])
    tex = None
    if typeset:
        try:
            tex = _typeset(r, got)
        except Exception:  # noqa: BLE001 -- typeset again in the main process, where the error is reported
            tex = None
    return rid, got, tex


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


def _verify(rs, *, quiet=False, verbose=False, progress=False, texts=None):
    """Run every check, spread over processes; print each result's line
    (unless quiet: each check's detail too when verbose, the failed ones'
    always) and return the verdicts in catalog order.  With progress, a
    line on stderr counts the checks done (a terminal only).  With `texts`
    (a dict), each record's report is typeset by the process that checked
    it, as soon as its checks are done: texts[id] = (report, CPU seconds).

    A task is a record's checks; a record alone (show, check ID) is spread
    check by check instead, so that its checks run side by side."""
    want = {r.id: [name for name, _, _ in plan(r)] for r in rs}
    jobs = _jobs()
    if len(rs) >= 2 * jobs or texts is not None:
        tasks = [(r.id, tuple(want[r.id]), texts is not None) for r in rs]
    else:
        tasks = [(r.id, (name,), False) for r in rs for name in want[r.id]]
    jobs = min(jobs, len(tasks))
    pool = None
    if jobs > 1:
        # symbolic checks of large statements are the long ones: start them first
        size = {r.id: len(getattr(r.how, "shapes", ()) or ()) for r in rs}
        order = sorted(tasks, key=lambda t: (t[1] == ("numeric",), -size[t[0]]))
        pool = _Workers(jobs)
        done = pool.run(order)
    else:
        done = map(_check, tasks)
    total = sum(len(names) for names in want.values())
    got, items, failed, nxt, count = {}, [], 0, 0, 0
    try:
        for rid, checks, tex in done:
            got.setdefault(rid, {}).update(checks)
            count += len(checks)
            if texts is not None and len(got[rid]) == len(want[rid]):
                # typeset here only when the worker could not (it says why, if it fails again)
                texts[rid] = tex if tex is not None else _typeset(result(rid), got[rid])
            while nxt < len(rs) and len(got.get(rs[nxt].id, {})) == len(want[rs[nxt].id]):
                r = rs[nxt]
                v = Verdict(r.id, r.expected, [got[r.id][n] for n in want[r.id]])
                if not quiet:
                    _clear(progress)
                    print(f"{v.line()}  ({sum(c.seconds for c in v.checks):.2f}s)", flush=True)
                    for c, line in zip(v.checks, check_lines(v)):
                        if verbose or not c.ok:
                            print(f"    {line}", flush=True)
                failed += not v.ok
                items.append((r, v))
                nxt += 1
            if progress:
                waiting = f"  waiting for {rs[nxt].id}" if nxt < len(rs) else ""
                sys.stderr.write(f"\r\033[K[{nxt}/{len(rs)}] {count}/{total} checks{waiting}")
                sys.stderr.flush()
    finally:
        _clear(progress)
        if pool is not None:
            pool.close()
    return items, failed


def _clear(progress):
    """Erase the progress line, so the next line starts clean."""
    if progress:
        sys.stderr.write("\r\033[K")
        sys.stderr.flush()


def _summary(items, failed):
    undecided = sum(v.status == "undecided" for _, v in items)
    more = f" ({undecided} undecided)" if undecided else ""
    n = len(items)
    return f"{n} result{'s' if n != 1 else ''}: {n - failed} as expected, {failed} failed{more}"


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
    if args.pdf:
        _writable(Path(args.pdf), "--pdf")
        if shutil.which("pdflatex") is None:
            raise UsageError("--pdf needs pdflatex on the PATH (Debian: apt-get install texlive-latex-base "
                             "texlive-latex-recommended); --tex FILE writes the LaTeX alone")
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
    if args.pdf:
        pdf, msg = pdf_of(derived_document(d, v), Path(args.pdf))
        print(msg, file=sys.stdout if pdf else sys.stderr)
        if pdf is None:
            return 1
    return 0 if v.ok else 1


def _writable(path, option="--tex"):
    """A --tex (--pdf) path we can write, checked before any work is done."""
    try:
        check_writable_file(path)
    except NotWritable as err:
        raise UsageError(f"{option} {err}") from None


_STARTUP_CPU = 0.0
LIST_WIDTH = 100  # `list` lines: fixed columns, the title cut to fit


def _list():
    rs = results()
    w = max(len(r.id) for r in rs)  # the id and seed columns as wide as their longest entry, no wider
    ws = max(4, *(len(r.seed) for r in rs))
    print(f"{'id':{w}s} {'kind':7s} {'seed':{ws}s} {'section':18s} title")
    for r in rs:
        kind = "mistake" if r.is_mistake else "result"
        section = r.section if len(r.section) <= 18 else r.section[:17] + "…"
        line = f"{r.id:{w}s} {kind:7s} {r.seed:{ws}s} {section:18s} {r.title}"
        print(line if len(line) <= LIST_WIDTH else line[:LIST_WIDTH - 1] + "…")
    return 0


def _show(args):
    (r,) = _lookup([args.id])
    ((_, v),), _ = _verify([r], quiet=True, progress=_tty())
    if args.latex:
        print(result_tex(r, v), end="")
    else:
        print(result_text(r, v))
    return 0 if v.ok else 1


def _tty():
    return sys.stdout.isatty() and sys.stderr.isatty()


def _all(args, seeds=None, title=None):
    if not args.out.strip():
        raise UsageError("--out is empty: name a directory (the default is reports)")
    out = Path(args.out)
    try:
        check_writable_dir(out)  # before the 30 s of verification, not after
    except NotWritable as err:
        raise UsageError(f"--out {err}") from None
    t0 = time.perf_counter()
    typeset = {}
    items, failed = _verify(results(), progress=_tty(), texts=typeset)
    t1 = time.perf_counter()
    write_reports(items, out, seeds, title, {rid: tex for rid, (tex, _) in typeset.items()})
    t2 = time.perf_counter()
    print(f"{_summary(items, failed)}; reports in {out}/ ({t2 - t0:.1f}s)")
    if not args.no_pdf:
        _, msg = build_pdf(out)
        print(msg)
    if args.profile:
        _profile(items, {"verification (wall)": t1 - t0, "reports (.tex)": t2 - t1,
                         "PDF": time.perf_counter() - t2}, sum(secs for _, secs in typeset.values()))
    return 1 if failed else 0


def _profile(items, stages, typeset):
    """Per-stage wall times, then the CPU seconds of each kind of check
    (summed over the workers), the longest checks last."""
    print(f"profile: {'start-up and import':22s} {_STARTUP_CPU:6.2f}s (CPU, before main)")
    for name, secs in stages.items():
        print(f"profile: {name:22s} {secs:6.2f}s")
        if name.startswith("verification"):
            print(f"profile: {' of it, reports (.tex)':22s} {typeset:6.2f}s (CPU, each typeset by the worker that checked it)")
    kinds, longest = {}, []
    for r, v in items:
        for c in v.checks:
            kinds[c.name] = kinds.get(c.name, 0.0) + c.seconds
            longest.append((c.seconds, f"{r.id} {c.name}"))
    total = sum(kinds.values())
    print(f"profile: checks, summed over {_jobs()} worker(s): {total:.1f}s; by kind: "
          + ", ".join(f"{k} {s:.1f}s" for k, s in sorted(kinds.items(), key=lambda kv: -kv[1])))
    if resource is not None:
        cpu = sum(u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF),
                                                     resource.getrusage(resource.RUSAGE_CHILDREN)))
        print(f"profile: CPU, all processes: {cpu:.1f}s (this one, its workers, pdflatex)")
    print("profile: longest checks: " + ", ".join(f"{name} {s:.2f}s" for s, name in sorted(longest)[-5:][::-1]))


def _notes(args):
    """Use the records of --notes FILE instead of the notes' catalog (in this
    process and the workers it forks); (seeds, title) for the book."""
    path = getattr(args, "notes", None)
    if not path:
        return None, None
    try:
        records, seeds = load_notes(path)
    except NotesError as err:
        raise UsageError(str(err)) from None
    use(records)
    return seeds, f"{Path(path).stem}: proved and checked by derive"


def _run(args):
    book = _notes(args)
    if args.cmd == "list":
        return _list()
    if args.cmd == "show":
        return _show(args)
    if args.cmd == "grad":
        return _grad(args)
    if args.cmd == "codegen":
        if args.check:
            same = codegen.PATH.exists() and codegen.PATH.read_text() == codegen.source(results())
            print(f"{codegen.PATH}: {'up to date' if same else 'STALE: run python -m derive codegen'}")
            return 0 if same else 1
        try:
            changed = codegen.write(results())
        except NotWritable as err:
            raise UsageError(str(err)) from None
        print(f"{codegen.PATH}: {'written' if changed else 'unchanged'}")
        return 0
    if args.cmd == "bench":
        if args.growth:
            return gradbench.growth(quick=args.quick)
        if args.grad:
            return gradbench.main(quick=args.quick)
        return bench.main(quick=args.quick)
    if args.cmd == "check":
        rs = _lookup(args.ids) if args.ids else results()
        t0 = time.perf_counter()
        items, failed = _verify(rs, verbose=args.verbose, progress=_tty())
        print(f"{_summary(items, failed)} ({time.perf_counter() - t0:.1f}s)")
        return 1 if failed else 0
    return _all(args, *book)


def main(argv=None):
    """The CLI; signals become one line and an exit status (130, 143), after
    every `finally` has run."""
    global _STARTUP_CPU
    _STARTUP_CPU = time.process_time()  # the interpreter and the imports, for --profile
    old = signal.signal(signal.SIGTERM, _terminate) if _main_thread() else None
    try:
        args = _parser().parse_args(argv)
        return _run(args)
    except UsageError as err:
        print(f"derive: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("derive: interrupted", file=sys.stderr)
        return 130
    except Terminated:
        print("derive: terminated", file=sys.stderr)
        return 143
    except BrokenPipeError:
        # the reader went away (`| head`): stop quietly, and keep Python's
        # flush at exit from raising again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    finally:
        if old is not None:
            signal.signal(signal.SIGTERM, old)


def _main_thread():
    return threading.current_thread() is threading.main_thread()
