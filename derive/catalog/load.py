"""A user's notes file: records written exactly like derive's own notes.

The file is a Python module that defines ``RESULTS``, a list of
``derive.records.Result`` (and may define ``SEEDS = {"seed": "chapter
title"}``).  It is the user's own code, run as Python like a test file;
the mathematics in it is text in derive's language, parsed, never
evaluated.  Every record is checked before anything is verified, and a bad
one is refused with the record's id and the field.
"""
from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

from derive.maths import language as L
from derive.records import Facts, Gradient, Identity, Mistake, Result

# a report is written as <out>/<id>.tex: no path separators, no LaTeX specials
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")


class NotesError(ValueError):
    """A notes file that cannot be used: one line naming the file, the record and the field."""


def load(path):
    """(records, seeds) of the notes file at `path`, each record checked."""
    path = Path(path)
    if not path.is_file():
        raise NotesError(f"--notes {path}: no such file")
    if path.suffix != ".py":
        raise NotesError(f"--notes {path}: expected a Python file (.py) that defines RESULTS")
    name = f"_derive_user_notes_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look the module up by name
    try:
        spec.loader.exec_module(module)
    except SyntaxError as err:
        raise NotesError(f"{path}:{err.lineno}: syntax error: {err.msg}") from None
    except Exception as err:  # the user's module failed while it ran: say where, in one line
        raise NotesError(f"{path}: {type(err).__name__} while loading: {err}") from None
    records = getattr(module, "RESULTS", None)
    if not isinstance(records, (list, tuple)) or not records:
        raise NotesError(f"{path}: defines no RESULTS (a non-empty list of derive.records.Result)")
    seeds = getattr(module, "SEEDS", {})
    if not isinstance(seeds, dict):
        raise NotesError(f"{path}: SEEDS must be a dict {{seed: chapter title}}")
    check(records, path)
    return list(records), {str(k): str(v) for k, v in seeds.items()}


def check(records, path="notes"):
    """Refuse the first bad record: NotesError naming the record and the field."""
    ids = set()
    for i, r in enumerate(records):
        if not isinstance(r, Result):
            raise NotesError(f"{path}: RESULTS[{i}] is a {type(r).__name__}, not a derive.records.Result")
        where = f"{path}: result {r.id!r}"
        if not isinstance(r.id, str) or not _ID.match(r.id):
            raise NotesError(f"{path}: RESULTS[{i}]: field id {r.id!r}: letters, digits, '.', '-' and '_' only "
                             "(it names the report file)")
        if r.id in ids:
            raise NotesError(f"{where}: field id: used twice")
        ids.add(r.id)
        for field in ("seed", "section", "title", "statement", "convention", "written"):
            if not isinstance(getattr(r, field), str):
                raise NotesError(f"{where}: field {field}: expected text, got {type(getattr(r, field)).__name__}")
        if not r.title.strip():
            raise NotesError(f"{where}: field title: empty")
        if not isinstance(r.how, (Gradient, Identity, Facts, Mistake)):
            raise NotesError(f"{where}: field how: expected Gradient, Identity, Facts or Mistake, "
                             f"got {type(r.how).__name__}")
        try:
            _check_how(r.how)
        except _Field as err:
            raise NotesError(f"{where}: field {err.field}: {err.message}") from None
    for r in records:
        if isinstance(r.how, Mistake) and r.how.correct not in ids:
            raise NotesError(f"{path}: result {r.id!r}: field correct: no result {r.how.correct!r} in this file")


class _Field(Exception):
    def __init__(self, field, message):
        self.field, self.message = field, message


def _parse(field, text, env):
    try:
        return L.parse(text, env)
    except L.LanguageError as err:  # its first line: the caret display needs the text's own line
        raise _Field(field, f"{text!r}: {str(err).splitlines()[0]}") from None


def _env(field, shapes, where):
    """Shapes of the variables and of the `where` parts, each part parsed."""
    try:
        env = {k: v for k, v in L.shapes_of(shapes).items()}
    except (L.LanguageError, TypeError, ValueError, AttributeError) as err:
        raise _Field(field, str(err).splitlines()[0]) from None
    if not isinstance(where, dict):
        raise _Field("where", "expected a dict {name: expression}")
    for name, src in where.items():
        env[name] = _parse(f"where[{name!r}]", src, env).shape
    return env


def _sizes(field, sizes, env):
    names = {d for s in env.values() for d in (s or ()) if isinstance(d, str)}
    for k, one in enumerate(sizes):
        if not isinstance(one, dict):
            raise _Field(field, f"entry {k} is not a dict {{size: value}}")
        missing = sorted(names - set(one))
        if missing:
            raise _Field(field, f"entry {k} gives no value to {', '.join(missing)}")
        bad = [n for n, v in one.items() if not isinstance(v, int) or isinstance(v, bool) or v < 2]
        if bad:
            raise _Field(field, f"entry {k}: {bad[0]} = {one[bad[0]]!r}; sizes are integers >= 2 (non-square)")


def _built(h, text):
    """A record built in SymPy (no text in `text`): it needs its build function."""
    if getattr(h, text) is not None:
        return False
    if not callable(h.build):
        raise _Field(text, f"no {text} text and no build function")
    return True


def _check_how(h):
    if isinstance(h, Facts):
        if not callable(h.symbolic_facts):
            raise _Field("symbolic_facts", "a function returning [(label, ok, detail)]")
        return
    if _built(h, "lhs" if isinstance(h, Identity) else "loss"):
        return
    env = _env("shapes", h.shapes, h.where)
    variables = L.shapes_of(h.shapes)
    if isinstance(h, Gradient):
        losses = h.loss if isinstance(h.loss, (list, tuple)) else [h.loss]
        claims = h.claims if isinstance(h.claims, (list, tuple)) else [h.claims]
        if len(losses) != len(claims):
            raise _Field("claims", f"{len(losses)} losses but {len(claims)} claim sets")
        for loss, cl in zip(losses, claims):
            t = _parse("loss", loss, env)
            if t.shape not in ((), (1, 1)):
                raise _Field("loss", f"{loss!r} is not a scalar (shape {t.shape})")
            if not isinstance(cl, dict) or not cl:
                raise _Field("claims", "expected a dict {variable: its gradient}")
            for v, src in cl.items():
                if v not in variables:
                    raise _Field(f"claims[{v!r}]", f"{v!r} is not a variable of shapes")
                _parse(f"claims[{v!r}]", src, env)
        _sizes("sizes", h.sizes, env)
    elif isinstance(h, Identity):
        _parse("lhs", h.lhs, env)
        _parse("rhs", h.rhs, env)
        _sizes("sizes", h.sizes, env)
    else:  # a Mistake
        _parse("loss", h.loss, env)
        if h.wrt not in variables:
            raise _Field("wrt", f"{h.wrt!r} is not a variable of shapes")
        # `written` may be undefined as the notes wrote it (mismatched shapes): that is the refutation
        if not isinstance(h.written, str) or not isinstance(h.corrected, str):
            raise _Field("written", "written and corrected are texts in the language")
        _parse("corrected", h.corrected, env)
