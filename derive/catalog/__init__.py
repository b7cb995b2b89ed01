"""Floor 6: the catalog: the records of derive.notes (or of a user's notes
file, read by derive.catalog.load), in the notes' order.

results() and result(id) are what the CLI, the tests and the reports
iterate; verify(r) runs a record's checks with this catalog as the place a
mistake's correction finds its result.
"""
from __future__ import annotations

import difflib

from derive import notes
from derive.render.display import Shown
from derive.verification import checks

ALL = list(notes.RESULTS)
_BY_ID = {r.id: r for r in ALL}
if len(_BY_ID) < len(ALL):
    raise ValueError(f"duplicate result ids {sorted({r.id for r in ALL if sum(s.id == r.id for s in ALL) > 1})}")


def results():
    """All results (and mistakes) in catalog order: seeds 000..004."""
    return list(ALL)


def result(id):
    """The result with this id; KeyError naming the closest ids otherwise."""
    if id in _BY_ID:
        return _BY_ID[id]
    close = closest(str(id))
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise KeyError(f"no result {id!r}{hint}")


def closest(text, n=3):
    """The ids nearest to `text`, closest first: an id that starts with it,
    then one that contains it, then by difflib's ratio (case ignored)."""
    q = text.lower()

    def score(i):
        return (i.startswith(q), q in i, difflib.SequenceMatcher(None, q, i).ratio())
    ranked = sorted(_BY_ID, key=score, reverse=True)  # stable: catalog order breaks ties
    return [i for i in ranked[:n] if score(i)[1] or score(i)[2] >= 0.4]


def use(records):
    """Make `records` (a user's notes file, checked by derive.catalog.load) the
    catalog that results(), result(), plan() and verify() see, in this
    process and in the workers it forks afterwards."""
    ALL[:] = records
    _BY_ID.clear()
    _BY_ID.update({r.id: r for r in records})


def plan(r):
    return checks.plan(r, result)


def run_check(r, name):
    return checks.run_check(r, name, result)


def verify(r):
    """The Verdict of a record (an id or a Result) against this catalog."""
    return checks.verify(result(r) if isinstance(r, str) else r, result)


def show(r, verified=False):
    """A record (an id or a Result) for Jupyter to display; with its verdict when verified."""
    r = result(r) if isinstance(r, str) else r
    return Shown(r, verify(r) if verified else None)
