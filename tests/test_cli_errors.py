"""Errors and signals on the command line: one line on stderr, the exit
status, nothing written, no traceback, no worker left behind."""
import os
import pty
import select
import signal
import subprocess
import sys
import time

import pytest


def run(*args, cwd=None, env=None):
    return subprocess.run([sys.executable, "-m", "derive", *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, **(env or {})}, timeout=300)


def _one_line_error(p, *words):
    assert p.returncode == 2, p.stdout + p.stderr
    assert p.stdout == ""  # nothing was verified: no verdict line
    lines = p.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("derive: error: --out"), p.stderr
    for w in words:
        assert w in lines[0], lines[0]


def test_out_empty_is_refused_and_nothing_is_written(tmp_path):
    p = run("all", "--out", "", "--no-pdf", cwd=tmp_path)
    _one_line_error(p, "empty")
    assert list(tmp_path.iterdir()) == []


def test_out_under_a_regular_file_is_refused_before_verifying(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    p = run("all", "--out", str(f / "sub"), "--no-pdf", cwd=tmp_path)
    _one_line_error(p, str(f), "not a directory")
    assert f.read_text() == "x" and sorted(x.name for x in tmp_path.iterdir()) == ["file"]


def test_out_in_proc_is_refused(tmp_path):
    if not os.path.isdir("/proc"):
        pytest.skip("no /proc")
    p = run("all", "--out", "/proc/derive-x", "--no-pdf", cwd=tmp_path)
    _one_line_error(p, "/proc/derive-x")
    assert not os.path.exists("/proc/derive-x")


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes in a read-only directory")
def test_out_in_a_read_only_directory_is_refused(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        p = run("all", "--out", str(ro / "reports"), "--no-pdf", cwd=tmp_path)
        _one_line_error(p, str(ro))
        assert list(ro.iterdir()) == []
    finally:
        ro.chmod(0o755)


def test_the_writability_probe_leaves_nothing(tmp_path):
    from derive.render.files import NotWritable, check_writable_dir
    check_writable_dir(tmp_path / "a" / "b")  # may be created later: nothing now
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "f").write_text("")
    with pytest.raises(NotWritable, match="not a directory"):
        check_writable_dir(tmp_path / "f" / "x")


def _started(sig, to_group, tmp_path):
    """Start `derive all`, signal it once its first verdict line is out
    (verification has started), and return (process, stdout, stderr)."""
    out = tmp_path / "reports"
    p = subprocess.Popen([sys.executable, "-m", "derive", "all", "--out", str(out), "--no-pdf"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env={**os.environ, "DERIVE_JOBS": "2"}, start_new_session=True)
    try:
        first = p.stdout.readline()
        assert first.split()[0] in ("proved", "refuted"), first
        (os.killpg if to_group else os.kill)(p.pid, sig)
        stdout, stderr = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
    time.sleep(0.5)
    left = subprocess.run(["pgrep", "-g", str(p.pid)], capture_output=True, text=True).stdout.split()
    return p, stderr, out, left


@pytest.mark.parametrize("sig, to_group, status, word", [
    (signal.SIGINT, True, 130, "interrupted"),    # Ctrl-C: the whole foreground group
    (signal.SIGINT, False, 130, "interrupted"),
    (signal.SIGTERM, False, 143, "terminated"),   # kill PID
    (signal.SIGTERM, True, 143, "terminated"),    # timeout, a job manager: workers signalled too
])
def test_a_signal_gives_one_line_and_its_status(sig, to_group, status, word, tmp_path):
    p, stderr, out, left = _started(sig, to_group, tmp_path)
    assert p.returncode == status, stderr
    assert stderr == f"derive: {word}\n"  # no traceback from the main process or a worker
    assert left == []                     # no worker outlives it
    assert not out.exists() or not [x for x in out.iterdir() if x.name.endswith(".tmp")]


def test_no_progress_line_when_not_a_terminal():
    p = run("check", "sigmoid-derivative", env={"DERIVE_JOBS": "2"})
    assert p.returncode == 0 and p.stderr == ""
    assert "\r" not in p.stdout


def test_a_progress_line_on_a_terminal():
    master, slave = pty.openpty()
    p = subprocess.Popen([sys.executable, "-m", "derive", "check", "sigmoid-derivative", "mistake-dh-dz"],
                         stdout=slave, stderr=slave, env={**os.environ, "DERIVE_JOBS": "2"})
    os.close(slave)
    seen = b""
    while True:
        ready, _, _ = select.select([master], [], [], 120)
        if not ready:
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the terminal closed: the process is done
            break
        if not chunk:
            break
        seen += chunk
    p.wait(timeout=60)
    os.close(master)
    text = seen.decode()
    assert p.returncode == 0, text
    assert "\r\x1b[K[" in text and "checks" in text  # the progress line, rewritten in place
    assert "2 results: 2 as expected, 0 failed" in text


_BIG = '''
import os, signal, sys
import derive.cli as cli
from derive.records import Check
cli._check = lambda task: (task[0], {"x": Check("x", "proof", True, "y" * 300000)}, None)  # more than a pipe holds
signal.signal(signal.SIGTERM, cli._terminate)
pool = cli._Workers(2)
try:
    for k, got in enumerate(pool.run([(str(i), ("x",), False) for i in range(100000)])):
        if k == 0:
            print("first", flush=True)
except cli.Terminated:
    print("terminated", file=sys.stderr)
finally:
    pool.close()
sys.exit(143)
'''


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.1])
def test_a_group_sigterm_while_workers_write_results_ends_at_once(delay):
    """The SIGTERM-to-the-group hang: a worker killed half-way through a
    result left multiprocessing.Pool's result thread waiting for the rest
    (and the pool forked replacements that could lose their SIGTERM).  With
    results larger than a pipe, nearly every such signal hung the old pool."""
    p = subprocess.Popen([sys.executable, "-c", _BIG], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=True)
    try:
        assert p.stdout.readline() == "first\n"
        time.sleep(delay)
        os.killpg(p.pid, signal.SIGTERM)
        _, stderr = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
    assert p.returncode == 143 and stderr == "terminated\n"
    time.sleep(0.3)
    assert subprocess.run(["pgrep", "-g", str(p.pid)], capture_output=True, text=True).stdout.split() == []


def test_a_worker_that_ends_leaves_its_check_undecided():
    """A worker killed alone: its check is undecided, the others still answer, nothing waits."""
    from derive import cli
    pool = cli._Workers(2)
    try:
        os.kill(pool.procs[0].pid, signal.SIGKILL)
        pool.procs[0].join()
        got = {(rid, name): c for rid, checks, _ in pool.run([("sigmoid-derivative", ("concrete",), False),
                                                              ("sigmoid-derivative", ("numeric",), False),
                                                              ("mistake-dh-dz", ("refutation",), False)])
               for name, c in checks.items()}
    finally:
        pool.close()
    assert len(got) == 3
    dead = [c for c in got.values() if not c.ok]
    assert len(dead) == 1 and dead[0].detail.startswith("undecided: the worker process ended"), got
    assert all(c.ok for c in got.values() if c not in dead)
