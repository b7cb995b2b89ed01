"""A wall-time budget for a block of SymPy work (SIGALRM: POSIX, main thread).

Floor 1, so that derive.claim (floor 2) and derive.grad (floor 4) share it.
Budgets nest: an inner budget never extends an outer one, and on leaving it
the outer timer is re-armed with what is left of it, so the outer budget
still rings on time.  Each Budget names the block whose budget ran out
(``err.owner``), so an inner handler can let an outer budget's exception pass.
"""
from __future__ import annotations

import contextlib
import signal
import threading
import time

# After the first ring, the timer rings again this often until the block ends:
# an exception raised while Python runs a __del__ or a callback is dropped
# ("Exception ignored in ..."), so a Budget can be lost once; the next one
# ends the block (a claim left computing for 30 minutes, seen once in CI).
AGAIN = 0.5


class Budget(BaseException):
    """The block ran past its time budget.  A BaseException, so that no
    `except Exception` inside SymPy swallows it."""

    def __init__(self, message, owner=None):
        super().__init__(message)
        self.owner = owner


class _Block:
    """The handle `with budget(...) as b` gives: b.seconds, and b.ran_out."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.ran_out = False


def usable():
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def budget(seconds, message=None):
    """Raise Budget(message, owner=the block) in this block after `seconds`
    of wall time.  seconds None or 0, or no SIGALRM here: no limit."""
    block = _Block(seconds)
    if not seconds or not usable():
        yield block
        return
    outer_left, outer_again = signal.getitimer(signal.ITIMER_REAL)
    if outer_left and outer_left <= seconds:
        yield block  # an enclosing budget rings first: leave its timer alone
        return
    text = message or f"no proof within {seconds:g} s"

    def ring(signum, frame):
        block.ran_out = True
        raise Budget(text, block)
    start = time.monotonic()
    old = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds, AGAIN)
    try:
        yield block
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        if outer_left:
            # the enclosing budget's time kept running meanwhile
            signal.setitimer(signal.ITIMER_REAL, max(outer_left - (time.monotonic() - start), 1e-6), outer_again)
